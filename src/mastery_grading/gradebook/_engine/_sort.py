"""One sort of every evidence row by (student, target, chronological key), and segments.

The sort key is packed into one ``int64`` when it fits: ``group * span + time``, where
``group = student * n_targets + target`` and ``time`` is counted in units of the greatest
common divisor of all time offsets (a whole second, a minute...), so a single ``argsort``
orders the rows. Rows that tie on (group, time) are then put in the order of the remaining
fields of :func:`~mastery_grading.chronological_key` (attempt, source_id, kind, score, weight,
context, independent, UTC offset) by a ``lexsort`` over those rows only, which are few in
practice, rows equal in all of them keeping their input order. When the packed key would
overflow, a full ``lexsort`` is used. From ``SPLIT_ROWS`` rows, the packed keys are sorted in
two parts split at a group, one on each thread when there are two: two sorts of half the rows
take less time than one of all of them, even one after the other, and the order is the same.

The columns are then kept in that order, so that every policy reads them without gathering:
a kernel's segments are the columns themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.gradebook._engine._columns import Columns, IntArray, select_rows
from mastery_grading.gradebook._threads import engine_threads, run_all
from mastery_grading.policies.segments import ColumnFacts, Segments

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["Sorted", "first_rows", "sort_rows", "tie_keys"]

_LIMIT = 2**62

#: The fewest rows whose packed keys are sorted in two parts (on two threads when allowed).
SPLIT_ROWS = 2**18


@dataclass(frozen=True)
class Sorted:
    """Evidence columns in chronological order within each (student, target) group.

    ``columns`` holds every row, sorted; ``order`` gives the position of each sorted row in the
    input (or the ``positions`` passed to :func:`sort_rows`); ``group`` is the group id of each
    sorted row; ``bounds`` has ``n_groups + 1`` items, group ``g`` occupying
    ``bounds[g]:bounds[g + 1]``. ``facts`` caches what kernels learn about whole columns (such
    as whether every score lies on a grid), which holds for any subset of the rows too,
    ``latest_time`` the latest time of any row (microseconds), and
    ``segments`` the kernels' view of every row (the group layout and each group's scale), so
    that every policy computed on the same sorted columns shares them.
    """

    columns: Columns
    order: IntArray
    group: IntArray
    bounds: IntArray
    n_students: int
    n_targets: int
    facts: ColumnFacts = field(init=False, compare=False, repr=False)
    latest_time: int = field(init=False, compare=False, repr=False)
    segments: dict[Any, Segments] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", ColumnFacts(self.columns))
        times = self.columns.time
        latest = int(times.max()) if times.shape[0] else -(2**63)
        object.__setattr__(self, "latest_time", latest)


def tie_keys(cols: Columns) -> list[np.ndarray]:
    """The columns that order rows of one group at the same time, most significant first."""
    keys: list[np.ndarray] = []
    for name in ("attempt", "source", "summative"):
        column = getattr(cols, name)
        if column is not None:
            keys.append(column)
    keys.append(cols.score)
    for name in ("weight", "context", "independent", "offset"):
        column = getattr(cols, name)
        if column is not None:
            keys.append(column)
    return keys


def sort_rows(
    cols: Columns,
    n_targets: int,
    *,
    positions: IntArray | None = None,
    threads: int | None = None,
) -> Sorted:
    """Sort the rows of ``cols`` by group, then by the chronological key.

    Each column is copied in sorted order and the unsorted one released right away, so a caller
    that keeps no other reference to ``cols`` never holds both orders of every column at once.

    Args:
        cols: The evidence columns, in any order.
        n_targets: How many targets the target codes count.
        positions: The position to record for each row of ``cols`` (default: its index).
        threads: How many threads sort (default ``_threads.engine_threads()``); the result is
            the same for any number.

    Example:
        >>> import numpy as np
        >>> from mastery_grading.gradebook._engine import Columns, sort_rows
        >>> cols = Columns(student=np.array([1, 0, 0], np.int32), student_labels=["a", "b"],
        ...                target=np.zeros(3, np.int32), score=np.array([1.0, 2.0, 3.0]),
        ...                time=np.array([5, 9, 4]))
        >>> srt = sort_rows(cols, 1)
        >>> srt.order.tolist(), srt.columns.score.tolist(), srt.bounds.tolist()
        ([2, 1, 0], [3.0, 2.0, 1.0], [0, 2, 3])
    """
    n_students = len(cols.student_labels)
    n_groups = n_students * n_targets
    n = len(cols)
    group = cols.student.astype(np.int64)
    group *= n_targets
    group += cols.target
    counts = np.bincount(group, minlength=n_groups) if n else np.zeros(n_groups, np.int64)
    ties = tie_keys(cols)
    group_sorted: IntArray
    derived: dict[str, Any] = {}
    if n == 0:
        order: IntArray = np.empty(0, dtype=np.int64)
        group_sorted = group
    else:
        tmin = int(cols.time.min())
        offset = cols.time - tmin
        unit = int(np.gcd.reduce(offset)) or 1
        if unit > 1:
            offset //= unit
        span = int(offset.max()) + 1
        if n_groups * span < _LIMIT:
            # The packed key is built in place in `group` to keep the peak memory low.
            group *= span
            group += offset
            packed = [group]
            del offset, group
            # the count is read at every size, so that a bad MASTERY_GRADING_THREADS is
            # refused by small books as by large ones
            count = engine_threads() if threads is None else threads
            if n >= SPLIT_ROWS:
                order, ordered = _argsort_split(packed, counts, span, count)
            else:
                key = packed.pop()
                order = np.argsort(key).astype(np.int64, copy=False)
                ordered = key[order]
                del key
            tie = ordered[1:] == ordered[:-1]
            if tie.any():
                in_run = np.zeros(n, dtype=np.bool_)
                in_run[1:] |= tie
                in_run[:-1] |= tie
                runs = np.flatnonzero(in_run)
                rows = order[runs]
                sub = [k[rows] for k in reversed(ties)]
                # rows equal in every field keep their input order, as in the full lexsort:
                # the order is the same whatever order argsort left equal keys in
                perm = np.lexsort((rows, *sub, ordered[runs]))
                order[runs] = rows[perm]
            del tie
            # the key holds the group and the time: the sorted student, target and time
            # columns are computed from it, in order, where a gather would read each column
            # at a random place a row
            derived = _unpack(ordered, span, unit, tmin, n_targets, cols)
            group_sorted = ordered
        else:
            del offset
            order = np.lexsort((*reversed(ties), cols.time, group)).astype(np.int64)
            group_sorted = group[order]
            del group
    del ties
    arrays: dict[str, Any] = {f.name: getattr(cols, f.name) for f in fields(Columns)}
    arrays.update(derived)
    unpacked = set(derived)
    del cols, derived
    for name in list(arrays):
        if isinstance(arrays[name], np.ndarray) and name not in unpacked:
            arrays[name] = arrays[name][order]  # releases the unsorted column when unshared
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    return Sorted(
        columns=Columns(**arrays),
        order=order if positions is None else positions[order],
        group=group_sorted,
        bounds=bounds,
        n_students=n_students,
        n_targets=n_targets,
    )


def _argsort_split(
    packed: list[IntArray], counts: IntArray, span: int, threads: int
) -> tuple[IntArray, IntArray]:
    """``argsort`` of the packed key and the sorted key, up to the order of equal keys.

    The rows are split at the group that halves them, so every key of the first part is below
    every key of the second: each part is sorted on its own thread if ``threads`` is 2 or more
    (``argsort`` releases the GIL) and the two orders are laid end to end, with no merge.
    ``packed`` holds the key and is emptied, so that the key is released once its parts are
    gathered.
    """
    key = packed.pop()
    n = key.shape[0]
    pivot = int(np.searchsorted(np.cumsum(counts), n // 2, side="right"))
    low = key < pivot * span
    cut = int(np.count_nonzero(low))
    rows = np.empty(n, dtype=np.int64)
    rows[:cut] = np.flatnonzero(low)
    np.logical_not(low, out=low)
    rows[cut:] = np.flatnonzero(low)
    del low
    keys = key[rows]
    del key
    parts = (slice(0, cut), slice(cut, n))
    sorts = run_all([partial(np.argsort, keys[part]) for part in parts], threads=threads)
    order = np.empty(n, dtype=np.int64)
    for part, part_order in zip(parts, sorts, strict=True):
        np.take(rows[part], part_order, out=order[part], mode="clip")
    del rows
    ordered = np.empty_like(keys)
    for part, part_order in zip(parts, sorts, strict=True):
        np.take(keys[part], part_order, out=ordered[part], mode="clip")
    return order, ordered


def _unpack(
    ordered: IntArray, span: int, unit: int, tmin: int, n_targets: int, cols: Columns
) -> dict[str, Any]:
    """The student, target and time columns of sorted packed keys; ``ordered`` becomes groups.

    ``ordered`` holds ``group * span + (time - tmin) // unit`` for each sorted row (the
    division exact: ``unit`` divides every offset); it is turned into the group in place.
    """
    n = ordered.shape[0]
    time = np.remainder(ordered, span)
    ordered //= span
    if unit > 1:
        time *= unit
    time += tmin
    # computed in 64 bits and written in the columns' own types, chunk by chunk: no
    # row-long 64-bit temporary
    student = np.empty(n, dtype=cols.student.dtype)
    np.floor_divide(ordered, n_targets, out=student, casting="unsafe")
    target = np.empty(n, dtype=cols.target.dtype)
    np.remainder(ordered, n_targets, out=target, casting="unsafe")
    return {"student": student, "target": target, "time": time.astype(cols.time.dtype, copy=False)}


def first_rows(srt: Sorted, n_rows: int, students: list[str]) -> Sorted:
    """The sorted rows among the first ``n_rows`` added, laid out for ``students``.

    ``srt`` holds rows added since as well (their ``order`` is ``n_rows`` or more); ``students``
    (sorted) are the students of the first rows, those of a table computed from them.

    Example:
        >>> import numpy as np
        >>> cols = Columns(student=np.array([1, 0, 0], np.int32), student_labels=["a", "b"],
        ...                target=np.zeros(3, np.int32), score=np.array([1.0, 2.0, 3.0]),
        ...                time=np.array([5, 9, 4]))
        >>> first = first_rows(sort_rows(cols, 1), 2, ["a", "b"])
        >>> first.columns.score.tolist(), first.bounds.tolist()
        ([2.0, 1.0], [0, 1, 2])
    """
    keep = srt.order < n_rows
    if bool(keep.all()) and srt.columns.student_labels == students:
        return srt
    cols = select_rows(srt.columns, keep)
    index = {student: i for i, student in enumerate(students)}
    remap = np.asarray([index.get(label, -1) for label in cols.student_labels], dtype=np.int32)
    cols = replace(cols, student=remap[cols.student], student_labels=list(students))
    n_groups = len(students) * srt.n_targets
    group = cols.student.astype(np.int64) * srt.n_targets + cols.target
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(group, minlength=n_groups), out=bounds[1:])
    return Sorted(
        columns=cols,
        order=srt.order[keep],
        group=group,
        bounds=bounds,
        n_students=len(students),
        n_targets=srt.n_targets,
    )
