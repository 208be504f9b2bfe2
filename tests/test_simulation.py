"""The simulation toolkit: learners, measurement, schedules, cohorts, compare, sweep, plots."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import attrs
import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from mastery_grading import (  # noqa: E402
    Evidence,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Scale,
    SpecError,
    TargetResult,
    grades,
    policies,
)
from mastery_grading.evidence import EvidenceKind  # noqa: E402
from mastery_grading.simulation import (  # noqa: E402
    METRICS,
    AlreadyMastered,
    CustomArchetype,
    Decline,
    FastThenPlateau,
    LateBloomer,
    LinearGrowth,
    Measurement,
    Schedule,
    Steady,
    builtin_archetypes,
    compare,
    policy_label,
    simulate_cohort,
    sweep,
)
from mastery_grading.simulation.plots import plot_journey  # noqa: E402

BUILTINS = [policies.Mean(), policies.MostRecent(), policies.DecayingAverage(rate=0.4)]


def _grid_constant(rng: Any, scale: Scale) -> Any:
    level = float(rng.choice(np.arange(scale.min, scale.max + 1e-9, scale.step or 1.0)))
    return lambda t: level


CONSTANT = CustomArchetype(name="constant", factory=_grid_constant)


# --- learners -----------------------------------------------------------------------------


@pytest.mark.parametrize("archetype", builtin_archetypes(), ids=lambda a: a.name)
@pytest.mark.parametrize("scale", [Scale.marzano(), Scale.percent()], ids=["marzano", "percent"])
def test_every_builtin_archetype_stays_on_the_scale(archetype: Any, scale: Scale) -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        learner = archetype.draw(rng, scale)
        levels = [learner.level_at(t) for t in np.linspace(0, 1, 11)]
        assert all(scale.min <= level <= scale.max for level in levels)


def test_archetypes_have_their_documented_shapes() -> None:
    rng = np.random.default_rng(0)
    scale = Scale.marzano()
    for _ in range(20):
        steady = Steady().draw(rng, scale)
        assert steady.level_at(0.0) == steady.level_at(1.0)
        assert 1.0 <= steady.level_at(0.5) <= 3.8
        growth = LinearGrowth().draw(rng, scale)
        assert growth.level_at(0.0) < growth.level_at(1.0)
        plateau = FastThenPlateau().draw(rng, scale)
        assert plateau.level_at(0.25) - plateau.level_at(0) > plateau.level_at(
            1
        ) - plateau.level_at(0.75)
        bloomer = LateBloomer().draw(rng, scale)
        assert bloomer.level_at(0.5) <= 1.6 < 3.2 <= bloomer.level_at(1.0)
        decline = Decline().draw(rng, scale)
        assert decline.level_at(0.0) > decline.level_at(1.0)
        mastered = AlreadyMastered().draw(rng, scale)
        assert scale.is_mastered(mastered.level_at(0.0))


def test_archetype_ranges_are_validated() -> None:
    with pytest.raises(InvalidValueError, match=r"start=\(0.5, 0.2\) must be a pair"):
        LinearGrowth(start=(0.5, 0.2))
    with pytest.raises(InvalidValueError, match="must be a pair"):
        Steady(level=(0.0, 1.5))


def test_custom_archetype_needs_exactly_one_of_trajectory_and_factory() -> None:
    with pytest.raises(InvalidValueError, match="neither"):
        CustomArchetype(name="x")
    with pytest.raises(InvalidValueError, match="both"):
        CustomArchetype(name="x", trajectory=lambda t: 1.0, factory=_grid_constant)


def test_a_trajectory_returning_nan_is_reported() -> None:
    learner = CustomArchetype(name="broken", trajectory=lambda t: float("nan")).draw(
        np.random.default_rng(0), Scale.marzano()
    )
    with pytest.raises(InvalidValueError, match="broken"):
        learner.level_at(0.5)


# --- measurement and schedules -----------------------------------------------------------


def test_measurement_rounds_to_the_step_and_clips_to_the_scale() -> None:
    rng = np.random.default_rng(0)
    scores = Measurement(sd=3.0).observe(np.full(500, 2.0), Scale.marzano(), rng)
    assert set(scores.tolist()) <= {x / 2 for x in range(9)}
    assert {0.0, 4.0} <= set(scores.tolist())


def test_measurement_without_rounding_keeps_noise_and_default_sd_is_an_eighth() -> None:
    rng = np.random.default_rng(0)
    scores = Measurement(round_to_step=False).observe(np.full(4000, 50.0), Scale.percent(), rng)
    assert 12.5 == pytest.approx(float(np.std(scores)), rel=0.05)


def test_slips_give_the_minimum_and_guesses_the_maximum() -> None:
    rng = np.random.default_rng(0)
    assert [0.0] * 3 == Measurement(sd=0, slip=1).observe([3.0] * 3, Scale.marzano(), rng).tolist()
    assert [4.0] * 3 == Measurement(sd=0, guess=1).observe([1.0] * 3, Scale.marzano(), rng).tolist()
    half = Measurement(sd=0, slip=0.5).observe(np.full(2000, 3.0), Scale.marzano(), rng)
    assert 0.5 == pytest.approx(float(np.mean(half == 0.0)), abs=0.05)


def test_measurement_rejects_bad_probabilities() -> None:
    with pytest.raises(InvalidValueError, match=r"slip=1.5 must be in \[0.0, 1.0\]"):
        Measurement(slip=1.5)
    with pytest.raises(InvalidValueError, match="sd"):
        Measurement(sd=-1)


def test_random_spacing_is_sorted_and_ends_on_the_last_day() -> None:
    times = Schedule(n=6, spacing="random").times(np.random.default_rng(1))
    assert 1.0 == times[-1]
    assert list(times) == sorted(times)


def test_schedule_keeps_the_final_assessment_summative() -> None:
    flags = Schedule(n=4, formative_share=0.75).formative_flags()
    assert (True, True, True, False) == flags
    assert 3 == sum(Schedule(n=10, formative_share=0.3).formative_flags())
    assert all(Schedule(n=3, formative_share=1.0).formative_flags())


def test_schedule_rejects_bad_values() -> None:
    with pytest.raises(InvalidValueError, match="spacing"):
        Schedule(spacing="weekly")
    with pytest.raises(InvalidValueError, match="retake_gap"):
        Schedule(retake_gap=0.0)
    with pytest.raises(InvalidValueError, match="n=0"):
        Schedule(n=0)


# --- cohorts ------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another() -> None:
    assert simulate_cohort(n=30, seed=11) == simulate_cohort(n=30, seed=11)
    assert simulate_cohort(n=30, seed=11) != simulate_cohort(n=30, seed=12)


def test_a_generator_seed_is_accepted_and_reproducible() -> None:
    a = simulate_cohort(n=10, seed=np.random.default_rng(5))
    b = simulate_cohort(n=10, seed=np.random.default_rng(5))
    assert a.students == b.students
    assert a.seed is None


def test_the_mix_is_split_by_largest_remainder_in_the_given_order() -> None:
    cohort = simulate_cohort({Steady(): 1, LateBloomer(): 2}, n=10, seed=0)
    names = [s.archetype for s in cohort]
    assert ["steady"] * 3 + ["late bloomer"] * 7 == names
    assert ("steady", "late bloomer") == cohort.archetypes


def test_cohort_evidence_is_real_evidence_in_chronological_order() -> None:
    cohort = simulate_cohort(n=6, seed=0, schedule=Schedule(n=5, formative_share=0.4))
    for student in cohort:
        assert all(isinstance(e, Evidence) for e in student.evidence)
        assert student.evidence == tuple(sorted(student.evidence, key=lambda e: e.observed_at))
        kinds = [e.kind for e in student.evidence]
        assert 2 == kinds.count(EvidenceKind.FORMATIVE)
        assert student.true_final == student.learner.level_at(1.0)


def test_retakes_follow_a_summative_not_yet_with_the_next_attempt() -> None:
    cohort = simulate_cohort(
        [Steady(level=(0.1, 0.2))], n=5, seed=0, schedule=Schedule(n=3, retakes=2)
    )
    for student in cohort:
        by_source: dict[str, list[Evidence]] = {}
        for e in student.evidence:
            by_source.setdefault(e.source_id or "", []).append(e)
        for attempts in by_source.values():
            assert list(range(1, len(attempts) + 1)) == [e.attempt for e in attempts]
            assert all(e.score < 3.0 for e in attempts[:-1])
            assert len(attempts) <= 3


def test_cohort_rejects_bad_mixes() -> None:
    with pytest.raises(InvalidValueError, match="n=0"):
        simulate_cohort(n=0)
    with pytest.raises(InvalidTypeError, match="draw"):
        simulate_cohort(["steady"])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="unique"):
        simulate_cohort([Steady(), Steady()])
    with pytest.raises(InvalidValueError, match="all be 0"):
        simulate_cohort({Steady(): 0})


def test_cohort_to_pandas_has_one_row_per_piece_of_evidence() -> None:
    cohort = simulate_cohort(n=4, seed=0, schedule=Schedule(n=3))
    frame = cohort.to_pandas()
    assert 12 == len(frame)
    assert cohort.students[0].scores == tuple(frame["score"][:3])


# --- compare ------------------------------------------------------------------------------


def test_the_same_seeds_reproduce_identical_tables() -> None:
    def run(seed: int) -> Any:
        cohort = simulate_cohort(n=48, seed=seed, schedule=Schedule(n=5, retakes=1))
        return compare(BUILTINS, cohort, seed=seed, progress=False, fast=False).table

    pd.testing.assert_frame_equal(run(4), run(4), check_exact=True)
    assert not run(4).equals(run(5))


def test_constant_learners_without_noise_have_zero_error_under_unanimity() -> None:
    unanimous = [p for p in policies.available_policies().values() if "unanimity" in p.claims]
    assert unanimous
    cohort = simulate_cohort([CONSTANT], n=24, seed=1, measurement=Measurement(sd=0.0))
    for fast in (True, False):
        table = compare(unanimous, cohort, progress=False, fast=fast).table
        # a policy may withhold a result (e.g. until mastery is shown n times): no error then
        decided = table[table["decided"] > 0]
        assert len(decided) > 0
        assert (decided["rmse"] == 0.0).all(), decided[["policy", "archetype", "rmse"]]
        assert (decided["bias"] == 0.0).all()
        assert (decided["jitter"] == 0.0).all()
        complete = table[table["decided"] == 1.0]
        assert (complete["level_agreement"] == 1.0).all()
        assert table[table["decided"] == 0]["rmse"].isna().all()


def test_late_bloomers_are_underestimated_by_the_mean_more_than_by_the_most_recent() -> None:
    cohort = simulate_cohort([LateBloomer()], n=60, seed=2)
    bias = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False).metric(
        "bias", archetype="late bloomer"
    )
    assert bias["mean"] < 0
    assert abs(bias["mean"]) > abs(bias["most_recent"])


def _policies_with_kernels() -> list[Any]:
    """Every registered policy with a vectorized kernel, plus variants of its parameters."""
    registered = policies.available_policies()
    extra: list[dict[str, Any]] = [
        {"policy": "decaying_average", "rate": 0.3},
        {"policy": "mode", "tie_break": "lowest"},
        {"policy": "mode", "tie_break": "most_recent"},
        {"policy": "mode", "tie_break": "none"},
        {"policy": "mode_of_recent", "n": 4, "tie_break": "none"},
        {"policy": "n_times", "n": 2},
        {"policy": "mean_of_highest", "n": 2},
        {"policy": "median_of_recent", "n": 4},
        {"policy": "weighted_average", "weight": 0.5},
        {"policy": "mean", "weighted": False},
    ]
    chosen = list(registered.values())
    chosen += [policies.policy_from_spec(spec) for spec in extra if spec["policy"] in registered]
    return [p for p in chosen if policies.has_kernel(p)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("schedule", "measurement"),
    [
        (Schedule(n=6), Measurement()),
        (Schedule(n=5, retakes=2, formative_share=0.4, spacing="random"), Measurement()),
        (Schedule(n=4), Measurement(round_to_step=False, slip=0.1)),
    ],
    ids=["plain", "retakes", "unrounded"],
)
def test_the_vectorized_path_equals_the_policies_themselves(
    schedule: Schedule, measurement: Measurement
) -> None:
    chosen = _policies_with_kernels()
    assert 3 <= len(chosen)
    cohort = simulate_cohort(n=36, seed=9, schedule=schedule, measurement=measurement)
    fast = compare(chosen, cohort, progress=False, fast=True)
    slow = compare(chosen, cohort, progress=False, fast=False)
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=1e-12)
    for column in ("level", "mastered", "violated", "can_rise", "stable_after"):
        pd.testing.assert_series_equal(fast.students[column], slow.students[column])
    np.testing.assert_allclose(fast.students["estimate"], slow.students["estimate"], rtol=1e-12)
    np.testing.assert_allclose(fast.students["drop"], slow.students["drop"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.students["jittered"], slow.students["jittered"], rtol=1e-12)
    for label in fast.running:
        for a, b in zip(fast.running[label], slow.running[label], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_vectorized_values_on_a_threshold_are_recomputed_exactly() -> None:
    # rate 0.7 over 0.9 then 3.9: the float recursion gives 2.9999999999999996,
    # the exact policy 0.3 * 0.9 + 0.7 * 3.9 = 3.0, which is mastered
    target = LearningTarget(id="SIM", title="x", scale=Scale(min=0, max=4, mastery=3))
    cohort = simulate_cohort(
        [CustomArchetype(name="edge", trajectory=lambda t: 0.9 if t < 0.75 else 3.9)],
        n=1,
        target=target,
        measurement=Measurement(sd=0.0),
        schedule=Schedule(n=2),
        seed=0,
    )
    assert (0.9, 3.9) == cohort.students[0].scores
    policy = policies.DecayingAverage(rate=0.7)
    fast = compare([policy], cohort, progress=False).students
    assert 3.0 == fast["estimate"][0]
    assert bool(fast["mastered"][0])


class _UpsideDown:
    """A deliberately unfair policy: the result falls when the latest score rises."""

    claims: ClassVar[frozenset[str]] = frozenset()

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        history = sorted(evidence, key=lambda e: e.observed_at)
        value = target.scale.max - history[-1].score if history else None
        return TargetResult(
            target=target, value=value, policy=self, evidence_count=len(history), reason="upside"
        )


def test_monotonicity_violations_are_found_for_an_unfair_policy_only() -> None:
    cohort = simulate_cohort([Steady(level=(0.2, 0.6))], n=20, seed=0)
    table = compare({"upside": _UpsideDown(), "mean": policies.Mean()}, cohort, progress=False)
    violations = table.metric("monotonicity_violations", archetype="all")
    assert 1.0 == violations["upside"]
    assert 0.0 == violations["mean"]


def test_jitter_is_larger_for_the_most_recent_score_than_for_the_mean() -> None:
    cohort = simulate_cohort([Steady()], n=80, seed=0)
    jitter = compare(BUILTINS[:2], cohort, progress=False).metric("jitter", archetype="all")
    assert jitter["most_recent"] > 3 * jitter["mean"] > 0


def test_policies_may_be_specs_or_labelled_and_labels_stay_unique() -> None:
    cohort = simulate_cohort(n=12, seed=0)
    result = compare(
        [{"policy": "decaying_average", "rate": 0.8}, policies.Mean(), policies.Mean()],
        cohort,
        progress=False,
    )
    assert ["decaying_average(rate=0.8)", "mean", "mean #2"] == list(result.policies)
    assert "DecayingAverage" == type(result.policies["decaying_average(rate=0.8)"]).__name__
    with pytest.raises(SpecError):
        compare([{"policy": "nope"}], cohort, progress=False)
    with pytest.raises(InvalidTypeError, match="evaluate"):
        compare([42], cohort, progress=False)  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="at least one"):
        compare([], cohort, progress=False)


def test_policy_label_of_a_custom_policy_is_its_name_or_class_name() -> None:
    assert "_UpsideDown" == policy_label(_UpsideDown())
    if hasattr(policies, "custom_policy"):
        wrapped = policies.custom_policy(lambda scores: scores[-1], name="latest")
        assert "latest" == policy_label(wrapped)


def test_table_has_every_policy_and_archetype_and_the_documented_metrics() -> None:
    cohort = simulate_cohort(n=18, seed=0)
    result = compare(BUILTINS, cohort, progress=False)
    table = result.table
    assert 3 * 7 == len(table)
    expected = [m for m in METRICS if not m.startswith("letter")]
    assert ["policy", "archetype", *expected] == list(table.columns)
    assert (table[table["archetype"] == "all"]["n"] == 18).all()
    with pytest.raises(InvalidValueError, match="metric='nope'"):
        result.metric("nope")
    with pytest.raises(InvalidValueError, match="archetype='nope'"):
        result.metric("rmse", archetype="nope")
    assert {"policy", "archetype", "metric", "value"} == set(result.long().columns)


@attrs.frozen(kw_only=True)
class _SelfDefault:
    """A registered-looking policy whose default depends on another field."""

    spec_name: ClassVar[str] = "self_default_probe"
    n: int = 2
    limit: int = attrs.field(default=attrs.Factory(lambda self: self.n * 10, takes_self=True))

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        return TargetResult(target=target, value=None, policy=self, reason="probe")


@pytest.fixture
def self_default_registered() -> Iterator[None]:
    policies.register_policy(_SelfDefault)
    try:
        yield
    finally:
        policies.unregister_policy(_SelfDefault)


@pytest.mark.usefixtures("self_default_registered")
def test_policy_label_handles_defaults_computed_from_the_policy_itself() -> None:
    assert "self_default_probe" == policy_label(_SelfDefault())
    assert "self_default_probe(n=3)" == policy_label(_SelfDefault(n=3))
    assert "self_default_probe(limit=5)" == policy_label(_SelfDefault(limit=5))


@attrs.frozen
class _Report:
    letter: str


@attrs.frozen
class _PassFail:
    """A minimal converter following the grades contract: convert(results).letter."""

    letters: tuple[str, ...] = ("P", "F")

    def convert(self, results: Iterable[TargetResult]) -> _Report:
        return _Report(letter="P" if all(r.mastered for r in results) else "F")


def test_a_converter_adds_letter_agreement_and_pairwise_kappa() -> None:
    cohort = simulate_cohort(n=60, seed=0)
    result = compare(BUILTINS, cohort, converter=_PassFail(), progress=False)
    assert {"letter_agreement", "letter_kappa"} <= set(result.table.columns)
    kappa = result.kappa
    assert kappa is not None
    assert [1.0] * 3 == [kappa.iloc[i, i] for i in range(3)]
    matrix = kappa.to_numpy(dtype=float)
    assert (matrix == matrix.T).all()
    agreement = result.metric("letter_agreement", archetype="all")
    mastery = result.metric("mastery_agreement", archetype="all")
    pd.testing.assert_series_equal(mastery, agreement, check_names=False)


def test_progress_off_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    compare(BUILTINS, simulate_cohort(n=12, seed=0), progress=False)
    assert ("", "") == tuple(capsys.readouterr())


def test_repr_html_shows_the_overall_table() -> None:
    result = compare(BUILTINS[:2], simulate_cohort(n=12, seed=0), progress=False)
    html = result._repr_html_()
    assert "most_recent" in html
    assert "<table" in html


def test_sweep_varies_one_parameter_on_the_same_cohort() -> None:
    cohort = simulate_cohort(n=30, seed=0)
    result = sweep(policies.DecayingAverage(), "rate", [0.2, 0.9], cohort, progress=False)
    overall = result.table[result.table["archetype"] == "all"]
    assert [0.2, 0.9] == overall["rate"].tolist()
    assert ["decaying_average(rate=0.2)", "decaying_average(rate=0.9)"] == overall[
        "policy"
    ].tolist()
    by_factory = sweep(
        lambda r: policies.DecayingAverage(rate=r), "rate", [0.2, 0.9], cohort, progress=False
    )
    pd.testing.assert_frame_equal(result.table, by_factory.table)
    assert "<code>rate</code>" in result._repr_html_()


# --- plots --------------------------------------------------------------------------------


@pytest.fixture
def pyplot() -> Any:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_journey_plot_draws_truth_scores_and_one_line_per_policy(pyplot: Any) -> None:
    cohort = simulate_cohort(
        [LateBloomer()], n=2, seed=0, schedule=Schedule(n=6, formative_share=0.5)
    )
    result = compare(BUILTINS, cohort, progress=False)
    ax = result.plot_journey("s1")
    labels = [line.get_label() for line in ax.get_lines()]
    assert ["true level", "mastery threshold", *result.policies] == labels
    assert 2 == len(ax.collections)  # summative and formative points


def test_metric_and_sweep_plots_draw_into_given_axes(pyplot: Any) -> None:
    cohort = simulate_cohort(n=12, seed=0)
    _, (left, right) = pyplot.subplots(1, 2)
    result = compare(BUILTINS, cohort, progress=False)
    assert left is result.plot("bias", ax=left)
    assert 3 * 7 == len(left.patches)
    heat = result.plot("false_not_yet", kind="heatmap")
    assert 3 * 7 == len(heat.texts)
    assert "" in [t.get_text() for t in heat.texts]  # nobody declining ends at mastery
    with pytest.raises(InvalidValueError, match="kind='pie'"):
        result.plot("bias", kind="pie")
    swept = sweep(policies.DecayingAverage(), "rate", [0.3, 0.6], cohort, progress=False)
    assert right is swept.plot("jitter", ax=right)
    assert 7 == len(right.get_lines())


class _UndecidedUntilThird:
    """A user's policy that gives no result before the third piece of evidence."""

    def evaluate(self, evidence: Any, target: LearningTarget) -> TargetResult:
        scores = [e.score for e in evidence]
        if len(scores) < 3:
            return TargetResult(target=target, value=None, policy=self, reason="too little")
        return TargetResult(
            target=target, value=sum(scores) / len(scores), policy=self, evidence_count=len(scores)
        )


