"""Parsing the specs of letter rules and their conditions, with errors that name the key."""

from __future__ import annotations

from typing import Any

import attrs

from mastery_grading._registry import SpecRegistry
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, SpecError
from mastery_grading.grades.rules.conditions import (
    Condition,
    LetterRule,
    MasteredAndProgressing,
    Tally,
)

__all__ = ["CONDITIONS", "condition_from_spec", "rule_from_spec"]

#: The condition classes by the name in their spec's ``"condition"`` key.
CONDITIONS: SpecRegistry[type[Tally] | type[MasteredAndProgressing]] = SpecRegistry(
    key="condition", kind="condition"
)
CONDITIONS.register(Tally)
CONDITIONS.register(MasteredAndProgressing)


def rule_from_spec(spec: Any, where: str) -> LetterRule:
    """Rebuild a letter rule from its spec found at key ``where`` of a rule set spec.

    Raises:
        SpecError: If the spec is not a dict, or a key is missing, unknown or invalid; the
            message names the key (``rules[0].conditions[1].low``).

    Example:
        >>> rule_from_spec({"letter": "F", "conditions": []}, "rules[4]").describe()
        'F: otherwise'
    """
    if not isinstance(spec, dict):
        msg = f"spec key {where!r}={spec!r} must be a dict with 'letter' and 'conditions'"
        raise SpecError(msg)
    for key in spec:
        if key not in ("letter", "conditions"):
            msg = f"spec key '{where}.{key}' is unknown; expected 'letter' and 'conditions'"
            raise SpecError(msg)
    if "letter" not in spec:
        msg = f"spec key '{where}.letter' is missing"
        raise SpecError(msg)
    items = spec.get("conditions", [])
    if not isinstance(items, list | tuple):
        msg = f"spec key '{where}.conditions'={items!r} must be a list"
        raise SpecError(msg)
    conditions = tuple(
        condition_from_spec(item, f"{where}.conditions[{i}]") for i, item in enumerate(items)
    )
    try:
        return LetterRule(letter=spec["letter"], conditions=conditions)
    except (InvalidValueError, InvalidTypeError) as error:
        msg = f"spec key '{where}.letter' is invalid: {error}"
        raise SpecError(msg) from error


def condition_from_spec(spec: Any, where: str) -> Condition:
    """Rebuild a condition from its spec found at key ``where`` of a rule set spec.

    Example:
        >>> condition_from_spec({"condition": "tally", "low": 3, "share": 0.5}, "c").describe()
        'at least 50% of targets at 3.0 or above'
    """
    if not isinstance(spec, dict) or "condition" not in spec:
        msg = f"spec key {where!r}={spec!r} must be a dict with a 'condition' key"
        raise SpecError(msg)
    kind = spec["condition"]
    cls = CONDITIONS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        msg = f"spec key '{where}.condition'={kind!r} must be one of {CONDITIONS.names()}"
        raise SpecError(msg)
    allowed = [field.name for field in attrs.fields(cls)]
    for key in spec:
        if key != "condition" and key not in allowed:
            msg = f"spec key '{where}.{key}' is unknown; expected one of {allowed}"
            raise SpecError(msg)
    try:
        condition: Condition = cls(**{k: val for k, val in spec.items() if k != "condition"})
    except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
        msg = f"spec key {where!r} is invalid: {error}"
        raise SpecError(msg) from error
    return condition
