"""Simulation: learner models, measurement, schedules, cohorts, truths, policy comparisons.

Requires the ``sim`` extra (numpy, pandas, tqdm); plots need the ``plot`` extra (matplotlib).

Example:
    >>> from mastery_grading import policies
    >>> from mastery_grading.simulation import compare, simulate_cohort
    >>> cohort = simulate_cohort(n=60, seed=1)
    >>> result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False)
    >>> list(result.metric("rmse").index)
    ['mean', 'most_recent']
"""

from mastery_grading.simulation import metrics, truths
from mastery_grading.simulation.bkt import BKTLearner, simulate_bkt
from mastery_grading.simulation.cohorts import Cohort, SimulatedStudent, simulate_cohort
from mastery_grading.simulation.compare import (
    METRICS,
    REFERENCE_POLICIES,
    ComparisonResult,
    SweepResult,
    compare,
    policy_label,
    sweep,
)
from mastery_grading.simulation.learners import (
    AlreadyMastered,
    Archetype,
    CustomArchetype,
    Decline,
    FastThenPlateau,
    LateBloomer,
    Learner,
    LinearGrowth,
    Steady,
    builtin_archetypes,
)
from mastery_grading.simulation.literature import (
    LinearDecline,
    PowerGrowth,
    Step,
    StraightLineGrowth,
    literature_archetypes,
)
from mastery_grading.simulation.measurement import Measurement
from mastery_grading.simulation.schedules import Schedule
from mastery_grading.simulation.truths import (
    FinalLevel,
    LevelAt,
    LevelAtAssessment,
    MeanOfLast,
    Truth,
)

__all__ = [
    "METRICS",
    "REFERENCE_POLICIES",
    "AlreadyMastered",
    "Archetype",
    "BKTLearner",
    "Cohort",
    "ComparisonResult",
    "CustomArchetype",
    "Decline",
    "FastThenPlateau",
    "FinalLevel",
    "LateBloomer",
    "Learner",
    "LevelAt",
    "LevelAtAssessment",
    "LinearDecline",
    "LinearGrowth",
    "MeanOfLast",
    "Measurement",
    "PowerGrowth",
    "Schedule",
    "SimulatedStudent",
    "Steady",
    "Step",
    "StraightLineGrowth",
    "SweepResult",
    "Truth",
    "builtin_archetypes",
    "compare",
    "literature_archetypes",
    "metrics",
    "policy_label",
    "simulate_bkt",
    "simulate_cohort",
    "sweep",
    "truths",
]
