"""Safe output: formula-safe CSV cells, shortest round-trip numbers and atomic files."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from mastery_grading._text import NUMBER as NUMBER  # as the readers accept it, left unquoted
from mastery_grading.exceptions import InvalidValueError

#: The characters that make a spreadsheet treat a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: A text cell starting with one of these may need a quote (or is empty).
_QUOTED_STARTS = frozenset({*FORMULA_STARTS, "'", ""})


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
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
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
