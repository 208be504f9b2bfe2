"""Fairness axioms: promises a grading rule can make, stated precisely enough to check.

Each axiom is an object with a ``name`` (snake_case), a ``summary`` (one sentence a teacher
understands) and a precise definition in its class docstring. Its ``check`` method looks at one
generated case (:class:`PolicyCase` for policies, :class:`ConverterCase` for grade converters)
and returns ``None`` when the axiom holds there, or a counterexample in words.

A policy or converter declares the axioms it promises as data, in ``claims``;
:func:`claims` reads them. :func:`mastery_grading.testing.check_policy` asserts every claim over
generated cases, and :func:`mastery_grading.testing.audit` reports on every axiom.

Conventions shared by the policy axioms:

- A *history* is one student's evidence on one target, at distinct moments, oldest first.
- A result ``None`` (the policy declines to decide, with a reason) is never compared as a number.
  Axioms about values hold vacuously when the reference result is ``None``; axioms saying that
  a change "never lowers" a result also forbid turning a value into ``None``.
- Two values count as equal when they differ by at most ``tolerance`` times the width of the
  scale (``1e-9`` by default), which forgives float rounding in hand-written policies. The
  built-ins compute exactly and meet the axioms with no tolerance at all.
- An error raised while evaluating a valid history is a counterexample to every axiom.

Example:
    >>> from mastery_grading import policies
    >>> from mastery_grading.fairness import axioms
    >>> list(axioms.AXIOMS)[:4]
    ['bounded', 'within_observed_range', 'unanimity', 'monotone']
    >>> axioms.AXIOMS["monotone"].summary
    'Raising any one score never lowers the result.'
    >>> "order_free" in axioms.claims(policies.MostRecent())
    False
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence, EvidenceKind, sort_chronologically
from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "AXIOMS",
    "CONVERTER_AXIOMS",
    "DEFAULT_TOLERANCE",
    "INCOMPLETE",
    "Axiom",
    "Bounded",
    "ConverterAxiom",
    "ConverterCase",
    "ConverterComplete",
    "ConverterMonotone",
    "ConverterUnambiguous",
    "Deterministic",
    "FormativeNeutral",
    "ImprovementCredit",
    "Monotone",
    "NoRetakePenalty",
    "OrderFree",
    "PolicyCase",
    "Recency",
    "RecencySensitive",
    "TargetIndependent",
    "TimeShiftInvariant",
    "Unanimity",
    "WithinObservedRange",
    "claims",
]

#: Values closer than this share of the scale's width count as equal.
DEFAULT_TOLERANCE = 1e-9

#: The first moment of :meth:`PolicyCase.from_scores` histories.
_START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

#: The letter a converter may give when evidence is missing, besides its ``letters``.
INCOMPLETE = "Incomplete"


def claims(obj: Any) -> frozenset[str]:
    """Return the axioms ``obj`` claims (its ``claims`` attribute), or an empty set.

    Example:
        >>> from mastery_grading import policies
        >>> sorted(claims(policies.Mean()))[:3]
        ['bounded', 'deterministic', 'improvement_credit']
        >>> claims(object())
        frozenset()
    """
    declared = getattr(obj, "claims", None)
    if not isinstance(declared, frozenset | set | list | tuple):
        return frozenset()  # no claims, or a property seen on a class rather than an instance
    return frozenset(declared)


# ---------------------------------------------------------------------------------------------
# Generated cases
# ---------------------------------------------------------------------------------------------


def _evidence_tuple(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _int_tuple(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _result_tuple(value: Iterable[TargetResult]) -> tuple[TargetResult, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PolicyCase:
    """One generated situation for checking a policy against every axiom.

    The strategy :func:`mastery_grading.testing.strategies.policy_cases` generates them; each
    axiom uses the parts it needs.

    Args:
        target: The learning target.
        history: Evidence of student ``"s1"`` on ``target``, at distinct moments, oldest first;
            at least one piece.
        index: Which score to raise (``monotone``), counted from 0 modulo the history length.
        share: 0-100: how far toward the top of the scale a raised or new score goes; 0 means
            "exactly the current result" for a retake.
        permutation: A permutation of ``range(len(history))`` (``order_free``).
        shift: A non-zero time shift (``time_shift_invariant``).
        gap: Time between the latest evidence and an appended retake.
        extra: Formative evidence to add (``formative_neutral``).
        other_target: Another target (``target_independent``).
        other: Evidence of the same student on ``other_target``.
        student_id: Another student id (``deterministic``).
        input_order: A permutation of the input order (``deterministic``).
        same_time: Whether ``deterministic`` puts all evidence at one instant, to test ties.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 2, 3], target=target)
        >>> [e.score for e in case.history]
        [1.0, 2.0, 3.0]
    """

    target: LearningTarget
    history: tuple[Evidence, ...] = attrs.field(converter=_evidence_tuple)
    index: int = 0
    share: int = 50
    permutation: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)
    shift: timedelta = timedelta(days=7)
    gap: timedelta = timedelta(days=1)
    extra: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence_tuple)
    other_target: LearningTarget | None = None
    other: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence_tuple)
    student_id: str = "s2"
    input_order: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)
    same_time: bool = False

    @classmethod
    def from_scores(
        cls, scores: Sequence[float], *, target: LearningTarget, **fields: Any
    ) -> PolicyCase:
        """Build a case from summative scores one day apart (for hand-written checks).

        Example:
            >>> from mastery_grading import LearningTarget
            >>> case = PolicyCase.from_scores([2, 4], target=LearningTarget(id="T", title="T"),
            ...                               permutation=(1, 0))
            >>> case.permutation
            (1, 0)
        """
        history = tuple(
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=score,
                observed_at=_START + timedelta(days=day),
            )
            for day, score in enumerate(scores)
        )
        return cls(target=target, history=history, **fields)


@attrs.frozen(kw_only=True)
class ConverterCase:
    """One generated profile of results for checking a grade converter.

    Args:
        results: One result per target (distinct targets); a value may be ``None``.
        index: Which result to raise (``monotone``), modulo the number of results.
        share: 1-100: how far toward the top of the scale the raised value goes.
        input_order: A permutation of the results (``unambiguous``).

    Example:
        >>> from mastery_grading.testing.strategies import classic_converter_cases
        >>> case = classic_converter_cases()[7]
        >>> [r.value for r in case.results], case.input_order
        ([3.0, None], (1, 0))
    """

    results: tuple[TargetResult, ...] = attrs.field(converter=_result_tuple)
    index: int = 0
    share: int = 50
    input_order: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)


# ---------------------------------------------------------------------------------------------
# Words: how a counterexample is told
# ---------------------------------------------------------------------------------------------

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"


def _score(value: float) -> str:
    """A score as a teacher writes it: ``2``, ``2.5``, ``0.01``; long decimals to 4 places."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or len(text.partition(".")[2]) > 4:
        return f"about {value:.4f}"
    return text


