"""Canvas compatibility: method mapping, ranges, and the numbers Canvas displays."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from helpers import MARZANO_TARGET, history
from mastery_grading import LearningTarget, Scale
from mastery_grading.policies import (
    DecayingAverage,
    Highest,
    Mean,
    MostRecent,
    NTimes,
    Rounded,
    WeightedAverage,
    from_canvas,
    round_half_up,
)

FIVE_POINT = LearningTarget(id="T", title="Target", scale=Scale(min=0, max=5, mastery=3))


def shown(policy: object, scores: list[float], target: LearningTarget = FIVE_POINT) -> object:
    return policy.evaluate(history(scores), target).value  # type: ignore[attr-defined]


class TestRoundHalfUp:
    @pytest.mark.parametrize(
        ("value", "places", "expected"),
        [
            (4.125, 2, 4.13),
            (2.675, 2, 2.68),
            (4.675, 2, 4.68),
            (-1.005, 2, -1.01),
            (2.5, 0, 3.0),
            (-2.5, 0, -3.0),
            (3.5275, 2, 3.53),
            (Fraction(2, 3), 3, 0.667),
            (Decimal("1.005"), 2, 1.01),
            (7, 2, 7.0),
        ],
    )
    def test_halves_go_away_from_zero(
        self, value: float | Fraction | Decimal, places: int, expected: float
    ) -> None:
        assert expected == round_half_up(value, places)

    def test_python_round_differs_on_the_canvas_example(self) -> None:
        assert 4.12 == round(4.125, 2)
        assert 4.13 == round_half_up(4.125)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN")])
    def test_rejects_non_finite(self, value: float | Decimal) -> None:
        with pytest.raises(ValueError, match="not a finite number"):
            round_half_up(value)

    def test_rejects_bad_places_and_types(self) -> None:
        with pytest.raises(ValueError, match="places=-1"):
            round_half_up(1.0, -1)
        with pytest.raises(TypeError, match="must be a number"):
            round_half_up("1.5")  # type: ignore[arg-type]


class TestMapping:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (("decaying_average",), WeightedAverage(weight=0.65)),
            (("decaying_average", 65, True), WeightedAverage(weight=0.65)),
            (("weighted_average", 40), WeightedAverage(weight=0.4)),
            (("standard_decaying_average",), WeightedAverage(weight=0.65)),
            (("standard_decaying_average", 80, True), DecayingAverage(rate=0.8)),
            (("n_mastery",), NTimes(n=5)),
            (("n_mastery", 10), NTimes(n=10)),
            (("highest",), Highest()),
            ((None,), Highest()),
            (("latest",), MostRecent()),
            (("average",), Mean(weighted=False)),
        ],
    )
    def test_method_names_and_defaults(self, args: tuple[object, ...], expected: object) -> None:
        assert Rounded(inner=expected, places=2) == from_canvas(*args)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("method", "number", "message"),
        [
            ("decaying_average", 0, "must be between 1 and 99"),
            ("decaying_average", 100, "must be between 1 and 99"),
            ("standard_decaying_average", 49, "must be between 50 and 99"),
            ("n_mastery", 0, "must be between 1 and 10"),
            ("n_mastery", 11, "must be between 1 and 10"),
            ("highest", 3, "takes no calculation_int"),
            ("average", 0, "takes no calculation_int"),
        ],
    )
    def test_out_of_range_names_the_allowed_range(
        self, method: str, number: int, message: str
    ) -> None:
        with pytest.raises(ValueError, match=f"calculation_int={number} is not valid for"):
            from_canvas(method, number)
        with pytest.raises(ValueError, match=message):
            from_canvas(method, number)

    def test_unknown_method_and_bad_type(self) -> None:
        with pytest.raises(ValueError, match="'median' is not a Canvas method"):
            from_canvas("median")
        with pytest.raises(TypeError, match="must be an int"):
            from_canvas("n_mastery", 2.0)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="must be an int"):
            from_canvas("n_mastery", True)


class TestDisplayedNumbers:
    def test_weighted_average_65_over_one_to_five_shows_4_13(self) -> None:
        assert 4.13 == shown(from_canvas("decaying_average"), [1, 2, 3, 4, 5])

    def test_graded_date_order_complaint(self) -> None:
        """Canvas Community 2017: 0.65*5 + 0.35*4.88 = 4.96; by due date 0.65*4.5 + 0.35*5."""
        assert 4.96 == shown(from_canvas("decaying_average"), [4.88, 5])
        assert 4.68 == shown(from_canvas("decaying_average"), [5, 4.5])

    def test_double_counted_quiz_questions(self) -> None:
        """Canvas spec: (3.17*3 + 2.83*2)/5 * 0.35 + 2.83 * 0.65 = 2.9."""
        scores = [3.17, 3.17, 3.17, 2.83, 2.83, 2.83]
        assert 2.9 == shown(from_canvas("decaying_average"), scores)

    def test_new_decaying_average_otus_powerschool(self) -> None:
        """2, 3, 4 at 65 % is 3.5275: Canvas shows 3.53 (PowerSchool Learning too)."""
        policy = from_canvas("standard_decaying_average", 65, new_decaying_average=True)
        assert 3.53 == shown(policy, [2, 3, 4])

    def test_n_mastery_mean_of_every_mastery_score(self) -> None:
        assert 3.67 == shown(from_canvas("n_mastery", 2), [3, 1, 4, 4])
        result = from_canvas("n_mastery", 3).evaluate(history([3, 1, 4]), FIVE_POINT)
        assert None is result.value
        assert "mastery shown 2 of 3 times; 1 more needed" == result.reason

    def test_zero_is_real_evidence(self) -> None:
        assert 0.0 == shown(from_canvas("average"), [0, 0])
        assert 1.5 == shown(from_canvas("average"), [0, 3], MARZANO_TARGET)

    def test_rounding_happens_at_the_end_only(self) -> None:
        # The mean of 1.006 and 1.003 is 1.0045: 1.00. Rounding each first would give 1.01.
        assert 1.0 == shown(from_canvas("average"), [1.006, 1.003])

    def test_rounded_keeps_contributions_and_names_itself(self) -> None:
        policy = from_canvas("latest")
        result = policy.evaluate(history([1, 2.345]), FIVE_POINT)
        assert (2.35, policy, 1) == (result.value, result.policy, len(result.contributions))
