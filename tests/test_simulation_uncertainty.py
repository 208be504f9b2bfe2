"""Research you can publish: intervals, paired rankings, honest seeds and honest denominators."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from mastery_grading import (  # noqa: E402
    Evidence,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Scale,
    TargetResult,
    grades,
    policies,
)
from mastery_grading.simulation import (  # noqa: E402
    Cohort,
    FinalLevel,
    LateBloomer,
    Learner,
    LevelAt,
    LevelAtAssessment,
    LinearGrowth,
    MeanOfLast,
    Measurement,
    Schedule,
    SimulatedStudent,
    Steady,
    compare,
    metrics,
    simulate_cohort,
    sweep,
)

THREE = [policies.Mean(), policies.MostRecent(), policies.DecayingAverage()]


def _hand_built(histories: dict[str, list[float]], *, truth: float = 3.0) -> Cohort:
    """One student per history, constant true level ``truth``, no seed and no mix."""
    scale = Scale.marzano()
    target = LearningTarget(id="SIM", title="hand-built", scale=scale)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    students = []
    for student_id, scores in histories.items():
        evidence = [
            Evidence(
                student_id=student_id,
                target_id="SIM",
                score=score,
                observed_at=start + timedelta(days=k),
            )
            for k, score in enumerate(scores)
        ]
        n = len(scores)
        students.append(
            SimulatedStudent(
                id=student_id,
                learner=Learner(archetype="hand", trajectory=lambda t: truth, scale=scale),
                evidence=evidence,
                times=[k / n for k in range(1, n + 1)],
                true_levels=[truth] * n,
            )
        )
    return Cohort(target=target, students=students, measurement=Measurement(), schedule=Schedule())


class _UpsideDown:
    """A deliberately unfair policy: the result is the scale's top minus the latest score."""

    claims: ClassVar[frozenset[str]] = frozenset()

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        history = sorted(evidence, key=lambda e: e.observed_at)
        value = target.scale.max - history[-1].score if history else None
        return TargetResult(target=target, value=value, policy=self, evidence_count=len(history))


class _AboveTwoOnly:
    """Decides only when the latest score is at least 2 (then reports it); else no result."""

    claims: ClassVar[frozenset[str]] = frozenset()

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        history = sorted(evidence, key=lambda e: e.observed_at)
        if not history or history[-1].score < 2.0:
            return TargetResult(target=target, value=None, policy=self, reason="waiting")
        return TargetResult(
            target=target, value=history[-1].score, policy=self, evidence_count=len(history)
        )


# --- seeds ---------------------------------------------------------------------------------


def test_a_cohort_without_a_seed_draws_fresh_entropy_and_records_it() -> None:
    a = simulate_cohort(n=12)
    b = simulate_cohort(n=12)
    assert a.seed is not None
    assert a.seed != b.seed
    assert a != b
    assert a == simulate_cohort(n=12, seed=a.seed)
    assert f"seed={a.seed}" in repr(a)


def test_the_same_seed_with_another_measurement_keeps_the_learners() -> None:
    plain = simulate_cohort(n=20, seed=5)
    noisy = simulate_cohort(n=20, seed=5, measurement=Measurement(sd=1.0, slip=0.2))
    weekly = simulate_cohort(n=20, seed=5, schedule=Schedule(n=12, spacing="random"))
    for a, b, c in zip(plain, noisy, weekly, strict=True):
        assert a.learner.params == b.learner.params == c.learner.params
        assert a.true_final == b.true_final == c.true_final
    assert [s.scores for s in plain] != [s.scores for s in noisy]


def test_bad_seeds_are_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidValueError, match="seed=-1 must be an int >= 0"):
        simulate_cohort(n=3, seed=-1)
    with pytest.raises(InvalidTypeError, match=r"seed=1\.5 must be an int"):
        simulate_cohort(n=3, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="seed='x'"):
        compare(THREE, simulate_cohort(n=3, seed=1), seed="x", progress=False)  # type: ignore[arg-type]


def test_a_generator_seed_is_reproducible_but_not_recorded() -> None:
    a = simulate_cohort(n=8, seed=np.random.default_rng(3))
    b = simulate_cohort(n=8, seed=np.random.default_rng(3))
    assert a.students == b.students
    assert a.seed is None
    result = compare(THREE, a, seed=np.random.default_rng(1), progress=False)
    assert result.seed is None
    assert "seed not recorded" in result.caption