def test_journey_plot_draws_no_result_as_a_gap_never_as_a_value(pyplot: Any) -> None:
    """Undecided running results are NaN in the line data (a gap), decided ones are the value."""
    cohort = simulate_cohort([Steady()], n=4, seed=1)
    student = cohort.student("s4")  # scores 1, 1, 1, 1.5, 0, ...: the power law stops at the 0
    drawn: dict[str, Any] = {
        "power law": policies.PowerLaw(),  # decided, then no result (zeros="none")
        "n_times": policies.NTimes(),  # never decided for this student
        "from the third": _UndecidedUntilThird(),  # no result, then decided
    }
    ax = plot_journey(cohort, "s4", drawn)
    lines = {line.get_label(): line for line in ax.get_lines()}
    undecided = 0
    for label, policy in drawn.items():
        expected = [
            policy.evaluate(student.evidence[:k], cohort.target).value
            for k in range(1, len(student.evidence) + 1)
        ]
        ys = np.asarray(lines[label].get_ydata(), dtype=float)
        assert [*student.times, 1.0] == np.asarray(lines[label].get_xdata()).tolist()
        for value, y in zip([*expected, expected[-1]], ys, strict=True):
            if value is None:
                undecided += 1
                assert np.isnan(y)
            else:
                assert value == pytest.approx(y)
    assert undecided >= 3 * 2  # each of the three lines has a gap
    box = ax.get_legend()
    assert box is not None
    legend = [text.get_text() for text in box.get_texts()]
    assert "n_times (no result)" in legend
    assert "gap in a line: no result" == legend[-1]


