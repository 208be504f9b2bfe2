"""Metric functions of the simulation toolkit, on cases small enough to compute by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

pytest.importorskip("numpy")

from mastery_grading import InvalidValueError, Scale
from mastery_grading.simulation import metrics

NAN = math.nan


def test_rmse_is_the_root_of_the_mean_squared_error() -> None:
    # errors 1, -2, 2 -> squares 1, 4, 4 -> mean 3 -> sqrt 3
    assert math.sqrt(3) == pytest.approx(metrics.rmse([3.0, 0.0, 4.0], [2.0, 2.0, 2.0]))


def test_rmse_and_bias_skip_students_without_a_result() -> None:
    assert 1.0 == metrics.rmse([NAN, 3.0], [0.0, 2.0])
    assert -1.0 == metrics.bias([NAN, 1.0], [4.0, 2.0])


def test_rmse_and_bias_are_nan_when_no_student_has_a_result() -> None:
    assert math.isnan(metrics.rmse([NAN], [1.0]))
    assert math.isnan(metrics.bias([NAN], [1.0]))


def test_bias_is_negative_when_the_estimates_are_too_low() -> None:
    # errors -1, -0.5, 0 -> mean -0.5
    assert -0.5 == metrics.bias([1.0, 1.5, 2.0], [2.0, 2.0, 2.0])


def test_rmse_rejects_arrays_of_different_shapes() -> None:
    with pytest.raises(InvalidValueError, match="must match"):
        metrics.rmse([1.0, 2.0], [1.0])


def test_agreement_is_the_share_of_equal_labels() -> None:
    assert 0.25 == metrics.agreement(["a", "b", "c", "d"], ["a", "x", "y", "z"])


def test_false_not_yet_rate_counts_only_truly_mastered_students() -> None:
    estimated = [True, False, False, False, True]
    truth = [True, True, True, False, False]
    # truly mastered: students 0, 1, 2; of them 1 and 2 are called "not yet"
    assert 2 / 3 == metrics.false_not_yet_rate(estimated, truth)
    # truly not yet: students 3, 4; student 4 is called mastered
    assert 0.5 == metrics.false_mastered_rate(estimated, truth)


def test_false_not_yet_rate_is_nan_without_truly_mastered_students() -> None:
    assert math.isnan(metrics.false_not_yet_rate([True], [False]))


def test_mean_abs_change_ignores_pairs_with_a_missing_result() -> None:
    # |2.5 - 2| = 0.5, |1 - 3| = 2, third pair skipped -> 1.25
    assert 1.25 == metrics.mean_abs_change([2.0, 3.0, NAN], [2.5, 1.0, 4.0])


def test_assessments_until_stable_finds_the_start_of_the_last_good_run() -> None:
    running = [4.0, 2.0, 0.0, 2.2, 2.6, 2.4]
    truths = [2.0, 2.0, 2.0, 2.5, 2.5, 2.5]
    # within 0.5: F, T, F, T, T, T -> stays within from the 4th on
    assert 4 == metrics.assessments_until_stable(running, truths, 0.5)


def test_assessments_until_stable_is_one_when_always_within() -> None:
    assert 1 == metrics.assessments_until_stable([2.0, 2.0], [2.2, 1.8], 0.25)


def test_assessments_until_stable_treats_a_missing_estimate_as_outside() -> None:
    assert 2 == metrics.assessments_until_stable([None, 2.0], [2.0, 2.0], 0.5)
    assert metrics.assessments_until_stable([2.0, NAN], [2.0, 2.0], 0.5) is None


def test_assessments_until_stable_takes_one_tolerance_per_moment() -> None:
    running = [3.0, 2.0, 1.8, 3.4]
    truths = [1.0, 1.0, 1.0, 3.5]
    # |error| 2, 1, 0.8, 0.1 against tolerances 1, 1, 0.5, 0.5: F, T, F, T -> from the 4th
    assert 4 == metrics.assessments_until_stable(running, truths, [1.0, 1.0, 0.5, 0.5])
    with pytest.raises(InvalidValueError, match="tolerance of length 1"):
        metrics.assessments_until_stable(running, truths, [1.0])


def test_half_level_on_marzano_is_half_the_width_of_the_level_of_the_value() -> None:
    # levels: not yet 0-2 (width 2), approaching 2-3, meets 3-4 (width 1), exceeds from 4
    # (no width: it borrows the width 1 of "meets")
    values = [0.0, 1.99, 2.0, 2.5, 3.0, 3.99, 4.0]
    expected = [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert expected == metrics.half_level(values, Scale.marzano()).tolist()


def test_half_level_on_a_percent_scale_runs_the_top_level_up_to_the_maximum() -> None:
    # levels: not yet 0-80 (width 80), mastered 80-100 (width 20)
    values = [0.0, 50.0, 79.9, 80.0, 100.0]
    assert [40.0, 40.0, 40.0, 10.0, 10.0] == metrics.half_level(values, Scale.percent()).tolist()
    # mastery at 60: widths 60 and 40
    assert [30.0, 20.0] == metrics.half_level([10.0, 60.0], Scale.percent(60)).tolist()


def test_cohens_kappa_matches_a_hand_computed_table() -> None:
    # 10 students; rater a: A A A A A B B B B B, rater b agrees on 4 A and 3 B
    a = ["A"] * 5 + ["B"] * 5
    b = ["A", "A", "A", "A", "B", "B", "B", "B", "A", "A"]
    # p_o = 7/10; p_a(A) = .5, p_b(A) = .6 -> p_e = .5*.6 + .5*.4 = .5; kappa = .2/.5 = .4
    assert 0.4 == pytest.approx(metrics.cohens_kappa(a, b))


def test_cohens_kappa_is_one_for_perfect_agreement_and_nan_for_one_shared_label() -> None:
    assert 1.0 == metrics.cohens_kappa(["A", "B", "C"], ["A", "B", "C"])
    assert math.isnan(metrics.cohens_kappa(["A", "A"], ["A", "A"]))
    assert math.isnan(metrics.cohens_kappa([], []))


def test_label_metrics_reject_sequences_of_different_lengths() -> None:
    with pytest.raises(InvalidValueError, match="must match"):
        metrics.cohens_kappa(["A"], ["A", "B"])
    with pytest.raises(InvalidValueError, match="must match"):
        metrics.agreement(["A"], [])
    with pytest.raises(InvalidValueError, match="must match"):
        metrics.assessments_until_stable([1.0], [], 0.5)


_levels = st.floats(min_value=0.0, max_value=4.0, allow_nan=False)


@given(st.lists(st.tuples(_levels, _levels), min_size=1, max_size=30))
def test_rmse_is_never_smaller_than_the_size_of_the_bias(pairs: list[tuple[float, float]]) -> None:
    estimates = [e for e, _ in pairs]
    truths = [t for _, t in pairs]
    assert metrics.rmse(estimates, truths) >= abs(metrics.bias(estimates, truths)) - 1e-12


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from("ABC")), min_size=1))
def test_kappa_is_at_most_one_and_one_only_for_full_agreement(
    pairs: list[tuple[str, str]],
) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    kappa = metrics.cohens_kappa(a, b)
    one_label = len({*a, *b}) == 1  # chance agreement is 1: kappa is undefined
    assert one_label == math.isnan(kappa)
    assume(not one_label)
    assert -1.0 - 1e-12 <= kappa <= 1.0 + 1e-12
    assert (abs(kappa - 1.0) < 1e-12) == (a == b)


@given(
    st.lists(st.one_of(st.none(), _levels), min_size=1, max_size=12),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_stable_means_every_later_estimate_is_within_tolerance(
    running: list[float | None], tolerance: float
) -> None:
    truths = [2.0] * len(running)
    k = metrics.assessments_until_stable(running, truths, tolerance)
    within = [v is not None and abs(v - 2.0) <= tolerance for v in running]
    if k is None:
        assert not within[-1]
    else:
        assert all(within[k - 1 :])
        assert k == 1 or not within[k - 2]
