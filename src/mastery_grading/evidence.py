"""Evidence: one observed score of one student on one learning target, and how it is ordered."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from mastery_grading import _validators as v

__all__ = ["Evidence", "EvidenceKind", "chronological_key", "sort_chronologically"]


class EvidenceKind(enum.StrEnum):
    """Whether evidence is practice (formative) or counts toward a judgement (summative).

    It is a string enum, so the plain strings compare equal to the members and
    :class:`Evidence` accepts them (in any case).

    Example:
        >>> EvidenceKind("formative") is EvidenceKind.FORMATIVE
        True
        >>> EvidenceKind.SUMMATIVE == "summative"
        True
        >>> [kind.value for kind in EvidenceKind]
        ['formative', 'summative']
    """

    FORMATIVE = "formative"
    SUMMATIVE = "summative"


def _to_kind(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, EvidenceKind):
        try:
            return EvidenceKind(value.strip().lower())
        except ValueError:
            return value
    return value


def _check_attempt(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        v.int_in_range(1)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Evidence:
    """One score a student earned on one learning target at one moment.

    Args:
        student_id: Non-empty id of the student.
        target_id: Non-empty id of the learning target.
        score: A finite number on the target's scale (checked when a policy evaluates it).
        observed_at: When the evidence was observed; must be timezone-aware.
        kind: ``EvidenceKind.SUMMATIVE`` (default) or ``EvidenceKind.FORMATIVE``;
            the strings ``"summative"`` and ``"formative"`` are accepted.
        weight: Relative weight for weighting policies; greater than 0.
        source_id: Optional id of the assessment or artifact it came from.
        context: Optional course or department it was observed in, because evidence from
            another course may count.
        attempt: Optional attempt number (1 for the first try, 2 for the first retake, ...).
        independent: Whether the student showed it without help (default ``True``).

    Raises:
        InvalidValueError: For an empty id, a NaN or infinite score, a naive datetime or a
            non-positive weight.
        InvalidTypeError: For a value of the wrong type.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="s1", target_id="LE.1", score=3.0,
        ...              observed_at=datetime(2026, 10, 5, tzinfo=timezone.utc), kind="formative")
        >>> e.kind
        <EvidenceKind.FORMATIVE: 'formative'>
        >>> Evidence(student_id="s1", target_id="LE.1", score=float("nan"),
        ...          observed_at=datetime(2026, 10, 5, tzinfo=timezone.utc))
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: score=nan is not a finite number
    """

    student_id: str = attrs.field(validator=v.non_empty_str)
    target_id: str = attrs.field(validator=v.non_empty_str)
    score: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    observed_at: datetime = attrs.field(validator=v.aware_datetime)
    kind: EvidenceKind = attrs.field(
        default=EvidenceKind.SUMMATIVE,
        converter=_to_kind,
        validator=v.instance_of(EvidenceKind, "'formative' or 'summative'"),
    )
    weight: float = attrs.field(default=1.0, converter=v.to_float, validator=v.positive_number)
    source_id: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    context: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    attempt: int | None = attrs.field(default=None, validator=_check_attempt)
    independent: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    @property
    def is_summative(self) -> bool:
        """Whether this evidence is summative.

        Example:
            >>> from datetime import datetime, timezone
            >>> quiz = Evidence(student_id="s1", target_id="T", score=2.5, kind="formative",
            ...                 observed_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
            >>> quiz.is_summative
            False
        """
        return self.kind is EvidenceKind.SUMMATIVE


def chronological_key(evidence: Evidence) -> tuple[Any, ...]:
    """Return the sort key that orders evidence from oldest to newest.

    The key is, in order: ``observed_at`` (as an absolute instant); then ``attempt`` (missing
    counts as before attempt 1); then ``source_id`` (missing first, then alphabetical, so that on
    the same instant the alphabetically last assessment is the latest, as in JumpRope); then
    ``kind`` (formative before summative); then ``score`` (lower first); then ``weight``,
    ``context``, ``independent``, ``student_id`` and the time zone. Two pieces of evidence with
    equal keys are equal in every field, so the order never depends on the input order.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 10, 5, tzinfo=timezone.utc)
        >>> a = Evidence(student_id="s", target_id="T", score=2, observed_at=t, source_id="quiz-b")
        >>> b = Evidence(student_id="s", target_id="T", score=3, observed_at=t, source_id="quiz-a")
        >>> [e.source_id for e in sort_chronologically([a, b])]
        ['quiz-a', 'quiz-b']
    """
    return (
        evidence.observed_at,
        evidence.attempt is not None,
        evidence.attempt or 0,
        evidence.source_id is not None,
        evidence.source_id or "",
        evidence.kind is EvidenceKind.SUMMATIVE,
        evidence.score,
        evidence.weight,
        evidence.context is not None,
        evidence.context or "",
        evidence.independent,
        evidence.student_id,
        evidence.target_id,
        evidence.observed_at.utcoffset(),
        repr(evidence.observed_at.tzinfo),
    )


def sort_chronologically(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Return the evidence oldest first, ties broken by :func:`chronological_key`.

    >>> sort_chronologically([])
    ()
    """
    return tuple(sorted(evidence, key=chronological_key))
