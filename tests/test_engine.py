"""The vectorized engine gives the results of the exact scalar reference, policy by policy."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, START, history
from mastery_grading import (
    Evidence,
    Gradebook,
    LearningTarget,
    Policy,
    Scale,
    TargetResult,
    policies,
)
from mastery_grading.evidence import EvidenceKind
from mastery_grading.policies.trend import Zeros
from mastery_grading.testing import strategies as mst

pytest.importorskip("numpy")


def engine_policies() -> list[Any]:
    """Every built-in with its defaults, plus parameter variants that stress the kernels."""
    variants: list[Any] = [
        policies.Mean(weighted=False),
        policies.DecayingAverage(rate=0.2),
        policies.DecayingAverage(rate=1.0),
        *(policies.Mode(tie_break=rule) for rule in ("lowest", "most_recent", "none")),
        policies.ModeOfRecent(n=4, tie_break="most_recent"),
        policies.NTimes(n=1),
        policies.MeanOfRecent(n=1),
        policies.MedianOfRecent(n=4),
        policies.WeightedAverage(weight=0.5),
        policies.MeanOfHighest(n=2),
        policies.HighestOfRecent(n=2),
        policies.PowerLaw(zeros="floor", floor=0.25),
        policies.PowerLaw(single="none", clamp=True),
        policies.LinearTrend(clamp=True),
        policies.BestFit(clamp=True),
        policies.BestFit(models=("mean", "power_law")),
        policies.BestFit(models=("power_law",)),
        policies.Filtered(inner=policies.Mean(), independent_only=True, min_evidence=2),
        policies.Filtered(inner=policies.DecayingAverage(), summative_only=True),
        policies.Filtered(
            inner=policies.Mode(tie_break="none"),
            as_of=mst.EPOCH + timedelta(days=2),
            start=mst.EPOCH + timedelta(days=1),
        ),
        policies.Filtered(inner=policies.NTimes(n=2), contexts=("math",)),
        policies.Filtered(inner=policies.PowerLaw(), end=(mst.EPOCH + timedelta(days=3)).date()),
    ]
    return [*policies.available_policies().values(), *variants]


def assert_same_results(
    targets: list[LearningTarget], evidence: list[Evidence], policy: Policy, **kw: Any
) -> None:
    reference = Gradebook.from_evidence(
        evidence, targets=targets, engine="python", duplicates="keep"
    )
    fast = Gradebook.from_evidence(evidence, targets=targets, engine="numpy", duplicates="keep")
    assert_same_tables(reference, fast, policy, **kw)


def assert_same_tables(reference: Gradebook, fast: Gradebook, policy: Policy, **kw: Any) -> None:
    expected = reference.results(policy, **kw).records()
    actual = fast.results(policy, **kw).records()
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        assert (want["student_id"], want["target_id"]) == (got["student_id"], got["target_id"])
        assert (want["value"] is None) == (got["value"] is None), (policy, want, got)
        if want["value"] is not None:
            assert math.isclose(want["value"], got["value"], rel_tol=1e-9, abs_tol=1e-9)
        assert want["level"] == got["level"], (policy, want, got)
        assert want["mastered"] == got["mastered"]
        if want["value"] is None:
            assert want["reason"] == got["reason"], (policy, want, got)
        assert want["evidence_count"] == got["evidence_count"]


#: Time zones of generated evidence: the engine must give each piece the calendar date of its
#: own zone (date bounds of evidence rules depend on it).
ZONES = [
    UTC,
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=9, minutes=30)),
    timezone(timedelta(hours=-11, minutes=-15, seconds=-7)),
]


def _score_strategy(scale: Scale, kind: str) -> st.SearchStrategy[float]:
    low, high = scale.min, scale.max
    if kind == "float":  # any float: neither on the grid nor a short decimal
        return st.floats(min_value=low, max_value=high, allow_nan=False)
    if kind == "third":
        return st.integers(0, round((high - low) * 3)).map(lambda k: min(low + k / 3, high))
    if kind == "grid":
        return st.integers(0, round((high - low) * 16)).map(lambda k: low + k / 16)
    return mst.scores(scale, on_step=kind == "step")


@st.composite
def wide_gradebooks(
    draw: st.DrawFn, *, max_size: int = 40
) -> tuple[list[LearningTarget], list[Evidence], int]:
    """Targets, evidence and a split point: :func:`~mst.gradebook_evidence`, widened.

    Scores are drawn one kind per gradebook (any float, thirds, sixteenths, two decimals or
    the scale's step), times are any minute of the year or one of a few days, in several time
    zones, and weights include a third. The split point cuts the evidence into two batches.
    """
    chosen = draw(st.lists(mst.targets(), min_size=1, max_size=3, unique_by=lambda t: t.id))
    students = [f"s{i}" for i in range(draw(st.integers(1, 4)))]
    kind = draw(st.sampled_from(["float", "third", "grid", "decimal", "step"]))
    days = st.integers(0, 4).map(lambda d: mst.EPOCH + timedelta(days=d))
    moments = st.tuples(days | mst.timestamps(), st.sampled_from(ZONES)).map(
        lambda pair: pair[0].astimezone(pair[1])
    )
    items = draw(
        st.lists(
            st.tuples(st.sampled_from(chosen), st.sampled_from(students)).flatmap(
                lambda pair: st.builds(
                    Evidence,
                    student_id=st.just(pair[1]),
                    target_id=st.just(pair[0].id),
                    score=_score_strategy(pair[0].scale, kind),
                    observed_at=moments,
                    kind=st.sampled_from(EvidenceKind),
                    weight=st.sampled_from([1.0, 1.0, 0.5, 2.0, 1 / 3]),
                    source_id=st.none() | st.sampled_from(["quiz", "retake"]),
                    context=st.none() | st.sampled_from(["math", "science"]),
                    attempt=st.none() | st.integers(min_value=1, max_value=3),
                    independent=st.booleans(),
                )
            ),
            max_size=max_size,
        )
    )
    return chosen, items, draw(st.integers(0, len(items)))


#: ``as_of`` moments: none, or some time on one of the generated days.
AS_OF = st.none() | st.builds(
    lambda day, hours: mst.EPOCH + timedelta(days=day, hours=hours),
    st.integers(0, 6),
    st.sampled_from([-9, 0, 3, 15]),
)


@pytest.mark.slow
@given(book=wide_gradebooks(), as_of=AS_OF)
def test_engine_equals_reference_on_random_gradebooks(
    book: tuple[list[LearningTarget], list[Evidence], int], as_of: datetime | None
) -> None:
    targets, evidence, split = book
    reference = Gradebook.from_evidence(
        evidence, targets=targets, engine="python", duplicates="keep"
    )
    fast = Gradebook(targets=targets, engine="numpy")
    fast.add(evidence[:split], duplicates="keep")
    fast.results(policies.Mean())  # sorts the first batch; the second is merged into it
    fast.add(evidence[split:], duplicates="keep")
    kw = {} if as_of is None else {"as_of": as_of}
    for policy in engine_policies():
        assert_same_tables(reference, fast, policy, **kw)


@pytest.mark.slow
@given(book=mst.gradebook_evidence(), day=st.integers(min_value=0, max_value=6))
def test_engine_equals_reference_as_of_a_date(
    book: tuple[list[LearningTarget], list[Evidence]], day: int
) -> None:
    targets, evidence = book
    as_of = mst.EPOCH + timedelta(days=day)
    reference = Gradebook.from_evidence(
        evidence, targets=targets, engine="python", duplicates="keep"
    )
    fast = Gradebook.from_evidence(evidence, targets=targets, engine="numpy", duplicates="keep")
    for policy in engine_policies():
        assert_same_tables(reference, fast, policy, as_of=as_of)


def test_date_bounds_use_each_evidences_own_calendar_date() -> None:
    # 23:30 in New York on 1 September is 03:30 UTC on 2 September
    evening = datetime(2026, 9, 1, 23, 30, tzinfo=timezone(timedelta(hours=-4)))
    evidence = [
        Evidence(student_id="s", target_id="T", score=1.0, observed_at=START),
        Evidence(student_id="s", target_id="T", score=4.0, observed_at=evening),
    ]
    policy = policies.Filtered(inner=policies.MostRecent(), end=evening.date())
    assert_same_results([MARZANO_TARGET], evidence, policy)
    [row] = Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET]).results(policy).records()
    assert 4.0 == row["value"]


def test_unanimous_decaying_average_is_exactly_on_the_threshold() -> None:
    evidence = history([3.0] * 25)
    table = Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET], engine="numpy").results(
        policies.DecayingAverage()
    )
    [row] = table.records()
    assert (3.0, "meets", True) == (row["value"], row["level"], row["mastered"])


def test_mean_of_decimals_is_exact_at_the_threshold() -> None:
    evidence = history([2.8, 3.2, 2.9, 3.1])
    [row] = (
        Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET], engine="numpy")
        .results(policies.Mean())
        .records()
    )
    assert (3.0, "meets") == (row["value"], row["level"])


def test_decaying_average_near_a_threshold_is_recomputed_exactly() -> None:
    # 2.0 then 3.2 at rate 0.625: 0.625 * 3.2 + 0.375 * 2.0 = 2.75 exactly; then 3.25 at
    # rate 0.625 ... reaches 3.0 exactly only in exact arithmetic.
    evidence = history([2.0, 3.2, 3.25, 3.0, 2.98])
    for rate in (0.5, 0.625, 0.65, 0.8):
        assert_same_results([MARZANO_TARGET], evidence, policies.DecayingAverage(rate=rate))


def test_long_histories_do_not_underflow() -> None:
    evidence = [
        Evidence(student_id="s", target_id="T", score=(i % 9) / 2, observed_at=START + timedelta(i))
        for i in range(3000)
    ]
    assert_same_results([MARZANO_TARGET], evidence, policies.DecayingAverage(rate=0.9))


def test_same_instant_ties_follow_the_chronological_key() -> None:
    same = START
    evidence = [
        Evidence(student_id="s", target_id="T", score=4.0, observed_at=same, source_id="quiz-a"),
        Evidence(student_id="s", target_id="T", score=1.0, observed_at=same, source_id="quiz-b"),
        Evidence(student_id="s", target_id="T", score=2.0, observed_at=same, attempt=2),
        Evidence(student_id="s", target_id="T", score=3.0, observed_at=same),
    ]
    for policy in (policies.MostRecent(), policies.DecayingAverage()):
        assert_same_results([MARZANO_TARGET], evidence, policy)
        assert_same_results([MARZANO_TARGET], evidence[::-1], policy)


class Halfway:
    """A policy without a kernel: the midpoint of the lowest and highest score."""

    def evaluate(self, evidence: Any, target: LearningTarget) -> TargetResult:
        items = list(evidence)
        if not items:
            return TargetResult(target=target, value=None, policy=self, reason="nothing yet")
        value = (min(e.score for e in items) + max(e.score for e in items)) / 2
        return TargetResult(target=target, value=value, policy=self, evidence_count=len(items))


@given(book=mst.gradebook_evidence(max_size=15))
def test_policies_without_a_kernel_fall_back_per_group(
    book: tuple[list[LearningTarget], list[Evidence]],
) -> None:
    targets, evidence = book
    assert_same_results(targets, evidence, Halfway())


def segments_of(
    groups: list[list[float]], weights: list[list[float]] | None = None, *, facts: Any = None
) -> Any:
    """Engine segments of the given score groups (empty groups allowed), in position order."""
    import numpy as np

    from mastery_grading.policies.segments import Segments

    counts = np.array([len(g) for g in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return Segments(
        score=np.array([s for g in groups for s in g], dtype=np.float64),
        weight=None if weights is None else np.array([w for g in weights for w in g]),
        summative=None,
        group=np.repeat(np.arange(len(groups), dtype=np.int64), counts),
        starts=starts,
        counts=counts,
        mastery=np.full(len(groups), 3.0),
        facts=facts,
    )


class OffGrid:
    """Column facts that never find a grid, to force the kernels' short-decimal path."""

    def grid_largest(self, name: str) -> float | None:
        return None


GRID_AND_DECIMALS = st.sampled_from([0.0, 0.5, 1.0, 2.25, 3.0, 3.0625, 4.0, 0.1, 2.33, 2.8])


@given(
    groups=st.lists(st.lists(GRID_AND_DECIMALS, max_size=7), min_size=1, max_size=6),
    data=st.data(),
)
def test_grid_and_decimal_paths_give_equal_floats(groups: list[list[float]], data: Any) -> None:
    import numpy as np

    from mastery_grading.grades import read_value
    from mastery_grading.policies.segments import grid_largest

    def exact_mean(scores: list[float], weights: list[float]) -> Fraction:
        total = sum((read_value(w) for w in weights), Fraction(0))
        return (
            sum(
                (read_value(x) * read_value(w) for x, w in zip(scores, weights, strict=True)),
                Fraction(0),
            )
            / total
        )

    weights = [
        data.draw(
            st.lists(st.sampled_from([1.0, 0.5, 2.0, 0.25]), min_size=len(g), max_size=len(g))
        )
        for g in groups
    ]
    fast = segments_of(groups, weights)  # no facts: the grid is checked on the values
    exact = segments_of(groups, weights, facts=OffGrid())
    on_grid = all(x * 16 == int(x * 16) for g in groups for x in g)
    assert on_grid == (grid_largest(fast, "score") is not None)
    for policy in (
        policies.Mean(),
        policies.Mean(weighted=False),
        policies.WeightedAverage(),
        policies.WeightedAverage(weight=0.5),
        policies.NTimes(n=1),
        policies.Median(),
    ):
        run = policies.kernel_for(policy)
        assert run is not None, policy
        fast_out, exact_out = run(policy, fast), run(policy, exact)
        assert fast_out is not None
        assert exact_out is not None
        assert np.array_equal(exact_out.values, fast_out.values, equal_nan=True), policy
        if on_grid:  # the grid path is exact: nothing is left to recheck
            assert fast_out.inexact is None or not fast_out.inexact.any()
    means = [float(exact_mean(g, w)) if g else None for g, w in zip(groups, weights, strict=True)]
    mean_kernel = policies.kernel_for(policies.Mean())
    assert mean_kernel is not None
    out = mean_kernel(policies.Mean(), fast)
    assert out is not None
    values = out.values
    assert means == [None if math.isnan(v) else v for v in values.tolist()]


def test_decimals_off_the_grid_take_the_exact_path() -> None:
    from mastery_grading.policies.segments import grid_largest

    assert 4.0 == grid_largest(segments_of([[2.5, 4.0], [0.0625]]), "score")
    for scores in ([2.33, 1.0], [1 / 3], [0.1], [2.0**31]):
        assert grid_largest(segments_of([scores]), "score") is None
    [row] = (
        Gradebook.from_evidence(history([2.33, 3.67]), targets=[MARZANO_TARGET], engine="numpy")
        .results(policies.Mean())
        .records()
    )
    assert (3.0, "meets") == (row["value"], row["level"])


def test_counting_median_reads_the_middle_ranks_from_running_counts() -> None:
    from mastery_grading.policies.kernels.central import median_values

    seg = segments_of([[4.0, 1.0, 3.0, 2.5], [2.0], [], [3.5, 3.5, 0.5]])
    values, inexact = median_values(seg, counting=True)
    assert [2.75, 2.0, 3.5] == [values[0], values[1], values[3]]
    assert math.isnan(values[2])
    assert not inexact.any()


@given(
    groups=st.lists(
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0, 3.5, 4.0, 0.1, 2.9]), max_size=7),
        min_size=1,
        max_size=8,
    )
)
def test_counting_and_sorting_medians_agree(groups: list[list[float]]) -> None:
    import numpy as np

    from mastery_grading.policies.kernels.central import median_values

    seg = segments_of(groups)
    counted, counted_inexact = median_values(seg, counting=True)
    sorted_, sorted_inexact = median_values(seg, counting=False)
    assert np.array_equal(sorted_, counted, equal_nan=True)
    assert np.array_equal(sorted_inexact, counted_inexact)