def _values(*values: float | None) -> list[str]:
    """Results with two decimals, or more when two different values would print the same."""
    numbers = [v for v in values if v is not None]
    places = 2
    while places < 12:
        shown = {f"{v:.{places}f}" for v in numbers}
        if len(shown) == len(set(numbers)):
            break
        places += 1
    return [
        "no result" if v is None else f"{v:.{places}f}" if places < 12 else repr(v) for v in values
    ]


def _result_pair(first: TargetResult, second: TargetResult) -> tuple[str, str]:
    a, b = _values(first.value, second.value)
    if first.value is None:
        a = f"no result ({first.reason})"
    if second.value is None:
        b = f"no result ({second.reason})"
    return a, b


def _one(evidence: Evidence) -> str:
    notes = []
    if evidence.kind is EvidenceKind.FORMATIVE:
        notes.append("formative")
    if evidence.weight != 1.0:
        notes.append(f"weight {_score(evidence.weight)}")
    text = _score(evidence.score)
    return f"{text} ({', '.join(notes)})" if notes else text


def _scores(history: Sequence[Evidence], verb: str = "") -> str:
    """``score 2 gives`` / ``scores 1, 2 give`` (with ``verb="give"``)."""
    if len(history) == 1:
        return f"score {_one(history[0])}" + (f" {verb}s" if verb else "")
    return "scores " + ", ".join(_one(e) for e in history) + (f" {verb}" if verb else "")


