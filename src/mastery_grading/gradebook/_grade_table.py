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
denominator, when they fit in 63 bits; else once per distinct profile).

A students' full :class:`~mastery_grading.grades.GradeReport` is built on demand.

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

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE, exact_mean, read_value
from mastery_grading.grades import INCOMPLETE, AverageCutoffs, GradeReport, RuleSet, grade
from mastery_grading.protocols import GradeConverter, GradeReportLike
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

#: The report type of a table: :class:`~mastery_grading.grades.GradeReport` for the built-in
#: converters, whatever a converter of your own returns otherwise.
R = TypeVar("R", bound=GradeReportLike, covariant=True)

__all__ = ["GRADE_COLUMNS", "GradeTable", "grade_table"]

#: The columns of :meth:`GradeTable.records` and :meth:`GradeTable.to_pandas`; ``average``
#: only when the converter averages (:class:`~mastery_grading.grades.AverageCutoffs`).
GRADE_COLUMNS = ("student_id", "letter", "reason", "average")

_INT_LIMIT = 2**62


class GradeTable(Mapping[str, R], Generic[R]):
    """Every student's grade under one converter: one row per student.

    Build it with :meth:`Gradebook.grades <mastery_grading.Gradebook.grades>` or
    :meth:`ResultTable.grades <mastery_grading.ResultTable.grades>`. ``len()`` is the number of
    students; rows follow the result table's student order (sorted ids).

    The table is also a read-only mapping of student id to
    :class:`~mastery_grading.grades.GradeReport`: ``table[student_id]`` (the same as
    :meth:`report`) builds that student's full report on demand, with the lines per target
    and :meth:`~mastery_grading.grades.GradeReport.next_steps`.

    The letters equal :func:`mastery_grading.grades.grade` of each student's results; a letter
    not given yet (``"Incomplete"``) is ``None`` in :meth:`letters`, :meth:`records` and
    :meth:`to_pandas`, and the reason says why.

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
    ) -> None:
        self.converter = converter
        self._students: tuple[str, ...] = tuple(students)
        self._index = {student: i for i, student in enumerate(self._students)}
        self._letters = list(letters)
        self._reasons = list(reasons)
        self._averages = None if averages is None else list(averages)
        self._student_results = student_results

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
        return cast("R", grade(self._student_results(index), self.converter))

    def letters(self) -> dict[str, str | None]:
        """Return each student's letter by id; ``None`` where no letter is given yet.

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
            student: None if letter == INCOMPLETE else letter
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


