"""Policies to compare, by label: rebuilt from specs, checked, and labelled uniquely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies import PolicySpec, policy_from_spec, policy_label
from mastery_grading.protocols import Policy

__all__ = ["resolve_policies"]


def resolve_policies(
    policies: Iterable[Policy | PolicySpec | Mapping[str, Any]]
    | Mapping[str, Policy | PolicySpec | Mapping[str, Any]],
) -> dict[str, Policy]:
    """Label each policy, rebuilding specs: a list gets each policy's label, made unique.

    A mapping keeps its labels. Labels come from
    :func:`~mastery_grading.policies.policy_label`; a repeated one gets ``" #2"``, ``" #3"``.

    Raises:
        InvalidTypeError: If an item is neither a policy nor a spec, or ``policies`` is one spec.
        InvalidValueError: If there is no policy.
        SpecError: If a spec is invalid.

    Example:
        >>> from mastery_grading import policies
        >>> list(resolve_policies([policies.Mean(), {"policy": "mean"}]))
        ['mean', 'mean #2']
    """
    if isinstance(policies, Mapping) and "policy" in policies:
        msg = "policies must be a list of policies or specs, or a mapping of label to policy"
        raise InvalidTypeError(msg)
    items: Iterable[tuple[str | None, Any]]
    if isinstance(policies, Mapping):
        items = [(str(k), v) for k, v in policies.items()]
    else:
        items = [(None, p) for p in policies]
    resolved: dict[str, Policy] = {}
    for label, item in items:
        policy = policy_from_spec(item) if isinstance(item, Mapping) else item
        if not callable(getattr(policy, "evaluate", None)):
            msg = f"policy {policy!r} must have an evaluate(evidence, target) method or be a spec"
            raise InvalidTypeError(msg)
        name = label or policy_label(policy)
        unique, k = name, 2
        while unique in resolved:
            unique, k = f"{name} #{k}", k + 1
        resolved[unique] = policy
    if not resolved:
        msg = "policies must hold at least one policy"
        raise InvalidValueError(msg)
    return resolved
