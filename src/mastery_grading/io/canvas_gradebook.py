"""Canvas Learning Mastery Gradebook export CSV: one row per student, two columns per outcome.

The "Export report" button of Canvas's Learning Mastery Gradebook writes
``Student name, Student ID, Student SIS ID`` and then, for each outcome, a ``<path> result`` column
(Canvas's rollup) and a ``<path> mastery points`` column. ``<path>`` is the outcome group titles
and the outcome title joined with ``" > "``. Titles may themselves contain ``>`` or commas, so
whole headers are matched and only the trailing `` result`` / `` mastery points`` is removed.

Read it to compare Canvas's rollups with ours (:meth:`CanvasGradebook.compare`), and write our
results in the same layout (:func:`write_canvas_gradebook`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from fractions import Fraction

import attrs

from mastery_grading._numbers import exact
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.io._common import (
    Problems,
    Source,
    csv_text,
    format_number,
    normalize_header,
    parse_csv,
    parse_number,
    read_text,
    source_name,
    write_text_atomic,
)
from mastery_grading.io._output import id_order
from mastery_grading.io.results import Results, student_rows
from mastery_grading.results import TargetResult

__all__ = [
    "CanvasGradebook",
    "Rollup",
    "RollupDifference",
    "StudentRollups",
    "canvas_gradebook_text",
    "read_canvas_gradebook",
    "write_canvas_gradebook",
]

_FIXED = ("student name", "student id", "student sis id")


@attrs.frozen(kw_only=True)
class Rollup:
    """Canvas's rollup of one student on one outcome (``None`` where the cell is blank).

    Example:
        >>> Rollup(result=2.65, mastery_points=3.0).result
        2.65
    """

    result: float | None
    mastery_points: float | None


@attrs.frozen(kw_only=True)
class StudentRollups:
    """One row of the export: a student and their rollups by outcome path.

    Example:
        >>> row = StudentRollups(name="Ken Obi", student_id="1043", sis_id=None,
        ...                      rollups={"NS.1": Rollup(result=2.0, mastery_points=3.0)})
        >>> row.rollups["NS.1"].result
        2.0
    """

    name: str
    student_id: str
    sis_id: str | None
    rollups: Mapping[str, Rollup]
    line: int = 0


@attrs.frozen(kw_only=True)
class RollupDifference:
    """A student and outcome where Canvas's rollup and ours differ.

    ``ours`` and ``canvas`` are ``None`` where that side has no result.

    Example:
        >>> RollupDifference(student_id="1043", path="NS.1", canvas=2.0, ours=2.5).ours
        2.5
    """

    student_id: str
    path: str
    canvas: float | None
    ours: float | None


@attrs.frozen(kw_only=True)
class CanvasGradebook:
    r"""What :func:`read_canvas_gradebook` found.

    Attributes:
        outcomes: The outcome paths, in column order.
        students: One entry per student, in file order (duplicates of a student id dropped).
        warnings: Notes that did not stop reading.

    Example:
        >>> import io
        >>> text = "Student name,Student ID,A result\nAna,7,3.0\n"
        >>> book = read_canvas_gradebook(io.StringIO(text))
        >>> book.outcomes, book.students[0].rollups["A"].result
        (('A',), 3.0)
    """

    outcomes: tuple[str, ...]
    students: tuple[StudentRollups, ...]
    warnings: tuple[str, ...] = ()

    def rollup(self, student_id: str, path: str) -> Rollup | None:
        """Return Canvas's rollup for a student and outcome path, or ``None`` if absent."""
        for student in self.students:
            if student.student_id == student_id:
                return student.rollups.get(path)
        return None

    def compare(
        self,
        results: Results,
        *,
        paths: Mapping[str, str] | None = None,
        places: int = 2,
    ) -> tuple[RollupDifference, ...]:
        r"""Return where our results differ from Canvas's rollups.

        Values are compared after rounding both half up to ``places`` decimals, as Canvas shows
        them. A result whose target has no path (``paths`` maps target ids to outcome paths;
        by default the target title is the path) or whose student is not in the export is
        skipped.

        Example:
            >>> import io
            >>> from datetime import datetime, timezone
            >>> from mastery_grading import Evidence, LearningTarget
            >>> from mastery_grading.io import results_table
            >>> from mastery_grading.policies import MostRecent
            >>> text = "Student name,Student ID,Student SIS ID,NS.1 result,NS.1 mastery points\n"
            >>> text += "Ken Obi,1043,N/A,2.0,3.0\n"
            >>> canvas = read_canvas_gradebook(io.StringIO(text))
            >>> target = LearningTarget(id="310", title="NS.1")
            >>> e = Evidence(student_id="1043", target_id="310", score=2.5,
            ...              observed_at=datetime(2024, 10, 2, tzinfo=timezone.utc))
            >>> canvas.compare(results_table([e], [target], MostRecent()))
            (RollupDifference(student_id='1043', path='NS.1', canvas=2.0, ours=2.5),)
        """
        by_student = {student.student_id: student for student in self.students}
        differences: list[RollupDifference] = []
        for student_id, result in student_rows(results):
            target = result.target
            path = (paths or {}).get(target.id, target.title)
            student = by_student.get(student_id)
            if student is None or path not in student.rollups:
                continue
            theirs = student.rollups[path].result
            ours = result.value
            if _rounded(theirs, places) != _rounded(ours, places):
                differences.append(
                    RollupDifference(student_id=student_id, path=path, canvas=theirs, ours=ours)
                )
        return tuple(differences)