def test_journey_plot_axis_names_the_target_title_and_scale(pyplot: Any) -> None:
    """The y axis says the target's title and scale, never the internal target id."""
    uptown = LearningTarget(id="DU.1", title="Drive uptown")
    cohort = simulate_cohort([LateBloomer()], n=1, seed=2, target=uptown)
    assert (
        "level on Drive uptown (0-4 Marzano)"
        == plot_journey(cohort, "s1", [policies.Mean()]).get_ylabel()
    )
    essay = LearningTarget(id="E", title="Essay", scale=Scale.percent())
    cohort = simulate_cohort([LateBloomer()], n=1, seed=2, target=essay)
    assert (
        "level on Essay (0-100 percent)"
        == plot_journey(cohort, "s1", [policies.Mean()]).get_ylabel()
    )
    rubric = LearningTarget(id="R", title="Rubric", scale=Scale(min=1, max=5, mastery=4, step=1))
    cohort = simulate_cohort([LateBloomer()], n=1, seed=2, target=rubric)
    assert (
        "level on Rubric (1-5 scale)" == plot_journey(cohort, "s1", [policies.Mean()]).get_ylabel()
    )


def test_comparison_plots_label_both_axes_and_bias_has_unit_and_sign(pyplot: Any) -> None:
    """Bars, heatmap and sweep have x labels; bias reads "estimate minus truth (scale points)"."""
    bias = "bias: estimate \N{MINUS SIGN} truth (scale points)"
    assert "estimate \N{MINUS SIGN} truth (scale points)" in METRICS["bias"]
    cohort = simulate_cohort(n=12, seed=0)
    result = compare(BUILTINS, cohort, progress=False)
    bars = result.plot("bias")
    assert ("archetype", bias) == (bars.get_xlabel(), bars.get_ylabel())
    shares = result.plot("false_not_yet")
    assert "share of students" in shares.get_ylabel()
    heat = result.plot("bias", kind="heatmap")
    assert ("archetype", "policy") == (heat.get_xlabel(), heat.get_ylabel())
    colorbar = heat.figure.axes[-1]
    assert bias == colorbar.get_ylabel().replace("\n", " ")
    swept = sweep(policies.DecayingAverage(), "rate", [0.3, 0.6], cohort, progress=False)
    ax = swept.plot("rmse")
    assert ("rate", "rmse (scale points)") == (ax.get_xlabel(), ax.get_ylabel())