RULES: tuple[policies.TieBreak, ...] = ("highest", "lowest", "most_recent", "none")


def test_counting_mode_applies_each_tie_rule() -> None:
    from mastery_grading.policies.kernels.central import mode_values

    # oldest first: 1 and 3 both twice, 3 last seen before 1; then a clear mode; then nothing
    seg = segments_of([[3.0, 1.0, 3.0, 1.0, 2.0], [2.5, 2.5, 4.0], []])
    picks = {rule: mode_values(seg, rule, counting=True) for rule in RULES}
    assert [3.0, 2.5] == picks["highest"][0][:2].tolist()
    assert [1.0, 2.5] == picks["lowest"][0][:2].tolist()
    assert [1.0, 2.5] == picks["most_recent"][0][:2].tolist()
    assert [True, False, False] == picks["none"][1].tolist()
    assert all(math.isnan(values[2]) for values, _ in picks.values())


@given(
    groups=st.lists(
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0, 4.0, 0.1]), max_size=7),
        min_size=1,
        max_size=8,
    ),
    rule=st.sampled_from(RULES),
)
def test_counting_and_sorting_modes_agree(
    groups: list[list[float]], rule: policies.TieBreak
) -> None:
    import numpy as np

    from mastery_grading.policies.kernels.central import mode_values

    seg = segments_of(groups)
    counted, counted_tied = mode_values(seg, rule, counting=True)
    sorted_, sorted_tied = mode_values(seg, rule, counting=False)
    assert np.array_equal(sorted_, counted, equal_nan=True)
    assert np.array_equal(sorted_tied, counted_tied)


