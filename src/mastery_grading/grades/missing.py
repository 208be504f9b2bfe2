"""Missing evidence: what a target without a result counts as, chosen explicitly.

A target whose result has ``value=None`` (no evidence, or the policy cannot decide yet) is never
silently 0. Every converter takes ``missing=``, one of:

``"incomplete"`` (the default, the safe choice)
    The whole grade is ``"Incomplete"`` until every target has a result.
``"not_yet"``
    The target counts at the lowest value of its scale (the lowest level, "not yet").
``"exclude"``
    The target is left out, as if it were not part of the course.

An *exempt* target is another thing: the teacher has decided that this student is not graded on
it (``exempt=`` of :func:`~mastery_grading.grades.grade` and of the gradebook's ``grades``). It
is left out of that student's grade whatever ``missing`` says, with or without evidence, and its
line says so. So one conversion can leave one student's exempt target out while another
student's target without evidence yet still makes the grade ``"Incomplete"``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs

from mastery_grading._numbers import read_value
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.grades._decider import MISSING_CHOICES, Counted, MissingChoice
from mastery_grading.grades.report import TargetLine
from mastery_grading.results import TargetResult

__all__ = ["Counting", "count_results"]


@attrs.frozen(kw_only=True)
class Counting:
    """How a converter counts a student's results under a ``missing`` choice.

    Attributes:
        lines: One line per result, in input order.
        counted: The results that count toward the grade, with their exact values.
        undecided: The results with ``value=None`` that are not exempt.
    """

    lines: tuple[TargetLine, ...]
    counted: tuple[Counted, ...]
    undecided: tuple[TargetResult, ...]


def count_results(
    results: Sequence[TargetResult],
    missing: MissingChoice,
    exempt: Collection[str] = frozenset(),
) -> Counting:
    """Apply the ``missing`` choice to ``results``, leaving the ``exempt`` targets out.

    Args:
        results: One result per target.
        missing: ``"incomplete"``, ``"not_yet"`` or ``"exclude"``.
        exempt: The ids of the targets this student is exempt from: never counted, never
            missing, whatever ``missing`` says.

    Returns:
        The lines, the counted values and the undecided results.

    Raises:
        InvalidValueError: If ``missing`` is not one of the three choices.

    Example:
        >>> from mastery_grading.grades import results_from_scores
        >>> from mastery_grading.grades.missing import count_results
        >>> results = results_from_scores({"A": 3.0, "B": None})
        >>> [item.value for item in count_results(results, "not_yet").counted]
        [Fraction(3, 1), Fraction(0, 1)]
        >>> [item.value for item in count_results(results, "exclude").counted]
        [Fraction(3, 1)]
        >>> [line.note for line in count_results(results, "not_yet").lines]
        [None, 'no result yet (no evidence); counted as not yet (0.0)']
        >>> [line.note for line in count_results(results, "incomplete", exempt={"B"}).lines]
        [None, 'exempt; left out']
    """
    if missing not in MISSING_CHOICES:
        msg = f"missing={missing!r} must be one of {list(MISSING_CHOICES)}"
        raise InvalidValueError(msg)
    lines = []
    counted = []
    undecided = []
    for position, result in enumerate(results):
        if result.target.id in exempt:
            lines.append(
                TargetLine(result=result, counted_as=None, note="exempt; left out", exempt=True)
            )
            continue
        if result.value is not None:
            value = read_value(result.value)
            counted.append(Counted(position=position, result=result, value=value))
            lines.append(TargetLine(result=result, counted_as=result.value))
            continue
        undecided.append(result)
        why = f"no result yet ({result.reason})"
        if missing == "not_yet":
            low = result.target.scale.min
            counted.append(Counted(position=position, result=result, value=read_value(low)))
            lines.append(
                TargetLine(
                    result=result, counted_as=low, note=f"{why}; counted as not yet ({low!r})"
                )
            )
        elif missing == "exclude":
            lines.append(TargetLine(result=result, counted_as=None, note=f"{why}; left out"))
        else:
            lines.append(TargetLine(result=result, counted_as=None, note=why))
    return Counting(lines=tuple(lines), counted=tuple(counted), undecided=tuple(undecided))
