"""The protocols that policies (and, later, grade converters) follow by shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from mastery_grading.evidence import Evidence
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Policy"]


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
        """Return the result of this policy for ``evidence`` on ``target``."""
        ...
