"""Exact summaries of a run of evidence (mean, median, mode, maximum), shared by the policies.

Each function takes evidence oldest first and returns a :class:`Summary`: the exact value (or
``None`` with a reason), the evidence that counted, and its weight. The central, recency and peak
policies apply them to the whole history, to the last ``n`` scores or to the ``n`` highest, so
that the formulas live in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal, NamedTuple, get_args

from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import make_result, no_result
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "TIE_BREAKS",
    "TieBreak",
    "Summary",
    "finish",
    "highest_n",
    "last_n",
    "maximum",
    "mean",
    "median",
    "mode",
]

#: A tie rule of :func:`mode`: which of the equally frequent scores wins (``"none"``: no value).
TieBreak = Literal["highest", "lowest", "most_recent", "none"]

#: The tie rules of :func:`mode`, in the order the docs list them.
TIE_BREAKS: tuple[TieBreak, ...] = get_args(TieBreak)


class Summary(NamedTuple):
    """An exact value (or ``None`` and a reason), the evidence used and its weights."""

    value: Fraction | None
    used: tuple[Evidence, ...]
    weights: tuple[Fraction, ...]
    reason: str | None = None


def _equal_share(used: Sequence[Evidence]) -> tuple[Fraction, ...]:
    return tuple(Fraction(1, len(used)) for _ in used)


def mean(history: Sequence[Evidence], *, weighted: bool = False) -> Summary:
    """Return the (evidence-weighted) mean; weights are the shares ``w_i / sum w``.

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> mean(scores_to_history([2.8, 3.2])).value
    Fraction(3, 1)
    """
    raw = [exact(e.weight) if weighted else Fraction(1) for e in history]
    total = sum(raw, Fraction(0))
    shares = tuple(w / total for w in raw)
    value = sum((s * exact(e.score) for s, e in zip(shares, history, strict=True)), Fraction(0))
    return Summary(value, tuple(history), shares)


def median(history: Sequence[Evidence]) -> Summary:
    """Return the median; with an even count, the mean of the two middle scores.

    Scores that tie are ranked oldest first, so the evidence that counts is well defined.

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> median(scores_to_history([4, 1, 3, 2])).value
    Fraction(5, 2)
    """
    ranked = sorted(range(len(history)), key=lambda i: (exact(history[i].score), i))
    count = len(ranked)
    half = count // 2
    middle = ranked[half : half + 1] if count % 2 else ranked[half - 1 : half + 1]
    chosen = sorted(middle)
    used = tuple(history[i] for i in chosen)
    value = sum((exact(e.score) for e in used), Fraction(0)) / len(used)
    return Summary(value, used, _equal_share(used))


def mode(history: Sequence[Evidence], *, tie_break: TieBreak) -> Summary:
    """Return the most frequent score; several equally frequent scores go to ``tie_break``.

    ``"highest"`` and ``"lowest"`` pick by value, ``"most_recent"`` picks the tied score that
    occurred last, and ``"none"`` gives no value, with a reason naming the tied scores. Every
    piece of evidence with the chosen score counts equally.

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> mode(scores_to_history([1, 3, 3, 1]), tie_break="most_recent").value
    Fraction(1, 1)
    >>> mode(scores_to_history([1, 3, 3, 1]), tie_break="none").reason
    'tie between the most frequent scores 1, 3'
    """
    counts: dict[Fraction, int] = {}
    last_seen: dict[Fraction, int] = {}
    for i, e in enumerate(history):
        score = exact(e.score)
        counts[score] = counts.get(score, 0) + 1
        last_seen[score] = i
    top = max(counts.values())
    tied = sorted(score for score, count in counts.items() if count == top)
    if len(tied) == 1 or tie_break == "highest":
        chosen = tied[-1]
    elif tie_break == "lowest":
        chosen = tied[0]
    elif tie_break == "most_recent":
        chosen = max(tied, key=lambda score: last_seen[score])
    else:
        names = ", ".join(_show(score) for score in tied)
        return Summary(None, (), (), f"tie between the most frequent scores {names}")
    used = tuple(e for e in history if exact(e.score) == chosen)
    return Summary(chosen, used, _equal_share(used))


def maximum(history: Sequence[Evidence]) -> Summary:
    """Return the highest score; every piece of evidence with it counts equally.

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> maximum(scores_to_history([2, 4, 4, 1])).value
    Fraction(4, 1)
    """
    best = max(exact(e.score) for e in history)
    used = tuple(e for e in history if exact(e.score) == best)
    return Summary(best, used, _equal_share(used))


def last_n(history: Sequence[Evidence], n: int) -> tuple[Evidence, ...]:
    """Return the ``n`` most recent pieces of evidence (all of them when there are fewer).

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> [e.score for e in last_n(scores_to_history([1, 2, 3]), 2)]
    [2.0, 3.0]
    """
    return tuple(history[-n:])


def highest_n(history: Sequence[Evidence], n: int) -> tuple[Evidence, ...]:
    """Return the ``n`` highest-scoring pieces of evidence, oldest first.

    Among equal scores the more recent ones are preferred.

    >>> from mastery_grading.testing.examples import scores_to_history
    >>> [e.score for e in highest_n(scores_to_history([4, 3, 3, 4]), 3)]
    [4.0, 3.0, 4.0]
    """
    ranked = sorted(range(len(history)), key=lambda i: (exact(history[i].score), i))
    return tuple(history[i] for i in sorted(ranked[-n:]))


def finish(
    summary: Summary,
    target: LearningTarget,
    policy: object,
    evidence_count: int,
    *,
    note: str | None = None,
) -> TargetResult:
    """Turn a summary into a result; a summary without a value gives ``None`` with its reason."""
    if summary.value is None:
        reason = summary.reason or "no value"
        return no_result(target, policy, reason=reason, evidence_count=evidence_count)
    return make_result(
        target,
        policy,
        summary.value,
        summary.used,
        summary.weights,
        evidence_count=evidence_count,
        reason=note,
    )


def _show(score: Fraction) -> str:
    return str(score.numerator) if score.denominator == 1 else repr(float(score))
