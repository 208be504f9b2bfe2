"""Parent roll-ups: mean, minimum (MasteryConnect) and all-mastered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import InvalidValueError, LearningTarget, Scale
from mastery_grading.grades import AverageCutoffs, results_from_scores, roll_up_parents
from mastery_grading.results import TargetResult

PARENT = LearningTarget(id="LE", title="Linear equations")


def children(values: list[float | None]) -> tuple[TargetResult, ...]:
    return results_from_scores(
        {
            LearningTarget(id=f"LE.{i}", title=f"Step {i}", parent_id="LE"): x
            for i, x in enumerate(values)
        }
    )


@pytest.mark.parametrize(
    ("method", "values", "expected"),
    [
        ("mean", [3.5, 2.5, 3.0], 3.0),
        ("minimum", [3.5, 2.5, 3.0], 2.5),
        ("all_mastered", [3.5, 2.5, 3.0], 2.5),
        ("all_mastered", [3.5, 3.0, 4.0], 3.5),
        ("mean", [2.8, 3.2], 3.0),
    ],
)
def test_roll_up_values(method: str, values: list[float], expected: float) -> None:
    (parent,) = roll_up_parents(children(values), [PARENT], method=method)  # type: ignore[arg-type]
    assert expected == parent.value
    assert PARENT == parent.target
    assert len(values) == parent.evidence_count


def test_all_mastered_is_mastered_exactly_when_every_subskill_is() -> None:
    rolled = roll_up_parents(children([4.0, 4.0, 2.5]), [PARENT], method="all_mastered")
    assert not rolled[0].mastered
    assert (rolled[0].reason or "").startswith("not all subskills at the parent's mastery 3.0")
    rolled = roll_up_parents(children([3.0, 4.0]), [PARENT], method="all_mastered")
    assert rolled[0].mastered
    assert (rolled[0].reason or "").startswith("all subskills at the parent's mastery 3.0")


def on_parent_scale(mastery: float) -> LearningTarget:
    scale = Scale(min=0, max=4, mastery=mastery, step=0.5)
    return LearningTarget(id="LE", title="Linear equations", scale=scale)


def test_all_mastered_judges_subskills_on_a_stricter_parent_scale() -> None:
    # Each subskill is mastered on its own scale (3.0), not at the parent's 3.5.
    (parent,) = roll_up_parents(children([3.0, 3.5]), [on_parent_scale(3.5)], method="all_mastered")
    assert (3.0, False) == (parent.value, parent.mastered)
    assert (parent.reason or "").startswith("not all subskills at the parent's mastery 3.5")


def test_all_mastered_judges_subskills_on_a_more_lenient_parent_scale() -> None:
    # The 2.5 is not mastered on its own scale (3.0), but it is at the parent's 2.5.
    (parent,) = roll_up_parents(children([2.5, 4.0]), [on_parent_scale(2.5)], method="all_mastered")
    assert (3.25, True) == (parent.value, parent.mastered)
    assert (parent.reason or "").startswith("all subskills at the parent's mastery 2.5")


def test_minimum_keeps_the_weakest_subskills_evidence() -> None:
    (parent,) = roll_up_parents(children([3.5, 2.5]), [PARENT], method="minimum")
    assert [2.5] == [c.evidence.score for c in parent.contributions]


def test_an_undecided_subskill_leaves_the_parent_undecided() -> None:
    (parent,) = roll_up_parents(children([3.5, None]), [PARENT], method="mean")
    assert parent.value is None
    assert "no result yet on subskill(s) 'LE.1'" == parent.reason


def test_other_targets_pass_through_and_grade_together() -> None:
    other = results_from_scores({"G": 4.0})
    rolled = roll_up_parents((*children([2.0, 3.0]), *other), [PARENT], method="minimum")
    assert ["LE", "G"] == [r.target.id for r in rolled]
    # The parent counts once, at its minimum: (2.0 + 4.0) / 2 = 3.0 -> A. Counting the two
    # subskills separately would give (2 + 3 + 4) / 3 = 3.0 too, so use the minimum's effect:
    assert "A" == AverageCutoffs.marzano_2010().convert(rolled).letter
    mean_of_all = AverageCutoffs.marzano_2010().convert((*children([2.0, 2.5]), *other))
    rolled_low = roll_up_parents((*children([2.0, 2.5]), *other), [PARENT], method="minimum")
    assert ("B", "A") == (
        mean_of_all.letter,
        AverageCutoffs.marzano_2010().convert(rolled_low).letter,
    )


@pytest.mark.parametrize(
    ("parents", "method", "message"),
    [
        ([PARENT], "median", "method='median' must be one of"),
        ([LearningTarget(id="X", title="x")], "mean", "'X' has no subskill result"),
        (
            [LearningTarget(id="LE", title="x", scale=Scale.percent())],
            "mean",
            "not on its parent's scale",
        ),
    ],
)
def test_invalid_roll_ups_are_rejected(
    parents: list[LearningTarget], method: str, message: str
) -> None:
    with pytest.raises(InvalidValueError, match=message):
        roll_up_parents(children([3.0]), parents, method=method)  # type: ignore[arg-type]


@given(
    st.sampled_from(["mean", "minimum", "all_mastered"]),
    st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=5),
    st.data(),
)
def test_raising_a_subskill_never_lowers_the_parent(
    method: str, halves: list[int], data: st.DataObject
) -> None:
    values: list[float | None] = [h / 2 for h in halves]
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    raised = list(values)
    raised[index] = data.draw(st.integers(min_value=halves[index], max_value=8)) / 2
    before = roll_up_parents(children(values), [PARENT], method=method)[0]  # type: ignore[arg-type]
    after = roll_up_parents(children(raised), [PARENT], method=method)[0]  # type: ignore[arg-type]
    assert before.value is not None
    assert after.value is not None
    assert after.value >= before.value
