"""1EdTech OneRoster 1.2 CSV gradebook: mastery per learning objective, in and out.

A OneRoster CSV package is a folder (or a zip file) with a ``manifest.csv`` and one CSV file
per kind of record. For standards-based results we write, per learning target (objective):

- ``lineItems.csv``: one line item per target, scored from the scale's min to max;
- ``lineItemLearningObjectiveIds.csv``: the line item names its objective (``source=case``
  with the ``urn:uuid:`` form that validators ask for when the target id is a CASE UUID, else
  ``unknown`` with the target id);
- ``results.csv``: one result per student and line item, with the value as ``score`` and the
  level name as ``textScore`` (``not submitted`` and ``missing=true`` without evidence);
- ``resultLearningObjectiveIds.csv``: the per-objective score and level of each result;
- ``manifest.csv``: which files are present (``bulk``) or ``absent``.

The ``sourcedId`` values we write join their parts with ``:`` (``res:<target>:<student>``);
a ``%`` or ``:`` inside a part is percent-encoded (``%25``, ``%3A``), so that two different
(target, student) pairs never share an id. Every ``sourcedId`` is unique in its file, when
writing and when reading (a repeated one is a problem).

:func:`read_oneroster` reads such a package back (ours or another system's), and
:meth:`OneRosterGradebook.evidence` turns its scores into evidence.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError, MasteryGradingError
from mastery_grading.io._common import (
    Problems,
    Row,
    Table,
    atomic_writer,
    cell_problem,
    csv_text,
    format_number,
    map_columns,
    parse_bool,
    parse_csv,
    parse_number,
    read_text,
    write_text_atomic,
)
from mastery_grading.io.results import Results, student_rows

__all__ = [
    "LineItem",
    "ObjectiveLink",
    "ObjectiveResult",
    "OneRosterGradebook",
    "Result",
    "oneroster_files",
    "read_oneroster",
    "write_oneroster",
]

_UUID = re.compile(r"(?:urn:uuid:)?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

_BASE = ("sourcedId", "status", "dateLastModified")
#: The gradebook files we read and write, with their columns in spec order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "lineItems": (
        *_BASE,
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "resultValueMin",
        "resultValueMax",
        "schoolSourcedId",
    ),
    "results": (
        *_BASE,
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
        "scoreDate",
        "comment",
        "textScore",
        "classSourcedId",
        "inProgress",
        "incomplete",
        "late",
        "missing",
    ),
    "lineItemLearningObjectiveIds": (
        *_BASE,
        "lineItemSourcedId",
        "source",
        "learningObjectiveId",
    ),
    "resultLearningObjectiveIds": (
        *_BASE,
        "resultSourcedId",
        "source",
        "learningObjectiveId",
        "score",
        "textScore",
    ),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "lineItems": (
        "sourcedId",
        "title",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "schoolSourcedId",
    ),
    "results": ("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "scoreDate"),
    "lineItemLearningObjectiveIds": (
        "sourcedId",
        "lineItemSourcedId",
        "source",
        "learningObjectiveId",
    ),
    "resultLearningObjectiveIds": ("sourcedId", "resultSourcedId", "source", "learningObjectiveId"),
}
_ABSENT = ("categories", "scoreScales", "lineItemScoreScales", "resultScoreScales")


@attrs.frozen(kw_only=True)
class LineItem:
    """A row of ``lineItems.csv``: something scored, here one learning target.

    Example:
        >>> LineItem(sourced_id="li:NS.1", title="Fractions", class_id="cls-1").result_value_max
    """

    sourced_id: str
    title: str
    class_id: str
    assign_date: date | None = None
    due_date: date | None = None
    category_id: str | None = None
    academic_session_id: str | None = None
    school_id: str | None = None
    result_value_min: float | None = None
    result_value_max: float | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class Result:
    """A row of ``results.csv``: one student's score on one line item.

    Example:
        >>> Result(sourced_id="r1", line_item_id="li:NS.1", student_id="stu-1",
        ...        score_status="fully graded", score=3.0, score_date=None).score
        3.0
    """

    sourced_id: str
    line_item_id: str
    student_id: str
    score_status: str
    score: float | None
    score_date: date | None
    text_score: str | None = None
    comment: str | None = None
    class_id: str | None = None
    missing: bool | None = None


@attrs.frozen(kw_only=True)
class ObjectiveLink:
    """A row of ``lineItemLearningObjectiveIds.csv``: a line item assesses an objective.

    Example:
        >>> ObjectiveLink(sourced_id="l1", line_item_id="li:NS.1", source="unknown",
        ...               learning_objective_id="NS.1").source
        'unknown'
    """

    sourced_id: str
    line_item_id: str
    source: str
    learning_objective_id: str


@attrs.frozen(kw_only=True)
class ObjectiveResult:
    """A row of ``resultLearningObjectiveIds.csv``: a result's score on one objective.

    Example:
        >>> ObjectiveResult(sourced_id="o1", result_id="r1", source="unknown",
        ...                 learning_objective_id="NS.1", score=3.0, text_score="meets").text_score
        'meets'
    """

    sourced_id: str
    result_id: str
    source: str
    learning_objective_id: str
    score: float | None = None
    text_score: str | None = None


@attrs.frozen(kw_only=True)
class OneRosterGradebook:
    """What :func:`read_oneroster` found.

    Attributes:
        manifest: The ``manifest.csv`` properties (empty when there is none).
        line_items: Rows of ``lineItems.csv``.
        results: Rows of ``results.csv``.
        line_item_objectives: Rows of ``lineItemLearningObjectiveIds.csv``.
        result_objectives: Rows of ``resultLearningObjectiveIds.csv``.
        warnings: Notes that did not stop reading.

    Example:
        >>> OneRosterGradebook(manifest={}).evidence()
        ()
    """

    manifest: Mapping[str, str]
    line_items: tuple[LineItem, ...] = ()
    results: tuple[Result, ...] = ()
    line_item_objectives: tuple[ObjectiveLink, ...] = ()
    result_objectives: tuple[ObjectiveResult, ...] = ()
    warnings: tuple[str, ...] = ()

    def evidence(self, *, tz: tzinfo = UTC) -> tuple[Evidence, ...]:
        """Return one piece of evidence per scored objective of each result.

        A result's per-objective scores (``resultLearningObjectiveIds.csv``) are used when
        present; otherwise its overall score counts for every objective of its line item. The
        moment is the ``scoreDate`` at midnight in ``tz``, and the source is the line item.

        Raises:
            BulkValidationError: If a result has no ``scoreDate``.
        """
        from mastery_grading.exceptions import BulkValidationError

        by_result: dict[str, list[ObjectiveResult]] = {}
        for item in self.result_objectives:
            by_result.setdefault(item.result_id, []).append(item)
        by_line_item: dict[str, list[ObjectiveLink]] = {}
        for link in self.line_item_objectives:
            by_line_item.setdefault(link.line_item_id, []).append(link)
        found: list[Evidence] = []
        problems: list[tuple[int, str]] = []
        for position, result in enumerate(self.results):
            scores = [
                (item.learning_objective_id, item.score)
                for item in by_result.get(result.sourced_id, [])
            ]
            if not scores:
                scores = [
                    (link.learning_objective_id, result.score)
                    for link in by_line_item.get(result.line_item_id, [])
                ]
            scores = [(objective, score) for objective, score in scores if score is not None]
            if not scores:
                continue
            if result.score_date is None:
                problems.append((position, f"result {result.sourced_id!r} has no scoreDate"))
                continue
            moment = datetime.combine(result.score_date, time(), tzinfo=tz)
            for objective, score in scores:
                found.append(
                    Evidence(
                        student_id=result.student_id,
                        target_id=objective,
                        score=score,
                        observed_at=moment,
                        source_id=result.line_item_id,
                        context=result.class_id,
                    )
                )
        if problems:
            raise BulkValidationError(problems)
        return tuple(found)


def _objective_source(target_id: str) -> tuple[str, str]:
    if _UUID.fullmatch(target_id):
        return "case", "urn:uuid:" + target_id.lower().removeprefix("urn:uuid:")
    return "unknown", target_id


def _id_part(text: str) -> str:
    """Return one part of a ``sourcedId`` with ``%`` and ``:`` percent-encoded.

    >>> _id_part("LE:1"), _id_part("100%")
    ('LE%3A1', '100%25')
    """
    return text.replace("%", "%25").replace(":", "%3A")


def _sourced_id(prefix: str, *parts: str) -> str:
    return ":".join([prefix, *map(_id_part, parts)])


def oneroster_files(
    results: Results,
    *,
    class_id: str,
    school_id: str,
    category_id: str,
    academic_session_id: str,
    score_date: date,
    modified: datetime | None = None,
    system_name: str = "mastery_grading",
) -> dict[str, str]:
    """Return the CSV text of each file of a OneRoster 1.2 gradebook package, by file name.

    Args:
        results: Results of any number of students and targets.
        class_id: The ``classSourcedId`` of the class.
        school_id: The ``schoolSourcedId`` of the school.
        category_id: The ``categorySourcedId`` of the line items (e.g. ``"cat-standards"``).
        academic_session_id: The grading period (``academicSessionSourcedId``).
        score_date: The ``scoreDate``, and the line items' assign and due date.
        modified: ``dateLastModified`` of every row (by default now, UTC).
        system_name: The manifest's ``source.systemName``.

    Raises:
        InvalidValueError: If a required id is blank, or ``results`` hold the same student and
            target twice (the ``sourcedId`` of a result must be unique).

    Example:
        >>> from datetime import date
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.io import results_table
        >>> table = results_table([], [LearningTarget(id="NS.1", title="Fractions")], Mean(),
        ...                       students=["stu-1"])
        >>> files = oneroster_files(table,
        ...     class_id="cls-1", school_id="sch-1", category_id="cat-1",
        ...     academic_session_id="term-1", score_date=date(2024, 10, 2))
        >>> sorted(files)  # doctest: +NORMALIZE_WHITESPACE
        ['lineItemLearningObjectiveIds.csv', 'lineItems.csv', 'manifest.csv',
         'resultLearningObjectiveIds.csv', 'results.csv']
    """
    for name, given in (
        ("class_id", class_id),
        ("school_id", school_id),
        ("category_id", category_id),
        ("academic_session_id", academic_session_id),
    ):
        if not isinstance(given, str) or not given.strip():
            msg = f"{name}={given!r} must be a non-empty string"
            raise InvalidValueError(msg)
    stamp = (modified or datetime.now(UTC)).astimezone(UTC)
    stamp_text = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    day = score_date.isoformat()
    line_items: dict[str, list[object]] = {}
    links: list[list[object]] = []
    result_rows: list[list[object]] = []
    objective_rows: list[list[object]] = []
    seen_results: set[str] = set()
    for student_id, result in student_rows(results):
        target = result.target
        line_item_id = _sourced_id("li", target.id)
        source, objective = _objective_source(target.id)
        if line_item_id not in line_items:
            line_items[line_item_id] = [
                line_item_id,
                "active",
                stamp_text,
                target.title,
                target.statement,
                day,
                day,
                class_id,
                category_id,
                academic_session_id,
                format_number(target.scale.min),
                format_number(target.scale.max),
                school_id,
            ]
            links.append(
                [
                    _sourced_id("lilo", target.id),
                    "active",
                    stamp_text,
                    line_item_id,
                    source,
                    objective,
                ]
            )
        value = result.value
        level = None if result.level is None else result.level.name
        result_id = _sourced_id("res", target.id, student_id)
        if result_id in seen_results:
            msg = (
                f"results hold student {student_id!r} on target {target.id!r} twice; "
                f"OneRoster needs one result per student and line item (sourcedId {result_id!r})"
            )
            raise InvalidValueError(msg)
        seen_results.add(result_id)
        result_rows.append(
            [
                result_id,
                "active",
                stamp_text,
                line_item_id,
                student_id,
                "not submitted" if value is None else "fully graded",
                None if value is None else format_number(value),
                day,
                result.reason if value is None else None,
                level,
                class_id,
                False,
                False,
                False,
                value is None,
            ]
        )
        if value is not None:
            objective_rows.append(
                [
                    _sourced_id("rlo", target.id, student_id),
                    "active",
                    stamp_text,
                    result_id,
                    source,
                    objective,
                    format_number(value),
                    level,
                ]
            )
    manifest = [
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.2"),
        *((f"file.{name}", "bulk") for name in COLUMNS),
        *((f"file.{name}", "absent") for name in _ABSENT),
        ("source.systemName", system_name),
    ]
    return {
        "manifest.csv": csv_text(("propertyName", "value"), manifest),
        "lineItems.csv": csv_text(COLUMNS["lineItems"], line_items.values()),
        "results.csv": csv_text(COLUMNS["results"], result_rows),
        "lineItemLearningObjectiveIds.csv": csv_text(
            COLUMNS["lineItemLearningObjectiveIds"], links
        ),
        "resultLearningObjectiveIds.csv": csv_text(
            COLUMNS["resultLearningObjectiveIds"], objective_rows
        ),
    }


def write_oneroster(
    path: str | os.PathLike[str],
    results: Results,
    *,
    class_id: str,
    school_id: str,
    category_id: str,
    academic_session_id: str,
    score_date: date,
    modified: datetime | None = None,
    system_name: str = "mastery_grading",
) -> None:
    """Write a OneRoster 1.2 gradebook package to a folder, or to a zip file if ``path`` ends in ``.zip``.

    Every file is written atomically; all texts are built before the first write, so bad input
    writes nothing. See :func:`oneroster_files` for the arguments, and :func:`read_oneroster`
    to read the package back.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_oneroster(folder, [], class_id="cls-1", school_id="sch-1", category_id="cat-1",
        ...                 academic_session_id="term-1", score_date=date(2024, 10, 2))
        >>> sorted(p.name for p in folder.iterdir())[:2]
        ['lineItemLearningObjectiveIds.csv', 'lineItems.csv']
    """  # noqa: E501
    files = oneroster_files(
        results,
        class_id=class_id,
        school_id=school_id,
        category_id=category_id,
        academic_session_id=academic_session_id,
        score_date=score_date,
        modified=modified,
        system_name=system_name,
    )
    target = Path(path)
    if target.suffix.lower() == ".zip":
        with (
            atomic_writer(target, binary=True) as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, text in files.items():
                archive.writestr(name, text)
        return
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        write_text_atomic(target / name, text)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        msg = f"{text!r} is not a date such as '2024-10-02'"
        raise ValueError(msg) from None


def _sources(path: str | os.PathLike[str], problems: Problems) -> dict[str, tuple[str, bytes]]:
    """Return the raw bytes of each CSV file of the package, by file name."""
    root = Path(path)
    found: dict[str, tuple[str, bytes]] = {}
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.suffix.lower() == ".csv":
                found[child.name] = (str(child), child.read_bytes())
        return found
    try:
        with zipfile.ZipFile(root) as archive:
            for info in archive.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if name.lower().endswith(".csv") and not info.is_dir():
                    if info.file_size > 512 * 1024 * 1024:
                        problems.add(f"{info.filename} is too large to read")
                        continue
                    found[name] = (f"{root}!{info.filename}", archive.read(info))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as error:
        problems.add(f"is neither a folder nor a readable zip file: {error}")
    return found


def read_oneroster(path: str | os.PathLike[str], *, strict: bool = False) -> OneRosterGradebook:
    """Read a OneRoster 1.2 CSV gradebook package from a folder or a zip file.

    The files listed as ``bulk`` or ``delta`` in ``manifest.csv`` are read (without a manifest,
    every known file present). Blank ``status`` and ``dateLastModified`` are accepted, as in bulk
    files. References are checked: a result must name a known line item, an objective score a
    known result. A ``sourcedId`` that appears twice in a file is a problem.

    Args:
        path: The folder or zip file.
        strict: Make unknown columns a problem instead of a warning.

    Raises:
        DataFileError: Listing every problem across the files, each with file, line and column.

    Example:
        >>> import tempfile
        >>> from datetime import date
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.io import results_table
        >>> table = results_table([], [LearningTarget(id="NS.1", title="Fractions")], Mean(),
        ...                       students=["stu-1"])
        >>> folder = tempfile.mkdtemp()
        >>> write_oneroster(folder, table,
        ...     class_id="cls-1", school_id="sch-1", category_id="cat-1",
        ...     academic_session_id="term-1", score_date=date(2024, 10, 2))
        >>> book = read_oneroster(folder)
        >>> book.results[0].score_status, book.results[0].missing
        ('not submitted', True)
    """
    problems = Problems(os.fspath(path))
    sources = _sources(path, problems)
    problems.check()
    all_items: list[tuple[str, int | None, int | None, str]] = []
    warnings: list[str] = []
    manifest: dict[str, str] = {}
    wanted = set(COLUMNS)
    if "manifest.csv" in sources:
        name, data = sources["manifest.csv"]
        sub = Problems(name)
        table = parse_csv(read_text(io.BytesIO(data), sub), sub)
        columns = map_columns(table, sub, required=("propertyname", "value"))
        if "propertyname" in columns and "value" in columns:
            for row in table.rows:
                manifest[row.get(columns["propertyname"])] = row.get(columns["value"])
        all_items += sub.items
        wanted = {
            name for name in COLUMNS if manifest.get(f"file.{name}", "absent") in {"bulk", "delta"}
        }
    else:
        warnings.append(f"{path}: has no manifest.csv; reading the gradebook files present")
    tables: dict[str, tuple[Problems, Table, dict[str, int]]] = {}
    for kind in COLUMNS:
        file_name = f"{kind}.csv"
        if kind not in wanted:
            continue
        if file_name not in sources:
            if manifest:
                all_items.append(
                    (os.fspath(path), None, None, f"manifest lists {file_name}, which is missing")
                )
            continue
        name, data = sources[file_name]
        sub = Problems(name)
        table = parse_csv(read_text(io.BytesIO(data), sub), sub)
        required = [column.lower() for column in _REQUIRED[kind]]
        optional = [column.lower() for column in COLUMNS[kind]]
        columns = map_columns(table, sub, required=required, optional=optional, strict=strict)
        if all(column in columns for column in required):
            tables[kind] = (sub, table, columns)
        all_items += sub.items
        warnings += sub.warnings
    if all_items:
        from mastery_grading.exceptions import DataFileError

        raise DataFileError(all_items, warnings=warnings)
    book = _build(tables)
    all_items += [item for sub, _, _ in tables.values() for item in sub.items]
    if all_items:
        from mastery_grading.exceptions import DataFileError

        raise DataFileError(all_items[:100], truncated=len(all_items) >= 100, warnings=warnings)
    return attrs.evolve(book, manifest=manifest, warnings=tuple(warnings))


def _build(tables: Mapping[str, tuple[Problems, Table, dict[str, int]]]) -> OneRosterGradebook:
    def rows(kind: str) -> Iterable[tuple[Problems, Row, dict[str, int]]]:
        if kind in tables:
            sub, table, columns = tables[kind]
            for row in table.rows:
                yield sub, row, columns

    def text(row: Row, columns: Mapping[str, int], name: str) -> str | None:
        return row.get(columns.get(name.lower())) or None

    def required(sub: Problems, row: Row, columns: Mapping[str, int], name: str) -> str | None:
        found: str | None = cell_problem(sub, row, columns, name.lower(), str)
        return found

    def number(sub: Problems, row: Row, columns: Mapping[str, int], name: str) -> float | None:
        found: float | None = cell_problem(
            sub, row, columns, name.lower(), parse_number, required=False
        )
        return found

    first_lines: dict[str, dict[str, int]] = {kind: {} for kind in COLUMNS}

    def unique(kind: str, sub: Problems, row: Row, columns: Mapping[str, int], ident: str) -> bool:
        """Record ``ident`` as seen; a ``sourcedId`` seen before in the file is a problem."""
        first = first_lines[kind].get(ident)
        if first is not None:
            sub.add(
                f"sourcedId={ident!r} appears again (first on line {first}); "
                "a sourcedId must be unique in its file",
                line=row.line,
                column=columns["sourcedid"] + 1,
            )
            return False
        first_lines[kind][ident] = row.line
        return True

    line_items: list[LineItem] = []
    try:
        for sub, row, columns in rows("lineItems"):
            sourced = required(sub, row, columns, "sourcedId")
            title = required(sub, row, columns, "title")
            class_id = required(sub, row, columns, "classSourcedId")
            if sourced is None or title is None or class_id is None:
                continue
            if not unique("lineItems", sub, row, columns, sourced):
                continue
            line_items.append(
                LineItem(
                    sourced_id=sourced,
                    title=title,
                    class_id=class_id,
                    assign_date=cell_problem(
                        sub, row, columns, "assigndate", _parse_date, required=False
                    ),
                    due_date=cell_problem(
                        sub, row, columns, "duedate", _parse_date, required=False
                    ),
                    category_id=text(row, columns, "categorySourcedId"),
                    academic_session_id=text(row, columns, "academicSessionSourcedId"),
                    school_id=text(row, columns, "schoolSourcedId"),
                    result_value_min=number(sub, row, columns, "resultValueMin"),
                    result_value_max=number(sub, row, columns, "resultValueMax"),
                    description=text(row, columns, "description"),
                )
            )
        known_items = {item.sourced_id for item in line_items}
        results: list[Result] = []
        for sub, row, columns in rows("results"):
            sourced = required(sub, row, columns, "sourcedId")
            line_item = required(sub, row, columns, "lineItemSourcedId")
            student = required(sub, row, columns, "studentSourcedId")
            status = required(sub, row, columns, "scoreStatus")
            score = number(sub, row, columns, "score")
            score_date = cell_problem(sub, row, columns, "scoredate", _parse_date, required=False)
            missing = cell_problem(sub, row, columns, "missing", parse_bool, required=False)
            if None in (sourced, line_item, student, status):
                continue
            assert sourced is not None  # narrowed for mypy
            assert line_item is not None
            assert student is not None
            assert status is not None
            if not unique("results", sub, row, columns, sourced):
                continue
            if "lineItems" in tables and line_item not in known_items:
                sub.add(
                    f"lineItemSourcedId={line_item!r} is not in lineItems.csv",
                    line=row.line,
                    column=columns["lineitemsourcedid"] + 1,
                )
                continue
            results.append(
                Result(
                    sourced_id=sourced,
                    line_item_id=line_item,
                    student_id=student,
                    score_status=status,
                    score=score,
                    score_date=score_date,
                    text_score=text(row, columns, "textScore"),
                    comment=text(row, columns, "comment"),
                    class_id=text(row, columns, "classSourcedId"),
                    missing=missing,
                )
            )
        links: list[ObjectiveLink] = []
        for sub, row, columns in rows("lineItemLearningObjectiveIds"):
            values = [
                required(sub, row, columns, name)
                for name in ("sourcedId", "lineItemSourcedId", "source", "learningObjectiveId")
            ]
            if None in values:
                continue
            sourced, line_item, source, objective = (str(v) for v in values)
            if not unique("lineItemLearningObjectiveIds", sub, row, columns, sourced):
                continue
            links.append(
                ObjectiveLink(
                    sourced_id=sourced,
                    line_item_id=line_item,
                    source=source,
                    learning_objective_id=_normalize(source, objective),
                )
            )
        known_results = {result.sourced_id for result in results}
        objectives: list[ObjectiveResult] = []
        for sub, row, columns in rows("resultLearningObjectiveIds"):
            values = [
                required(sub, row, columns, name)
                for name in ("sourcedId", "resultSourcedId", "source", "learningObjectiveId")
            ]
            score = number(sub, row, columns, "score")
            if None in values:
                continue
            sourced, result_id, source, objective = (str(v) for v in values)
            if not unique("resultLearningObjectiveIds", sub, row, columns, sourced):
                continue
            if "results" in tables and result_id not in known_results:
                sub.add(
                    f"resultSourcedId={result_id!r} is not in results.csv",
                    line=row.line,
                    column=columns["resultsourcedid"] + 1,
                )
                continue
            objectives.append(
                ObjectiveResult(
                    sourced_id=sourced,
                    result_id=result_id,
                    source=source,
                    learning_objective_id=_normalize(source, objective),
                    score=score,
                    text_score=text(row, columns, "textScore"),
                )
            )
    except MasteryGradingError as error:  # pragma: no cover - every field is checked above
        raise InvalidValueError(str(error)) from error
    return OneRosterGradebook(
        manifest={},
        line_items=tuple(line_items),
        results=tuple(results),
        line_item_objectives=tuple(links),
        result_objectives=tuple(objectives),
    )


def _normalize(source: str, objective: str) -> str:
    if source.lower() == "case" and _UUID.fullmatch(objective):
        return objective.lower().removeprefix("urn:uuid:")
    return objective