def _rounded(value: float | None, places: int) -> Fraction | None:
    if value is None:
        return None
    scaled = exact(value) * 10**places
    return Fraction(int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2)))


def _outcome_columns(
    header: tuple[str, ...], start: int, problems: Problems
) -> dict[str, tuple[int | None, int | None]]:
    """Map each outcome path to its (result, mastery points) column indexes.

    A path with two result (or two mastery points) columns is a problem: one of them would
    otherwise hide the other's data.
    """
    pairs: dict[str, list[int | None]] = {}
    unmatched: list[int] = []

    def place(path: str, slot: int, index: int) -> None:
        pair = pairs.setdefault(path, [None, None])
        earlier = pair[slot]
        if earlier is not None:
            kind = "result" if slot == 0 else "mastery points"
            problems.add(
                f"outcome path {path!r} has a second {kind} column (first is column "
                f"{earlier + 1}); each outcome path must appear once",
                line=1,
                column=index + 1,
            )
            return
        pair[slot] = index

    for index in range(start, len(header)):
        cell = header[index].strip()
        lowered = normalize_header(cell)
        if not cell:
            continue
        if lowered.endswith(" mastery points"):
            place(cell[: -len(" mastery points")].rstrip(), 1, index)
        elif lowered.endswith(" result"):
            place(cell[: -len(" result")].rstrip(), 0, index)
        else:
            unmatched.append(index)
    if unmatched and not pairs and len(unmatched) % 2 == 0:
        # A translated export: the words differ, the layout does not. Pair columns by position.
        for first, second in zip(unmatched[::2], unmatched[1::2], strict=True):
            place(header[first].strip(), 0, first)
            place(header[first].strip(), 1, second)
        problems.warn("headers are not in English; outcome columns were paired by position")
    else:
        for index in unmatched:
            problems.warn(
                f"column {header[index].strip()!r} is neither a '<path> result' nor a "
                "'<path> mastery points' column; it is ignored",
                line=1,
                column=index + 1,
            )
    for path, (result, mastery) in pairs.items():
        if result is None:
            problems.add(f"outcome {path!r} has a mastery points column but no result column")
        elif mastery is None:
            problems.warn(f"outcome {path!r} has no mastery points column", line=1)
    return {path: (pair[0], pair[1]) for path, pair in pairs.items() if pair[0] is not None}


def read_canvas_gradebook(source: Source) -> CanvasGradebook:
    """Read a Learning Mastery Gradebook export.

    The first columns are found by name (``Student name``, ``Student ID``, optional
    ``Student SIS ID``), or by position in a translated export. A blank result means no evidence;
    ``N/A`` as SIS id means none.

    Raises:
        DataFileError: Listing every problem (a rollup that is not a number, a missing
            ``Student ID`` column, an outcome path whose columns appear twice, ...) with its
            file, line and column.

    Example:
        >>> import io
        >>> text = '''Student name,Student ID,Student SIS ID,NS.1 result,NS.1 mastery points
        ... Rosa Diaz,1042,S-2231,3.35,3.0
        ... Ken Obi,1043,N/A,,3.0
        ... '''
        >>> book = read_canvas_gradebook(io.StringIO(text))
        >>> book.outcomes
        ('NS.1',)
        >>> book.rollup("1042", "NS.1"), book.rollup("1043", "NS.1").result
        (Rollup(result=3.35, mastery_points=3.0), None)
    """
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems)
    names = [normalize_header(cell) for cell in table.header]
    fixed: dict[str, int] = {}
    for index, name in enumerate(names[:3]):
        if name in _FIXED:
            fixed[name] = index
    if "student id" not in fixed and table.header:
        if "student name" in fixed or len(table.header) < 2:
            problems.add("missing required column 'Student ID'", line=1)
        else:
            problems.warn("'Student name'/'Student ID' not found; using the first columns")
            fixed = {"student name": 0, "student id": 1}
            if len(table.header) % 2 == 1:
                fixed["student sis id"] = 2
    problems.check()
    start = max(fixed.values()) + 1
    outcomes = _outcome_columns(table.header, start, problems)
    students: list[StudentRollups] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        student_id = row.get(fixed["student id"])
        if not student_id:
            problems.add("Student ID is blank", line=row.line, column=fixed["student id"] + 1)
            continue
        if student_id in seen:
            problems.warn(
                f"student {student_id!r} appears again (first on line {seen[student_id]}); "
                "this row is ignored",
                line=row.line,
            )
            continue
        seen[student_id] = row.line
        rollups: dict[str, Rollup] = {}
        for path, (result_index, mastery_index) in outcomes.items():
            values: list[float | None] = []
            for column_index in (result_index, mastery_index):
                text = row.get(column_index)
                if not text:
                    values.append(None)
                    continue
                try:
                    values.append(parse_number(text, decimal=table.decimal()))
                except ValueError as error:
                    problems.add(str(error), line=row.line, column=(column_index or 0) + 1)
                    values.append(None)
            rollups[path] = Rollup(result=values[0], mastery_points=values[1])
        sis = row.get(fixed.get("student sis id"))
        students.append(
            StudentRollups(
                name=row.get(fixed.get("student name")),
                student_id=student_id,
                sis_id=None if sis in {"", "N/A"} else sis,
                rollups=rollups,
                line=row.line,
            )
        )
    problems.check()
    return CanvasGradebook(
        outcomes=tuple(outcomes), students=tuple(students), warnings=tuple(problems.warnings)
    )


