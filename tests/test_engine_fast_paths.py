"""The engine's fast paths (no sort when order is free, dictionary codes, threads) keep results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import Evidence, Gradebook, LearningTarget, Policy, Scale, policies

np = pytest.importorskip("numpy")

from mastery_grading.gradebook._engine import (  # noqa: E402
    Columns,
    EngineResult,
    compute_per_target,
    sort_rows,
)
from mastery_grading.gradebook._engine._order_free import order_free  # noqa: E402
from mastery_grading.gradebook._engine._sort import first_rows  # noqa: E402

TARGETS = [
    LearningTarget(id="A", title="A"),
    LearningTarget(id="B", title="B", scale=Scale.percent(mastery=3.5)),
    LearningTarget(id="C", title="C"),
]
ORDER_FREE = [
    policies.Mean(),
    policies.Mean(weighted=False),
    policies.Highest(),
    policies.MostRecent(),
    policies.NTimes(n=1),
    policies.NTimes(n=2),
]
ON_GRID = [0.0, 0.5, 1.0, 2.5, 3.0, 3.25, 3.5, 4.0]
OFF_GRID = [*ON_GRID, 2.33, 0.1, -0.0]


@st.composite
def columns(
    draw: st.DrawFn, scores: list[float] = ON_GRID, weights: tuple[float, ...] = (1.0, 0.5, 2.0)
) -> Columns:
    n_students = draw(st.integers(1, 4))
    n = draw(st.integers(0, 40))
    ints = st.lists(st.integers(0, 10**6), min_size=n, max_size=n)

    def pick(values: list[Any], dtype: Any) -> Any:
        return np.asarray([values[i % len(values)] for i in draw(ints)], dtype=dtype)

    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["weight"] = pick(list(weights), np.float64)
    if draw(st.booleans()):
        extra["attempt"] = pick([0, 1, 2], np.int64)
    if draw(st.booleans()):
        extra["source"], extra["source_labels"] = pick([-1, 0, 1], np.int32), ["q1", "q2"]
    return Columns(
        student=pick(list(range(n_students)), np.int32),
        student_labels=[f"s{i}" for i in range(n_students)],
        target=pick([0, 1, 2], np.int32),
        score=pick(scores, np.float64),
        time=pick([0, 10, 20, 30], np.int64),  # few times: many ties within a group
        **extra,
    )


def assert_identical(expected: EngineResult, actual: EngineResult) -> None:
    missing = np.isnan(expected.values)
    assert missing.tolist() == np.isnan(actual.values).tolist()
    assert expected.values[~missing].tobytes() == actual.values[~missing].tobytes()
    assert expected.counts.tolist() == actual.counts.tolist()
    assert dict(expected.reasons) == dict(actual.reasons)


@settings(max_examples=60, deadline=None)
@given(
    cols=columns(OFF_GRID, (1.0, 0.5, 2.0, 0.3)),
    policy=st.sampled_from(ORDER_FREE),
    as_of=st.none() | st.sampled_from([0, 15, 30]),
)
def test_order_free_equals_the_sorted_engine_or_leaves_it_the_case(
    cols: Columns, policy: Policy, as_of: int | None
) -> None:
    out = order_free([policy] * len(TARGETS), cols, TARGETS, as_of=as_of)
    if out is None:  # only where the order of the rows could change the floats
        off = np.isin(cols.score, [2.33, 0.1]).any() | np.signbit(cols.score).any()
        assert off or (cols.weight is not None and bool((cols.weight == 0.3).any()))
        return
    expected = compute_per_target([policy] * len(TARGETS), sort_rows(cols, 3), TARGETS, as_of=as_of)
    assert_identical(expected, out)


@settings(max_examples=40, deadline=None)
@given(cols=columns(), policy=st.sampled_from(ORDER_FREE))
def test_on_the_grid_every_order_free_policy_is_computed_without_a_sort(
    cols: Columns, policy: Policy
) -> None:
    out = order_free([policy] * len(TARGETS), cols, TARGETS)
    assert out is not None
    assert_identical(compute_per_target([policy] * 3, sort_rows(cols, 3), TARGETS), out)


def test_policies_with_order_or_mixed_policies_are_left_to_the_sorted_path() -> None:
    cols = Columns(
        student=np.zeros(2, np.int32),
        student_labels=["s"],
        target=np.zeros(2, np.int32),
        score=np.array([1.0, 2.0]),
        time=np.array([0, 1]),
    )
    targets = TARGETS[:1]
    assert order_free([policies.DecayingAverage()], cols, targets) is None
    assert order_free([policies.Mean(), policies.Highest()], cols, TARGETS[:2]) is None
    assert order_free([], cols, []) is None


def test_the_latest_of_tied_times_follows_the_chronological_key() -> None:
    # three rows at the latest time: attempt 2 beats attempt 1, whatever the scores
    cols = Columns(
        student=np.zeros(4, np.int32),
        student_labels=["s"],
        target=np.zeros(4, np.int32),
        score=np.array([1.0, 4.0, 2.0, 0.5]),
        time=np.array([5, 5, 5, 1]),
        attempt=np.array([1, 1, 2, 3]),
    )
    out = order_free([policies.MostRecent()], cols, TARGETS[:1])
    assert out is not None
    assert [2.0] == out.values.tolist()


def test_first_rows_keeps_the_students_of_the_first_rows() -> None:
    cols = Columns(
        student=np.array([0, 1, 2], np.int32),
        student_labels=["a", "b", "c"],
        target=np.zeros(3, np.int32),
        score=np.array([1.0, 2.0, 3.0]),
        time=np.array([3, 2, 1]),
    )
    # the third row (student "c") was added later; "b" had rows only among the first two
    first = first_rows(sort_rows(cols, 1), 2, ["a", "b"])
    assert ["a", "b"] == first.columns.student_labels
    assert [1.0, 2.0] == first.columns.score.tolist()
    assert [0, 1, 2] == first.bounds.tolist()


def _frame(evidence: list[Evidence]) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(
        {
            "student_id": [e.student_id for e in evidence],
            "target_id": [e.target_id for e in evidence],
            "score": [e.score for e in evidence],
            "observed_at": pd.to_datetime([e.observed_at for e in evidence], utc=True),
        }
    )


def _evidence(student: str, target: str, scores: list[float], day: int = 0) -> list[Evidence]:
    return [
        Evidence(
            student_id=student,
            target_id=target,
            score=score,
            observed_at=START + timedelta(days=day + i, hours=i % 2),
        )
        for i, score in enumerate(scores)
    ]


def test_a_frame_book_without_a_sort_explains_and_stays_live_like_a_fresh_book() -> None:
    pytest.importorskip("pyarrow")
    evidence = [
        *_evidence("ana", "A", [1.0, 3.5, 2.0]),
        *_evidence("ben", "A", [4.0]),
        *_evidence("ben", "C", [3.0, 3.0, 1.0]),
    ]
    later = [*_evidence("ana", "A", [4.0], day=9), *_evidence("cy", "B", [2.5], day=9)]
    for i, policy in enumerate(ORDER_FREE):
        book = Gradebook.from_frame(_frame(evidence), targets=TARGETS)
        first = book.results(policy)
        reference = Gradebook.from_evidence(evidence, targets=TARGETS, engine="python")
        assert reference.results(policy).records() == first.records()
        if i % 2:  # else the rows are first read (and sorted) after the add
            assert 3 == first.explain("ana", "A").evidence_count
        book.add(later)
        fresh = Gradebook.from_evidence(evidence + later, targets=TARGETS, engine="python")
        assert fresh.results(policy).records() == book.results(policy).records()
        # the first table is what it was: its rows are explained from the first rows only
        assert 3 == first.explain("ana", "A").evidence_count
        assert ("ana", "ben") == first.students
        assert 4 == book.results(policy).explain("ana", "A").evidence_count


@settings(max_examples=40, deadline=None)
@given(
    labels=st.lists(st.sampled_from(["b", "a", "é", " a", "", "zz"]), min_size=1, max_size=5),
    picks=st.lists(st.integers(-1, 4), max_size=30),
    strip=st.booleans(),
)
def test_dictionary_columns_are_read_from_their_codes_like_plain_strings(
    labels: list[str], picks: list[int], strip: bool
) -> None:
    pa = pytest.importorskip("pyarrow")
    from mastery_grading.gradebook._engine._arrow_columns import strings

    # a dictionary that may repeat a label, hold a null, or hold labels no row uses
    dictionary = pa.array([*labels, None])
    indices = pa.array([None if p < 0 else p % (len(labels) + 1) for p in picks], pa.int32())
    coded = pa.DictionaryArray.from_arrays(indices, dictionary)
    plain = coded.cast(pa.string())
    want, got = strings(plain, strip), strings(coded, strip)
    assert want[1] == got[1]
    assert want[0].tolist() == got[0].tolist()
    assert want[2].tolist() == got[2].tolist()


def test_one_thread_or_two_give_identical_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    from mastery_grading.gradebook._engine import _sort

    monkeypatch.setattr(_sort, "SPLIT_ROWS", 1)  # the rows are sorted in two parts too
    evidence = [
        *_evidence("ana", "A", [1.0, 3.5, 2.0]),
        *_evidence("ben", "A", [4.0]),
        *_evidence("ben", "C", [3.0, 3.0, 1.0]),
        *_evidence("cy", "B", [2.5, 0.5]),
    ]
    tables, orders = {}, {}
    for threads in ("1", "2"):
        monkeypatch.setenv("MASTERY_GRADING_THREADS", threads)
        book = Gradebook.from_frame(_frame(evidence), targets=TARGETS)
        tables[threads] = [book.results(p).records() for p in [*ORDER_FREE, policies.PowerLaw()]]
        orders[threads] = book._store.sorted_rows().order.tolist()
    assert tables["1"] == tables["2"]
    assert orders["1"] == orders["2"]
    # the keyword wins over the environment variable; the books are the same
    monkeypatch.setenv("MASTERY_GRADING_THREADS", "0")  # not read: would be refused
    for threads_kw in (1, 2):
        book = Gradebook.from_frame(_frame(evidence), targets=TARGETS, threads=threads_kw)
        found = [book.results(p).records() for p in [*ORDER_FREE, policies.PowerLaw()]]
        assert tables["1"] == found
        assert book._store.threads == threads_kw  # the sort's thread count too
        assert book._store.sorted_rows().order.tolist() == orders["1"]


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_a_thread_count_that_is_not_a_whole_number_from_1_is_refused(threads: Any) -> None:
    from mastery_grading.exceptions import InvalidValueError

    with pytest.raises(InvalidValueError, match=f"threads={threads!r} must be a whole number"):
        Gradebook.from_frame(_frame([]), targets=TARGETS, threads=threads)


def test_the_thread_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from mastery_grading.exceptions import InvalidValueError
    from mastery_grading.gradebook._threads import engine_threads, run_all

    monkeypatch.setenv("MASTERY_GRADING_THREADS", "3")
    assert 3 == engine_threads()
    monkeypatch.delenv("MASTERY_GRADING_THREADS")
    assert 1 <= engine_threads() <= 2
    monkeypatch.setenv("MASTERY_GRADING_THREADS", "0")
    with pytest.raises(InvalidValueError, match="MASTERY_GRADING_THREADS='0' must be a whole"):
        engine_threads()

    def fails(text: str) -> Any:
        def step() -> Any:
            raise ValueError(text)

        return step

    # the first failing step's error, as one thread running them in order would raise
    with pytest.raises(ValueError, match="second"):
        run_all([lambda: 1, fails("second"), fails("third")], threads=2)
    with pytest.raises(ValueError, match="first"):
        run_all([fails("first"), fails("second")], threads=2)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 2)), max_size=40))
def test_duplicate_rows_names_each_rows_first_copy(rows: list[tuple[int, int]]) -> None:
    from mastery_grading.gradebook import duplicate_rows

    first: dict[tuple[int, int], int] = {}
    expected = [first.setdefault(row, i) for i, row in enumerate(rows)]
    keys = [np.asarray([a for a, _ in rows], np.int32), np.asarray([b for _, b in rows])]
    assert expected == duplicate_rows(keys).tolist()


@pytest.mark.parametrize("n_repeated", [3, 5_000])
def test_equal_hashes_finds_every_row_of_a_repeated_high_half(n_repeated: int) -> None:
    from mastery_grading.gradebook._duplicates import _equal_hashes

    # 5,000 repeated values size the membership table at 2^19 slots, 3 at the least, 2^16:
    # rows whose low bits fall in a used slot by chance must still be left out
    rng = np.random.default_rng(7)
    high = rng.choice(2**32, 200_000, replace=False).astype(np.uint64)
    high[: n_repeated * 2 : 2] = high[1 : n_repeated * 2 : 2]
    hashed = (high << np.uint64(32)) | rng.integers(0, 2**32, high.shape[0]).astype(np.uint64)
    values, counts = np.unique(high, return_counts=True)
    expected = np.flatnonzero(np.isin(high, values[counts > 1]))
    assert 2 * n_repeated == expected.shape[0]
    assert expected.tolist() == _equal_hashes(hashed).tolist()


@settings(max_examples=80, deadline=None)
@given(
    cols=columns(),
    base=st.integers(-(10**12), 10**12),
    unit=st.sampled_from([1, 7, 1_000_000]),
    wide=st.booleans(),
)
def test_sorted_columns_are_the_input_columns_in_sorted_order(
    cols: Columns, base: int, unit: int, wide: bool
) -> None:
    # The packed path computes the student, target and time columns from the sorted key; the
    # lexsort path (times too far apart to pack) gathers them: both are the input in order.
    time = cols.time * unit + base
    if wide and len(cols):
        time[0] = -(2**62)  # the key would overflow: the lexsort path
    cols = Columns(**{**cols.__dict__, "time": time})
    srt = sort_rows(cols, 3)
    for name, column in cols.__dict__.items():
        if isinstance(column, np.ndarray):
            got = getattr(srt.columns, name)
            assert got.dtype == column.dtype, name
            assert got.tolist() == column[srt.order].tolist(), name
    group = cols.student.astype(np.int64) * 3 + cols.target
    assert srt.group.tolist() == group[srt.order].tolist()


def assert_same_sort(expected: Any, actual: Any) -> None:
    for name in ("order", "group", "bounds"):
        assert getattr(expected, name).tobytes() == getattr(actual, name).tobytes(), name
    assert expected.columns.__dict__.keys() == actual.columns.__dict__.keys()
    for name, column in expected.columns.__dict__.items():
        other = getattr(actual.columns, name)
        if isinstance(column, np.ndarray):
            assert column.dtype == other.dtype, name
            assert column.tobytes() == other.tobytes(), name
        else:
            assert column == other, name


@settings(max_examples=100, deadline=None)
@given(
    cols=columns(),
    unit=st.sampled_from([1, 7]),
    wide=st.booleans(),
    threads=st.integers(1, 3),
    positions=st.booleans(),
)
def test_the_sort_split_on_threads_equals_one_sort(
    cols: Columns, unit: int, wide: bool, threads: int, positions: bool
) -> None:
    # Every input is split (the minimum lowered to 1 row; on one thread the parts are sorted one
    # after the other), ties included: many rows share a group and a time, and are ordered by
    # the rest of the key after the two parts are sorted.
    from mastery_grading.gradebook._engine import _sort

    time = cols.time * unit
    if wide and len(cols):
        time[0] = -(2**62)  # the key would overflow: the full lexsort, on one thread
    cols = Columns(**{**cols.__dict__, "time": time})
    at = np.arange(len(cols), dtype=np.int64)[::-1].copy() if positions else None
    expected = sort_rows(cols, 3, positions=at, threads=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_sort, "SPLIT_ROWS", 1)
        assert_same_sort(expected, sort_rows(cols, 3, positions=at, threads=threads))
        patch.setattr(_sort, "SPLIT_ROWS", 10**9)  # not split: the same again
        assert_same_sort(expected, sort_rows(cols, 3, positions=at, threads=threads))


def test_a_sort_split_on_threads_keeps_a_large_sort_unchanged() -> None:
    # Past the minimum of rows, with students of every size: the part boundary falls inside
    # runs of tied keys of neither part, and the rest of the key orders the ties.
    from mastery_grading.gradebook._engine._sort import SPLIT_ROWS

    rng = np.random.default_rng(5)
    n = SPLIT_ROWS + 1000
    cols = Columns(
        student=(rng.pareto(1.0, n) * 3).astype(np.int32) % 500,
        student_labels=[f"s{i}" for i in range(500)],
        target=rng.integers(0, 3, n).astype(np.int32),
        score=rng.integers(0, 9, n) / 2,
        time=rng.integers(0, 50, n) * 60_000_000,
        attempt=rng.integers(0, 3, n),
    )
    one, two = sort_rows(cols, 3, threads=1), sort_rows(cols, 3, threads=2)
    assert_same_sort(one, two)
    assert np.all(np.diff(one.group) >= 0)
    # an independent reference: by group, time, then the tie keys (attempt, score), then the
    # row's position (rows equal in every field keep their input order)
    group = cols.student.astype(np.int64) * 3 + cols.target
    reference = np.lexsort((np.arange(n), cols.score, cols.attempt, cols.time, group))
    assert one.order.tolist() == reference.tolist()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork (POSIX)")
def test_a_forked_child_runs_steps_on_threads_after_its_parent_did() -> None:
    # The parent's pool of threads is not the child's: the child makes its own, not waiting
    # for ever on a pool whose threads did not come across the fork.
    import os
    import signal

    from mastery_grading.gradebook._threads import run_all

    assert [1, 2] == run_all([lambda: 1, lambda: 2], threads=2)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's own process
        signal.alarm(20)  # a hang ends the child with SIGALRM, which the parent sees
        ok = [1, 2] == run_all([lambda: 1, lambda: 2], threads=2)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), f"the child did not finish: status {status}"
    assert 0 == os.WEXITSTATUS(status)