def test_sampled_raise_positions_are_the_same_on_both_paths() -> None:
    cohort = simulate_cohort(n=40, seed=3)
    fast = compare(BUILTINS, cohort, raise_positions=2, progress=False)
    slow = compare(BUILTINS, cohort, raise_positions=2, progress=False, fast=False)
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=1e-12)
    unfair = compare([_UpsideDown()], cohort, raise_positions=1, progress=False)
    assert 0 < unfair.metric("monotonicity_violations", archetype="all")["_UpsideDown"] < 1
    with pytest.raises(InvalidValueError, match="raise_positions=0"):
        compare(BUILTINS, cohort, raise_positions=0, progress=False)


def test_memoizing_shared_histories_changes_nothing() -> None:
    cohort = simulate_cohort(n=40, seed=3)
    memo = compare(BUILTINS, cohort, progress=False, fast=False)
    plain = compare(BUILTINS, cohort, progress=False, fast=False, memoize=False)
    pd.testing.assert_frame_equal(memo.table, plain.table, check_exact=True)


def test_worker_processes_give_the_same_table() -> None:
    cohort = simulate_cohort(n=24, seed=3, schedule=Schedule(n=4))
    serial = compare(BUILTINS[:2], cohort, progress=False, fast=False)
    parallel = compare(BUILTINS[:2], cohort, progress=False, fast=False, n_jobs=2)
    pd.testing.assert_frame_equal(serial.table, parallel.table, check_exact=True)
    with pytest.raises(InvalidValueError, match="n_jobs=0"):
        compare(BUILTINS, cohort, n_jobs=0, progress=False)