POWER_GRID = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.25, 3.0, 3.0625, 4.0])
POWER_OFF_GRID = st.sampled_from([0.1, 2.33, 1 / 3, 2.8])


@given(
    groups=st.lists(
        st.lists(POWER_GRID | POWER_OFF_GRID, max_size=8) | st.lists(POWER_GRID, max_size=8),
        min_size=1,
        max_size=8,
    ),
    zeros=st.sampled_from(["none", "floor"]),
)
def test_power_law_logs_from_the_grid_table_equal_logs_per_row(
    groups: list[list[float]], zeros: Zeros
) -> None:
    import numpy as np

    from mastery_grading.policies.kernels.trend import log_table, power_law_fit

    policy = policies.PowerLaw(zeros=zeros, floor=0.25)
    by_table = segments_of(groups)  # no facts: the grid is checked on the values
    per_row = segments_of(groups, facts=OffGrid())
    on_grid = all(x * 16 == int(x * 16) for g in groups for x in g)
    # scores off the grid keep one logarithm per row
    assert on_grid == (log_table(by_table, policy) is not None)
    assert log_table(per_row, policy) is None
    table_sums, table_varied = power_law_fit(policy, by_table)
    row_sums, row_varied = power_law_fit(policy, by_table, lookup=False)
    assert np.array_equal(row_sums, table_sums, equal_nan=True)
    assert np.array_equal(row_varied, table_varied)
    run = policies.kernel_for(policy)
    assert run is not None
    fast, slow = run(policy, by_table), run(policy, per_row)
    assert fast is not None
    assert slow is not None
    assert np.array_equal(slow.values, fast.values, equal_nan=True)
    assert np.array_equal(
        np.zeros(0) if slow.inexact is None else slow.inexact,
        np.zeros(0) if fast.inexact is None else fast.inexact,
    )
    assert dict(slow.reasons or {}) == dict(fast.reasons or {})


