"""Worked examples from public vendor documentation, one test per published figure.

Sources are listed in shared/research/gradebook-methods.md; each test names its vendor.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import MARZANO_TARGET, PERCENT_TARGET, START, history
from mastery_grading import Evidence, EvidenceKind, Gradebook, LearningTarget, Scale
from mastery_grading.io import read_canvas_api_results
from mastery_grading.policies import (
    BestFit,
    DecayingAverage,
    MaxOf,
    Mean,
    MeanOfHighest,
    Median,
    Mode,
    MostRecent,
    PowerLaw,
    from_canvas,
    round_half_up,
)

FIVE_POINT = LearningTarget(id="T", title="Target", scale=Scale(min=0, max=5, mastery=3))


def value(policy: object, scores: list[float], target: LearningTarget = MARZANO_TARGET) -> float:
    return value_of(policy, history(scores), target)


def value_of(
    policy: object, evidence: list[Evidence], target: LearningTarget = MARZANO_TARGET
) -> float:
    result = policy.evaluate(evidence, target)  # type: ignore[attr-defined]
    assert result.value is not None, result.reason
    return result.value  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("scores", "shown"),
    [([1, 2, 3, 4], 4.00), ([1, 3, 2, 4], 3.66), ([2, 4, 1, 3], 2.16), ([4, 3, 2, 1], 1.28)],
)
def test_jumprope_power_law_quick_reference(scores: list[float], shown: float) -> None:
    assert shown == round_half_up(value(PowerLaw(), scores))


def test_mrmathman_power_failure() -> None:
    assert 1.90 == round_half_up(value(PowerLaw(), [3, 3, 1, 3]))
    assert 3.07 == round_half_up(value(PowerLaw(), [3, 3, 1, 3, 4, 4]))


def test_powerschool_learning_decaying_average_mean_and_most_recent() -> None:
    assert 2.65 == value(DecayingAverage(), [2, 3])
    assert 3.53 == round_half_up(value(DecayingAverage(), [2, 3, 4]))
    assert 3.0 == value(Mean(), [2, 3, 4])
    assert 4.0 == value(MostRecent(), [2, 3, 4])


def test_otus_decaying_average_65_shown_to_one_decimal() -> None:
    assert 3.5275 == value(DecayingAverage(), [2, 3, 4])
    assert 3.5 == round_half_up(3.5275, 1)


def test_masteryconnect_decaying_average() -> None:
    assert 3.48 == round_half_up(value(DecayingAverage(), [1, 2, 3, 4]))


def test_skyward_three_assessments_weights() -> None:
    weights = [round(float(w) * 100) for w in DecayingAverage().weights(3)]
    assert [12, 23, 65] == weights


def test_canvas_weighted_average_shows_4_13() -> None:
    assert 4.13 == value(from_canvas("weighted_average", 65), [1, 2, 3, 4, 5], FIVE_POINT)


def test_canvas_n_mastery_averages_every_mastery_score() -> None:
    # mastery_points 3 on the default 5-point outcome; n = 2: kept 3, 5, 4 -> 4.0.
    assert 4.0 == value(from_canvas("n_mastery", 2), [3, 1, 5, 2, 4], FIVE_POINT)


def test_educate_average_of_three_highest() -> None:
    assert 3.67 == round_half_up(value(MeanOfHighest(n=3), [4, 3, 3, 4]))


def test_educate_mode_tie_goes_to_the_more_recent() -> None:
    assert 2.0 == value(Mode(tie_break="most_recent"), [3, 2, 3, 2])


def test_rediker_mode_tie_gives_no_score() -> None:
    result = Mode(tie_break="none").evaluate(history([3, 2, 3, 2]), MARZANO_TARGET)
    assert result.value is None


def test_moodle_mode_tie_highest_and_median_of_even_count() -> None:
    assert 3.0 == value(Mode(tie_break="highest"), [3, 2, 3, 2])
    assert 2.5 == value(Median(), [3, 2, 3, 2])


def test_nha_gradebook_average_or_power_law() -> None:
    """NHA: 2, 2.5, 3, 4 shows the power law ("a 4"); 3, 2, 3, 2 shows the average 2.5."""
    nha = MaxOf(Mean(), PowerLaw())
    assert 4.0 == round(value(nha, [2, 2.5, 3, 4]))
    assert 2.5 == value(nha, [3, 2, 3, 2])
    assert 3.68 == round_half_up(value(BestFit(models=("mean", "power_law")), [2, 2.5, 3, 4]))


def test_ascender_reports_the_higher_of_mean_and_power_law() -> None:
    assert 2.5 == value(MaxOf.example(), [3, 2, 3, 2])
    assert value(PowerLaw(), [1, 3, 2, 4]) == value(MaxOf.example(), [1, 3, 2, 4])


# U-46 (Elgin, Illinois), "Grade determination": category weights practice 10 %, formative 20 %,
# summative 70 %, renormalised over the categories that have a score; one score per category.
U46_WEIGHTS = {"practice": 10, "formative": 20, "summative": 70}
U46_SCORES = {"practice": 3.0, "formative": 2.5, "summative": 3.0}


def u46_evidence(*categories: str) -> list[Evidence]:
    """One score per category, a day apart, weighted by its category's percentage."""
    return [
        Evidence(
            student_id="s1",
            target_id="T",
            score=U46_SCORES[category],
            observed_at=START + timedelta(days=day),
            kind=EvidenceKind.SUMMATIVE if category == "summative" else EvidenceKind.FORMATIVE,
            weight=U46_WEIGHTS[category],
            source_id=category,
        )
        for day, category in enumerate(categories)
    ]


