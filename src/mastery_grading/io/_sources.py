"""Where the readers' input comes from and how its problems are told: sources, problems, JSON.

Every reader names its input (:func:`source_name`), reads it as text (:func:`read_text`, UTF-8
with or without a byte order mark) or JSON (:func:`load_json`), and collects every problem
with its file, line and column in a :class:`Problems`, raised once as
:class:`~mastery_grading.exceptions.DataFileError`.
"""

from __future__ import annotations

import json
import json.decoder
import math
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, TypeAlias

from mastery_grading._validators import shown
from mastery_grading.exceptions import DataFileError, Problem

#: JSON's own string scanner: the text of a string literal and where it ends.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

#: A reader's input: a path, or an open file (text or binary) or stream.
Source: TypeAlias = str | os.PathLike[str] | IO[str] | IO[bytes]

#: How many problems a reader collects before it stops and raises.
MAX_PROBLEMS = 100


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
        self.items: list[Problem] = []
        self.warnings: list[str] = []

    def add(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        value: str | None = None,
        expected: str | None = None,
    ) -> None:
        """Record a problem; stop reading (raise) once the limit is reached."""
        self.items.append(
            Problem(
                message=message,
                source=self.file,
                line=line,
                column=column,
                field=field,
                value=value,
                expected=expected,
            )
        )
        if len(self.items) >= self.limit:
            raise DataFileError(self.items, truncated=True, warnings=self.warnings)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record problems found elsewhere (already located); stop at the limit."""
        for problem in problems:
            self.items.append(problem)
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


#: The characters where the JSON structure changes: a string starts, an object or array opens
#: or closes, a key ends, a member ends.
_JSON_STRUCTURE = re.compile(r'["{}\[\]:,]')


def _line_column(text: str, index: int) -> tuple[int, int]:
    """Return the 1-based line and column of ``text[index]``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def duplicate_json_keys(text: str) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    r"""Return every key written twice in one object of valid JSON ``text``, with both positions.

    Python's ``json`` keeps the last of two equal keys without a word, so a CASE item with
    two ``title`` or a targets entry with two ``id`` would lose one. Each item is ``(key,
    (line, column) of its first occurrence, (line, column) of the repeat)``; a key repeated three
    times gives two items, each naming the first. ``text`` must be valid JSON (parse it first):
    the scan only follows its structure.

    Example:
        >>> duplicate_json_keys('{"id": "A",\n "items": [{"id": 1}], "id": "B"}')
        [('id', (1, 2), (2, 24))]
        >>> duplicate_json_keys('{"a": {"b": 1}, "b": 2}')
        []
    """
    found: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    # One entry per open container: for an object, its keys by first position and whether the
    # next string is a key; for an array, None.
    stack: list[tuple[dict[str, int], list[bool]] | None] = []
    index = 0
    while True:
        match = _JSON_STRUCTURE.search(text, index)
        if match is None:
            return found
        char, index = match.group(), match.start()
        top = stack[-1] if stack else None
        if char == '"':
            key, end = _scanstring(text, index + 1)
            if top is not None and top[1][0]:
                top[1][0] = False
                first = top[0].setdefault(key, index)
                if first != index:
                    found.append((key, _line_column(text, first), _line_column(text, index)))
            index = end
            continue
        if char == "{":
            stack.append(({}, [True]))
        elif char == "[":
            stack.append(None)
        elif char in "}]":
            stack.pop()
        elif char == "," and top is not None:
            top[1][0] = True
        index += 1


class _DuplicateKeyError(Exception):
    """Raised by the ``object_pairs_hook`` of :func:`load_json` at the first duplicate key."""


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


def load_json(source: Any, problems: Problems) -> Any:
    """Return the parsed JSON of ``source``; every way it can fail is a problem, then raised.

    A key written twice in one object is a problem naming both positions (Python's
    ``json`` would keep the last one silently). Invalid JSON names its line and column. So
    does an integer literal longer than Python
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
    duplicates = False
    try:
        try:
            return json.loads(
                text, parse_int=_json_int, object_pairs_hook=_pairs_without_duplicates
            )
        except _DuplicateKeyError:
            json.loads(text, parse_int=_json_int)  # the other problems come first
            duplicates = True
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
    if duplicates:
        for key, (line, column), again in duplicate_json_keys(text):
            problems.add(
                f"key {shown(key)} appears twice in one object, at {line}:{column} and at "
                f"{again[0]}:{again[1]}; expected each key once (a JSON reader keeps only the "
                "last)",
                line=again[0],
                column=again[1],
            )
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