def test_power_law_zeros_give_none_or_the_floor_as_the_reference_does() -> None:
    from mastery_grading.policies.trend import power_value

    run = policies.kernel_for(policies.PowerLaw())
    assert run is not None

    groups = [[0.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.0, 3.5], [2.0]]
    for facts in (None, OffGrid()):  # the grid table and one logarithm per row
        seg = segments_of(groups, facts=facts)
        out = run(policies.PowerLaw(), seg)
        assert out is not None
        assert out.reasons is not None
        assert math.isnan(out.values[0])
        assert out.reasons[0].startswith("the power law is undefined for a score of 0")
        assert [0.0, 2.0] == [out.values[1], out.values[3]]  # flat, and one score
        assert math.isnan(out.values[2])
        floored = run(policies.PowerLaw(zeros="floor"), seg)
        assert floored is not None
        # 0.5, 2, 3 on the curve; 0, 0, 0 is flat; with two scores, the latest
        assert math.isclose(power_value([0.5, 2.0, 3.0]), floored.values[0], rel_tol=1e-12)
        assert [0.0, 3.5, 2.0] == floored.values[1:].tolist()
    evidence = [*history([0.0, 2.0, 3.0]), *history([0.0, 0.0, 0.0], student_id="s2")]
    for policy in (policies.PowerLaw(), policies.PowerLaw(zeros="floor", floor=0.25)):
        assert_same_results([MARZANO_TARGET], evidence, policy)


