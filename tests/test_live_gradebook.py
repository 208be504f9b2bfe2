"""A gradebook kept live: add evidence, then results() patches only the touched groups."""

from __future__ import annotations

import itertools
import math
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
