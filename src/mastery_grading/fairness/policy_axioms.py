"""The policy axioms: promises a rule from evidence to a result can make, each with a check.

Each axiom is an :class:`Axiom` with a ``name`` (a :data:`~mastery_grading.protocols.Claim`), a
``summary`` a teacher understands and a precise definition in its class docstring. Its
``check`` looks at one :class:`~mastery_grading.fairness.cases.PolicyCase` and returns ``None``
when the axiom holds there, or a counterexample in words. :data:`AXIOMS` lists them in the order
reports show them. The conventions they share are in :mod:`mastery_grading.fairness.axioms`.

Example:
    >>> from mastery_grading import LearningTarget, policies
    >>> case = PolicyCase.from_scores([1, 4], target=LearningTarget(id="T", title="T"),
    ...                               permutation=(1, 0))
    >>> print(AXIOMS["order_free"].check(policies.MostRecent(), case))
    scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00
"""

# Long because: fourteen axioms, each a precise definition in words, a doctest and a check that
# tells its counterexample; splitting them would scatter one list of definitions.

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.fairness._common import (
    DEFAULT_TOLERANCE,
    EvaluationError,
    duration,
    evaluate,
    give,
    lowers,
    moved,
    one_text,
    ordinal,
    result_pair,
    same,
    scale_prefix,
    score_text,
    scores_text,
    tol_of,
    toward_top,
    values_text,
    with_scores,
)
from mastery_grading.fairness.cases import PolicyCase
from mastery_grading.protocols import Claim, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "AXIOMS",
    "Axiom",
    "Bounded",
    "CorrectNeverLowers",
    "Deterministic",
    "FormativeNeutral",
    "ImprovementCredit",
    "Monotone",
    "NoRetakePenalty",
    "OrderFree",
    "Recency",
    "RecencySensitive",
    "TargetIndependent",
    "TimeShiftInvariant",
    "Unanimity",
    "WithinObservedRange",
]


class Axiom:
    """Base of the policy axioms: a name, a one-sentence summary and a check.

    Subclasses define :attr:`name`, :attr:`summary` and ``_check``; their docstring is the
    precise definition. A few axioms describe a choice rather than a virtue (:attr:`needed` is
    ``False``): a rule may give them up on purpose, and an audit reports a rule that does not
    claim one and does not have it as "not claimed" rather than as broken.

    Example:
        >>> AXIOMS["monotone"].needed, AXIOMS["order_free"].needed
        (True, False)
    """

    #: The snake_case name used in ``claims`` and in reports.
    name: ClassVar[Claim]
    #: One sentence a teacher understands.
    summary: ClassVar[str]
    #: Whether every fair rule should keep it (a virtue). ``False`` for a property that a rule
    #: may give up on purpose (which scores count, and whether order matters, are choices).
    needed: ClassVar[bool] = True
    #: The :class:`PolicyCase` fields the check uses besides ``target`` and ``history``.
    uses: ClassVar[frozenset[str]] = frozenset()

    def check(
        self, policy: Policy, case: PolicyCase, *, tolerance: float = DEFAULT_TOLERANCE
    ) -> str | None:
        """Return ``None`` if the axiom holds for ``policy`` on ``case``, else a counterexample.

        Args:
            policy: Any object with ``evaluate(evidence, target)``.
            case: The generated situation.
            tolerance: Values closer than this share of the scale's width count as equal.

        Returns:
            ``None``, or one or two sentences a teacher can follow.

        Example:
            >>> from mastery_grading import LearningTarget, policies
            >>> case = PolicyCase.from_scores([1, 4], target=LearningTarget(id="T", title="T"),
            ...                               permutation=(1, 0))
            >>> print(AXIOMS["order_free"].check(policies.MostRecent(), case))
            scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00
        """
        try:
            return self._check(policy, case, tolerance)
        except EvaluationError as error:
            return str(error)

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<axiom {self.name}>"


