"""Shared machinery of the built-in policies: input checks, ordering, result building."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.exceptions import InvalidTypeError, TargetMismatchError
from mastery_grading.results import Contribution, TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["FORWARD_LOOKING_CLAIMS", "HistoryPolicy", "make_result", "no_result", "prepare"]

#: The claims shared by rules that follow the newest or the best work (most recent, highest):
#: every fairness axiom except order-freedom (which some of them add) and formative
#: neutrality (formative evidence counts unless a rule filters it out).
FORWARD_LOOKING_CLAIMS = frozenset(
    {
        "bounded",
        "within_observed_range",
        "unanimity",
        "monotone",
        "time_shift_invariant",
        "no_retake_penalty",
        "improvement_credit",
        "recency",
        "deterministic",
        "target_independent",
    }
)

#: The reason given when a target has no evidence at all.
NO_EVIDENCE = "no evidence"


def prepare(evidence: Iterable[Evidence], target: LearningTarget) -> tuple[Evidence, ...]:
    """Check ``evidence`` against ``target`` and return it oldest first.

    Raises:
        TargetMismatchError: If a piece of evidence is for another target.
        ScoreOutOfScaleError: If a score lies outside the target's scale.
        InvalidTypeError: If an item is not :class:`Evidence`.
    """
    items = tuple(evidence)
    for item in items:
        if not isinstance(item, Evidence):
            msg = f"evidence item {item!r} must be an Evidence, not {type(item).__name__}"
            raise InvalidTypeError(msg)
        if item.target_id != target.id:
            msg = (
                f"target_id={item.target_id!r} of evidence for student {item.student_id!r} "
                f"does not match the target being evaluated, {target.id!r}"
            )
            raise TargetMismatchError(msg)
        target.scale.check_score(
            item.score, where=f" for student {item.student_id!r} on target {target.id!r}"
        )
    return sort_chronologically(items)


def no_result(
    target: LearningTarget, policy: Any, *, reason: str = NO_EVIDENCE, evidence_count: int = 0
) -> TargetResult:
    """Return a result with ``value=None`` and the given reason."""
    return TargetResult(
        target=target, value=None, policy=policy, evidence_count=evidence_count, reason=reason
    )


def make_result(
    target: LearningTarget,
    policy: Any,
    value: Fraction | float,
    used: Sequence[Evidence],
    weights: Sequence[Fraction | float],
    *,
    evidence_count: int,
    reason: str | None = None,
) -> TargetResult:
    """Return a result whose contributions pair ``used`` (oldest first) with ``weights``."""
    contributions = tuple(
        Contribution(evidence=e, weight=float(w)) for e, w in zip(used, weights, strict=True)
    )
    return TargetResult(
        target=target,
        value=float(value),
        policy=policy,
        evidence_count=evidence_count,
        contributions=contributions,
        reason=reason,
    )


@attrs.frozen(kw_only=True)
class HistoryPolicy(abc.ABC):
    """Base of the built-in policies that roll up one chronological history.

    Subclasses set :attr:`spec_name` and :attr:`claims` and implement ``_rollup``, which
    is only called with a non-empty, validated, chronologically sorted history.
    """

    #: The name of the policy in specs (``{"policy": spec_name, ...}``).
    spec_name: ClassVar[str]
    #: The fairness axioms this policy claims to satisfy (see the Fairness page).
    claims: ClassVar[frozenset[str]] = frozenset()

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return this policy's result for one student's ``evidence`` on ``target``.

        Raises:
            TargetMismatchError: If a piece of evidence is for another target.
            ScoreOutOfScaleError: If a score lies outside the target's scale.
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        return self._rollup(history, target)

    @abc.abstractmethod
    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        """Return the result for a non-empty chronological history."""

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict describing this policy; see :func:`policy_from_spec`."""
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)
