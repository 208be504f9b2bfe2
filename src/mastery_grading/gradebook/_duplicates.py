"""Duplicate evidence: the one definition, how copies are found, and how they are worded.

Two pieces of evidence are *duplicates* when they have the same student, target, time (the
same instant, whatever the time zone it is written in), score, source and kind. Weight,
context, attempt and independence do not make two copies different: a row pasted twice with
another weight is still the same observation counted twice.

What to do with them is the caller's decision, ``duplicates=``: ``"error"`` (the default)
refuses the batch and lists every copy, ``"drop"`` keeps the first copy of each, ``"keep"``
counts every copy, as if they were separate observations.

This module does not import numpy; the vectorized engine finds duplicates of a frame's
columns itself (:func:`duplicate_rows`, which needs numpy).

Example:
    >>> from datetime import datetime, timezone
    >>> from mastery_grading import Evidence
    >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
    >>> e = Evidence(student_id="ana", target_id="T", score=3, observed_at=when)
    >>> find_duplicates([e, e.__class__(student_id="ben", target_id="T", score=3,
    ...                                  observed_at=when), e])
    [(0, 2)]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.exceptions import InvalidValueError, Problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DUPLICATE_FIELDS",
    "Duplicates",
    "already_added",
    "check_duplicates_option",
    "describe_place",
    "duplicate_key",
    "duplicate_problem",
    "duplicate_problems",
    "duplicate_rows",
    "find_duplicates",
    "first_copies",
    "settle_duplicates",
]

#: What ``duplicates=`` may be: refuse them (listing every copy), drop all but the first copy,
#: or keep (count) every copy.
Duplicates: TypeAlias = Literal["error", "drop", "keep"]

#: How many copies a duplicate's message names before it counts the rest.
_LISTED = 5

#: The fields that two pieces of evidence share when they are duplicates.
DUPLICATE_FIELDS = ("student_id", "target_id", "observed_at", "score", "source_id", "kind")


def check_duplicates_option(duplicates: str) -> None:
    """Raise if ``duplicates`` is not ``"error"``, ``"drop"`` or ``"keep"``.

    Example:
        >>> check_duplicates_option("twice")
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: duplicates='twice' must be 'error', 'drop' or 'keep'
    """  # noqa: E501
    if duplicates not in ("error", "drop", "keep"):
        msg = f"duplicates={duplicates!r} must be 'error', 'drop' or 'keep'"
        raise InvalidValueError(msg)


def duplicate_key(item: Evidence) -> tuple[Any, ...]:
    """Return what two duplicates share: student, target, time, score, source and kind.

    The time is the instant in whole microseconds since the Unix epoch (09:00Z and
    11:00+02:00 are the same time), ``-0.0`` is ``0.0`` and the kind is whether the evidence
    is summative: the columns of the vectorized engine give the same key.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> duplicate_key(e)
        ('ana', 'T', 1790812800000000, 3.0, None, True)
    """
    return (
        item.student_id,
        item.target_id,
        (item.observed_at - _EPOCH) // _MICROSECOND,
        item.score + 0.0,
        item.source_id,
        item.kind is EvidenceKind.SUMMATIVE,
    )


#: Times in duplicate keys count microseconds from here.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def find_duplicates(
    evidence: Sequence[Evidence], keys: Sequence[tuple[Any, ...]] | None = None
) -> list[tuple[int, ...]]:
    """Return the positions of every group of duplicates (two or more copies), first copy first.

    Groups are ordered by the position of their first copy. ``keys``: the duplicate key of
    each piece (``duplicate_key``), when the caller has them already.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> find_duplicates([e, e, e]), find_duplicates([e])
        ([(0, 1, 2)], [])
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for position, key in enumerate(map(duplicate_key, evidence) if keys is None else keys):
        groups.setdefault(key, []).append(position)
    return [tuple(group) for group in groups.values() if len(group) > 1]