def test_compare_without_a_seed_follows_the_cohort_seed_and_records_its_own() -> None:
    cohort = simulate_cohort(n=30, seed=8)
    first = compare(THREE, cohort, progress=False)
    second = compare(THREE, cohort, progress=False)
    assert first.seed is not None
    assert first.seed == second.seed
    assert f"seed={first.seed}" in repr(first)
    pd.testing.assert_frame_equal(first.students, second.students, check_exact=True)
    other = compare(THREE, simulate_cohort(n=30, seed=9), progress=False)
    assert other.seed != first.seed  # the re-draws are no longer shared across cohorts


def test_compare_on_a_cohort_without_a_seed_is_repeated_by_its_recorded_seed() -> None:
    cohort = _hand_built({"a": [1.0, 2.0, 3.0], "b": [3.0, 3.5, 2.5], "c": [0.5, 4.0, 4.0]})
    assert cohort.seed is None
    first = compare([policies.MostRecent()], cohort, progress=False)
    assert first.seed is not None
    again = compare([policies.MostRecent()], cohort, progress=False, seed=first.seed)
    pd.testing.assert_frame_equal(first.students, again.students, check_exact=True)


def test_an_explicit_compare_seed_re_draws_as_before() -> None:
    """compare(seed=s) re-draws the last scores from numpy.random.default_rng(s), as before."""
    cohort = simulate_cohort([Steady()], n=25, seed=2)
    result = compare([policies.MostRecent()], cohort, seed=11, progress=False)
    last = np.array([s.true_levels[-1] for s in cohort])
    expected = cohort.measurement.observe(last, cohort.target.scale, np.random.default_rng(11))
    assert expected.tolist() == result.students["jittered"].tolist()


@pytest.mark.parametrize("how", [{"replications": 3}, {"bootstrap": 20}])
def test_a_run_is_repeated_from_its_recorded_seed(how: dict[str, Any]) -> None:
    cohort = simulate_cohort(n=24, seed=3, schedule=Schedule(n=4))
    first = compare(THREE, cohort, progress=False, **how)
    again = compare(THREE, cohort, progress=False, seed=first.seed, **how)
    pd.testing.assert_frame_equal(first.estimates, again.estimates, check_exact=True)
    assert first.replicates is not None
    assert again.replicates is not None
    pd.testing.assert_frame_equal(first.replicates, again.replicates, check_exact=True)


# --- replications and the bootstrap --------------------------------------------------------


def test_one_replication_gives_the_plain_numbers() -> None:
    cohort = simulate_cohort(n=36, seed=4)
    plain = compare(THREE, cohort, progress=False)
    single = compare(THREE, cohort, progress=False, replications=1)
    pd.testing.assert_frame_equal(plain.table, single.table, check_exact=True)
    assert single.replicates is None
    assert single.estimates["se"].isna().all()
    # the numbers are the metric functions on the students, as before the intervals came
    for label, part in plain.students.groupby("policy", sort=False):
        row = plain.table[(plain.table["policy"] == label) & (plain.table["archetype"] == "all")]
        estimate, truth = part["estimate"].to_numpy(), part["truth"].to_numpy()
        assert metrics.rmse(estimate, truth) == pytest.approx(float(row["rmse"].iloc[0]))
        assert metrics.bias(estimate, truth) == pytest.approx(float(row["bias"].iloc[0]))
        assert metrics.mean_abs_change(estimate, part["jittered"]) == pytest.approx(
            float(row["jitter"].iloc[0])
        )
        expected = metrics.false_not_yet_rate(part["mastered"], part["truly_mastered"])
        assert expected == pytest.approx(float(row["false_not_yet"].iloc[0]))


def test_replications_give_the_mean_and_a_t_interval_over_the_cohorts() -> None:
    cohort = simulate_cohort(n=30, seed=6)
    result = compare(THREE, cohort, progress=False, replications=4)
    draws = result.replicates
    assert draws is not None
    assert [0, 1, 2, 3] == sorted(set(draws["replicate"]))
    first = draws[draws["replicate"] == 0].drop(columns="replicate").reset_index(drop=True)
    plain = compare(THREE, cohort, progress=False).table
    pd.testing.assert_frame_equal(
        plain.drop(columns="n"), first.drop(columns="n"), check_exact=True
    )
    rmse = draws[(draws["policy"] == "mean") & (draws["archetype"] == "all")]["rmse"]
    indexed: Any = result.estimates.set_index(["policy", "archetype", "metric"])
    row = indexed.loc[("mean", "all", "rmse")]
    se = float(np.std(rmse, ddof=1)) / 2
    assert float(np.mean(rmse)) == pytest.approx(row["value"])
    assert se == pytest.approx(row["se"])
    # t with 3 degrees of freedom: 3.182446305 (published tables)
    assert float(np.mean(rmse)) - 3.182446305 * se == pytest.approx(row["low"], rel=1e-8)
    assert 4 == row["k"]
    assert (draws.groupby("archetype")["n"].nunique() == 1).all()