class Bounded(Axiom):
    """**bounded**: the result lies within the target's scale.

    For every history on a target with scale ``[min, max]``: the result is ``None`` or
    ``min <= value <= max``.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 4], target=target)
        >>> print(Bounded().check(policies.Mean(), case))
        None
    """

    name = "bounded"
    summary = "The result lies within the scale."
    uses = frozenset()

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        result = evaluate(policy, case.history, case.target)
        scale = case.target.scale
        value = result.value
        tol = tol_of(case.target, tolerance)
        if value is None or scale.min - tol <= value <= scale.max + tol:
            return None
        shown = values_text(value, scale.min, scale.max)[0]  # never reads as the bound itself
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {shown}, outside the "
            f"scale from {score_text(scale.min)} to {score_text(scale.max)}"
        )


class WithinObservedRange(Axiom):
    """**within_observed_range**: the result lies between the lowest and highest score used.

    For every history: the result is ``None`` or lies within ``[min, max]`` of the scores of the
    evidence the result lists as its ``contributions`` (of every score given, when it lists
    none). This is the stronger form of *bounded*: a rule may not extrapolate beyond what the
    student showed.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 1, 3.5, 3.5], target=target)
        >>> print(WithinObservedRange().check(policy_from_spec({"policy": "linear_trend"}), case))
        scores 1, 1, 3.5, 3.5 give 3.75, above the highest score used (3.5)
    """

    name = "within_observed_range"
    summary = "The result lies between the lowest and the highest score that counted."
    uses = frozenset()

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        result = evaluate(policy, case.history, case.target)
        if result.value is None:
            return None
        used = [c.evidence.score for c in result.contributions] or [e.score for e in case.history]
        tol = tol_of(case.target, tolerance)
        low, high = min(used), max(used)
        if low - tol <= result.value <= high + tol:
            return None
        shown = values_text(result.value, low, high)[0]
        side = f"above the highest score used ({score_text(high)})"
        if result.value < low:
            side = f"below the lowest score used ({score_text(low)})"
        return f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {shown}, {side}"


class Unanimity(Axiom):
    """**unanimity**: if every score equals *s*, the result is *s*.

    For every history whose scores all equal ``s`` (kinds, weights and times as generated): the
    result is ``None`` or equals ``s``.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([2.5, 1, 3], target=target)
        >>> print(Unanimity().check(policies.DecayingAverage(), case))
        None
    """

    name = "unanimity"
    summary = "If every score is the same, the result is that score."
    uses = frozenset()

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        s = case.history[0].score
        history = with_scores(case.history, [s] * len(case.history))
        result = evaluate(policy, history, case.target)
        if result.value is None or same(result.value, s, tol_of(case.target, tolerance)):
            return None
        shown = values_text(result.value, s)[0]
        prefix = scale_prefix(case.target)
        return f"{prefix}{scores_text(history, 'give')} {shown}, not {score_text(s)}"