def _give(history: Sequence[Evidence]) -> str:
    return "gives" if len(history) == 1 else "give"


def _scale_prefix(target: LearningTarget) -> str:
    scale = target.scale
    if (scale.min, scale.max) == (0.0, 4.0):
        return ""
    return f"on a {_score(scale.min)} to {_score(scale.max)} scale, "


def _duration(delta: timedelta) -> str:
    later = delta >= timedelta(0)
    size = abs(delta)
    days, minutes = size.days, size.seconds // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return f"{' and '.join(parts) or 'no time'} {'later' if later else 'earlier'}"


# ---------------------------------------------------------------------------------------------
# Helpers shared by the checks
# ---------------------------------------------------------------------------------------------


class _EvaluationError(Exception):
    """A policy or converter raised while evaluating a valid case."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__(f"{what} makes it raise {type(error).__name__}: {error}")


def _evaluate(policy: Any, history: Iterable[Evidence], target: LearningTarget) -> TargetResult:
    items = list(history)
    try:
        result = policy.evaluate(items, target)
    except Exception as error:
        what = _scale_prefix(target) + _scores(sort_chronologically(items))
        raise _EvaluationError(what, error) from error
    if not isinstance(result, TargetResult):
        msg = f"evaluate returned {result!r}, not a TargetResult"
        raise _EvaluationError(_scores(items), TypeError(msg))
    return result


def _tol(target: LearningTarget, tolerance: float) -> float:
    return tolerance * (target.scale.max - target.scale.min)


def _same(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol


def _lowers(before: float | None, after: float | None, tol: float) -> bool:
    """Whether going from ``before`` to ``after`` lowers a result (value -> None lowers)."""
    if before is None:
        return False
    return after is None or after < before - tol


def _round_up(value: Fraction) -> Fraction:
    """The smallest two-decimal number at or above ``value``."""
    return Fraction(math.ceil(value * 100), 100)


def _toward_top(
    low: float, top: float, share: int, *, strictly_above: bool, step: float | None = None
) -> float | None:
    """A score ``share`` % of the way from ``low`` to ``top`` (at most ``top``).

    When ``low`` lies on the scale's ``step`` grid, the score is a whole number of steps above
    it (1, 2 -> 2, 2.5: readable); otherwise it is rounded up to two decimals. With
    ``strictly_above`` the score is above ``low``; ``None`` when there is no room.
    """
    lo, hi = exact(low), exact(top)
    if lo > hi or (strictly_above and lo >= hi):
        return None
    part = Fraction(max(share, 1), 100)
    if step is not None and ((hi - lo) / exact(step)).denominator == 1:
        steps = (hi - lo) / exact(step)
        return float(lo + max(1, math.ceil(part * steps)) * exact(step))
    candidate = _round_up(lo + part * (hi - lo))
    if strictly_above and candidate <= lo:
        candidate = _round_up(lo + Fraction(1, 100))
    return float(min(candidate, hi))


def _with_scores(history: Sequence[Evidence], scores: Sequence[float]) -> tuple[Evidence, ...]:
    return tuple(attrs.evolve(e, score=s) for e, s in zip(history, scores, strict=True))


def _moved(history: Sequence[Evidence], order: Sequence[int]) -> tuple[Evidence, ...]:
    """Evidence ``order[i]`` moved to the moment of evidence ``i`` (everything else kept)."""
    return tuple(
        attrs.evolve(history[j], observed_at=history[i].observed_at) for i, j in enumerate(order)
    )


# ---------------------------------------------------------------------------------------------
# Axiom base classes
# ---------------------------------------------------------------------------------------------


class Axiom:
    """Base of the policy axioms: a name, a one-sentence summary and a check.

    Subclasses define :attr:`name`, :attr:`summary` and ``_check``; their docstring is the
    precise definition.
    """

    #: The snake_case name used in ``claims`` and in reports.
    name: ClassVar[str]
    #: One sentence a teacher understands.
    summary: ClassVar[str]
    #: The :class:`PolicyCase` fields the check uses besides ``target`` and ``history``.
    uses: ClassVar[frozenset[str]] = frozenset()

    def check(
        self, policy: Any, case: PolicyCase, *, tolerance: float = DEFAULT_TOLERANCE
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
        except _EvaluationError as error:
            return str(error)

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<axiom {self.name}>"


class ConverterAxiom:
    """Base of the grade-converter axioms: a name, a one-sentence summary and a check."""

    #: The snake_case name used in ``claims`` and in reports.
    name: ClassVar[str]
    #: One sentence a teacher understands.
    summary: ClassVar[str]

    def check(self, converter: Any, case: ConverterCase) -> str | None:
        """Return ``None`` if the axiom holds for ``converter`` on ``case``, else a counterexample.

        Args:
            converter: Any object with ``convert(results)`` returning a report with a ``letter``,
                and ``letters`` (best first).
            case: The generated profile of results.

        Example:
            >>> from mastery_grading.testing.strategies import classic_converter_cases
            >>> class Contrary:  # "A" while nothing is mastered: raising a target can cost it
            ...     letters = ("A", "B")
            ...     def convert(self, results):
            ...         return "B" if any(r.mastered for r in results) else "A"
            >>> case = classic_converter_cases()[3]  # one target at 2, raised to 4
            >>> print(CONVERTER_AXIOMS["monotone"].check(Contrary(), case))
            results T1: 2 give A; raising T1 to 4 gives B
        """
        try:
            return self._check(converter, case)
        except _EvaluationError as error:
            return str(error)

    def _check(self, converter: Any, case: ConverterCase) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<converter axiom {self.name}>"


# ---------------------------------------------------------------------------------------------
# Policy axioms
# ---------------------------------------------------------------------------------------------


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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        result = _evaluate(policy, case.history, case.target)
        scale = case.target.scale
        value = result.value
        tol = _tol(case.target, tolerance)
        if value is None or scale.min - tol <= value <= scale.max + tol:
            return None
        shown = _values(value, scale.min, scale.max)[0]  # never reads as the bound itself
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {shown}, outside the "
            f"scale from {_score(scale.min)} to {_score(scale.max)}"
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        result = _evaluate(policy, case.history, case.target)
        if result.value is None:
            return None
        used = [c.evidence.score for c in result.contributions] or [e.score for e in case.history]
        tol = _tol(case.target, tolerance)
        low, high = min(used), max(used)
        if low - tol <= result.value <= high + tol:
            return None
        shown = _values(result.value, low, high)[0]
        side = f"above the highest score used ({_score(high)})"
        if result.value < low:
            side = f"below the lowest score used ({_score(low)})"
        return f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {shown}, {side}"


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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        s = case.history[0].score
        history = _with_scores(case.history, [s] * len(case.history))
        result = _evaluate(policy, history, case.target)
        if result.value is None or _same(result.value, s, _tol(case.target, tolerance)):
            return None
        shown = _values(result.value, s)[0]
        return f"{_scale_prefix(case.target)}{_scores(history, 'give')} {shown}, not {_score(s)}"


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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        i = case.index % len(case.history)
        old = case.history[i].score
        scale = case.target.scale
        new = _toward_top(old, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        scores = [e.score for e in case.history]
        scores[i] = new
        raised = _with_scores(case.history, scores)
        before = _evaluate(policy, case.history, case.target)
        after = _evaluate(policy, raised, case.target)
        if not _lowers(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        which = "only score" if len(scores) == 1 else f"{_ordinal(i)}"
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; raising the "
            f"{which} to {_score(new)} gives {b}"
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
    uses = frozenset({"permutation"})

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        order = case.permutation or tuple(reversed(range(len(case.history))))
        shuffled = _moved(case.history, order)
        before = _evaluate(policy, case.history, case.target)
        after = _evaluate(policy, shuffled, case.target)
        if _same(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        shown = ", ".join(_one(e) for e in sort_chronologically(shuffled))
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; the same scores "
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        moved = tuple(attrs.evolve(e, observed_at=e.observed_at + case.shift) for e in case.history)
        before = _evaluate(policy, case.history, case.target)
        after = _evaluate(policy, moved, case.target)
        if _same(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; the same evidence "
            f"{_duration(case.shift)} gives {b}"
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        before = _evaluate(policy, case.history, case.target)
        if before.value is None:
            return None
        scale = case.target.scale
        if not scale.min <= before.value <= scale.max:
            return None  # not bounded: reported by that axiom
        if case.share == 0:
            new: float | None = before.value
        else:
            new = _toward_top(before.value, scale.max, case.share, strictly_above=False)
        if new is None:
            return None
        retake = _appended(case, new)
        after = _evaluate(policy, (*case.history, retake), case.target)
        if not _lowers(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; a retake scoring "
            f"{_score(new)} gives {b}"
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        top = max(e.score for e in case.history)
        scale = case.target.scale
        new = _toward_top(top, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        before = _evaluate(policy, case.history, case.target)
        after = _evaluate(policy, (*case.history, _appended(case, new)), case.target)
        if not _lowers(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; a new best score "
            f"of {_score(new)} gives {b}"
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        improving, declining = _improving_and_declining(case.history)
        better = _evaluate(policy, improving, case.target)
        worse = _evaluate(policy, declining, case.target)
        if not _lowers(worse.value, better.value, _tol(case.target, tolerance)):
            return None
        return _improving_story(case.target, improving, declining, better, worse)


def _improving_and_declining(
    history: Sequence[Evidence],
) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
    """The evidence moved to the history's moments in ascending, then descending, score order."""
    indices = range(len(history))
    up = sorted(indices, key=lambda j: history[j].score)
    down = sorted(indices, key=lambda j: history[j].score, reverse=True)
    return _moved(history, up), _moved(history, down)