@attrs.frozen
class _SlowFirst:
    """Mean, but its first evaluation takes ``pause`` seconds (the run outlasts the delay)."""

    pause: float
    calls: list[int] = attrs.field(factory=list, eq=False)

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        if not self.calls:
            time.sleep(self.pause)
        self.calls.append(1)
        return policies.Mean().evaluate(evidence, target)


def test_the_progress_bar_waits_a_second_before_showing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cohort = simulate_cohort(n=6, seed=0, schedule=Schedule(n=3))
    compare([_SlowFirst(pause=0.0)], cohort, progress=True)
    assert "" == capsys.readouterr().err
    compare([_SlowFirst(pause=1.1)], cohort, progress=True)
    assert "compare" in capsys.readouterr().err


def test_a_real_grade_converter_gives_letters_for_results_and_truth() -> None:
    cohort = simulate_cohort(n=30, seed=0)
    converter = grades.AverageCutoffs.marzano_2010()
    result = compare(BUILTINS, cohort, converter=converter, progress=False)
    students = result.students
    assert set(students["letter"]) <= set(converter.letters)
    truth = students[students["policy"] == "mean"]
    expected = [
        grades.grade(grades.results_from_scores({"SIM": t}), converter).letter
        for t in truth["truth"]
    ]
    assert expected == list(truth["true_letter"])


