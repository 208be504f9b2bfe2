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
missing score (null or ``NaN``) is skipped, its row's label reported back for one warning, or
refused with ``missing_scores="error"``; number columns may be text (each distinct text read
once, with the ``decimal`` mark); time columns may be ISO 8601 text (each distinct text read
once) and take ``assume_tz`` when they have no offset; ids are kept as written unless
``strip_ids``. The columns are read by :mod:`._arrow_columns`.

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
from functools import partial
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import available, require
from mastery_grading._text import ID_FIELDS, TextRules, is_missing, read_record
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import (
    BulkValidationError,
    InvalidTypeError,
    InvalidValueError,
    Problem,
)
from mastery_grading.gradebook._duplicates import (
    Duplicates,
    already_added,
    describe_place,
    duplicate_problem,
    duplicate_problems,
    find_duplicates,
)
from mastery_grading.gradebook._engine._arrow_columns import (
    RowProblems,
    arrow_column,
    bad_ids,
    floats,
    is_text,
    labeller,
    strings,
    times,
)
from mastery_grading.gradebook._engine._columns import (
    Columns,
    columns_from_evidence,
    evidence_at,
    select_rows,
)
from mastery_grading.gradebook._engine._copies import copies_of, copies_within
from mastery_grading.gradebook._problems import (
    field_problem,
    missing_score,
    out_of_scale,
    unknown_target,
)
from mastery_grading.gradebook._threads import run_all
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["columns_from_frame"]

REQUIRED = ("student_id", "target_id", "score", "observed_at")
OPTIONAL = ("kind", "weight", "source_id", "context", "attempt", "independent")


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


def _read_arrow(
    frame: Any,
    targets: Sequence[LearningTarget],
    names: dict[str, str],
    duplicates: Duplicates,
    rules: TextRules,
    stored: Columns | None,
    threads: int | None = None,
) -> tuple[Columns, list[Hashable]]:
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    n = len(frame)
    problems = RowProblems(n, labeller(frame))
    arrays = {field: arrow_column(frame, name) for field, name in names.items()}
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
    target_ids = [t.id for t in targets]

    def the_rest() -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray, RowProblems, RowProblems
    ]:
        # the target, score and time columns read (what cannot be read recorded in problems of
        # their own, merged below in the order the checks had on one thread); the checks of
        # whole columns are made on this thread after, so that their masks are not left in
        # the other thread's memory arena (60 MB more held at 10^7 rows)
        numbers, moments = RowProblems(n, problems.label), RowProblems(n, problems.label)
        target = _target_codes(arrays["target_id"], target_ids, strip, typed)
        score, missing = typed("score", floats, rules.decimal, numbers, "score")
        time = times(arrays["observed_at"], moments, "observed_at", rules.assume_tz)
        # Arrow's allocator keeps a heap a thread: this one's temporaries go back here, as the
        # calling thread's do at the end (80 MB more held at 10^7 rows otherwise)
        pa.default_memory_pool().release_unused()
        return target, score, missing, time, numbers, moments

    # The students' ids are encoded on one thread while the other reads the rest: Arrow and
    # numpy release the GIL (see _threads). A target id is one of a few known ones, found
    # without encoding the column; the students' column is the longer job.
    (student, student_labels, student_nulls), (target, score, missing, time, numbers, moments) = (
        run_all([lambda: typed("student_id", strings, strip), the_rest], threads=threads)
    )
    problems.add(
        bad_ids(student, student_labels, student_nulls),
        lambda row: f"student_id={arrays['student_id'][row].as_py()!r} must be a non-empty string",
    )
    problems.add(target < 0, partial(_not_a_target, arrays["target_id"], target_ids))
    problems.checks.extend(numbers.checks)  # text that is not a number
    if not is_text(arrays["score"]):
        missing |= np.isnan(score)  # NaN is pandas' missing value
    if rules.missing_scores == "error":
        problems.add(missing, lambda row: missing_score(arrays["score"][row].as_py(), row=row))
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

    def outside_scale(row: int) -> Problem:
        return out_of_scale(
            float(score[row]), student_labels[student[row]], targets[target[row]], row=row
        )

    problems.add(outside, outside_scale)
    problems.checks.extend(moments.checks)  # times that are missing, naive or not times
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
        codes, labels, nulls = typed("kind", strings)
        kinds = [label.strip().lower() for label in labels]
        valid = np.asarray([k in ("formative", "summative") for k in kinds] + [False])
        summative = np.asarray([k == "summative" for k in kinds] + [True])
        problems.add(
            ~valid[codes] & ~nulls,
            lambda row: f"kind={arrays['kind'][row].as_py()!r} must be 'formative' or 'summative'",
        )
        extra["summative"] = summative[codes] | nulls
    if "weight" in arrays:
        weight, nulls = typed("weight", floats, rules.decimal, problems, "weight")
        weight = np.where(nulls, 1.0, weight)
        problems.add(
            ~(np.isfinite(weight) & (weight > 0)),
            lambda row: f"weight={float(weight[row])!r} must be a finite number greater than 0",
        )
        extra["weight"] = weight
    if "attempt" in arrays:
        attempt, nulls = typed("attempt", floats, rules.decimal, problems, "attempt")
        bad = ~nulls & ~((attempt >= 1) & (attempt == np.floor(attempt)))
        problems.add(bad, lambda row: f"attempt={float(attempt[row])!r} must be an int, at least 1")
        extra["attempt"] = np.where(nulls | bad, 0, attempt).astype(np.int64)
    for field, key in (("source_id", "source"), ("context", "context")):
        if field in arrays:
            codes, labels, nulls = typed(field, strings, strip)
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
    skip = problems.ignore  # rows of a missing score: neither problems nor copies
    drop = skip
    if duplicates != "keep":
        again = np.zeros(len(cols), dtype=np.bool_)  # copies of what the book holds
        if stored is not None:
            again = copies_of(stored, cols, problems.bad() | skip, threads)
        if duplicates == "error":
            problems.add(again, _already_reason(cols, target_ids, problems.label))
        copies, groups = copies_within(cols, problems.bad() | skip | again, threads)
        if duplicates == "error":
            problems.add(copies, _duplicate_reason(cols, groups, target_ids, problems.label))
        else:
            drop = drop | copies | again
    problems.raise_if_any()
    skipped = [problems.label(int(row)) for row in np.flatnonzero(skip)]
    return (_without(cols, drop) if drop.any() else cols), skipped


