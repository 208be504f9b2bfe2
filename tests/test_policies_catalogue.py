"""The whole catalogue: registry, specs as data, determinism, and the shape of every policy."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import MARZANO_TARGET, history
from mastery_grading import (
    Evidence,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Policy,
    SpecError,
    chronological_key,
    policy_from_spec,
)
from mastery_grading.policies import (
    DecayingAverage,
    MaxOf,
    Mean,
    MeanOfRecent,
    NTimes,
    PowerLaw,
    WeightedAverage,
    _spec,
    available_policies,
    custom_policy,
)
from mastery_grading.testing import strategies as mst
from mastery_grading.testing.examples import LATE_BLOOMER

AXIOM_NAMES = {
    "bounded",
    "within_observed_range",
    "unanimity",
    "monotone",
    "order_free",
    "time_shift_invariant",
    "no_retake_penalty",
    "improvement_credit",
    "recency",
    "recency_sensitive",
    "formative_neutral",
    "deterministic",
    "target_independent",
    "correct_never_lowers",
}

CATALOGUE = available_policies()

#: Policies that are rules about which evidence counts (or how a value is rounded), not a
#: formula over scores: their docstrings say the rule in words.
RULES_WITHOUT_A_FORMULA = frozenset({"at_bats", "filtered", "rounded"})


def test_every_registered_policy_is_available_and_generated() -> None:
    assert set(_spec.POLICIES) == set(CATALOGUE)
    assert set(_spec.POLICIES) == set(mst.POLICY_NAMES)


def test_every_registered_policy_is_exported() -> None:
    from mastery_grading import policies

    for cls in _spec.POLICIES.classes().values():
        assert cls is getattr(policies, cls.__name__)
        assert cls.__name__ in policies.__all__


@pytest.mark.parametrize("name", sorted(CATALOGUE))
class TestEveryBuiltIn:
    def test_is_a_policy_with_known_claims(self, name: str) -> None:
        policy = CATALOGUE[name]
        assert name == policy.spec_name
        assert set(policy.claims) <= AXIOM_NAMES
        assert "deterministic" in policy.claims
        assert isinstance(policy, Policy)

    def test_evaluates_the_late_bloomer(self, name: str) -> None:
        result = CATALOGUE[name].evaluate(history(LATE_BLOOMER), MARZANO_TARGET)
        assert 5 == result.evidence_count
        assert result.value is not None or result.reason

    def test_no_evidence_is_none_with_reason(self, name: str) -> None:
        result = CATALOGUE[name].evaluate([], MARZANO_TARGET)
        assert (None, "no evidence", 0) == (result.value, result.reason, result.evidence_count)

    def test_evidence_that_is_not_a_list_is_a_type_error_naming_it(self, name: str) -> None:
        with pytest.raises(InvalidTypeError, match="evidence=None must be an iterable"):
            CATALOGUE[name].evaluate(None, MARZANO_TARGET)

    def test_default_spec_round_trips_through_json(self, name: str) -> None:
        policy = CATALOGUE[name]
        assert policy == policy_from_spec(json.loads(json.dumps(policy.to_spec())))

    def test_docstring_has_example_and_formula(self, name: str) -> None:
        cls = type(CATALOGUE[name])
        doc = cls.__doc__ or ""
        assert ">>>" in doc
        if name not in RULES_WITHOUT_A_FORMULA:
            assert ".. math::" in doc


@given(mst.policies())
def test_spec_round_trip_for_generated_parameters(policy: object) -> None:
    spec = policy.to_spec()  # type: ignore[attr-defined]
    assert policy == policy_from_spec(json.loads(json.dumps(spec)))
    assert hash(policy) == hash(policy_from_spec(spec))


@given(mst.policies(), mst.histories(), st.randoms(use_true_random=False))
def test_any_input_order_gives_an_identical_result(
    policy: Policy, pair: tuple[LearningTarget, list[Evidence]], rnd: random.Random
) -> None:
    target, evidence = pair
    shuffled = list(evidence)
    rnd.shuffle(shuffled)
    assert policy.evaluate(evidence, target) == policy.evaluate(shuffled, target)


@given(mst.policies(), mst.histories(min_size=2), st.randoms(use_true_random=False))
def test_any_input_order_at_one_instant_gives_an_identical_result(
    policy: Policy, pair: tuple[LearningTarget, list[Evidence]], rnd: random.Random
) -> None:
    target, evidence = pair
    moment = evidence[0].observed_at
    same_time = [attrs.evolve(e, observed_at=moment) for e in evidence]
    shuffled = list(same_time)
    rnd.shuffle(shuffled)
    assert policy.evaluate(same_time, target) == policy.evaluate(shuffled, target)


@given(mst.policies(), mst.histories(min_size=1))
def test_results_are_well_formed(
    policy: Policy, pair: tuple[LearningTarget, list[Evidence]]
) -> None:
    target, evidence = pair
    result = policy.evaluate(evidence, target)
    assert len(evidence) == result.evidence_count
    assert policy is result.policy
    assert result.value is not None or result.reason
    assert all(c.evidence in evidence for c in result.contributions)
    keys = [chronological_key(c.evidence) for c in result.contributions]
    assert sorted(keys) == keys, "contributions must be oldest first"


def test_custom_policy_contributions_are_oldest_first_whatever_the_input_order() -> None:
    policy = custom_policy(lambda scores: scores[-1], name="last")
    evidence = history([1, 3, 2])
    result = policy.evaluate(list(reversed(evidence)), MARZANO_TARGET)
    assert evidence == [c.evidence for c in result.contributions]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"policy": "filtered", "inner": {"policy": "mean", "rate": 1}}, "unknown key 'rate'"),
        ({"policy": "max_of", "policies": [{"policy": "nope"}]}, "policy='nope'"),
        ({"policy": "n_times", "n": 11}, "n=11 must be between 1 and 10"),
        ({"policy": "power_law", "zeros": "drop"}, "zeros='drop'"),
        ({"policy": "filtered", "as_of": "2026-09-01"}, "inner"),
    ],
)
def test_bad_spec_names_the_key(spec: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        policy_from_spec(spec)


def test_spec_value_of_the_wrong_type_is_a_type_error_and_a_spec_error() -> None:
    message = "spec for policy 'max_of' is invalid: policies=5 must be a list of policies, not int"
    with pytest.raises(InvalidTypeError, match=re.escape(message)) as caught:
        policy_from_spec({"policy": "max_of", "policies": 5})
    assert isinstance(caught.value, SpecError)


@pytest.mark.parametrize("policies", [5, None, Mean()])
def test_max_of_policies_that_are_not_a_list_are_a_type_error(policies: object) -> None:
    message = f"policies={policies!r} must be a list of policies, not {type(policies).__name__}"
    with pytest.raises(InvalidTypeError, match=re.escape(message)):
        MaxOf(policies=policies)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DecayingAverage(rate=10**400), "rate=1.000e+400 is too large"),
        (lambda: WeightedAverage(weight=10**400), "weight=1.000e+400 is too large"),
        (lambda: PowerLaw(zeros="floor", floor=10**400), "floor=1.000e+400 is too large"),
        (lambda: NTimes(n=10**5000), "n=1.000e+5000 must be between 1 and 10"),
        (lambda: MeanOfRecent(n=-(10**400)), "n=-1.000e+400 must be at least 1"),
    ],
)
def test_huge_int_parameters_give_the_library_error_with_a_short_value(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(InvalidValueError, match=re.escape(message)):
        make()


def test_custom_policy_claims_that_are_not_a_list_are_a_type_error() -> None:
    message = "claims=5 must be a list of axiom names (or one name), not int"
    with pytest.raises(InvalidTypeError, match=re.escape(message)):
        custom_policy(max, name="best", claims=5)  # type: ignore[arg-type]


ORDER_DEPENDENT = {
    "most_recent": ([1, 4], [4, 1]),
    "mean_of_recent": ([1, 1, 1, 4], [4, 1, 1, 1]),
    "median_of_recent": ([1, 1, 4, 4], [4, 4, 1, 1]),
    "mode_of_recent": ([1, 1, 4, 4, 4], [4, 4, 4, 1, 1]),
    "decaying_average": ([1, 4], [4, 1]),
    "weighted_average": ([1, 4], [4, 1]),
    "highest_of_recent": ([1, 1, 1, 4], [4, 1, 1, 1]),
    "power_law": ([1, 4], [4, 1]),
    "linear_trend": ([1, 4], [4, 1]),
    "best_fit": ([1, 2, 4], [4, 2, 1]),
    "canvas_rollup": ([1, 4], [4, 1]),
    "filtered": ([1, 4], [4, 1]),
    "at_bats": ([3, 3, 4, 2], [3, 3, 2, 4]),
    "bkt": ([1, 4], [4, 1]),
}


@pytest.mark.parametrize("name", sorted(ORDER_DEPENDENT))
def test_counterexample_order_dependent_policies_do_not_claim_order_free(name: str) -> None:
    """The same scores in another order give another result, so order_free is not claimed."""
    policy = CATALOGUE[name]
    first, second = ORDER_DEPENDENT[name]
    assert sorted(first) == sorted(second)
    a = policy.evaluate(history(first), MARZANO_TARGET).value
    b = policy.evaluate(history(second), MARZANO_TARGET).value
    assert a != b
    assert "order_free" not in policy.claims


def test_order_free_policies_are_exactly_the_claimants() -> None:
    """MaxOf's example holds a power law; Mode's claims must also cover tie_break="most_recent"."""
    claimants = {name for name, policy in CATALOGUE.items() if "order_free" in policy.claims}
    assert set(CATALOGUE) - set(ORDER_DEPENDENT) - {"max_of", "mode"} == claimants


def test_counterexample_mode_most_recent_depends_on_order() -> None:
    from mastery_grading.policies import Mode

    rule = Mode(tie_break="most_recent")
    assert 3.0 == rule.evaluate(history([2, 3, 2, 3]), MARZANO_TARGET).value
    assert 2.0 == rule.evaluate(history([3, 2, 3, 2]), MARZANO_TARGET).value
    assert "order_free" not in Mode.claims
