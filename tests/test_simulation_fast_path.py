"""The simulation's fast path (the engine's kernels) gives the policies' own results."""

from __future__ import annotations

from typing import Any

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from mastery_grading import LearningTarget, Scale, policies  # noqa: E402
from mastery_grading.policies import custom_policy  # noqa: E402
from mastery_grading.simulation import (  # noqa: E402
    REFERENCE_POLICIES,
    Measurement,
    Schedule,
    compare,
    literature_archetypes,
    simulate_cohort,
)

#: The twelve policies of the reference comparison (benchmarks/bench_simulation.py).
TWELVE = [policies.policy_from_spec({"policy": name}) for name in REFERENCE_POLICIES]


def _assert_same(fast: Any, slow: Any) -> None:
    """Values within 1e-9, the same undecided students, levels, mastery and every metric."""
    a, b = fast.students, slow.students
    assert (np.isnan(a["estimate"]) == np.isnan(b["estimate"])).all()
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-9, atol=1e-9)
    assert (np.isnan(a["jittered"]) == np.isnan(b["jittered"])).all()
    np.testing.assert_allclose(a["jittered"], b["jittered"], rtol=1e-9, atol=1e-9)
    for column in ("level", "mastered", "violated", "stable_after"):
        pd.testing.assert_series_equal(a[column], b[column])
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=1e-9, atol=1e-9)
    for label in fast.running:
        for x, y in zip(fast.running[label], slow.running[label], strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-9)


def test_every_policy_of_the_reference_comparison_runs_on_a_kernel() -> None:
    assert 12 == len(TWELVE)
    assert all(policies.has_kernel(policy) for policy in TWELVE)


@pytest.mark.parametrize(
    ("scale", "schedule", "measurement"),
    [
        (Scale.marzano(), Schedule(n=8), Measurement()),
        (Scale.marzano(), Schedule(n=5, retakes=2, formative_share=0.4), Measurement()),
        pytest.param(
            Scale.percent(),
            Schedule(n=5, spacing="random"),
            Measurement(round_to_step=False),
            marks=pytest.mark.slow,  # the exact reference reads every unrounded float: slow
        ),
    ],
    ids=["plain", "retakes", "percent-unrounded"],
)
def test_the_fast_path_equals_the_policies_for_all_twelve(
    scale: Scale, schedule: Schedule, measurement: Measurement
) -> None:
    cohort = simulate_cohort(
        literature_archetypes(),
        n=30,
        seed=11,
        target=LearningTarget(id="SIM", title="Simulated", scale=scale),
        schedule=schedule,
        measurement=measurement,
    )
    fast = compare(TWELVE, cohort, progress=False, seed=3)
    slow = compare(TWELVE, cohort, progress=False, seed=3, fast=False)
    _assert_same(fast, slow)


def test_a_custom_kernel_runs_in_the_simulation_with_the_rules_results() -> None:
    calls: list[int] = []

    def spread(scores: tuple[float, ...]) -> float:
        return max(scores) - min(scores)

    def spread_kernel(policy: Any, seg: Any) -> Any:
        calls.append(int(seg.counts.shape[0]))
        high = np.maximum.reduceat(seg.score, seg.starts)
        return high - np.minimum.reduceat(seg.score, seg.starts)

    policy = custom_policy(spread, name="spread", kernel=spread_kernel)
    checked = len(calls)
    cohort = simulate_cohort(literature_archetypes(), n=20, seed=4)
    fast = compare([policy], cohort, progress=False, seed=1)
    assert len(calls) > checked  # the kernel ran
    _assert_same(fast, compare([policy], cohort, progress=False, seed=1, fast=False))


def test_letters_from_the_fast_path_are_the_policys() -> None:
    from mastery_grading import grades

    cohort = simulate_cohort(literature_archetypes(), n=15, seed=8)
    converter = grades.AverageCutoffs.marzano_2010()
    fast = compare(TWELVE[8:10], cohort, progress=False, converter=converter, seed=2)
    slow = compare(TWELVE[8:10], cohort, progress=False, converter=converter, seed=2, fast=False)
    pd.testing.assert_series_equal(fast.students["letter"], slow.students["letter"])


def test_assessments_to_stable_of_the_table_is_the_metric_per_student() -> None:
    from mastery_grading.simulation import metrics

    schedule = Schedule(n=5, retakes=1, spacing="random")
    cohort = simulate_cohort(literature_archetypes(), n=25, seed=6, schedule=schedule)
    result = compare(TWELVE[8:11], cohort, progress=False, seed=0)
    scale = cohort.target.scale
    for label, running in result.running.items():
        got = result.students[result.students["policy"] == label]["stable_after"].tolist()
        for value, run, student in zip(got, running, cohort.students, strict=True):
            tolerances = metrics.half_level(student.true_levels, scale)
            want = metrics.assessments_until_stable(
                list(run), list(student.true_levels), list(tolerances)
            )
            assert (want is None and np.isnan(value)) or want == value
