"""Archetypes as the literature states them, trajectories per assessment, drawn parameters."""

from __future__ import annotations

import math
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from mastery_grading import InvalidValueError, Scale, policies  # noqa: E402
from mastery_grading.simulation import (  # noqa: E402
    CustomArchetype,
    Learner,
    LinearDecline,
    PowerGrowth,
    Schedule,
    Steady,
    Step,
    StraightLineGrowth,
    compare,
    literature_archetypes,
    simulate_cohort,
)

EVEN_8 = [k / 8 for k in range(1, 9)]


@pytest.mark.parametrize("archetype", literature_archetypes(), ids=lambda a: a.name)
@pytest.mark.parametrize("scale", [Scale.marzano(), Scale.percent()], ids=["marzano", "percent"])
def test_every_literature_archetype_stays_on_the_scale(archetype: Any, scale: Scale) -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        learner = archetype.draw(rng, scale).on_schedule(EVEN_8)
        levels = [learner.level_at(t) for t in np.linspace(0, 1, 17)]
        assert all(scale.min <= level <= scale.max for level in levels)


def test_straight_lines_run_from_the_start_on_the_first_day_to_the_end_on_the_last() -> None:
    rng = np.random.default_rng(1)
    scale = Scale.marzano()
    for archetype in (StraightLineGrowth(), LinearDecline()):
        learner = archetype.draw(rng, scale)
        start, end = learner.params["start"], learner.params["end"]
        assert start == learner.level_at(0.0)
        assert end == learner.final_level
        assert math.isclose((start + end) / 2, learner.level_at(0.5))
    assert StraightLineGrowth().draw(rng, scale).final_level >= 2.8
    assert LinearDecline().draw(rng, scale).final_level <= 2.4


def test_power_growth_is_start_plus_the_gap_times_one_minus_one_over_i() -> None:
    learner = PowerGrowth(start=(0.0, 0.0), end=(1.0, 1.0)).draw(
        np.random.default_rng(0), Scale.marzano()
    )
    scheduled = learner.on_schedule(EVEN_8)
    expected = [4.0 * (1 - 1 / i) for i in range(1, 9)]
    assert expected == [scheduled.level_at(t) for t in EVEN_8]
    assert 0.0 == scheduled.level_at(0.0)  # before the first assessment: index 1


def test_a_step_shows_from_its_assessment_on_and_a_retake_before_it_does_not() -> None:
    learner = Step(start=(0.25, 0.25), end=(1.0, 1.0), at=(4, 4)).draw(
        np.random.default_rng(0), Scale.marzano()
    )
    scheduled = learner.on_schedule(EVEN_8)
    assert [1.0, 1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0] == [scheduled.level_at(t) for t in EVEN_8]
    assert 3.5 == scheduled.index_at(3.5 / 8)  # a retake halfway between the 3rd and 4th
    assert 1.0 == scheduled.level_at(3.5 / 8)
    assert {"start": 1.0, "end": 4.0, "at": 4.0} == learner.params


def test_the_step_is_drawn_from_the_whole_numbers_of_its_range() -> None:
    rng = np.random.default_rng(2)
    drawn = {Step(at=(2, 4)).draw(rng, Scale.marzano()).params["at"] for _ in range(60)}
    assert {2.0, 3.0, 4.0} == drawn


@pytest.mark.parametrize("bad", [(0, 3), (4, 2), (1.5, 3), (True, 2), (3,)])
def test_a_step_position_must_be_a_range_of_assessment_indices(bad: Any) -> None:
    with pytest.raises(InvalidValueError, match=r"at=.* must be a pair \(low, high\) of"):
        Step(at=bad)


def test_ranges_of_the_literature_archetypes_are_validated() -> None:
    with pytest.raises(InvalidValueError, match=r"end=\(0.5, 1.5\) must be a pair"):
        PowerGrowth(end=(0.5, 1.5))
    with pytest.raises(InvalidValueError, match="start="):
        StraightLineGrowth(start=(0.6, 0.2))


