"""custom_policy(..., kernel=fn): your own rule at the speed of a built-in, checked when made."""

from __future__ import annotations

import math
from typing import Any, Literal

import pytest
from hypothesis import given, settings

from helpers import MARZANO_TARGET, history
from mastery_grading import (
    Evidence,
    Gradebook,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
)
from mastery_grading.policies import custom_policy, has_kernel, kernel_for
from mastery_grading.policies.kernels.custom import custom_kernel
from mastery_grading.policies.segments import KernelOutput, Segments
from mastery_grading.testing import strategies as mst

np = pytest.importorskip("numpy")


def solid_mean(scores: tuple[float, ...]) -> float | None:
    """The mean of the scores of 2 or more, no value until there are two of them."""
    kept = [s for s in scores if s >= 2]
    return sum(kept) / len(kept) if len(kept) >= 2 else None


def solid_mean_kernel(policy: Any, seg: Segments) -> Any:
    kept = seg.score >= 2
    count = np.add.reduceat(kept, seg.starts)
    total = np.add.reduceat(np.where(kept, seg.score, 0.0), seg.starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= 2, total / count, np.nan)


def _records(
    evidence: list[Evidence], policy: Any, engine: Literal["numpy", "python"]
) -> list[dict[str, Any]]:
    book = Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET], engine=engine)
    records: list[dict[str, Any]] = book.results(policy).records()
    return records


def _same_in_both_engines(evidence: list[Evidence], policy: Any) -> None:
    want = _records(evidence, policy, "python")
    got = _records(evidence, policy, "numpy")
    assert len(want) == len(got)
    for a, b in zip(want, got, strict=True):
        assert (a["value"] is None) == (b["value"] is None), (a, b)
        if a["value"] is not None:
            assert math.isclose(a["value"], b["value"], rel_tol=1e-9)
        assert (a["level"], a["mastered"], a["evidence_count"]) == (
            b["level"],
            b["mastered"],
            b["evidence_count"],
        )
        if a["value"] is None:
            assert a["reason"] == b["reason"]


def test_a_checked_kernel_is_the_policys_kernel_and_gives_the_rules_results() -> None:
    policy = custom_policy(solid_mean, name="solid mean", kernel=solid_mean_kernel)
    assert has_kernel(policy)
    assert custom_kernel is kernel_for(policy)
    evidence = [
        *history([1, 3, 2.5], student_id="ana"),
        *history([3.5], student_id="ben"),
        *history([0, 1, 4, 1.5], student_id="cy", weight=2.0),
    ]
    _same_in_both_engines(evidence, policy)
    [ben] = [r for r in _records(evidence, policy, "numpy") if r["student_id"] == "ben"]
    assert "solid mean gave no value" == ben["reason"]


@settings(max_examples=25, deadline=None)
@given(book=mst.gradebook_evidence())
def test_the_engine_with_a_custom_kernel_equals_the_rule_on_random_gradebooks(
    book: tuple[list[LearningTarget], list[Evidence]],
) -> None:
    targets, evidence = book
    policy = custom_policy(solid_mean, name="solid mean", kernel=solid_mean_kernel)
    fast = Gradebook.from_evidence(evidence, targets=targets, engine="numpy", duplicates="keep")
    slow = Gradebook.from_evidence(evidence, targets=targets, engine="python", duplicates="keep")
    for a, b in zip(slow.results(policy).records(), fast.results(policy).records(), strict=True):
        assert (a["value"] is None) == (b["value"] is None)
        if a["value"] is not None:
            assert math.isclose(a["value"], b["value"], rel_tol=1e-9)
        assert (a["level"], a["reason"]) == (b["level"], b["reason"])


def test_a_policy_without_a_kernel_has_none() -> None:
    policy = custom_policy(solid_mean, name="solid mean")
    assert not has_kernel(policy)
    assert kernel_for(policy) is None


def test_a_kernel_that_differs_from_the_rule_is_refused_naming_the_first_history() -> None:
    def first(scores: tuple[float, ...]) -> float:
        return scores[0]

    def last_kernel(policy: Any, seg: Segments) -> Any:
        return seg.score[seg.starts + seg.counts - 1]

    with pytest.raises(InvalidValueError) as raised:
        custom_policy(first, name="first", kernel=last_kernel)
    message = str(raised.value)
    assert message.startswith("the kernel of custom policy 'first' gives ")
    assert "for the scores (" in message
    assert "where the rule gives" in message


def test_a_kernel_that_misses_a_none_is_refused() -> None:
    def no_none_kernel(policy: Any, seg: Segments) -> Any:
        return np.nan_to_num(solid_mean_kernel(policy, seg), nan=0.0)

    with pytest.raises(InvalidValueError, match=r"gives 0\.0 for the scores .* gives None"):
        custom_policy(solid_mean, name="solid mean", kernel=no_none_kernel)


def test_the_check_runs_once_per_rule_and_kernel() -> None:
    calls: list[int] = []

    def counted(policy: Any, seg: Segments) -> Any:
        calls.append(int(seg.counts.shape[0]))
        return solid_mean_kernel(policy, seg)

    custom_policy(solid_mean, name="solid mean", kernel=counted)
    checked = len(calls)
    assert 3 == checked  # one call per batch of random histories
    custom_policy(solid_mean, name="another name", kernel=counted)
    assert checked == len(calls)


