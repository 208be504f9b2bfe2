"""``duplicate_rows`` against a dict of tuples: every copy found, each row's first copy.

Both ways of finding the rows that may share a hash are checked (counting into buckets, and
the sort of 32-bit values beyond ``_COUNTED`` rows), on keys with many, few or no copies, and
on keys crafted so that different rows have the same 64-bit hash.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

from mastery_grading.gradebook import _duplicates, _threads  # noqa: E402
from mastery_grading.gradebook._duplicates import duplicate_rows  # noqa: E402

_MUL = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def reference(keys: list[Any]) -> list[int]:
    """Each row's first copy, by a dict of the rows' keys as tuples."""
    first: dict[tuple[int, ...], int] = {}
    return [
        first.setdefault(row, i)
        for i, row in enumerate(zip(*(k.tolist() for k in keys), strict=True))
    ]


def step(state: int, value: int) -> int:
    """One column's step of ``duplicate_rows``' hash, in Python integers."""
    state = ((state ^ (value & _MASK)) * _MUL) & _MASK
    return state ^ (state >> 29)


def colliding(a: int, b: int, other: int) -> tuple[int, int]:
    """A row (other, b2) that is not (a, b) and has the same hash as (a, b)."""
    b2 = step(0, a) ^ (b & _MASK) ^ step(0, other)
    return other, b2 - (1 << 64) if b2 >= 1 << 63 else b2


def hash_of(a: int, b: int) -> int:
    return step(step(0, a), b)


def way(name: str) -> Any:
    """Count into buckets (with rounds even for a few rows; the rows hashed in two halves on
    two threads, as from 2^18 rows), or sort 32-bit values (in two halves on two threads, as
    from 2^18 rows beyond the counting)."""
    stack = ExitStack()
    if name.startswith("counted"):
        stack.enter_context(mock.patch.object(_duplicates, "_FEW", 2))
        if name == "counted in halves":
            stack.enter_context(mock.patch.object(_duplicates, "_SPLIT", 2))
            stack.enter_context(mock.patch.object(_threads, "engine_threads", return_value=2))
        return stack
    stack.enter_context(mock.patch.object(_duplicates, "_COUNTED", 0))
    if name == "halves":
        stack.enter_context(mock.patch.object(_duplicates, "_SPLIT", 1))
        stack.enter_context(mock.patch.object(_threads, "engine_threads", return_value=2))
    return stack


WAYS = pytest.mark.parametrize("name", ["counted", "counted in halves", "sorted", "halves"])


columns = st.integers(1, 4).flatmap(
    lambda width: st.lists(
        st.tuples(*[st.integers(-3, 3)] * width)
        | st.tuples(*[st.integers(-(2**62), 2**62)] * width),
        max_size=300,
    ).map(lambda rows: (width, rows))
)


@WAYS
@settings(max_examples=150, deadline=None)
@given(data=columns, copies=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))))
def test_duplicate_rows_is_a_dict_of_tuples(
    name: str, data: tuple[int, list[tuple[int, ...]]], copies: list[tuple[int, int]]
) -> None:
    width, rows = data
    for to, source in copies:  # copies of earlier rows, in place of some rows
        if len(rows) > 1:
            to = 1 + to % (len(rows) - 1)
            rows[to] = rows[source % to]
    keys = [np.asarray([row[c] for row in rows], dtype=np.int64) for c in range(width)]
    if not rows:
        keys = [np.zeros(0, np.int64)] * width
    with way(name):
        assert reference(keys) == duplicate_rows(keys).tolist()


@WAYS
@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.integers(-(2**40), 2**40), st.integers(-(2**62), 2**62)), max_size=60
    ),
    collide=st.lists(st.tuples(st.integers(0, 59), st.integers(-(2**40), 2**40)), max_size=20),
    repeat=st.lists(st.integers(0, 10**6), max_size=20),
)
def test_rows_of_equal_hashes_are_told_apart_exactly(
    name: str,
    pairs: list[tuple[int, int]],
    collide: list[tuple[int, int]],
    repeat: list[int],
) -> None:
    rows = list(pairs)
    for which, other in collide:  # a different row with the same 64-bit hash
        if rows:
            a, b = rows[which % len(rows)]
            if other != a:
                rows.append(colliding(a, b, other))
    for source in repeat:  # and true copies
        if rows:
            rows.append(rows[source % len(rows)])
    keys = [np.asarray([r[0] for r in rows], np.int64), np.asarray([r[1] for r in rows], np.int64)]
    with way(name):
        assert reference(keys) == duplicate_rows(keys).tolist()


def test_the_crafted_rows_do_collide() -> None:
    # the test above has collisions to tell apart only if colliding() gives equal hashes
    a, b = 12, -7
    other, b2 = colliding(a, b, 99)
    assert (other, b2) != (a, b)
    assert hash_of(a, b) == hash_of(other, b2)
    keys = [np.asarray([a, other, a]), np.asarray([b, b2, b])]
    assert duplicate_rows(keys).tolist() == [0, 1, 0]


@pytest.mark.parametrize("n_copies", [0, 3, 40_000])
def test_candidates_keep_every_row_of_a_repeated_hash(n_copies: int) -> None:
    # 200,000 rows: several rounds of buckets; 40,000 copies stop the rounds early
    rng = np.random.default_rng(3)
    hashed = rng.integers(0, 2**64, 200_000, dtype=np.uint64)
    hashed[1 : 2 * n_copies : 2] = hashed[: 2 * n_copies : 2]
    values, counts = np.unique(hashed, return_counts=True)
    expected = np.flatnonzero(np.isin(hashed, values[counts > 1]))
    found = _duplicates._candidates(hashed)
    assert (np.diff(found) > 0).all()  # in order, once each
    assert np.isin(expected, found).all()
    assert found.shape[0] <= 2 * n_copies + (1 << 13)  # few rows by chance


@pytest.mark.parametrize("width", [1, 2, 4])
def test_rows_hashed_in_halves_hash_as_in_one(width: int) -> None:
    # the two threads' halves write the hash of every row, as one thread does; a narrow code
    # (int32, bool) hashes as its int64 value
    rng = np.random.default_rng(width)
    n = 3 * _duplicates._HASH_CHUNK + 5
    columns = [rng.integers(-9, 9, n).astype(dtype) for dtype in ("int32", "int64", "bool")]
    columns = columns[:width] if width < 4 else [*columns, columns[1]]
    whole = np.empty(n, np.uint64)
    _duplicates._hash_rows(columns, whole, 0, n)
    halves = np.empty(n, np.uint64)
    _duplicates._hash_rows(columns, halves, 0, n // 2)
    _duplicates._hash_rows(columns, halves, n // 2, n)
    assert (whole == halves).all()
    widened = [column.astype(np.int64) for column in columns]
    expected = [0] * n
    for column in widened:
        expected = [
            step(state, value) for state, value in zip(expected, column.tolist(), strict=True)
        ]
    assert whole.tolist() == expected


def test_keys_that_are_not_integer_codes_hash_as_their_int64_values() -> None:
    # object and float keys are read as int64, as before the hash was computed in place
    assert [0, 1, 0] == duplicate_rows([np.array([1, 2, 1], dtype=object)]).tolist()
    assert [0, 0, 2, 3] == duplicate_rows([np.array([0.0, -0.0, 1.5, 1.2])]).tolist()