def duplicate_problems(
    evidence: Sequence[Evidence],
    groups: Sequence[Sequence[int]],
    place: Callable[[int], Problem],
) -> list[tuple[int, Problem]]:
    """Return a problem for every copy after the first of each group, naming every copy.

    Args:
        evidence: The evidence the positions index.
        groups: Groups of positions, as :func:`find_duplicates` gives them.
        place: Where a position is: a :class:`~mastery_grading.Problem` with only its location
            (file, line and column, or row) filled in; its ``where`` names the copies.

    Returns:
        ``(position, problem)`` pairs, one per extra copy.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> [(pos, problem)] = duplicate_problems([e, e], [(0, 1)],
        ...                                       lambda pos: Problem(message="", row=pos))
        >>> print(problem)  # doctest: +NORMALIZE_WHITESPACE
        row 1: duplicate evidence: student 'ana', target 'T', score=3.0 at
        2026-10-01T00:00:00+00:00 (source None, kind summative) appears 2 times, at row 0 and
        row 1; expected one copy (duplicates='drop' keeps the first, duplicates='keep' counts
        every copy; --duplicates drop or keep on the command line)
    """
    out: list[tuple[int, Problem]] = []
    for group in groups:
        problems = duplicate_problem(evidence[group[0]], [place(position) for position in group])
        out.extend(zip(group[1:], problems, strict=True))
    return out


def settle_duplicates(
    evidence: Sequence[Evidence], duplicates: Duplicates, place: Callable[[int], Problem]
) -> tuple[list[int], list[Problem]]:
    """Apply ``duplicates`` to a batch: the positions to keep, and the problems of the copies.

    ``"error"`` keeps every position and words a problem for each copy after the first
    (``place`` says where a position is, as for :func:`duplicate_problems`); ``"drop"`` keeps
    the first copy of each; ``"keep"`` keeps everything.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> settle_duplicates([e, e], "drop", describe_place)
        ([0], [])
        >>> [p.row for p in settle_duplicates([e, e], "error", describe_place)[1]]
        [1]
    """
    everything = list(range(len(evidence)))
    if duplicates == "keep":
        return everything, []
    groups = find_duplicates(evidence)
    if duplicates == "error":
        return everything, [problem for _, problem in duplicate_problems(evidence, groups, place)]
    extra = {position for group in groups for position in group[1:]}
    return [i for i in everything if i not in extra], []


def duplicate_problem(item: Evidence, places: Sequence[Problem]) -> list[Problem]:
    """Return the problems of one group of copies of ``item``: one per copy after the first.

    ``places`` say where each copy is, first copy first (see :func:`duplicate_problems`).

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> [problem] = duplicate_problem(e, [Problem(message="", source="a.csv", line=2),
        ...                                   Problem(message="", source="a.csv", line=5)])
        >>> print(problem)  # doctest: +NORMALIZE_WHITESPACE
        a.csv:5: duplicate evidence: student 'ana', target 'T', score=3.0 at
        2026-10-01T00:00:00+00:00 (source None, kind summative) appears 2 times, at line 2 and
        line 5; expected one copy (duplicates='drop' keeps the first, duplicates='keep' counts
        every copy; --duplicates drop or keep on the command line)
    """
    one_file = len({p.source for p in places}) == 1 and places[0].source is not None
    by_line = one_file and all(p.line is not None for p in places)
    by_row = one_file and all(p.line is None and isinstance(p.row, int) for p in places)
    wheres = [
        f"line {p.line}" if by_line else f"row {p.row}" if by_row else p.where
        for p in places[:_LISTED]
    ]
    if len(places) > _LISTED:
        listed = ", ".join(wheres) + f" and {len(places) - _LISTED} more"
    else:
        listed = ", ".join(wheres[:-1]) + f" and {wheres[-1]}" if len(wheres) > 1 else wheres[0]
    message = (
        f"{_described(item)} appears {len(places)} times, at {listed}; expected one copy {_CHOICES}"
    )
    return [
        Problem(
            message=message,
            source=where.source,
            line=where.line,
            column=where.column,
            row=where.row,
            expected="one copy of each piece of evidence",
        )
        for where in places[1:]
    ]


