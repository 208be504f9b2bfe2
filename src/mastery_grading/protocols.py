"""The protocols that policies (and, later, grade converters) follow by shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol, runtime_checkable

from mastery_grading.evidence import Evidence
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Claim", "IncrementalPolicy", "Policy"]

#: The name of a fairness axiom that a policy or a grade converter can claim, in its ``claims``
#: (``claims: frozenset[Claim]``). The first thirteen are the policy axioms; ``monotone`` is
#: shared by converters, whose own are ``complete`` and ``unambiguous``. The precise definitions
#: are in :mod:`mastery_grading.fairness.axioms`; ``typing.get_args(Claim)`` lists them all.
Claim = Literal[
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
    "complete",
    "unambiguous",
]


@runtime_checkable
class Policy(Protocol):
    """**Protocol:** turns one student's evidence on one target into a :class:`TargetResult`.

    Any object with this ``evaluate`` method is a policy; no base class is needed. The contract:

    - **Input.** ``evidence`` is every piece of evidence of one student on ``target``, in any
      order. Evidence for another target raises
      :class:`~mastery_grading.exceptions.TargetMismatchError`, and a score outside the target's
      scale raises :class:`~mastery_grading.exceptions.ScoreOutOfScaleError`.
    - **Order.** Evidence is put in chronological order with
      :func:`~mastery_grading.chronological_key`, never taken in input order, so any
      permutation of the input gives the same result.
    - **Empty history.** No evidence gives ``value=None`` with ``reason="no evidence"``.
    - **Output.** A value on the target's scale, or ``None`` with a reason; never a silent 0.
      The result lists the evidence that counted as ``contributions``, oldest first.
    - **Purity.** Evaluating never mutates the policy or its input. Policies are frozen attrs
      classes whose fields are their parameters, so equal configurations compare equal.

    Example:
        >>> from mastery_grading import Policy, policies
        >>> isinstance(policies.MostRecent(), Policy)
        True
    """

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return the result of this policy for ``evidence`` on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget, policies
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> policies.Highest().evaluate(scores_to_history([2, 3.5, 3]), target).value
            3.5
        """
        ...


@runtime_checkable
class IncrementalPolicy(Policy, Protocol):
    """**Protocol:** a policy that folds evidence into a running state one piece at a time.

    The contract, on top of :class:`Policy`:

    - ``start(target)`` returns the state before any evidence; ``update(state, evidence)``
      returns a new state (the old one is unchanged: states are frozen values) and
      ``result(state)`` the :class:`~mastery_grading.TargetResult`.
    - ``result`` after updates with any evidence, in any order, equals ``evaluate`` on the same
      evidence: the value within 1e-9, the same ``None``-ness, level and mastery.
    - ``update`` with evidence that arrives in time order costs O(1); late evidence costs at
      most a recomputation from the retained history, and is never wrong.

    Built-ins that follow it: ``Mean``, ``MostRecent``, ``DecayingAverage``, ``Highest``,
    ``NTimes`` and ``WeightedAverage``. Windowed policies (``MeanOfRecent``, ...), the median
    and the mode do not: their state would not be O(1).

    Example:
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.protocols import IncrementalPolicy
        >>> isinstance(Mean(), IncrementalPolicy)
        True
    """

    def start(self, target: LearningTarget) -> Any:
        """Return the state before any evidence on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Highest
            >>> state = Highest().start(LearningTarget(id="T", title="Ratios"))
            >>> Highest().result(state).reason
            'no evidence'
        """
        ...

    def update(self, state: Any, evidence: Evidence) -> Any:
        """Return the state with ``evidence`` folded in.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Highest
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> policy, state = Highest(), Highest().start(LearningTarget(id="T", title="Ratios"))
            >>> for evidence in scores_to_history([2, 3.5, 3]):
            ...     state = policy.update(state, evidence)
            >>> policy.result(state).value
            3.5
        """
        ...

    def result(self, state: Any) -> TargetResult:
        """Return the result of the state.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target, policy = LearningTarget(id="T", title="Ratios"), Mean()
            >>> state = policy.start(target)
            >>> for evidence in scores_to_history([2, 4]):
            ...     state = policy.update(state, evidence)
            >>> policy.result(state) == policy.evaluate(scores_to_history([2, 4]), target)
            True
        """
        ...
