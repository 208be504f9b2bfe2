"""Grade tables: every student's letter, computed from a result table's columns.

A converter's letter for a student depends only on that student's results, one per target.
So the table converts each *distinct* profile of results once (the exact per-target values,
and the reason of each missing one) with the public :func:`~mastery_grading.grades.grade`, and
broadcasts the letter and the reason to every student with that profile: correct for any
converter, and fast when students share profiles. For a
:class:`~mastery_grading.grades.RuleSet` the profile is coarser: the band of each value
between the thresholds of the rule set's conditions (its levels), so a class needs only as many
conversions as it has distinct level profiles.

For :class:`~mastery_grading.grades.AverageCutoffs` the letters are vectorized: one numpy
average per student, compared with the cutoffs; an average that lies
:func:`~mastery_grading._numbers.near_threshold` of a cutoff is recomputed exactly
(:func:`~mastery_grading._numbers.exact_mean`, the converter's own reading of numbers). The
reasons are converted once per distinct exact average (integer numerators over one common
denominator, when they fit in 63 bits; else once per distinct profile), on their first read (a
record, a frame): letters alone cost the numpy averages, and one conversion that checks the
converter takes the targets.

A student's full :class:`~mastery_grading.grades.GradeReport` is built on demand.

Gaps never stop the class: a student whose profile no rule of a rule set covers gets no letter
(``None``) and the reason ("no rule covers: ..." and the profile), and the table warns once with
the count (:class:`~mastery_grading.grades.GradeGapWarning`); ``on_gap="raise"`` raises the
first student's :class:`~mastery_grading.exceptions.GapError` instead. Exemptions (``exempt=``,
(student, target) pairs) are part of each student's profile: an exempt cell is left out of that
student's grade, on the vectorized paths too.

Without numpy the same dedupe runs in pure Python.

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> from mastery_grading.grades import AverageCutoffs
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> table = book.grades(AverageCutoffs.marzano_2010(), policy=policies.Mean())
    >>> table.letters()["devon"], table.report("devon").letter
    ('C', 'C')
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from mastery_grading._extras import require
from mastery_grading.exceptions import GapError, InvalidTypeError, InvalidValueError, OverlapError
from mastery_grading.gradebook._grade_columns import (
    average_table,
    band_keys,
    exact_average,
    one_range,
    profile_keys,
)
from mastery_grading.grades import (
    INCOMPLETE,
    NO_LETTER,
    ON_GAP_CHOICES,
    AverageCutoffs,
    GradeGapWarning,
    GradeReport,
    OnGap,
    RuleSet,
    grade,
)
from mastery_grading.protocols import GradeConverter, GradeReportLike
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

#: The report type of a table: :class:`~mastery_grading.grades.GradeReport` for the built-in
#: converters, whatever a converter of your own returns otherwise.
R = TypeVar("R", bound=GradeReportLike, covariant=True)

__all__ = ["GRADE_COLUMNS", "Exemptions", "GradeTable", "exempt_by_student", "grade_table"]

#: Exemptions as given to ``grades(exempt=...)``: (student id, target id) pairs, or a mapping of
#: student id to the target ids that student is exempt from.
Exemptions = Iterable[tuple[str, str]] | Mapping[str, Collection[str]]

#: The columns of :meth:`GradeTable.records` and :meth:`GradeTable.to_pandas`; ``average``
#: only when the converter averages (:class:`~mastery_grading.grades.AverageCutoffs`).
GRADE_COLUMNS = ("student_id", "letter", "reason", "average")


class GradeTable(Mapping[str, R], Generic[R]):
    """Every student's grade under one converter: one row per student.

    Build it with :meth:`Gradebook.grades <mastery_grading.Gradebook.grades>` or
    :meth:`ResultTable.grades <mastery_grading.ResultTable.grades>`. ``len()`` is the number of
    students; rows follow the result table's student order (sorted ids).

    The table is also a read-only mapping of student id to
    :class:`~mastery_grading.grades.GradeReport`: ``table[student_id]`` (the same as
    :meth:`report`) builds that student's full report on demand, with the lines per target
    and :meth:`~mastery_grading.grades.GradeReport.next_steps`.

    The letters equal :func:`mastery_grading.grades.grade` of each student's results (with
    that student's exemptions); a letter not given yet (``"Incomplete"``), or not given at all
    because no rule covers the student's results (``"No letter"``, a gap), is ``None`` in
    :meth:`letters`, :meth:`records` and :meth:`to_pandas`, and the reason says why.
    :attr:`no_letter` lists the students in a gap.

    Example:
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import AverageCutoffs
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> table = book.grades(AverageCutoffs.marzano_2010(), policy=policies.Mean())
        >>> table
        GradeTable(converter=AverageCutoffs, students=8, letters={'A': 2, 'B': 2, 'C': 3, 'D': 1})
        >>> len(table), table.student_ids[:2]
        (8, ('ana', 'ben'))
        >>> table.records()[3]  # doctest: +NORMALIZE_WHITESPACE
        {'student_id': 'devon', 'letter': 'C', 'reason': 'average 2.47 lies in [2.0, 2.5): C',
         'average': 2.47}
        >>> table["devon"].next_steps().goal
        'B'
    """

    def __init__(
        self,
        *,
        converter: GradeConverter,
        students: Sequence[str],
        letters: Sequence[str],
        reasons: Sequence[str],
        averages: Sequence[float | None] | None,
        student_results: Callable[[int], list[TargetResult]],
        exempt: Mapping[int, frozenset[str]] | None = None,
        on_gap: OnGap = "warn",
    ) -> None:
        self.converter = converter
        self.on_gap: OnGap = on_gap
        self._exempt: dict[int, frozenset[str]] = dict(exempt or {})
        self._students: tuple[str, ...] = tuple(students)
        self._letters = list(letters)
        self._reason_list = list(reasons)
        self._average_list = None if averages is None else list(averages)
        # the average path leaves the reasons and averages shown to their first read
        self._finish: Callable[[], tuple[list[str], list[float | None]]] | None = None
        self._student_results = student_results

    @cached_property
    def _index(self) -> dict[str, int]:
        """The row of each student, built when a student is first looked up."""
        return {student: i for i, student in enumerate(self._students)}

    def _settle(self) -> None:
        finish, self._finish = self._finish, None
        if finish is not None:
            self._reason_list, self._average_list = finish()

    @property
    def _reasons(self) -> list[str]:
        self._settle()
        return self._reason_list

    @property
    def _averages(self) -> list[float | None] | None:
        self._settle()
        return self._average_list

    @property
    def student_ids(self) -> tuple[str, ...]:
        """The students, one per row, in row order.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.grades(AverageCutoffs.marzano_2010()).student_ids[-1]
            'hugo'
        """
        return self._students

    @property
    def no_letter(self) -> tuple[str, ...]:
        """The students who got no letter because no rule covers their results (a gap).

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.grades(AverageCutoffs.marzano_2010()).no_letter
            ()
        """
        return tuple(
            s for s, x in zip(self._students, self._letters, strict=True) if x == NO_LETTER
        )

    def exempt_of(self, student_id: str) -> frozenset[str]:
        """The ids of the targets ``student_id`` is exempt from (left out of the grade).

        Raises:
            KeyError: If the student is not in the table.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> table = book.grades(AverageCutoffs.marzano_2010(), exempt={("ana", "LE.2")})
            >>> sorted(table.exempt_of("ana")), sorted(table.exempt_of("ben"))
            (['LE.2'], [])
        """
        index = self._index.get(student_id)
        if index is None:
            raise KeyError(student_id)
        return self._exempt.get(index, frozenset())

    def __len__(self) -> int:
        return len(self._students)

    def __iter__(self) -> Iterator[str]:
        return iter(self._students)

    def __contains__(self, student_id: object) -> bool:
        return student_id in self._index

    def __getitem__(self, student_id: str) -> R:
        return self.report(student_id)

    def __repr__(self) -> str:
        counts: dict[str | None, int] = {}
        for letter in self.letters().values():
            counts[letter] = counts.get(letter, 0) + 1
        shown = dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")))
        return (
            f"GradeTable(converter={type(self.converter).__name__}, "
            f"students={len(self)}, letters={shown})"
        )

    def report(self, student_id: str) -> R:
        """Return one student's full grade report (its letter is the table's).

        A student in a gap gets a report with the letter ``"No letter"`` (with a built-in
        converter; a converter of your own raises its error, unless the table was built with
        ``on_gap="raise"``, where nobody is in a gap).

        Raises:
            KeyError: If the student is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.grades(AverageCutoffs.marzano_2010()).report("devon").letter
            'A'
        """
        index = self._index.get(student_id)
        if index is None:
            raise KeyError(student_id)
        # The table's report type was fixed by the converter it was built with (the overloads of
        # Gradebook.grades and ResultTable.grades), so this is that converter's report.
        return cast("R", _grade_one(self.converter, self._student_results(index), self, index))

    def letters(self) -> dict[str, str | None]:
        """Return each student's letter by id; ``None`` where no letter is given (yet).

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.grades(AverageCutoffs.marzano_2010())  # doctest: +ELLIPSIS
            GradeTable(converter=AverageCutoffs, students=8, letters={'A': 4, ...})
            >>> book.grades(AverageCutoffs.marzano_2010()).letters()["devon"]
            'A'
        """
        return {
            student: None if letter in (INCOMPLETE, NO_LETTER) else letter
            for student, letter in zip(self._students, self._letters, strict=True)
        }

    def records(self) -> list[dict[str, Any]]:
        """Return one dict per student: ``student_id``, ``letter``, ``reason`` (and ``average``).

        ``average`` is there when the converter averages; ``None`` where no letter is given.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import RuleSet
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> sorted(book.grades(RuleSet.sbgrader2()).records()[0])
            ['letter', 'reason', 'student_id']
        """
        letters = self.letters()
        out: list[dict[str, Any]] = []
        for i, student in enumerate(self._students):
            row: dict[str, Any] = {
                "student_id": student,
                "letter": letters[student],
                "reason": self._reasons[i],
            }
            if self._averages is not None:
                row["average"] = self._averages[i]
            out.append(row)
        return out

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame with the columns of :meth:`records`. Requires pandas.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> list(book.grades(AverageCutoffs.marzano_2010()).to_pandas().columns)
            ['student_id', 'letter', 'reason', 'average']
        """
        require("pandas", extra="data", feature="GradeTable.to_pandas()")
        import pandas as pd

        letters = self.letters()
        columns: dict[str, Any] = {
            "student_id": list(self._students),
            "letter": pd.Series([letters[s] for s in self._students], dtype=object),
            "reason": list(self._reasons),
        }
        if self._averages is not None:
            columns["average"] = pd.Series(
                [float("nan") if a is None else a for a in self._averages], dtype="float64"
            )
        return pd.DataFrame(columns)


