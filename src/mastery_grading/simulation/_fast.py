"""Vectorized running estimates for built-in policies whose float result is exact enough.

A kernel maps a score matrix (students x assessments, oldest first, every evidence weight 1)
to the matrix of running estimates: column ``k`` is the result after the first ``k + 1``
scores, ``nan`` where the policy gives no result. Kernels compute in floats;
:mod:`mastery_grading.simulation.compare` recomputes every final value that is missing or
lies within a hair of a level threshold with the policy itself, so levels, mastery and letters
always equal the exact scalar path. Kernels are found by the policy's registered spec name and
used only for the registered class itself, never for a subclass or a look-alike, and only on
histories for which :func:`kernels_apply` holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from mastery_grading.evidence import Evidence, chronological_key
from mastery_grading.policies._spec import POLICIES
from mastery_grading.targets import LearningTarget

Matrix = np.ndarray[Any, np.dtype[np.float64]]
Kernel = Callable[[Matrix], Matrix]
Window = Callable[[Matrix], Matrix]


def _order(evidence: Evidence) -> tuple[Any, ...]:
    """What orders two pieces of evidence before their scores do (see ``chronological_key``)."""
    return (evidence.observed_at, evidence.attempt, evidence.source_id, evidence.kind)


def kernels_apply(histories: Iterable[Sequence[Evidence]], target: LearningTarget) -> bool:
    """Return whether the kernels give the policies' own results on these histories.

    A kernel sees only the scores, in the order given, so it needs:

    - every evidence weight to be 1 (the weighted mean weighs scores by it);
    - every history to be non-empty and in chronological order, with no two neighbours
      ordered only by their scores: then the given order is the policies' own, and raising or
      re-drawing a score (the monotonicity and jitter checks) does not reorder the history.
      Evidence kind, attempt and assessment id reach the built-ins with kernels only through
      this order;
    - every piece of evidence to be on ``target`` with a score on its scale (otherwise the
      policy raises an error, which the kernel would not).

    Example:
        >>> import attrs
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> t = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> plain = Evidence(student_id="s", target_id="T", score=3, observed_at=t)
        >>> weighted = attrs.evolve(plain, weight=2.0)
        >>> kernels_apply([[plain]], target), kernels_apply([[weighted]], target)
        (True, False)
    """
    scale = target.scale
    for history in histories:
        if not history:
            return False
        previous: Evidence | None = None
        for evidence in history:
            if (
                evidence.weight != 1
                or evidence.target_id != target.id
                or not scale.contains(evidence.score)
            ):
                return False
            if previous is not None and not (
                _order(previous) != _order(evidence)
                and chronological_key(previous) < chronological_key(evidence)
            ):
                return False
            previous = evidence
    return True


def _running(summary: Window, n: int | None = None) -> Kernel:
    """Apply a row summary to every prefix (or to its last ``n`` scores)."""

    def kernel(scores: Matrix) -> Matrix:
        out = np.empty_like(scores)
        for k in range(scores.shape[1]):
            low = 0 if n is None else max(0, k + 1 - n)
            out[:, k] = summary(scores[:, low : k + 1])
        return out

    def final(scores: Matrix) -> Matrix:
        low = 0 if n is None else max(0, scores.shape[1] - n)
        return summary(scores[:, low:])

    kernel.final = final  # type: ignore[attr-defined]
    return kernel


def final_values(kernel: Kernel, scores: Matrix) -> Matrix:
    """Return only the result after every score (the last column of the kernel)."""
    final: Kernel | None = getattr(kernel, "final", None)
    if final is not None:
        return final(scores)
    return kernel(scores)[:, -1]


def _mean(window: Matrix) -> Matrix:
    result: Matrix = window.sum(axis=1) / window.shape[1]
    return result


def _median(window: Matrix) -> Matrix:
    result: Matrix = np.median(window, axis=1)
    return result


def _maximum(window: Matrix) -> Matrix:
    result: Matrix = window.max(axis=1)
    return result


def _mean_of_highest(n: int) -> Window:
    def summary(window: Matrix) -> Matrix:
        return _mean(np.sort(window, axis=1)[:, -n:])

    return summary


def _mode(tie_break: str) -> Window:
    def summary(window: Matrix) -> Matrix:
        counts = (window[:, :, None] == window[:, None, :]).sum(axis=2)
        tied = counts == counts.max(axis=1, keepdims=True)
        highest: Matrix = np.where(tied, window, -np.inf).max(axis=1)
        lowest: Matrix = np.where(tied, window, np.inf).min(axis=1)
        if tie_break == "highest":
            return highest
        if tie_break == "lowest":
            return lowest
        if tie_break == "most_recent":
            last = window.shape[1] - 1 - np.argmax(tied[:, ::-1], axis=1)
            result: Matrix = window[np.arange(window.shape[0]), last]
            return result
        return np.where(highest == lowest, highest, np.nan)

    return summary


def _decaying(rate: float) -> Kernel:
    def kernel(scores: Matrix) -> Matrix:
        out = np.empty_like(scores)
        current = scores[:, 0].copy()
        out[:, 0] = current
        for k in range(1, scores.shape[1]):
            # d + r (s - d) leaves a constant history exactly constant
            current = current + rate * (scores[:, k] - current)
            out[:, k] = current
        return out

    return kernel


def _latest_against_rest(weight: float) -> Window:
    def summary(window: Matrix) -> Matrix:
        if window.shape[1] == 1:
            return window[:, 0].copy()
        result: Matrix = weight * window[:, -1] + (1 - weight) * _mean(window[:, :-1])
        return result

    return summary


def _n_times(n: int, mastery: float) -> Window:
    def summary(window: Matrix) -> Matrix:
        kept = window >= mastery
        count = kept.sum(axis=1)
        total = np.where(kept, window, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            result: Matrix = np.where(count >= n, total / np.maximum(count, 1), np.nan)
        return result

    return summary


def kernel_for(policy: Any, mastery: float) -> Kernel | None:
    """Return the running-estimate kernel of a built-in policy, or ``None`` if it has none.

    Args:
        policy: The policy.
        mastery: The target's mastery threshold (for policies that count mastery scores).
    """
    name = getattr(policy, "spec_name", None)
    if not isinstance(name, str) or POLICIES.get(name) is not type(policy):
        return None
    makers: dict[str, Callable[[], Kernel]] = {
        "mean": lambda: _running(_mean),
        "most_recent": lambda: _running(lambda w: w[:, -1].copy()),
        "decaying_average": lambda: _decaying(policy.rate),
        "median": lambda: _running(_median),
        "mode": lambda: _running(_mode(policy.tie_break)),
        "highest": lambda: _running(_maximum),
        "mean_of_highest": lambda: _running(_mean_of_highest(policy.n)),
        "highest_of_recent": lambda: _running(_maximum, policy.n),
        "mean_of_recent": lambda: _running(_mean, policy.n),
        "median_of_recent": lambda: _running(_median, policy.n),
        "mode_of_recent": lambda: _running(_mode(policy.tie_break), policy.n),
        "weighted_average": lambda: _running(_latest_against_rest(policy.weight)),
        "n_times": lambda: _running(_n_times(policy.n, mastery)),
    }
    make = makers.get(name)
    return None if make is None else make()
