"""Worked examples and properties of the first three policies: Mean, MostRecent, DecayingAverage."""

from __future__ import annotations

import random
from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, PERCENT_TARGET, history
from mastery_grading import (
    Evidence,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Policy,
    ScoreOutOfScaleError,
    SpecError,
    TargetMismatchError,
    policy_from_spec,
)
from mastery_grading.policies import DecayingAverage, Mean, MostRecent
from mastery_grading.testing import strategies as mst

FIRST_POLICIES: list[Policy] = [
    Mean(),
    Mean(weighted=False),
    MostRecent(),
    DecayingAverage(),
    DecayingAverage(rate=0.2),
    DecayingAverage(rate=1.0),
]


class TestCarJourney:
    """The car went 28th, 34th, 59th, 86th street: it is at 86th, not at 51.75th."""

    def test_mean_is_the_average_of_the_journey(self) -> None:
        assert 51.75 == Mean().evaluate(history([28, 34, 59, 86]), PERCENT_TARGET).value

    def test_most_recent_is_where_the_car_is(self) -> None:
        assert 86.0 == MostRecent().evaluate(history([28, 34, 59, 86]), PERCENT_TARGET).value

    def test_decaying_average_is_close_to_where_the_car_is(self) -> None:
        # d = 28; 0.65*34 + 0.35*28 = 31.9; 0.65*59 + 0.35*31.9 = 49.515;
        # 0.65*86 + 0.35*49.515 = 73.23025
        result = DecayingAverage().evaluate(history([28, 34, 59, 86]), PERCENT_TARGET)
        assert 73.23025 == result.value


class TestWorkedExamples:
    def test_decaying_average_powerschool_example(self) -> None:
        # PowerSchool Learning: 2, 3 -> 2.65; then 4 -> 3.53 (displayed to 2 dp).
        assert 2.65 == DecayingAverage().evaluate(history([2, 3]), MARZANO_TARGET).value
        assert 3.5275 == DecayingAverage().evaluate(history([2, 3, 4]), MARZANO_TARGET).value

    def test_decaying_average_masteryconnect_example(self) -> None:
        # Mastery Connect: 1, 2, 3, 4 at 65 % -> 3.48 (2 dp).
        value = DecayingAverage().evaluate(history([1, 2, 3, 4]), MARZANO_TARGET).value
        assert value is not None
        assert 3.48 == round(value, 2)

    def test_mean_is_exact_at_the_mastery_threshold(self) -> None:
        # 2.8 and 3.2 as binary floats do not sum to 6; read as decimals they do.
        result = Mean().evaluate(history([2.8, 3.2]), MARZANO_TARGET)
        assert 3.0 == result.value
        assert result.mastered
        assert "meets" == result.level.name  # type: ignore[union-attr]

    def test_mean_uses_evidence_weights(self) -> None:
        weighted = [*history([1.0]), *history([4.0], weight=3)]
        assert 3.25 == Mean().evaluate(weighted, MARZANO_TARGET).value
        assert 2.5 == Mean(weighted=False).evaluate(weighted, MARZANO_TARGET).value

    def test_contributions_are_chronological_with_weights(self) -> None:
        evidence = history([1, 3, 4])
        result = DecayingAverage(rate=0.5).evaluate(list(reversed(evidence)), MARZANO_TARGET)
        assert evidence == [c.evidence for c in result.contributions]
        assert [0.25, 0.25, 0.5] == [c.weight for c in result.contributions]
        assert 3 == result.evidence_count

    def test_most_recent_contribution_is_only_the_latest(self) -> None:
        evidence = history([1, 3, 2])
        result = MostRecent().evaluate(evidence, MARZANO_TARGET)
        assert [(evidence[-1], 1.0)] == [(c.evidence, c.weight) for c in result.contributions]

    def test_most_recent_tie_on_time_goes_to_the_later_attempt(self) -> None:
        first, retake = history([4, 2])
        retake = attrs.evolve(retake, observed_at=first.observed_at, attempt=2)
        first = attrs.evolve(first, attempt=1)
        assert 2.0 == MostRecent().evaluate([retake, first], MARZANO_TARGET).value

    def test_rate_one_decaying_average_is_most_recent(self) -> None:
        evidence = history([4, 1, 2.5])
        assert 2.5 == DecayingAverage(rate=1).evaluate(evidence, MARZANO_TARGET).value