@pytest.mark.parametrize(
    ("categories", "shown", "shares"),
    [
        (("practice", "formative", "summative"), 2.9, [10.0, 20.0, 70.0]),
        (("formative", "summative"), 2.9, [22.2, 77.8]),
        (("practice", "formative"), 2.7, [33.3, 66.7]),
    ],
    ids=["all categories", "practice missing", "summative missing"],
)
def test_u46_weighted_mean_renormalises_over_the_categories_present(
    categories: tuple[str, ...], shown: float, shares: list[float]
) -> None:
    """U-46 prints 2.9, 2.9 and 2.7 (1 decimal); its page truncates 66.67 % to 66.6 %."""
    result = Mean().evaluate(u46_evidence(*categories), MARZANO_TARGET)
    assert result.value is not None
    assert shown == round_half_up(result.value, 1)
    assert shares == [round_half_up(c.weight * 100, 1) for c in result.contributions]


@pytest.mark.parametrize(
    "categories",
    [("practice", "formative", "summative"), ("formative", "summative"), ("practice", "formative")],
)
def test_u46_each_weighted_mean_rounds_to_the_whole_level_3(categories: tuple[str, ...]) -> None:
    """U-46 then rounds each to a whole level: all three examples are a 3 (a B)."""
    assert 3.0 == round_half_up(value_of(Mean(), u46_evidence(*categories)), 0)


def test_powerschool_marks_averaged_through_their_values() -> None:
    """PowerSchool "values and cut-offs": A = 100, B = 80, so A, A, B averages to 93.3.

    The documentation's excerpt prints 92.5, which its own numbers do not give.
    """
    assert 93.3 == round_half_up(value(Mean(), [100, 100, 80], PERCENT_TARGET), 1)


@pytest.mark.parametrize("reverse", [False, True])
def test_jumprope_most_recent_tie_goes_to_the_alphabetically_last_assessment(
    reverse: bool,
) -> None:
    """JumpRope: two assessments on the same date, the one "last alphabetically" counts."""
    same_time = [
        Evidence(student_id="s1", target_id="T", score=2, observed_at=START, source_id="Quiz B"),
        Evidence(student_id="s1", target_id="T", score=4, observed_at=START, source_id="Quiz A"),
    ]
    evidence = list(reversed(same_time)) if reverse else same_time
    assert 2.0 == value_of(MostRecent(), evidence)


# Canvas's section statistics and result scaling (instructure/canvas-lms,
# spec/lib/outcomes/result_analytics_spec.rb, "#aggregate_outcome_results_rollup" and "handling
# quiz outcome results objects"): read from the API's JSON, rolled up, then aggregated.


