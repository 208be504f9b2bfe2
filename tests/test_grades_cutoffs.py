"""AverageCutoffs: half-open intervals, exact boundaries, weights, missing evidence."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mastery_grading import InvalidTypeError, InvalidValueError, LearningTarget, Scale
from mastery_grading.grades import INCOMPLETE, AverageCutoffs, grade, results_from_scores

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
