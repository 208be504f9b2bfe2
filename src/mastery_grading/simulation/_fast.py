"""Vectorized running estimates for built-in policies whose float result is exact enough.

A kernel maps a score matrix (students x assessments, oldest first, every evidence weight 1)
to the matrix of running estimates: column ``k`` is the result after the first ``k + 1``
scores. Kernels compute in floats; :mod:`mastery_grading.simulation.compare` recomputes any
final value lying within a hair of a level threshold with the policy itself, so levels,
mastery and letters always equal the exact scalar path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mastery_grading.policies import DecayingAverage, Mean, MostRecent

Matrix = np.ndarray[Any, np.dtype[np.float64]]
Kernel = Callable[[Matrix], Matrix]


def _running_mean(scores: Matrix) -> Matrix:
    counts = np.arange(1, scores.shape[1] + 1, dtype=float)
    result: Matrix = np.cumsum(scores, axis=1) / counts
    return result


def _running_latest(scores: Matrix) -> Matrix:
    return scores.copy()


def _decaying(rate: float) -> Kernel:
    def running(scores: Matrix) -> Matrix:
        out = np.empty_like(scores)
        current = scores[:, 0].copy()
        out[:, 0] = current
        for k in range(1, scores.shape[1]):
            # d + r (s - d) leaves a constant history exactly constant
            current = current + rate * (scores[:, k] - current)
            out[:, k] = current
        return out

    return running


def kernel_for(policy: Any) -> Kernel | None:
    """Return the running-estimate kernel of a built-in policy, or ``None`` if it has none."""
    kind = type(policy)
    if kind is Mean:
        return _running_mean
    if kind is MostRecent:
        return _running_latest
    if kind is DecayingAverage:
        return _decaying(policy.rate)
    return None
