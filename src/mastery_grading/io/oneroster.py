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
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

import attrs

from mastery_grading._text import Decimal, check_decimal
from mastery_grading.exceptions import (
    DataFileError,
    InvalidValueError,
    MasteryGradingError,
    Problem,
)
from mastery_grading.gradebook import Duplicates
from mastery_grading.gradebook._duplicates import settle_duplicates
from mastery_grading.io._common import (
    Problems,
    Row,
    Table,
    cell_problem,
    map_columns,
    parse_bool,
    parse_csv,
    parse_number,
    read_text,
    source_name,
)
from mastery_grading.io._oneroster_format import (
    COLUMNS,
    REQUIRED,
    UUID,
    LineItem,
    ObjectiveLink,
    ObjectiveResult,
    OneRosterEvidence,
    OneRosterGradebook,
    Result,
)
from mastery_grading.io._oneroster_write import oneroster_files, write_oneroster

__all__ = [
    "COLUMNS",
    "LineItem",
    "ObjectiveLink",
    "ObjectiveResult",
    "OneRosterEvidence",
    "OneRosterGradebook",
    "Result",
    "oneroster_duplicates",
    "oneroster_files",
    "read_oneroster",
    "write_oneroster",
]


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


def read_oneroster(
    path: str | os.PathLike[str], *, strict: bool = False, decimal: Decimal = "."
) -> OneRosterGradebook:
    """Read a OneRoster 1.2 CSV gradebook package from a folder or a zip file.

    The files listed as ``bulk`` or ``delta`` in ``manifest.csv`` are read (without a manifest,
    every known file present). Blank ``status`` and ``dateLastModified`` are accepted, as in bulk
    files. References are checked: a result must name a known line item, an objective score a
    known result. A ``sourcedId`` that appears twice in a file is a problem.

    Args:
        path: The folder or zip file.
        strict: Make unknown columns a problem instead of a warning.
        decimal: The decimal mark of the scores: ``"."`` (OneRoster's, the default) or
            ``","``; a decimal comma is a problem unless ``decimal=","``.

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
    decimal = check_decimal(decimal)
    problems = Problems(os.fspath(path))
    sources = _sources(path, problems)
    problems.check()
    all_items: list[Problem | tuple[str, int | None, int | None, str]] = []
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
        required = [column.lower() for column in REQUIRED[kind]]
        optional = [column.lower() for column in COLUMNS[kind]]
        columns = map_columns(table, sub, required=required, optional=optional, strict=strict)
        if all(column in columns for column in required):
            tables[kind] = (sub, table, columns)
        all_items += sub.items
        warnings += sub.warnings
    if all_items:
        raise DataFileError(all_items, warnings=warnings)
    book = _build(tables, decimal)
    all_items += [item for sub, _, _ in tables.values() for item in sub.items]
    if all_items:
        raise DataFileError(all_items[:100], truncated=len(all_items) >= 100, warnings=warnings)
    return attrs.evolve(
        book, manifest=manifest, warnings=tuple(warnings), source=source_name(Path(path))
    )


def _build(
    tables: Mapping[str, tuple[Problems, Table, dict[str, int]]], decimal: Decimal
) -> OneRosterGradebook:
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
            sub, row, columns, name.lower(), read_number, required=False
        )
        return found

    def read_number(text: str) -> float:
        return parse_number(text, decimal=decimal)

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
                    line=row.line,
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
                    line=row.line,
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


def oneroster_duplicates(read: OneRosterEvidence, duplicates: Duplicates) -> OneRosterEvidence:
    """Apply ``duplicates`` to the evidence of a OneRoster package, naming files and lines.

    Raises:
        DataFileError: With ``"error"``, one problem per copy after the first, at its file and
            line, naming every copy.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence
        >>> e = Evidence(student_id="s", target_id="T", score=3,
        ...              observed_at=datetime(2024, 10, 2, tzinfo=timezone.utc))
        >>> read = OneRosterEvidence(evidence=(e, e), places=(("results.csv", 2),
        ...                                                   ("results.csv", 3)))
        >>> len(oneroster_duplicates(read, "drop").evidence)
        1
        >>> oneroster_duplicates(read, "error")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.DataFileError: 1 problem in input:
        results.csv:3: ... at line 2 and line 3; ...
    """

    def place(position: int) -> Problem:
        file, line = read.places[position]
        return Problem(message="", source=file, line=line)

    keep, problems = settle_duplicates(read.evidence, duplicates, place)
    if problems:
        raise DataFileError(problems)
    if len(keep) == len(read.evidence):
        return read
    return attrs.evolve(
        read,
        evidence=tuple(read.evidence[i] for i in keep),
        places=tuple(read.places[i] for i in keep),
    )


def _normalize(source: str, objective: str) -> str:
    if source.lower() == "case" and UUID.fullmatch(objective):
        return objective.lower().removeprefix("urn:uuid:")
    return objective
