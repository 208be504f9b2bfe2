"""The one path from a student's target results to a grade report, shared by every converter.

:func:`convert_with` is the body of every built-in ``convert``: it checks the input (and that
the converter can grade each target's scale), counts the results under the converter's
``missing`` choice and the student's exemptions (:mod:`~mastery_grading.grades.missing`), asks
the converter to decide, and builds the :class:`~mastery_grading.grades.GradeReport`; a profile
in a gap of a rule set gets no letter there when ``on_gap`` says so. :func:`grade` is the
public entry point for any converter.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable
from typing import Protocol, overload

from mastery_grading.exceptions import GapError, InvalidTypeError, InvalidValueError, OverlapError
from mastery_grading.grades._decider import (
    INCOMPLETE,
    NO_LETTER,
    Decider,
    GradeGapWarning,
    OnGap,
    check_on_gap,
)
from mastery_grading.grades.missing import count_results
from mastery_grading.grades.report import GradeReport
from mastery_grading.protocols import GradeConverter, GradeReportLike
from mastery_grading.results import TargetResult

__all__ = ["ReportingConverter", "convert_with", "exempt_ids", "grade", "warn_no_letter"]


class ReportingConverter(GradeConverter, Protocol):
    """A converter whose reports are full :class:`GradeReport` s, as every built-in's are."""

    def convert(self, results: Iterable[TargetResult]) -> GradeReport:
        """Return the grade report of one student's results."""
        ...


@overload
def grade(
    results: Iterable[TargetResult],
    converter: ReportingConverter,
    *,
    exempt: Collection[str] = ...,
    on_gap: OnGap = ...,
) -> GradeReport: ...


@overload
def grade(
    results: Iterable[TargetResult],
    converter: GradeConverter,
    *,
    exempt: Collection[str] = ...,
    on_gap: OnGap = ...,
) -> GradeReportLike: ...


def grade(
    results: Iterable[TargetResult],
    converter: GradeConverter,
    *,
    exempt: Collection[str] = frozenset(),
    on_gap: OnGap = "raise",
) -> GradeReportLike:
    """Return the grade report of one student's ``results`` under ``converter``.

    Only the targets present in ``results`` are graded: the converter does not know the
    course's other targets, so a target left out of ``results`` is not counted at all (not even
    as missing). Give every target of the course a result, with ``value=None`` where there is no
    evidence yet (a policy evaluated on no evidence returns one); the converter's ``missing``
    choice then applies to it.

    A built-in converter returns a :class:`GradeReport`; a converter of your own returns
    whatever report its ``convert`` makes (see
    :class:`~mastery_grading.protocols.GradeConverter`).

    Args:
        results: One result per target of one student.
        converter: The grade converter.
        exempt: The ids of the targets the student is exempt from. They are left out of the
            grade whatever the converter's ``missing`` choice, even with evidence; the report's
            lines mark them and :attr:`GradeReport.exempt` lists them. A converter of your own
            is simply not given their results.
        on_gap: What a profile that gets no single letter does (a gap of a rule set, or an
            overlap of an unordered one): ``"raise"`` (the default for one student) raises
            :class:`~mastery_grading.exceptions.GapError` (or
            :class:`~mastery_grading.exceptions.OverlapError`); ``"warn"`` and ``"ignore"``
            return a report with the letter ``"No letter"`` and the reason ("no rule covers:
            ..." and the profile), ``"warn"`` also issuing a :class:`GradeGapWarning`. A
            converter of your own raises whatever ``on_gap`` says: there is no report to give.

    Raises:
        GapError: If ``on_gap="raise"`` and no rule covers the results.
        OverlapError: If ``on_gap="raise"`` and two letters' rules of an unordered rule set do.
        InvalidValueError: If an exempt id is not the id of one of ``results``' targets, if
            ``on_gap`` is unknown, or if the converter cannot grade a target's scale (a rule
            set refuses a target on another scale, naming both).

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
        >>> grade(no_evidence, AverageCutoffs.marzano_2010(), exempt={"LE.2"}).letter
        'A'
    """
    check_on_gap(on_gap)
    items = tuple(results)
    wanted = exempt_ids(exempt)
    unknown = sorted(wanted - {item.target.id for item in items if isinstance(item, TargetResult)})
    if unknown:
        msg = f"exempt={sorted(wanted)!r} names {unknown!r}, which are not targets of the results"
        raise InvalidValueError(msg)
    if isinstance(converter, Decider):
        report = convert_with(converter, items, exempt=wanted, on_gap=on_gap)
        if on_gap == "warn" and report.letter == NO_LETTER:
            warn_no_letter(1)
        return report
    kept = [item for item in items if item.target.id not in wanted]
    return converter.convert(kept)


