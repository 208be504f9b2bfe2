r"""Bayesian Knowledge Tracing as a policy: P(mastered) after the evidence, on the target's scale.

A score counts as a correct answer when it reaches the target's mastery threshold. Starting from
:math:`P(L_0) = \text{prior}`, each answer updates the probability that the skill is mastered by
Bayes' rule, then the student may learn (or forget) before the next answer:

.. math::

    P(L_t \mid \text{correct}) = \frac{P(L_t)(1 - s)}{P(L_t)(1 - s) + (1 - P(L_t))\,g},
    \qquad
    P(L_t \mid \text{incorrect}) = \frac{P(L_t)\,s}{P(L_t)\,s + (1 - P(L_t))(1 - g)},

    P(L_{t+1}) = P(L_t \mid \text{answer})(1 - f) + (1 - P(L_t \mid \text{answer}))\,\ell

with guess :math:`g`, slip :math:`s`, learn :math:`\ell` and forget :math:`f`. The result is
:math:`P` = the probability of mastery given every answer, after the last one (before any
learning that follows it). Its value puts :math:`P` on the target's scale piecewise linearly, so
that :math:`P = \text{mastered}` lands exactly on the mastery threshold:

.. math::

    v(P) = \begin{cases}
        \min + \frac{P}{m}(\text{mastery} - \min) & P < m \\
        \text{mastery} + \frac{P - m}{1 - m}(\max - \text{mastery}) & P \ge m
    \end{cases}

with :math:`m` = ``mastered`` (0.95 by default). The result is mastered exactly when
:math:`P \ge m`, up to float rounding at :math:`P = m`. Fit the parameters of a class with
:class:`mastery_grading.bkt.BKTModel` and take ``model.policy(target_id)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

import attrs

from mastery_grading import _validators as v
from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.policies._base import make_result, no_result, prepare
from mastery_grading.policies._incremental import History, check_next_evidence, is_after
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = ["BKT", "BKTState"]

_probability = v.number_in_range(0.0, 1.0)

#: The claims of every BKT policy; ``monotone`` and ``correct_never_lowers`` are added when the
#: parameters make them hold (see :attr:`BKT.claims`).
_ALWAYS: frozenset[Claim] = frozenset(
    {"bounded", "time_shift_invariant", "deterministic", "target_independent"}
)


class BKTState(NamedTuple):
    """The running state of :class:`BKT` for one student on one target.

    Attributes:
        target: The target.
        evidence_count: How many pieces of evidence were folded in.
        value: The value on the target's scale (``None`` before any evidence), read in O(1).
        probability: P(mastered) after the evidence (``None`` before any).
        ahead: P(mastered) at the next answer (after learning and forgetting).
        ahead_unmastered: P(not mastered) at the next answer, kept apart (not as
            ``1 - ahead``) so that it keeps its precision when ``ahead`` is near 1.
        latest: The chronologically latest evidence.
        history: The evidence, in chronological order.
        in_order: Always ``True``: late evidence makes the policy re-sort its history.
        student_id: The student (``None`` before any evidence).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> policy = BKT(prior=0.5, learn=0.1, guess=0.2, slip=0.1)
        >>> state = policy.update(policy.start(LearningTarget(id="T", title="T")),
        ...                       scores_to_history([4])[0])
        >>> round(state.probability, 4), round(state.ahead, 4), round(state.value, 3)
        (0.8182, 0.8364, 2.584)
    """

    target: LearningTarget
    evidence_count: int = 0
    value: float | None = None
    probability: float | None = None
    ahead: float = 0.0
    ahead_unmastered: float = 1.0
    latest: Evidence | None = None
    history: History = History()
    in_order: bool = True
    student_id: str | None = None


@register_policy
@attrs.frozen(kw_only=True)
class BKT:
    r"""Bayesian Knowledge Tracing: P(mastered) after each answer, on the target's scale.

    With :math:`P_0` = ``prior``, each answer (correct: a score at the mastery threshold or
    above) updates the probability of mastery by Bayes' rule, then learning and forgetting act:

    .. math::

        P(L_t \mid \text{correct}) = \frac{P_t (1 - s)}{P_t (1 - s) + (1 - P_t)\, g},
        \qquad P_{t+1} = P(L_t \mid \cdot)(1 - f) + (1 - P(L_t \mid \cdot))\, \ell

    and the value is the last :math:`P(L_t \mid \cdot)` on the target's scale (see the module
    documentation for the incorrect case and the mapping). Every score reaching the target's mastery
    threshold is a correct answer, every other an incorrect one; evidence weights and kinds are
    ignored. No evidence gives ``None``.

    Args:
        prior: P(mastered) before the first answer.
        learn: P(unmastered -> mastered) after each answer.
        guess: P(correct | unmastered).
        slip: P(incorrect | mastered).
        forget: P(mastered -> unmastered) after each answer (0: standard BKT).
        mastered: The probability from which the result counts as mastered, in (0, 1).

    Raises:
        InvalidValueError: If a probability lies outside [0, 1] or ``mastered`` outside (0, 1).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")  # 0-4, mastery at 3
        >>> policy = BKT(prior=0.3, learn=0.2, guess=0.2, slip=0.1)
        >>> result = policy.evaluate(scores_to_history([2, 3, 4, 3]), target)
        >>> round(policy.probability(scores_to_history([2, 3, 4, 3]), target), 4)
        0.9813
        >>> round(result.value, 3), result.mastered
        (3.627, True)
    """

    spec_name: ClassVar[str] = "bkt"

    prior: float = attrs.field(default=0.5, converter=v.to_float, validator=_probability)
    learn: float = attrs.field(default=0.1, converter=v.to_float, validator=_probability)
    guess: float = attrs.field(default=0.2, converter=v.to_float, validator=_probability)
    slip: float = attrs.field(default=0.1, converter=v.to_float, validator=_probability)
    forget: float = attrs.field(default=0.0, converter=v.to_float, validator=_probability)
    mastered: float = attrs.field(
        default=0.95,
        converter=v.to_float,
        validator=v.number_in_range(0.0, 1.0, low_open=True, high_open=True),
    )

    @property
    def claims(self) -> frozenset[Claim]:
        """The axioms that hold for these parameters.

        Always ``bounded``, ``time_shift_invariant``, ``deterministic`` and
        ``target_independent``. When ``guess + slip < 1`` a correct answer is evidence *for*
        mastery: then ``monotone`` holds while ``learn + forget < 1``, and
        ``correct_never_lowers`` (one more correct answer never lowers P(mastered)) while
        ``forget == 0`` (forgetting after an answer can outweigh it).

        Example:
            >>> "correct_never_lowers" in BKT().claims
            True
            >>> "correct_never_lowers" in BKT(guess=0.6, slip=0.6).claims
            False
        """
        claims = set(_ALWAYS)
        if self.guess + self.slip < 1.0:
            if self.learn + self.forget < 1.0:
                claims.add("monotone")
            if self.forget == 0.0:
                claims.add("correct_never_lowers")
        return frozenset(claims)

    # -- the rule ---------------------------------------------------------------------------

    def step(self, ahead: float, correct: bool) -> tuple[float, float]:
        """Fold one answer: P(mastered) after it, and at the next answer.

        A zero denominator (an answer impossible in both states, such as a correct one with
        ``guess=0`` from ``ahead=0``) leaves the probability as it was.

        Example:
            >>> BKT(prior=0.5, learn=0.1, guess=0.2, slip=0.1).step(0.5, True)
            (0.8181818181818181, 0.8363636363636363)
        """
        after, _, next_m, _ = self._fold(ahead, 1.0 - ahead, correct)
        return after, next_m

    def _fold(self, qm: float, qu: float, correct: bool) -> tuple[float, float, float, float]:
        """Both states before an answer -> both after it, and both at the next answer.

        P(mastered) and P(not mastered) are carried apart, never one as 1 minus the other, so
        that a probability near 1 keeps its complement's precision (as in the fit).
        """
        if correct:
            nm = qm * (1.0 - self.slip)
            nu = qu * self.guess
        else:
            nm = qm * self.slip
            nu = qu * (1.0 - self.guess)
        den = nm + nu
        if den > 0.0:
            am, au = nm / den, nu / den
        else:
            am, au = qm, qu
        return (
            am,
            au,
            am * (1.0 - self.forget) + au * self.learn,
            au * (1.0 - self.learn) + am * self.forget,
        )

    def on_scale(self, probability: float, scale: Scale) -> float:
        """Put a probability on ``scale``: ``mastered`` lands on the mastery threshold.

        Example:
            >>> from mastery_grading import Scale
            >>> policy = BKT()
            >>> [policy.on_scale(p, Scale.marzano()) for p in (0.0, 0.95, 1.0)]
            [0.0, 3.0, 4.0]
        """
        m = self.mastered
        if probability < m:
            return scale.min + probability / m * (scale.mastery - scale.min)
        return scale.mastery + (probability - m) / (1.0 - m) * (scale.max - scale.mastery)

    def probability(self, evidence: Iterable[Evidence], target: LearningTarget) -> float:
        """P(mastered) after the evidence (``prior`` for none).

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> BKT(prior=0.4).probability([], LearningTarget(id="T", title="T"))
            0.4
        """
        history = prepare(evidence, target)
        return self._run(history, target.scale)[0] if history else self.prior

    def _run(self, history: Any, scale: Scale) -> tuple[float, float, float]:
        """P(mastered) after a non-empty chronological history, and both states ahead."""
        qm, qu = self.prior, 1.0 - self.prior
        am = qm
        for item in history:
            am, _, qm, qu = self._fold(qm, qu, scale.is_mastered(item.score))
        return am, qm, qu

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return P(mastered) after ``evidence``, on the target's scale.

        Raises:
            TargetMismatchError: If a piece of evidence is for another target.
            ScoreOutOfScaleError: If a score lies outside the target's scale.
            InvalidTypeError: If ``evidence`` is not an iterable of evidence.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> BKT().evaluate([], target).reason
            'no evidence'
            >>> BKT().evaluate(scores_to_history([1, 1]), target).level.name
            'not yet'
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        return self._result(target, self._run(history, target.scale)[0], history)

    def _result(self, target: LearningTarget, probability: float, history: Any) -> TargetResult:
        n = len(history)
        value = self.on_scale(probability, target.scale)
        return make_result(target, self, value, history, [1.0 / n] * n, evidence_count=n)

    # -- the incremental protocol -----------------------------------------------------------

    def start(self, target: LearningTarget) -> BKTState:
        """Return the state before any evidence on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> BKT(prior=0.3).start(LearningTarget(id="T", title="T")).ahead
            0.3
        """
        return BKTState(target=target, ahead=self.prior, ahead_unmastered=1.0 - self.prior)

    def update(self, state: BKTState, evidence: Evidence) -> BKTState:
        """Return the state with ``evidence`` folded in: O(1) for evidence in time order.

        Late evidence (older than the latest) recomputes the probability from the retained
        history, kept in chronological order.

        Raises:
            TargetMismatchError: If the evidence is for another target than the state's, or
                for another student than the evidence already folded in.
            ScoreOutOfScaleError: If its score lies outside the target's scale.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> policy, target = BKT(), LearningTarget(id="T", title="T")
            >>> state = policy.start(target)
            >>> for evidence in scores_to_history([3, 1, 4]):
            ...     state = policy.update(state, evidence)
            >>> policy.result(state) == policy.evaluate(scores_to_history([3, 1, 4]), target)
            True
        """
        target = state.target
        check_next_evidence(target, state.student_id, evidence)
        scale = target.scale
        score = evidence.score
        history = state.history.appended(evidence)
        latest = state.latest
        moment = evidence.observed_at
        if (
            latest is None
            or moment > latest.observed_at
            or (moment == latest.observed_at and is_after(evidence, latest))
        ):  # in time order: one step of the filter, as in ``_fold``, inlined for speed
            qm, qu = state.ahead, state.ahead_unmastered
            if score >= scale.mastery:
                nm = qm * (1.0 - self.slip)
                nu = qu * self.guess
            else:
                nm = qm * self.slip
                nu = qu * (1.0 - self.guess)
            den = nm + nu
            if den > 0.0:
                after, au = nm / den, nu / den
            else:
                after, au = qm, qu
            ahead = after * (1.0 - self.forget) + au * self.learn
            behind = au * (1.0 - self.learn) + after * self.forget
            latest = evidence
        else:
            ordered = sort_chronologically(history.to_list())
            after, ahead, behind = self._run(ordered, scale)
            history = History(ordered)
            latest = ordered[-1]
        return BKTState(
            target,
            state.evidence_count + 1,
            self.on_scale(after, scale),
            after,
            ahead,
            behind,
            latest,
            history,
            True,
            evidence.student_id,
        )

    def result(self, state: BKTState) -> TargetResult:
        """Return the result of the state; it equals :meth:`evaluate` on the same evidence.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> BKT().result(BKT().start(LearningTarget(id="T", title="T"))).value is None
            True
        """
        if state.probability is None:
            return no_result(state.target, self)
        return self._result(state.target, state.probability, state.history.to_list())

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict describing this policy; see ``policy_from_spec``.

        Example:
            >>> BKT(prior=0.25).to_spec()["prior"]
            0.25
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)


# The vectorized kernel (numpy, imported on first use): the same arithmetic, for whole gradebooks.
register_kernel(BKT, "mastery_grading.policies.kernels.bkt:bkt_kernel")
