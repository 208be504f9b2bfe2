"""GradeReport and next steps: the smallest plan, its wording, and notebook display."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mastery_grading import InvalidValueError, LearningTarget
from mastery_grading.grades import (
    INCOMPLETE,
    AverageCutoffs,
    GradeConverter,
    RuleSet,
    grade,
    results_from_scores,
)
from mastery_grading.results import TargetResult
from mastery_grading.testing import strategies as mst

MARZANO = AverageCutoffs.marzano_2010()


def marzano(values: Sequence[float | None]) -> tuple[TargetResult, ...]:
    return results_from_scores({f"T{i}": x for i, x in enumerate(values)})


def test_report_lists_each_target_with_value_and_level() -> None:
    report = grade(marzano([2.5, 3.0, 4.0]), MARZANO)
    assert [(2.5, "approaching"), (3.0, "meets"), (4.0, "exceeds")] == [
        (line.value, line.level) for line in report.lines
    ]
    assert report.results == tuple(line.result for line in report.lines)


def test_next_step_uses_the_student_friendly_statement() -> None:
    solve = LearningTarget(id="LE.1", title="Linear equations", statement="Solve linear equations")
    graph = LearningTarget(id="LE.2", title="Graphs", statement="Graph a line")
    report = grade(results_from_scores({solve: 2.5, graph: 3.0}), MARZANO)
    steps = report.next_steps()
    assert "A" == steps.goal
    assert ["bring 'Solve linear equations' from approaching (2.5) to meets (3.0)"] == [
        step.text for step in steps
    ]


def test_fewest_targets_first_then_smallest_raise() -> None:
    # Average 2.0 (C) -> B needs +0.5 on average = +2.0 in total over 4 targets.
    # One target raised by 2.0 (1.0 -> 3.0 or 2.0 -> 4.0) beats two raised by 1.0 each.
    report = grade(marzano([1.0, 2.0, 2.5, 2.5]), MARZANO)
    steps = report.next_steps()
    assert "B" == steps.goal
    assert 1 == len(steps)
    # Both 1.0 -> 3.0 and 2.0 -> 4.0 raise by 2.0; the weakest target goes first.
    assert [(1.0, 3.0)] == [(s.from_value, s.to_value) for s in steps]


def test_rule_set_next_steps_use_thresholds() -> None:
    rules = RuleSet.sbgrader2()
    report = rules.convert(marzano([3.0, 3.5, 2.75, 2.5, 4.0]))  # 60 % at 3+: D
    assert "D" == report.letter
    steps = report.next_steps()
    assert "C" == steps.goal  # 65 % needs 4 of 5 at 3+: raise the 2.75 (smallest raise)
    assert [(2.75, 3.0)] == [(s.from_value, s.to_value) for s in steps]


def test_incomplete_next_steps_ask_for_evidence() -> None:
    report = grade(marzano([3.0, None]), MARZANO)
    assert INCOMPLETE == report.letter
    steps = report.next_steps()
    assert ["show evidence on 'T1': there is no result on it yet"] == [s.text for s in steps]
    assert str(steps).startswith("The grade is not given yet.")


def test_best_letter_has_no_steps() -> None:
    steps = grade(marzano([4.0]), MARZANO).next_steps()
    assert (None, 0) == (steps.goal, len(steps))
    assert "A is the highest letter. Keep showing what you know." == str(steps)


def test_an_unreachable_letter_is_said_so() -> None:
    cutoffs = AverageCutoffs(cutoffs=[("A+", 4.5), ("A", 3.0), ("B", 0.0)])
    steps = grade(marzano([4.0]), cutoffs).next_steps()
    assert (False, ()) == (steps.reachable, steps.steps)
    assert "does not reach it yet" in str(steps)


def test_a_missing_target_counted_as_not_yet_is_worded_as_not_assessed() -> None:
    cutoffs = AverageCutoffs.marzano_2010(missing="not_yet")
    steps = grade(marzano([3.0, None]), cutoffs).next_steps()
    assert [
        "show what you know on 'T1', at 1.0 or above: there is no evidence on it yet, so for "
        "now it counts as not yet (0.0)"
    ] == [s.text for s in steps]


def test_a_missing_target_that_must_reach_a_higher_level_names_the_level() -> None:
    cutoffs = AverageCutoffs.marzano_2010(missing="not_yet")
    steps = grade(marzano([4.0, 4.0, None]), cutoffs).next_steps()  # 8/3: B; A needs 1.0 more
    assert "A" == steps.goal
    assert [(None, 1.0)] == [(s.from_value, s.to_value) for s in steps]
    steps = grade(marzano([3.0, 3.0, None]), cutoffs).next_steps()  # 2.0: C; B needs 1.5
    assert [
        "show what you know on 'T2', at 1.5 or above: there is no evidence on it yet, so for "
        "now it counts as not yet (0.0)"
    ] == [s.text for s in steps]
    steps = grade(marzano([2.0, None]), cutoffs).next_steps()  # 1.0: D; C needs 2.0
    assert [
        "show what you know on 'T1', at approaching (2.0) or above: there is no evidence on it "
        "yet, so for now it counts as not yet (0.0)"
    ] == [s.text for s in steps]


def test_only_the_targets_given_are_graded() -> None:
    # A target left out of the results is not counted; a result without a value is.
    assert "A" == grade(marzano([3.0]), MARZANO).letter
    assert INCOMPLETE == grade(marzano([3.0, None]), MARZANO).letter


def test_a_tiny_budget_is_reported_as_possibly_not_minimal() -> None:
    report = grade(marzano([0.0, 0.0, 0.0, 0.0, 0.0, 0.0]), MARZANO)
    steps = report.next_steps(budget=1)  # F -> D needs two targets: a second evaluation
    assert not steps.minimal
    assert "within the search budget" in str(steps)
    with pytest.raises(InvalidValueError, match="budget=0"):
        report.next_steps(budget=0)


def test_a_large_class_gets_the_smallest_plan_quickly() -> None:
    # 24 targets averaging 2.25 (C); B needs an average of 2.5, i.e. +6 points in total.
    # Two targets can give +3 each (1.0 -> 4.0); one cannot. The weakest go first, and of the
    # six targets at 1.0 the earliest two.
    values = [1.0] * 6 + [2.0] * 6 + [3.0] * 12
    steps = grade(marzano(values), MARZANO).next_steps()
    assert (True, "B") == (steps.minimal, steps.goal)
    assert [("T0", 1.0, 4.0), ("T1", 1.0, 4.0)] == [
        (s.target.id, s.from_value, s.to_value) for s in steps
    ]


def test_html_display_escapes_text() -> None:
    target = LearningTarget(id="<T>", title="x < y & z", statement="<script>alert(1)</script>")
    report = grade(results_from_scores({target: 2.5}), MARZANO)
    shown = report._repr_html_()
    assert "<script>" not in shown
    assert "&lt;script&gt;" in shown
    assert "&lt;T&gt;" in shown
    assert "<script>" not in report.next_steps()._repr_html_()


def test_str_shows_letter_reason_and_lines() -> None:
    text = str(grade(marzano([3.0, None]), AverageCutoffs.marzano_2010(missing="exclude")))
    assert text.splitlines()[0] == "Grade: A (average 3.0 lies in [3.0, ∞): A)"
    assert "no result yet (no evidence); left out" in text


def _letter(
    converter: GradeConverter, values: list[float], template: tuple[TargetResult, ...]
) -> int | None:
    results = results_from_scores({r.target: x for r, x in zip(template, values, strict=True)})
    try:
        return converter.letters.index(converter.convert(results).letter)
    except InvalidValueError:
        return None


def _grid(converter: GradeConverter) -> list[Fraction]:
    return [Fraction(k, 2) for k in range(9)]  # Marzano half points


@settings(max_examples=30)
@given(
    st.sampled_from(
        [
            AverageCutoffs.marzano_2010(),
            AverageCutoffs.marzano_2010(weighted=True),
            RuleSet.sbgrader2(),
        ]
    ),
    mst.result_profiles(min_size=1, max_size=3),
)
def test_next_steps_are_the_smallest_plan_by_brute_force(
    converter: AverageCutoffs | RuleSet, profile: list[TargetResult]
) -> None:
    report = converter.convert(profile)
    steps = report.next_steps()
    assume(steps.goal is not None)
    assert steps.goal is not None
    goal = converter.letters.index(steps.goal)
    values = [float(r.value) for r in profile if r.value is not None]
    best: tuple[int, Fraction] | None = None
    for size in range(1, len(values) + 1):
        for chosen in itertools.combinations(range(len(values)), size):
            options = [
                [x for x in _grid(converter) if x > Fraction(repr(values[i]))] for i in chosen
            ]
            for new in itertools.product(*options):
                trial = list(values)
                for i, x in zip(chosen, new, strict=True):
                    trial[i] = float(x)
                rank = _letter(converter, trial, tuple(profile))
                if rank is not None and rank <= goal:
                    raise_ = sum(
                        (x - Fraction(repr(values[i])) for i, x in zip(chosen, new, strict=True)),
                        Fraction(0),
                    )
                    if best is None or (size, raise_) < best:
                        best = (size, raise_)
        if best is not None:
            break
    if best is None:
        assert not steps.reachable
        return
    found = sum(
        (
            Fraction(repr(s.to_value)) - Fraction(repr(s.from_value))
            for s in steps
            if s.to_value and s.from_value is not None
        ),
        Fraction(0),
    )
    assert best == (len(steps), found)
    assert all("fail" not in s.text.lower() for s in steps)
