"""Results: what a policy concluded for one student on one target, and which evidence counted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from mastery_grading import _validators as v
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.scales import Level
from mastery_grading.targets import LearningTarget

__all__ = ["Contribution", "TargetResult"]


@attrs.frozen(kw_only=True)
class Contribution:
    """One piece of evidence a result used, and the weight it carried.

    For averaging policies the weights of a result's contributions sum to 1. A policy that is
    not a weighted average (a power-law fit, say) documents what its weights mean.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="s1", target_id="T", score=3,
        ...              observed_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
        >>> Contribution(evidence=e, weight=0.35).weight
        0.35
    """

    evidence: Evidence = attrs.field(validator=v.instance_of(Evidence, "an Evidence"))
    weight: float = attrs.field(converter=v.to_float, validator=v.finite_number)


def _to_contributions(value: Iterable[Contribution]) -> Any:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # _check_contributions names it
    return tuple(value)


def _check_contributions(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        msg = (
            f"{attribute.name}={value!r} must be a list of Contribution, not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)
    for item in value:
        if not isinstance(item, Contribution):
            msg = (
                f"{attribute.name} item {item!r} must be a Contribution, not {type(item).__name__}"
            )
            raise InvalidTypeError(msg)


def _check_value(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.optional_finite_number(instance, attribute, value)


def _level(result: TargetResult) -> Level | None:
    return None if result.value is None else result.target.scale.level_of(result.value)


def _student_of(result: TargetResult) -> str | None:
    # runs before the validators: contributions may not be a tuple of Contribution yet
    items = result.contributions
    first = items[0] if isinstance(items, tuple) and items else None
    return first.evidence.student_id if isinstance(first, Contribution) else None


def _mastered(result: TargetResult) -> bool:
    return result.value is not None and result.target.scale.is_mastered(result.value)


@attrs.frozen(kw_only=True)
class TargetResult:
    """The result of a policy for one student on one target.

    ``value`` is ``None`` when there is no evidence or the policy cannot decide yet; ``reason``
    then says why. ``None`` is never silently 0. ``level`` and ``mastered`` are derived from
    ``value`` and the target's scale.

    Args:
        target: The learning target.
        value: The result on the target's scale, or ``None``.
        evidence_count: How many pieces of evidence the policy was given for this target.
        contributions: The evidence that counted and its weight, oldest first.
        reason: Why ``value`` is ``None`` (required then), or a note on how it was reached.
        policy: The policy that produced the result (a :class:`~mastery_grading.Policy`). It is
            typed ``object`` because a result only records it, for its repr and spec, and so
            that results sit below the protocols that return them (no import cycle).
        student_id: The student; by default the student of the contributing evidence, or
            ``None`` when nothing contributed. A gradebook's results always carry it.

    Attributes:
        level: The :class:`~mastery_grading.Level` reached, or ``None`` when ``value`` is.
        mastered: Whether ``value`` reaches the mastery threshold (``False`` for ``None``).

    Example:
        >>> from mastery_grading import LearningTarget, policies
        >>> result = policies.Mean().evaluate([], LearningTarget(id="T", title="Fractions"))
        >>> (result.value, result.reason, result.level, result.mastered)
        (None, 'no evidence', None, False)
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> policies.Mean().evaluate(scores_to_history([2, 3], student_id="ana"),
        ...                          LearningTarget(id="T", title="Ratios")).student_id
        'ana'
    """

    target: LearningTarget = attrs.field(
        validator=v.instance_of(LearningTarget, "a LearningTarget")
    )
    value: float | None = attrs.field(converter=v.to_float, validator=_check_value)
    policy: object
    evidence_count: int = attrs.field(default=0, validator=v.int_in_range(0))
    contributions: tuple[Contribution, ...] = attrs.field(
        default=(), converter=_to_contributions, validator=_check_contributions
    )
    reason: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    student_id: str | None = attrs.field(
        default=attrs.Factory(_student_of, takes_self=True), validator=v.optional_non_empty_str
    )
    level: Level | None = attrs.field(init=False, default=attrs.Factory(_level, takes_self=True))
    mastered: bool = attrs.field(init=False, default=attrs.Factory(_mastered, takes_self=True))

    def __attrs_post_init__(self) -> None:
        if self.value is None and self.reason is None:
            msg = "reason=None must explain why value is None"
            raise InvalidValueError(msg)
        if len(self.contributions) > self.evidence_count:
            msg = (
                f"contributions has {len(self.contributions)} items, more than "
                f"evidence_count={self.evidence_count}"
            )
            raise InvalidValueError(msg)
