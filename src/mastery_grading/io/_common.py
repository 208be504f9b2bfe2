"""Shared machinery of the readers and writers: sources, tolerant CSV, problems, safe output."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeAlias

import attrs

from mastery_grading.exceptions import DataFileError, InvalidValueError

#: A reader's input: a path, or an open file (text or binary) or stream.
Source: TypeAlias = str | os.PathLike[str] | IO[str] | IO[bytes]

#: How many problems a reader collects before it stops and raises.
MAX_PROBLEMS = 100

#: The characters that make a spreadsheet treat a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: A text cell starting with one of these may need a quote (or is empty).
_QUOTED_STARTS = frozenset({*FORMULA_STARTS, "'", ""})

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Problems:
    """Collects the problems of one input, each with its file, line and column.

    Reading goes on after a problem, so that a user fixes a file in one pass; at ``limit``
    problems the reader stops. :meth:`check` raises one :class:`DataFileError` for them all.

    Example:
        >>> problems = Problems("marks.csv")
        >>> problems.add("score='x' is not a number", line=2, column=3)
        >>> problems.check()
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.DataFileError: 1 problem in input:
        marks.csv:2:3: score='x' is not a number
    """

    def __init__(self, file: str, *, limit: int = MAX_PROBLEMS) -> None:
        self.file = file
        self.limit = limit
        self.items: list[tuple[str, int | None, int | None, str]] = []
        self.warnings: list[str] = []

    def add(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        """Record a problem; stop reading (raise) once the limit is reached."""
        self.items.append((self.file, line, column, message))
        if len(self.items) >= self.limit:
            raise DataFileError(self.items, truncated=True, warnings=self.warnings)

    def warn(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        """Record a note that does not stop reading (an unknown column, a skipped blank score)."""
        where = self.file
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        self.warnings.append(f"{where}: {message}")

    def check(self) -> None:
        """Raise :class:`DataFileError` if any problem was recorded."""
        if self.items:
            raise DataFileError(self.items, warnings=self.warnings)


def source_name(source: Any) -> str:
    """Return the name used for ``source`` in messages: its path, or ``<stream>``."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


def read_text(source: Any, problems: Problems) -> str:
    """Return the text of ``source`` as UTF-8, without a byte order mark.

    Undecodable bytes are a problem naming the line and column; the text is then decoded with
    replacement characters so that the remaining problems can still be found.
    """
    if isinstance(source, str | os.PathLike):
        try:
            data: str | bytes = Path(source).read_bytes()
        except OSError as error:
            problems.add(f"cannot be read: {error.strerror or error}")
            problems.check()
            return ""  # pragma: no cover - check() raised
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")  # spreadsheet "Unicode text" exports
        except UnicodeDecodeError:
            problems.add("starts like UTF-16 but is not valid UTF-16; save the file as UTF-8")
            return ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        problems.add(
            f"byte {data[error.start : error.start + 1]!r} is not valid UTF-8; "
            "save the file as UTF-8",
            line=line,
            column=column,
        )
        text = data.decode("utf-8-sig", errors="replace")
    return text


def shown(value: Any) -> str:
    """Return ``repr(value)`` for a message, with an int of many digits in short form.

    Python refuses to print an int of more than 4300 digits, and a 400-digit one would make an
    unreadable message.

    >>> shown("x"), shown(3), shown(10**400)
    ("'x'", '3', '1.000e+400')
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 96:
        return f"{Decimal(value):.3e}"
    return repr(value)


class _LongIntegerError(Exception):
    """An integer literal in JSON with more digits than Python converts (see load_json)."""

    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def _json_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _LongIntegerError(text) from None


def load_json(source: Any, problems: Problems) -> Any:
    """Return the parsed JSON of ``source``; every way it can fail is a problem, then raised.

    Invalid JSON names its line and column. So does an integer literal longer than Python
    converts (``sys.get_int_max_str_digits()``, 4300 digits by default), which ``json.loads``
    would report as a bare :class:`ValueError`. Nesting deeper than the interpreter allows is a
    problem too.

    Raises:
        DataFileError: If the source cannot be read or is not valid JSON.

    Example:
        >>> import io
        >>> load_json(io.StringIO('{"score": ' + "9" * 5000 + "}"), Problems("a.json"))
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.DataFileError: 1 problem in input:
        a.json:1:11: is not valid JSON here: an integer of 5000 digits is longer than the 4300 \
digits that can be read
    """
    text = read_text(source, problems)
    problems.check()
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        problems.add(f"is not valid JSON: {error.msg}", line=error.lineno, column=error.colno)
    except _LongIntegerError as error:
        index = max(text.find(error.digits), 0)
        problems.add(
            f"is not valid JSON here: an integer of {len(error.digits.lstrip('+-'))} digits is "
            f"longer than the {sys.get_int_max_str_digits()} digits that can be read",
            line=text.count("\n", 0, index) + 1,
            column=index - (text.rfind("\n", 0, index) + 1) + 1,
        )
    except RecursionError:
        problems.add("is not valid JSON: nested too deeply")
    except ValueError as error:  # any other conversion json.loads may refuse
        problems.add(f"is not valid JSON: {error}")
    problems.check()
    return None  # pragma: no cover - check() raised


def json_number(value: Any, name: str) -> float:
    """Return a JSON value as a finite float; ``name`` is the field named in the error.

    An int too large for a float (beyond about 1.8e308) is refused, not left to overflow.

    Raises:
        ValueError: If the value is not a number (booleans are not), is too large, or is not
            finite.

    >>> json_number(3, "score")
    3.0
    >>> json_number(10**400, "outcome_results[0].score")
    Traceback (most recent call last):
    ...
    ValueError: outcome_results[0].score=1.000e+400 is too large; expected a finite number of \