def exempt_by_student(
    exempt: Exemptions | None, students: Sequence[str], targets: Sequence[LearningTarget]
) -> dict[int, frozenset[str]]:
    """Check ``exempt`` against the table and return the exempt target ids per student row.

    Args:
        exempt: (student id, target id) pairs, a mapping of student id to target ids, or
            ``None``.
        students: The table's students.
        targets: The table's targets.

    Raises:
        InvalidTypeError: If ``exempt`` is not pairs or a mapping of ids.
        InvalidValueError: If it names a student or a target the table does not have.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
        >>> exempt_by_student({("s2", "B")}, ["s1", "s2"], targets)
        {1: frozenset({'B'})}
        >>> exempt_by_student({"s3": ["B"]}, ["s1", "s2"], targets)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: exempt names the student 's3', who has no row in the table (students with evidence: 's1', 's2')
    """  # noqa: E501
    if exempt is None:
        return {}
    if isinstance(exempt, str) or not isinstance(exempt, Iterable):
        msg = (
            f"exempt={exempt!r} must be (student_id, target_id) pairs or a dict of student id "
            f"to target ids, not {type(exempt).__name__}"
        )
        raise InvalidTypeError(msg)
    pairs: list[tuple[Any, Any]] = []
    if isinstance(exempt, Mapping):
        for student, ids in exempt.items():
            if isinstance(ids, str) or not isinstance(ids, Iterable):
                msg = f"exempt[{student!r}]={ids!r} must be a collection of target ids"
                raise InvalidTypeError(msg)
            pairs.extend((student, target) for target in ids)
    else:
        for item in exempt:
            if not isinstance(item, tuple) or len(item) != 2:
                msg = f"exempt item {item!r} must be a (student_id, target_id) pair"
                raise InvalidTypeError(msg)
            pairs.append(item)
    rows = {student: i for i, student in enumerate(students)}
    target_ids = {t.id for t in targets}
    out: dict[int, set[str]] = {}
    for student, target in pairs:
        if student not in rows:
            shown = ", ".join(repr(x) for x in students[:5]) + (
                ", ..." if len(students) > 5 else ""
            )
            msg = (
                f"exempt names the student {student!r}, who has no row in the table "
                f"(students with evidence: {shown})"
            )
            raise InvalidValueError(msg)
        if target not in target_ids:
            msg = (
                f"exempt names the target {target!r} (for student {student!r}), which is not a "
                f"target of the gradebook ({', '.join(repr(t.id) for t in targets)})"
            )
            raise InvalidValueError(msg)
        out.setdefault(rows[student], set()).add(target)
    return {row: frozenset(ids) for row, ids in out.items()}