def test_an_exact_kernel_output_must_equal_the_rule_bit_for_bit() -> None:
    def tenth(scores: tuple[float, ...]) -> float:
        return math.fsum(s / 10 for s in scores) / len(scores)

    def claimed_exact(policy: Any, seg: Segments) -> KernelOutput:
        return KernelOutput(np.add.reduceat(seg.score * 0.1, seg.starts) / seg.counts)

    def rounded(policy: Any, seg: Segments) -> Any:
        return claimed_exact(policy, seg).values

    with pytest.raises(InvalidValueError, match="where the rule gives"):
        custom_policy(tenth, name="tenth", kernel=claimed_exact)
    policy = custom_policy(tenth, name="tenth", kernel=rounded)  # flagged inexact: accepted
    assert has_kernel(policy)


def test_an_array_kernel_may_round_differently_and_levels_stay_the_rules() -> None:
    def third(scores: tuple[float, ...]) -> float:
        return 3 * (sum(scores) / len(scores) / 3)

    def third_kernel(policy: Any, seg: Segments) -> Any:
        return np.add.reduceat(seg.score, seg.starts) / seg.counts * (1 / 3) * 3

    policy = custom_policy(third, name="third", kernel=third_kernel)
    # three scores whose mean is exactly on the mastery threshold, 3
    evidence = [*history([2.5, 3.5, 3.0], student_id="ana"), *history([2.9], student_id="ben")]
    _same_in_both_engines(evidence, policy)


def test_a_kernel_may_decline_weights_but_not_plain_scores() -> None:
    def unweighted_only(policy: Any, seg: Segments) -> Any:
        return None if seg.weight is not None else solid_mean_kernel(policy, seg)

    policy = custom_policy(solid_mean, name="solid mean", kernel=unweighted_only)
    _same_in_both_engines(history([2, 3, 4], weight=2.0), policy)
    with pytest.raises(InvalidValueError, match="declined plain scores"):
        custom_policy(solid_mean, name="solid mean", kernel=lambda policy, seg: None)


@pytest.mark.parametrize(
    ("kernel", "error", "match"),
    [
        (lambda policy, seg: np.zeros(1), InvalidValueError, "values of shape"),
        (lambda policy, seg: "fast", InvalidTypeError, "returned str"),
        (
            lambda policy, seg: KernelOutput(np.zeros(seg.counts.shape[0]), np.zeros(1, bool)),
            InvalidValueError,
            "inexact of shape",
        ),
    ],
    ids=["values", "type", "inexact"],
)
def test_a_kernel_output_of_the_wrong_shape_or_type_is_refused(
    kernel: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        custom_policy(solid_mean, name="solid mean", kernel=kernel)


def test_a_kernel_must_be_a_function() -> None:
    with pytest.raises(InvalidTypeError, match="kernel=3 must be None or a function"):
        custom_policy(solid_mean, name="solid mean", kernel=3)  # type: ignore[arg-type]


def test_a_custom_kernel_is_never_given_an_empty_group() -> None:
    sizes: list[int] = []

    def smallest_group(policy: Any, seg: Segments) -> Any:
        sizes.append(int(seg.counts.min()))
        return solid_mean_kernel(policy, seg)

    policy = custom_policy(solid_mean, name="solid mean", kernel=smallest_group)
    other = LearningTarget(id="U", title="Other")
    evidence = [*history([2, 3]), *history([1], student_id="s2", target_id="U")]
    book = Gradebook.from_evidence(evidence, targets=[MARZANO_TARGET, other], engine="numpy")
    rows = book.results(policy).records()
    assert 1 <= min(sizes)
    assert {("s1", "U"), ("s2", "T")} == {
        (r["student_id"], r["target_id"]) for r in rows if r["reason"] == "no evidence"
    }


def best_summative(evidence: tuple[Evidence, ...]) -> float | None:
    return max((e.score for e in evidence if e.is_summative), default=None)


def best_summative_kernel(policy: Any, seg: Segments) -> Any:
    summative = np.ones(seg.score.size, bool) if seg.summative is None else seg.summative
    best = np.maximum.reduceat(np.where(summative, seg.score, -np.inf), seg.starts)
    return np.where(np.isinf(best), np.nan, best)


def test_a_kernel_of_a_rule_on_evidence_reads_the_kinds_and_is_checked_with_them() -> None:
    policy = custom_policy(
        best_summative, name="best summative", takes_evidence=True, kernel=best_summative_kernel
    )
    evidence = [
        *history([3.5, 2], student_id="ana", kind="formative"),
        *history([1, 2.5], student_id="ben"),
    ]
    _same_in_both_engines(evidence, policy)

    def best_of_all(policy: Any, seg: Segments) -> Any:  # forgets the kinds
        return np.maximum.reduceat(seg.score, seg.starts)

    with pytest.raises(InvalidValueError, match=r"for the scores \(.*\), kinds \(.*formative"):
        custom_policy(best_summative, name="best", takes_evidence=True, kernel=best_of_all)
