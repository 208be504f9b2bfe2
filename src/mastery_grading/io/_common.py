"""Tolerant CSV reading shared by the readers; sources, problems and safe output re-exported.

The readers parse CSV with :func:`parse_csv` (``,``, ``;`` or tab separators, ragged rows, blank
rows), find their columns by normalized header (:func:`map_columns`) and read each cell with the
``parse_*`` functions through :func:`cell_problem`, which records a problem naming the line and
column. Where input comes from and how problems are told lives in :mod:`._sources`; formula-safe
CSV and atomic files in :mod:`._output`. Both are re-exported here for the readers and writers.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import attrs

from mastery_grading.io._output import (
    FORMULA_STARTS,
    NUMBER,
    atomic_writer,
    csv_text,
    format_number,
    neutralize,
    write_csv_atomic,
    write_text_atomic,
)
from mastery_grading.io._sources import (
    MAX_PROBLEMS,
    Problems,
    Source,
    json_number,
    load_json,
    read_text,
    shown,
    source_name,
    too_large_numbers,
)

__all__ = [
    "FORMULA_STARTS",
    "MAX_PROBLEMS",
    "NUMBER",
    "Problems",
    "Row",
    "Source",
    "Table",
    "atomic_writer",
    "cell_problem",
    "clean_cell",
    "csv_text",
    "detect_delimiter",
    "format_number",
    "json_number",
    "load_json",
    "map_columns",
    "neutralize",
    "normalize_header",
    "parse_bool",
    "parse_csv",
    "parse_int",
    "parse_number",
    "parse_timestamp",
    "read_text",
    "shown",
    "source_name",
    "too_large_numbers",
    "write_csv_atomic",
    "write_text_atomic",
]


def normalize_header(cell: str) -> str:
    """Return a header cell trimmed, lower-cased and with single spaces, for matching.

    >>> normalize_header("  Learning  Outcome ID ")
    'learning outcome id'
    """
    return " ".join(cell.strip().lower().split())


@attrs.frozen(kw_only=True)
class Row:
    """One data row of a CSV table: its first line number and its cells."""

    line: int
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        """Return the stripped cell at ``index``; blank when the index is ``None`` or missing.

        A leading single quote that :func:`neutralize` added before a formula character is
        removed, so that files we write read back to the same text.
        """
        if index is None or index >= len(self.cells):
            return ""
        return clean_cell(self.cells[index])


def clean_cell(cell: str) -> str:
    """Return a CSV cell as the readers see it: stripped, without a neutralizing quote.

    A leading single quote that :func:`neutralize` added before a formula character is
    removed, so that files we write read back to the same text.

    >>> clean_cell("'=1+1"), clean_cell(" ana ")
    ('=1+1', 'ana')
    """
    if cell[:1] == "'" and "\x00" not in cell and neutralize(cell[1:]) == cell:
        cell = cell[1:]
    return cell.strip()


@attrs.frozen(kw_only=True)
class Table:
    """A parsed CSV table: its header, data rows and the separator that was detected."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    delimiter: str


def detect_delimiter(first_line: str) -> str:
    """Return ``;`` or a tab when the header has more of them than commas, else ``,``.

    >>> detect_delimiter("a;b;c")
    ';'
    >>> detect_delimiter("name,score")
    ','
    """
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] > 0 else ","


def parse_csv(text: str, problems: Problems, *, extra_cells: bool = False) -> Table:
    """Parse CSV text with a header row, tolerating ``;`` separators and ragged rows.

    Blank rows are skipped. A row with more cells than the header is a problem unless the extra
    cells are blank (or ``extra_cells`` allows them, as for Canvas ratings); a row with fewer
    cells is read as if padded with blanks. Every problem names its line.
    """
    if "\x00" in text:
        before = text[: text.index("\x00")]
        problems.add(
            "contains a NUL character (is it a binary file?); NUL characters are ignored",
            line=before.count("\n") + 1,
            column=len(before) - (before.rfind("\n") + 1) + 1,
        )
        text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.add(f"is not valid CSV: {error}", line=start)
            start = reader.line_num + 1
            continue
        line = start
        start = reader.line_num + 1
        if header is None:
            if not any(cell.strip() for cell in cells):
                continue
            header = tuple(cells)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and not extra_cells:
            extra = cells[len(header) :]
            if any(cell.strip() for cell in extra):
                problems.add(
                    f"has {len(cells)} cells but the header has {len(header)} columns",
                    line=line,
                    column=len(header) + 1,
                )
                continue
            cells = cells[: len(header)]
        rows.append(Row(line=line, cells=tuple(cells)))
    if header is None:
        problems.add("is empty; expected a header row")
        header = ()
    return Table(header=header, rows=tuple(rows), delimiter=delimiter)


