"""The conformance kit: one named check per promise of the policy contract, and a pytest decorator.

In the style of scikit-learn's ``parametrize_with_checks``: :func:`parametrize_with_checks`
makes one pytest case per (policy, check), with readable ids such as
``MostRecent()-check_empty_history``, so that one failure does not hide the others.
:func:`check_policy_contract` runs the same checks in one call. The checks follow the
:class:`~mastery_grading.protocols.Policy` contract:

- ``check_empty_history``: no evidence gives ``value=None`` with a reason;
- ``check_target_mismatch``: evidence for another target is refused with
  :class:`~mastery_grading.exceptions.TargetMismatchError`;
- ``check_input_not_mutated``: evaluating changes neither the input list nor the policy;
- ``check_contributions_oldest_first``: the result lists its contributions in chronological
  order, whatever the input order;
- ``check_spec_round_trip`` (registered policies only): ``policy_from_spec(policy.to_spec())``
  equals the policy;
- ``check_repr_shows_configuration``: equal configurations have equal reprs, and a changed
  parameter changes the repr;
- ``check_axiom_<name>``, one per claimed axiom: the axiom holds on the cases
  :func:`~mastery_grading.fairness.audit.audit` tries (the hand-picked ones, then a
  derandomized search, shrunk on failure). The cases are the same on every run and shared
  between policies, so checking many policies is cheap; for a randomized search use
  :func:`~mastery_grading.testing.check_policy`.

Needs Hypothesis (the ``fairness`` extra, which ``test`` includes); :func:`parametrize_with_checks`
also needs pytest (the ``test`` extra), which it imports when called.

Example:
    >>> from mastery_grading import policies
    >>> [check.name for check in policy_checks(policies.MostRecent())][:3]
    ['check_empty_history', 'check_target_mismatch', 'check_input_not_mutated']
    >>> check_policy_contract(policies.MostRecent(), max_examples=5)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.exceptions import TargetMismatchError
from mastery_grading.fairness.audit import audit
from mastery_grading.fairness.axioms import AXIOMS, DEFAULT_TOLERANCE, claims
from mastery_grading.fairness.cases import START
from mastery_grading.policies import Highest, MostRecent, available_policies, policy_from_spec
from mastery_grading.protocols import Claim, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import pytest

__all__ = [
    "PolicyCheck",
    "check_contributions_oldest_first",
    "check_empty_history",
    "check_input_not_mutated",
    "check_policy_contract",
    "check_repr_shows_configuration",
    "check_spec_round_trip",
    "check_target_mismatch",
    "parametrize_with_checks",
    "policy_checks",
]

_TARGET = LearningTarget(id="T", title="Target")


def _history(scores: Iterable[float], *, target_id: str = "T") -> list[Evidence]:
    """Evidence one day apart, oldest first, with a tie at the end (two at the same moment)."""
    items = [
        Evidence(
            student_id="s1",
            target_id=target_id,
            score=score,
            observed_at=START + timedelta(days=day),
        )
        for day, score in enumerate(scores)
    ]
    if len(items) > 1:
        items[-1] = attrs.evolve(items[-1], observed_at=items[-2].observed_at)
    return items


def _evaluate(policy: Policy, evidence: list[Evidence]) -> TargetResult:
    result = policy.evaluate(evidence, _TARGET)
    if not isinstance(result, TargetResult):
        msg = f"{policy!r}.evaluate returned {result!r}, not a TargetResult"
        raise AssertionError(msg)
    return result


def check_empty_history(policy: Policy) -> None:
    """Assert that no evidence gives ``value=None`` with a reason (never a silent 0).

    Example:
        >>> from mastery_grading import policies
        >>> check_empty_history(policies.Mean())
    """
    result = _evaluate(policy, [])
    if result.value is not None or not result.reason:
        msg = (
            f"{policy!r} on no evidence gives value={result.value!r}, reason={result.reason!r}; "
            "expected value=None with a reason"
        )
        raise AssertionError(msg)


def check_target_mismatch(policy: Policy) -> None:
    """Assert that evidence for another target is refused with ``TargetMismatchError``.

    Example:
        >>> from mastery_grading import policies
        >>> check_target_mismatch(policies.Highest())
    """
    evidence = [*_history([2.0, 3.0]), *_history([1.0], target_id="U")]
    try:
        result = policy.evaluate(evidence, _TARGET)
    except TargetMismatchError:
        return
    msg = (
        f"{policy!r} given evidence on target 'U' for target 'T' returned {result!r}; "
        "expected TargetMismatchError"
    )
    raise AssertionError(msg)


def check_input_not_mutated(policy: Policy) -> None:
    """Assert that evaluating changes neither the input list (its order) nor the policy.

    Example:
        >>> from mastery_grading import policies
        >>> check_input_not_mutated(policies.MeanOfRecent(n=2))
    """
    evidence = list(reversed(_history([1.0, 3.5, 2.0, 4.0])))
    before, config = list(evidence), repr(policy)
    snapshot = copy.deepcopy(policy)
    _evaluate(policy, evidence)
    if evidence != before:
        msg = f"{policy!r} reordered or changed its input list; expected it left as given"
        raise AssertionError(msg)
    if repr(policy) != config or (attrs.has(type(policy)) and policy != snapshot):
        msg = f"{config} changed while evaluating, to {policy!r}; expected a pure evaluation"
        raise AssertionError(msg)


def check_contributions_oldest_first(policy: Policy) -> None:
    """Assert that the contributions come oldest first, whatever the input order.

    Example:
        >>> from mastery_grading import policies
        >>> check_contributions_oldest_first(policies.Mean())
    """
    history = _history([1.0, 3.5, 2.0, 4.0, 3.0])
    for order in (history, list(reversed(history))):
        result = _evaluate(policy, order)
        used = [c.evidence for c in result.contributions]
        if used != list(sort_chronologically(used)):
            shown = [(e.score, e.observed_at.date().isoformat()) for e in used]
            msg = f"{policy!r} lists its contributions as {shown}; expected oldest first"
            raise AssertionError(msg)


def _registered(policy: object) -> bool:
    name = getattr(policy, "spec_name", None)
    builtin = available_policies().get(name) if isinstance(name, str) else None
    return builtin is not None and type(builtin) is type(policy)


def check_spec_round_trip(policy: Policy) -> None:
    """Assert that a registered policy is rebuilt equal from its spec.

    Example:
        >>> from mastery_grading import policies
        >>> check_spec_round_trip(policies.DecayingAverage(rate=0.8))
    """
    spec = policy.to_spec()  # type: ignore[attr-defined]
    rebuilt = policy_from_spec(spec)
    if rebuilt != policy:
        msg = f"{policy!r} has spec {spec!r}, which rebuilds {rebuilt!r}; expected an equal policy"
        raise AssertionError(msg)


def check_repr_shows_configuration(policy: Policy) -> None:
    """Assert that equal configurations have equal reprs and a changed parameter changes it.

    The changed configuration is found among generated ones
    (:func:`~mastery_grading.testing.strategies.params.policy_strategy`) for an attrs policy with
    parameters.

    Example:
        >>> from mastery_grading import policies
        >>> check_repr_shows_configuration(policies.NTimes(n=4))
    """
    text = repr(policy)
    twin = copy.deepcopy(policy)
    if repr(twin) != text or " object at 0x" in text:
        msg = f"{policy!r} has repr {text!r}; expected one that shows every parameter"
        raise AssertionError(msg)
    kind = type(policy)
    if not attrs.has(kind) or not [f for f in attrs.fields(kind) if f.init]:
        return  # no parameters to change
    require("hypothesis", extra="fairness", feature="the conformance kit")
    from hypothesis import find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    from mastery_grading.testing.strategies import policy_strategy

    simple = st.sampled_from([MostRecent(), Highest()])  # a wrapped policy need not be deep
    try:
        other = find(
            policy_strategy(kind, example=policy, inner=simple),
            lambda candidate: candidate != policy,
            settings=settings(database=None, derandomize=True, max_examples=200),
        )
    except NoSuchExample:
        return  # every parameter is fixed by its type: nothing to change
    if repr(other) == text:
        msg = f"{policy!r} and {other!r} differ but share the repr {text!r}"
        raise AssertionError(msg)


@attrs.frozen
class PolicyCheck:
    """One named check of a policy: call it with the policy; it raises ``AssertionError``.

    Args:
        name: The check's name, as in test ids (``check_empty_history``).
        run: The function that checks a policy.

    Example:
        >>> from mastery_grading import policies
        >>> check = PolicyCheck(name="check_empty_history", run=check_empty_history)
        >>> check(policies.Mean())
        >>> check
        check_empty_history
    """

    name: str
    run: Callable[[Policy], None] = attrs.field(eq=False)

    def __call__(self, policy: Policy) -> None:
        """Run the check on ``policy`` (an ``AssertionError`` if it fails)."""
        self.run(policy)

    def __repr__(self) -> str:
        return self.name


def _axiom_check(name: Claim, max_examples: int | None, tolerance: float) -> PolicyCheck:
    def run(policy: Policy) -> None:
        outcome = audit(policy, axioms=[name], max_examples=max_examples, tolerance=tolerance)[name]
        if not outcome.holds:
            msg = f"{policy!r} claims {name!r}, but {outcome.counterexample}"
            raise AssertionError(msg)

    return PolicyCheck(name=f"check_axiom_{name}", run=run)


def policy_checks(
    policy: Policy, *, max_examples: int | None = None, tolerance: float = DEFAULT_TOLERANCE
) -> list[PolicyCheck]:
    """Return every check that applies to ``policy``, in order (see the module).

    The spec round trip applies to registered policies only; there is one axiom check per
    claimed axiom, each trying ``max_examples`` generated cases (the Hypothesis profile's
    default if ``None``), with values closer than ``tolerance`` times the scale's width
    counting as equal (``0`` demands exact arithmetic, as the built-ins have).

    Example:
        >>> from mastery_grading import policies
        >>> [c.name for c in policy_checks(policies.Highest())][-2:]
        ['check_axiom_deterministic', 'check_axiom_target_independent']
    """
    found = [
        PolicyCheck(name="check_empty_history", run=check_empty_history),
        PolicyCheck(name="check_target_mismatch", run=check_target_mismatch),
        PolicyCheck(name="check_input_not_mutated", run=check_input_not_mutated),
        PolicyCheck(name="check_contributions_oldest_first", run=check_contributions_oldest_first),
    ]
    if _registered(policy):
        found.append(PolicyCheck(name="check_spec_round_trip", run=check_spec_round_trip))
    found.append(
        PolicyCheck(name="check_repr_shows_configuration", run=check_repr_shows_configuration)
    )
    claimed = claims(policy)
    found.extend(_axiom_check(name, max_examples, tolerance) for name in AXIOMS if name in claimed)
    return found


def check_policy_contract(
    policy: Policy, *, max_examples: int | None = None, tolerance: float = DEFAULT_TOLERANCE
) -> None:
    """Run every check of :func:`policy_checks` on ``policy``; report every failure at once.

    Args:
        policy: Any object with ``evaluate(evidence, target)``.
        max_examples: Generated cases per claimed axiom (the Hypothesis profile's default if
            ``None``).
        tolerance: Values closer than this share of the scale's width count as equal.

    Raises:
        AssertionError: Naming each failing check and what it found.

    Example:
        >>> from mastery_grading import policies
        >>> check_policy_contract(policies.Highest(), max_examples=5)
    """
    failures = []
    for check in policy_checks(policy, max_examples=max_examples, tolerance=tolerance):
        try:
            check(policy)
        except AssertionError as error:
            failures.append(f"{check.name}: {error}")
    if failures:
        raise AssertionError(f"{policy!r} fails {len(failures)} check(s):\n" + "\n".join(failures))


def _ids(pairs: list[tuple[Policy, PolicyCheck]]) -> Iterator[str]:
    for policy, check in pairs:
        yield f"{policy!r}-{check.name}"


def parametrize_with_checks(
    policies: Iterable[Policy],
    *,
    max_examples: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> pytest.MarkDecorator:
    """Return a pytest decorator making one test case per (policy, check), with readable ids.

    Decorate a test taking ``policy`` and ``check``, whose body is ``check(policy)``: each
    check of :func:`policy_checks` on each policy becomes its own case, with an id such as
    ``MostRecent()-check_empty_history``, so one failure does not hide the others. Needs pytest
    (imported here, not when :mod:`mastery_grading.testing` is imported).

    Args:
        policies: The policies to check.
        max_examples: Generated cases per claimed axiom (the Hypothesis profile's default if
            ``None``).
        tolerance: Values closer than this share of the scale's width count as equal.

    Example:
        >>> from mastery_grading import policies
        >>> mark = parametrize_with_checks([policies.MostRecent()])
        >>> mark.args[0], mark.kwargs["ids"][0]
        (('policy', 'check'), 'MostRecent()-check_empty_history')
    """
    require("pytest", extra="test", feature="parametrize_with_checks()")
    import pytest

    pairs = [
        (policy, check)
        for policy in policies
        for check in policy_checks(policy, max_examples=max_examples, tolerance=tolerance)
    ]
    return pytest.mark.parametrize(("policy", "check"), pairs, ids=list(_ids(pairs)))
