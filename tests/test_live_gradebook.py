"""A gradebook kept live: add evidence, then results() patches only the touched groups."""

from __future__ import annotations

import itertools
import math
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mastery_grading import Evidence, Gradebook, LearningTarget, ResultTable, policies
from mastery_grading.testing import strategies as mst
from mastery_grading.testing.examples import scores_to_history

ENGINES = ["python", "numpy"]

POLICIES: list[Any] = [
    # incremental: patched through running states
    policies.Mean(),
    policies.DecayingAverage(),
    policies.MostRecent(),
    policies.Highest(),
    policies.NTimes(n=2),
    policies.WeightedAverage(),
    # not incremental: touched groups evaluated again
    policies.Median(),
    policies.PowerLaw(),
    policies.MeanOfRecent(n=2),
]


def unique(items: list[Evidence]) -> list[Evidence]:
    """The evidence without repeats of (student, target, time, score, source, kind)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for e in items:
        key = (e.student_id, e.target_id, e.observed_at, e.score, e.source_id, e.kind)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def assert_same_table(live: ResultTable, fresh: ResultTable) -> None:
    """The same rows, counts, reasons, levels and mastery; values within 1e-9."""
    assert live.students == fresh.students
    assert [t.id for t in live.targets] == [t.id for t in fresh.targets]
    for got, want in zip(live.records(), fresh.records(), strict=True):
        value, expected = got.pop("value"), want.pop("value")
        assert got == want
        assert (value is None) == (expected is None)
        if value is not None:
            assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9)
    for got_result, want_result in zip(live, fresh, strict=True):
        assert (got_result.student_id, got_result.level) == (
            want_result.student_id,
            want_result.level,
        )


@st.composite
def add_sequences(draw: st.DrawFn) -> tuple[list[LearningTarget], list[list[Evidence]]]:
    """Targets and evidence cut into batches added one after another."""
    targets, items = draw(mst.gradebook_evidence(max_students=4, max_size=30))
    items = unique(items)
    cuts = sorted(draw(st.lists(st.integers(0, len(items)), max_size=6)))
    bounds = [0, *cuts, len(items)]
    return targets, [items[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=add_sequences(), as_of_day=st.none() | st.integers(0, 200))
def test_a_live_book_gives_the_table_of_a_fresh_book(
    engine: Any,
    policy: Any,
    sequence: tuple[list[LearningTarget], list[list[Evidence]]],
    as_of_day: int | None,
) -> None:
    targets, batches = sequence
    as_of = None if as_of_day is None else mst.EPOCH + timedelta(days=as_of_day)
    book = Gradebook(targets=targets, engine=engine)
    added: list[Evidence] = []
    for batch in batches:
        book.add(batch)
        added.extend(batch)
        live = book.results(policy, as_of=as_of)
        fresh = Gradebook.from_evidence(added, targets=targets, engine=engine)
        assert_same_table(live, fresh.results(policy, as_of=as_of))


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=25, deadline=None)
@given(sequence=add_sequences())
def test_a_live_book_with_one_policy_per_target(
    engine: Any, sequence: tuple[list[LearningTarget], list[list[Evidence]]]
) -> None:
    targets, batches = sequence
    rules: dict[str, Any] = {t.id: policies.Mean() for t in targets}
    rules[targets[0].id] = policies.Median()
    book = Gradebook(targets=targets, engine=engine)
    added: list[Evidence] = []
    for batch in batches:
        book.add(batch)
        added.extend(batch)
        fresh = Gradebook.from_evidence(added, targets=targets, engine=engine)
        assert_same_table(book.results(rules), fresh.results(rules))


TARGETS = [LearningTarget(id="T", title="Ratios"), LearningTarget(id="U", title="Rates")]


def class_book(engine: Any) -> Gradebook:
    evidence = [
        e
        for student in ("ana", "ben", "cy")
        for target in ("T", "U")
        for e in scores_to_history([2, 3, 4], target_id=target, student_id=student)
    ]
    return Gradebook.from_evidence(evidence, targets=TARGETS, engine=engine)


def counting_policy(calls: list[int]) -> Any:
    def mean(scores: tuple[float, ...]) -> float:
        calls.append(len(scores))
        return sum(scores) / len(scores)

    return policies.custom_policy(mean, name="counted mean")


@pytest.mark.parametrize("engine", ENGINES)
def test_results_after_add_recompute_only_the_touched_groups(engine: Any) -> None:
    calls: list[int] = []
    policy = counting_policy(calls)
    book = class_book(engine)
    book.results(policy)
    assert 6 == len(calls)  # every group once
    calls.clear()
    late = datetime(2026, 12, 1, tzinfo=UTC)
    book.add(Evidence(student_id="ben", target_id="U", score=0.0, observed_at=late))
    table = book.results(policy)
    assert [4] == calls  # ben on U only, now with four scores
    assert 2.25 == table.explain("ben", "U").value
    calls.clear()
    assert table is book.results(policy)  # nothing added: the same table, nothing computed
    assert [] == calls


@pytest.mark.parametrize("engine", ENGINES)
def test_an_incremental_policy_folds_only_the_new_evidence(engine: Any) -> None:
    book = class_book(engine)
    policy = policies.Mean()
    before = book.results(policy)
    late = datetime(2026, 12, 1, tzinfo=UTC)
    book.add(Evidence(student_id="dee", target_id="T", score=4.0, observed_at=late))
    book.add(Evidence(student_id="ana", target_id="T", score=0.0, observed_at=late))
    after = book.results(policy)
    assert ("ana", "ben", "cy") == before.students  # the table handed out earlier is unchanged
    assert 3.0 == before.explain("ana", "T").value
    assert ("ana", "ben", "cy", "dee") == after.students
    assert [2.25, 3.0] == [r.value for r in after.student_results("ana")]
    assert [4.0, None] == [r.value for r in after.student_results("dee")]
    assert "no evidence" == after.explain("dee", "U").reason
    assert [0.0] == [c.evidence.score for c in after.explain("ana", "T").contributions][-1:]


def test_a_frame_added_to_a_live_book_is_scored_afresh() -> None:
    pd = pytest.importorskip("pandas")
    book = class_book("numpy")
    book.results(policies.Mean())
    book.add_frame(
        pd.DataFrame(
            {
                "student_id": ["ana"],
                "target_id": ["T"],
                "score": [0.0],
                "observed_at": pd.to_datetime(["2026-12-01"], utc=True),
            }
        )
    )
    assert 2.25 == book.results(policies.Mean()).explain("ana", "T").value


# -- the engine's lean path: running totals from the columns, exact only where needed ---------

DAY = datetime(2026, 10, 1, tzinfo=UTC)


def piece(student: str, target: str, score: float, day: int, **fields: Any) -> Evidence:
    return Evidence(
        student_id=student,
        target_id=target,
        score=score,
        observed_at=DAY + timedelta(days=day),
        **fields,
    )


LEAN_POLICIES: list[Any] = [
    policies.Mean(),
    policies.Mean(weighted=False),
    policies.MostRecent(),
    policies.DecayingAverage(),
    policies.DecayingAverage(rate=0.5),
    policies.Highest(),
    policies.NTimes(n=2),
    policies.WeightedAverage(),
    policies.WeightedAverage(weight=0.5),
]

#: (earlier evidence, evidence added one piece at a time): each lands on a path of its own.
SCENARIOS: dict[str, tuple[list[Evidence], list[Evidence]]] = {
    # a mean of grid scores exactly on the mastery threshold: exact, never recomputed
    "grid mean on a threshold": (
        [piece("ana", "T", 2.0, 0), piece("ana", "T", 4.0, 1)],
        [piece("ana", "T", 3.0, 2), piece("ana", "T", 2.5, 3), piece("ana", "T", 3.5, 4)],
    ),
    # decimals off the grid whose float sum misses 3 by a rounding: the exact rule decides
    "decimals near a threshold": (
        [piece("ana", "T", 2.8, 0), piece("ana", "T", 3.2, 1)],
        [piece("ana", "T", 2.9, 2), piece("ana", "T", 3.1, 3), piece("ana", "T", 3.0, 4)],
    ),
    # weights off the grid make the weighted totals inexact
    "weights off the grid": (
        [piece("ana", "T", 2.0, 0, weight=0.3), piece("ana", "T", 4.0, 1, weight=0.3)],
        [piece("ana", "T", 3.0, 2, weight=0.1), piece("ana", "T", 3.0, 3, weight=0.7)],
    ),
    # a piece at the same time as the columns' newest row: its attempt orders them
    "tie with the newest row": (
        [piece("ana", "T", 1.0, 0), piece("ana", "T", 2.0, 5, attempt=2)],
        [piece("ana", "T", 4.0, 5, attempt=1), piece("ana", "T", 3.0, 5, attempt=3)],
    ),
    # older than the columns' newest row: order-free policies fold it, others recompute
    "late evidence": (
        [piece("ana", "T", 1.0, 0), piece("ana", "T", 2.0, 9)],
        [piece("ana", "T", 4.0, 3), piece("ana", "T", 0.5, 10), piece("ana", "T", 3.0, 1)],
    ),
    # too few scores at mastery (n times), then enough
    "undecided, then decided": (
        [piece("ana", "T", 1.0, 0)],
        [piece("ana", "T", 3.0, 1), piece("ana", "T", 1.5, 2), piece("ana", "T", 4.0, 3)],
    ),
    # a group without earlier evidence, and a student new to the book
    "empty groups": (
        [piece("ana", "T", 2.0, 0)],
        [piece("ana", "U", 3.0, 1), piece("ben", "T", 4.0, 2), piece("ben", "U", 1.0, 3)],
    ),
}


@pytest.mark.parametrize("policy", LEAN_POLICIES, ids=repr)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("as_of_day", [None, 4])
def test_each_path_of_the_engine_gives_the_table_of_a_fresh_book(
    policy: Any, scenario: str, as_of_day: int | None
) -> None:
    earlier, later = SCENARIOS[scenario]
    as_of = None if as_of_day is None else DAY + timedelta(days=as_of_day)
    book = Gradebook.from_evidence(earlier, targets=TARGETS, engine="numpy")
    book.results(policy, as_of=as_of)
    added = list(earlier)
    for item in later:
        book.add(item)
        added.append(item)
        fresh = Gradebook.from_evidence(added, targets=TARGETS, engine="numpy")
        live = book.results(policy, as_of=as_of)
        assert_same_table(live, fresh.results(policy, as_of=as_of))
        for student in live.students:  # rows read one by one (no column built) agree too
            for got, want in zip(
                live.student_results(student),
                fresh.results(policy, as_of=as_of).student_results(student),
                strict=True,
            ):
                assert (got.value is None) == (want.value is None)
                assert (got.level, got.reason, got.evidence_count) == (
                    want.level,
                    want.reason,
                    want.evidence_count,
                )
                if want.value is not None:
                    assert got.value == pytest.approx(want.value, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_tables_handed_out_earlier_never_change_as_the_patch_grows_and_is_folded(
    engine: Any,
) -> None:
    # 600 students on one target: adding one piece to each patches 600 rows one at a time,
    # past the size at which a patch is folded into new columns (256 rows here)
    target = LearningTarget(id="T", title="Ratios")
    students = [f"s{i:03d}" for i in range(600)]
    book = Gradebook.from_evidence(
        [piece(s, "T", 2.0, 0) for s in students], targets=[target], engine=engine
    )
    policy = policies.NTimes(n=1)  # undecided (with a reason) until a score at mastery
    tables = [book.results(policy)]
    snapshots = [tables[0].records()]
    for i, student in enumerate(students):
        book.add(piece(student, "T", 4.0, 1 + i))
        table = book.results(policy)
        if i % 97 == 0:  # read some tables whole along the way (their columns are built)
            snapshots.append(table.records())
            tables.append(table)
    final = book.results(policy)
    assert [4.0] * 600 == [r.value for r in final]
    for table, snapshot in zip(tables, snapshots, strict=True):
        assert snapshot == table.records()  # unchanged by every later add
    assert "mastery shown 0 of 1 times; 1 more needed" == snapshots[0][0]["reason"]
    assert snapshots[0][599]["reason"] == tables[-1].records()[599]["reason"]
    pd = pytest.importorskip("pandas")
    frame = final.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert frame["reason"].isna().all()
    assert (frame["value"] == 4.0).all()


def test_a_policy_checked_once_is_found_again_without_checking_it() -> None:
    book = class_book("numpy")
    policy = policies.Mean()
    book.results(policy)
    book.add(piece("ana", "T", 0.0, 60))
    again = book.results(policies.Mean())  # an equal policy: the same live table, patched
    assert again.policy is policy
    assert 2.25 == again.explain("ana", "T").value
    with pytest.raises(Exception, match="no policy for the targets"):
        book.results({"T": policy})  # a new mapping is checked


@pytest.mark.parametrize("policy", LEAN_POLICIES[:1] + LEAN_POLICIES[2:], ids=repr)
def test_results_after_one_add_costs_the_changed_rows_not_a_copy_of_the_table(
    policy: Any,
) -> None:
    pd = pytest.importorskip("pandas")
    n_students, n_targets = 20_000, 5  # 10^5 rows in the table, 2 * 10^5 pieces of evidence
    targets = [LearningTarget(id=f"T{t}", title=f"T{t}") for t in range(n_targets)]
    frame = pd.DataFrame(
        {
            "student_id": [f"s{i:05d}" for i in range(n_students) for _ in range(2 * n_targets)],
            "target_id": [f"T{t}" for _ in range(n_students) for t in range(n_targets)] * 2,
            "score": [float(i % 9) / 2 for i in range(2 * n_targets * n_students)],
            "observed_at": pd.Timestamp("2026-09-01", tz="UTC")
            + pd.to_timedelta([i % 50 for i in range(2 * n_targets * n_students)], unit="D"),
        }
    )
    book = Gradebook.from_frame(frame, targets=targets)
    first = book.results(policy)
    for i in range(3):  # the first patches: anything made once is made here
        book.add(piece(f"s{i:05d}", "T1", 4.0, 100 + i))
        book.results(policy)
    tracemalloc.start()
    try:
        book.add(piece("s12345", "T3", 3.5, 200))
        table = book.results(policy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a copy of the values and counts alone would be 1.6 MB
    assert peak < 64_000, f"results() after one add allocated {peak:,} bytes"
    assert table is not first
    assert len(table) == len(first) == 100_000
    assert table.student_results("s12345")[3].evidence_count == 3


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_mapping_changed_since_the_last_call_gives_its_new_policies(engine: Any) -> None:
    # results() finds the last table of the same policy object at once; a mapping is a policy
    # object that can change, so it must be looked up by its items every time
    book = class_book(engine)
    rules: dict[str, Any] = {"T": policies.Mean(), "U": policies.Mean()}
    assert 3.0 == book.results(rules).explain("ana", "T").value
    rules["T"] = policies.MostRecent()
    assert 4.0 == book.results(rules).explain("ana", "T").value
    policy = policies.Mean()
    book.results(policy)
    book.add(scores_to_history([0, 0, 0, 0], target_id="T", student_id="ana")[3:])
    assert 2.25 == book.results(policy).explain("ana", "T").value  # the same object, patched
