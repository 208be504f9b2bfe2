"""Worked examples and counterexamples of the central, recency, peak and count policies."""

from __future__ import annotations

import pytest

from helpers import MARZANO_TARGET, history
from mastery_grading import LearningTarget, Scale
from mastery_grading.policies import (
    DecayingAverage,
    Highest,
    HighestOfRecent,
    MeanOfHighest,
    MeanOfRecent,
    Median,
    MedianOfRecent,
    Mode,
    ModeOfRecent,
    MostRecent,
    NTimes,
    TieBreak,
    WeightedAverage,
)

FIVE_POINT = LearningTarget(id="T", title="Target", scale=Scale(min=0, max=5, mastery=3))


def value(policy: object, scores: list[float], target: LearningTarget = MARZANO_TARGET) -> object:
    return policy.evaluate(history(scores), target).value  # type: ignore[attr-defined]


class TestMedian:
    @pytest.mark.parametrize(
        ("scores", "expected"),
        [([3], 3.0), ([1, 4, 3], 3.0), ([1, 4, 3, 2], 2.5), ([2.8, 3.2], 3.0), ([4, 4, 0, 0], 2.0)],
    )
    def test_median_is_the_middle_or_the_mean_of_the_two_middle(
        self, scores: list[float], expected: float
    ) -> None:
        assert expected == value(Median(), scores)

    def test_median_contributions_are_the_middle_evidence(self) -> None:
        evidence = history([1, 4, 3, 2])
        result = Median().evaluate(evidence, MARZANO_TARGET)
        assert [(evidence[2], 0.5), (evidence[3], 0.5)] == [
            (c.evidence, c.weight) for c in result.contributions
        ]


class TestMode:
    @pytest.mark.parametrize(
        ("tie_break", "expected"),
        [("highest", 3.0), ("lowest", 1.0), ("most_recent", 1.0), ("none", None)],
    )
    def test_tie_rules(self, tie_break: TieBreak, expected: float | None) -> None:
        assert expected == value(Mode(tie_break=tie_break), [1, 3, 3, 1])

    def test_tie_none_explains_why(self) -> None:
        result = Mode(tie_break="none").evaluate(history([1, 3, 3, 1]), MARZANO_TARGET)
        assert "tie between the most frequent scores 1, 3" == result.reason
        assert 4 == result.evidence_count

    def test_clear_mode_ignores_the_tie_rule(self) -> None:
        for rule in ("highest", "lowest", "most_recent", "none"):
            assert 2.0 == value(Mode(tie_break=rule), [2, 4, 2, 1])

    def test_educate_tie_goes_to_the_more_recent(self) -> None:
        assert 4.0 == value(Mode(tie_break="most_recent"), [4, 2, 2, 4])
        assert 2.0 == value(Mode(tie_break="most_recent"), [2, 4, 4, 2])

    def test_rejects_unknown_tie_rule(self) -> None:
        with pytest.raises(ValueError, match="tie_break='random' must be one of"):
            Mode(tie_break="random")  # type: ignore[arg-type]

    def test_counterexample_mode_is_not_monotone(self) -> None:
        """Raising one score from 3.5 to 4 drops the mode by 2.5 points."""
        assert 3.5 == value(Mode(), [1, 1, 3.5, 3.5])
        assert 1.0 == value(Mode(), [1, 1, 3.5, 4])
        assert "monotone" not in Mode.claims


class TestRecentWindows:
    def test_fewer_scores_than_n_use_all(self) -> None:
        assert 2.0 == value(MeanOfRecent(n=5), [1, 2, 3])
        assert 2.0 == value(MedianOfRecent(n=5), [1, 2, 3])
        assert 3.0 == value(HighestOfRecent(n=5), [1, 2, 3])

    def test_window_keeps_the_last_n(self) -> None:
        assert 3.75 == value(MeanOfRecent(n=2), [1, 2, 3.5, 4])
        assert 2.5 == value(MedianOfRecent(n=3), [4, 1, 3, 2.5])
        assert 2.0 == value(ModeOfRecent(n=3), [4, 4, 2, 3, 2])
        assert 3.0 == value(HighestOfRecent(n=2), [4, 2, 3, 1])

    def test_contributions_are_the_window(self) -> None:
        evidence = history([1, 2, 3.5, 4])
        result = MeanOfRecent(n=2).evaluate(evidence, MARZANO_TARGET)
        assert [(evidence[2], 0.5), (evidence[3], 0.5)] == [
            (c.evidence, c.weight) for c in result.contributions
        ]
        assert 4 == result.evidence_count

    def test_counterexample_mean_of_recent_retake_at_level_can_lower_it(self) -> None:
        """The window drops the older 4 when a retake at the current level 3 arrives."""
        assert 3.0 == value(MeanOfRecent(n=2), [4, 2])
        assert 2.5 == value(MeanOfRecent(n=2), [4, 2, 3])
        assert "no_retake_penalty" not in MeanOfRecent.claims

    @pytest.mark.parametrize("n", [0, -1])
    def test_n_must_be_positive(self, n: int) -> None:
        with pytest.raises(ValueError, match=f"n={n} must be at least 1"):
            MeanOfRecent(n=n)