def duplicate_rows(
    keys: Sequence[npt.NDArray[np.integer[Any]]], *, threads: int | None = None
) -> npt.NDArray[np.int64]:
    """Return, for every row, the first row with the same keys (itself when it is the first).

    ``keys`` are integer code arrays of equal length, one per duplicate field, where equal
    codes mean equal values. Vectorized: a hash of every row, then the rows that may share a
    hash (counted into buckets, or sorted beyond 2^21 rows), on two threads from 2^18 rows
    when ``threads`` allows (``None``: the engine's count, see ``MASTERY_GRADING_THREADS``).
    The result is the same for any number.

    Example:
        >>> import numpy as np
        >>> duplicate_rows([np.array([0, 1, 0, 0]), np.array([5, 5, 5, 6])]).tolist()
        [0, 1, 0, 3]
    """
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    n = len(keys[0]) if keys else 0
    first = np.arange(n, dtype=np.int64)
    found = first_copies(keys, threads=threads)
    if found is not None:
        rows, heads = found
        first[rows] = heads
    return first


def first_copies(
    keys: Sequence[npt.NDArray[np.integer[Any]]], *, threads: int | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """The rows that have a copy (in order) and each one's first copy; ``None``: no copies.

    What :func:`duplicate_rows` finds, without a row-long answer when, as is common, no row
    has a copy.

    Example:
        >>> import numpy as np
        >>> rows, heads = first_copies([np.array([0, 1, 0, 0]), np.array([5, 5, 5, 6])])
        >>> rows.tolist(), heads.tolist()
        ([0, 2], [0, 0])
        >>> first_copies([np.array([0, 1])]) is None
        True
    """
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    from mastery_grading.gradebook._threads import engine_threads, run_all

    n = len(keys[0]) if keys else 0
    if n < 2:
        return None
    columns = [np.asarray(key) for key in keys]
    count = engine_threads() if threads is None else threads
    # One 64-bit hash of every row's keys; rows that may share a hash (_candidates) are sorted
    # by hash: rows with equal hashes are the only candidates. They are then grouped exactly
    # (a sort of their keys), so that a collision never makes two different rows copies.
    hashed = np.empty(n, dtype=np.uint64)
    parts = 2 if count > 1 and n >= _SPLIT else 1
    edges = [n * part // parts for part in range(parts + 1)]
    run_all(
        [partial(_hash_rows, columns, hashed, edges[i], edges[i + 1]) for i in range(parts)],
        threads=count,
    )
    shared = _candidates(hashed, count)
    if not shared.shape[0]:
        return None
    order = np.argsort(hashed[shared])
    ordered = hashed[shared][order]
    equal = ordered[1:] == ordered[:-1]
    if not equal.any():
        return None
    candidate = np.zeros(shared.shape[0], dtype=np.bool_)
    candidate[1:] |= equal
    candidate[:-1] |= equal
    rows = np.sort(shared[order[candidate]])
    exact = np.lexsort([column[rows] for column in reversed(columns)])  # stable
    grouped = rows[exact]
    starts = np.ones(grouped.shape[0], dtype=np.bool_)
    for column in columns:
        values = column[grouped]
        starts[1:] &= values[1:] == values[:-1]
    starts = ~starts
    starts[0] = True
    heads = grouped[np.maximum.accumulate(np.where(starts, np.arange(grouped.shape[0]), 0))]
    copied = heads != grouped
    if not copied.any():
        return None
    # every row of a group with a copy, the first copy included (it is its own head)
    kept = np.isin(heads, heads[copied])
    back = np.argsort(grouped[kept])
    found: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] = (
        grouped[kept][back],
        heads[kept][back],
    )
    return found


def _hash_rows(
    columns: Sequence[npt.NDArray[np.integer[Any]]],
    hashed: npt.NDArray[np.uint64],
    begin: int,
    end: int,
) -> None:
    """Write the hash of rows ``begin`` to ``end`` into ``hashed``, a chunk at a time.

    Every step writes in place, into ``hashed`` or one chunk-long scratch array: a row-long
    temporary would be fresh memory at every call (the allocator hands large blocks back to
    the system), and a page fault costs more than the arithmetic. numpy releases the GIL, so
    two ranges hash on two threads.
    """
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    multiplier = np.uint64(0x9E3779B97F4A7C15)
    shift = np.uint64(29)
    scratch = np.empty(min(_HASH_CHUNK, end - begin), dtype=np.uint64)
    for start in range(begin, end, _HASH_CHUNK):
        stop = min(end, start + _HASH_CHUNK)
        chunk = hashed[start:stop]
        spare = scratch[: stop - start]
        chunk.fill(0)
        for column in columns:
            part = column[start:stop]
            if part.dtype.kind in "iu" and part.dtype.itemsize == 8:
                np.bitwise_xor(chunk, part.view(np.uint64), out=chunk)
            else:  # a narrower code (sign-extended), or anything else, as int64 first
                np.copyto(spare.view(np.int64), part, casting="unsafe")
                np.bitwise_xor(chunk, spare, out=chunk)
            np.multiply(chunk, multiplier, out=chunk)
            np.right_shift(chunk, shift, out=spare)
            np.bitwise_xor(chunk, spare, out=chunk)


#: Rows hashed at a time by :func:`_hash_rows`.
_HASH_CHUNK = 1 << 16

#: Rows whose high halves :func:`_equal_hashes` looks up in its table at a time.
_LOOKED_UP = 1 << 20


def _candidates(
    hashed: npt.NDArray[np.uint64], threads: int | None = None
) -> npt.NDArray[np.int64]:
    """The rows (in order) that may repeat a hash: a superset of the rows whose hash repeats.

    Up to :data:`_COUNTED` rows, no sort of every hash (:func:`_counted`, on one thread: on a
    second, its tables would be fresh memory at every call, whose page faults cost more than
    the thread saves). Beyond, the tables of counts outgrow the processor's cache, and a
    random access a row costs more than a sort of 32-bit values (:func:`_equal_hashes`).
    """
    if hashed.shape[0] > _COUNTED:
        return _equal_hashes(hashed, threads)
    return _counted(hashed)


def _counted(hashed: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """The rows (in order) that may repeat a hash, found by counting into buckets.

    The rows are counted into buckets of some bits of their hash (``np.bincount``), and a row
    alone in its bucket cannot repeat a hash; the rows left are counted again into buckets of
    other bits, until few are left.
    """
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    rows: npt.NDArray[np.int64] | None = None  # None: every row
    values = hashed
    for round_ in range(64):
        m = values.shape[0]
        if m <= _FEW:
            break
        # 2 to 4 buckets a row (about a third of the rows then share one by chance); a table
        # of whether each bucket holds two rows or more (a byte a bucket, in the cache) is
        # read in place of the counts themselves (8 bytes a bucket)
        bits = m.bit_length() + 1
        multiplier = np.uint64(_MULTIPLIERS[round_ % len(_MULTIPLIERS)])
        bucket = values * multiplier
        bucket >>= np.uint64(64 - bits)  # in place: below 2^bits, so its int64 view is it
        crowded = np.bincount(bucket.view(np.int64), minlength=1 << bits) > 1
        shared = np.flatnonzero(crowded[bucket.view(np.int64)])
        del bucket, crowded
        rows = shared if rows is None else rows[shared]
        values = values[shared]
        if 4 * shared.shape[0] > 3 * m:  # most rows are kept: many true copies, stop
            break
    return np.arange(hashed.shape[0], dtype=np.int64) if rows is None else rows


#: The most rows :func:`_candidates` counts into buckets (its first round's table: 2^23
#: counts, 64 MB, and a byte a bucket of whether it holds two rows or more, 8 MB).
_COUNTED = 1 << 21

#: Rows few enough that :func:`_candidates` leaves them to the caller's sort.
_FEW = 1 << 12

#: Odd 64-bit multipliers: each round of :func:`_candidates` draws its buckets from the top
#: bits of the hash times one of them (other bits of the hash each round).
_MULTIPLIERS = (0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD)


def _equal_hashes(
    hashed: npt.NDArray[np.uint64], threads: int | None = None
) -> npt.NDArray[np.int64]:
    """The rows (in order) whose hash's high 32 bits repeat: a superset of the repeated hashes.

    One sort of 32-bit values (not of positions, and not of 64-bit values, each of which
    costs more); then the rows holding a repeated value are found a range of rows at a time.
    From :data:`_SPLIT` rows and with two threads or more (``None``: the engine's count), the
    values below 2^31 and the others are sorted each on its own thread (a value's copies are
    all on one side; numpy's sort releases the GIL), and each thread then finds the rows of
    one half of the rows. Repeats by chance are few (about n^2 / 2^33 pairs) and are told
    apart by the caller.
    """
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    from mastery_grading.gradebook._threads import engine_threads, run_all

    high = (hashed >> np.uint64(32)).astype(np.uint32)
    n = high.shape[0]
    count = engine_threads() if threads is None else threads
    split = count > 1 and n >= _SPLIT
    if split:
        below = high < np.uint32(1 << 31)
        parts = [high[below], high[~below]]  # copies, each sorted in place
        del below
        found = run_all([partial(_repeated_values, part) for part in parts], threads=count)
        del parts
        repeated = np.concatenate(found)
    else:
        repeated = _repeated_values(np.array(high))
    if not repeated.shape[0]:
        return np.zeros(0, dtype=np.int64)
    # membership by a table of the low bits first (one gather a row, where a binary search
    # among thousands of chance repeats at 10^7 rows cost far more), then exactly. The table
    # has about 64 slots a repeated value, at least 2^16 and at most 2^20: small enough to stay
    # in the processor's cache (one of 2^24 cost 14 ms of cache misses at 10^6 rows, one of
    # 2^18 under 2 ms), large enough that few rows pass it by chance (about 1 % at 10^7 rows)
    bits = min(20, max(16, (64 * repeated.shape[0]).bit_length()))
    mask = np.uint32((1 << bits) - 1)
    table = np.zeros(1 << bits, dtype=np.bool_)
    table[repeated & mask] = True
    edges = [0, n // 2, n] if split else [0, n]

    def rows_of(begin: int, end: int) -> npt.NDArray[np.int64]:
        found: list[npt.NDArray[np.int64]] = []
        for start in range(begin, end, _LOOKED_UP):  # no row-long temporary
            values = high[start : min(end, start + _LOOKED_UP)]
            maybe = np.flatnonzero(table[values & mask])
            found.append(maybe[np.isin(values[maybe], repeated)] + start)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    steps = [partial(rows_of, edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    return np.concatenate(run_all(steps, threads=count))


def _repeated_values(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The values that ``values`` holds twice or more, sorted; ``values`` is sorted in place."""
    require("numpy", extra="data", feature="duplicate_rows()")
    import numpy as np

    values.sort()
    equal = values[1:] == values[:-1]
    if not equal.any():
        return np.zeros(0, dtype=np.uint32)
    found: npt.NDArray[np.uint32] = np.unique(values[1:][equal])
    return found


#: The fewest rows that :func:`first_copies` hashes, and :func:`_equal_hashes` searches, in
#: two halves on two threads.
_SPLIT = 1 << 18


def already_added(item: Evidence, place: Problem) -> Problem:
    """Return the problem of ``item`` when a copy of it is already in the gradebook.

    ``place`` says where ``item`` is in its batch (see :func:`duplicate_problems`).

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="T", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> print(already_added(e, describe_place(0)))  # doctest: +NORMALIZE_WHITESPACE
        row 0: duplicate evidence: student 'ana', target 'T', score=3.0 at
        2026-10-01T00:00:00+00:00 (source None, kind summative) is already in the gradebook;
        expected one copy (duplicates='drop' keeps the first, duplicates='keep' counts every
        copy; --duplicates drop or keep on the command line)
    """
    return attrs.evolve(
        place,
        message=f"{_described(item)} is already in the gradebook; expected one copy {_CHOICES}",
        expected="one copy of each piece of evidence",
    )


def _described(item: Evidence) -> str:
    return (
        f"duplicate evidence: student {item.student_id!r}, target {item.target_id!r}, "
        f"score={item.score!r} at {item.observed_at.isoformat()} (source "
        f"{item.source_id!r}, kind {item.kind.value})"
    )


#: What a duplicate's message says the caller may choose instead.
_CHOICES = (
    "(duplicates='drop' keeps the first, duplicates='keep' counts every copy; --duplicates "
    "drop or keep on the command line)"
)


def describe_place(row: Hashable) -> Problem:
    """A problem template that only says where a row is (a position or an index label).

    Example:
        >>> describe_place(4).where
        'row 4'
    """
    return Problem(message="", row=row)