def _improving_story(
    target: LearningTarget,
    improving: Sequence[Evidence],
    declining: Sequence[Evidence],
    better: TargetResult,
    worse: TargetResult,
) -> str:
    a, b = _result_pair(better, worse)
    same = a == b
    return (
        f"{_scale_prefix(target)}improving {_scores(improving, 'give')} {a}"
        f"{', and' if same else ';'} the same scores declining, "
        f"{', '.join(_one(e) for e in declining)}, give {b}{' too' if same else ''}"
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
    uses = frozenset()

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        if len({e.score for e in case.history}) < 2:
            return None
        improving, declining = _improving_and_declining(case.history)
        better = _evaluate(policy, improving, case.target)
        worse = _evaluate(policy, declining, case.target)
        if worse.value is None:
            return None
        tol = _tol(case.target, tolerance)
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
    uses = frozenset({"extra"})

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        if not case.extra:
            return None
        before = _evaluate(policy, case.history, case.target)
        combined = sort_chronologically((*case.history, *case.extra))
        after = _evaluate(policy, combined, case.target)
        if _same(before.value, after.value, _tol(case.target, tolerance)):
            return None
        a, b = _result_pair(before, after)
        return (
            f"{_scale_prefix(case.target)}{_scores(case.history, 'give')} {a}; adding practice, "
            f"as {_scores(combined)}, gives {b}"
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        history = case.history
        if case.same_time:
            moment = history[0].observed_at
            history = tuple(attrs.evolve(e, observed_at=moment) for e in history)
        order = case.input_order or tuple(reversed(range(len(history))))
        renamed = [attrs.evolve(history[j], student_id=case.student_id) for j in order]
        first = _evaluate(policy, history, case.target)
        again = _evaluate(policy, history, case.target)
        other = _evaluate(policy, renamed, case.target)
        when = " (all at the same moment)" if case.same_time else ""
        base = f"{_scale_prefix(case.target)}{_scores(history)}{when} {_give(history)}"
        if _anonymous(first, "s1") != _anonymous(again, "s1"):
            a, b = _result_pair(first, again)
            return f"{base} {a} the first time and {b} the second time"
        if _anonymous(first, "s1") != _anonymous(other, "s1"):
            a, b = _result_pair(first, other)
            shown = ", ".join(_one(e) for e in renamed)
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

    def _check(self, policy: Any, case: PolicyCase, tolerance: float) -> str | None:
        if case.other_target is None or not case.other:
            return None
        tol = _tol(case.target, tolerance)
        alone = _evaluate(policy, case.history, case.target)
        _evaluate(policy, case.other, case.other_target)
        after = _evaluate(policy, case.history, case.target)
        base = f"{_scale_prefix(case.target)}{_scores(case.history, 'give')}"
        if not _same(alone.value, after.value, tol):
            a, b = _result_pair(alone, after)
            return (
                f"{base} {a}; after evaluating {_scores(case.other)} on another target, "
                f"the same evidence gives {b}"
            )
        try:
            mixed = policy.evaluate([*case.history, *case.other], case.target)
        except (MasteryGradingError, ValueError, TypeError):
            return None
        value = getattr(mixed, "value", None)
        if _same(alone.value, value, tol):
            return None
        a, b = _values(alone.value, value)
        return (
            f"{base} {a}; with {_scores(case.other)} on another target mixed in, the result is {b}"
        )


# ---------------------------------------------------------------------------------------------
# Converter axioms
# ---------------------------------------------------------------------------------------------


def _convert(
    converter: Any,
    results: Sequence[TargetResult],
    *,
    refuse: bool = False,
    skip_overlaps: bool = False,
) -> str | None:
    """The letter ``converter`` gives, telling a gap (no letter) from an overlap (two letters).

    - A gap: :class:`~mastery_grading.exceptions.GapError`, or any other ``ValueError`` (a
      third-party converter's refusal). With ``refuse`` the profile has no letter (``None``:
      *monotone* and *unambiguous* skip it); without, it is a counterexample (*complete*).
    - An overlap: :class:`~mastery_grading.exceptions.OverlapError` (an unordered rule set where
      two letters' rules hold). With ``refuse`` it is a counterexample (*unambiguous* reports
      it), or ``None`` with ``skip_overlaps`` (for *monotone*); without ``refuse`` the profile
      does get a letter, the best of those that hold, so *complete* does not report it.
    """
    from mastery_grading.exceptions import OverlapError

    try:
        report = converter.convert(list(results))
    except OverlapError as error:
        if refuse and skip_overlaps:
            return None
        if not refuse and error.letters:
            return error.letters[0]
        raise _EvaluationError(_profile(results), error) from error
    except ValueError as error:
        if refuse:
            return None
        raise _EvaluationError(_profile(results), error) from error
    except Exception as error:
        raise _EvaluationError(_profile(results), error) from error
    letter = getattr(report, "letter", report)
    if not isinstance(letter, str):
        msg = f"convert gave {letter!r}, not one letter"
        raise _EvaluationError(_profile(results), TypeError(msg))
    return letter


def _profile(results: Sequence[TargetResult]) -> str:
    parts = []
    for r in results:
        value = "no evidence" if r.value is None else _score(r.value)
        parts.append(f"{r.target.id}: {value}")
    return "results " + ", ".join(parts)


def _rank(converter: Any, letter: str) -> int | None:
    letters = tuple(getattr(converter, "letters", ()))
    return letters.index(letter) if letter in letters else None


class ConverterMonotone(ConverterAxiom):
    """**monotone** (converters): raising a target's result never lowers the letter.

    For every profile of results and every result in it that has a value: raising that value
    (on its scale) gives a letter at least as good, where ``letters`` are listed best first. A
    letter outside ``letters`` (such as ``"Incomplete"``) before the change makes the case
    vacuous; a letter in ``letters`` may not become one outside them. A profile the converter
    refuses with a ``ValueError`` (a gap in its rules) has no letter and is skipped, as in
    ``RuleSet.check()`` does: *complete* reports it.
    """

    name = "monotone"
    summary = "Raising a result on one target never lowers the letter."

    def _check(self, converter: Any, case: ConverterCase) -> str | None:
        if not case.results:
            return None
        i = case.index % len(case.results)
        old = case.results[i]
        if old.value is None:
            return None
        scale = old.target.scale
        new = _toward_top(old.value, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        raised = list(case.results)
        raised[i] = _raised_result(old, new)
        before = _convert(converter, case.results, refuse=True, skip_overlaps=True)
        after = _convert(converter, raised, refuse=True, skip_overlaps=True)
        if before is None or after is None:
            return None  # no single letter on one side: complete or unambiguous reports it
        rank_before, rank_after = _rank(converter, before), _rank(converter, after)
        if rank_before is None:
            return None
        if rank_after is not None and rank_after <= rank_before:
            return None
        return (
            f"{_profile(case.results)} give {before}; raising {old.target.id} to "
            f"{_score(new)} gives {after}"
        )


def _raised_result(result: TargetResult, value: float) -> TargetResult:
    """The same result with a higher value (level and mastery follow the value)."""
    return attrs.evolve(result, value=value)


class ConverterComplete(ConverterAxiom):
    """**complete** (converters): every profile of results gets a letter.

    For every profile of results on distinct targets (values anywhere on their scales, some
    ``None``): ``convert`` returns, without an error, a report whose ``letter`` is one of the
    converter's ``letters`` or ``"Incomplete"``. A refusal (a gap in the rules) breaks it.
    """

    name = "complete"
    summary = "Every combination of results gets a letter."

    def _check(self, converter: Any, case: ConverterCase) -> str | None:
        letter = _convert(converter, case.results)
        letters = tuple(getattr(converter, "letters", ()))
        if letter in letters or letter == INCOMPLETE:
            return None
        return f"{_profile(case.results)} give {letter!r}, which is not one of {list(letters)}"


class ConverterUnambiguous(ConverterAxiom):
    """**unambiguous** (converters): a profile of results gets exactly one letter.

    For every profile of results: converting it twice, or in any other order of the results,
    gives the same letter (or, both times, no letter: a refusal with a ``ValueError``, which
    *complete* reports).
    """

    name = "unambiguous"
    summary = "The same results always get the same single letter, whatever their order."

    def _check(self, converter: Any, case: ConverterCase) -> str | None:
        first = _convert(converter, case.results, refuse=True)
        again = _convert(converter, case.results, refuse=True)
        if first != again:
            return f"{_profile(case.results)} give {first} the first time and {again} the second"
        order = case.input_order or tuple(reversed(range(len(case.results))))
        shuffled = [case.results[j] for j in order]
        other = _convert(converter, shuffled, refuse=True)
        if first == other:
            return None
        return f"{_profile(case.results)} give {first}; listed as {_profile(shuffled)} give {other}"


def _registry(items: Iterable[Any]) -> Mapping[str, Any]:
    return {item.name: item for item in items}


#: Every policy axiom by name, in the order reports list them.
AXIOMS: Mapping[str, Axiom] = _registry(
    [
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
    ]
)

#: Every grade-converter axiom by name.
CONVERTER_AXIOMS: Mapping[str, ConverterAxiom] = _registry(
    [ConverterMonotone(), ConverterComplete(), ConverterUnambiguous()]
)
