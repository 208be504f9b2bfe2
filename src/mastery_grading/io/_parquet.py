"""Reading a Parquet evidence file by columns, with the plain CSV file's checks.

A Parquet file of evidence has the columns of a plain evidence CSV file
(:data:`~mastery_grading.io.native.EVIDENCE_COLUMNS`), typed: ids as strings (or integers),
the score, weight and attempt as numbers, ``observed_at`` as a timestamp (one without a time
zone is read in ``assume_tz``, or is a problem), ``independent`` as a boolean, or any of them as
text, read as the CSV reader reads its cells. Each column is dictionary-encoded by Arrow and
every *distinct* value is checked once, by the :class:`~mastery_grading.Evidence` checks; the
result is the same :class:`~mastery_grading.io.columnar.EvidenceColumns` the columnar CSV
reader gives, so the vectorized engine scores it from columns.

A problem names the file and the row (``evidence.parquet: row 3: ...``; row 1 is the file's
first row), as a CSV problem names the line. Requires pyarrow (the ``fast`` extra).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> path = Path(tempfile.mkdtemp()) / "evidence.parquet"
    >>> when = ["2026-10-01T09:00:00Z"] * 2  # text is read as a CSV cell would be
    >>> pq.write_table(pa.table({"student_id": ["ana", "ben"], "target_id": ["T", "T"],
    ...                          "score": [3.0, None], "observed_at": when}), path)
    >>> problems = Problems(str(path))
    >>> found, rows = read_parquet_columns(path, problems)
    >>> len(found), rows.tolist(), problems.warnings[0].endswith("skipped (not counted as 0)")
    (1, [1], True)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from mastery_grading._extras import require
from mastery_grading._text import MissingScores, skipped_note
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import MasteryGradingError, Problem
from mastery_grading.gradebook import Duplicates
from mastery_grading.gradebook._duplicates import settle_duplicates
from mastery_grading.io._iso_times import read_times, vectorizable
from mastery_grading.io._sources import Problems
from mastery_grading.io.columnar import EvidenceColumns
from mastery_grading.io.native import EVIDENCE_COLUMNS, evidence_parsers

__all__ = ["read_parquet_columns"]

_REQUIRED = EVIDENCE_COLUMNS[:4]
_IDS = frozenset({"student_id", "target_id"})
_MISSING = "score is missing; expected a number (missing_scores='error')"
_PROBE: dict[str, Any] = {
    "student_id": "s",
    "target_id": "t",
    "score": 0.0,
    "observed_at": datetime(1970, 1, 1, tzinfo=UTC),
}


def read_parquet_columns(
    path: str | os.PathLike[str],
    problems: Problems,
    *,
    assume_tz: tzinfo | None = None,
    strict: bool = False,
    missing_scores: MissingScores = "skip",
    strip_ids: bool = False,
    duplicates: Duplicates = "error",
) -> tuple[EvidenceColumns, Any]:
    """Read a Parquet evidence file: its evidence by columns and the file row of each piece.

    Problems (a missing column, a value that is not a valid field, a missing score with
    ``missing_scores="error"``, a duplicate with ``duplicates="error"``) are recorded in
    ``problems``, each at its row; rows with a problem, skipped missing scores and dropped
    duplicates are left out of the evidence.

    Raises:
        MissingExtraError: If pyarrow (the ``fast`` extra) is not installed.
    """
    require("pyarrow", extra="fast", feature="reading Parquet evidence")
    require("numpy", extra="fast", feature="reading Parquet evidence")
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not Path(path).is_file():
        problems.add("cannot be read: there is no such file")
        problems.check()
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        problems.add(f"cannot be read as Parquet: {error}")
        problems.check()
    names = list(table.column_names)
    for name in names:
        if name not in EVIDENCE_COLUMNS:
            note = f"unknown column {name!r}; expected columns among {list(EVIDENCE_COLUMNS)}"
            if strict:
                problems.add(note)
            else:
                problems.warn(f"{note} (ignored)")
    for name in _REQUIRED:
        if name not in names:
            problems.add(f"no column {name!r}; a Parquet evidence file has {list(_REQUIRED)}")
    problems.check()
    n = table.num_rows
    micros_of = None
    datetimes: Callable[[], list[datetime]] | None = None
    parsers = evidence_parsers(assume_tz=assume_tz, strip_ids=strip_ids)
    bad = np.zeros(n, dtype=np.bool_)
    codes: dict[str, Any] = {}
    values: dict[str, list[Any]] = {}
    for name in EVIDENCE_COLUMNS:
        if name not in names:
            continue
        encoded = pc.dictionary_encode(table.column(name).combine_chunks())
        indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        dictionary = encoded.dictionary
        if name == "observed_at" and pa.types.is_timestamp(dictionary.type) and dictionary.type.tz:
            # instants: every one a valid time, no check to make a value at a time
            micros = pc.cast(dictionary, pa.timestamp("us", tz="UTC"), safe=False)
            micros_of = micros.cast(pa.int64()).to_numpy(zero_copy_only=False)
            codes[name] = np.where(indices < 0, 0, indices).astype(np.int32)
            bad |= indices < 0  # a missing time: a problem of its row
            for row in np.flatnonzero(indices < 0).tolist():
                problems.extend([_at(problems, row, f"{name} is missing")])
            continue  # the datetimes are made from micros_of only when asked for
        if name == "observed_at" and _is_text(dictionary) and vectorizable(assume_tz):
            read, errors, micros_of, datetimes = _text_times(dictionary, parsers[name], assume_tz)
        else:
            read, errors = _distinct(name, dictionary.to_pylist(), parsers[name], assume_tz)
        nulls = indices < 0
        if name == "score" and nulls.any():
            rows = np.flatnonzero(nulls)
            if missing_scores == "skip":
                problems.warn(skipped_note("score", "row", (rows + 1).tolist(), what="missing"))
            else:
                for row in rows.tolist():
                    problems.extend([_at(problems, row, _MISSING)])
            bad |= nulls
        elif name in _REQUIRED and nulls.any():
            for row in np.flatnonzero(nulls).tolist():
                problems.extend([_at(problems, row, f"{name} is missing")])
            bad |= nulls
        for code, message in errors.items():
            rows = np.flatnonzero(indices == code)
            problems.extend(_at(problems, row, message) for row in rows.tolist())
            bad[rows] = True
        # a null optional value has the code of None (the field's default); a null required
        # one (its row left out) the code 0
        optional = name not in _REQUIRED
        null_code = len(read[0]) if optional else 0
        remap = np.append(np.asarray(read[1], dtype=np.int32), np.int32(null_code))
        codes[name] = remap[indices]
        if name != "observed_at" or datetimes is None:
            values[name] = [*read[0], None] if optional else read[0]
    keep = np.flatnonzero(~bad)
    columns = EvidenceColumns(
        len(keep),
        {name: column[keep] for name, column in codes.items()},
        values,
        micros=micros_of,
        datetimes=datetimes,
    )
    rows = keep + 1
    if duplicates == "keep" or not len(columns):
        return columns, rows
    copies = columns.duplicate_copies()
    if copies.any() and duplicates == "drop":
        return columns.without(copies), rows[~copies]
    if copies.any():

        def place(position: int) -> Problem:
            return Problem(message="", source=problems.file, row=int(rows[position]))

        problems.extend(settle_duplicates(columns.evidence(), "error", place)[1])
    return columns, rows


def _is_text(array: Any) -> bool:
    require("pyarrow", extra="fast", feature="reading Parquet evidence")
    import pyarrow as pa

    return bool(pa.types.is_string(array.type) or pa.types.is_large_string(array.type))


def _text_times(
    cells: Any, parse: Callable[[str], Any], assume_tz: tzinfo | None
) -> tuple[tuple[list[Any], Any], dict[int, str], Any, Callable[[], list[datetime]]]:
    """Read the distinct text cells of ``observed_at``, the common ISO 8601 form vectorized.

    :func:`~mastery_grading.io._iso_times.read_times`, as the columnar CSV reader reads times,
    the cells it leaves read one by one by :func:`_distinct`, which words their errors.
    Returns what :func:`_distinct` returns (with no values: they are made only when asked
    for, and the codes as an array), the instants of the values (microseconds since the
    epoch) and the function that makes their datetimes, each in the offset it was written in.
    """
    errors: dict[int, str] = {}

    def one_by_one(positions: Any) -> tuple[list[datetime], list[int]]:
        (values, codes), found = _distinct(
            "observed_at", cells.take(positions).to_pylist(), parse, assume_tz
        )
        errors.update((int(positions[i]), message) for i, message in found.items())
        return values, codes

    read = read_times(cells, assume_tz, one_by_one)
    assert read is not None  # one_by_one reads every cell, or words why not
    codes, micros, datetimes = read
    return ([], codes), errors, micros, datetimes


def _at(problems: Problems, row: int, message: str) -> Problem:
    return Problem(message=message, source=problems.file, row=row + 1)


def _distinct(
    name: str, cells: list[Any], parse: Callable[[str], Any], assume_tz: tzinfo | None
) -> tuple[tuple[list[Any], list[int]], dict[int, str]]:
    """Each distinct value read as an Evidence field: the values, each cell's code, errors.

    Cells that read alike (``3`` and ``3.0``) share a value; a cell that is not a valid value
    has an error (by its position among ``cells``) and the code 0.
    """
    index: dict[Any, int] = {}
    distinct: list[Any] = []
    remap: list[int] = []
    errors: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if name in _IDS and isinstance(cell, str) and cell.strip():  # all Evidence checks
            value = parse(cell)
            if value not in index:
                index[value] = len(distinct)
                distinct.append(value)
            remap.append(index[value])
            continue
        try:
            value = _value(name, cell, parse, assume_tz)
        except MasteryGradingError as error:  # Evidence's own check names the field and value
            errors[i] = str(error)
        except (ValueError, TypeError) as error:
            errors[i] = f"{name}={cell!r}: {error}"
        if i in errors:
            remap.append(0)
            continue
        # -0.0 and 0.0, or 09:00Z and 11:00+02:00, are equal but read back differently
        detail = repr(value) if isinstance(value, float) else getattr(value, "tzinfo", None)
        key = (type(value), value, detail)
        if key not in index:
            index[key] = len(distinct)
            distinct.append(value)
        remap.append(index[key])
    return (distinct, remap), errors


def _value(name: str, cell: Any, parse: Callable[[str], Any], assume_tz: tzinfo | None) -> Any:
    """One Parquet value as the Evidence field ``name``; raises if it is not a valid one."""
    if hasattr(cell, "to_pydatetime"):  # a pandas Timestamp (nanoseconds): to microseconds
        cell = cell.to_pydatetime(warn=False)
    if isinstance(cell, str):
        value = parse(cell.strip() if name not in ("student_id", "target_id") else cell)
    elif isinstance(cell, datetime) and cell.tzinfo is None:
        if assume_tz is None:
            msg = "is a timestamp without a time zone; give one, or assume_tz (--assume-tz)"
            raise ValueError(msg)
        value = cell.replace(tzinfo=assume_tz)
    elif name in ("student_id", "target_id", "source_id", "context") and isinstance(cell, int):
        value = parse(str(cell))
    else:
        value = cell
    return getattr(Evidence(**{**_PROBE, name: value}), name)
