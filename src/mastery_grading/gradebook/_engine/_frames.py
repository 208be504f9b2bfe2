"""Reading pandas and polars DataFrames into validated :class:`Columns`, through Arrow.

With pyarrow installed (the ``fast`` extra) every column is taken as an Arrow array (zero-copy
for polars and for pandas' Arrow-backed strings), string ids are dictionary-encoded by
``pyarrow.compute.dictionary_encode`` and every check is a vectorized mask. We chose Arrow
deliberately: on a million Python strings ``pandas.factorize`` takes about 0.6 s, Arrow's
dictionary encoding about 0.05 s. Without pyarrow, a pandas or polars frame is read row by row
through :class:`~mastery_grading.Evidence` (correct, slower). A polars ``LazyFrame`` is
collected first. An optional column whose type is null (every value missing, as pandas and
polars type a column of ``None``) is read as absent.

Values follow the rules of every input path (``mastery_grading._text.TextRules``): a
missing score (null or ``NaN``) is skipped, its row reported back for one warning, or refused
with ``missing_scores="error"``; number columns may be text (each distinct text read once, with
the ``decimal`` mark); time columns may be ISO 8601 text (each distinct text read once) and take
``assume_tz`` when they have no offset; ids are kept as written unless ``strip_ids``.

Bad rows are collected over every column and raised once as
:class:`~mastery_grading.exceptions.BulkValidationError`, row positions counted from 0 in frame
order. Each check keeps a mask and one reason; only the rows the message shows are worded, so
rejecting a million bad rows stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, overload

from mastery_grading._extras import available, require
from mastery_grading._text import (
    ID_FIELDS,
    Decimal,
    TextRules,
    is_missing,
    parse_number,
    parse_timestamp,
    read_record,
)
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, InvalidTypeError, InvalidValueError
from mastery_grading.gradebook._engine._columns import (
    CodeArray,
    Columns,
    columns_from_evidence,
    micros,
    select_rows,
    sorted_codes,
)
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["columns_from_frame"]

REQUIRED = ("student_id", "target_id", "score", "observed_at")
OPTIONAL = ("kind", "weight", "source_id", "context", "attempt", "independent")


Reason = Callable[[int], str] | str


class _LazyProblems(Sequence[tuple[int, str]]):
    """``(row, reason)`` of every bad row in row order; a reason is worded when it is read."""

    def __init__(self, rows: np.ndarray, which: np.ndarray, reasons: list[Reason]) -> None:
        self._rows = rows
        self._which = which
        self._reasons = reasons

    def __len__(self) -> int:
        return int(self._rows.shape[0])

    def _item(self, i: int) -> tuple[int, str]:
        row = int(self._rows[i])
        reason = self._reasons[int(self._which[i])]
        return row, reason(row) if callable(reason) else reason

    @overload
    def __getitem__(self, index: int) -> tuple[int, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, str]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, str] | list[tuple[int, str]]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            msg = f"problem index {index} out of range"
            raise IndexError(msg)
        return self._item(index % len(self))


class _Problems:
    """Checks over every row: a mask of the bad rows and one reason each.

    A row flagged by several checks gets the reason of the first one.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.checks: list[tuple[np.ndarray, Reason]] = []
        #: Rows skipped (a missing score): never a problem, whatever else they hold.
        self.ignore = np.zeros(n, dtype=np.bool_)

    def add(self, mask: np.ndarray, reason: Reason) -> None:
        """Record ``reason`` (a string, or a function of the row) for every row where ``mask``."""
        if mask.any():
            self.checks.append((mask, reason))

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
        raise BulkValidationError(_LazyProblems(rows, which[rows], reasons))


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


def _strings(array: Any, strip: bool = False) -> tuple[CodeArray, list[str], np.ndarray]:
    """Dictionary-encode a string (or integer) Arrow array: codes, sorted labels, null mask.

    Labels are kept as written unless ``strip``: then labels equal once trimmed share a code.
    """
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
    if strip:
        trimmed = [label.strip() for label in labels]
        merged = {label: i for i, label in enumerate(dict.fromkeys(trimmed))}
        remap = np.asarray([merged[label] for label in trimmed] + [-1], dtype=np.int32)
        indices, labels = remap[indices], list(merged)
    codes, labels = sorted_codes(indices, labels)
    return codes, labels, nulls


