"""Reading pandas and polars DataFrames into validated :class:`Columns`, through Arrow.

With pyarrow installed (the ``fast`` extra) every column is taken as an Arrow array (zero-copy
for polars and for pandas' Arrow-backed strings), string ids are dictionary-encoded by
``pyarrow.compute.dictionary_encode`` and every check is a vectorized mask. We chose Arrow
deliberately: on a million Python strings ``pandas.factorize`` takes about 0.6 s, Arrow's
dictionary encoding about 0.05 s. Without pyarrow, a pandas or polars frame is read row by row
through :class:`~mastery_grading.Evidence` (correct, slower). A polars ``LazyFrame`` is
collected first. An optional column whose type is null (every value missing, as pandas and
polars type a column of ``None``) is read as absent.

Bad rows are collected over every column and raised once as
:class:`~mastery_grading.exceptions.BulkValidationError`, each row named by its index label (a
polars frame's rows by position, from 0). Duplicates (see
:mod:`mastery_grading.gradebook._duplicates`) are found vectorized: one sort of a combined key.
Each check keeps a mask and one reason; only the rows the message shows are worded, so
rejecting a million bad rows stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, overload

import attrs

from mastery_grading._extras import available, require
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import (
    BulkValidationError,
    InvalidTypeError,
    InvalidValueError,
    Problem,
)
from mastery_grading.gradebook._duplicates import (
    Duplicates,
    describe_place,
    duplicate_problem,
    duplicate_problems,
    duplicate_rows,
    find_duplicates,
)
from mastery_grading.gradebook._engine._columns import (
    CodeArray,
    Columns,
    columns_from_evidence,
    evidence_at,
    select_rows,
    sorted_codes,
)
from mastery_grading.gradebook._problems import field_problem, out_of_scale, unknown_target
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["columns_from_frame"]

REQUIRED = ("student_id", "target_id", "score", "observed_at")
OPTIONAL = ("kind", "weight", "source_id", "context", "attempt", "independent")


#: Why a row is bad: a fixed message, or a function of the row giving one (or a Problem).
Reason = Callable[[int], "str | Problem"] | str


class _LazyProblems(Sequence[Problem]):
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


class _Problems:
    """Checks over every row: a mask of the bad rows and one reason each.

    A row flagged by several checks gets the reason of the first one. Rows are named by
    ``label``: a pandas frame's index label, a polars frame's position.
    """

    def __init__(self, n: int, label: Callable[[int], Hashable]) -> None:
        self.n = n
        self.label = label
        self.checks: list[tuple[np.ndarray, Reason]] = []

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
        rows = np.flatnonzero(bad)
        reasons = [reason for _, reason in self.checks]
        raise BulkValidationError(_LazyProblems(rows, which[rows], reasons, self.label))


def _labeller(frame: Any) -> Callable[[int], Hashable]:
    """How a row is named in problems: its index label (pandas), else its position."""
    index = getattr(frame, "index", None)
    if index is None or type(frame).__module__.startswith("polars"):
        return int

    def label(row: int) -> Hashable:
        value: Hashable = index[row]
        item = getattr(value, "item", None)
        return item() if callable(item) else value

    return label


def _column_names(frame: Any, columns: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(columns) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        expected = REQUIRED + OPTIONAL
        msg = f"columns key {unknown[0]!r} is not an evidence field; expected one of {expected}"
        raise InvalidValueError(msg)
    present = [str(c) for c in frame.columns]
    names = {}
    for field in REQUIRED + OPTIONAL:
        name = columns.get(field, field)
        if name in present:
            names[field] = name
        elif field in REQUIRED:
            msg = f"frame has no column {name!r} for {field}; columns are {present}"
            raise InvalidValueError(msg)
    return names


def _arrow(frame: Any, name: str) -> Any:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    column = frame[name]
    array = column.to_arrow() if hasattr(column, "to_arrow") else pa.array(column)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def _strings(array: Any) -> tuple[CodeArray, list[str], np.ndarray]:
    """Dictionary-encode a string (or integer) Arrow array: codes, sorted labels, null mask."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(array.type):
        array = pc.cast(array, pa.string())
    if pa.types.is_dictionary(array.type):
        array = pc.cast(array, array.type.value_type)
    if pa.types.is_string_view(array.type):
        array = pc.cast(array, pa.large_string())
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        msg = f"has type {array.type}, expected strings"
        raise InvalidTypeError(msg)
    encoded = pc.dictionary_encode(array)
    nulls = np.asarray(encoded.is_null())
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    labels = [str(label) for label in encoded.dictionary.to_pylist()]
    del encoded
    codes, labels = sorted_codes(indices, labels)
    return codes, labels, nulls


