"""custom_policy: a plain function becomes a full policy."""

from __future__ import annotations

import random

import pytest

from helpers import MARZANO_TARGET, history
from mastery_grading import (
    InvalidValueError,
    Policy,
    ScoreOutOfScaleError,
    SpecError,
    TargetMismatchError,
)
from mastery_grading.policies import CustomPolicy, available_policies, custom_policy


def high_last(scores: tuple[float, ...]) -> float:
    return (max(scores) + scores[-1]) / 2


HIGH_LAST = custom_policy(high_last, name="high-last average", claims=["bounded"])


def test_is_a_policy_and_gets_chronological_scores() -> None:
    assert isinstance(HIGH_LAST, Policy)
    evidence = history([4, 2, 3])
    shuffled = list(evidence)
    random.Random(3).shuffle(shuffled)
    assert 3.5 == HIGH_LAST.evaluate(shuffled, MARZANO_TARGET).value


def test_contributions_list_every_score_with_equal_weight() -> None:
    evidence = history([4, 2])
    result = HIGH_LAST.evaluate(evidence, MARZANO_TARGET)
    assert [(evidence[0], 0.5), (evidence[1], 0.5)] == [
        (c.evidence, c.weight) for c in result.contributions
    ]
    assert 2 == result.evidence_count


def test_checks_evidence_like_a_built_in() -> None:
    assert "no evidence" == HIGH_LAST.evaluate([], MARZANO_TARGET).reason
    with pytest.raises(TargetMismatchError):
        HIGH_LAST.evaluate(history([2], target_id="U"), MARZANO_TARGET)
    with pytest.raises(ScoreOutOfScaleError):
        HIGH_LAST.evaluate(history([5]), MARZANO_TARGET)


def test_function_of_the_evidence() -> None:
    seen: list[object] = []

    def count_summative(evidence: tuple[object, ...]) -> float:
        seen.extend(evidence)
        return float(len(evidence))

    policy = custom_policy(count_summative, name="count", takes_evidence=True)
    evidence = history([1, 2])
    assert 2.0 == policy.evaluate(evidence, MARZANO_TARGET).value
    assert evidence == seen


def test_none_means_no_value_with_a_reason() -> None:
    policy = custom_policy(lambda scores: None, name="undecided")
    result = policy.evaluate(history([1, 2]), MARZANO_TARGET)
    assert (None, "undecided gave no value") == (result.value, result.reason)


@pytest.mark.parametrize("bad", ["3", float("nan"), True])
def test_bad_return_values_raise(bad: object) -> None:
    policy = custom_policy(lambda scores: bad, name="broken")  # type: ignore[arg-type, return-value]
    with pytest.raises(InvalidValueError, match="custom policy 'broken' returned"):
        policy.evaluate(history([1]), MARZANO_TARGET)


def test_has_no_spec_and_is_not_registered() -> None:
    with pytest.raises(SpecError, match="custom policy 'high-last average' wraps a Python"):
        HIGH_LAST.to_spec()
    assert all(not isinstance(p, CustomPolicy) for p in available_policies().values())


def test_claims_and_equality() -> None:
    assert frozenset({"bounded"}) == HIGH_LAST.claims
    assert custom_policy(high_last, name="x") == custom_policy(high_last, name="x")
    assert frozenset() == custom_policy(high_last, name="x").claims
    with pytest.raises(TypeError, match="must be a function"):
        custom_policy(3, name="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name=''"):
        custom_policy(high_last, name="")