@pytest.mark.parametrize("policy", FIRST_POLICIES, ids=repr)
class TestEdgeCases:
    def test_no_evidence_is_none_with_a_reason_never_zero(self, policy: Policy) -> None:
        result = policy.evaluate([], MARZANO_TARGET)
        assert (None, "no evidence", None, False, 0) == (
            result.value,
            result.reason,
            result.level,
            result.mastered,
            result.evidence_count,
        )

    def test_one_score_is_returned_as_is(self, policy: Policy) -> None:
        result = policy.evaluate(history([2.5]), MARZANO_TARGET)
        assert 2.5 == result.value
        assert "approaching" == result.level.name  # type: ignore[union-attr]

    def test_evidence_for_another_target_is_rejected(self, policy: Policy) -> None:
        with pytest.raises(TargetMismatchError, match=r"target_id='U'.*'T'"):
            policy.evaluate(history([2.0], target_id="U"), MARZANO_TARGET)

    def test_score_outside_the_target_scale_is_rejected(self, policy: Policy) -> None:
        with pytest.raises(ScoreOutOfScaleError, match=r"score=5.0 for student 's1'"):
            policy.evaluate(history([3.0, 5.0]), MARZANO_TARGET)

    def test_evidence_that_is_not_a_list_is_a_type_error_naming_it(self, policy: Policy) -> None:
        with pytest.raises(InvalidTypeError, match="evidence=None must be an iterable"):
            policy.evaluate(None, MARZANO_TARGET)  # type: ignore[arg-type]

    def test_one_evidence_not_in_a_list_is_a_type_error(self, policy: Policy) -> None:
        (single,) = history([3.0])
        with pytest.raises(InvalidTypeError, match=r"evidence=Evidence\(.*\) must be an iterable"):
            policy.evaluate(single, MARZANO_TARGET)  # type: ignore[arg-type]

    def test_target_that_is_not_a_learning_target_is_a_type_error(self, policy: Policy) -> None:
        with pytest.raises(InvalidTypeError, match="target='T' must be a LearningTarget, not str"):
            policy.evaluate(history([3.0]), "T")  # type: ignore[arg-type]

    def test_result_records_the_policy(self, policy: Policy) -> None:
        assert policy is policy.evaluate(history([1.0]), MARZANO_TARGET).policy

    def test_is_a_policy_by_shape(self, policy: Policy) -> None:
        assert isinstance(policy, Policy)

    def test_spec_round_trip(self, policy: Policy) -> None:
        spec = policy.to_spec()  # type: ignore[attr-defined]
        assert policy == policy_from_spec(spec)

    def test_input_is_not_mutated(self, policy: Policy) -> None:
        evidence = list(reversed(history([1, 2, 3])))
        before = list(evidence)
        policy.evaluate(evidence, MARZANO_TARGET)
        assert before == evidence


class TestParameters:
    @pytest.mark.parametrize("rate", [0, -0.1, 1.5, float("nan")])
    def test_decaying_average_rejects_rate_outside_zero_one(self, rate: float) -> None:
        with pytest.raises(ValueError, match=f"rate={rate!r}"):
            DecayingAverage(rate=rate)

    def test_decaying_average_rate_too_large_for_a_float_is_a_library_error(self) -> None:
        with pytest.raises(InvalidValueError, match=r"rate=1\.000e\+400 is too large"):
            DecayingAverage(rate=10**400)

    def test_equal_configurations_are_equal_and_hash_equal(self) -> None:
        assert DecayingAverage(rate=0.65) == DecayingAverage()
        assert hash(DecayingAverage(rate=0.65)) == hash(DecayingAverage())
        assert DecayingAverage(rate=0.7) != DecayingAverage()

    def test_repr_shows_full_configuration(self) -> None:
        assert "DecayingAverage(rate=0.65)" == repr(DecayingAverage())
        assert "Mean(weighted=True)" == repr(Mean())

    def test_policies_are_frozen(self) -> None:
        with pytest.raises(AttributeError):
            DecayingAverage().rate = 0.5  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ({"policy": "nope"}, "policy='nope' is not a known policy"),
            ({"rate": 0.5}, "missing the key 'policy'"),
            ({"policy": "mean", "rate": 0.5}, "unknown key 'rate'"),
            ({"policy": "decaying_average", "rate": 2}, "rate=2.0 must be in"),
            ([1, 2], "must be a dict"),
        ],
    )
    def test_bad_spec_names_the_key(self, spec: object, message: str) -> None:
        with pytest.raises(SpecError, match=message):
            policy_from_spec(spec)  # type: ignore[arg-type]


