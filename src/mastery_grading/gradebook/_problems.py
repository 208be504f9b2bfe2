"""How the gradebook words a bad row: one :class:`~mastery_grading.Problem` per problem.

Every path into a gradebook (evidence objects, dicts, frames by Arrow or row by row) words its
problems here, so that the same bad value gives the same message however it arrived.

Example:
    >>> from mastery_grading import LearningTarget
    >>> print(unknown_target("X", ["T"], row=3))
    row 3: target_id='X' is not a target of this gradebook; expected one of ['T']
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from mastery_grading.exceptions import Problem
from mastery_grading.targets import LearningTarget

__all__ = ["field_problem", "out_of_scale", "unknown_target"]

# "field=value must be ..." / "field=value is ..." / "field=value lies ...", as the value
# types' validators word their errors.
_FIELD_MESSAGE = re.compile(
    r"^(?P<field>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*?) "
    r"(?P<verb>must be|is not|is a|is|lies|has) (?P<rest>.*)$",
    flags=re.DOTALL,
)


def field_problem(message: str, *, row: Hashable) -> Problem:
    """A problem from a validator's message, with its field, value and expectation picked out.

    Example:
        >>> problem = field_problem("observed_at='2026-10-01' must be a datetime, not str", row=0)
        >>> problem.field, problem.value, problem.expected
        ('observed_at', "'2026-10-01'", 'a datetime, not str')
    """
    match = _FIELD_MESSAGE.match(message)
    if match is None:
        return Problem(message=message, row=row)
    verb, rest = match.group("verb"), match.group("rest")
    expected = rest if verb == "must be" else f"not: {verb} {rest}"
    return Problem(
        message=message,
        row=row,
        field=match.group("field"),
        value=match.group("value"),
        expected=expected,
    )


def unknown_target(target_id: object, known: Sequence[str], *, row: Hashable) -> Problem:
    """The problem of evidence naming a target the gradebook does not have.

    Example:
        >>> unknown_target("X", ["A", "B"], row="r1").expected
        "one of ['A', 'B']"
    """
    shown = list(known[:5])
    expected = f"one of {shown!r}" + ("" if len(known) <= 5 else f" (and {len(known) - 5} more)")
    return Problem(
        message=f"target_id={target_id!r} is not a target of this gradebook; expected {expected}",
        row=row,
        field="target_id",
        value=repr(target_id),
        expected=expected,
    )


def out_of_scale(
    score: float, student_id: object, target: LearningTarget, *, row: Hashable
) -> Problem:
    """The problem of a score outside its target's scale.

    Example:
        >>> print(out_of_scale(5.0, "ben", LearningTarget(id="T", title="T"), row=6))
        row 6: score=5.0 for student 'ben' on target 'T' lies outside the scale [0.0, 4.0]
    """
    scale = target.scale
    return Problem(
        message=(
            f"score={score!r} for student {student_id!r} on target {target.id!r} lies outside "
            f"the scale [{scale.min}, {scale.max}]"
        ),
        row=row,
        field="score",
        value=repr(score),
        expected=f"a score in [{scale.min}, {scale.max}]",
    )
