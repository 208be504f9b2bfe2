"""The conformance kit: named contract checks, one pytest case per check, derived strategies."""

from __future__ import annotations

import subprocess
import sys
import typing
from collections.abc import Iterable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import (
    Contribution,
    Evidence,
    LearningTarget,
    TargetResult,
    available_policies,
    sort_chronologically,
)
from mastery_grading.exceptions import TargetMismatchError
from mastery_grading.fairness.axioms import AXIOMS, CONVERTER_AXIOMS
from mastery_grading.policies import Mean, MostRecent
from mastery_grading.protocols import Claim, Policy
from mastery_grading.testing import check_policy_contract, parametrize_with_checks
from mastery_grading.testing import strategies as mst
from mastery_grading.testing.conformance import policy_checks


@attrs.frozen
class Faulty:
    """A hand-written mean that breaks one promise of the contract, named by ``fault``."""

    fault: str = "none"
    rate: float = 1.0
    claims: frozenset[str] = frozenset({"bounded"})

    def __repr__(self) -> str:
        if self.fault == "hidden_rate":
            return "Faulty()"  # hides its configuration
        return f"Faulty(fault={self.fault!r}, rate={self.rate!r})"

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        items = evidence if isinstance(evidence, list) else list(evidence)
        if self.fault != "any_target" and any(e.target_id != target.id for e in items):
            msg = f"evidence for another target given to {target.id!r}"
            raise TargetMismatchError(msg)
        if self.fault == "sorts_input":
            items.sort(key=lambda e: e.score)
        history = list(sort_chronologically(items))
        if not history:
            value = 0.0 if self.fault == "zero_when_empty" else None
            return TargetResult(target=target, value=value, policy=self, reason="no evidence")
        used = list(reversed(history)) if self.fault == "newest_first" else history
        return TargetResult(
            target=target,
            value=sum(e.score for e in history) / len(history),
            policy=self,
            evidence_count=len(history),
            contributions=[Contribution(evidence=e, weight=1 / len(used)) for e in used],
        )


EXPECTED_FAILURE = {
    "zero_when_empty": "check_empty_history",
    "any_target": "check_target_mismatch",
    "sorts_input": "check_input_not_mutated",
    "newest_first": "check_contributions_oldest_first",
    "hidden_rate": "check_repr_shows_configuration",
}


@pytest.mark.parametrize("fault", sorted(EXPECTED_FAILURE))
def test_each_fault_fails_exactly_its_check(fault: str) -> None:
    policy = Faulty(fault=fault)
    failed = []
    for check in policy_checks(policy, max_examples=5):
        try:
            check(policy)
        except AssertionError:
            failed.append(check.name)
    assert [EXPECTED_FAILURE[fault]] == failed


def test_a_sound_policy_passes_every_check() -> None:
    check_policy_contract(Faulty(), max_examples=5)


def test_the_contract_reports_every_failing_check_at_once() -> None:
    @attrs.frozen
    class TwoFaults(Faulty):
        def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
            result = Faulty(fault="any_target").evaluate(evidence, target)
            return attrs.evolve(result, value=0.0) if result.value is None else result

    with pytest.raises(AssertionError, match="fails 2 check") as raised:
        check_policy_contract(TwoFaults(), max_examples=5)
    assert "check_empty_history: " in str(raised.value)
    assert "check_target_mismatch: " in str(raised.value)


def test_a_wrong_claim_fails_its_axiom_check_with_a_counterexample() -> None:
    liar = Faulty(claims=frozenset({"recency_sensitive"}))
    (check,) = [c for c in policy_checks(liar, max_examples=5) if c.name.startswith("check_ax")]
    assert "check_axiom_recency_sensitive" == check.name
    with pytest.raises(AssertionError, match="claims 'recency_sensitive', but improving"):
        check(liar)


def test_there_is_one_check_per_claimed_axiom_and_the_spec_only_when_registered() -> None:
    names = [c.name for c in policy_checks(Mean())]
    claimed = [f"check_axiom_{name}" for name in AXIOMS if name in Mean().claims]
    assert "check_spec_round_trip" in names
    assert claimed == names[-len(claimed) :]
    assert "check_spec_round_trip" not in [c.name for c in policy_checks(Faulty())]


def test_parametrize_with_checks_makes_one_case_per_policy_and_check() -> None:
    policies: list[Policy] = [MostRecent(), Faulty()]
    mark = parametrize_with_checks(policies)
    ids = mark.kwargs["ids"]
    assert ("policy", "check") == mark.args[0]
    assert len(policy_checks(MostRecent())) + len(policy_checks(Faulty())) == len(ids)
    assert "MostRecent()-check_empty_history" == ids[0]
    assert "Faulty(fault='none', rate=1.0)-check_axiom_bounded" == ids[-1]
    assert len(set(ids)) == len(ids)


def test_the_kit_imports_without_pytest_until_the_decorator_is_made() -> None:
    code = """
import sys
sys.modules["pytest"] = None  # pytest is optional
from mastery_grading.policies import MostRecent
from mastery_grading.testing import check_policy_contract, parametrize_with_checks
check_policy_contract(MostRecent(), max_examples=5)
try:
    parametrize_with_checks([MostRecent()])
except ImportError:
    print("needs pytest")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert "" == done.stderr
    assert "needs pytest" == done.stdout.strip()


# ---------------------------------------------------------------------------------------------
# Claims are typed
# ---------------------------------------------------------------------------------------------


def test_claim_names_every_axiom_of_policies_and_converters() -> None:
    names = typing.get_args(Claim)
    assert len(set(names)) == len(names)
    assert set(names) == {*AXIOMS, *CONVERTER_AXIOMS}
    for registry in (AXIOMS, CONVERTER_AXIOMS):
        assert all(name == axiom.name for name, axiom in registry.items())


# ---------------------------------------------------------------------------------------------
# Parameter strategies are derived from the policies' fields
# ---------------------------------------------------------------------------------------------


def test_every_registered_policy_has_a_derived_strategy() -> None:
    assert set(available_policies()) == set(mst.POLICY_NAMES)


@pytest.mark.parametrize("name", sorted(available_policies()))
def test_a_derived_strategy_makes_valid_policies_of_its_class(name: str) -> None:
    expected = type(available_policies()[name])

    @given(mst.policy_named(name))
    def made(policy: object) -> None:
        assert expected is type(policy)
        assert name == policy.to_spec()["policy"]  # type: ignore[attr-defined]

    made()


@pytest.mark.parametrize(
    "name",
    [n for n, p in sorted(available_policies().items()) if attrs.fields(type(p))],
)
def test_a_derived_strategy_varies_the_parameters(name: str) -> None:
    seen: set[str] = set()

    @given(mst.policy_named(name))
    def collect(policy: object) -> None:
        seen.add(repr(policy))

    collect()
    assert len(seen) > 1, f"{name} is generated with its example parameters only"


@given(st.data())
def test_a_strategy_derives_for_a_class_that_is_not_registered(data: st.DataObject) -> None:
    policy = data.draw(mst.policy_strategy(Faulty))
    assert isinstance(policy, Faulty)
    assert 0 <= policy.rate
