"""The one path from a student's target results to a grade report, shared by every converter.

:func:`convert_with` is the body of every built-in ``convert``: it checks the input, counts the
results under the converter's ``missing`` choice (:mod:`~mastery_grading.grades.missing`), asks
the converter to decide, and builds the :class:`~mastery_grading.grades.GradeReport`.
:func:`grade` is the public entry point for any converter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, overload

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.grades._decider import INCOMPLETE, Decider
from mastery_grading.grades.missing import count_results
from mastery_grading.grades.report import GradeReport
from mastery_grading.protocols import GradeConverter, GradeReportLike
from mastery_grading.results import TargetResult

__all__ = ["ReportingConverter", "convert_with", "grade"]


class ReportingConverter(GradeConverter, Protocol):
    """A converter whose reports are full :class:`GradeReport` s, as every built-in's are."""

    def convert(self, results: Iterable[TargetResult]) -> GradeReport:
        """Return the grade report of one student's results."""
        ...


@overload
def grade(results: Iterable[TargetResult], converter: ReportingConverter) -> GradeReport: ...


@overload
def grade(results: Iterable[TargetResult], converter: GradeConverter) -> GradeReportLike: ...


def grade(results: Iterable[TargetResult], converter: GradeConverter) -> GradeReportLike:
    """Return the grade report of one student's ``results`` under ``converter``.

    This is ``converter.convert(results)``. Only the targets present in ``results`` are
    graded: the converter does not know the course's other targets, so a target left out of
    ``results`` is not counted at all (not even as missing). Give every target of the course a
    result, with ``value=None`` where there is no evidence yet (a policy evaluated on no
    evidence returns one); the converter's ``missing`` choice then applies to it.

    A built-in converter returns a :class:`GradeReport`; a converter of your own returns
    whatever report its ``convert`` makes (see
    :class:`~mastery_grading.protocols.GradeConverter`).

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
        >>> results = results_from_scores({"LE.1": 3.0, "LE.2": 2.5, "LE.3": 3.5})
        >>> grade(results, AverageCutoffs.marzano_2010()).letter
        'A'
        >>> grade(results[:1], AverageCutoffs.marzano_2010()).letter  # LE.2, LE.3 left out
        'A'
        >>> no_evidence = results_from_scores({"LE.1": 3.0, "LE.2": None})
        >>> grade(no_evidence, AverageCutoffs.marzano_2010()).letter
        'Incomplete'
    """
    return converter.convert(results)


def convert_with(converter: Decider, results: Iterable[TargetResult]) -> GradeReport:
    """The shared body of every built-in ``convert``: check input, apply ``missing``, decide.

    Raises:
        InvalidTypeError: If an item is not a :class:`~mastery_grading.TargetResult`.
        InvalidValueError: If a target appears twice (and whatever the converter's decision
            raises: a gap or an overlap of a rule set).

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, results_from_scores
        >>> results = results_from_scores({"LE.1": 3.0, "LE.2": None})
        >>> convert_with(AverageCutoffs.marzano_2010(missing="exclude"), results).letter
        'A'
    """
    items = tuple(results)
    for item in items:
        if not isinstance(item, TargetResult):
            msg = f"results item {item!r} must be a TargetResult, not {type(item).__name__}"
            raise InvalidTypeError(msg)
    ids = [item.target.id for item in items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        msg = f"results hold target {duplicated[0]!r} more than once; give one result per target"
        raise InvalidValueError(msg)
    counting = count_results(items, converter.missing)
    if counting.undecided and converter.missing == "incomplete":
        names = ", ".join(repr(r.target.id) for r in counting.undecided)
        letter, decided_by = INCOMPLETE, f"no result yet on {names} (missing='incomplete')"
    elif not counting.counted:
        letter, decided_by = INCOMPLETE, "no target counts toward the grade yet"
    else:
        letter, decided_by = converter._decide(counting.counted)
    return GradeReport(
        letter=letter,
        decided_by=decided_by,
        results=items,
        lines=counting.lines,
        converter=converter,
    )