def test_the_bootstrap_keeps_the_mix_and_centres_on_the_cohort_itself() -> None:
    cohort = simulate_cohort({Steady(): 1, LateBloomer(): 2}, n=30, seed=6)
    result = compare(THREE, cohort, progress=False, bootstrap=40)
    draws = result.replicates
    assert draws is not None
    assert 40 * 3 * 3 == len(draws)
    assert {"all": {30}, "steady": {10}, "late bloomer": {20}} == {
        g: set(part["n"]) for g, part in draws.groupby("archetype")
    }
    plain = compare(THREE, cohort, progress=False)
    pd.testing.assert_frame_equal(plain.table, result.table, check_exact=True)
    assert "bootstrap" == result.method
    assert (result.estimates.query("metric == 'rmse'")["se"] > 0).all()


_metric_names = st.sampled_from(["rmse", "bias", "jitter", "level_agreement", "false_not_yet"])


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    n=st.integers(6, 30),
    how=st.sampled_from([{"replications": 3}, {"bootstrap": 15}, {}]),
)
def test_every_interval_holds_its_estimate_and_coverage_is_a_share(
    seed: int, n: int, how: dict[str, Any]
) -> None:
    cohort = simulate_cohort(n=n, seed=seed, schedule=Schedule(n=4))
    chosen = [policies.Mean(), policies.NTimes(n=2), policies.PowerLaw()]
    found = compare(chosen, cohort, progress=False, **how).estimates
    coverage = found["coverage"].dropna()
    assert ((coverage >= 0) & (coverage <= 1)).all()
    with_interval = found.dropna(subset=["low", "high", "value"])
    assert (with_interval["low"] <= with_interval["value"] + 1e-12).all()
    assert (with_interval["value"] <= with_interval["high"] + 1e-12).all()
    assert (found["se"].dropna() >= 0).all()
    if how:
        assert len(with_interval) > 0


def test_the_options_of_uncertainty_are_checked() -> None:
    cohort = simulate_cohort(n=6, seed=0)
    with pytest.raises(InvalidValueError, match="replications=0 must be an int >= 1"):
        compare(THREE, cohort, replications=0, progress=False)
    with pytest.raises(InvalidValueError, match="bootstrap=1 must be None or an int >= 2"):
        compare(THREE, cohort, bootstrap=1, progress=False)
    with pytest.raises(InvalidValueError, match="choose one way"):
        compare(THREE, cohort, replications=2, bootstrap=10, progress=False)
    hand = _hand_built({"a": [1.0, 2.0]})
    with pytest.raises(InvalidValueError, match="use bootstrap= instead"):
        compare(THREE, hand, replications=2, progress=False)
    with pytest.raises(InvalidValueError, match="no mix of archetypes"):
        hand.resimulate(seed=1)


# --- differences and ranking ---------------------------------------------------------------


def test_the_ranking_tells_apart_what_the_data_can_and_ties_the_rest() -> None:
    cohort = simulate_cohort([LateBloomer()], n=40, seed=1)
    result = compare(
        {
            "mean": policies.Mean(),
            "recent": policies.MostRecent(),
            "recent again": policies.MostRecent(),
        },
        cohort,
        progress=False,
        replications=3,
    )
    pairs: Any = result.differences("rmse").set_index(["policy", "other"])
    same = pairs.loc[("recent", "recent again")]
    assert (0.0, 0.0, 1.0) == (same["difference"], same["se"], same["p_value"])
    assert not same["distinguishable"]
    assert pairs.loc[("mean", "recent"), "distinguishable"]
    assert pairs.loc[("mean", "recent"), "difference"] > 0  # the mean errs more
    ranked = result.ranking("rmse")
    assert ["recent", "recent again", "mean"] == list(ranked.index)
    assert [1, 1, 3] == ranked["rank"].tolist()
    assert ("recent again",) == ranked.loc["recent", "tied_with"]
    assert {"rank", "rmse", "se", "low", "high", "coverage", "tied_with"} == set(ranked.columns)


def test_higher_is_better_for_agreement_and_closer_to_zero_for_bias() -> None:
    cohort = simulate_cohort([LateBloomer()], n=40, seed=1)
    result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False, bootstrap=60)
    assert "most_recent" == result.ranking("mastery_agreement").index[0]
    assert "most_recent" == result.ranking("bias").index[0]  # the mean is far below 0
    pair = result.differences("bias").iloc[0]
    bias = result.metric("bias", archetype="all")
    assert abs(bias["mean"]) - abs(bias["most_recent"]) == pytest.approx(pair["difference"])