# --- hand-built cohorts, tolerances and HTML ---------------------------------------------


def _hand_built(
    histories: dict[str, list[float]],
    *,
    scale: Scale | None = None,
    truth: float = 3.0,
    weights: list[float] | None = None,
    kinds: list[EvidenceKind] | None = None,
    same_instant: bool = False,
) -> Any:
    """A cohort built by hand: one student per history, constant true level ``truth``."""
    from datetime import UTC, datetime, timedelta

    from mastery_grading.simulation import Cohort, Learner, SimulatedStudent

    scale = scale or Scale.marzano()
    target = LearningTarget(id="SIM", title="hand-built", scale=scale)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    students = []
    for student_id, scores in histories.items():
        n = len(scores)
        evidence = [
            Evidence(
                student_id=student_id,
                target_id="SIM",
                score=score,
                observed_at=start if same_instant else start + timedelta(days=k),
                weight=1.0 if weights is None else weights[k],
                kind=EvidenceKind.SUMMATIVE if kinds is None else kinds[k],
            )
            for k, score in enumerate(scores)
        ]
        learner = Learner(archetype="hand", trajectory=lambda t: truth, scale=scale)
        students.append(
            SimulatedStudent(
                id=student_id,
                learner=learner,
                evidence=evidence,
                times=[k / max(n - 1, 1) for k in range(n)],
                true_levels=[truth] * n,
            )
        )
    return Cohort(target=target, students=students, measurement=Measurement(), schedule=Schedule())