def exempt_ids(exempt: Collection[str]) -> frozenset[str]:
    """Check ``exempt`` (target ids) and return it as a frozenset.

    Example:
        >>> exempt_ids("LE.1")
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidTypeError: exempt='LE.1' must be a collection of target ids, not a str
    """  # noqa: E501
    if isinstance(exempt, str) or not isinstance(exempt, Collection):
        msg = f"exempt={exempt!r} must be a collection of target ids, not a {type(exempt).__name__}"
        raise InvalidTypeError(msg)
    for item in exempt:
        if not isinstance(item, str):
            msg = f"exempt item {item!r} must be a target id (a str), not {type(item).__name__}"
            raise InvalidTypeError(msg)
    return frozenset(exempt)


def warn_no_letter(count: int, *, stacklevel: int = 3) -> None:
    """Issue the one :class:`GradeGapWarning` of a conversion run: ``count`` students got none.

    ``stacklevel`` is that of :func:`warnings.warn`, counted from this function's caller's
    caller (the default points at the code that called :func:`grade`).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_no_letter(3)
        >>> str(caught[0].message)[:33]
        '3 students got no letter: no rule'
    """
    plural = "student" if count == 1 else "students"
    msg = (
        f"{count} {plural} got no letter: no rule of the rule set covers their results "
        "(see each reason; RuleSet.check() lists every gap)"
    )
    warnings.warn(msg, GradeGapWarning, stacklevel=stacklevel)


def convert_with(
    converter: Decider,
    results: Iterable[TargetResult],
    *,
    exempt: Collection[str] = frozenset(),
    on_gap: OnGap = "raise",
) -> GradeReport:
    """The shared body of every built-in ``convert``: check input, apply ``missing``, decide.

    ``exempt`` target ids are left out; with ``on_gap`` other than ``"raise"`` a gap or an
    overlap gives the letter ``"No letter"`` and the converter's description of the profile
    (no warning here: :func:`grade` and the grade tables warn once per run).

    Raises:
        InvalidTypeError: If an item is not a :class:`~mastery_grading.TargetResult`.
        InvalidValueError: If a target appears twice, or the converter cannot grade a
            target's scale (and, with ``on_gap="raise"``, a gap or an overlap of a rule set).

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
    converter._check_targets([item for item in items if item.target.id not in exempt])
    counting = count_results(items, converter.missing, exempt)
    if counting.undecided and converter.missing == "incomplete":
        names = ", ".join(repr(r.target.id) for r in counting.undecided)
        letter, decided_by = INCOMPLETE, f"no result yet on {names} (missing='incomplete')"
    elif not counting.counted:
        letter, decided_by = INCOMPLETE, "no target counts toward the grade yet"
    else:
        try:
            letter, decided_by = converter._decide(counting.counted)
        except GapError:
            if on_gap == "raise":
                raise
            profile = converter._describe_profile(counting.counted)
            letter, decided_by = NO_LETTER, f"no rule covers: {profile}"
        except OverlapError as error:
            if on_gap == "raise":
                raise
            profile = converter._describe_profile(counting.counted)
            both = " and ".join(repr(x) for x in error.letters)
            letter, decided_by = NO_LETTER, f"the rules of {both} all hold for: {profile}"
    return GradeReport(
        letter=letter,
        decided_by=decided_by,
        results=items,
        lines=counting.lines,
        converter=converter,
    )