def _floats(array: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 values (NaN for null) and the mask of nulls."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
        msg = f"has type {array.type}, expected numbers"
        raise InvalidTypeError(msg)
    nulls = np.asarray(array.is_null())
    values = np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False))
    if nulls.any():
        values = np.where(nulls, np.nan, values)
    return values, nulls


def _times(array: Any, problems: _Problems, field: str) -> np.ndarray:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    if not pa.types.is_timestamp(array.type):
        problems.add(
            np.ones(n, np.bool_),
            lambda row: f"{field}={array[row].as_py()!r} must be a timezone-aware datetime",
        )
        return np.zeros(n, np.int64)
    if array.type.tz is None:
        problems.add(
            np.ones(n, np.bool_),
            lambda row: (
                f"{field}={array[row].as_py().isoformat()!r} is a naive datetime; "
                "expected a timezone-aware datetime (e.g. tzinfo=timezone.utc)"
            ),
        )
        return np.zeros(n, np.int64)
    nulls = np.asarray(array.is_null())
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


def _bad_ids(codes: CodeArray, labels: Sequence[str], nulls: np.ndarray) -> np.ndarray:
    empty = np.asarray([not label.strip() for label in labels] + [False], dtype=np.bool_)
    return nulls | empty[codes]


def _read_arrow(
    frame: Any, targets: Sequence[LearningTarget], names: dict[str, str], duplicates: Duplicates
) -> Columns:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    n = len(frame)
    problems = _Problems(n, _labeller(frame))
    arrays = {field: _arrow(frame, name) for field, name in names.items()}
    for field in OPTIONAL:
        if field in arrays and pa.types.is_null(arrays[field].type):
            del arrays[field]  # every value missing: as if the column were absent

    def typed(field: str, reader: Any) -> Any:
        try:
            return reader(arrays[field])
        except (InvalidTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            msg = f"column {names[field]!r} for {field} {error}"
            raise InvalidTypeError(msg) from None

    student, student_labels, student_nulls = typed("student_id", _strings)
    problems.add(
        _bad_ids(student, student_labels, student_nulls),
        lambda row: f"student_id={arrays['student_id'][row].as_py()!r} must be a non-empty string",
    )
    tcodes, tlabels, _ = typed("target_id", _strings)
    index = {t.id: i for i, t in enumerate(targets)}
    remap = np.asarray([index.get(label, -1) for label in tlabels] + [-1], dtype=np.int32)
    target = remap[tcodes]
    target_ids = [t.id for t in targets]
    problems.add(
        target < 0,
        lambda row: unknown_target(arrays["target_id"][row].as_py(), target_ids, row=row),
    )
    score, _ = typed("score", _floats)
    problems.add(
        ~np.isfinite(score), lambda row: f"score={float(score[row])!r} is not a finite number"
    )
    bounds = {(t.scale.min, t.scale.max) for t in targets}
    if len(bounds) == 1:
        [(low, high)] = bounds
        outside = score < low
        outside |= score > high
    else:
        lows = np.asarray([t.scale.min for t in targets] + [-np.inf])
        highs = np.asarray([t.scale.max for t in targets] + [np.inf])
        outside = score < lows[target]
        outside |= score > highs[target]

    def outside_scale(row: int) -> Problem:
        return out_of_scale(
            float(score[row]), student_labels[student[row]], targets[target[row]], row=row
        )

    problems.add(outside, outside_scale)
    time = _times(arrays["observed_at"], problems, "observed_at")
    np.maximum(target, 0, out=target)
    cols = Columns(
        student=student,
        student_labels=student_labels,
        target=target,
        score=score,
        time=time,
    )
    extra: dict[str, Any] = {}
    if "kind" in arrays:
        codes, labels, nulls = typed("kind", _strings)
        kinds = [label.strip().lower() for label in labels]
        valid = np.asarray([k in ("formative", "summative") for k in kinds] + [False])
        summative = np.asarray([k == "summative" for k in kinds] + [True])
        problems.add(
            ~valid[codes] & ~nulls,
            lambda row: f"kind={arrays['kind'][row].as_py()!r} must be 'formative' or 'summative'",
        )
        extra["summative"] = summative[codes] | nulls
    if "weight" in arrays:
        weight, nulls = typed("weight", _floats)
        weight = np.where(nulls, 1.0, weight)
        problems.add(
            ~(np.isfinite(weight) & (weight > 0)),
            lambda row: f"weight={float(weight[row])!r} must be a finite number greater than 0",
        )
        extra["weight"] = weight
    if "attempt" in arrays:
        attempt, nulls = typed("attempt", _floats)
        bad = ~nulls & ~((attempt >= 1) & (attempt == np.floor(attempt)))
        problems.add(bad, lambda row: f"attempt={float(attempt[row])!r} must be an int, at least 1")
        extra["attempt"] = np.where(nulls | bad, 0, attempt).astype(np.int64)
    for field, key in (("source_id", "source"), ("context", "context")):
        if field in arrays:
            codes, labels, nulls = typed(field, _strings)
            empty = np.asarray([not label.strip() for label in labels] + [False])

            def not_empty(row: int, f: str = field) -> str:
                return f"{f}={arrays[f][row].as_py()!r} must be a non-empty string"

            problems.add(empty[codes] & ~nulls, not_empty)
            extra[key] = np.where(nulls, -1, codes)
            extra[f"{key}_labels"] = labels
    if "independent" in arrays:
        array = arrays["independent"]
        if not pa.types.is_boolean(array.type):
            msg = (
                f"column {names['independent']!r} for independent has type {array.type}, "
                "expected bool"
            )
            raise InvalidTypeError(msg)
        nulls = np.asarray(array.is_null())
        values = array.fill_null(True).to_numpy(zero_copy_only=False)
        extra["independent"] = np.asarray(values, dtype=np.bool_)
    cols = replace(cols, **extra)
    if duplicates != "keep":
        copies, first = _copies(cols, problems.bad())
        if duplicates == "error":
            problems.add(copies, _duplicate_reason(cols, first, target_ids, problems.label))
        elif copies.any():
            problems.raise_if_any()
            return select_rows(cols, np.flatnonzero(~copies))
    problems.raise_if_any()
    return cols


def _copies(cols: Columns, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mask of rows that copy an earlier good row, and each row's first copy.

    Copies share student, target, time, score (``-0.0`` is ``0.0``), source and kind; rows
    already found bad are left out.
    """
    n = len(cols)
    scores = cols.score + 0.0
    keys: list[Any] = [
        cols.student,
        cols.target,
        cols.time,
        np.where(np.isnan(scores), 0.0, scores).view(np.int64),
        np.full(n, -1) if cols.source is None else cols.source,
        np.ones(n, np.bool_) if cols.summative is None else cols.summative,
        bad.cumsum() * bad,  # every bad row is its own group
    ]
    first = duplicate_rows(keys)
    copies = (first != np.arange(n)) & ~bad
    return copies, first


def _duplicate_reason(
    cols: Columns, first: np.ndarray, target_ids: list[str], label: Callable[[int], Hashable]
) -> Callable[[int], Problem]:
    """Word a copy's problem: every copy of its group, by index label."""
    order = np.argsort(first, kind="stable")
    firsts = first[order]

    def reason(row: int) -> Problem:
        head = int(first[row])
        low, high = np.searchsorted(firsts, [head, head + 1])
        group = [int(r) for r in order[low:high]]
        [item] = evidence_at(cols, [head], target_ids)
        places = [describe_place(label(r)) for r in group]
        return duplicate_problem(item, places)[group.index(row) - 1]

    return reason


def _read_rows(
    frame: Any, targets: Sequence[LearningTarget], names: dict[str, str], duplicates: Duplicates
) -> Columns:
    """The slow path without pyarrow: one :class:`Evidence` per row, problems collected."""
    label = _labeller(frame)
    index = {t.id: i for i, t in enumerate(targets)}
    by_id = {t.id: t for t in targets}
    if hasattr(frame, "to_dicts"):  # polars
        records = frame.select(list(names.values())).to_dicts()
    else:
        records = frame[list(names.values())].to_dict("records")
    items: list[Evidence] = []
    rows: list[int] = []
    found: list[tuple[int, Problem]] = []
    for pos, record in enumerate(records):
        fields = {field: record[name] for field, name in names.items()}
        fields = {k: v for k, v in fields.items() if not (v is None or v != v)}
        if "observed_at" in fields and hasattr(fields["observed_at"], "to_pydatetime"):
            fields["observed_at"] = fields["observed_at"].to_pydatetime()
        for key in ("student_id", "target_id"):
            if isinstance(fields.get(key), int):
                fields[key] = str(fields[key])
        try:
            item = Evidence(**fields)
        except (InvalidTypeError, InvalidValueError, TypeError, ValueError) as error:
            found.append((pos, field_problem(str(error), row=label(pos))))
            continue
        target = by_id.get(item.target_id)
        if target is None:
            found.append((pos, unknown_target(item.target_id, list(by_id), row=label(pos))))
        elif not target.scale.contains(item.score):
            found.append((pos, out_of_scale(item.score, item.student_id, target, row=label(pos))))
        else:
            items.append(item)
            rows.append(pos)
    if duplicates != "keep":
        groups = find_duplicates(items)
        if duplicates == "error":
            place = lambda i: describe_place(label(rows[i]))  # noqa: E731
            found.extend((rows[i], p) for i, p in duplicate_problems(items, groups, place))
        else:
            extra = {i for group in groups for i in group[1:]}
            items = [e for i, e in enumerate(items) if i not in extra]
    if found:
        found.sort(key=lambda pair: pair[0])
        raise BulkValidationError([problem for _, problem in found])
    return columns_from_evidence(items, index)


def columns_from_frame(
    frame: Any,
    targets: Sequence[LearningTarget],
    columns: Mapping[str, str],
    *,
    duplicates: Duplicates = "error",
) -> Columns:
    """Return the validated rows of a pandas or polars DataFrame (or LazyFrame) as columns.

    Raises:
        BulkValidationError: Listing every bad row.
        InvalidValueError: If a required column is missing.
        InvalidTypeError: If a column has a type that cannot hold its field.
    """
    if type(frame).__name__ == "LazyFrame" and hasattr(frame, "collect"):
        frame = frame.collect()
    names = _column_names(frame, columns)
    if not available("pyarrow"):
        return _read_rows(frame, targets, names, duplicates)
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    try:
        return _read_arrow(frame, targets, names, duplicates)
    finally:
        # Arrow's allocator keeps the memory of freed temporaries (encodings, casts) for reuse;
        # hand it back so that the engine's later numpy arrays can have it.
        pa.default_memory_pool().release_unused()
