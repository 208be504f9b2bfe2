"""What the axioms share: evaluating without surprises, tolerances, and telling a counterexample.

A private module of :mod:`mastery_grading.fairness`: the policy axioms
(:mod:`~mastery_grading.fairness.policy_axioms`) and the converter axioms
(:mod:`~mastery_grading.fairness.converter_axioms`) import these helpers; users never need them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any

import attrs

from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence, EvidenceKind, sort_chronologically
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

#: Values closer than this share of the scale's width count as equal.
DEFAULT_TOLERANCE = 1e-9

# ---------------------------------------------------------------------------------------------
# Words: how a counterexample is told
# ---------------------------------------------------------------------------------------------

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"


def score_text(value: float) -> str:
    """A score as a teacher writes it: ``2``, ``2.5``, ``0.01``; long decimals to 4 places."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or len(text.partition(".")[2]) > 4:
        return f"about {value:.4f}"
    return text


def values_text(*values: float | None) -> list[str]:
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


def result_pair(first: TargetResult, second: TargetResult) -> tuple[str, str]:
    a, b = values_text(first.value, second.value)
    if first.value is None:
        a = f"no result ({first.reason})"
    if second.value is None:
        b = f"no result ({second.reason})"
    return a, b


def one_text(evidence: Evidence) -> str:
    notes = []
    if evidence.kind is EvidenceKind.FORMATIVE:
        notes.append("formative")
    if evidence.weight != 1.0:
        notes.append(f"weight {score_text(evidence.weight)}")
    text = score_text(evidence.score)
    return f"{text} ({', '.join(notes)})" if notes else text


def scores_text(history: Sequence[Evidence], verb: str = "") -> str:
    """``score 2 gives`` / ``scores 1, 2 give`` (with ``verb="give"``)."""
    if len(history) == 1:
        return f"score {one_text(history[0])}" + (f" {verb}s" if verb else "")
    return "scores " + ", ".join(one_text(e) for e in history) + (f" {verb}" if verb else "")


def give(history: Sequence[Evidence]) -> str:
    return "gives" if len(history) == 1 else "give"


def scale_prefix(target: LearningTarget) -> str:
    scale = target.scale
    if (scale.min, scale.max) == (0.0, 4.0):
        return ""
    return f"on a {score_text(scale.min)} to {score_text(scale.max)} scale, "


def duration(delta: timedelta) -> str:
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


class EvaluationError(Exception):
    """A policy or converter raised while evaluating a valid case."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__(f"{what} makes it raise {type(error).__name__}: {error}")


def evaluate(policy: Any, history: Iterable[Evidence], target: LearningTarget) -> TargetResult:
    items = list(history)
    try:
        result = policy.evaluate(items, target)
    except Exception as error:
        what = scale_prefix(target) + scores_text(sort_chronologically(items))
        raise EvaluationError(what, error) from error
    if not isinstance(result, TargetResult):
        msg = f"evaluate returned {result!r}, not a TargetResult"
        raise EvaluationError(scores_text(items), TypeError(msg))
    return result


def tol_of(target: LearningTarget, tolerance: float) -> float:
    return tolerance * (target.scale.max - target.scale.min)


def same(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol


def lowers(before: float | None, after: float | None, tol: float) -> bool:
    """Whether going from ``before`` to ``after`` lowers a result (value -> None lowers)."""
    if before is None:
        return False
    return after is None or after < before - tol


def round_up(value: Fraction) -> Fraction:
    """The smallest two-decimal number at or above ``value``."""
    return Fraction(math.ceil(value * 100), 100)


def toward_top(
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
    candidate = round_up(lo + part * (hi - lo))
    if strictly_above and candidate <= lo:
        candidate = round_up(lo + Fraction(1, 100))
    return float(min(candidate, hi))


def with_scores(history: Sequence[Evidence], scores: Sequence[float]) -> tuple[Evidence, ...]:
    return tuple(attrs.evolve(e, score=s) for e, s in zip(history, scores, strict=True))


def moved(history: Sequence[Evidence], order: Sequence[int]) -> tuple[Evidence, ...]:
    """Evidence ``order[i]`` moved to the moment of evidence ``i`` (everything else kept)."""
    return tuple(
        attrs.evolve(history[j], observed_at=history[i].observed_at) for i, j in enumerate(order)
    )