def test_ranking_needs_replicates_and_a_known_metric() -> None:
    cohort = simulate_cohort(n=12, seed=0)
    with pytest.raises(InvalidValueError, match="ranking needs replicates"):
        compare(THREE, cohort, progress=False).ranking("rmse")
    result = compare(THREE, cohort, progress=False, bootstrap=10)
    with pytest.raises(InvalidValueError, match="metric='nope'"):
        result.ranking("nope")
    with pytest.raises(InvalidValueError, match="archetype='nope'"):
        result.differences("rmse", archetype="nope")


def test_a_sweep_with_replications_ranks_the_values_of_its_parameter() -> None:
    cohort = simulate_cohort([LateBloomer()], n=30, seed=2)
    swept = sweep(
        policies.DecayingAverage(), "rate", [0.1, 0.9], cohort, progress=False, replications=3
    )
    assert swept.estimates is not None
    assert "rate" == swept.estimates.columns[0]
    ranked = swept.ranking("rmse")
    assert [0.9, 0.1] == list(ranked.index)
    assert "rate" == ranked.index.name
    assert swept.seed is not None
    assert "3 replications" in swept.caption


# --- honest denominators -------------------------------------------------------------------


def test_undecided_students_are_their_own_column_and_left_out_of_every_other_metric() -> None:
    # truth 3.0 (mastered); a and b end at 2 or above (decided), c and d below (no result)
    cohort = _hand_built(
        {"a": [1.0, 2.0], "b": [1.0, 3.5], "c": [3.0, 1.0], "d": [4.0, 0.5]}, truth=3.0
    )
    result = compare({"above two": _AboveTwoOnly()}, cohort, progress=False, seed=0)
    row = result.table.iloc[0]
    assert (0.5, 0.5) == (row["decided"], row["undecided"])
    # errors -1 and 0.5 over the two decided students
    assert math.sqrt((1.0 + 0.25) / 2) == pytest.approx(row["rmse"])
    # of the decided, a (2.0) is told "not yet", b (3.5) mastered: 1 of 2
    assert 0.5 == row["false_not_yet"]
    coverage = result.metric("false_not_yet", archetype="all", stat="coverage")
    assert 0.5 == coverage["above two"]
    assert 0.5 == result.metric("rmse", archetype="all", stat="coverage")["above two"]
    assert 1.0 == result.metric("undecided", archetype="all", stat="coverage")["above two"]


def test_monotonicity_counts_only_students_who_can_rise_and_says_how_far_results_drop() -> None:
    # upside down: raising the latest score lowers the result by as much as it rises
    cohort = _hand_built({"a": [1.0, 2.0], "b": [2.0, 3.8], "top": [4.0, 4.0]})
    result = compare(
        {"upside": _UpsideDown(), "mean": policies.Mean()},
        cohort,
        raise_by=0.5,
        progress=False,
        seed=0,
    )
    overall = result.table[result.table["archetype"] == "all"].set_index("policy")
    upside = overall.loc["upside"]
    assert 1.0 == upside["monotonicity_violations"]  # a and b; "top" cannot rise
    assert 0.5 == pytest.approx(upside["worst_drop"])
    assert (0.5 + 0.2) / 2 == pytest.approx(upside["mean_drop"])  # b rises only to 4.0
    covered = result.metric("monotonicity_violations", archetype="all", stat="coverage")
    assert 2 / 3 == pytest.approx(covered["upside"])
    students: Any = result.students.set_index(["policy", "student_id"])
    assert [0.5, pytest.approx(0.2)] == students.loc["upside"]["drop"].tolist()[:2]
    assert math.isnan(students.loc[("upside", "top"), "drop"])
    assert not students.loc[("upside", "top"), "can_rise"]
    mean: Any = overall.loc["mean"]
    assert (0.0, 0.0) == (mean["monotonicity_violations"], mean["worst_drop"])
    assert math.isnan(mean["mean_drop"])  # nobody's result drops: no mean of drops


def test_letter_metrics_match_the_metric_functions_over_the_decided_students() -> None:
    cohort = simulate_cohort(n=40, seed=3, schedule=Schedule(n=4))
    converter = grades.AverageCutoffs.marzano_2010()
    result = compare(
        [policies.NTimes(n=2), policies.Mean()], cohort, converter=converter, progress=False
    )
    for label, part in result.students.groupby("policy", sort=False):
        decided = part[part["estimate"].notna()]
        indexed: Any = result.table.set_index(["policy", "archetype"])
        row = indexed.loc[(label, "all")]
        expected = metrics.cohens_kappa(list(decided["letter"]), list(decided["true_letter"]))
        assert expected == pytest.approx(row["letter_kappa"], nan_ok=True)
        agreement = metrics.agreement(list(decided["letter"]), list(decided["true_letter"]))
        assert agreement == pytest.approx(row["letter_agreement"])


