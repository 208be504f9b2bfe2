"""Reading the columns of a frame through Arrow: ids, numbers and times, and the bad rows.

Each reader takes one Arrow array and returns numpy arrays; the checks they make are recorded
in a :class:`RowProblems` (a mask of bad rows and one reason per check, worded only when read,
each row named by :func:`labeller`: a pandas frame's index label, a polars frame's position).
Text follows the rules of every input path (``mastery_grading._text``): numbers written as
text are read with the ``decimal`` mark, ISO 8601 times with an offset (or ``assume_tz``), each
distinct text once. :mod:`._frames` puts the columns together into validated evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, overload

import attrs

from mastery_grading._extras import require
from mastery_grading._text import Decimal, parse_number, parse_timestamp
from mastery_grading.exceptions import BulkValidationError, InvalidTypeError, Problem
from mastery_grading.gradebook._engine._columns import CodeArray, micros, sorted_codes
from mastery_grading.gradebook._problems import field_problem

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "LazyProblems",
    "Reason",
    "RowProblems",
    "arrow_column",
    "bad_ids",
    "floats",
    "is_text",
    "labeller",
    "strings",
    "times",
]


#: Why a row is bad: a fixed message, or a function of the row giving one (or a Problem).
Reason = Callable[[int], "str | Problem"] | str


class LazyProblems(Sequence[Problem]):
    """A :class:`Problem` for every bad row in row order, worded when it is read."""

    def __init__(
        self,
        rows: np.ndarray,
        which: np.ndarray,
        reasons: list[Reason],
        label: Callable[[int], Hashable],
    ) -> None:
        self._rows = rows
        self._which = which
        self._reasons = reasons
        self._label = label

    def __len__(self) -> int:
        return int(self._rows.shape[0])

    def _item(self, i: int) -> Problem:
        row = int(self._rows[i])
        reason = self._reasons[int(self._which[i])]
        found = reason(row) if callable(reason) else reason
        label = self._label(row)
        if isinstance(found, Problem):
            return attrs.evolve(found, row=label)
        return field_problem(found, row=label)

    @overload
    def __getitem__(self, index: int) -> Problem: ...

    @overload
    def __getitem__(self, index: slice) -> list[Problem]: ...

    def __getitem__(self, index: int | slice) -> Problem | list[Problem]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            msg = f"problem index {index} out of range"
            raise IndexError(msg)
        return self._item(index % len(self))


class RowProblems:
    """Checks over every row: a mask of the bad rows and one reason each.

    A row flagged by several checks gets the reason of the first one. Rows are named by
    ``label``: a pandas frame's index label, a polars frame's position.
    """

    def __init__(self, n: int, label: Callable[[int], Hashable]) -> None:
        self.n = n
        self.label = label
        self.checks: list[tuple[np.ndarray, Reason]] = []
        #: Rows skipped (a missing score): never a problem, whatever else they hold.
        self.ignore = np.zeros(n, dtype=np.bool_)

    def add(self, mask: np.ndarray, reason: Reason) -> None:
        """Record ``reason`` (a string, or a function of the row) for every row where ``mask``."""
        if mask.any():
            self.checks.append((mask, reason))

    def bad(self) -> np.ndarray:
        """The mask of the rows found bad so far."""
        bad = np.zeros(self.n, dtype=np.bool_)
        for mask, _ in self.checks:
            bad |= mask
        return bad

    def raise_if_any(self) -> None:
        if not self.checks:
            return
        bad = np.zeros(self.n, dtype=np.bool_)
        which = np.zeros(self.n, dtype=np.int32)
        for k, (mask, _) in enumerate(self.checks):
            which[mask & ~bad] = k
            bad |= mask
        bad &= ~self.ignore
        if not bad.any():
            return
        rows = np.flatnonzero(bad)
        reasons = [reason for _, reason in self.checks]
        raise BulkValidationError(LazyProblems(rows, which[rows], reasons, self.label))


def labeller(frame: Any) -> Callable[[int], Hashable]:
    """How a row is named in problems: its index label (pandas), else its position."""
    index = getattr(frame, "index", None)
    if index is None or type(frame).__module__.startswith("polars"):
        return int

    def label(row: int) -> Hashable:
        value: Hashable = index[row]
        item = getattr(value, "item", None)
        return item() if callable(item) else value

    return label


def arrow_column(frame: Any, name: str) -> Any:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    column = frame[name]
    if hasattr(column, "to_arrow"):  # polars
        array = column.to_arrow()
    else:
        array = _numpy_backed(column)
        if array is None:
            array = pa.array(column)  # NaN and NaT are nulls
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def _numpy_backed(column: Any) -> Any:
    """A pandas column of numpy numbers or of aware times as an Arrow array sharing its memory.

    ``None`` for any other column, which ``pyarrow.array`` reads.

    ``pyarrow.array`` of a float column looks for NaN to make them nulls, and copies: 4 ms on
    10^6 rows, where this takes one pass to find that there is no NaN (a column with one is
    left to it). Aware times are their instants (NaT a null), in UTC: 3 ms, now 0.3 ms.
    """
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    dtype = getattr(column, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        values = column.to_numpy(copy=False)
        if dtype.kind == "f" and bool(np.isnan(values).any()):
            return None
        return pa.array(values)
    unit, zone = getattr(dtype, "unit", None), getattr(dtype, "tz", None)
    if type(dtype).__name__ != "DatetimeTZDtype" or zone is None or unit not in _UNITS:
        return None
    instants = column.array.view("i8")  # since the epoch, in UTC; NaT is the smallest int64
    nat = instants == np.iinfo(np.int64).min
    array = pa.array(instants, mask=nat if nat.any() else None, type=pa.int64())
    return array.view(pa.timestamp(unit, tz="UTC"))


#: The units of a pandas time column that Arrow's timestamps have too.
_UNITS = ("s", "ms", "us", "ns")


def strings(array: Any, strip: bool = False) -> tuple[CodeArray, list[str], np.ndarray]:
    """Dictionary-encode a string (or integer) Arrow array: codes, sorted labels, null mask.

    Labels are kept as written unless ``strip``: then labels equal once trimmed share a code.
    """
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(array.type):
        indices, dictionary, nulls = _dictionary_codes(array)
    else:
        array = _as_strings(array)
        encoded = pc.dictionary_encode(array)
        if encoded.null_count:
            nulls = np.asarray(encoded.is_null())
            indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        else:  # no pass to find nulls, no copy of the indices
            nulls = np.zeros(len(encoded), dtype=np.bool_)
            indices = encoded.indices.to_numpy()
        dictionary = encoded.dictionary
        del encoded
    if not strip:
        # Arrow sorts UTF-8 bytes, which is the order of code points, as Python sorts str
        order = pc.array_sort_indices(dictionary).to_numpy()
        labels = dictionary.take(order).to_pylist()
        remap = np.empty(order.shape[0] + 1, dtype=np.int32)
        remap[order] = np.arange(order.shape[0], dtype=np.int32)
        remap[-1] = -1  # a null stays -1
        return remap[indices], labels, nulls
    labels = [str(label) for label in dictionary.to_pylist()]
    if strip:
        trimmed = [label.strip() for label in labels]
        merged = {label: i for i, label in enumerate(dict.fromkeys(trimmed))}
        remap = np.asarray([merged[label] for label in trimmed] + [-1], dtype=np.int32)
        indices, labels = remap[indices], list(merged)
    codes, labels = sorted_codes(indices, labels)
    return codes, labels, nulls


def _as_strings(array: Any) -> Any:
    """A string (or integer) Arrow array as ``string`` or ``large_string``."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(array.type):
        array = pc.cast(array, pa.string())
    if pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.large_string())
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        msg = f"has type {array.type}, expected strings"
        raise InvalidTypeError(msg)
    return array


