"""Safe output: formula-safe CSV cells, shortest round-trip numbers, a fixed order, atomic files.

Every writer orders what it writes by :func:`id_order` (student, then target, then time), so that
the same data in any input order gives byte-identical files. Files are written to a temporary
file beside the target, named ``.<name>.<pid>.<token>.tmp``, then renamed over it
(:func:`atomic_writer`); a folder is built beside its target and swapped in whole
(:func:`atomic_folder`). Temporaries left by an earlier write that was killed are removed by the
next write to the same place.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from mastery_grading._text import NUMBER as NUMBER  # as the readers accept it, left unquoted
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.results import Contribution, TargetResult

#: The characters that make a spreadsheet treat a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: A text cell starting with one of these may need a quote (or is empty).
_QUOTED_STARTS = frozenset({*FORMULA_STARTS, "'", ""})


_DIGITS = re.compile(r"(\d+)")


def id_order(text: str) -> tuple[tuple[object, ...], str]:
    """Return the sort key of an id in every file we write: natural order, then the text.

    Runs of digits compare as numbers (``LE.2`` before ``LE.10``, ``s9`` before ``s10``), the
    rest as text; ids equal that way (``s01``, ``s1``) fall back to their text, so the order is
    total and does not depend on the input order.

    >>> sorted(["LE.10", "LE.2", "LE.1", "s01", "s1"], key=id_order)
    ['LE.1', 'LE.2', 'LE.10', 's01', 's1']
    """
    parts: list[object] = []
    for index, part in enumerate(_DIGITS.split(text)):
        if index % 2:
            digits = part.lstrip("0")
            parts.append((len(digits), digits))  # a number of any length, without int()
        else:
            parts.append(part)
    return tuple(parts), text


def contributions_in_order(result: TargetResult) -> list[Contribution]:
    """Return the contributions of a result by time, then source, score and weight.

    The order in which the files list the evidence that counted; it does not depend on the
    order in which the evidence was read.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> contributions_in_order(Mean().evaluate([], LearningTarget(id="T", title="T")))
        []
    """

    def key(contribution: Contribution) -> tuple[object, ...]:
        evidence = contribution.evidence
        return (
            evidence.observed_at,
            evidence.observed_at.isoformat(),
            id_order(evidence.source_id or ""),
            evidence.score,
            contribution.weight,
            evidence.kind.value,
        )

    return sorted(result.contributions, key=key)


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


#: A temporary file or folder of ours older than this (in seconds) is stale whatever its process.
STALE_AFTER = 3600.0


def _temporary_name(target: Path, suffix: str) -> Path:
    """Return ``.<name>.<pid>.<token><suffix>`` beside ``target``: predictable, never shared."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there: trust the age only
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: the process exists under another user
        return True
    return True


def remove_stale(target: str | os.PathLike[str]) -> list[Path]:
    """Remove what a killed write to ``target`` left beside it; return what was removed.

    A temporary file or folder ``.<name>.<pid>.<token>.tmp`` (or a folder set aside as
    ``.<name>.<pid>.<token>.old``) is stale when its process no longer runs, or when it is
    older than :data:`STALE_AFTER` seconds. A running write of another process is left alone.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / ".out.csv.999999999.0a1b2c3d.tmp").write_text("half a file")
        >>> [path.name for path in remove_stale(folder / "out.csv")]
        ['.out.csv.999999999.0a1b2c3d.tmp']
    """
    path = Path(target)
    directory = path.parent if str(path.parent) else Path()
    pattern = re.compile(
        re.escape(f".{path.name}.") + r"(\d+)\.[0-9a-f]+\.(?:tmp|old)"
        "|"
        + re.escape(f".{path.name}.")
        + r"[a-z0-9_]{8}\.tmp"  # tempfile.mkstemp's names, used before
    )
    removed: list[Path] = []
    try:
        candidates = list(directory.iterdir())
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        match = pattern.fullmatch(candidate.name)
        if match is None:
            continue
        try:
            age = now - candidate.lstat().st_mtime
        except OSError:
            continue
        pid = match.group(1)
        if age < STALE_AFTER and (pid is None or _process_alive(int(pid))):
            continue
        try:
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()
        except OSError:
            continue
        removed.append(candidate)
    return removed


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    If the block raises, the temporary file is removed and ``path`` is left as it was, so a
    failure never leaves a half-written file. The temporary file is named
    ``.<name>.<pid>.<token>.tmp``; if the process is killed, the next write to ``path`` removes
    it (see ``remove_stale``). The new file keeps the mode of the file it replaces (or the
    default mode for new files).

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
    remove_stale(target)
    tmp = _temporary_name(target, ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
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


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], *, replaceable: Iterable[str]) -> Iterator[Path]:
    """Give a new empty folder beside ``path``; on success swap it in for ``path`` whole.

    The block writes every file into the folder it is given (``.<name>.<pid>.<token>.tmp`` in
    the same parent); then the old folder is set aside, the new one renamed to ``path`` and the
    old one removed. A reader never sees old and new files mixed; if the block raises, ``path``
    is left as it was and the new folder removed. Folders left by a killed write are removed by
    the next one (see :func:`remove_stale`).

    Args:
        path: The folder to write.
        replaceable: The names of the files that may be replaced: an existing folder holding
            anything else is refused, so that writing never deletes a user's other files.

    Raises:
        InvalidValueError: If ``path`` is a file, or a folder with other files than
            ``replaceable``.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()) / "package"
        >>> with atomic_folder(folder, replaceable=["a.csv"]) as new:
        ...     _ = (new / "a.csv").write_text("new")
        >>> [p.name for p in folder.iterdir()]
        ['a.csv']
    """
    target = Path(path)
    allowed = set(replaceable)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            msg = f"{os.fspath(target)!r} is a file; expected a folder (or a path ending in .zip)"
            raise InvalidValueError(msg)
        others = sorted(p.name for p in target.iterdir() if p.name not in allowed or p.is_dir())
        if others:
            shown = ", ".join(repr(name) for name in others[:5])
            more = f" and {len(others) - 5} more" if len(others) > 5 else ""
            msg = (
                f"folder {os.fspath(target)!r} holds {shown}{more}, which are not files of "
                "this package; expected a new or empty folder, or one written by us"
            )
            raise InvalidValueError(msg)
    parent = target.parent if str(target.parent) else Path()
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    new = _temporary_name(target, ".tmp")
    new.mkdir()
    try:
        mode = target.stat().st_mode & 0o777 if target.is_dir() else 0o777 & ~_umask()
        os.chmod(new, mode)
        yield new
        if target.is_dir():
            old = _temporary_name(target, ".old")
            os.rename(target, old)
            os.rename(new, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, target)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _default_mode() -> int:
    return 0o666 & ~_umask()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path) as handle:
        handle.write(text)


def write_csv_atomic(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write a safe CSV file (see :func:`csv_text`) to ``path`` atomically."""
    write_text_atomic(path, csv_text(header, rows))
