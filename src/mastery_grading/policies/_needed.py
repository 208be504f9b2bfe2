"""What a student needs next: the smallest next score that brings a target to a level.

:func:`needed` answers "what do I need on my next assessment?" for one student on one target,
under any policy, with the policy itself: it adds a next score to the student's evidence and
evaluates, so the answer is exact with the library's arithmetic (the level is the one the
policy's own result would show). The rules:

- **The next assessment** is summative, of weight 1, independent, in the context of the latest
  evidence, and observed one day after the latest evidence (or at ``when``).
- **The scores it can give** are the scale's grid: ``min + k * step`` up to ``max``, or
  hundredths of the width when the scale has no ``step``.
- **The goal** is the target's mastery threshold, a named level's minimum, or a value. A next
  score *reaches* it when the policy's result, with that score added, is at least the goal.
- **One score.** ``Needed.score`` is the smallest grid score that reaches the goal. For a
  policy that claims ``monotone`` (raising any one score never lowers the result) the scores
  that reach it are all those from some point up, so a bisection finds it in a few
  evaluations and any higher score reaches it too. For any other policy every step is tried,
  lowest first: the answer is still the smallest that reaches it, but a higher score may not.
- **Several scores.** When no single score reaches the goal, ``Needed.count`` is the
  smallest number of scores at the top of the scale, one day apart, that reach it, up to
  :data:`~mastery_grading.policies._goal.MAX_COUNT` (100). For a policy that keeps
  ``no_retake_penalty`` and ``bounded`` (a new top score never lowers the result), the counts
  are searched by doubling then bisection; otherwise each count is tried in turn. Beyond that,
  or under a policy that ignores new evidence (a cut-off date before it, a cap), ``score``
  and ``count`` are both ``None`` and the reason says how far the search went.
- **Already there.** When the result reaches the goal already, the answer is the same
  question: the smallest next score that keeps it there (the scale's minimum when any score
  does), with ``Needed.reached`` true.
- **No evidence.** A target without evidence has no answer: ``score`` and ``count`` are
  ``None`` and the reason says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from mastery_grading import _validators as v
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies._base import prepare
from mastery_grading.policies._goal import (
    MAX_COUNT,
    NO_EVIDENCE_REASON,
    count_reason,
    goal_of,
    grid_points,
    out_of_reach_reason,
    promises_higher,
    score_reason,
)
from mastery_grading.policies.combine import inner_claims
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["NEXT_GAP", "Needed", "needed", "next_evidence"]

#: How long after the latest evidence the next assessment is observed, by default.
NEXT_GAP = timedelta(days=1)


def _check_count(instance: Needed, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        v.int_in_range(1)(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Needed:
    """What one student needs next on one target to reach a level (see :func:`needed`).

    Args:
        target_id: The target.
        student_id: The student, ``None`` when there is no evidence to name one.
        level: The name of the level aimed at (the level of ``goal``).
        goal: The value to reach: the mastery threshold, a level's minimum, or a value.
        value: The result now, ``None`` when the policy has none yet.
        reached: Whether the result reaches ``goal`` now.
        score: The smallest next score (on the scale's grid) that reaches ``goal``; ``None``
            when one score cannot, or when there is no evidence.
        count: How many new scores are needed: 1 with a ``score``; with ``score=None``, the
            smallest number of scores at the top of the scale that reach ``goal`` (at least
            2), or ``None`` when no number up to 100 does, or there is no evidence.
        reason: The answer in words, and why.

    Raises:
        InvalidValueError: If ``count`` is not 1 beside a ``score``, or is below 1.
        InvalidTypeError: If a field has the wrong type.

    Example:
        >>> answer = Needed(target_id="T", student_id="ana", level="meets", goal=3.0,
        ...                 value=2.5, reached=False, score=3.5, count=1,
        ...                 reason="a 3.5 or more on the next assessment brings it to meets (3.0)")
        >>> answer.score, answer.count
        (3.5, 1)
        >>> attrs.evolve(answer, count=2)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: count=2 must be 1 when score=3.5 is given: one next score
    """  # noqa: E501

    target_id: str = attrs.field(validator=v.non_empty_str)
    student_id: str | None = attrs.field(validator=v.optional_non_empty_str)
    level: str = attrs.field(validator=v.non_empty_str)
    goal: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    value: float | None = attrs.field(converter=v.to_float, validator=v.optional_finite_number)
    reached: bool = attrs.field(validator=v.instance_of(bool, "a bool"))
    score: float | None = attrs.field(converter=v.to_float, validator=v.optional_finite_number)
    count: int | None = attrs.field(validator=_check_count)
    reason: str = attrs.field(validator=v.non_empty_str)

    def __attrs_post_init__(self) -> None:
        if self.score is not None and self.count != 1:
            msg = (
                f"count={self.count!r} must be 1 when score={self.score!r} is given: one next score"
            )
            raise InvalidValueError(msg)


def _moment(history: Sequence[Evidence], when: datetime | None) -> datetime:
    if when is None:
        return history[-1].observed_at + NEXT_GAP
    if not isinstance(when, datetime):
        msg = f"when={when!r} must be a datetime, not {type(when).__name__}"
        raise InvalidTypeError(msg)
    if when.tzinfo is None or when.utcoffset() is None:
        msg = f"when={when.isoformat()!r} is a naive datetime; expected a timezone-aware one"
        raise InvalidValueError(msg)
    return when


def next_evidence(
    history: Sequence[Evidence], target: LearningTarget, scores: Sequence[float], moment: datetime
) -> list[Evidence]:
    """New evidence with ``scores``, one day apart from ``moment``: what :func:`needed` adds.

    Summative, of weight 1, independent, of the latest evidence's student and context.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> history = scores_to_history([2.0])
        >>> moment = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> [(e.score, e.observed_at.day) for e in next_evidence(
        ...     history, LearningTarget(id="T", title="T"), [4.0, 4.0], moment)]
        [(4.0, 1), (4.0, 2)]
    """
    latest = history[-1]
    return [
        Evidence(
            student_id=latest.student_id,
            target_id=target.id,
            score=score,
            observed_at=moment + i * NEXT_GAP,
            context=latest.context,
        )
        for i, score in enumerate(scores)
    ]


def _smallest(count: int, reaches: Callable[[int], bool], *, bisect: bool) -> int | None:
    """The smallest ``i`` in ``range(count)`` with ``reaches(i)`` (``None`` if none).

    With ``bisect`` the answers are assumed to go from false to true once.
    """
    if not bisect:
        return next((i for i in range(count) if reaches(i)), None)
    if not count or not reaches(count - 1):
        return None
    low, high = -1, count - 1  # reaches(high); not reaches(low) or low == -1
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def _smallest_count(reaches: Callable[[int], bool], *, grows: bool) -> int | None:
    """The smallest count of top scores from 2 up to ``MAX_COUNT`` that reaches the goal."""
    if not grows:
        return next((k for k in range(2, MAX_COUNT + 1) if reaches(k)), None)
    low, count = 1, 2  # one score does not reach the goal
    while not reaches(count):
        if count >= MAX_COUNT:
            return None
        low, count = count, min(2 * count, MAX_COUNT)
    while count - low > 1:  # reaches(count), not reaches(low)
        middle = (low + count) // 2
        if reaches(middle):
            count = middle
        else:
            low = middle
    return count


def needed(
    evidence: Iterable[Evidence],
    target: LearningTarget,
    policy: Policy,
    *,
    level: str | float | None = None,
    when: datetime | None = None,
) -> Needed:
    """Return the smallest next score that brings one student's result on ``target`` to a level.

    The next assessment is summative, of weight 1, observed one day after the latest evidence
    (or at ``when``); its score is on the target's scale, a multiple of its ``step`` (of a
    hundredth of its width when it has none). The answer is the smallest such score whose
    result, with ``policy``, reaches the level; when one score cannot, the smallest number of
    scores at the top of the scale that do (up to 100). The result is computed by the policy
    itself, so the answer is exact: see :mod:`mastery_grading.policies._needed` for the rules,
    and for which policies a higher score is promised to reach the level too (those that
    claim ``monotone``).

    Args:
        evidence: The student's evidence on ``target`` (one student), in any order.
        target: The target.
        policy: Any policy.
        level: The goal: ``None`` for the target's mastery threshold, a level's name
            (``"meets"``), or a value on the scale.
        when: When the next assessment is observed (timezone-aware); one day after the
            latest evidence by default.

    Returns:
        A :class:`Needed`. A target without evidence has no answer (``score`` and ``count``
        are ``None``) and the reason says why.

    Raises:
        InvalidValueError: If ``level`` names no level of the scale or lies outside it, the
            evidence is of several students, or ``when`` is naive.
        InvalidTypeError: If ``policy`` is not a policy, or an argument has the wrong type.
        TargetMismatchError: If a piece of evidence is for another target.
        ScoreOutOfScaleError: If a score lies outside the target's scale.

    Example:
        >>> from mastery_grading import LearningTarget, needed, policies
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> slope = LearningTarget(id="S", title="Slope")  # Marzano's 0-4, mastery at 3
        >>> history = scores_to_history([2.5, 3.0], target_id="S")
        >>> answer = needed(history, slope, policies.Mean())  # (2.5 + 3 + x) / 3 >= 3
        >>> answer.score, answer.reason
        (3.5, 'a 3.5 or more on the next assessment brings it to meets (3.0)')
        >>> needed(history, slope, policies.MostRecent(), level="approaching").score
        2.0
        >>> answer = needed(scores_to_history([1.0, 1.0, 1.0], target_id="S"), slope,
        ...                 policies.Mean())
        >>> answer.score, answer.count  # (1 + 1 + 1 + 4k) / (3 + k) >= 3
        (None, 6)
        >>> needed([], slope, policies.Mean()).reason
        'no evidence yet, so there is no result to build on: the first assessment sets it'
    """
    history = prepare(evidence, target)
    if not isinstance(policy, Policy):
        msg = f"policy={policy!r} must be a Policy (with an evaluate method)"
        raise InvalidTypeError(msg)
    scale = target.scale
    goal, level_name = goal_of(scale, level)
    students = sorted({e.student_id for e in history})
    if len(students) > 1:
        msg = (
            f"evidence of students {students[:3]!r} must be of one student; give one "
            "student's evidence at a time"
        )
        raise InvalidValueError(msg)
    fields: dict[str, Any] = {"target_id": target.id, "level": level_name, "goal": goal}
    if not history:
        return Needed(
            **fields,
            student_id=None,
            value=None,
            reached=False,
            score=None,
            count=None,
            reason=NO_EVIDENCE_REASON,
        )
    moment = _moment(history, when)
    now = policy.evaluate(history, target)
    fields |= {
        "student_id": students[0],
        "value": now.value,
        "reached": now.value is not None and now.value >= goal,
    }

    def result_with(scores: Sequence[float]) -> TargetResult:
        added = next_evidence(history, target, scores, moment)
        return policy.evaluate([*history, *added], target)

    def reaches(scores: Sequence[float]) -> bool:
        value = result_with(scores).value
        return value is not None and value >= goal

    points = grid_points(scale)
    promised = promises_higher(policy)
    found = _smallest(len(points), lambda k: reaches([points[k]]), bisect=promised)
    if found is not None:
        score = points[found]
        reason = score_reason(scale, goal, score, reached=fields["reached"], promised=promised)
        return Needed(**fields, score=score, count=1, reason=reason)
    top = result_with([scale.max])
    why = top.reason if top.value is None else None
    grows = {"no_retake_penalty", "bounded"} <= inner_claims(policy)
    count = _smallest_count(lambda k: reaches([scale.max] * k), grows=grows)
    if count is None:
        reason = out_of_reach_reason(scale, goal, reason=why)
    else:
        reason = count_reason(scale, goal, count, reason=why)
    return Needed(**fields, score=None, count=count, reason=reason)