def _power_hat_weights(n: int) -> list[float]:
    """Hat weights of the least-squares line of ``ln s`` on ``ln i`` read at ``i = n``."""
    xs = [math.log(i) for i in range(1, n + 1)]
    mid = math.fsum(xs) / n
    lever = (xs[-1] - mid) / math.fsum((x - mid) ** 2 for x in xs)
    return [1 / n + (x - mid) * lever for x in xs]


def test_power_law_chunks_end_at_group_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from mastery_grading.policies.kernels import trend

    groups = [[1.0, 3.0, 2.0, 4.0], [], [2.5], [1.0] * 9, [3.0, 0.5, 4.0, 2.0, 1.5, 3.5, 2.5]]
    policy = policies.PowerLaw()
    whole = trend.power_law_fit(policy, segments_of(groups))
    monkeypatch.setattr(trend, "TERMS_CHUNK", 3)  # chunks of groups, some longer than 3
    chunked = trend.power_law_fit(policy, segments_of(groups))
    assert np.array_equal(whole[0], chunked[0], equal_nan=True)
    assert [True, False, False, True] == chunked[1].tolist()
    for sums, scores in zip(chunked[0].tolist(), [g for g in groups if g], strict=True):
        if len(scores) == 1:
            assert math.isnan(sums)  # one score: no curve
        else:
            weights = _power_hat_weights(len(scores))
            reference = math.fsum(h * math.log(s) for h, s in zip(weights, scores, strict=True))
            assert math.isclose(reference, sums, rel_tol=1e-12, abs_tol=1e-12)