def test_literature_archetypes_are_five_at_equal_weights() -> None:
    cohort = simulate_cohort(literature_archetypes(), n=10, seed=0)
    assert ("steady", "straight-line growth", "power growth", "linear decline", "step") == (
        cohort.archetypes
    )
    assert [2] * 5 == [
        sum(s.archetype == name for s in cohort.students) for name in cohort.archetypes
    ]


def test_a_custom_trajectory_per_assessment_gets_index_1_at_the_first_assessment() -> None:
    seen: list[float] = []

    def record(i: float) -> float:
        seen.append(i)
        return 2.0

    archetype = CustomArchetype(name="recorder", trajectory=record, unit="assessment")
    simulate_cohort([archetype], n=1, seed=0, schedule=Schedule(n=4))
    assert [1.0, 2.0, 3.0, 4.0] == seen[:4]


def test_retakes_sit_between_the_indices_of_their_assessments() -> None:
    archetype = CustomArchetype(name="index", trajectory=lambda i: i / 2, unit="assessment")
    schedule = Schedule(n=4, retakes=1)  # a retake half a gap after each "not yet"
    [student] = simulate_cohort([archetype], n=1, seed=0, schedule=schedule).students
    expected = [round(t * 4, 9) / 2 if t < 1 else 2.0 for t in student.times]
    assert expected == [round(level, 9) for level in student.true_levels]
    assert any(t * 4 % 1 for t in student.times)  # some retake between two assessments
    assert 2.0 == student.true_final


def test_a_learner_per_assessment_needs_its_schedule() -> None:
    learner = Learner(
        archetype="x", trajectory=lambda i: 1.0, scale=Scale.marzano(), unit="assessment"
    )
    with pytest.raises(InvalidValueError, match="has no assessment times"):
        learner.level_at(0.5)
    with pytest.raises(InvalidValueError, match=r"times=\(0.5, 0.25\) must be the term"):
        learner.on_schedule([0.5, 0.25])
    with pytest.raises(InvalidValueError, match="unit='day' must be one of"):
        Learner(archetype="x", trajectory=lambda t: 1.0, scale=Scale.marzano(), unit="day")  # type: ignore[arg-type]


def test_a_term_learner_ignores_the_schedule() -> None:
    learner = Steady().draw(np.random.default_rng(0), Scale.marzano())
    assert learner is learner.on_schedule([0.5, 1.0])


def test_a_factory_may_return_the_parameters_it_drew() -> None:
    def factory(rng: Any, scale: Scale) -> Any:
        level = float(rng.uniform(1, 3))
        return (lambda t: level), {"level": level}

    learner = CustomArchetype(name="drawn", factory=factory).draw(
        np.random.default_rng(0), Scale.marzano()
    )
    assert learner.params["level"] == learner.level_at(0.3)
    with pytest.raises(InvalidValueError, match="expected a trajectory or a pair"):
        CustomArchetype(name="bad", factory=lambda rng, scale: 3.0).draw(
            np.random.default_rng(0), Scale.marzano()
        )


def test_drawn_parameters_are_columns_of_the_students_table() -> None:
    cohort = simulate_cohort([Steady(), Step()], n=6, seed=3)
    result = compare([policies.Mean()], cohort, progress=False, seed=0)
    students = result.students
    assert ["param_level", "param_start", "param_end", "param_at"] == list(students.columns[-4:])
    for row, student in zip(students.itertuples(), cohort.students, strict=True):
        for name in ("level", "start", "end", "at"):
            got = getattr(row, f"param_{name}")
            want = student.learner.params.get(name)
            assert (want is None and math.isnan(got)) or want == got
    assert list(students["param_at"].iloc[3:]) == [
        s.learner.params["at"] for s in cohort.students[3:]
    ]


def test_cohorts_of_the_older_archetypes_are_unchanged() -> None:
    # a late bloomer of the tutorial's cohort (seed 2026), drawn per term fraction; the values
    # are those of the separate learner and noise streams (see simulate_cohort's seed)
    student = simulate_cohort(n=600, seed=2026).student("s323")
    assert "late bloomer" == student.archetype
    assert (0.0, 1.0, 1.0, 1.0, 2.5, 4.0, 3.5, 3.5) == student.scores
    assert 3.74 == round(student.true_final, 2)