def grade_table(
    converter: GradeConverter,
    *,
    students: Sequence[str],
    targets: Sequence[LearningTarget],
    values: Sequence[float | None] | Any,
    reasons: Sequence[int] | Any,
    student_results: Callable[[int], list[TargetResult]],
    exempt: Mapping[int, frozenset[str]] | None = None,
    on_gap: OnGap = "warn",
) -> GradeTable[Any]:
    """Return the grade table of a result table's columns.

    Args:
        converter: The grade converter.
        students: The students, one per row of the grid.
        targets: The targets, one per column of the grid.
        values: Every result value, student-major (``None`` or ``NaN`` for no value): a list,
            or a numpy array (then the vectorized path is taken).
        reasons: For every result, a code of its reason when its value is ``None`` (equal
            codes for equal reasons, anything else otherwise); same layout as ``values``.
        student_results: Builds the results of the student at a row index, for
            :func:`~mastery_grading.grades.grade`.
        exempt: The exempt target ids per student row (see :func:`exempt_by_student`).
        on_gap: ``"warn"`` (default): a student in a gap gets no letter, and one
            :class:`~mastery_grading.grades.GradeGapWarning` gives the count; ``"ignore"``:
            the same without the warning; ``"raise"``: the first such student's error.

    Raises:
        GapError: With ``on_gap="raise"``, and any other error of ``grade``: the first
            student's, in row order.
    """
    if on_gap not in ON_GAP_CHOICES:
        msg = f"on_gap={on_gap!r} must be one of {list(ON_GAP_CHOICES)}"
        raise InvalidValueError(msg)
    n_students, n_targets = len(students), len(targets)
    table: GradeTable[Any] = GradeTable(
        converter=converter,
        students=students,
        letters=(),
        reasons=(),
        averages=None,
        student_results=student_results,
        exempt=exempt,
        on_gap=on_gap,
    )
    exempt_cells = [
        (s, t)
        for s, ids in table._exempt.items()
        for t, target in enumerate(targets)
        if target.id in ids
    ]
    if hasattr(values, "dtype") and n_students and n_targets:
        require("numpy", extra="data", feature="the vectorized engine")
        import numpy as np

        grid = np.asarray(values, dtype=np.float64).reshape(n_students, n_targets)
        codes = np.asarray(reasons, dtype=np.int64).reshape(n_students, n_targets)
        skip = np.zeros(grid.shape, dtype=np.bool_)
        for s, t in exempt_cells:
            skip[s, t] = True
        if type(converter) is AverageCutoffs and one_range(targets):
            table._letters, table._finish = average_table(
                converter, targets, grid, codes, skip, lambda keys: _by_profile(table, keys)[1]
            )
            _grade_one(converter, student_results(0), table, 0)  # a refused target, now
        else:
            found: list[bytes] = (
                band_keys(converter, targets, grid, codes, skip)
                if type(converter) is RuleSet
                else profile_keys(grid, codes, skip)
            )
            table._letters, table._reason_list = _by_profile(table, found)
            table._average_list = _report_averages(table)
    else:
        skipped = {s * n_targets + t for s, t in exempt_cells}
        keys: list[Any] = []
        for s in range(n_students):
            row = range(s * n_targets, (s + 1) * n_targets)
            key: list[Any] = []
            for i in row:
                value = values[i]
                if i in skipped:
                    key.append(("exempt",))
                elif value is None or value != value:
                    key.append(("none", reasons[i]))
                else:
                    key.append(float(value))
            keys.append(tuple(key))
        table._letters, table._reason_list = _by_profile(table, keys)
        table._average_list = _report_averages(table)
    gaps = table._letters.count(NO_LETTER)
    if gaps and on_gap == "warn":
        plural = "student" if gaps == 1 else "students"
        msg = (
            f"{gaps} {plural} of {n_students} got no letter: no rule of the grading scheme "
            "covers their results (see table.no_letter and each reason; on_gap='raise' raises "
            "instead, RuleSet.check() lists every gap)"
        )
        warnings.warn(msg, GradeGapWarning, stacklevel=4)
    return table


