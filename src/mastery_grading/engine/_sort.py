"""One sort of every evidence row by (student, target, chronological key), and segments.

The sort key is packed into one ``int64`` when it fits: ``group * span + time``, where
``group = student * n_targets + target`` and ``time`` is counted in units of the greatest
common divisor of all time offsets (a whole second, a minute...), so a single ``argsort``
orders the rows. Rows that tie on (group, time) are then put in the order of the remaining
fields of :func:`~mastery_grading.chronological_key` (attempt, source_id, kind, score, weight,
context, independent) by a ``lexsort`` over those rows only, which are few in practice. When the
packed key would overflow, a full ``lexsort`` is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mastery_grading.engine._columns import Columns, IntArray

__all__ = ["Sorted", "sort_rows"]

_LIMIT = 2**62


@dataclass(frozen=True)
class Sorted:
    """Rows in chronological order within each (student, target) group.

    ``order`` maps sorted positions to rows; ``group`` is the sorted group id of each position;
    ``bounds`` has ``n_groups + 1`` items, group ``g`` occupying ``bounds[g]:bounds[g + 1]``.
    """

    order: IntArray
    group: IntArray
    bounds: IntArray
    n_students: int
    n_targets: int


def _tie_keys(cols: Columns) -> list[np.ndarray]:
    keys: list[np.ndarray] = []
    for name in ("attempt", "source", "summative"):
        column = getattr(cols, name)
        if column is not None:
            keys.append(column)
    keys.append(cols.score)
    for name in ("weight", "context", "independent"):
        column = getattr(cols, name)
        if column is not None:
            keys.append(column)
    return keys


def sort_rows(cols: Columns, n_targets: int) -> Sorted:
    """Sort the rows of ``cols`` by group, then by the chronological key."""
    n_students = len(cols.student_labels)
    n_groups = n_students * n_targets
    n = len(cols)
    group = cols.student * n_targets
    group += cols.target
    counts = np.bincount(group, minlength=n_groups) if n else np.zeros(n_groups, np.int64)
    tie_keys = _tie_keys(cols)
    group_sorted: IntArray
    if n == 0:
        order = np.empty(0, dtype=np.int64)
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
            key = group
            key *= span
            key += offset
            del offset, group
            order = np.argsort(key).astype(np.int64, copy=False)
            ordered = key[order]
            del key
            tie = ordered[1:] == ordered[:-1]
            if tie.any():
                in_run = np.zeros(n, dtype=np.bool_)
                in_run[1:] |= tie
                in_run[:-1] |= tie
                positions = np.flatnonzero(in_run)
                rows = order[positions]
                sub = [k[rows] for k in reversed(tie_keys)]
                perm = np.lexsort((*sub, ordered[positions]))
                order[positions] = rows[perm]
            del tie
            ordered //= span
            group_sorted = ordered
        else:
            del offset
            order = np.lexsort((*reversed(tie_keys), cols.time, group)).astype(np.int64)
            group_sorted = group[order]
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=bounds[1:])
    return Sorted(
        order=order,
        group=group_sorted,
        bounds=bounds,
        n_students=n_students,
        n_targets=n_targets,
    )