class TestWeightedAverage:
    def test_canvas_example_latest_counts_65_percent(self) -> None:
        assert 4.125 == value(WeightedAverage(), [1, 2, 3, 4, 5], FIVE_POINT)

    def test_single_score_is_returned_as_is(self) -> None:
        assert 2.5 == value(WeightedAverage(weight=0.2), [2.5])

    def test_weights(self) -> None:
        evidence = history([1, 2, 4])
        result = WeightedAverage(weight=0.5).evaluate(evidence, MARZANO_TARGET)
        assert [0.25, 0.25, 0.5] == [c.weight for c in result.contributions]
        assert 2.75 == result.value

    def test_counterexample_retake_at_current_level_lowers_it(self) -> None:
        """Canvas legacy: scores 1, 4 give 2.95; a retake scoring 2.95 gives 2.7925."""
        assert 2.95 == value(WeightedAverage(), [1, 4])
        assert 2.7925 == value(WeightedAverage(), [1, 4, 2.95])
        assert "no_retake_penalty" not in WeightedAverage.claims

    def test_counterexample_small_weight_rewards_improving_early(self) -> None:
        assert 3.6 == value(WeightedAverage(weight=0.1), [4, 0])
        assert 0.4 == value(WeightedAverage(weight=0.1), [0, 4])
        assert "recency" not in WeightedAverage(weight=0.1).claims
        assert "recency" in WeightedAverage().claims  # from a weight of 1/2 up

    def test_counterexample_small_weight_punishes_a_new_best(self) -> None:
        assert 3.6 == value(WeightedAverage(weight=0.1), [4, 0], FIVE_POINT)
        assert 2.3 == value(WeightedAverage(weight=0.1), [4, 0, 5], FIVE_POINT)
        assert "improvement_credit" not in WeightedAverage.claims


def test_counterexample_slow_decaying_average_favours_early_improvement() -> None:
    """At rate 0.2 the oldest score weighs 0.8, so improving late earns less."""
    assert 1.6 == value(DecayingAverage(rate=0.2), [1, 4])
    assert 3.4 == value(DecayingAverage(rate=0.2), [4, 1])
    assert "recency" not in DecayingAverage(rate=0.2).claims
    assert "recency" in DecayingAverage(rate=0.5).claims  # claims depend on the rate


class TestPeak:
    def test_highest(self) -> None:
        assert 4.0 == value(Highest(), [2, 4, 1, 1])

    def test_educate_average_of_three_highest(self) -> None:
        result = value(MeanOfHighest(n=3), [4, 3, 3, 4])
        assert 3.67 == round(result, 2)  # type: ignore[call-overload]

    def test_mean_of_highest_prefers_recent_among_equal_scores(self) -> None:
        evidence = history([4, 3, 3, 4])
        result = MeanOfHighest(n=3).evaluate(evidence, MARZANO_TARGET)
        assert [evidence[0], evidence[2], evidence[3]] == [c.evidence for c in result.contributions]

    def test_counterexample_highest_is_not_recency_sensitive(self) -> None:
        """A student who showed 4 once and 1 ever since keeps the 4; order changes nothing."""
        assert 4.0 == value(Highest(), [4, 1, 1, 1])
        assert value(Highest(), [1, 1, 1, 4]) == value(Highest(), [4, 1, 1, 1])
        assert 1.0 == value(MostRecent(), [4, 1, 1, 1])


class TestNTimes:
    def test_canvas_mean_of_every_mastery_score(self) -> None:
        # n_mastery 2 with mastery 3: kept 3 and 4, mean 3.5.
        assert 3.5 == value(NTimes(n=2), [3, 1, 4, 2])

    def test_below_n_is_none_with_reason(self) -> None:
        result = NTimes(n=3).evaluate(history([3, 1, 4, 2]), MARZANO_TARGET)
        assert (None, "mastery shown 2 of 3 times; 1 more needed") == (result.value, result.reason)

    def test_one_score(self) -> None:
        assert 3.5 == value(NTimes(n=1), [3.5])
        assert None is value(NTimes(n=1), [2.5])

    def test_threshold_is_exact_and_inclusive(self) -> None:
        scale = Scale(min=0, max=1, mastery=0.3)
        target = LearningTarget(id="T", title="T", scale=scale)
        assert 0.3 == value(NTimes(n=1), [0.3], target)
        assert None is value(NTimes(n=1), [0.29], target)

    @pytest.mark.parametrize("n", [0, 11])
    def test_n_range_is_canvas_range(self, n: int) -> None:
        with pytest.raises(ValueError, match=f"n={n} must be between 1 and 10"):
            NTimes(n=n)

    def test_counterexample_not_monotone(self) -> None:
        assert 4.0 == value(NTimes(n=1), [4, 2])
        assert 3.5 == value(NTimes(n=1), [4, 3])
        assert "monotone" not in NTimes.claims