def _dictionary_codes(array: Any) -> tuple[np.ndarray, Any, np.ndarray]:
    """Codes into distinct, used, non-null labels of a dictionary array (pandas categoricals).

    The codes come from the array's own indices, never from its strings: only the dictionary
    (one item per category) is encoded again, as it may repeat a value, hold a null, or hold
    categories no row uses (those are left out, as if the column were plain strings).
    """
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow.compute as pc

    values = pc.dictionary_encode(_as_strings(array.dictionary))
    merged = pc.fill_null(values.indices, -1).to_numpy(zero_copy_only=False)
    merged = np.append(merged.astype(np.int64), -1)  # index -1 (a null row) stays -1
    codes = merged[pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False)]
    nulls = codes < 0
    size = len(values.dictionary)
    used = np.bincount(codes[~nulls], minlength=size) > 0
    dictionary = values.dictionary
    if not used.all():
        compact = np.full(size + 1, -1, dtype=np.int64)
        compact[np.flatnonzero(used)] = np.arange(int(used.sum()))
        codes = compact[codes]
        dictionary = dictionary.filter(used)
    return codes, dictionary, nulls


def _text_numbers(
    array: Any, decimal: Decimal, problems: RowProblems, field: str
) -> tuple[np.ndarray, np.ndarray]:
    """Read a text column of numbers: each distinct text once; blank text is null.

    Text that is not a number is a problem of its rows (``score: '3,5' has a decimal comma...``,
    as the CSV readers word it); those rows read as NaN, and are not null.
    """
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    texts = [str(text) for text in encoded.dictionary.to_pylist()]
    read = np.full(len(texts) + 1, np.nan)
    errors: dict[int, str] = {}
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        try:
            read[i] = parse_number(text, decimal=decimal)
        except ValueError as error:
            errors[i] = f"{field}: {error}"
    values = read[indices]
    bad = np.zeros(len(texts) + 1, dtype=np.bool_)
    bad[list(errors)] = True
    problems.add(bad[indices], lambda row: errors[int(indices[row])])
    return values, np.isnan(values) & ~bad[indices]


