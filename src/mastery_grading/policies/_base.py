"""Shared machinery of the built-in policies: input checks, ordering, result building."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.exceptions import InvalidTypeError, TargetMismatchError
from mastery_grading.protocols import Claim
from mastery_grading.results import Contribution, TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["FORWARD_LOOKING_CLAIMS", "HistoryPolicy", "make_result", "no_result", "prepare"]

#: The claims shared by rules that follow the newest or the best work (most recent, highest):
#: every fairness axiom except order-freedom (which some of them add) and formative
#: neutrality (formative evidence counts unless a rule filters it out).
FORWARD_LOOKING_CLAIMS: frozenset[Claim] = frozenset(
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
        InvalidTypeError: If ``evidence`` is not an iterable of :class:`Evidence` (``None``, a
            single :class:`Evidence`, a string) or ``target`` is not a
            :class:`~mastery_grading.LearningTarget`.

    Example:
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> [e.score for e in prepare(reversed(scores_to_history([1, 2])), target)]
        [1.0, 2.0]
        >>> prepare(None, target)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidTypeError: evidence=None must be an iterable of Evidence (such as a list), not NoneType
    """  # noqa: E501
    if isinstance(evidence, str | bytes) or not isinstance(evidence, Iterable):
        msg = (
            f"evidence={evidence!r} must be an iterable of Evidence (such as a list), "
            f"not {type(evidence).__name__}"
        )
        raise InvalidTypeError(msg)
    if not isinstance(target, LearningTarget):
        msg = f"target={target!r} must be a LearningTarget, not {type(target).__name__}"
        raise InvalidTypeError(msg)
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
    is only called with a non-empty, validated, chronologically sorted history. The base does
    the rest of the :class:`~mastery_grading.Policy` contract: it checks the evidence, orders it
    with :func:`~mastery_grading.chronological_key`, and answers ``None`` with the reason
    ``"no evidence"`` for an empty history.

    Example:
        >>> from typing import ClassVar
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> @attrs.frozen
        ... class Lowest(HistoryPolicy):
        ...     spec_name: ClassVar[str] = "lowest"
        ...     def _rollup(self, history, target):
        ...         low = min(history, key=lambda e: e.score)
        ...         return make_result(target, self, low.score, [low], [1],
        ...                            evidence_count=len(history))
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> Lowest().evaluate(scores_to_history([3, 1.5, 4]), target).value
        1.5
        >>> Lowest().evaluate([], target).reason
        'no evidence'
    """

    #: The name of the policy in specs (``{"policy": spec_name, ...}``).
    spec_name: ClassVar[str]
    #: The fairness axioms this policy claims to satisfy (see the Fairness page).
    claims: ClassVar[frozenset[Claim]] = frozenset()

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return this policy's result for one student's ``evidence`` on ``target``.

        Raises:
            TargetMismatchError: If a piece of evidence is for another target.
            ScoreOutOfScaleError: If a score lies outside the target's scale.
            InvalidTypeError: If ``evidence`` is not an iterable of evidence or ``target`` is
                not a learning target.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Median
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> result = Median().evaluate(scores_to_history([1, 4, 3]), target)
            >>> result.value, result.level.name, result.evidence_count
            (3.0, 'meets', 3)
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        return self._rollup(history, target)

    @abc.abstractmethod
    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        """Return the result for a non-empty chronological history."""

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict describing this policy; see :func:`policy_from_spec`.

        Example:
            >>> from mastery_grading.policies import MeanOfRecent
            >>> MeanOfRecent(n=4).to_spec()
            {'policy': 'mean_of_recent', 'n': 4}
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)
