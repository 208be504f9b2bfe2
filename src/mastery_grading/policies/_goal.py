"""What a next score aims at, which scores it may take, and how the answer reads.

:func:`~mastery_grading.needed` and the gradebook's table of it share these rules: the goal
(the target's mastery threshold, a named level's minimum, or a value), the grid of scores a
next assessment can give (the scale's ``step``, or a hundredth of its width), whether a policy
promises that a higher score also reaches the goal (it claims ``monotone``), and the sentences
of :attr:`Needed.reason <mastery_grading.Needed.reason>`.

Example:
    >>> from mastery_grading import Scale
    >>> goal_of(Scale.marzano(), "approaching"), grid_points(Scale.marzano())[:3]
    ((2.0, 'approaching'), (0.0, 0.5, 1.0))
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from mastery_grading._numbers import fmt, read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies.combine import inner_claims
from mastery_grading.scales import Scale

__all__ = [
    "MAX_COUNT",
    "NO_EVIDENCE_REASON",
    "NOT_PROMISED",
    "count_reason",
    "goal_of",
    "goal_text",
    "grid_points",
    "grid_step",
    "out_of_reach_reason",
    "promises_higher",
    "score_reason",
]

#: The most new scores at the top of the scale the search tries when one score is not enough.
MAX_COUNT = 100

#: The reason of a target with no evidence: there is nothing to add a next score to.
NO_EVIDENCE_REASON = (
    "no evidence yet, so there is no result to build on: the first assessment sets it"
)

#: Added to a reason when the policy does not claim ``monotone``.
NOT_PROMISED = "; this policy does not promise that a higher score does too"


def goal_of(scale: Scale, level: str | float | None) -> tuple[float, str]:
    """Return the value to reach and the name of its level.

    ``None`` is the scale's mastery threshold; a string names a level of the scale (its
    minimum); a number is a value on the scale.

    Raises:
        InvalidValueError: If no level has that name, or the number lies outside the scale.
        InvalidTypeError: If ``level`` is neither a string, a number nor ``None``.

    Example:
        >>> goal_of(Scale.marzano(), None), goal_of(Scale.marzano(), 2.5)
        ((3.0, 'meets'), (2.5, 'approaching'))
        >>> goal_of(Scale.marzano(), "mastered")
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: level='mastered' is not a level of the scale; expected one of 'not yet', 'approaching', 'meets', 'exceeds'
    """  # noqa: E501
    if level is None:
        return scale.mastery, scale.level_of(scale.mastery).name
    if isinstance(level, str):
        for item in scale.levels:
            if item.name == level:
                return item.minimum, item.name
        names = ", ".join(repr(item.name) for item in scale.levels)
        msg = f"level={level!r} is not a level of the scale; expected one of {names}"
        raise InvalidValueError(msg)
    if isinstance(level, bool) or not isinstance(level, int | float):
        msg = (
            f"level={level!r} must be a level's name, a value on the scale or None, "
            f"not {type(level).__name__}"
        )
        raise InvalidTypeError(msg)
    value = float(level)
    if not math.isfinite(value):
        msg = f"level={value!r} is not a finite number"
        raise InvalidValueError(msg)
    scale.check_score(value, field="level")
    return value, scale.level_of(value).name


def grid_step(scale: Scale) -> Fraction:
    """The step between two scores a next assessment can give: ``step``, or 1/100 of the width.

    A scale without a step is searched in hundredths of its width (a point on 0-100), as the
    next steps of an average search it.

    Example:
        >>> grid_step(Scale.marzano()), grid_step(Scale.percent())
        (Fraction(1, 2), Fraction(1, 1))
    """
    if scale.step is not None:
        return read_value(scale.step)
    return (read_value(scale.max) - read_value(scale.min)) / 100


def grid_points(scale: Scale) -> tuple[float, ...]:
    """Every score a next assessment can give, lowest first: ``min + k * step`` up to ``max``.

    Each point is computed exactly and rounded once, so ``0.1 * 3`` is ``0.3``.

    Example:
        >>> grid_points(Scale(min=0, max=1, mastery=1, step=0.25))
        (0.0, 0.25, 0.5, 0.75, 1.0)
    """
    low, step = read_value(scale.min), grid_step(scale)
    count = int((read_value(scale.max) - low) / step)
    return tuple(float(low + k * step) for k in range(count + 1))


def promises_higher(policy: Any) -> bool:
    """Whether a higher next score never gives less than a lower one: the policy claims ``monotone``.

    Then the smallest score that reaches a goal is found by bisection, and any higher score
    reaches it too; otherwise every step is tried, lowest first.

    Example:
        >>> from mastery_grading.policies import Mean, Mode
        >>> promises_higher(Mean()), promises_higher(Mode())
        (True, False)
    """  # noqa: E501
    return "monotone" in inner_claims(policy)


def goal_text(scale: Scale, goal: float) -> str:
    """The goal in words: ``"meets (3.0)"``, or ``"2.75 (approaching)"`` inside a level.

    Example:
        >>> goal_text(Scale.marzano(), 3.0), goal_text(Scale.marzano(), 2.75)
        ('meets (3.0)', '2.75 (approaching)')
    """
    level = scale.level_of(goal)
    if level.minimum == goal:
        return f"{level.name} ({fmt(goal)})"
    return f"{fmt(goal)} ({level.name})"


def score_reason(scale: Scale, goal: float, score: float, *, reached: bool, promised: bool) -> str:
    """Why one next score of ``score`` is the answer, in words.

    Example:
        >>> marzano = Scale.marzano()
        >>> score_reason(marzano, 3.0, 3.5, reached=False, promised=True)
        'a 3.5 or more on the next assessment brings it to meets (3.0)'
        >>> score_reason(marzano, 3.0, 0.0, reached=True, promised=True)
        'already at meets (3.0) or above, and any next score keeps it there'
        >>> print(score_reason(marzano, 3.0, 2.0, reached=True, promised=False))
        already at meets (3.0) or above; a 2.0 on the next assessment keeps it there; this policy does not promise that a higher score does too
    """  # noqa: E501
    goal_words = goal_text(scale, goal)
    more = " or more" if promised else ""
    caveat = "" if promised else NOT_PROMISED
    if reached:
        if promised and score == scale.min:
            return f"already at {goal_words} or above, and any next score keeps it there"
        return (
            f"already at {goal_words} or above; a {fmt(score)}{more} on the next assessment "
            f"keeps it there{caveat}"
        )
    return f"a {fmt(score)}{more} on the next assessment brings it to {goal_words}{caveat}"


def _one_is_not_enough(scale: Scale, goal: float, reason: str | None) -> str:
    """``reason``: why one top score gives no result, or ``None`` when it gives a value."""
    top, goal_words = fmt(scale.max), goal_text(scale, goal)
    if reason is None:
        return f"one score cannot bring it to {goal_words}, not even a {top}"
    return f"one score cannot bring it to {goal_words}: a {top} gives no result yet ({reason})"


def count_reason(scale: Scale, goal: float, count: int, *, reason: str | None = None) -> str:
    """Why ``count`` scores at the top of the scale are needed.

    ``reason`` is why one score at the top gives no result, when it gives none (the value it
    gives is left out, so that the words are the same from any arithmetic that decides alike).

    Example:
        >>> count_reason(Scale.marzano(), 3.0, 3)
        'one score cannot bring it to meets (3.0), not even a 4.0; 3 scores of 4.0 in a row do'
    """
    return (
        f"{_one_is_not_enough(scale, goal, reason)}; {count} scores of {fmt(scale.max)} in a row do"
    )


def out_of_reach_reason(
    scale: Scale, goal: float, *, reason: str | None = None, most: int = MAX_COUNT
) -> str:
    """Why no score, nor up to ``most`` scores in a row at the top, reaches the goal.

    ``reason`` is as for :func:`count_reason`.

    Example:
        >>> out_of_reach_reason(Scale.marzano(), 4.0)
        'one score cannot bring it to exceeds (4.0), not even a 4.0; nor can up to 100 scores of 4.0 in a row under this policy'
    """  # noqa: E501
    return (
        f"{_one_is_not_enough(scale, goal, reason)}; nor can up to {most} scores of "
        f"{fmt(scale.max)} in a row under this policy"
    )
