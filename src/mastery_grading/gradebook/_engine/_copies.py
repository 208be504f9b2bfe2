"""Duplicates among columns: copies within a batch, copies of what a gradebook already holds.

The definition is :mod:`mastery_grading.gradebook._duplicates`'s: same student, target, time,
score (``-0.0`` is ``0.0``), source and kind. Here it is applied to columns, vectorized
(:func:`copies_within`, :func:`copies_of`), and to one piece of evidence against the rows of
its (student, target) group in a sorted store (:func:`holds_copy`).

Example:
    >>> import numpy as np
    >>> from mastery_grading.gradebook._engine import Columns
    >>> def cols(labels, codes, scores):
    ...     n = len(codes)
    ...     return Columns(student=np.array(codes, np.int32), student_labels=labels,
    ...                    target=np.zeros(n, np.int32), score=np.array(scores),
    ...                    time=np.zeros(n, np.int64))
    >>> stored = cols(["ana", "ben"], [0, 1], [3.0, 2.0])
    >>> batch = cols(["ben", "cy"], [0, 0, 1], [2.0, 3.0, 2.0])
    >>> copies_of(stored, batch, np.zeros(3, np.bool_)).tolist()
    [True, False, False]
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.gradebook._duplicates import duplicate_rows, first_copies
from mastery_grading.gradebook._engine._columns import Columns

if TYPE_CHECKING:
    import numpy as np

    from mastery_grading.gradebook._engine._sort import Sorted
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["copies_of", "copies_within", "holds_copy"]


def _keys(cols: Columns, student: Any, source: Any) -> list[Any]:
    """The duplicate key columns of ``cols``, with ids as the given integer codes."""
    n = len(cols)
    scores = cols.score + 0.0  # -0.0 is 0.0
    return [
        student,
        cols.target,
        cols.time,
        np.where(np.isnan(scores), 0.0, scores).view(np.int64),
        np.full(n, -1) if source is None else source,
        np.ones(n, np.bool_) if cols.summative is None else cols.summative,
    ]


def copies_within(
    cols: Columns, bad: np.ndarray, threads: int | None = None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The mask of rows that copy an earlier good row, and the rows of every group of copies.

    The groups are two arrays: the rows that have a copy or are one (in order), and each one's
    first copy (see :func:`~mastery_grading.gradebook._duplicates.first_copies`); both empty
    when no row has a copy. Rows already found bad (``bad``, a mask) are left out: each is its
    own group. ``threads``: as for :func:`~mastery_grading.gradebook.duplicate_rows`.

    Example:
        >>> import numpy as np
        >>> from mastery_grading.gradebook._engine import Columns
        >>> c = Columns(student=np.zeros(3, np.int32), student_labels=["a"],
        ...             target=np.zeros(3, np.int32), score=np.array([1.0, 1.0, -0.0]),
        ...             time=np.zeros(3, np.int64))
        >>> copies, (rows, heads) = copies_within(c, np.zeros(3, np.bool_))
        >>> copies.tolist(), rows.tolist(), heads.tolist()
        ([False, True, False], [0, 1], [0, 0])
    """
    scores = cols.score + 0.0  # -0.0 is 0.0; one copy, canonical in place
    scores[np.isnan(scores)] = 0.0
    # a column with one value for every row (an absent one) tells no rows apart: left out
    keys: list[Any] = [cols.student, cols.target, cols.time, scores.view(np.int64)]
    keys.extend(column for column in (cols.source, cols.summative) if column is not None)
    if bad.any():
        keys.append(bad.cumsum() * bad)  # every bad row is its own group
    copies = np.zeros(len(cols), np.bool_)
    found = first_copies(keys, threads=threads)
    if found is None:
        none = np.zeros(0, np.int64)
        return copies, (none, none)
    rows, heads = found
    copies[rows[heads != rows]] = True
    copies &= ~bad
    return copies, found


def copies_of(
    stored: Columns, cols: Columns, bad: np.ndarray, threads: int | None = None
) -> np.ndarray:
    """The mask of the good rows of ``cols`` that copy a row of ``stored``.

    The two sets of columns have their own student and source labels; rows of ``cols``
    whose student or source ``stored`` never names cannot be copies. One vectorized pass
    over both (a hash and a sort of the combined key).
    """
    n = len(cols)
    if not len(stored) or not n:
        return np.zeros(n, np.bool_)
    possible = ~bad
    student = _recode(cols.student, cols.student_labels, stored.student_labels, possible)
    source = None
    if cols.source is not None or stored.source is not None:
        source = np.full(n, -1, np.int64)
        if cols.source is not None:
            assert cols.source_labels is not None
            source = _recode(cols.source, cols.source_labels, stored.source_labels or [], possible)
    rows = np.flatnonzero(possible)
    if not rows.shape[0]:
        return possible
    mine = _keys(cols, student, source)
    theirs = _keys(stored, stored.student, stored.source)
    if source is not None and stored.source is None:
        theirs[4] = np.full(len(stored), -1)
    combined = [
        np.concatenate([np.asarray(a).astype(np.int64), np.asarray(b)[rows].astype(np.int64)])
        for a, b in zip(theirs, mine, strict=True)
    ]
    first = duplicate_rows(combined, threads=threads)
    copies = np.zeros(n, np.bool_)
    copies[rows] = first[len(stored) :] < len(stored)
    return copies


def _recode(codes: Any, labels: list[str], onto: list[str], possible: np.ndarray) -> Any:
    """Return ``codes`` (over ``labels``) as codes over ``onto``.

    Rows whose label ``onto`` lacks are marked impossible in ``possible``; code ``-1`` (no
    value) stays ``-1``.
    """
    index = {label: i for i, label in enumerate(onto)}
    remap = np.asarray([index.get(label, -2) for label in labels] + [-1], dtype=np.int64)
    recoded = remap[codes]
    possible &= recoded != -2
    return recoded


def holds_copy(srt: Sorted, key: tuple[Any, ...], target_code: int) -> bool:
    """Whether a sorted store holds evidence with the duplicate key ``key``.

    ``key`` is :func:`~mastery_grading.gradebook._duplicates.duplicate_key` of a piece on the
    target of code ``target_code``. Reads only the rows of its (student, target) group: a
    binary search, then the group's times, and the other fields of rows at the same time;
    nothing at all when the piece is later than every row of the store.
    """
    cols = srt.columns
    student_id, _, time, score, source_id, summative = key
    if time > srt.latest_time:  # later than every row: the common case of a live book
        return False
    labels = cols.student_labels
    student = bisect_left(labels, student_id)  # the labels are sorted
    if student == len(labels) or labels[student] != student_id:
        return False
    group = student * srt.n_targets + target_code
    start, stop = srt.bounds[group : group + 2].tolist()
    times = cols.time[start:stop].tolist()
    if time not in times:
        return False
    for row in range(start, stop):
        if times[row - start] != time or cols.score[row] != score:
            continue
        if (True if cols.summative is None else bool(cols.summative[row])) != summative:
            continue
        code = -1 if cols.source is None else int(cols.source[row])
        assert code < 0 or cols.source_labels is not None
        if (None if code < 0 else cols.source_labels[code]) == source_id:  # type: ignore[index]
            return True
    return False