def grade_table(
    converter: GradeConverter,
    *,
    students: Sequence[str],
    targets: Sequence[LearningTarget],
    values: Sequence[float | None] | Any,
    reasons: Sequence[int] | Any,
    student_results: Callable[[int], list[TargetResult]],
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

    Raises:
        GapError: And any other error of ``grade``: the first student's, in row order.
    """
    n_students, n_targets = len(students), len(targets)
    if hasattr(values, "dtype") and n_students and n_targets:
        require("numpy", extra="data", feature="the vectorized engine")
        import numpy as np

        grid = np.asarray(values, dtype=np.float64).reshape(n_students, n_targets)
        codes = np.asarray(reasons, dtype=np.int64).reshape(n_students, n_targets)
        if type(converter) is AverageCutoffs and _one_range(targets):
            return _average_table(converter, students, targets, grid, codes, student_results)
        found: list[bytes] = (
            _band_keys(converter, targets, grid, codes)
            if type(converter) is RuleSet
            else _profile_keys(grid, codes)
        )
        letters, why = _by_profile(converter, found, student_results)
        return GradeTable(
            converter=converter,
            students=students,
            letters=letters,
            reasons=why,
            averages=_report_averages(converter, letters, why, student_results),
            student_results=student_results,
        )
    keys: list[Any] = []
    for s in range(n_students):
        row = range(s * n_targets, (s + 1) * n_targets)
        key: list[Any] = []
        for i in row:
            value = values[i]
            key.append(("none", reasons[i]) if value is None or value != value else float(value))
        keys.append(tuple(key))
    letters, why = _by_profile(converter, keys, student_results)
    return GradeTable(
        converter=converter,
        students=students,
        letters=letters,
        reasons=why,
        averages=_report_averages(converter, letters, why, student_results),
        student_results=student_results,
    )


def _by_profile(
    converter: GradeConverter,
    keys: Sequence[Any],
    student_results: Callable[[int], list[TargetResult]],
) -> tuple[list[str], list[str]]:
    """Convert the first student of each distinct key (in row order) and broadcast."""
    seen: dict[Any, tuple[str, str]] = {}
    letters: list[str] = []
    reasons: list[str] = []
    for s, key in enumerate(keys):
        found = seen.get(key)
        if found is None:
            report = grade(student_results(s), converter)
            reason = report.decided_by if isinstance(report, GradeReport) else ""
            found = seen[key] = (report.letter, reason)
        letters.append(found[0])
        reasons.append(found[1])
    return letters, reasons


def _profile_keys(grid: Any, codes: Any) -> list[bytes]:
    """One hashable key per student: its exact values, and the reason code of each ``NaN``."""
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    missing = np.isnan(grid)
    bits = np.where(missing, -1, grid.view(np.int64))
    keyed = np.concatenate([bits, np.where(missing, codes, 0)], axis=1)
    keyed = np.ascontiguousarray(keyed)
    return [row.tobytes() for row in keyed]


def _band_keys(
    converter: RuleSet, targets: Sequence[LearningTarget], grid: Any, codes: Any
) -> list[bytes]:
    """One key per student for a rule set: how many targets lie in each band, per tag group.

    A rule set decides on counts of targets per band between the thresholds of its conditions,
    per group of targets with the same tags, so students with equal counts get equal letters
    and reasons: each group's bands are sorted. Which targets have no result stays in the key
    (an ``"Incomplete"`` reason names them). Comparing floats here is exact: a float reaches a
    threshold exactly when the number it is read as
    (:func:`~mastery_grading.grades.read_value`) reaches the threshold's. Values outside the
    rule set's scale get a key of their own (the conversion raises there).
    """
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    conditions = [c for rule in converter.rules for c in rule.conditions]
    cuts = sorted({float(x) for c in conditions for x in c.thresholds()})
    bands = np.searchsorted(np.asarray(cuts, dtype=np.float64), grid, side="right")
    bands[grid < converter.scale.min] = -2
    bands[grid > converter.scale.max] = -3
    missing = np.isnan(grid)
    bands[missing] = -4
    tags = sorted({tag for c in conditions if (tag := getattr(c, "tag", None)) is not None})
    groups: dict[tuple[bool, ...], list[int]] = {}
    for t, target in enumerate(targets):
        groups.setdefault(tuple(tag in target.tags for tag in tags), []).append(t)
    parts = [np.sort(bands[:, columns], axis=1) for columns in groups.values()]
    parts.append(np.where(missing, codes, -1))
    keyed = np.concatenate(parts, axis=1).astype(np.int64)
    return [row.tobytes() for row in np.ascontiguousarray(keyed)]


def _one_range(targets: Sequence[LearningTarget]) -> bool:
    return len({(t.scale.min, t.scale.max) for t in targets}) == 1


def _report_averages(
    converter: GradeConverter,
    letters: Sequence[str],
    reasons: Sequence[str],
    student_results: Callable[[int], list[TargetResult]],
) -> list[float | None] | None:
    """The averages of an :class:`AverageCutoffs` table built per profile (else ``None``)."""
    if type(converter) is not AverageCutoffs:
        return None
    del reasons  # the averages come from the results, not from the text
    return [
        None if letter == INCOMPLETE else _exact_average(converter, student_results(s))
        for s, letter in enumerate(letters)
    ]


def _exact_average(converter: AverageCutoffs, results: Sequence[TargetResult]) -> float:
    values: list[float] = []
    weights: list[float] = []
    for result in results:
        value = result.value
        if value is None:
            if converter.missing != "not_yet":
                continue
            value = result.target.scale.min
        values.append(value)
        weights.append(result.target.weight if converter.weighted else 1.0)
    return float(exact_mean(values, weights))


def _average_table(
    converter: AverageCutoffs,
    students: Sequence[str],
    targets: Sequence[LearningTarget],
    grid: Any,
    codes: Any,
    student_results: Callable[[int], list[TargetResult]],
) -> GradeTable[Any]:
    """The vectorized average path: numpy averages, exact near the cutoffs."""
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    n_students = grid.shape[0]
    missing = np.isnan(grid)
    if converter.missing == "not_yet":
        lows = np.asarray([t.scale.min for t in targets], dtype=np.float64)
        filled = np.where(missing, lows, grid)
        counted = np.ones(grid.shape, dtype=np.bool_)
    else:
        filled = np.where(missing, 0.0, grid)
        counted = ~missing
    weights = np.asarray(
        [t.weight if converter.weighted else 1.0 for t in targets], dtype=np.float64
    )
    weight_sums = (counted * weights).sum(axis=1)
    special = weight_sums == 0  # nothing counts: no letter yet
    if converter.missing == "incomplete":
        special |= missing.any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        averages = (filled * weights).sum(axis=1) / weight_sums
    # letters: the first cutoff (best first) that the average reaches
    lowers = np.asarray([c.lower for c in converter.cutoffs], dtype=np.float64)
    reached = averages[:, None] >= lowers[None, :]
    index = np.where(reached.any(axis=1), reached.argmax(axis=1), len(lowers) - 1)
    near = np.zeros(n_students, dtype=np.bool_)
    for lower in lowers.tolist():  # near_threshold, on every average at once
        near |= np.abs(averages - lower) <= NEAR_TOLERANCE * max(1.0, abs(lower))
    near &= ~special
    names = np.asarray((*converter.letters, INCOMPLETE), dtype=object)
    index[special] = len(lowers)
    exact_rows = np.flatnonzero(near)
    for s in exact_rows.tolist():
        keep = counted[s]
        average = exact_mean(filled[s][keep].tolist(), weights[keep].tolist())
        index[s] = converter.letters.index(converter.letter_for(average))
    letters: list[str] = names[index].tolist()
    keys = _average_keys(converter, filled, counted, weights, grid, codes, special)
    _, reasons = _by_profile(converter, keys, student_results)
    # the average shown is the exact one rounded once, computed once per distinct key
    exact: dict[Any, float | None] = {}
    shown: list[float | None] = []
    for s, (key, odd) in enumerate(zip(keys, special.tolist(), strict=True)):
        if key not in exact:
            keep = counted[s]
            exact[key] = (
                None if odd else float(exact_mean(filled[s][keep].tolist(), weights[keep].tolist()))
            )
        shown.append(exact[key])
    return GradeTable(
        converter=converter,
        students=students,
        letters=letters,
        reasons=reasons,
        averages=shown,
        student_results=student_results,
    )


def _average_keys(
    converter: AverageCutoffs,
    filled: Any,
    counted: Any,
    weights: Any,
    grid: Any,
    codes: Any,
    special: Any,
) -> list[Any]:
    """A key per student such that equal keys have equal exact averages (or equal profiles).

    Each distinct value and weight is read exactly (:func:`~mastery_grading.grades.read_value`)
    and put over one common denominator; the key is then the pair of integer sums
    ``(sum w*x, sum w)``. When those could overflow, the key is the student's whole profile.
    Students whose letter is not given (``special``) are keyed by their profile.
    """
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    profiles = _profile_keys(grid, codes)
    values = filled[counted]
    distinct, where = np.unique(values, return_inverse=True)
    value_fracs = [read_value(float(x)) for x in distinct.tolist()]
    weight_fracs = [read_value(float(w)) for w in weights.tolist()]
    if any(w < 0 for w in weight_fracs):
        return profiles
    denominator = math.lcm(1, *(f.denominator for f in value_fracs))
    weight_denominator = math.lcm(1, *(f.denominator for f in weight_fracs))
    numerators = [int(f * denominator) for f in value_fracs]
    weight_numerators = [int(f * weight_denominator) for f in weight_fracs]
    n_targets = filled.shape[1]
    biggest = max((abs(n) for n in numerators), default=0) * max(weight_numerators, default=0)
    if biggest * n_targets >= _INT_LIMIT or max(weight_numerators, default=0) * n_targets >= (
        _INT_LIMIT
    ):
        return profiles
    cell = np.zeros(filled.shape, dtype=np.int64)
    cell[counted] = np.asarray(numerators, dtype=np.int64)[where]
    a = np.asarray(weight_numerators, dtype=np.int64)
    sums = (cell * a).sum(axis=1)
    totals = (counted * a).sum(axis=1)
    return [
        profile if odd else (int(total_wx), int(total_w))
        for profile, odd, total_wx, total_w in zip(
            profiles, special.tolist(), sums.tolist(), totals.tolist(), strict=True
        )
    ]