def canvas_gradebook_text(
    results: Results,
    *,
    paths: Mapping[str, str] | None = None,
    students: Mapping[str, str] | None = None,
    sis_ids: Mapping[str, str] | None = None,
) -> str:
    """Return our results in the layout of a Learning Mastery Gradebook export.

    Rows are ordered by student id and outcome columns by target id, both in natural order
    (:func:`~mastery_grading.io.id_order`), so the same results give the same file whatever
    the order they were read in.

    Args:
        results: Results of any number of students and targets.
        paths: Outcome path by target id (by default the target title).
        students: Student names by id (by default the id).
        sis_ids: SIS ids by student id (``N/A`` where missing).

    Raises:
        InvalidValueError: If a path is blank, or two targets would get the same path (their
            columns would collide, and the reader could keep only one).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.io import results_table
        >>> table = results_table([], [LearningTarget(id="310", title="NS.1")], Mean(),
        ...                       students=["1043"])
        >>> print(canvas_gradebook_text(table), end="")
        Student name,Student ID,Student SIS ID,NS.1 result,NS.1 mastery points
        1043,1043,N/A,,3.0
    """
    items = list(student_rows(results))
    path_of = dict(paths or {})
    order: dict[str, str] = {}
    owner: dict[str, str] = {}
    for _, result in items:
        target = result.target
        if target.id in order:
            continue
        path = path_of.get(target.id, target.title)
        key = path.strip()  # the reader strips the header cell, so compare what it will see
        if not key:
            msg = f"target {target.id!r} has outcome path {path!r}; expected a non-blank path"
            raise InvalidValueError(msg)
        if key in owner:
            msg = (
                f"targets {owner[key]!r} and {target.id!r} would both be written as outcome path "
                f"{key!r}; give them distinct paths (paths=) or titles"
            )
            raise InvalidValueError(msg)
        owner[key] = target.id
        order[target.id] = path
    order = {target_id: order[target_id] for target_id in sorted(order, key=id_order)}
    header = ["Student name", "Student ID", "Student SIS ID"]
    for path in order.values():
        header += [f"{path} result", f"{path} mastery points"]
    by_student: dict[str, dict[str, TargetResult]] = {}
    for student_id, result in items:
        by_student.setdefault(student_id, {})[result.target.id] = result
    rows = []
    for student_id, found in by_student.items():
        row: list[object] = [
            (students or {}).get(student_id, student_id),
            student_id,
            (sis_ids or {}).get(student_id) or "N/A",
        ]
        for target_id in order:
            cell = found.get(target_id)
            if cell is None:
                row += [None, None]
                continue
            value = cell.value
            row += [
                None if value is None else format_number(value),
                format_number(cell.target.scale.mastery),
            ]
        rows.append(row)
    return csv_text(header, rows)


def write_canvas_gradebook(
    path: str | os.PathLike[str],
    results: Results,
    *,
    paths: Mapping[str, str] | None = None,
    students: Mapping[str, str] | None = None,
    sis_ids: Mapping[str, str] | None = None,
) -> None:
    """Write results to ``path`` in the Learning Mastery Gradebook layout, atomically.

    See :func:`canvas_gradebook_text`; :func:`read_canvas_gradebook` reads it back.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.io import results_table
        >>> from mastery_grading.policies import Mean
        >>> table = results_table([], [LearningTarget(id="310", title="NS.1")], Mean(),
        ...                       students=["7"])
        >>> path = Path(tempfile.mkdtemp()) / "Outcomes-Grade_4.csv"
        >>> write_canvas_gradebook(path, table)
        >>> read_canvas_gradebook(path).outcomes
        ('NS.1',)
    """
    text = canvas_gradebook_text(results, paths=paths, students=students, sis_ids=sis_ids)
    write_text_atomic(path, text)