def floats(
    array: Any, decimal: Decimal = ".", problems: RowProblems | None = None, field: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 values (NaN for null) and the mask of nulls (and blank or bad text)."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(array.type):
        array = pc.cast(array, array.type.value_type)
    if pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.large_string())
    text = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    if text and problems is not None:
        return _text_numbers(array, decimal, problems, field)
    if not (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
        msg = f"has type {array.type}, expected numbers"
        raise InvalidTypeError(msg)
    nulls = np.asarray(array.is_null())
    values = np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False))
    if nulls.any():
        values = np.where(nulls, np.nan, values)
    return values, nulls


def _text_times(
    array: Any, problems: RowProblems, field: str, assume_tz: tzinfo | None
) -> np.ndarray:
    """Read ISO 8601 text (each distinct text once) as UTC microseconds; bad text a problem."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    texts = [str(text) for text in encoded.dictionary.to_pylist()]
    # a missing time has the code after the texts' (its problem is the last error)
    indices = pc.fill_null(encoded.indices, len(texts)).to_numpy(zero_copy_only=False)
    read = np.zeros(len(texts) + 1, dtype=np.int64)
    errors: dict[int, str] = {len(texts): f"{field}=None must be a timezone-aware datetime"}
    for i, text in enumerate(texts):
        try:
            read[i] = micros(parse_timestamp(text, assume_tz=assume_tz))
        except ValueError as error:
            errors[i] = f"{field}: {error}"
    bad = np.zeros(len(texts) + 1, dtype=np.bool_)
    bad[list(errors)] = True
    problems.add(bad[indices], lambda row: errors[int(indices[row])])
    return np.asarray(read[indices], dtype=np.int64)


def _localized(array: Any, assume_tz: tzinfo) -> np.ndarray:
    """Naive timestamps read as wall-clock times in ``assume_tz``, as UTC microseconds."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(pc.cast(array, pa.timestamp("us"), safe=False))
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    moments: list[datetime] = encoded.dictionary.to_pylist()
    read = np.asarray([micros(m.replace(tzinfo=assume_tz)) for m in moments] + [0])
    return np.asarray(read[indices], dtype=np.int64)


def times(
    array: Any, problems: RowProblems, field: str, assume_tz: tzinfo | None = None
) -> np.ndarray:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    if pa.types.is_dictionary(array.type):
        array = pc.cast(array, array.type.value_type)
    if pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.large_string())
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return _text_times(array, problems, field, assume_tz)
    if not pa.types.is_timestamp(array.type):
        problems.add(
            np.ones(n, np.bool_),
            lambda row: f"{field}={array[row].as_py()!r} must be a timezone-aware datetime",
        )
        return np.zeros(n, np.int64)
    nulls = np.asarray(array.is_null())
    if array.type.tz is None and assume_tz is not None:
        problems.add(nulls, f"{field}=None must be a timezone-aware datetime")
        return _localized(array, assume_tz)
    if array.type.tz is None:
        problems.add(
            np.ones(n, np.bool_),
            lambda row: (
                f"{field}={array[row].as_py().isoformat()!r} is a naive datetime; "
                "expected a timezone-aware datetime (e.g. tzinfo=timezone.utc) or assume_tz"
            ),
        )
        return np.zeros(n, np.int64)
    problems.add(nulls, f"{field}=None must be a timezone-aware datetime")
    unit = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 1}[array.type.unit]
    raw = np.array(
        pc.fill_null(array.cast(pa.int64()), 0).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    if array.type.unit == "ns":
        raw //= 1000
    elif unit != 1:
        raw *= unit
    return raw


def bad_ids(codes: CodeArray, labels: Sequence[str], nulls: np.ndarray) -> np.ndarray:
    empty = np.asarray([not label.strip() for label in labels] + [False], dtype=np.bool_)
    if not empty.any():
        return nulls  # no blank label: only the missing ids (no gather of every row)
    return nulls | empty[codes]


def is_text(array: Any) -> bool:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )
