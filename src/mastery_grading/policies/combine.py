"""Policies made of other policies: the larger of several results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies._base import no_result, prepare
from mastery_grading.policies._spec import register_policy
from mastery_grading.protocols import Claim, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["MaxOf", "inner_claims"]


def inner_claims(policy: Any) -> frozenset[Claim]:
    """Return the axioms ``policy`` claims (none for an object without ``claims``).

    >>> from mastery_grading.policies import Mean
    >>> "monotone" in inner_claims(Mean())
    True
    >>> inner_claims(object())
    frozenset()
    """
    return frozenset(getattr(policy, "claims", frozenset()))


def _check_policies(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        msg = f"{attribute.name}=() must hold at least one policy"
        raise InvalidValueError(msg)
    for item in value:
        if not isinstance(item, Policy):
            msg = f"{attribute.name} item {item!r} must be a Policy (with an evaluate method)"
            raise InvalidTypeError(msg)


@register_policy
@attrs.frozen(kw_only=True, init=False)
class MaxOf:
    r"""The largest of several policies' results.

    .. math::

        \text{MaxOf}(P_1, \dots, P_k)(s) = \max_j P_j(s)

    over the policies that give a value. ASCENDER (Texas) reports ``MaxOf(Mean(), PowerLaw())``
    "unless the teacher overrides"; the same pair matches NHA GradeBook's published examples.
    Ties go to the first policy listed. The result keeps the winner's contributions, and the
    reason names the winner and every value. When no policy gives a value, the value is
    ``None`` and the reason lists theirs.

    A maximum keeps every axiom that all its policies claim, so :attr:`claims` is the
    intersection of theirs. With no evidence the value is ``None`` (``"no evidence"``); with
    one piece of evidence it is the largest of the policies' values for it.

    Args:
        *policies: The policies to compare, at least one (also accepted as ``policies=``).

    Raises:
        InvalidValueError: If no policy is given.
        InvalidTypeError: If an item is not a policy, or ``policies=`` is not a list of them.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean, PowerLaw
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> ascender = MaxOf(Mean(), PowerLaw())
        >>> ascender.evaluate(scores_to_history([3, 2, 3, 2]), target).value
        2.5
        >>> round(ascender.evaluate(scores_to_history([2, 2.5, 3, 4]), target).value, 2)
        3.68
    """

    spec_name: ClassVar[str] = "max_of"

    policies: tuple[Policy, ...] = attrs.field(validator=_check_policies)

    def __init__(self, *policies: Policy, **kwargs: Iterable[Policy]) -> None:
        extra = kwargs.pop("policies", ())
        if kwargs:
            msg = f"MaxOf got unexpected keyword {sorted(kwargs)[0]!r}; expected policies="
            raise InvalidTypeError(msg)
        if isinstance(extra, str) or not isinstance(extra, Iterable):
            msg = f"policies={extra!r} must be a list of policies, not {type(extra).__name__}"
            raise InvalidTypeError(msg)
        self.__attrs_init__(policies=(*policies, *extra))

    @classmethod
    def example(cls) -> MaxOf:
        """Return ASCENDER's rule, the larger of the mean and the power law.

        >>> MaxOf.example()
        MaxOf(policies=(Mean(weighted=True), PowerLaw(single='score', zeros='none', floor=0.5, clamp=False)))
        """  # noqa: E501
        from mastery_grading.policies.central import Mean
        from mastery_grading.policies.trend import PowerLaw

        return cls(Mean(), PowerLaw())

    @property
    def claims(self) -> frozenset[Claim]:
        """The axioms that every one of the policies claims, since a maximum keeps each of them.

        Example:
            >>> from mastery_grading.policies import Mean, MostRecent
            >>> "order_free" in MaxOf(Mean(), MostRecent()).claims  # the most recent is not
            False
            >>> "monotone" in MaxOf(Mean(), MostRecent()).claims
            True
        """
        shared = [inner_claims(p) for p in self.policies]
        return frozenset.intersection(*shared)

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return the largest result of the policies for ``evidence`` on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean, MostRecent
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> result = MaxOf(Mean(), MostRecent()).evaluate(scores_to_history([4, 2]), target)
            >>> result.value, result.reason
            (3.0, 'max of mean 3, most_recent 2: mean')
        """
        history = prepare(evidence, target)
        results = [policy.evaluate(history, target) for policy in self.policies]
        valued = [r for r in results if r.value is not None]
        if not valued:
            if not history:
                return no_result(target, self)
            reasons = "; ".join(f"{_name(r.policy)}: {r.reason}" for r in results)
            return no_result(
                target,
                self,
                reason=f"no policy gave a value ({reasons})",
                evidence_count=len(history),
            )
        best = max(valued, key=lambda r: r.value)  # type: ignore[arg-type, return-value]
        shown = ", ".join(
            f"{_name(r.policy)} {r.value:.4g}" if r.value is not None else f"{_name(r.policy)} none"
            for r in results
        )
        return TargetResult(
            target=target,
            value=best.value,
            policy=self,
            evidence_count=len(history),
            contributions=best.contributions,
            reason=f"max of {shown}: {_name(best.policy)}",
        )

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict of this rule with its policies' nested specs.

        Example:
            >>> from mastery_grading.policies import Highest, MostRecent
            >>> MaxOf(Highest(), MostRecent()).to_spec()
            {'policy': 'max_of', 'policies': [{'policy': 'highest'}, {'policy': 'most_recent'}]}
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)


def _name(policy: Any) -> str:
    return str(getattr(policy, "spec_name", type(policy).__name__))