def test_group_reasons_read_as_empty_until_one_is_given() -> None:
    import numpy as np

    from mastery_grading.policies.segments import GroupReasons

    reasons = GroupReasons(3)
    del reasons[1]
    assert ({}, 0, None) == (dict(reasons), len(reasons), reasons.get(0))
    reasons.fill(np.array([2]), "no evidence", keep=True)
    reasons.fill(np.array([True, False, True]), "too few", keep=True)
    assert {0: "too few", 2: "no evidence"} == dict(reasons)


def test_every_registered_kernel_loads_and_only_for_its_own_class() -> None:
    import attrs

    from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

    with_kernel = [p for p in engine_policies() if policies.has_kernel(p)]
    assert {type(p).__name__ for p in with_kernel} >= {
        "Mean", "Median", "Mode", "MostRecent", "DecayingAverage", "MeanOfRecent",
        "MedianOfRecent", "ModeOfRecent", "WeightedAverage", "Highest", "HighestOfRecent",
        "MeanOfHighest", "NTimes", "PowerLaw", "Filtered",
    }  # fmt: skip
    for policy in engine_policies():
        found = policies.kernel_for(policy)
        assert (found is not None) == policies.has_kernel(policy), policy
        assert found is None or callable(found)

    @attrs.frozen
    class Renamed(policies.Mean):
        """A subclass may change the rule: it has no kernel until one is registered."""

    assert policies.kernel_for(Renamed()) is None
    with pytest.raises(InvalidTypeError, match="cls="):
        policies.register_kernel(policies.Mean(), "x:y")  # type: ignore[call-overload]
    with pytest.raises(InvalidValueError, match="module:function"):
        policies.register_kernel(Renamed, "no_colon")
    with pytest.raises(InvalidTypeError, match="must be a callable"):
        policies.register_kernel(Renamed, 5)  # type: ignore[call-overload]


def test_a_kernel_registered_for_a_new_policy_is_used_by_the_engine() -> None:
    import numpy as np

    from mastery_grading.policies.segments import KernelOutput, Segments

    calls: list[int] = []

    class Lowest(Halfway):
        """The lowest score, by its kernel; the reference is the midpoint on purpose."""

    @policies.register_kernel(Lowest)
    def lowest_kernel(policy: Lowest, seg: Segments) -> KernelOutput:
        calls.append(seg.counts.shape[0])
        low = np.minimum.reduceat(seg.score, seg.firsts) if seg.score.size else seg.score
        return KernelOutput(seg.per_group(low))

    assert policies.kernel_for(Lowest()) is lowest_kernel
    evidence = [*history([1.0, 3.0, 2.5]), *history([4.0], student_id="s2")]
    book = Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET], engine="numpy")
    values = [row["value"] for row in book.results(Lowest()).records()]
    assert ([1.0, 4.0], [2]) == (values, calls)