def _assert_fast_equals_slow(chosen: list[Any], cohort: Any) -> None:
    # a hand-built cohort has no seed: without one, each compare would re-draw afresh
    fast = compare(chosen, cohort, progress=False, fast=True, seed=0)
    slow = compare(chosen, cohort, progress=False, fast=False, seed=0)
    pd.testing.assert_frame_equal(slow.table, fast.table, rtol=1e-12)
    np.testing.assert_allclose(slow.students["estimate"], fast.students["estimate"], rtol=1e-12)
    for label in slow.running:
        for a, b in zip(slow.running[label], fast.running[label], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_weighted_evidence_gives_the_same_results_on_the_fast_and_the_policy_path() -> None:
    histories = {"a": [1.0, 2.0, 4.0], "b": [4.0, 3.5, 0.5], "c": [2.0, 2.0, 3.0]}
    cohort = _hand_built(histories, weights=[1.0, 2.0, 5.0])
    chosen = [policies.Mean(), policies.WeightedAverage(), policies.Median(), policies.Highest()]
    _assert_fast_equals_slow(chosen, cohort)
    # the weighted mean of 1, 2, 4 with weights 1, 2, 5 is 25 / 8
    estimate = compare([policies.Mean()], cohort, progress=False).students["estimate"]
    assert 25 / 8 == pytest.approx(estimate[0], rel=1e-12)


def test_evidence_whose_kind_decides_the_order_gives_the_same_results_on_both_paths() -> None:
    # on one instant a formative piece comes before a summative one, whatever the input order
    kinds = [EvidenceKind.SUMMATIVE, EvidenceKind.FORMATIVE]
    cohort = _hand_built({"a": [4.0, 1.0], "b": [0.5, 3.0]}, kinds=kinds, same_instant=True)
    chosen = [policies.MostRecent(), policies.DecayingAverage(), policies.MeanOfRecent(n=1)]
    _assert_fast_equals_slow(chosen, cohort)
    estimate = compare([policies.MostRecent()], cohort, progress=False).students["estimate"]
    assert [4.0, 0.5] == list(estimate)


def test_scores_off_the_scale_are_reported_on_the_fast_path_too() -> None:
    from mastery_grading.exceptions import ScoreOutOfScaleError

    cohort = _hand_built({"a": [1.0, 9.0]})
    with pytest.raises(ScoreOutOfScaleError, match="score=9"):
        compare([policies.Mean()], cohort, progress=False, fast=True)


def test_the_same_seeds_reproduce_identical_tables_on_the_fast_path() -> None:
    def run(seed: int) -> Any:
        cohort = simulate_cohort(n=48, seed=seed, schedule=Schedule(n=5, retakes=1))
        return compare(BUILTINS, cohort, seed=seed, progress=False, fast=True).table

    pd.testing.assert_frame_equal(run(4), run(4), check_exact=True)
    assert not run(4).equals(run(5))


def test_stable_means_within_half_the_width_of_the_true_level_on_a_percent_scale() -> None:
    percent = Scale.percent()  # levels: not yet from 0, mastered from 80 up to 100
    # truth 90 lies in "mastered" (80-100): half a level is 10, so 78 is outside, 95 within
    high = _hand_built({"a": [60.0, 78.0, 95.0, 99.0]}, scale=percent, truth=90.0)
    stable = compare([policies.MostRecent()], high, progress=False).students["stable_after"]
    assert [3.0] == list(stable)
    # truth 50 lies in "not yet" (0-80): half a level is 40, so 15 and 85 are within
    low = _hand_built({"a": [5.0, 15.0, 85.0, 20.0]}, scale=percent, truth=50.0)
    stable = compare([policies.MostRecent()], low, progress=False).students["stable_after"]
    assert [2.0] == list(stable)


def test_stable_means_within_half_the_width_of_the_true_level_on_marzano() -> None:
    # "not yet" runs 0-2 (half: 1.0), so 2.0 and 0.0 are within of a truth of 1.0
    low = _hand_built({"a": [3.0, 0.5, 2.0, 0.0]}, truth=1.0)
    stable = compare([policies.MostRecent()], low, progress=False).students["stable_after"]
    assert [2.0] == list(stable)
    # "meets" runs 3-4 (half: 0.5), so 2.5 is outside of a truth of 3.5 and 4.0 within
    high = _hand_built({"a": [2.5, 4.0, 3.0, 3.5]}, truth=3.5)
    stable = compare([policies.MostRecent()], high, progress=False).students["stable_after"]
    assert [2.0] == list(stable)
    # "exceeds" starts at the maximum 4, so it borrows the width of "meets" below it (0.5)
    top = _hand_built({"a": [3.0, 3.5, 4.0]}, truth=4.0)
    stable = compare([policies.MostRecent()], top, progress=False).students["stable_after"]
    assert [2.0] == list(stable)


def test_an_explicit_tolerance_replaces_half_a_level() -> None:
    low = _hand_built({"a": [3.0, 0.5, 2.0, 0.0]}, truth=1.0)
    result = compare([policies.MostRecent()], low, tolerance=2.0, progress=False)
    assert [1.0] == list(result.students["stable_after"])


def test_repr_html_escapes_archetype_names_policy_labels_and_the_swept_parameter() -> None:
    import html

    evil = "<img src=x onerror=alert(1)>"
    cohort = simulate_cohort([CustomArchetype(name=evil, trajectory=lambda t: 2.0)], n=4, seed=0)
    shown = compare({evil: policies.Mean()}, cohort, progress=False)._repr_html_()
    assert "<img" not in shown
    assert html.escape(evil) in shown
    swept = sweep(lambda r: policies.DecayingAverage(rate=r), evil, [0.5], cohort, progress=False)
    shown = swept._repr_html_()
    assert "<img" not in shown
    assert f"<code>{html.escape(evil)}</code>" in shown
