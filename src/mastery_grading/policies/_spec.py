"""Policies as data: JSON-safe specs, the registry of built-ins, and rebuilding from a spec."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypedDict, TypeVar

import attrs

from mastery_grading._registry import SpecRegistry
from mastery_grading.exceptions import (
    InvalidTypeError,
    MasteryGradingError,
    SpecError,
    SpecTypeError,
)

if TYPE_CHECKING:
    from mastery_grading.protocols import Policy

__all__ = [
    "PolicySpec",
    "available_policies",
    "policy_from_spec",
    "policy_label",
    "policy_to_spec",
    "register_policy",
    "unregister_policy",
]

#: The key of a spec that names the policy.
KIND_KEY: Final = "policy"

#: The built-in policies by spec name.
POLICIES: SpecRegistry[type[Any]] = SpecRegistry(key=KIND_KEY, kind="policy")

T = TypeVar("T", bound=type[Any])


class PolicySpec(TypedDict):
    """The JSON-safe spec of a built-in policy: ``"policy"`` names it, other keys are parameters.

    A parameter left out takes its default; a nested policy (``"inner"``, ``"policies"``) is
    itself a spec. Specs are plain dicts: this type only names the shape.

    Example:
        >>> spec: PolicySpec = {"policy": "mean"}
        >>> policy_from_spec(spec)
        Mean(weighted=True)
    """

    policy: str


def register_policy(cls: T) -> T:
    """Class decorator adding a policy to the spec registry under ``cls.spec_name``.

    A registered policy is known to :func:`policy_from_spec`, :func:`available_policies`, the
    CLI, and :func:`policy_label` (which then shows only the parameters that differ from the
    defaults). :func:`unregister_policy` takes it out again.

    Raises:
        SpecError: If another class already has that name.

    Example:
        >>> import attrs
        >>> from mastery_grading.policies import Mean
        >>> @register_policy
        ... @attrs.frozen(kw_only=True)
        ... class Doubled(Mean):
        ...     spec_name = "doubled_mean_example"
        >>> policy_from_spec({"policy": "doubled_mean_example"})
        Doubled(weighted=True)
        >>> unregister_policy(Doubled)
    """
    POLICIES.register(cls)
    return cls


def unregister_policy(cls: type[Any]) -> None:
    """Take a policy registered with :func:`register_policy` out of the spec registry.

    Meant for tests and sessions that register a policy for a while.

    Raises:
        SpecError: If ``cls`` is not the class registered under its ``spec_name``.

    Example:
        >>> import attrs
        >>> @register_policy
        ... @attrs.frozen
        ... class Probe:
        ...     spec_name = "probe_example"
        >>> unregister_policy(Probe)
        >>> "probe_example" in available_policies()
        False
    """
    POLICIES.unregister(cls)


def _encode(value: Any) -> Any:
    if attrs.has(type(value)) and hasattr(value, "spec_name"):
        return policy_to_spec(value)
    if hasattr(value, "to_spec"):
        return value.to_spec()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [_encode(item) for item in items]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    msg = f"value {value!r} of type {type(value).__name__} has no JSON-safe spec form"
    raise InvalidTypeError(msg)


def policy_to_spec(policy: Policy) -> dict[str, Any]:
    """Return the JSON-safe spec of a built-in policy: its name and every parameter.

    Example:
        >>> from mastery_grading.policies import DecayingAverage
        >>> policy_to_spec(DecayingAverage(rate=0.75))
        {'policy': 'decaying_average', 'rate': 0.75}
    """
    name = getattr(policy, "spec_name", None)
    if not isinstance(name, str) or not attrs.has(type(policy)):
        msg = f"policy {policy!r} is not a built-in policy (an attrs class with a spec_name)"
        raise InvalidTypeError(msg)
    spec: dict[str, Any] = {KIND_KEY: name}
    cls: Any = type(policy)
    for field in attrs.fields(cls):
        if field.init:
            spec[field.name] = _encode(getattr(policy, field.name))
    return spec


def _decode(value: Any) -> Any:
    if isinstance(value, Mapping) and KIND_KEY in value:
        return policy_from_spec(value)
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    return value


def policy_from_spec(spec: PolicySpec | Mapping[str, Any]) -> Policy:
    """Rebuild a built-in policy from its spec; the result equals the original policy.

    Parameters left out of the spec take their defaults.

    Raises:
        SpecError: If the spec is not a dict, names no or an unknown policy, has an unknown key,
            or a parameter is invalid. The message names the key.
        SpecTypeError: If a parameter has the wrong type (``"policies": 5``); it is both a
            :class:`~mastery_grading.exceptions.SpecError` and a :class:`TypeError`.

    Example:
        >>> policy_from_spec({"policy": "decaying_average", "rate": 0.75})
        DecayingAverage(rate=0.75)
        >>> policy_from_spec({"policy": "mean", "rate": 0.75})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: spec for policy 'mean' has unknown key 'rate'; expected one of ['weighted']
    """  # noqa: E501
    cls = POLICIES.find(spec)
    name = spec[KIND_KEY]
    allowed = [field.name for field in attrs.fields(cls) if field.init]
    kwargs: dict[str, Any] = {}
    for key, value in spec.items():
        if key == KIND_KEY:
            continue
        if key not in allowed:
            msg = f"spec for policy {name!r} has unknown key {key!r}; expected one of {allowed}"
            raise SpecError(msg)
        kwargs[key] = _decode(value)
    try:
        built: Policy = cls(**kwargs)
    except SpecError:
        raise
    except (MasteryGradingError, TypeError, ValueError) as error:
        msg = f"spec for policy {name!r} is invalid: {error}"
        kind = SpecTypeError if isinstance(error, TypeError) else SpecError
        raise kind(msg) from error
    return built


def available_policies() -> dict[str, Any]:
    """Return every registered built-in policy, with default parameters, by spec name.

    Policies that require arguments (such as ``MaxOf``) are given documented example
    arguments by their ``example()`` class method.

    Example:
        >>> policies = available_policies()
        >>> policies["most_recent"]
        MostRecent()
    """
    # Any, not Policy: callers read the built-ins' claims, spec_name and to_spec() too
    result: dict[str, Any] = {}
    for name, cls in POLICIES.classes().items():
        factory: Callable[[], Any] = getattr(cls, "example", cls)
        result[name] = factory()
    return result


def policy_label(policy: Policy) -> str:
    """Return a short label for a policy: its spec name and any non-default parameters.

    A policy that is not a registered built-in is labelled by its ``name`` attribute when it
    has one (as :func:`~mastery_grading.policies.custom_policy` policies do), else by its class
    name.

    Example:
        >>> from mastery_grading import policies
        >>> policy_label(policies.DecayingAverage(rate=0.8)), policy_label(policies.Mean())
        ('decaying_average(rate=0.8)', 'mean')
        >>> policy_label(policies.custom_policy(lambda scores: max(scores), name="best"))
        'best'
    """
    name = getattr(policy, "spec_name", None)
    registered = isinstance(name, str) and POLICIES.get(name) is type(policy)
    if not registered or not attrs.has(type(policy)):
        own = getattr(policy, "name", None)
        return own if isinstance(own, str) and own else type(policy).__name__
    changed = []
    cls: Any = type(policy)
    for field in attrs.fields(cls):
        if not field.init:
            continue
        value = getattr(policy, field.name)
        default: Any = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory(policy) if default.takes_self else default.factory()
        if value != default:
            changed.append(f"{field.name}={value!r}")
    return f"{name}({', '.join(changed)})" if changed else str(name)
