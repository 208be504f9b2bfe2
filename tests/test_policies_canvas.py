"""Canvas compatibility: method mapping, ranges, and the numbers Canvas displays."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, history
from mastery_grading import LearningTarget, Scale, policy_from_spec
from mastery_grading.policies import (
    CanvasRollup,
    DecayingAverage,
    Highest,
    Mean,
    MostRecent,
    NTimes,
    Rounded,
    WeightedAverage,
    from_canvas,
    round_half_up,
    ruby_round,
)
from mastery_grading.policies.canvas import RollupMethod

#: Canvas's formulas evaluated by Ruby itself (``ruby tests/golden/canvas_ruby.rb``).
RUBY_CASES = json.loads((Path(__file__).parent / "golden" / "canvas_ruby.json").read_text())

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


class TestRubyRound:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (4.125, 4.13),
            ((4.8 + 4.51) / 2, 4.65),  # 4.654999999999999: Ruby rounds the float
            (1.005, 1.01),  # 1.00499999999999989... but Ruby moves up at the float half
            (2.675, 2.68),
            (-2.675, -2.68),
            (-0.004, -0.0),
            (1e-5, 0.0),  # too small to reach the second decimal
            (-1e-5, 0.0),
            (2.0**60, 2.0**60),  # too large to have decimals
        ],
    )
    def test_matches_ruby_float_round(self, value: float, expected: float) -> None:
        # Compared bit for bit, so -0.0 and 0.0 are told apart as Ruby tells them.
        assert struct.pack(">d", expected) == struct.pack(">d", ruby_round(value))

    def test_rounds_the_float_where_round_half_up_rounds_the_decimal(self) -> None:
        mean = (4.8 + 4.51) / 2
        assert (4.65, 4.66) == (ruby_round(mean), round_half_up(Fraction(931, 200)))

    def test_other_places(self) -> None:
        assert (4.1, 4.125) == (ruby_round(4.125, 1), ruby_round(4.125, 3))

    @given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=-1e6, max_value=1e6))
    def test_is_monotone(self, a: float, b: float) -> None:
        low, high = sorted([a, b])
        assert ruby_round(low) <= ruby_round(high)

    def test_rejects_bad_input(self) -> None:
        with pytest.raises(ValueError, match="places=0 must be an int from 1 to 14"):
            ruby_round(1.0, 0)
        with pytest.raises(ValueError, match="value=nan is not a finite number"):
            ruby_round(float("nan"))
        with pytest.raises(TypeError, match="value='1' must be a float"):
            ruby_round("1")  # type: ignore[arg-type]


class TestMapping:
    @pytest.mark.parametrize(
        ("args", "method", "number", "reference"),
        [
            (("decaying_average",), "weighted_average", 65, WeightedAverage(weight=0.65)),
            (("decaying_average", 65, True), "weighted_average", 65, WeightedAverage(weight=0.65)),
            (("weighted_average", 40), "weighted_average", 40, WeightedAverage(weight=0.4)),
            (("standard_decaying_average",), "weighted_average", 65, WeightedAverage(weight=0.65)),
            (
                ("standard_decaying_average", 80, True),
                "standard_decaying_average",
                80,
                DecayingAverage(rate=0.8),
            ),
            (("n_mastery",), "n_mastery", 5, NTimes(n=5)),
            (("n_mastery", 10), "n_mastery", 10, NTimes(n=10)),
            (("highest",), "highest", None, Highest()),
            ((None,), "highest", None, Highest()),
            (("latest",), "latest", None, MostRecent()),
            (("average",), "average", None, Mean(weighted=False)),
        ],
    )
    def test_method_names_and_defaults(
        self, args: tuple[Any, ...], method: RollupMethod, number: int | None, reference: object
    ) -> None:
        policy = from_canvas(*args)
        assert CanvasRollup(method=method, calculation_int=number) == policy
        assert Rounded(inner=reference, places=2) == policy.reference  # type: ignore[arg-type]

    def test_defaults_are_canvas_defaults(self) -> None:
        assert CanvasRollup(method="weighted_average", calculation_int=65) == CanvasRollup()
        assert 5 == CanvasRollup(method="n_mastery").calculation_int
        assert None is CanvasRollup(method="average").calculation_int

    def test_rollup_checks_its_own_parameters(self) -> None:
        with pytest.raises(ValueError, match="method='median' is not a Canvas rollup formula"):
            CanvasRollup(method="median")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="calculation_int=49 is not valid for 'standard_"):
            CanvasRollup(method="standard_decaying_average", calculation_int=49)
        with pytest.raises(ValueError, match="calculation_int=None is not valid for 'n_mastery'"):
            CanvasRollup(method="n_mastery", calculation_int=None)
        with pytest.raises(ValueError, match="calculation_int=3 is not valid for 'latest'"):
            CanvasRollup(method="latest", calculation_int=3)

    @pytest.mark.parametrize("method", ["weighted_average", "n_mastery", "average"])
    def test_spec_round_trips(self, method: RollupMethod) -> None:
        policy = CanvasRollup(method=method)
        assert policy == policy_from_spec(json.loads(json.dumps(policy.to_spec())))

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

    def test_rollup_keeps_contributions_and_names_itself(self) -> None:
        policy = from_canvas("latest")
        result = policy.evaluate(history([1, 2.345]), FIVE_POINT)
        assert (2.35, policy, 1) == (result.value, result.policy, len(result.contributions))

    def test_no_evidence_is_none_with_reason(self) -> None:
        result = from_canvas("average").evaluate([], FIVE_POINT)
        assert (None, "no evidence") == (result.value, result.reason)

    def test_scores_off_the_scale_are_rejected(self) -> None:
        with pytest.raises(ValueError, match=r"score=6\.0"):
            from_canvas("average").evaluate(history([6]), FIVE_POINT)


class TestCanvasArithmetic:
    """Canvas computes in binary floats; where that lands below a half, it shows less."""

    @pytest.mark.parametrize(
        ("args", "scores", "canvas", "exact"),
        [
            (("average",), [4.8, 4.51], 4.65, 4.66),
            (("weighted_average",), [0.09, 4.59], 3.01, 3.02),
            (("weighted_average",), [1.88, 1.98], 1.94, 1.95),
            (("weighted_average", 1), [3.0, 2.5], 2.99, 3.0),
        ],
    )
    def test_float_arithmetic_differs_from_exact_at_a_half(
        self, args: tuple[Any, ...], scores: list[float], canvas: float, exact: float
    ) -> None:
        policy = from_canvas(*args)
        assert canvas == shown(policy, scores)
        assert exact == shown(policy.reference, scores)

    def test_every_case_evaluated_by_ruby(self) -> None:
        target = LearningTarget(
            id="T", title="Target", scale=Scale(min=0, max=5, mastery=RUBY_CASES["mastery"])
        )
        differing = 0
        for case in RUBY_CASES["cases"]:
            policy = CanvasRollup(method=case["method"], calculation_int=case["calculation_int"])
            value = shown(policy, case["scores"], target)
            assert case["shown"] == value, case
            differing += value != shown(policy.reference, case["scores"], target)
        # The file holds cases where Canvas's floats and exact arithmetic disagree.
        assert differing >= 5

    @pytest.mark.parametrize(
        ("method", "claims"),
        [
            ("highest", Rounded(inner=Highest()).claims),
            ("latest", Rounded(inner=MostRecent()).claims),
            (
                "average",
                {
                    "monotone",
                    "order_free",
                    "recency",
                    "time_shift_invariant",
                    "deterministic",
                    "target_independent",
                },
            ),
        ],
    )
    def test_claims_are_those_floats_keep(
        self, method: RollupMethod, claims: frozenset[str]
    ) -> None:
        assert set(claims) == set(CanvasRollup(method=method).claims)


class TestCanvasNamesInSpecs:
    """Specs and the CLI take Canvas's stored ``calculation_method`` names (issue 14, #7)."""

    def test_a_spec_with_canvas_decaying_average_is_the_legacy_formula(self) -> None:
        policy = policy_from_spec({"policy": "canvas_rollup", "method": "decaying_average"})
        assert from_canvas("decaying_average") == policy
        assert 4.13 == shown(policy, [1, 2, 3, 4, 5])

    def test_the_canonical_spec_is_unchanged_and_round_trips(self) -> None:
        spec = {"policy": "canvas_rollup", "method": "decaying_average", "calculation_int": 70}
        policy = policy_from_spec(spec)
        canonical = policy.to_spec()  # type: ignore[attr-defined]
        assert {
            "policy": "canvas_rollup",
            "method": "weighted_average",
            "calculation_int": 70,
        } == canonical
        assert policy == policy_from_spec(canonical)
        assert canonical == policy_from_spec(canonical).to_spec()  # type: ignore[attr-defined]

    @pytest.mark.parametrize("method", ["weighted_average", "standard_decaying_average"])
    def test_every_formula_name_is_still_its_own(self, method: RollupMethod) -> None:
        assert method == CanvasRollup(method=method).method

    def test_an_unknown_name_lists_the_canvas_name_too(self) -> None:
        with pytest.raises(ValueError, match="or Canvas's stored name 'decaying_average'"):
            policy_from_spec({"policy": "canvas_rollup", "method": "decaying"})

    @pytest.mark.slow  # a subprocess: about 1.5 s, more on a busy machine
    def test_the_cli_scores_with_canvas_name(self, tmp_path: Path) -> None:
        evidence = tmp_path / "evidence.csv"
        evidence.write_text(
            "student_id,target_id,score,observed_at\n"
            + "".join(
                f"ana,T,{score},2026-09-0{day}T08:00:00+00:00\n"
                for day, score in enumerate([1, 2, 3, 4], start=1)
            ),
            encoding="utf-8",
        )
        spec = '{"policy": "canvas_rollup", "method": "decaying_average"}'
        done = subprocess.run(
            [sys.executable, "-m", "mastery_grading.cli", "score", str(evidence), "--policy", spec],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        assert 0 == done.returncode, done.stderr
        row = next(csv.DictReader(io.StringIO(done.stdout)))
        # 4 x 0.65 + mean(1, 2, 3) x 0.35 = 3.3
        assert ("ana", "T", "3.3") == (row["student_id"], row["target_id"], row["value"])
