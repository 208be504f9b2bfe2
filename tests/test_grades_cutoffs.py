"""AverageCutoffs: half-open intervals, exact boundaries, weights, missing evidence."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mastery_grading import InvalidTypeError, InvalidValueError, LearningTarget, Scale
from mastery_grading.grades import (
    INCOMPLETE,
    AverageCutoffs,
    grade,
    read_value,
    results_from_scores,
)

MARZANO = AverageCutoffs.marzano_2010()


@pytest.mark.parametrize(
    ("average", "letter"),
    [
        (4.0, "A"),
        (3.0, "A"),
        (2.995, "B"),
        (2.9999999, "B"),
        (2.99, "B"),
        (2.5, "B"),
        (2.4999, "C"),
        (2.0, "C"),
        (1.99, "D"),
        (1.0, "D"),
        (0.99, "F"),
        (0.0, "F"),
        (Fraction(3), "A"),
        (Fraction(2999, 1000), "B"),
    ],
)
def test_marzano_2010_boundaries_are_half_open_and_exact(average: float, letter: str) -> None:
    assert letter == MARZANO.letter_for(average)


@pytest.mark.parametrize(
    ("average", "letter"), [(100, "A"), (90, "A"), (89.99, "B"), (80, "B"), (60, "D"), (59.99, "F")]
)
def test_percent_table(average: float, letter: str) -> None:
    assert letter == AverageCutoffs.percent().letter_for(average)


def test_an_average_below_the_lowest_cutoff_gets_the_lowest_letter() -> None:
    cutoffs = AverageCutoffs(cutoffs=[("P", 3.0), ("N", 1.0)])
    assert "N" == cutoffs.letter_for(0.5)


def test_letter_for_rejects_a_non_number() -> None:
    with pytest.raises(InvalidTypeError, match="average='3' must be a number"):
        MARZANO.letter_for("3")  # type: ignore[arg-type]


def test_the_average_is_exact_where_float_arithmetic_lands_below_the_boundary() -> None:
    values = [0.0, 2.3, 3.3, 3.3, 3.6]
    assert sum(values) / len(values) < 2.5  # binary floats: 2.4999999999999996
    report = grade(results_from_scores({f"T{i}": x for i, x in enumerate(values)}), MARZANO)
    assert "B" == report.letter
    assert "average 2.5 lies in [2.5, 3.0): B" == report.decided_by


def test_weighted_average_counts_power_standards_more() -> None:
    power = LearningTarget(id="P", title="Power standard", weight=2)
    other = LearningTarget(id="O", title="Other")
    results = results_from_scores({power: 3.0, other: 1.5})
    assert "C" == AverageCutoffs.marzano_2010().convert(results).letter  # mean 2.25
    weighted = AverageCutoffs.marzano_2010(weighted=True).convert(results)
    assert "B" == weighted.letter  # (2*3 + 1.5) / 3 = 2.5
    assert weighted.decided_by.startswith("weighted average 2.5")


def test_the_default_missing_choice_makes_the_grade_incomplete_not_zero() -> None:
    results = results_from_scores({"A": 4.0, "B": None})
    report = MARZANO.convert(results)
    assert INCOMPLETE == report.letter
    assert "no result yet on 'B' (missing='incomplete')" == report.decided_by


def test_missing_not_yet_counts_the_scale_minimum() -> None:
    results = results_from_scores({"A": 4.0, "B": None})
    report = AverageCutoffs.marzano_2010(missing="not_yet").convert(results)
    assert "C" == report.letter  # (4 + 0) / 2 = 2.0
    assert 0.0 == report.lines[1].counted_as


def test_missing_exclude_leaves_the_target_out() -> None:
    results = results_from_scores({"A": 3.5, "B": None})
    report = AverageCutoffs.marzano_2010(missing="exclude").convert(results)
    assert "A" == report.letter
    assert report.lines[1].counted_as is None
    assert "left out" in (report.lines[1].note or "")


def test_nothing_counted_is_incomplete_even_when_excluding() -> None:
    report = AverageCutoffs.marzano_2010(missing="exclude").convert(
        results_from_scores({"A": None})
    )
    assert INCOMPLETE == report.letter
    assert INCOMPLETE == MARZANO.convert([]).letter


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cutoffs": []}, "must hold at least one cutoff"),
        ({"cutoffs": [("A", 2.0), ("B", 3.0)]}, "strictly decreasing"),
        ({"cutoffs": [("A", 3.0), ("A", 2.0)]}, "must be unique"),
        ({"cutoffs": [("Incomplete", 3.0)]}, "reserved"),
        ({"cutoffs": [("A", 3.0)], "missing": "zero"}, "missing='zero' must be one of"),
        ({"cutoffs": ["A"]}, "must be a Cutoff or a"),
    ],
)
def test_invalid_cutoffs_are_rejected_with_the_field_named(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises((InvalidValueError, InvalidTypeError), match=message):
        AverageCutoffs(**kwargs)  # type: ignore[arg-type]


def test_results_on_scales_of_different_range_cannot_be_averaged() -> None:
    percent = LearningTarget(id="P", title="Percent target", scale=Scale.percent())
    results = results_from_scores({percent: 85.0, "M": 3.0})
    with pytest.raises(InvalidValueError, match="different ranges"):
        MARZANO.convert(results)


def test_a_target_given_twice_is_rejected() -> None:
    results = results_from_scores({"A": 3.0})
    with pytest.raises(InvalidValueError, match="'A' more than once"):
        MARZANO.convert([*results, *results])


def test_an_item_that_is_not_a_result_is_rejected() -> None:
    with pytest.raises(InvalidTypeError, match="must be a TargetResult"):
        MARZANO.convert([3.0])  # type: ignore[list-item]


def test_claims_are_all_three() -> None:
    assert frozenset({"monotone", "complete", "unambiguous"}) == MARZANO.claims
    assert ("A", "B", "C", "D", "F") == MARZANO.letters


def test_thirds_from_a_mean_policy_average_to_exactly_the_boundary() -> None:
    from helpers import history
    from mastery_grading.policies import Mean

    targets = [LearningTarget(id=f"T{i}", title=f"Target {i}") for i in range(3)]
    histories = [[2, 3, 3], [2, 3, 3], [3, 4, 4]]  # means 8/3, 8/3 and 11/3
    results = [
        Mean().evaluate(history(scores, target_id=t.id), t)
        for t, scores in zip(targets, histories, strict=True)
    ]
    assert [2.6666666666666665, 2.6666666666666665, 3.6666666666666665] == [
        r.value for r in results
    ]
    report = MARZANO.convert(results)
    assert "A" == report.letter
    assert "average 3.0 lies in [3.0, ∞): A" == report.decided_by


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.8, Fraction(14, 5)),
        (2.995, Fraction(599, 200)),
        (8 / 3, Fraction(8, 3)),
        (11 / 3, Fraction(11, 3)),
        (0.1, Fraction(1, 10)),
        (-0.75, Fraction(-3, 4)),
        (0.0, Fraction(0)),
        (90.0, Fraction(90)),
    ],
)
def test_values_are_read_as_the_simplest_fraction_that_rounds_to_them(
    value: float, expected: Fraction
) -> None:
    assert expected == read_value(value)


def test_a_float_that_is_not_the_nearest_float_to_a_simple_number_is_not_rounded_to_it() -> None:
    below = 2.4999999999999996  # one float below 2.5
    assert read_value(below) < Fraction(5, 2)
    assert "C" == MARZANO.letter_for(below)
    assert read_value(0.1 + 0.2) > Fraction(3, 10)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_reading_rounds_back_to_the_float_and_is_no_more_complex_than_its_decimal(
    value: float,
) -> None:
    read = read_value(value)
    assert value == float(read)
    assert read.denominator <= Fraction(repr(value)).denominator


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(min_value=-1000, max_value=1000, places=4).map(float),
    )
)
@example(8 / 3)
@example(0.1 + 0.2)
def test_no_simpler_fraction_rounds_to_the_float_than_the_one_read(value: float) -> None:
    """The simplest-fraction rule, on the decimal fast path and the search alike."""
    read = read_value(value)
    if read.denominator > 1:
        # The closest fraction with a smaller denominator: if it does not round to the float,
        # no fraction with a smaller denominator does.
        closest = Fraction(value).limit_denominator(read.denominator - 1)
        assert value != float(closest)


@given(st.integers(min_value=-400, max_value=400), st.integers(min_value=1, max_value=1000))
def test_a_fraction_with_a_small_denominator_is_read_back_exactly(p: int, q: int) -> None:
    assert Fraction(p, q) == read_value(p / q)


def test_the_reason_never_reads_as_lying_across_the_boundary() -> None:
    report = MARZANO.convert(results_from_scores({"a": 3.0, "b": 3.0, "c": 2.9999999}))
    assert "B" == report.letter
    assert "average 2.9999… lies in [2.5, 3.0): B" == report.decided_by


def test_the_reason_shows_more_places_where_four_would_fall_below_the_cutoff() -> None:
    cutoffs = AverageCutoffs(cutoffs=[("A", 2.99999), ("B", 0.0)])
    report = cutoffs.convert(results_from_scores({"a": 2.99999, "b": 2.9999901}))
    assert "A" == report.letter  # the average 2.99999005 is cut to 2.99999, not 2.9999
    assert "average 2.99999… lies in [2.99999, ∞): A" == report.decided_by


def test_average_cutoffs_describe_themselves_briefly() -> None:
    assert "average cutoffs: A from 3.0, B from 2.5, C from 2.0, D from 1.0, else F" == str(MARZANO)
    assert "weighted average cutoffs: P from 3.0, else N" == (
        AverageCutoffs(cutoffs=[("P", 3.0), ("N", 0.0)], weighted=True).describe()
    )
    assert "average cutoffs: always P" == AverageCutoffs(cutoffs=[("P", 3.0)]).describe()


def test_a_single_cutoff_covers_every_average() -> None:
    only = AverageCutoffs(cutoffs=[("P", 3.0)])
    assert "(-∞, ∞)" == only.interval_for(1.0)
    assert "P" == only.letter_for(1.0)