# -- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", FIRST_POLICIES, ids=repr)
class TestProperties:
    @given(mst.histories(min_size=1))
    def test_result_lies_within_the_scale(
        self, policy: Policy, pair: tuple[LearningTarget, list[Evidence]]
    ) -> None:
        target, evidence = pair
        value = policy.evaluate(evidence, target).value
        assert value is not None
        assert target.scale.min <= value <= target.scale.max

    @given(mst.histories(min_size=1), st.data())
    def test_unanimity_all_scores_s_give_s(
        self, policy: Policy, pair: tuple[LearningTarget, list[Evidence]], data: st.DataObject
    ) -> None:
        target, evidence = pair
        s = data.draw(mst.scores(target.scale))
        same = [attrs.evolve(e, score=s) for e in evidence]
        assert s == policy.evaluate(same, target).value

    @given(mst.histories(min_size=1), st.data())
    def test_raising_one_score_never_lowers_the_result(
        self, policy: Policy, pair: tuple[LearningTarget, list[Evidence]], data: st.DataObject
    ) -> None:
        target, evidence = pair
        i = data.draw(st.integers(min_value=0, max_value=len(evidence) - 1))
        higher = data.draw(mst.scores(target.scale).filter(lambda s: s >= evidence[i].score))
        raised = [*evidence[:i], attrs.evolve(evidence[i], score=higher), *evidence[i + 1 :]]
        before = policy.evaluate(evidence, target).value
        after = policy.evaluate(raised, target).value
        assert before is not None
        assert after is not None
        assert before <= after

    @given(mst.histories(), st.randoms(use_true_random=False))
    def test_shuffling_the_input_changes_nothing(
        self, policy: Policy, pair: tuple[LearningTarget, list[Evidence]], rnd: random.Random
    ) -> None:
        target, evidence = pair
        shuffled = list(evidence)
        rnd.shuffle(shuffled)
        assert policy.evaluate(evidence, target) == policy.evaluate(shuffled, target)

    @given(mst.histories(), st.integers(min_value=-10_000, max_value=10_000))
    def test_moving_all_evidence_in_time_changes_no_value(
        self, policy: Policy, pair: tuple[LearningTarget, list[Evidence]], minutes: int
    ) -> None:
        target, evidence = pair
        moved = [
            attrs.evolve(e, observed_at=e.observed_at + timedelta(minutes=minutes))
            for e in evidence
        ]
        assert policy.evaluate(evidence, target).value == policy.evaluate(moved, target).value


def test_mean_is_order_free_but_most_recent_is_not() -> None:
    """Counterexample: MostRecent does not claim order_free; Mean does."""
    forward = history([1, 4])
    backward = history([4, 1])
    assert (
        Mean().evaluate(forward, MARZANO_TARGET).value
        == Mean().evaluate(backward, MARZANO_TARGET).value
    )
    assert 4.0 == MostRecent().evaluate(forward, MARZANO_TARGET).value
    assert 1.0 == MostRecent().evaluate(backward, MARZANO_TARGET).value
    assert "order_free" in Mean.claims
    assert "order_free" not in MostRecent.claims
    assert "order_free" not in DecayingAverage.claims
