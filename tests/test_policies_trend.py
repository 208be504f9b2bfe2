"""Trend policies against the vendors' published numbers, and their documented non-properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, history
from mastery_grading import LearningTarget, Scale
from mastery_grading.policies import BestFit, LinearTrend, MaxOf, Mean, MostRecent, PowerLaw

FIVE_POINT = LearningTarget(id="T", title="Target", scale=Scale(min=0, max=5, mastery=3))


def value(policy: object, scores: list[float], target: LearningTarget = MARZANO_TARGET) -> float:
    result = policy.evaluate(history(scores), target)  # type: ignore[attr-defined]
    assert result.value is not None, result.reason
    return result.value  # type: ignore[no-any-return]


class TestPowerLawPublishedNumbers:
    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            # JumpRope, "The power of the Power Law"
            ([1, 2, 3, 4], 4.00),
            ([1, 3, 2, 4], 3.66),
            ([2, 4, 1, 3], 2.16),
            ([4, 3, 2, 1], 1.28),
            # mrmathman, "Power failure"
            ([3, 3, 1, 3], 1.90),
            ([3, 3, 1, 3, 4, 4], 3.07),
            # NHA GradeBook FAQ: 2, 2.5, 3, 4 "would be a 4" (exact fit 3.68)
            ([2, 2.5, 3, 4], 3.68),
        ],
    )
    def test_reproduces_vendor_figures_to_two_decimals(
        self, scores: list[float], expected: float
    ) -> None:
        assert expected == round(value(PowerLaw(), scores), 2)

    def test_two_scores_give_the_latest_exactly(self) -> None:
        assert 0.5 == value(PowerLaw(), [3.5, 0.5])
        assert 3.7 == value(PowerLaw(), [1.3, 3.7])

    def test_equal_scores_give_that_score_exactly(self) -> None:
        assert 2.7 == value(PowerLaw(), [2.7, 2.7, 2.7, 2.7, 2.7])

    def test_contributions_are_hat_weights_of_the_log_fit(self) -> None:
        import math

        evidence = history([1, 3, 2, 4])
        result = PowerLaw().evaluate(evidence, MARZANO_TARGET)
        weights = [c.weight for c in result.contributions]
        assert 1.0 == pytest.approx(sum(weights))
        assert weights == sorted(weights)
        assert weights[0] < 0
        log_value = sum(w * math.log(e.score) for w, e in zip(weights, evidence, strict=True))
        assert result.value == pytest.approx(math.exp(log_value))


class TestPowerLawEdgeCases:
    def test_one_score_default_is_the_score_with_a_note(self) -> None:
        result = PowerLaw().evaluate(history([2.5]), MARZANO_TARGET)
        assert 2.5 == result.value
        assert "one score: no curve fitted; the score is returned as is" == result.reason

    def test_one_score_none_rule(self) -> None:
        result = PowerLaw(single="none").evaluate(history([2.5]), MARZANO_TARGET)
        assert (None, "the power law needs at least 2 scores; it has 1") == (
            result.value,
            result.reason,
        )

    def test_zero_default_gives_none_and_invents_nothing(self) -> None:
        result = PowerLaw().evaluate(history([0, 2, 3]), MARZANO_TARGET)
        assert result.value is None
        assert result.reason is not None
        assert "undefined for a score of 0" in result.reason
        assert 3 == result.evidence_count

    def test_equal_scores_need_no_curve_even_zero(self) -> None:
        assert 0.0 == value(PowerLaw(), [0, 0, 0])
        assert 0.3 == value(PowerLaw(zeros="floor", floor=0.5), [0.3, 0.3])

    def test_zero_floor_rule_counts_low_scores_as_the_floor(self) -> None:
        floored = value(PowerLaw(zeros="floor", floor=0.5), [0, 2, 3])
        assert floored == value(PowerLaw(), [0.5, 2, 3])
        assert value(PowerLaw(zeros="floor", floor=1), [0, 2, 3]) == value(PowerLaw(), [1, 2, 3])

    def test_negative_scores_on_a_custom_scale_follow_the_zero_rule(self) -> None:
        target = LearningTarget(id="T", title="T", scale=Scale(min=-2, max=2, mastery=1))
        assert None is PowerLaw().evaluate(history([-1, 1, 2]), target).value
        assert value(PowerLaw(zeros="floor", floor=0.5), [-1, 1, 2], target) == value(
            PowerLaw(), [0.5, 1, 2], target
        )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"single": "mean"}, "single='mean' must be one of 'score', 'none'"),
            ({"zeros": "drop"}, "zeros='drop' must be one of 'none', 'floor'"),
            ({"floor": 0}, "floor=0.0 must be greater than 0"),
            ({"clamp": 1}, "clamp=1 must be a bool"),
        ],
    )
    def test_invalid_parameters_raise(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises((ValueError, TypeError), match=message):
            PowerLaw(**kwargs)  # type: ignore[arg-type]


class TestPowerLawNonProperties:
    def test_counterexample_not_monotone_raising_an_early_score_lowers_it(self) -> None:
        """Scores 1, 3, 2, 4 give 3.66; raising the first to 2 gives 3.22."""
        assert 3.66 == round(value(PowerLaw(), [1, 3, 2, 4]), 2)
        assert 3.22 == round(value(PowerLaw(), [2, 3, 2, 4]), 2)
        assert "monotone" not in PowerLaw.claims

    def test_counterexample_sticky_low_score(self) -> None:
        """One early 1 holds 3, 3, 1, 3 down to 1.90, below three of the four scores."""
        assert 1.90 == round(value(PowerLaw(), [3, 3, 1, 3]), 2)
        assert 3.0 == value(MostRecent(), [3, 3, 1, 3])

    def test_counterexample_not_bounded_extrapolates_past_the_scale(self) -> None:
        raw = value(PowerLaw(), [1, 3, 4])
        assert raw > MARZANO_TARGET.scale.max
        assert 4.0 == value(PowerLaw(clamp=True), [1, 3, 4])
        clamped = PowerLaw(clamp=True).evaluate(history([1, 3, 4]), MARZANO_TARGET)
        assert clamped.reason is not None
        assert "clamped" in clamped.reason
        assert "bounded" not in PowerLaw.claims
        assert "within_observed_range" not in PowerLaw.claims

    def test_counterexample_above_every_observed_score(self) -> None:
        assert value(PowerLaw(), [1, 2, 3, 4, 4.5], FIVE_POINT) > 4.5

    def test_counterexample_retake_at_level_lowers_it(self) -> None:
        """Scores 3.5, 0.5 give 0.5 (two scores: the latest); a retake of 0.5 gives 0.37."""
        assert 0.5 == value(PowerLaw(), [3.5, 0.5])
        assert 0.37 == round(value(PowerLaw(), [3.5, 0.5, 0.5]), 2)
        assert "no_retake_penalty" not in PowerLaw.claims


class TestLinearTrend:
    def test_exact_line_at_the_latest(self) -> None:
        assert 2.2 == value(LinearTrend(), [3, 2, 3, 2])
        assert 4.0 == value(LinearTrend(), [1, 2, 3, 4])

    def test_one_and_two_scores(self) -> None:
        assert 2.5 == value(LinearTrend(), [2.5])
        assert 1.5 == value(LinearTrend(), [3.5, 1.5])

    def test_contributions_are_exact_hat_weights(self) -> None:
        result = LinearTrend().evaluate(history([1, 2, 4]), MARZANO_TARGET)
        assert [-1 / 6, 1 / 3, 5 / 6] == pytest.approx([c.weight for c in result.contributions])

    def test_counterexample_extrapolates_unless_clamped(self) -> None:
        assert 4.67 == round(value(LinearTrend(), [0, 4, 4]), 2)
        assert 4.0 == value(LinearTrend(clamp=True), [0, 4, 4])
        assert "bounded" not in LinearTrend.claims

    def test_counterexample_a_new_best_can_lower_it(self) -> None:
        """Appending a score above every earlier one bends the line down at its end."""
        target = LearningTarget(id="T", title="T", scale=Scale.percent())
        before = value(LinearTrend(), [10.94, 86.81, 86.9, 93.11, 93.46, 94.07], target)
        after = value(LinearTrend(), [10.94, 86.81, 86.9, 93.11, 93.46, 94.07, 94.12], target)
        assert after < before
        assert "improvement_credit" not in LinearTrend.claims


class TestBestFit:
    def test_reports_the_model_and_residuals(self) -> None:
        result = BestFit().evaluate(history([2, 2.5, 3, 4]), MARZANO_TARGET)
        assert 3.85 == result.value
        assert result.reason is not None
        assert result.reason.startswith("best fit: linear")

    def test_tie_goes_to_the_simpler_model(self) -> None:
        result = BestFit().evaluate(history([3, 3, 3]), MARZANO_TARGET)
        assert 3.0 == result.value
        assert result.reason is not None
        assert result.reason.startswith("best fit: mean")
        two = BestFit().evaluate(history([1, 3]), MARZANO_TARGET)
        assert two.reason is not None
        assert (3.0, True) == (two.value, two.reason.startswith("best fit: linear"))

    def test_nha_models_mean_or_power_law(self) -> None:
        nha = BestFit(models=("power_law", "mean"))
        assert ("mean", "power_law") == nha.models
        assert 3.68 == round(value(nha, [2, 2.5, 3, 4]), 2)

    def test_nha_published_pair_matches_max_of_mean_and_power_law(self) -> None:
        """NHA: 3, 2, 3, 2 shows the mean 2.5 and 2, 2.5, 3, 4 shows the power law (~4)."""
        ascender = MaxOf(Mean(), PowerLaw())
        assert 2.5 == value(ascender, [3, 2, 3, 2])
        assert 3.68 == round(value(ascender, [2, 2.5, 3, 4]), 2)
        # Least absolute residual would pick the power law for 3, 2, 3, 2 (1.54 < 2.0).
        assert 2.2 == round(value(BestFit(models=("mean", "power_law")), [3, 2, 3, 2]), 2)

    def test_power_law_left_out_for_zero_scores(self) -> None:
        result = BestFit(models=("mean", "power_law")).evaluate(history([0, 2]), MARZANO_TARGET)
        assert 1.0 == result.value
        assert result.reason is not None
        assert "power_law left out" in result.reason
        only = BestFit(models=("power_law",)).evaluate(history([0, 2]), MARZANO_TARGET)
        assert only.value is None

    @pytest.mark.parametrize(
        ("models", "message"),
        [((), "must be a non-empty"), (("mean", "cubic"), "'cubic' must be one of")],
    )
    def test_invalid_models_raise(self, models: tuple[str, ...], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            BestFit(models=models)


class TestMaxOf:
    def test_positional_and_keyword_construction_are_equal(self) -> None:
        assert MaxOf(Mean(), PowerLaw()) == MaxOf(policies=[Mean(), PowerLaw()])

    def test_claims_are_the_intersection(self) -> None:
        assert Mean.claims & PowerLaw.claims == MaxOf(Mean(), PowerLaw()).claims

    def test_all_none_gives_none_with_reasons(self) -> None:
        result = MaxOf(PowerLaw(single="none")).evaluate(history([2]), MARZANO_TARGET)
        assert result.value is None
        assert result.reason is not None
        assert "needs at least 2 scores" in result.reason

    def test_needs_a_policy(self) -> None:
        with pytest.raises(ValueError, match="at least one policy"):
            MaxOf()
        with pytest.raises(TypeError, match="must be a Policy"):
            MaxOf(3)  # type: ignore[arg-type]


# --- the kernels: the reference's values, bit for bit where they do not say otherwise -------

TREND_SCORES = {
    "grid": [0.0, 0.5, 1.0, 1.5, 2.0, 2.25, 3.0, 3.0625, 3.5, 4.0],
    "decimals": [0.1, 0.75, 1.33, 2.5, 2.8, 3.0, 3.99],
    "floats": [1 / 3, 2 / 7, 0.1 + 0.2, 3.7000000000000006, 2.0],
}
TREND_POLICIES = [
    LinearTrend(),
    LinearTrend(clamp=True),
    BestFit(),
    BestFit(clamp=True),
    BestFit(models=("mean", "power_law")),
    BestFit(models=("linear",)),
    BestFit(models=("power_law",)),
]


@pytest.mark.parametrize("kind", sorted(TREND_SCORES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_trend_kernels_give_the_reference_values_and_reasons(
    kind: str, data: st.DataObject
) -> None:
    np = pytest.importorskip("numpy")
    from mastery_grading.policies import kernel_for
    from mastery_grading.policies.segments import Segments

    group = st.lists(st.sampled_from(TREND_SCORES[kind]), max_size=9)
    groups = data.draw(st.lists(group, min_size=1, max_size=6))
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    seg = Segments(
        score=np.array([s for g in groups for s in g], dtype=np.float64),
        weight=None,
        summative=None,
        group=np.repeat(np.arange(len(groups), dtype=np.int64), counts),
        starts=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64),
        counts=counts,
        mastery=np.full(len(groups), 3.0),
        scale_min=np.zeros(len(groups)),
        scale_max=np.full(len(groups), 4.0),
    )
    for policy in TREND_POLICIES:
        run = kernel_for(policy)
        assert run is not None
        out = run(policy, seg)
        assert out is not None
        for g, scores in enumerate(groups):
            if not scores or (out.force is not None and out.force[g]):
                continue
            want = policy.evaluate(history(scores), MARZANO_TARGET)
            got = float(out.values[g])
            if want.value is None:
                assert np.isnan(got)
                assert want.reason == (out.reasons or {}).get(g)
            elif out.inexact is not None and out.inexact[g]:
                assert abs(want.value - got) <= 1e-12 * max(1.0, abs(want.value))
            else:
                assert want.value == got, (policy, scores)