class Monotone(Axiom):
    """**monotone**: raising any one score never lowers the result.

    For every history and every piece of evidence in it: raising its score (keeping everything
    else) gives a result at least as high. A ``None`` result may stay ``None`` or become a
    value; a value may never become ``None``.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 2, 3, 4], target=target, index=0, share=17)
        >>> print(Monotone().check(policy_from_spec({"policy": "power_law"}), case))
        scores 1, 2, 3, 4 give 4.00; raising the first to 2 gives 3.52
    """

    name = "monotone"
    summary = "Raising any one score never lowers the result."
    uses = frozenset({"index", "share"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        i = case.index % len(case.history)
        old = case.history[i].score
        scale = case.target.scale
        new = toward_top(old, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        scores = [e.score for e in case.history]
        scores[i] = new
        raised = with_scores(case.history, scores)
        before = evaluate(policy, case.history, case.target)
        after = evaluate(policy, raised, case.target)
        if not lowers(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        which = "only score" if len(scores) == 1 else f"{ordinal(i)}"
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; raising the "
            f"{which} to {score_text(new)} gives {b}"
        )


class OrderFree(Axiom):
    """**order_free**: when each score happened does not matter.

    For every history ``e_1, ..., e_n`` (oldest first) and every permutation ``p``: the history
    in which evidence ``e_p(i)`` is moved to the moment of ``e_i`` (the moments stay, the
    evidence is shuffled among them, each keeping its kind and weight) gives the same result.
    Recency-based rules do not claim it, on purpose.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 4], target=target, permutation=(1, 0))
        >>> print(OrderFree().check(policies.MostRecent(), case))
        scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00
    """

    name = "order_free"
    summary = "Shuffling which score happened when changes nothing."
    needed = False  # recency-based rules give it up on purpose
    uses = frozenset({"permutation"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        order = case.permutation or tuple(reversed(range(len(case.history))))
        shuffled = moved(case.history, order)
        before = evaluate(policy, case.history, case.target)
        after = evaluate(policy, shuffled, case.target)
        if same(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        shown = ", ".join(one_text(e) for e in sort_chronologically(shuffled))
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; the same scores "
            f"in the order {shown} give {b}"
        )


class TimeShiftInvariant(Axiom):
    """**time_shift_invariant**: moving all evidence by the same amount of time changes nothing.

    For every history and every non-zero ``timedelta`` ``d``: adding ``d`` to every moment gives
    the same result. Learning in November instead of October is not penalized.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> from datetime import timedelta
        >>> case = PolicyCase.from_scores([1, 4], target=target, shift=timedelta(days=30))
        >>> print(TimeShiftInvariant().check(policies.DecayingAverage(), case))
        None
    """

    name = "time_shift_invariant"
    summary = "Moving all the evidence by the same amount of time changes nothing."
    uses = frozenset({"shift"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        shifted = tuple(
            attrs.evolve(e, observed_at=e.observed_at + case.shift) for e in case.history
        )
        before = evaluate(policy, case.history, case.target)
        after = evaluate(policy, shifted, case.target)
        if same(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; the same "
            f"evidence {duration(case.shift)} gives {b}"
        )


class NoRetakePenalty(Axiom):
    """**no_retake_penalty**: a new latest score at or above the current result never lowers it.

    For every history whose result is a value ``v``, and every score ``s`` on the scale with
    ``s >= v``: appending a summative piece of evidence with score ``s`` (weight 1), later than
    all others, gives a value at least ``v``. ``s = v`` exactly is always among the cases tried.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 4], target=target, share=0)
        >>> print(NoRetakePenalty().check(policy_from_spec({"policy": "weighted_average"}), case))
        scores 1, 4 give 2.95; a retake scoring 2.95 gives 2.79
    """

    name = "no_retake_penalty"
    summary = "A retake that scores at or above the current result never lowers it."
    uses = frozenset({"share", "gap"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        before = evaluate(policy, case.history, case.target)
        if before.value is None:
            return None
        scale = case.target.scale
        if not scale.min <= before.value <= scale.max:
            return None  # not bounded: reported by that axiom
        if case.share == 0:
            new: float | None = before.value
        else:
            new = toward_top(before.value, scale.max, case.share, strictly_above=False)
        if new is None:
            return None
        retake = _appended(case, new)
        after = evaluate(policy, (*case.history, retake), case.target)
        if not lowers(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; a retake scoring "
            f"{score_text(new)} gives {b}"
        )


class CorrectNeverLowers(Axiom):
    """**correct_never_lowers**: one more correct answer never lowers the result.

    A *correct answer* is a score at or above the target's mastery threshold. For every history
    and every such score ``s``: appending a summative piece of evidence with score ``s``
    (weight 1), later than all others, gives a result at least as high (a value never becomes
    ``None``). ``s`` = the mastery threshold itself is always among the cases tried. The promise
    probabilistic models such as Bayesian Knowledge Tracing should keep (P(mastered) must not
    fall after a correct answer); an average gives it up on purpose, since a score at mastery
    pulls a higher average down.

    Example:
        >>> from mastery_grading import LearningTarget, policies
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([4, 4], target=target, share=0)
        >>> print(CorrectNeverLowers().check(policies.Mean(), case))
        scores 4, 4 give 4.00; one more correct answer scoring 3 gives 3.67
        >>> print(CorrectNeverLowers().check(policies.BKT(), case))
        None
    """

    name = "correct_never_lowers"
    summary = "One more correct answer (a score at mastery or above) never lowers the result."
    needed = False  # an average gives it up on purpose
    uses = frozenset({"share", "gap"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        before = evaluate(policy, case.history, case.target)
        if before.value is None:
            return None
        scale = case.target.scale
        new: float | None = scale.mastery
        if case.share != 0:
            new = toward_top(scale.mastery, scale.max, case.share, strictly_above=False)
        if new is None:
            return None
        correct = _appended(case, new)
        after = evaluate(policy, (*case.history, correct), case.target)
        if not lowers(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; one more "
            f"correct answer scoring {score_text(new)} gives {b}"
        )


def _appended(case: PolicyCase, score: float) -> Evidence:
    latest = case.history[-1]
    return Evidence(
        student_id=latest.student_id,
        target_id=latest.target_id,
        score=score,
        observed_at=latest.observed_at + case.gap,
    )


class ImprovementCredit(Axiom):
    """**improvement_credit**: a new latest score above every earlier one never lowers the result.

    For every history and every score ``s`` on the scale above every score in it: appending a
    summative piece of evidence with score ``s`` (weight 1), later than all others, gives a
    result at least as high (a value never becomes ``None``).

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([3, 1], target=target, share=50)
        >>> print(ImprovementCredit().check(policies.DecayingAverage(), case))
        None
    """

    name = "improvement_credit"
    summary = "A new best score, the latest of all, never lowers the result."
    uses = frozenset({"share", "gap"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        top = max(e.score for e in case.history)
        scale = case.target.scale
        new = toward_top(top, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        before = evaluate(policy, case.history, case.target)
        after = evaluate(policy, (*case.history, _appended(case, new)), case.target)
        if not lowers(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; a new best score "
            f"of {score_text(new)} gives {b}"
        )


class Recency(Axiom):
    """**recency**: of two histories that differ only in order, the improving one gets at least as much.

    For every history: take its moments, and its evidence sorted by score (a stable sort, so
    that equal scores keep their relative order). Put the evidence at the moments in ascending
    order of score (improving) and in descending order (declining). The improving history's
    result is at least the declining one's; if the declining one gets a value, the improving
    one must too.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([2, 0], target=target)
        >>> print(Recency().check(policies.DecayingAverage(rate=0.2), case))
        improving scores 0, 2 give 0.40; the same scores declining, 2, 0, give 1.60
    """  # noqa: E501

    name = "recency"
    summary = (
        "Of two students with the same scores, the one who improved later gets at least as much."
    )
    uses = frozenset()

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        improving, declining = _improving_and_declining(case.history)
        better = evaluate(policy, improving, case.target)
        worse = evaluate(policy, declining, case.target)
        if not lowers(worse.value, better.value, tol_of(case.target, tolerance)):
            return None
        return _improving_story(case.target, improving, declining, better, worse)


def _improving_and_declining(
    history: Sequence[Evidence],
) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
    """The evidence moved to the history's moments in ascending, then descending, score order."""
    indices = range(len(history))
    up = sorted(indices, key=lambda j: history[j].score)
    down = sorted(indices, key=lambda j: history[j].score, reverse=True)
    return moved(history, up), moved(history, down)


def _improving_story(
    target: LearningTarget,
    improving: Sequence[Evidence],
    declining: Sequence[Evidence],
    better: TargetResult,
    worse: TargetResult,
) -> str:
    a, b = result_pair(better, worse)
    alike = a == b
    return (
        f"{scale_prefix(target)}improving {scores_text(improving, 'give')} {a}"
        f"{', and' if alike else ';'} the same scores declining, "
        f"{', '.join(one_text(e) for e in declining)}, give {b}{' too' if alike else ''}"
    )


class RecencySensitive(Axiom):
    """**recency_sensitive**: of two histories that differ only in order, the improving one gets more.

    The strict form of *recency*. For every history whose scores are not all equal, arranged as
    for *recency* (the same moments, the evidence in ascending order of score: improving, and in
    descending order: declining): if the declining history gets a value, the improving one gets
    a strictly greater value (by more than the tolerance). A rule that ignores when a score was
    earned (a mean, the highest score) breaks it: it cannot tell a student who is learning from
    one who is forgetting.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([4, 1], target=target)
        >>> print(RecencySensitive().check(policies.Highest(), case))
        improving scores 1, 4 give 4.00, and the same scores declining, 4, 1, give 4.00 too
        >>> print(RecencySensitive().check(policies.MostRecent(), case))
        None
    """  # noqa: E501

    name = "recency_sensitive"
    summary = "A student who improves later ends higher than one who got worse."
    needed = False  # the opposite choice to order_free: no rule has both
    uses = frozenset()

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        if len({e.score for e in case.history}) < 2:
            return None
        improving, declining = _improving_and_declining(case.history)
        better = evaluate(policy, improving, case.target)
        worse = evaluate(policy, declining, case.target)
        if worse.value is None:
            return None
        tol = tol_of(case.target, tolerance)
        if better.value is not None and better.value > worse.value + tol:
            return None
        return _improving_story(case.target, improving, declining, better, worse)


class FormativeNeutral(Axiom):
    """**formative_neutral**: adding formative (practice) evidence changes nothing.

    For every history and every non-empty set of formative evidence on the same target, at any
    moments: the history with the formative evidence added gives the same result.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> practice = PolicyCase.from_scores([0.5], target=target).history[0]
        >>> practice = attrs.evolve(practice, kind="formative")
        >>> case = PolicyCase.from_scores([3], target=target, extra=(practice,))
        >>> print(FormativeNeutral().check(policies.Mean(), case))
        score 3 gives 3.00; adding practice, as scores 0.5 (formative), 3, gives 1.75
    """

    name = "formative_neutral"
    summary = "Practice (formative) evidence never changes the result."
    needed = False  # whether practice counts is the teacher's choice
    uses = frozenset({"extra"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        if not case.extra:
            return None
        before = evaluate(policy, case.history, case.target)
        combined = sort_chronologically((*case.history, *case.extra))
        after = evaluate(policy, combined, case.target)
        if same(before.value, after.value, tol_of(case.target, tolerance)):
            return None
        a, b = result_pair(before, after)
        return (
            f"{scale_prefix(case.target)}{scores_text(case.history, 'give')} {a}; adding practice, "
            f"as {scores_text(combined)}, gives {b}"
        )


def _anonymous(result: TargetResult, student_id: str) -> tuple[Any, ...]:
    contributions = tuple(
        (attrs.evolve(c.evidence, student_id=student_id), c.weight) for c in result.contributions
    )
    return (result.value, result.reason, result.evidence_count, contributions, result.level)


class Deterministic(Axiom):
    """**deterministic**: the input order and the student's id change nothing.

    For every history (also with all of it at one instant, to test tie-breaking), every
    permutation of the input list and every other student id: evaluating the permuted evidence
    of the renamed student gives the same full result (value, reason, evidence count,
    contributions with their weights, level) up to the student id; and evaluating twice gives
    the same result.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([2, 3], target=target, same_time=True)
        >>> print(Deterministic().check(policies.MostRecent(), case))
        None
    """

    name = "deterministic"
    summary = "The order evidence is entered in and the student's name change nothing."
    uses = frozenset({"student_id", "input_order", "same_time"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        history = case.history
        if case.same_time:
            moment = history[0].observed_at
            history = tuple(attrs.evolve(e, observed_at=moment) for e in history)
        order = case.input_order or tuple(reversed(range(len(history))))
        renamed = [attrs.evolve(history[j], student_id=case.student_id) for j in order]
        first = evaluate(policy, history, case.target)
        again = evaluate(policy, history, case.target)
        other = evaluate(policy, renamed, case.target)
        when = " (all at the same moment)" if case.same_time else ""
        base = f"{scale_prefix(case.target)}{scores_text(history)}{when} {give(history)}"
        if _anonymous(first, "s1") != _anonymous(again, "s1"):
            a, b = result_pair(first, again)
            return f"{base} {a} the first time and {b} the second time"
        if _anonymous(first, "s1") != _anonymous(other, "s1"):
            a, b = result_pair(first, other)
            shown = ", ".join(one_text(e) for e in renamed)
            detail = "" if a != b else " (same value, different contributions or reason)"
            return (
                f"{base} {a}; the same evidence entered as {shown} for student "
                f"{case.student_id!r} gives {b}{detail}"
            )
        return None


class TargetIndependent(Axiom):
    """**target_independent**: evidence on other targets changes nothing.

    A policy evaluates one target's evidence. For every history on a target ``T`` and every
    history of the same student on another target ``U``:

    1. evaluating ``T`` after evaluating ``U`` with the same policy object gives the same result
       as evaluating ``T`` alone (no state carried over between targets);
    2. given ``T``'s evidence mixed with ``U``'s, the policy either refuses with an error (as
       the built-ins do, with :class:`~mastery_grading.exceptions.TargetMismatchError`) or
       returns the same value as for ``T``'s evidence alone.

    Example:
        >>> from mastery_grading import LearningTarget, policies, policy_from_spec
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> other = PolicyCase.from_scores([0], target=LearningTarget(id="U", title="U"))
        >>> case = attrs.evolve(PolicyCase.from_scores([4], target=target),
        ...                     other_target=other.target, other=other.history)
        >>> print(TargetIndependent().check(policies.Mean(), case))
        None
    """

    name = "target_independent"
    summary = "Evidence on other learning targets never changes the result on this one."
    uses = frozenset({"other"})

    def _check(self, policy: Policy, case: PolicyCase, tolerance: float) -> str | None:
        if case.other_target is None or not case.other:
            return None
        tol = tol_of(case.target, tolerance)
        alone = evaluate(policy, case.history, case.target)
        evaluate(policy, case.other, case.other_target)
        after = evaluate(policy, case.history, case.target)
        base = f"{scale_prefix(case.target)}{scores_text(case.history, 'give')}"
        if not same(alone.value, after.value, tol):
            a, b = result_pair(alone, after)
            return (
                f"{base} {a}; after evaluating {scores_text(case.other)} on another target, "
                f"the same evidence gives {b}"
            )
        try:
            mixed = policy.evaluate([*case.history, *case.other], case.target)
        except (MasteryGradingError, ValueError, TypeError):
            return None
        value = getattr(mixed, "value", None)
        if same(alone.value, value, tol):
            return None
        a, b = values_text(alone.value, value)
        mixed_in = f"with {scores_text(case.other)} on another target mixed in"
        return f"{base} {a}; {mixed_in}, the result is {b}"


#: Every policy axiom by name, in the order reports list them.
AXIOMS: Mapping[Claim, Axiom] = {
    axiom.name: axiom
    for axiom in (
        Bounded(),
        WithinObservedRange(),
        Unanimity(),
        Monotone(),
        OrderFree(),
        TimeShiftInvariant(),
        NoRetakePenalty(),
        ImprovementCredit(),
        Recency(),
        RecencySensitive(),
        FormativeNeutral(),
        Deterministic(),
        TargetIndependent(),
        CorrectNeverLowers(),
    )
}