# --- truths --------------------------------------------------------------------------------


def test_the_truth_is_a_parameter_of_compare() -> None:
    cohort = simulate_cohort([LinearGrowth()], n=20, seed=4, schedule=Schedule(n=4))
    final = compare([policies.Mean()], cohort, progress=False)
    early = compare([policies.Mean()], cohort, progress=False, truth=LevelAt(when=0.25))
    assert final.students["truth"].tolist() == [s.true_final for s in cohort]
    assert early.students["truth"].tolist() == [s.learner.level_at(0.25) for s in cohort]
    # growing learners: the mean lags the end of the term and runs ahead of its start
    assert final.metric("bias", archetype="all")["mean"] < 0
    assert early.metric("bias", archetype="all")["mean"] > 0
    assert "truth: level at t=0.25 of the term" in early.caption
    assert "truth=LevelAt(when=0.25)" in repr(early)
    at_first = compare([policies.Mean()], cohort, progress=False, truth=LevelAtAssessment(index=1))
    pd.testing.assert_series_equal(
        early.students["truth"], at_first.students["truth"], check_exact=True
    )
    window = compare([policies.Mean()], cohort, progress=False, truth=MeanOfLast(k=4))
    assert window.students["truth"].tolist() == pytest.approx(
        [float(np.mean(s.true_levels)) for s in cohort]
    )
    assert FinalLevel() == final.truth


def test_truths_are_checked() -> None:
    cohort = simulate_cohort(n=4, seed=0)
    with pytest.raises(InvalidValueError, match=r"when=1\.5 must be a term fraction"):
        LevelAt(when=1.5)
    with pytest.raises(InvalidValueError, match="outside the term"):
        LevelAt(when=datetime(2030, 1, 1, tzinfo=UTC)).values(cohort)
    with pytest.raises(InvalidValueError, match="k=0"):
        MeanOfLast(k=0)
    with pytest.raises(InvalidValueError, match="no first attempt at assessment 9"):
        compare(THREE, cohort, truth=LevelAtAssessment(index=9), progress=False)
    with pytest.raises(InvalidTypeError, match=r"truth=3\.0 must have values"):
        compare(THREE, cohort, truth=3.0, progress=False)  # type: ignore[arg-type]


# --- captions, reprs and plots -------------------------------------------------------------


def test_every_table_says_the_mix_truth_uncertainty_and_seed() -> None:
    cohort = simulate_cohort({Steady(): 1, LateBloomer(): 3}, n=8, seed=5)
    result = compare(THREE, cohort, progress=False, replications=2, seed=12)
    expected = (
        "8 students: steady 2, late bloomer 6 (weights 1:3); truth: level at the end of the "
        "term; 2 replications, 95% t intervals; seed 12"
    )
    assert expected == result.caption
    assert expected == result.summary().attrs["caption"]
    assert "mix={'steady': 1.0, 'late bloomer': 3.0}" in repr(result)
    assert "replications=2, seed=12)" in repr(result)
    assert "weights 1:3" in result._repr_html_()


@pytest.fixture
def pyplot() -> Any:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.mark.usefixtures("pyplot")
def test_plots_draw_the_intervals_and_the_caption() -> None:
    cohort = simulate_cohort(n=24, seed=1, schedule=Schedule(n=4))
    result = compare(THREE[:2], cohort, progress=False, bootstrap=20)
    bars = result.plot("rmse")
    errorbars = [c for c in bars.containers if type(c).__name__ == "ErrorbarContainer"]
    assert 2 == len(errorbars)
    assert "weights 1:1:1:1:1:1" in bars.get_title().replace("\n", " ")
    heat = result.plot("rmse", kind="heatmap")
    assert any("\N{PLUS-MINUS SIGN}" in t.get_text() for t in heat.texts)
    plain = compare(THREE[:2], cohort, progress=False).plot("rmse")
    assert [] == [c for c in plain.containers if type(c).__name__ == "ErrorbarContainer"]
    swept = sweep(
        policies.DecayingAverage(), "rate", [0.3, 0.7], cohort, progress=False, bootstrap=20
    )
    ax = swept.plot("rmse", archetypes=["all"])
    assert 1 == len(ax.get_lines())
    assert 1 == len(ax.collections)  # the band of the 95 % intervals
