"""Incremental updates give the result of evaluate on the whole history."""

from __future__ import annotations

import copy
import math
import pickle
import random
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, history
from mastery_grading import (
    Evidence,
    IncrementalPolicy,
    LearningTarget,
    ScoreOutOfScaleError,
    TargetMismatchError,
    policies,
    sort_chronologically,
)
from mastery_grading.testing import strategies as mst

INCREMENTAL: list[Any] = [
    policy
    for policy in [
        *policies.available_policies().values(),
        policies.Mean(weighted=False),
        policies.DecayingAverage(rate=0.2),
        policies.DecayingAverage(rate=1.0),
    ]
    if isinstance(policy, IncrementalPolicy)
]


def fold(policy: Any, target: LearningTarget, evidence: list[Evidence]) -> Any:
    state = policy.start(target)
    for item in evidence:
        state = policy.update(state, item)
    return state


def test_the_first_policies_are_incremental() -> None:
    names = {type(p).__name__ for p in INCREMENTAL}
    assert {
        "Mean",
        "MostRecent",
        "DecayingAverage",
        "Highest",
        "NTimes",
        "WeightedAverage",
    } <= names


@pytest.mark.parametrize("policy", INCREMENTAL, ids=repr)
@given(pair=mst.histories(max_size=25), seed=st.integers(0, 2**16), in_order=st.booleans())
def test_incremental_result_equals_evaluate(
    policy: Any, pair: tuple[LearningTarget, list[Evidence]], seed: int, in_order: bool
) -> None:
    target, evidence = pair
    if in_order:
        evidence = sorted(evidence, key=lambda e: e.observed_at)
    else:
        random.Random(seed).shuffle(evidence)
    expected = policy.evaluate(evidence, target)
    state = fold(policy, target, evidence)
    actual = policy.result(state)
    assert (expected.value is None) == (actual.value is None) == (state.value is None)
    if expected.value is not None:
        assert math.isclose(expected.value, actual.value, rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(expected.value, state.value, rel_tol=1e-9, abs_tol=1e-9)
    assert expected.level == actual.level
    assert expected.mastered == actual.mastered
    assert expected.evidence_count == actual.evidence_count == state.evidence_count
    assert [c.evidence for c in expected.contributions] == [
        c.evidence for c in actual.contributions
    ]


def test_states_are_values_and_updates_do_not_mutate() -> None:
    policy = policies.DecayingAverage()
    first, second = history([2.0, 4.0])
    state = policy.update(policy.start(MARZANO_TARGET), first)
    later = policy.update(state, second)
    assert 2.0 == state.value
    assert 1 == state.evidence_count
    assert 3.3 == pytest.approx(later.value)
    with pytest.raises(AttributeError):
        state.value = 1.0  # type: ignore[misc]


def test_late_evidence_is_recomputed_for_order_dependent_policies() -> None:
    policy = policies.DecayingAverage(rate=0.5)
    early, middle, late = history([1.0, 2.0, 4.0])
    state = fold(policy, MARZANO_TARGET, [early, late, middle])
    assert policy.evaluate([early, middle, late], MARZANO_TARGET).value == state.value


def test_an_old_score_arriving_late_does_not_replace_the_latest() -> None:
    early, late = history([1.0, 4.0])
    state = fold(policies.MostRecent(), MARZANO_TARGET, [late, early])
    assert 4.0 == state.value


def test_result_at_a_threshold_is_exact() -> None:
    state = fold(policies.Mean(), MARZANO_TARGET, history([2.8, 3.2]))
    result = policies.Mean().result(state)
    assert (3.0, True) == (result.value, result.mastered)


def test_no_evidence_gives_no_value() -> None:
    result = policies.Mean().result(policies.Mean().start(MARZANO_TARGET))
    assert (None, "no evidence") == (result.value, result.reason)


def test_update_checks_target_and_scale() -> None:
    policy = policies.Mean()
    state = policy.start(MARZANO_TARGET)
    with pytest.raises(TargetMismatchError):
        policy.update(state, history([1.0], target_id="other")[0])
    with pytest.raises(ScoreOutOfScaleError):
        policy.update(state, history([9.0])[0])


class CountingInstant(datetime):
    """A datetime that counts the order comparisons made with it (sorting makes them)."""

    comparisons: ClassVar[int] = 0

    def __lt__(self, other: Any) -> bool:
        CountingInstant.comparisons += 1
        return super().__lt__(other)

    def __le__(self, other: Any) -> bool:
        CountingInstant.comparisons += 1
        return super().__le__(other)

    def __gt__(self, other: Any) -> bool:
        CountingInstant.comparisons += 1
        return super().__gt__(other)

    def __ge__(self, other: Any) -> bool:
        CountingInstant.comparisons += 1
        return super().__ge__(other)


def counted_history(scores: list[float]) -> list[Evidence]:
    """Evidence one day apart whose times count how often they are put in order."""
    return [
        Evidence(
            student_id="s1",
            target_id=MARZANO_TARGET.id,
            score=score,
            observed_at=CountingInstant(2026, 9, 1 + day, tzinfo=UTC),
        )
        for day, score in enumerate(scores)
    ]


def test_counting_instants_see_a_sort() -> None:
    evidence = counted_history([1.0, 3.5, 2.0])
    CountingInstant.comparisons = 0
    sort_chronologically(evidence)
    assert CountingInstant.comparisons > 0


@pytest.mark.parametrize("policy", INCREMENTAL, ids=repr)
def test_result_of_an_in_order_state_reads_the_history_without_sorting(policy: Any) -> None:
    """No time is put in order: the history is read as folded, in O(n).

    The scores are chosen so that every policy decides away from a level threshold; an
    undecided value or one near a threshold is recomputed by ``evaluate``, which sorts.
    """
    evidence = counted_history([1.0, 3.5, 2.0, 3.75, 2.5, 3.5, 3.25, 3.5, 3.75, 3.5])
    expected = policy.evaluate(evidence, MARZANO_TARGET)
    assert expected.value is not None
    assert MARZANO_TARGET.scale.level_of(expected.value - 0.01) == expected.level
    state = fold(policy, MARZANO_TARGET, evidence)
    CountingInstant.comparisons = 0
    actual = policy.result(state)
    assert 0 == CountingInstant.comparisons
    assert state.in_order
    assert expected.level == actual.level
    assert [c.evidence for c in expected.contributions] == [
        c.evidence for c in actual.contributions
    ]


def test_late_evidence_leaves_an_order_dependent_history_sorted() -> None:
    policy = policies.DecayingAverage()
    early, middle, late, later = history([1.0, 2.0, 4.0, 3.0])
    state = fold(policy, MARZANO_TARGET, [early, late, middle, later])
    assert state.in_order
    assert [early, middle, late, later] == state.history.to_list()
    assert policy.evaluate([early, middle, late, later], MARZANO_TARGET).value == pytest.approx(
        policy.result(state).value, rel=1e-12
    )


def test_late_evidence_marks_an_order_free_history_unsorted() -> None:
    policy = policies.Mean()
    early, late = history([1.0, 4.0])
    state = fold(policy, MARZANO_TARGET, [late, early])
    assert not state.in_order
    assert [early, late] == [c.evidence for c in policy.result(state).contributions]


def long_state(policy: Any, n: int) -> Any:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    state = policy.start(MARZANO_TARGET)
    for i in range(n):
        state = policy.update(
            state,
            Evidence(
                student_id="s1",
                target_id=MARZANO_TARGET.id,
                score=float(i % 5),
                observed_at=start + timedelta(minutes=i),
            ),
        )
    return state


@pytest.mark.slow
def test_a_state_of_a_hundred_thousand_scores_prints_compares_pickles_and_copies() -> None:
    policy = policies.DecayingAverage()
    state = long_state(policy, 100_000)
    assert 100_000 == state.evidence_count == len(state.history)
    assert "100000 pieces of evidence" in repr(state)
    for copied in (pickle.loads(pickle.dumps(state)), copy.deepcopy(state), copy.copy(state)):
        assert copied == state
        assert copied.history.to_list() == state.history.to_list()
        assert copied.value == state.value
    later = Evidence(
        student_id="s1",
        target_id=MARZANO_TARGET.id,
        score=3.0,
        observed_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert state != policy.update(state, later)


def test_states_stay_unchanged_when_an_old_state_is_updated_twice() -> None:
    policy = policies.Mean()
    first, second, third = history([1.0, 2.0, 4.0])
    one = policy.update(policy.start(MARZANO_TARGET), first)
    two = policy.update(one, second)
    other = policy.update(one, third)  # a branch: must not see `second`, nor change `two`
    assert [first, second] == two.history.to_list()
    assert [first, third] == other.history.to_list()
    assert [first] == one.history.to_list()
    assert (1.5, 2.5) == (two.value, other.value)
    assert pickle.loads(pickle.dumps(two)) == two


def test_update_refuses_evidence_of_another_student() -> None:
    policy = policies.Mean()
    ana, ben = history([2.0], student_id="ana")[0], history([4.0], student_id="ben")[0]
    state = policy.update(policy.start(MARZANO_TARGET), ana)
    assert "ana" == state.student_id
    with pytest.raises(TargetMismatchError, match=r"student_id='ben'.*this state, 'ana'"):
        policy.update(state, ben)
    with pytest.raises(TargetMismatchError, match=r"target_id='other'.*'ana'.*'T'"):
        policy.update(state, history([1.0], student_id="ana", target_id="other")[0])


# -- running totals without the history (what a live gradebook keeps per group) ----------------

TOTALS_POLICIES: list[Any] = [
    policies.Mean(),
    policies.Mean(weighted=False),
    policies.MostRecent(),
    policies.DecayingAverage(),
    policies.DecayingAverage(rate=0.2),
    policies.Highest(),
    policies.NTimes(n=2),
    policies.WeightedAverage(),
]


@pytest.mark.parametrize("policy", TOTALS_POLICIES, ids=repr)
@given(scores=st.lists(st.floats(0.0, 4.0, allow_subnormal=False), max_size=20))
def test_running_totals_without_weights_are_those_of_weight_one_bit_for_bit(
    policy: Any, scores: list[float]
) -> None:
    # the engine passes no weights when it has none; each policy folds the run in one loop
    unweighted = policy.fold_scores(MARZANO_TARGET, scores)
    assert unweighted == policy.fold_scores(MARZANO_TARGET, scores, [1.0] * len(scores))
    one_by_one = policy.fold_scores(MARZANO_TARGET, [])
    for score in scores:
        one_by_one = policy.fold_score(one_by_one, score)
    assert (one_by_one.totals, one_by_one.value) == (unweighted.totals, unweighted.value)


@pytest.mark.parametrize("policy", TOTALS_POLICIES, ids=repr)
@given(pair=mst.histories(max_size=20), split=st.integers(0, 20), late=st.booleans())
def test_running_totals_follow_the_running_state_bit_for_bit(
    policy: Any, pair: tuple[LearningTarget, list[Evidence]], split: int, late: bool
) -> None:
    target, items = pair
    ordered = list(sort_chronologically(items))
    head, tail = ordered[:split], ordered[split:]
    totals = policy.fold_scores(target, [e.score for e in head], [e.weight for e in head])
    for evidence in tail:
        totals = policy.fold_score(totals, evidence.score, evidence.weight)
    state = fold(policy, target, ordered)
    assert isinstance(totals, policies.RunningTotals)
    assert (totals.totals, totals.evidence_count, totals.value) == (
        state.totals,
        state.evidence_count,
        state.value,
    )
    if late and ordered and policy.order_free:  # an older score arriving late
        oldest = ordered[0]
        later = policy.fold_score(totals, oldest.score, oldest.weight, latest=False)
        again = policy.update(state, oldest)
        assert later.value == again.value
        assert later.latest_score == totals.latest_score


def test_an_order_dependent_policy_refuses_an_older_score_without_its_history() -> None:
    policy = policies.DecayingAverage()
    totals = policy.fold_scores(MARZANO_TARGET, [2.0, 3.0])
    with pytest.raises(Exception, match="latest=False"):
        policy.fold_score(totals, 1.0, latest=False)


@given(
    scores=st.lists(st.integers(0, 16).map(lambda k: k / 4), min_size=1, max_size=12),
    weight=st.sampled_from([0.5, 0.65, 0.75, 0.2]),
)
def test_the_weighted_average_reads_its_exact_value_off_exact_totals(
    scores: list[float], weight: float
) -> None:
    policy = policies.WeightedAverage(weight=weight)
    totals = policy.fold_scores(MARZANO_TARGET, scores)
    assert policy.sums_are_exact(4.0, 1.0, len(scores))
    exact_value = policy.exact_value(totals)
    assert exact_value is not None
    assert float(exact_value) == policy.evaluate(history(scores), MARZANO_TARGET).value


@given(scores=st.lists(st.integers(0, 8).map(lambda k: k / 2), min_size=1, max_size=12))
def test_a_grid_mean_is_the_exact_rules_value_and_n_times_words_its_reason(
    scores: list[float],
) -> None:
    for policy in (policies.Mean(), policies.NTimes(n=3)):
        totals = policy.fold_scores(MARZANO_TARGET, scores)
        expected = policy.evaluate(history(scores), MARZANO_TARGET)
        assert policy.value_is_a_ratio
        assert policy.sums_are_exact(4.0, 1.0, len(scores))
        assert totals.value == expected.value  # bit for bit: no recomputation needed
        if totals.value is None:
            assert policy.undecided_reason(totals) == expected.reason
    assert (
        policies.DecayingAverage().exact_value(
            policies.DecayingAverage().fold_scores(MARZANO_TARGET, scores)
        )
        is None
    )