def _not_a_target(array: Any, target_ids: list[str], row: int) -> str | Problem:
    """The problem of a row whose target is not one of ``target_ids``.

    A blank or missing id is worded as a blank student id is (as records word a blank one),
    another id as an unknown target.
    """
    value = array[row].as_py()
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"target_id={value!r} must be a non-empty string"
    return unknown_target(value, target_ids, row=row)


def _target_codes(
    array: Any, target_ids: list[str], strip: bool, typed: Callable[..., Any]
) -> np.ndarray:
    """Each row's target, as its position among ``target_ids`` (-1: unknown or missing).

    A column of text is looked up among the targets' ids (Arrow's ``index_in``, exact as a
    dictionary encoding is, in about two thirds of its time); ids to trim, integers and
    categoricals are encoded (:func:`strings`), then looked up.
    """
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa
    import pyarrow.compute as pc

    if not strip and (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        known = pa.array(target_ids, type=array.type)
        found = pc.index_in(array, value_set=known)
        codes: np.ndarray = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
        return np.array(codes, dtype=np.int32)  # a copy: Arrow's memory is read-only
    codes, labels, _ = typed("target_id", strings, strip)
    index = {target_id: i for i, target_id in enumerate(target_ids)}
    remap = np.asarray([index.get(label, -1) for label in labels] + [-1], dtype=np.int32)
    found_codes: np.ndarray = remap[codes]
    return found_codes


def _duplicate_reason(
    cols: Columns,
    groups: tuple[np.ndarray, np.ndarray],
    target_ids: list[str],
    label: Callable[[int], Hashable],
) -> Callable[[int], Problem]:
    """Word a copy's problem: every copy of its group, by index label.

    ``groups``: the rows that have a copy or are one, in order, and each one's first copy (as
    :func:`copies_within` gives them).
    """
    rows, heads = groups
    index: list[np.ndarray] = []

    def reason(row: int) -> Problem:
        if not index:  # the rows by their first copy, once: each group is then a slice
            order = np.argsort(heads, kind="stable")
            index.extend((rows[order], heads[order]))
        by_head, sorted_heads = index
        head = int(heads[np.searchsorted(rows, row)])
        low, high = np.searchsorted(sorted_heads, [head, head + 1])
        group = [int(r) for r in by_head[low:high]]
        [item] = evidence_at(cols, [head], target_ids)
        places = [describe_place(label(r)) for r in group]
        return duplicate_problem(item, places)[group.index(row) - 1]

    return reason


def _already_reason(
    cols: Columns, target_ids: list[str], label: Callable[[int], Hashable]
) -> Callable[[int], Problem]:
    """Word the problem of a row whose copy is already in the gradebook."""

    def reason(row: int) -> Problem:
        [item] = evidence_at(cols, [row], target_ids)
        return already_added(item, describe_place(label(row)))

    return reason


def _without(cols: Columns, rows: np.ndarray) -> Columns:
    """The columns without ``rows`` (a mask); students left without a row are dropped."""
    kept = select_rows(cols, np.flatnonzero(~rows))
    used = np.unique(kept.student)
    labels = [kept.student_labels[i] for i in used.tolist()]
    codes = np.searchsorted(used, kept.student).astype(np.int32)
    return replace(kept, student=codes, student_labels=labels)


def _read_rows(
    frame: Any,
    targets: Sequence[LearningTarget],
    names: dict[str, str],
    duplicates: Duplicates,
    rules: TextRules,
    stored: Columns | None,
) -> tuple[Columns, list[Hashable]]:
    """The slow path without pyarrow: one :class:`Evidence` per row, problems collected."""
    label = labeller(frame)
    index = {t.id: i for i, t in enumerate(targets)}
    by_id = {t.id: t for t in targets}
    if hasattr(frame, "to_dicts"):  # polars
        records = frame.select(list(names.values())).to_dicts()
    else:
        records = frame[list(names.values())].to_dict("records")
    items: list[Evidence] = []
    rows: list[int] = []
    found: list[tuple[int, Problem]] = []
    skipped: list[Hashable] = []
    for pos, record in enumerate(records):
        fields = {field: record[name] for field, name in names.items()}
        if is_missing(fields["score"]):
            if rules.missing_scores == "skip":
                skipped.append(label(pos))
            else:
                found.append((pos, missing_score(fields["score"], row=label(pos))))
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
    if duplicates != "keep" and stored is not None and items:
        again = copies_of(stored, columns_from_evidence(items, index), np.zeros(len(items), bool))
        if duplicates == "error":
            for i in np.flatnonzero(again).tolist():
                found.append((rows[i], already_added(items[i], describe_place(label(rows[i])))))
        rows = [r for r, copy in zip(rows, again.tolist(), strict=True) if not copy]
        items = [e for e, copy in zip(items, again.tolist(), strict=True) if not copy]
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
    return columns_from_evidence(items, index), skipped


def columns_from_frame(
    frame: Any,
    targets: Sequence[LearningTarget],
    columns: Mapping[str, str],
    *,
    duplicates: Duplicates = "error",
    rules: TextRules | None = None,
    stored: Columns | None = None,
    threads: int | None = None,
) -> tuple[Columns, list[Hashable]]:
    """Return the validated rows of a pandas or polars DataFrame (or LazyFrame) as columns.

    Also returns the rows skipped for a missing score, named as problems name them (a pandas
    frame's index labels, a polars frame's positions); ``rules``: the defaults of
    ``TextRules`` when ``None``. ``stored``: the columns of the evidence already in the
    gradebook, whose copies are duplicates too (refused or dropped as ``duplicates`` says).
    ``threads``: how many threads encode the id columns (``None``: see ``_threads``).

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
        return _read_rows(frame, targets, names, duplicates, rules, stored)
    require("pyarrow", extra="fast", feature="reading Arrow-backed frames")
    import pyarrow as pa

    try:
        return _read_arrow(frame, targets, names, duplicates, rules, stored, threads)
    finally:
        # Arrow's allocator keeps the memory of freed temporaries (encodings, casts) for reuse;
        # hand it back so that the engine's later numpy arrays can have it.
        pa.default_memory_pool().release_unused()