at most 1.8e+308 in size
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{name}={shown(value)} is not a number"
        raise ValueError(msg)
    try:
        number = float(value)
    except OverflowError:
        msg = (
            f"{name}={shown(value)} is too large; expected a finite number of at most "
            f"{sys.float_info.max:.2g} in size"
        )
        raise ValueError(msg) from None
    if not math.isfinite(number):
        msg = f"{name}={number!r} is not a finite number"
        raise ValueError(msg)
    return number


def too_large_numbers(value: Any, name: str) -> list[str]:
    """Return a message for every int inside ``value`` that no float can hold, by its path.

    The walk is iterative, so a deeply nested document cannot exhaust the stack.

    >>> too_large_numbers({"scale": {"max": 10**400}, "tags": [1]}, "targets[0]")
    ['targets[0].scale.max=1.000e+400 is too large; expected a finite number of at most 1.8e+308 in size']
    """  # noqa: E501
    found: list[str] = []
    stack: list[tuple[str, Any]] = [(name, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            stack.extend((f"{where}.{key}", child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(
                (f"{where}[{index}]", child) for index, child in reversed(list(enumerate(item)))
            )
        elif isinstance(item, int) and not isinstance(item, bool):
            try:
                float(item)
            except OverflowError:
                found.append(
                    f"{where}={shown(item)} is too large; expected a finite number of at most "
                    f"{sys.float_info.max:.2g} in size"
                )
    return found


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
    if not _NUMBER.fullmatch(cleaned):
        msg = f"{text!r} is not a number"
        raise ValueError(msg)
    value = float(cleaned)
    if not math.isfinite(value):
        msg = f"{text!r} is not a finite number"
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
        msg = f"{text!r} is not an ISO 8601 timestamp such as '2024-10-02T13:05:00-05:00'"
        raise ValueError(msg) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        if assume_tz is None:
            msg = (
                f"{text!r} has no UTC offset; add one (e.g. '+00:00') or choose a time zone "
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
        msg = f"{text!r} is not a whole number"
        raise ValueError(msg)
    if minimum is not None and value < minimum:
        msg = f"{text!r} must be at least {minimum}"
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
    msg = f"{text!r} is not true or false"
    raise ValueError(msg)


# ---------------------------------------------------------------------------------------------
# Safe output


def format_number(value: float) -> str:
    """Return a number as the shortest text that reads back as the same float.

    Whole numbers keep one decimal (``3.0``), as Canvas writes them.

    >>> format_number(3), format_number(2.65), format_number(-1.5)
    ('3.0', '2.65', '-1.5')
    """
    return repr(float(value))


def neutralize(value: object) -> str:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    single quote (the OWASP advice), unless it is a genuine number such as ``-1.5``. Numbers
    stay numbers, ``None`` becomes an empty cell and booleans ``true``/``false``. Text that
    already starts with a quote before such a character gets one more, so that our readers,
    which remove one, read back the original text.

    Raises:
        InvalidValueError: If the text contains a NUL character (writing is strict).

    >>> neutralize("=HYPERLINK(1)"), neutralize("-1.5"), neutralize(-2.0), neutralize(None)
    ("'=HYPERLINK(1)", '-1.5', '-2.0', '')
    """
    if type(value) is str and value[:1] not in _QUOTED_STARTS and "\x00" not in value:
        return value  # the common case: plain text, returned as is
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value) if isinstance(value, float) else str(value)
    text = str(value)
    if "\x00" in text:
        msg = f"cell {text!r} contains a NUL character, which CSV files cannot carry"
        raise InvalidValueError(msg)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_STARTS:
        return "'" + text  # keeps a genuine leading quote when our readers remove one
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    r"""Return RFC 4180 CSV text (CRLF line ends), every cell passed through :func:`neutralize`.

    >>> csv_text(["name", "score"], [["=1+1", -1.5]])
    "name,score\r\n'=1+1,-1.5\r\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
    return buffer.getvalue()


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    If the block raises, the temporary file is removed and ``path`` is left as it was, so a
    failure never leaves a half-written file. The new file keeps the mode of the file it
    replaces (or the default mode for new files).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_writer(path) as handle:
        ...     _ = handle.write("all or nothing")
        >>> path.read_text()
        'all or nothing'
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    handle: IO[Any] | None = None
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
        os.chmod(tmp, mode)
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if handle is None:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path) as handle:
        handle.write(text)


def write_csv_atomic(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write a safe CSV file (see :func:`csv_text`) to ``path`` atomically."""
    write_text_atomic(path, csv_text(header, rows))


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
            problems.add(f"{name} is blank", line=row.line, column=column)
        return None
    try:
        return parse(text)
    except ValueError as error:
        problems.add(f"{name}: {error}", line=row.line, column=column)
        return None
