"""Tolerant CSV reading shared by the readers; sources, problems and safe output re-exported.

The readers parse CSV with :func:`parse_csv` (``,``, ``;`` or tab separators, ragged rows, blank
rows), find their columns by normalized header (:func:`map_columns`) and read each cell with the
``parse_*`` functions through :func:`cell_problem`, which records a problem naming the line and
column. Numbers and times follow the one rule of every input path (``mastery_grading._text``:
``.`` as decimal mark unless ``decimal=","``, an offset or ``assume_tz``); ids are kept as
written unless a reader is asked to strip them. Where input comes from and how problems are told
lives in :mod:`._sources`; formula-safe CSV and atomic files in :mod:`._output`. Both are
re-exported here for the readers and writers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from mastery_grading._text import Decimal, check_decimal, parse_number, parse_timestamp
from mastery_grading._validators import shown
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

    def get(self, index: int | None, *, strip: bool = True) -> str:
        """Return the cell at ``index`` (stripped unless ``strip=False``); blank if missing.

        A leading single quote that :func:`neutralize` added before a formula character is
        removed, so that files we write read back to the same text.
        """
        if index is None or index >= len(self.cells):
            return ""
        return clean_cell(self.cells[index], strip=strip)


def clean_cell(cell: str, *, strip: bool = True) -> str:
    """Return a CSV cell as the readers see it: without a neutralizing quote, and stripped.

    A leading single quote that :func:`neutralize` added before a formula character is
    removed, so that files we write read back to the same text. Ids are read with
    ``strip=False``: kept as written.

    >>> clean_cell("'=1+1"), clean_cell(" ana "), clean_cell(" ana ", strip=False)
    ('=1+1', 'ana', ' ana ')
    """
    if cell[:1] == "'" and "\x00" not in cell and neutralize(cell[1:]) == cell:
        cell = cell[1:]
    return cell.strip() if strip else cell


@attrs.frozen(kw_only=True)
class Table:
    """A parsed CSV table: its header, data rows and the separator that was detected."""

    header: tuple[str, ...]
    rows: tuple[Row, ...]
    delimiter: str

    def decimal(self, given: Decimal | None = None) -> Decimal:
        """The decimal mark of the table's numbers: ``given``, else from the separator.

        A ``;``-separated file is the spreadsheet convention of the locales that write
        ``3,5`` (Canvas's "use semicolon separators" setting), so its decimal mark is ``,``
        (a ``.`` still reads); any other file's is ``.``.

        >>> Table(header=(), rows=(), delimiter=";").decimal(), Table(
        ...     header=(), rows=(), delimiter=",").decimal()
        (',', '.')
        """
        if given is not None:
            return check_decimal(given)
        return "," if self.delimiter == ";" else "."


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


def parse_int(text: str, *, minimum: int | None = None, decimal: Decimal = ".") -> int:
    """Return the integer a cell holds (``3`` or ``3.0``), at least ``minimum``.

    Raises:
        ValueError: If the text is not a whole number or is below ``minimum``.

    >>> parse_int("2.0")
    2
    """
    value = parse_number(text, decimal=decimal)
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
    strip: bool = True,
) -> Any:
    """Parse the cell of column ``name`` in ``row``; record a problem and return ``None`` if bad.

    A blank cell (spaces alone included) gives ``None``, and is a problem when ``required``.
    The text is stripped first unless ``strip=False`` (ids, kept as written).
    """
    index = columns.get(name)
    text = row.get(index, strip=strip)
    column = None if index is None else index + 1
    if not text.strip():
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
