"""What an audit found for one axiom, and the name it shows for what was audited.

:class:`AxiomOutcome` is one row of an audit (:mod:`mastery_grading.fairness.audit`): whether the
axiom holds, whether it is claimed, and which of the three outcomes that makes ("keeps",
"breaks (counterexample)", "not claimed"); :func:`display_name` names a policy or a grade
converter as a teacher would. Both need no Hypothesis.
:mod:`mastery_grading.fairness.audit` re-exports them.

Example:
    >>> AxiomOutcome(axiom="bounded", claimed=True, holds=True, tried=3).verdict
    'keeps'
"""

from __future__ import annotations

from typing import Any

import attrs

from mastery_grading.fairness import render
from mastery_grading.fairness._search import is_converter, label
from mastery_grading.policies import policy_label

__all__ = ["AxiomOutcome", "display_name"]


@attrs.frozen(kw_only=True)
class AxiomOutcome:
    """What the audit found for one axiom.

    Its :attr:`outcome` is one of three: ``"keeps"`` (held in every case tried), ``"breaks"``
    (a counterexample was found) or ``"not claimed"`` (a counterexample was found, but the
    axiom is not one every rule needs and the policy does not claim it: see
    :attr:`~mastery_grading.fairness.policy_axioms.Axiom.needed`).

    Args:
        axiom: The axiom's name.
        claimed: Whether the policy (or converter) claims it.
        holds: Whether every case tried satisfied it.
        tried: How many cases were tried (when it fails: until the first counterexample).
        counterexample: The shrunk counterexample in words, or ``None`` when it holds.
        summary: The axiom in one plain sentence (its ``summary``).
        needed: Whether every rule should keep it (a virtue) rather than a choice a rule may
            make (``order_free``, ``recency_sensitive``, ``formative_neutral``).

    Example:
        >>> outcome = AxiomOutcome(axiom="order_free", claimed=True, holds=False, tried=3,
        ...                        counterexample="scores 1, 4 give 4.00; ...", needed=False)
        >>> outcome.wrong_claim, outcome.verdict
        (True, 'breaks (counterexample)')
        >>> attrs.evolve(outcome, claimed=False).verdict
        'not claimed'
    """

    axiom: str
    claimed: bool
    holds: bool
    tried: int
    counterexample: str | None = None
    summary: str = ""
    needed: bool = True

    @property
    def wrong_claim(self) -> bool:
        """Whether the policy claims the axiom but a counterexample was found."""
        return self.claimed and not self.holds

    @property
    def outcome(self) -> render.Verdict:
        """``"keeps"``, ``"breaks"`` or ``"not claimed"`` (a choice the policy need not make)."""
        if self.holds:
            return render.KEEPS
        if self.claimed or self.needed:
            return render.BREAKS
        return render.NOT_CLAIMED

    @property
    def verdict(self) -> str:
        """How the outcome reads (``"keeps"``, ``"breaks (counterexample)"``, ``"not claimed"``)."""
        return "breaks (counterexample)" if self.outcome == render.BREAKS else self.outcome


def display_name(policy: Any) -> str:
    """The name an audit shows for ``policy``: what a teacher would call it.

    A built-in policy by its spec name and any non-default parameters
    (:func:`~mastery_grading.policies.policy_label`), a custom policy by the ``name`` it was
    given, any other policy by its ``name`` attribute or else its class name; a grade
    converter by the call that makes a stock one, else its spec name.

    Example:
        >>> from mastery_grading import policies
        >>> best = policies.custom_policy(lambda s: max(s), name="best two of three")
        >>> display_name(best), display_name(policies.DecayingAverage(rate=0.8))
        ('best two of three', 'decaying_average(rate=0.8)')
    """
    if is_converter(policy):
        return label(policy)
    return policy_label(policy)