def map_columns(
    table: Table,
    problems: Problems,
    *,
    required: Sequence[str],
    optional: Iterable[str] = (),
    strict: bool = False,
) -> dict[str, int]:
    """Return the column index of every known header, by its normalized name.

    A missing required column is a problem naming it; a duplicated known column is a problem.
    An unknown column is a warning (or, with ``strict``, a problem), never silently dropped.
    Blank header cells are ignored.
    """
    known = {*required, *optional}
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        name = normalize_header(cell)
        if not name:
            continue
        if name in known:
            if name in columns:
                problems.add(
                    f"column {cell.strip()!r} appears twice (also column {columns[name] + 1})",
                    line=1,
                    column=index + 1,
                )
            else:
                columns[name] = index
        elif strict:
            problems.add(f"unknown column {cell.strip()!r}", line=1, column=index + 1)
        else:
            problems.warn(f"unknown column {cell.strip()!r} is ignored", line=1, column=index + 1)
    missing = [name for name in required if name not in columns]
    if missing and table.header:
        names = ", ".join(repr(name) for name in missing)
        noun = "column" if len(missing) == 1 else "columns"
        problems.add(f"missing required {noun} {names}", line=1)
    return columns


def parse_number(text: str) -> float:
    """Return the finite number a cell holds; a lone decimal comma is accepted (``3,5``).

    Raises:
        ValueError: If the text is not a finite number.

    >>> parse_number("3,5"), parse_number("-1.5e1")
    (3.5, -15.0)
    """
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not NUMBER.fullmatch(cleaned):
        msg = f"{shown(text)} is not a number"
        raise ValueError(msg)
    value = float(cleaned)
    if not math.isfinite(value):
        msg = f"{shown(text)} is not a finite number"
        raise ValueError(msg)
    return value


def parse_timestamp(text: str, *, assume_tz: tzinfo | None = None) -> datetime:
    """Return the timezone-aware moment of an ISO 8601 timestamp (``Z`` and offsets accepted).

    A date alone means midnight. A timestamp without an offset takes ``assume_tz``.

    Raises:
        ValueError: If the text is not ISO 8601, or has no offset and no ``assume_tz``.

    >>> parse_timestamp("2024-10-02T13:05:00-05:00").isoformat()
    '2024-10-02T13:05:00-05:00'
    """
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        msg = f"{shown(text)} is not an ISO 8601 timestamp such as '2024-10-02T13:05:00-05:00'"
        raise ValueError(msg) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        if assume_tz is None:
            msg = (
                f"{shown(text)} has no UTC offset; add one (e.g. '+00:00') or choose a time zone "
                "to assume"
            )
            raise ValueError(msg)
        moment = moment.replace(tzinfo=assume_tz)
    return moment


def parse_int(text: str, *, minimum: int | None = None) -> int:
    """Return the integer a cell holds (``3`` or ``3.0``), at least ``minimum``.

    Raises:
        ValueError: If the text is not a whole number or is below ``minimum``.

    >>> parse_int("2.0")
    2
    """
    value = parse_number(text)
    if value != int(value):
        msg = f"{shown(text)} is not a whole number"
        raise ValueError(msg)
    if minimum is not None and value < minimum:
        msg = f"{shown(text)} must be at least {minimum}"
        raise ValueError(msg)
    return int(value)


def parse_bool(text: str) -> bool:
    """Return the boolean a cell holds (``true``/``false``, ``1``/``0``, ``yes``/``no``).

    Raises:
        ValueError: For any other text.

    >>> parse_bool("TRUE"), parse_bool("0")
    (True, False)
    """
    cleaned = text.strip().lower()
    if cleaned in {"true", "1", "yes", "y", "t"}:
        return True
    if cleaned in {"false", "0", "no", "n", "f"}:
        return False
    msg = f"{shown(text)} is not true or false"
    raise ValueError(msg)


def cell_problem(
    problems: Problems,
    row: Row,
    columns: Mapping[str, int],
    name: str,
    parse: Callable[[str], Any],
    *,
    required: bool = True,
) -> Any:
    """Parse the cell of column ``name`` in ``row``; record a problem and return ``None`` if bad.

    A blank cell gives ``None``, and is a problem when ``required``.
    """
    index = columns.get(name)
    text = row.get(index)
    column = None if index is None else index + 1
    if not text:
        if required:
            problems.add(
                f"{name} is blank",
                line=row.line,
                column=column,
                field=name,
                value="''",
                expected="a value",
            )
        return None
    try:
        return parse(text)
    except ValueError as error:
        problems.add(
            f"{name}: {error}",
            line=row.line,
            column=column,
            field=name,
            value=shown(text),
            expected=_expected(str(error)),
        )
        return None


def _expected(reason: str) -> str | None:
    """What a parser's reason says was expected: the words after "expected" or "not"."""
    for marker in ("; expected ", " expected ", " is not ", " must be "):
        if marker in reason:
            return reason.split(marker, 1)[1]
    return None
