"""Writing results as a OneRoster 1.2 CSV gradebook package (a folder or a zip file).

See :mod:`mastery_grading.io.oneroster`, which re-exports :func:`oneroster_files` and
:func:`write_oneroster`.
"""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from mastery_grading.exceptions import InvalidValueError
from mastery_grading.io._common import atomic_writer, csv_text, format_number
from mastery_grading.io._oneroster_format import ABSENT, COLUMNS, UUID
from mastery_grading.io._output import atomic_folder, id_order
from mastery_grading.io.results import Results, student_rows

__all__ = ["oneroster_files", "write_oneroster"]


def _objective_source(target_id: str) -> tuple[str, str]:
    if UUID.fullmatch(target_id):
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

    Line items are ordered by target id, results by student id then target id (natural order,
    see :func:`~mastery_grading.io.id_order`), whatever the order of ``results``.

    Args:
        results: Results of any number of students and targets.
        class_id: The ``classSourcedId`` of the class.
        school_id: The ``schoolSourcedId`` of the school.
        category_id: The ``categorySourcedId`` of the line items (e.g. ``"cat-standards"``).
        academic_session_id: The grading period (``academicSessionSourcedId``).
        score_date: The ``scoreDate``, and the line items' assign and due date.
        modified: ``dateLastModified`` of every row (by default now, UTC); give a fixed time
            to write byte-identical files from the same results.
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
        *((f"file.{name}", "absent") for name in ABSENT),
        ("source.systemName", system_name),
    ]
    rank = {ident: index for index, ident in enumerate(sorted(line_items, key=id_order))}
    links.sort(key=lambda row: rank[str(row[3])])
    return {
        "manifest.csv": csv_text(("propertyName", "value"), manifest),
        "lineItems.csv": csv_text(COLUMNS["lineItems"], (line_items[i] for i in rank)),
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

    The package is written whole or not at all: all texts are built before the first write,
    so bad input writes nothing; a zip file is written to a temporary file and renamed, and a
    folder is built beside ``path`` and swapped in for it in one rename, so that a reader (or
    a write killed halfway) never mixes old and new files. An existing folder may only hold
    the files of a package (it is replaced whole); what a killed write left is removed by the
    next one. See :func:`oneroster_files` for the arguments, and :func:`read_oneroster` to
    read the package back.

    Raises:
        InvalidValueError: As :func:`oneroster_files`, or if ``path`` is a folder holding other
            files than those of a package.

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
    with atomic_folder(target, replaceable=files) as folder:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", newline="")