def _grade_one(
    converter: GradeConverter, results: list[TargetResult], table: GradeTable[Any], row: int
) -> Any:
    """``grade`` of one student of ``table``: its exemptions, no letter for a gap unless raise."""
    on_gap: OnGap = "raise" if table.on_gap == "raise" else "ignore"
    return grade(results, converter, exempt=table._exempt.get(row, frozenset()), on_gap=on_gap)


def _by_profile(table: GradeTable[Any], keys: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Convert the first student of each distinct key (in row order) and broadcast.

    A converter of your own that raises a gap or an overlap gives that student no letter,
    with the error as the reason, unless the table raises (``on_gap="raise"``).
    """
    seen: dict[Any, tuple[str, str]] = {}
    letters: list[str] = []
    reasons: list[str] = []
    for s, key in enumerate(keys):
        found = seen.get(key)
        if found is None:
            try:
                report = _grade_one(table.converter, table._student_results(s), table, s)
            except (GapError, OverlapError) as error:
                if table.on_gap == "raise":
                    raise
                found = seen[key] = (NO_LETTER, f"no rule covers: {error}")
            else:
                reason = report.decided_by if isinstance(report, GradeReport) else ""
                found = seen[key] = (report.letter, reason)
        letters.append(found[0])
        reasons.append(found[1])
    return letters, reasons


def _report_averages(table: GradeTable[Any]) -> list[float | None] | None:
    """The averages of an :class:`AverageCutoffs` table built per profile (else ``None``)."""
    converter = table.converter
    if type(converter) is not AverageCutoffs:
        return None
    return [
        None
        if letter == INCOMPLETE
        else exact_average(converter, table._student_results(s), table._exempt.get(s, ()))
        for s, letter in enumerate(table._letters)
    ]