def _canvas_book(rows: list[tuple[str, str, float]], target_scale: Scale) -> Gradebook:
    """Results ``(user, outcome, score)`` of the spec, all at one time, as a gradebook."""
    targets = [LearningTarget(id=o, title=o, scale=target_scale) for o in ("80", "81")]
    evidence = [
        Evidence(student_id=user, target_id=outcome, score=score, observed_at=START)
        for user, outcome, score in rows
    ]
    return Gradebook.from_evidence(evidence, targets=targets)


def test_canvas_section_mean_and_median_of_rollups() -> None:
    # "highest" per student: a 1.0/5.0, b 2.0/6.0, c 3.0/-, d 40.0/70.0 (Canvas does not clamp)
    rows = [
        ("a", "80", 0.0),
        ("a", "80", 1.0),
        ("a", "81", 5.0),
        ("b", "80", 2.0),
        ("b", "81", 6.0),
        ("c", "80", 3.0),
        ("d", "80", 40.0),
        ("d", "81", 70.0),
    ]
    table = _canvas_book(rows, Scale(min=0, max=100, mastery=3)).results(from_canvas("highest"))
    mean = table.aggregate(stat="mean")
    median = table.aggregate(stat="median")
    assert [11.5, 27.0] == [mean.value("all", o) for o in ("80", "81")]
    assert [2.5, 6.0] == [median.value("all", o) for o in ("80", "81")]


def test_canvas_section_statistic_is_none_when_no_student_reaches_n_mastery() -> None:
    rows = [("a", "80", 0.0), ("b", "80", 0.0)]
    table = _canvas_book(rows, Scale(min=0, max=5, mastery=3)).results(from_canvas("n_mastery", 5))
    assert table.aggregate().value("all", "80") is None
    assert table.aggregate(stat="median").value("all", "80") is None


def _quiz(outcome: int, percent: float, score: float, day: int = 2) -> dict[str, object]:
    return {
        "score": score,
        "possible": 1.0,
        "percent": percent,
        "submitted_or_assessed_at": f"2024-10-0{day}T09:00:00Z",
        "links": {"user": "10", "learning_outcome": str(outcome), "alignment": "quiz_1"},
    }


def test_canvas_scales_quiz_scores_to_the_outcome_points() -> None:
    # Canvas's default outcome: ratings 5 / 3 / 0, mastery 3, points possible 5
    default = {
        "points_possible": 5.0,
        "mastery_points": 3.0,
        "ratings": [
            {"points": 5.0, "description": "Exceeds Expectations"},
            {"points": 3.0, "description": "Meets Expectations"},
            {"points": 0.0, "description": "Does Not Meet Expectations"},
        ],
    }
    document = {
        "outcome_results": [
            _quiz(80, 0.4, 7.0),
            _quiz(80, 0.9, 12.0, day=1),  # a day earlier
            *(_quiz(81, p, s) for p, s in [(0.2, 30.0), (0.5, 75.0), (0.8, 120.0)]),
            *(_quiz(82, p, s) for p, s in [(0.2, 90.0), (0.7, 75.0), (0.8, 120.0), (0.9, 100.0)]),
        ],
        "linked": {"outcomes": [{"id": i, "title": str(i), **default} for i in (80, 81, 82)]},
    }
    found = read_canvas_api_results(document)
    policies = {
        "80": from_canvas("decaying_average", 65),
        "81": from_canvas("n_mastery", 3),
        "82": from_canvas("n_mastery", 3),
    }
    table = Gradebook.from_evidence(found.evidence, targets=found.targets).results(policies)
    assert [2.88, None, 4.0] == [r.value for r in table]


def test_canvas_takes_a_percent_of_mastery_points_when_points_possible_is_0() -> None:
    document = {
        "outcome_results": [_quiz(81, 0.7, 10.0)],
        "linked": {"outcomes": [{"id": 81, "points_possible": 0.0, "mastery_points": 3.0}]},
    }
    found = read_canvas_api_results(document)
    table = Gradebook.from_evidence(found.evidence, targets=found.targets).results(
        from_canvas("latest")
    )
    assert 2.1 == table.aggregate().value("all", "81")