def _text_numbers(
    array: Any, decimal: Decimal, problems: _Problems, field: str
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


def _floats(
    array: Any, decimal: Decimal = ".", problems: _Problems | None = None, field: str = ""
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
    array: Any, problems: _Problems, field: str, assume_tz: tzinfo | None
) -> np.ndarray:
    """Read ISO 8601 text (each distinct text once) as UTC microseconds; bad text a problem."""
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    texts = [str(text) for text in encoded.dictionary.to_pylist()]
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


def _times(
    array: Any, problems: _Problems, field: str, assume_tz: tzinfo | None = None
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


def _bad_ids(codes: CodeArray, labels: Sequence[str], nulls: np.ndarray) -> np.ndarray:
    empty = np.asarray([not label.strip() for label in labels] + [False], dtype=np.bool_)
    return nulls | empty[codes]


def _read_arrow(
    frame: Any, targets: Sequence[LearningTarget], names: dict[str, str], rules: TextRules
) -> tuple[Columns, list[int]]:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    n = len(frame)
    problems = _Problems(n)
    arrays = {field: _arrow(frame, name) for field, name in names.items()}
    for field in OPTIONAL:
        if field in arrays and pa.types.is_null(arrays[field].type):
            del arrays[field]  # every value missing: as if the column were absent

    def typed(field: str, reader: Any, *args: Any) -> Any:
        try:
            return reader(arrays[field], *args)
        except (InvalidTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            msg = f"column {names[field]!r} for {field} {error}"
            raise InvalidTypeError(msg) from None

    strip = rules.strip_ids
    student, student_labels, student_nulls = typed("student_id", _strings, strip)
    problems.add(
        _bad_ids(student, student_labels, student_nulls),
        lambda row: f"student_id={arrays['student_id'][row].as_py()!r} must be a non-empty string",
    )
    tcodes, tlabels, _ = typed("target_id", _strings, strip)
    index = {t.id: i for i, t in enumerate(targets)}
    remap = np.asarray([index.get(label, -1) for label in tlabels] + [-1], dtype=np.int32)
    target = remap[tcodes]
    problems.add(
        target < 0,
        lambda row: (
            f"target_id={arrays['target_id'][row].as_py()!r} is not a target of this gradebook"
        ),
    )
    score, missing = typed("score", _floats, rules.decimal, problems, "score")
    if not _is_text(arrays["score"]):
        missing |= np.isnan(score)  # NaN is pandas' missing value
    if rules.missing_scores == "error":
        problems.add(
            missing,
            lambda row: (
                f"score={_cell(arrays['score'], row)!r} is missing; expected a number "
                "(missing_scores='error')"
            ),
        )
    else:
        problems.ignore |= missing
    problems.add(
        ~np.isfinite(score) & ~missing,
        lambda row: f"score={float(score[row])!r} is not a finite number",
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

    def out_of_scale(row: int) -> str:
        scale = targets[target[row]].scale
        return (
            f"score={float(score[row])!r} for student {student_labels[student[row]]!r} on target "
            f"{targets[target[row]].id!r} lies outside the scale [{scale.min}, {scale.max}]"
        )

    problems.add(outside, out_of_scale)
    time = _times(arrays["observed_at"], problems, "observed_at", rules.assume_tz)
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
        weight, nulls = typed("weight", _floats, rules.decimal, problems, "weight")
        weight = np.where(nulls, 1.0, weight)
        problems.add(
            ~(np.isfinite(weight) & (weight > 0)),
            lambda row: f"weight={float(weight[row])!r} must be a finite number greater than 0",
        )
        extra["weight"] = weight
    if "attempt" in arrays:
        attempt, nulls = typed("attempt", _floats, rules.decimal, problems, "attempt")
        bad = ~nulls & ~((attempt >= 1) & (attempt == np.floor(attempt)))
        problems.add(bad, lambda row: f"attempt={float(attempt[row])!r} must be an int, at least 1")
        extra["attempt"] = np.where(nulls | bad, 0, attempt).astype(np.int64)
    for field, key in (("source_id", "source"), ("context", "context")):
        if field in arrays:
            codes, labels, nulls = typed(field, _strings, strip)
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
    problems.raise_if_any()
    out = replace(cols, **extra)
    if rules.missing_scores == "skip" and missing.any():
        return _without(out, missing), np.flatnonzero(missing).tolist()
    return out, []


def _without(cols: Columns, rows: np.ndarray) -> Columns:
    """The columns without ``rows`` (a mask); students left without a row are dropped."""
    kept = select_rows(cols, np.flatnonzero(~rows))
    used = np.unique(kept.student)
    labels = [kept.student_labels[i] for i in used.tolist()]
    codes = np.searchsorted(used, kept.student).astype(np.int32)
    return replace(kept, student=codes, student_labels=labels)


def _is_text(array: Any) -> bool:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _cell(array: Any, row: int) -> Any:
    """The value of ``row`` as the frame holds it (``None`` for null)."""
    return array[row].as_py()


def _read_rows(
    frame: Any, targets: Sequence[LearningTarget], names: dict[str, str], rules: TextRules
) -> tuple[Columns, list[int]]:
    """The slow path without pyarrow: one :class:`Evidence` per row, problems collected."""
    index = {t.id: i for i, t in enumerate(targets)}
    by_id = {t.id: t for t in targets}
    if hasattr(frame, "to_dicts"):  # polars
        records = frame.select(list(names.values())).to_dicts()
    else:
        records = frame[list(names.values())].to_dict("records")
    items: list[Evidence] = []
    problems: list[tuple[int, str]] = []
    skipped: list[int] = []
    for pos, record in enumerate(records):
        fields = {field: record[name] for field, name in names.items()}
        if is_missing(fields["score"]):
            if rules.missing_scores == "skip":
                skipped.append(pos)
            else:
                why = f"score={fields['score']!r} is missing; expected a number"
                problems.append((pos, f"{why} (missing_scores='error')"))
            continue
        fields = {k: v for k, v in fields.items() if not (v is None or v != v)}
        if "observed_at" in fields and hasattr(fields["observed_at"], "to_pydatetime"):
            fields["observed_at"] = fields["observed_at"].to_pydatetime()
        for key in ID_FIELDS:
            if isinstance(fields.get(key), int):
                fields[key] = str(fields[key])
        try:
            item = Evidence(**read_record(fields, rules))
        except (InvalidTypeError, InvalidValueError, TypeError, ValueError) as error:
            problems.append((pos, str(error)))
            continue
        target = by_id.get(item.target_id)
        if target is None:
            problems.append(
                (pos, f"target_id={item.target_id!r} is not a target of this gradebook")
            )
        elif not target.scale.contains(item.score):
            scale = target.scale
            problems.append(
                (
                    pos,
                    f"score={item.score!r} for student {item.student_id!r} on target "
                    f"{target.id!r} lies outside the scale [{scale.min}, {scale.max}]",
                )
            )
        else:
            items.append(item)
    if problems:
        raise BulkValidationError(problems)
    return columns_from_evidence(items, index), skipped


def columns_from_frame(
    frame: Any,
    targets: Sequence[LearningTarget],
    columns: Mapping[str, str],
    rules: TextRules | None = None,
) -> tuple[Columns, list[int]]:
    """Return the validated rows of a pandas or polars DataFrame (or LazyFrame) as columns.

    Also returns the positions of the rows skipped for a missing score (``rules``: the
    defaults of ``TextRules`` when ``None``).

    Raises:
        BulkValidationError: Listing every bad row.
        InvalidValueError: If a required column is missing.
        InvalidTypeError: If a column has a type that cannot hold its field.
    """
    if type(frame).__name__ == "LazyFrame" and hasattr(frame, "collect"):
        frame = frame.collect()
    names = _column_names(frame, columns)
    rules = TextRules() if rules is None else rules
    if not available("pyarrow"):
        return _read_rows(frame, targets, names, rules)
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    try:
        return _read_arrow(frame, targets, names, rules)
    finally:
        # Arrow's allocator keeps the memory of freed temporaries (encodings, casts) for reuse;
        # hand it back so that the engine's later numpy arrays can have it.
        pa.default_memory_pool().release_unused()
