"""What a student needs next: needed(), Needed, Gradebook.needed and the next steps that use it."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START, history
from mastery_grading import (
    Evidence,
    Gradebook,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Needed,
    Scale,
    ScoreOutOfScaleError,
    TargetMismatchError,
    needed,
    policies,
    sort_chronologically,
)
from mastery_grading.examples import load_example_class
from mastery_grading.fairness.audit import AuditTable, audit
from mastery_grading.fairness.next_score import promises_next_score
from mastery_grading.gradebook import NEEDED_COLUMNS, NeededTable
from mastery_grading.grades import AverageCutoffs, grade
from mastery_grading.policies import available_policies
from mastery_grading.protocols import Policy
from mastery_grading.testing import strategies as mst

SLOPE = LearningTarget(id="T", title="Slope")  # Marzano's 0-4, half points, mastery 3
TENTHS = LearningTarget(id="T", title="Slope", scale=Scale(min=0, max=4, mastery=3, step=0.1))
PERCENT = LearningTarget(id="T", title="Percent", scale=Scale.percent())


def answer(
    scores: list[float], policy: Policy, target: LearningTarget = SLOPE, **options: Any
) -> Needed:
    return needed(history(scores), target, policy, **options)


def reaches(
    policy: Policy, evidence: list[Evidence], target: LearningTarget, new: list[float], goal: float
) -> bool:
    """Whether ``new`` scores, one day apart after the latest evidence, bring it to ``goal``."""
    latest = sort_chronologically(evidence)[-1]
    added = [
        Evidence(
            student_id=latest.student_id,
            target_id=target.id,
            score=score,
            observed_at=latest.observed_at + timedelta(days=1 + i),
            context=latest.context,
        )
        for i, score in enumerate(new)
    ]
    value = policy.evaluate([*evidence, *added], target).value
    return value is not None and value >= goal


# ---------------------------------------------------------------------------------------------
# Worked examples, computed by hand
# ---------------------------------------------------------------------------------------------


def test_mean_needs_the_smallest_half_point_that_lifts_the_average_to_mastery() -> None:
    found = answer([2.5, 3.0], policies.Mean())  # (5.5 + x) / 3 >= 3: x >= 3.5
    assert (3.5, 1, False, 2.75) == (found.score, found.count, found.reached, found.value)
    assert ("meets", 3.0) == (found.level, found.goal)
    assert "a 3.5 or more on the next assessment brings it to meets (3.0)" == found.reason
    assert not reaches(policies.Mean(), history([2.5, 3.0]), SLOPE, [3.0], 3.0)  # 8.5 / 3


def test_a_score_that_lands_exactly_on_the_threshold_reaches_it_in_exact_arithmetic() -> None:
    # (0.6 + 3.8 + 4.0 + 3.6) / 4 is 3 exactly; in floats it sums to 2.9999999999999996.
    assert (0.6 + 3.8 + 4.0 + 3.6) / 4 < 3
    assert 3.6 == answer([0.6, 3.8, 4.0], policies.Mean(), TENTHS).score


def test_decaying_average_solves_r_x_plus_the_rest_of_the_current_value() -> None:
    # d = 0.65 * 3 + 0.35 * 2 = 2.65; 0.65 x + 0.35 * 2.65 >= 3: x >= 3.19, so 3.5
    found = answer([2.0, 3.0], policies.DecayingAverage())
    assert (3.5, 1) == (found.score, found.count)
    assert not reaches(policies.DecayingAverage(), history([2.0, 3.0]), SLOPE, [3.0], 3.0)


def test_decaying_average_exactly_at_the_threshold() -> None:
    assert 4.0 == answer([2.0], policies.DecayingAverage(rate=0.5)).score  # 0.5 * 4 + 1 == 3


def test_decaying_average_needs_two_top_scores_when_one_is_not_enough() -> None:
    found = answer([0.0, 0.0], policies.DecayingAverage(rate=0.5))  # 4 -> 2.0, 4, 4 -> 3.0
    assert (None, 2) == (found.score, found.count)
    assert found.reason.endswith("not even a 4.0; 2 scores of 4.0 in a row do")


def test_most_recent_needs_the_threshold_itself() -> None:
    policy = policies.MostRecent()
    assert 3.0 == answer([1.0, 4.0, 2.0], policy).score
    assert 4.0 == answer([1.0, 4.0, 2.0], policy, level="exceeds").score
    assert 2.5 == answer([1.0], policy, level=2.5).score
    assert ("approaching", 2.5) == (
        answer([1.0], policy, level=2.5).level,
        answer([1.0], policy, level=2.5).goal,
    )


def test_a_scale_without_a_step_is_searched_in_hundredths_of_its_width() -> None:
    # (70 + 75 + x) / 3 >= 80: x >= 95, on a grid of whole points
    assert 95.0 == answer([70.0, 75.0], policies.Mean(), PERCENT).score
    assert 80.0 == answer([12.0], policies.MostRecent(), PERCENT).score


def test_highest_already_at_mastery_keeps_it_whatever_the_next_score() -> None:
    found = answer([2.0, 3.5], policies.Highest())
    assert (True, 0.0, 1) == (found.reached, found.score, found.count)
    assert "already at meets (3.0) or above, and any next score keeps it there" == found.reason
    assert 4.0 == answer([2.0, 3.5], policies.Highest(), level="exceeds").score


def test_already_reached_gives_the_smallest_next_score_that_keeps_it() -> None:
    found = answer([4.0, 4.0], policies.Mean())  # (8 + x) / 3 >= 3: x >= 1
    assert (True, 1.0) == (found.reached, found.score)
    assert found.reason.startswith("already at meets (3.0) or above; a 1.0 or more")


def test_n_times_needs_a_second_mastery_score() -> None:
    # n=2: one score at mastery so far; a 3.0 adds the second, mean(3.5, 3) = 3.25
    assert 3.0 == answer([3.5, 1.0], policies.NTimes(n=2)).score
    found = answer([3.5, 1.0], policies.NTimes(n=3))
    assert (None, 2) == (found.score, found.count)
    assert "a 4.0 gives no result yet (mastery shown 2 of 3 times; 1 more needed)" in found.reason


def test_a_policy_without_the_monotone_claim_is_scanned_and_says_a_higher_score_may_not_do() -> (
    None
):
    # n=1, mastery 3: scores 4, 2 give 4 (exceeds); a 0 keeps 4, a 3.0 gives mean(4, 3) = 3.5
    found = answer([4.0, 2.0], policies.NTimes(n=1), level="exceeds")
    assert 0.0 == found.score
    assert found.reason.endswith("this policy does not promise that a higher score does too")
    assert not reaches(policies.NTimes(n=1), history([4.0, 2.0]), SLOPE, [3.0], 4.0)


def test_at_bats_needs_the_missing_at_bat() -> None:
    policy = policies.AtBats(k=2)  # the most recent, once two scores at mastery are in
    assert 3.0 == answer([3.5, 2.0], policy).score
    assert not reaches(policy, history([3.5, 2.0]), SLOPE, [2.5], 3.0)


def test_a_summative_only_rule_ignores_practice() -> None:
    practice = history([0.0], kind="formative")
    graded = [
        attrs.evolve(e, observed_at=e.observed_at + timedelta(days=1)) for e in history([2.5])
    ]
    policy = policies.Filtered(inner=policies.Mean(), summative_only=True)
    assert 3.5 == needed([*practice, *graded], SLOPE, policy).score  # (2.5 + x) / 2 >= 3


def test_a_policy_that_ignores_new_evidence_has_no_number_of_scores_that_reaches() -> None:
    closed = policies.Filtered(inner=policies.MostRecent(), end="2026-09-02")  # a cut-off
    found = answer([1.0, 2.0], closed)  # 1 and 2 September; the next on the 3rd is left out
    assert (None, None, "s1") == (found.score, found.count, found.student_id)
    assert found.reason.endswith("nor can up to 100 scores of 4.0 in a row under this policy")


def test_the_mean_counts_top_scores_when_one_score_is_not_enough() -> None:
    found = answer([1.0, 1.0, 1.0], policies.Mean())  # (3 + 4k) / (3 + k) >= 3: k >= 6
    assert (None, 6) == (found.score, found.count)
    assert not reaches(policies.Mean(), history([1.0] * 3), SLOPE, [4.0] * 5, 3.0)  # 23 / 8
    assert "not even a 4.0; 6 scores of 4.0 in a row do" in found.reason


def test_the_top_of_the_scale_is_out_of_reach_for_a_mean_with_a_lower_score() -> None:
    found = answer([1.0, 1.0, 1.0], policies.Mean(), level="exceeds")
    assert (None, None) == (found.score, found.count)


def test_a_target_without_evidence_has_no_answer_and_says_why() -> None:
    found = needed([], SLOPE, policies.Mean())
    assert (None, None, None, None, False) == (
        found.score,
        found.count,
        found.value,
        found.student_id,
        found.reached,
    )
    assert found.reason.startswith("no evidence yet")


def test_when_places_the_next_assessment() -> None:
    # 1 and 2 September; a next score on 1 September at noon is not the latest one, so one
    # score cannot move the most recent; two top scores (noon on the 1st and the 2nd) do
    early = START + timedelta(hours=4)
    found = answer([1.0, 2.0], policies.MostRecent(), when=early)
    assert (None, 2) == (found.score, found.count)
    assert 3.0 == answer([1.0, 2.0], policies.MostRecent(), when=START + timedelta(days=5)).score


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_bad_arguments_are_refused_with_the_field_named() -> None:
    mean, scores = policies.Mean(), history([2.0])
    with pytest.raises(InvalidValueError, match="level='mastered' is not a level of the scale"):
        needed(scores, SLOPE, mean, level="mastered")
    with pytest.raises(ScoreOutOfScaleError, match=r"level=5\.0 lies outside the scale"):
        needed(scores, SLOPE, mean, level=5.0)
    with pytest.raises(InvalidTypeError, match="level=True must be a level's name"):
        needed(scores, SLOPE, mean, level=True)
    with pytest.raises(InvalidValueError, match="must be of one student"):
        needed([*scores, *history([3.0], student_id="s2")], SLOPE, mean)
    with pytest.raises(InvalidValueError, match="is a naive datetime"):
        needed(scores, SLOPE, mean, when=datetime(2026, 9, 5))
    with pytest.raises(InvalidTypeError, match="must be a Policy"):
        needed(scores, SLOPE, "mean")  # type: ignore[arg-type]
    with pytest.raises(TargetMismatchError):
        needed(history([2.0], target_id="U"), SLOPE, mean)


def test_needed_refuses_an_inconsistent_answer() -> None:
    fine = answer([2.5, 3.0], policies.Mean())
    with pytest.raises(InvalidValueError, match=r"count=2 must be 1 when score=3\.5 is given"):
        attrs.evolve(fine, count=2)
    with pytest.raises(InvalidValueError, match="count=0 must be at least 1"):
        attrs.evolve(fine, score=None, count=0)
    with pytest.raises(InvalidValueError, match="reason='' must be a non-empty string"):
        attrs.evolve(fine, reason="")


# ---------------------------------------------------------------------------------------------
# Sufficient and minimal, for every built-in policy
# ---------------------------------------------------------------------------------------------


def _grid(scale: Scale) -> list[float]:
    low, high = Fraction(repr(scale.min)), Fraction(repr(scale.max))
    step = Fraction(repr(scale.step)) if scale.step is not None else (high - low) / 100
    return [float(low + k * step) for k in range(int((high - low) / step) + 1)]


@pytest.mark.parametrize("name", sorted(available_policies()))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_the_answer_is_sufficient_and_minimal(name: str, data: st.DataObject) -> None:
    """Adding the score reaches the level and one step less does not; with the monotone claim
    every higher score reaches it too, without it every lower score falls short. A count of
    top scores reaches it and one fewer does not."""
    policy = data.draw(mst.policy_named(name))
    target = data.draw(mst.targets())
    evidence = data.draw(mst.history_for(target, min_size=1, max_size=5, on_step=True))
    level = data.draw(st.sampled_from([None, *(item.name for item in target.scale.levels)]))
    found = needed(evidence, target, policy, level=level)
    goal = found.goal
    points = _grid(target.scale)
    if found.score is not None:
        k = points.index(found.score)
        assert reaches(policy, evidence, target, [found.score], goal)
        if "monotone" in policy.claims:
            assert k == 0 or not reaches(policy, evidence, target, [points[k - 1]], goal)
            higher = data.draw(st.sampled_from(points[k:]))
            assert reaches(policy, evidence, target, [higher], goal)
        else:
            assert not any(reaches(policy, evidence, target, [p], goal) for p in points[:k])
        return
    top = target.scale.max
    assert not reaches(policy, evidence, target, [top], goal)
    if found.count is not None:
        assert reaches(policy, evidence, target, [top] * found.count, goal)
        assert not reaches(policy, evidence, target, [top] * (found.count - 1), goal)


# ---------------------------------------------------------------------------------------------
# The whole class at once
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> Gradebook:
    example = load_example_class()
    return Gradebook.from_evidence(example.evidence, targets=example.targets)


def test_the_table_has_a_row_per_student_and_target(book: Gradebook) -> None:
    table = book.needed(policies.Mean())
    assert isinstance(table, NeededTable)
    assert 8 * 5 == len(table) == len(list(table)) == len(table.records())
    assert list(NEEDED_COLUMNS) == list(table.records()[0])
    devon = table["devon", "LE.1"]  # scores 1, 1.5, 2, 3.5, 4: (12 + 4k) / (5 + k) >= 3
    assert (2.4, None, 3) == (devon.value, devon.score, devon.count)
    with pytest.raises(KeyError):
        table["nobody", "LE.1"]
    assert "NeededTable(policy=Mean(weighted=True), level=None, students=8, targets=5)" == repr(
        table
    )


def test_the_table_converts_to_pandas_with_missing_counts(book: Gradebook) -> None:
    pd = pytest.importorskip("pandas")
    seen: set[int | None] = set()
    for level in (None, "exceeds"):
        table = book.needed(policies.Mean(), level=level)
        frame, records = table.to_pandas(), table.records()
        assert list(NEEDED_COLUMNS) == list(frame.columns)
        assert [r["count"] for r in records] == [
            None if pd.isna(c) else int(c) for c in frame["count"].astype(object)
        ]
        assert [r["reason"] for r in records] == list(frame["reason"])
        seen |= {r["count"] for r in records}
    assert {None, 1, 3} <= seen


def test_a_level_missing_from_a_targets_scale_is_named_with_the_target() -> None:
    book = Gradebook.from_evidence(history([50.0]), targets=[PERCENT])
    with pytest.raises(InvalidValueError, match="target 'T': level='meets' is not a level"):
        book.needed(policies.Mean(), level="meets")


GRADEBOOK_POLICIES = [
    policies.Mean(),
    policies.Mean(weighted=False),
    policies.DecayingAverage(),
    policies.DecayingAverage(rate=0.5),
    policies.WeightedAverage(),
    policies.MostRecent(),
    policies.Highest(),
    policies.Mode(),
]


@settings(max_examples=40, deadline=None)
@given(
    data=mst.gradebook_evidence(max_students=3, max_targets=2, max_size=16),
    policy=st.sampled_from(GRADEBOOK_POLICIES),
    late=st.booleans(),
)
def test_every_row_equals_needed_of_that_students_evidence(
    data: tuple[list[LearningTarget], list[Evidence]], policy: Policy, late: bool
) -> None:
    """The closed form of the linear policies (with numpy) and the per-group search agree."""
    pytest.importorskip("numpy")
    targets, evidence = data
    when = mst.EPOCH + timedelta(days=2) if late else None
    table = Gradebook.from_evidence(
        evidence, targets=targets, duplicates="keep", engine="numpy"
    ).needed(policy, when=when)
    by_id = {t.id: t for t in targets}
    for row in table:
        assert row.student_id is not None
        own = [
            e for e in evidence if (e.student_id, e.target_id) == (row.student_id, row.target_id)
        ]
        expected = needed(own, by_id[row.target_id], policy, when=when)
        assert attrs.evolve(expected, student_id=row.student_id, value=row.value) == row
        assert (expected.value is None) == (row.value is None)
        if expected.value is not None:
            assert expected.value == pytest.approx(row.value, rel=1e-9, abs=1e-9)


def test_the_python_engine_gives_the_same_table(book: Gradebook) -> None:
    example = load_example_class()
    python = Gradebook.from_evidence(example.evidence, targets=example.targets, engine="python")
    for policy in (policies.DecayingAverage(), policies.MostRecent(), policies.Mode()):
        fast, slow = book.needed(policy), python.needed(policy)
        assert [attrs.evolve(a, value=None) for a in fast] == [
            attrs.evolve(b, value=None) for b in slow
        ]


# ---------------------------------------------------------------------------------------------
# Next steps
# ---------------------------------------------------------------------------------------------


def _report(scores: list[float], policy: Policy) -> Any:
    slope = LearningTarget(id="S", title="Slope")
    evidence = history(scores, target_id="S")
    return grade([policy.evaluate(evidence, slope)], AverageCutoffs.marzano_2010()), evidence


def test_a_next_step_says_what_the_next_assessment_must_give() -> None:
    # d = 0.65 * 2.75 + 0.35 * 2.5 = 2.6625 (B); A needs 3.0: 0.65 x + 0.931875 >= 3, x = 3.5
    report, evidence = _report([2.5, 2.75], policies.DecayingAverage())
    assert ["bring 'Slope' from approaching (2.6625) to meets (3.0)"] == [
        step.text for step in report.next_steps()
    ]
    [step] = report.next_steps(evidence=evidence)
    assert 3.5 == step.needed.score
    assert "a 3.5 on your next assessment of 'Slope' brings it to meets (3.0), up from 2.6625" == (
        step.text
    )
    other = history([0.0, 0.0], target_id="S", student_id="s2")  # another student's: left out
    assert step == report.next_steps(evidence=[*evidence, *other]).steps[0]


def test_a_next_step_counts_top_scores_or_says_new_scores_alone_do_not_do() -> None:
    # F (average 0.5); D from 1.0: (0 + 1 + x) / 3 >= 1: x >= 2
    report, evidence = _report([0.0, 1.0], policies.Mean())
    assert (
        "Next letter: D. A 2.0 on your next assessment of 'Slope' brings it to 1.0 (not yet), "
        "up from 0.5."
    ) == str(report.next_steps(evidence=evidence))
    report, evidence = _report([0.0] * 12, policies.Mean())  # (4k) / (12 + k) >= 1: k = 4
    [step] = report.next_steps(evidence=evidence)
    assert step.text.startswith("4 scores of 4.0 on your next assessments of 'Slope' bring it to")
    closed = policies.Filtered(inner=policies.MostRecent(), end="2026-09-02")
    report, evidence = _report([0.0, 0.0], closed)
    [step] = report.next_steps(evidence=evidence)
    assert step.text.endswith("new scores alone do not get it there; talk with your teacher")


# ---------------------------------------------------------------------------------------------
# The audit says which policies cannot promise it
# ---------------------------------------------------------------------------------------------

NOT_PROMISED = {
    "best_fit",
    "linear_trend",
    "max_of",
    "mode",
    "mode_of_recent",
    "n_times",
    "power_law",
}


def test_the_built_ins_that_do_not_claim_monotone_do_not_promise_their_next_score() -> None:
    found = {name for name, p in available_policies().items() if not promises_next_score(p)}
    assert NOT_PROMISED == found


def test_the_audit_table_names_the_policies_whose_next_score_is_not_promised() -> None:
    catalogue = available_policies()
    names = sorted(catalogue)
    table = AuditTable(names=names, reports=[audit(catalogue[n], axioms=[]) for n in names])
    listed = ", ".join(n for n in names if n in NOT_PROMISED)
    note = f"Next score (mastery_grading.needed): not promised for {listed}: they do not"
    assert note in str(table)
    assert note in table.to_markdown()
    assert "Next score (mastery_grading.needed): not promised for best_fit" in table.to_html()


def test_an_audit_report_says_whether_its_next_score_is_promised() -> None:
    mode = audit(policies.Mode(), axioms=[])
    assert str(mode).endswith(
        "so a score above the one needed may fall short (every step is "
        "tried, and the answer is the smallest that reaches it)."
    )
    assert {"promised": False, "note": mode.note} == mode.to_dict()["next_score"]
    assert audit(policies.Mean(), axioms=[]).to_dict()["next_score"]["promised"] is True
    assert "Next score" in mode.to_markdown()
    assert "Next score" in mode.to_html()
