"""Metric functions: small, pure, checked by hand on tiny cases.

Estimates are float arrays in which ``nan`` stands for "no result" (a policy that cannot decide
yet). Error metrics skip those students; classification metrics count "no result" as not
mastered, because that is what a report card would show.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = [
    "agreement",
    "assessments_until_stable",
    "bias",
    "cohens_kappa",
    "false_mastered_rate",
    "false_not_yet_rate",
    "half_level",
    "mean_abs_change",
    "rmse",
    "share",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def _pair(estimates: Any, truths: Any) -> tuple[FloatArray, FloatArray]:
    e = np.asarray(estimates, dtype=float)
    t = np.asarray(truths, dtype=float)
    if e.shape != t.shape:
        msg = f"estimates of shape {e.shape} and truths of shape {t.shape} must match"
        raise InvalidValueError(msg)
    keep = ~np.isnan(e)
    return e[keep], t[keep]


def rmse(estimates: Any, truths: Any) -> float:
    """Return the root mean squared error of the decided estimates (``nan`` if none).

    >>> rmse([1.0, 3.0], [2.0, 2.0])
    1.0
    >>> rmse([float("nan"), 4.0], [0.0, 1.0])
    3.0
    """
    e, t = _pair(estimates, truths)
    return float(np.sqrt(np.mean((e - t) ** 2))) if e.size else math.nan


def bias(estimates: Any, truths: Any) -> float:
    """Return the mean signed error (estimate minus truth) of the decided estimates.

    Negative means the policy underestimates.

    >>> bias([1.0, 2.0, 4.0], [2.0, 2.0, 2.0])
    0.3333333333333333
    """
    e, t = _pair(estimates, truths)
    return float(np.mean(e - t)) if e.size else math.nan


def share(flags: Any) -> float:
    """Return the share of true values (``nan`` for an empty array).

    >>> share([True, False, False, True])
    0.5
    """
    f = np.asarray(flags, dtype=bool)
    return float(f.mean()) if f.size else math.nan


def agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return the share of positions where two label sequences agree.

    >>> agreement(["meets", "approaching", "meets"], ["meets", "meets", "meets"])
    0.6666666666666666
    """
    if len(a) != len(b):
        msg = f"label sequences of lengths {len(a)} and {len(b)} must match"
        raise InvalidValueError(msg)
    return share([x == y for x, y in zip(a, b, strict=True)])


def false_not_yet_rate(estimated_mastered: Any, truly_mastered: Any) -> float:
    """Return the share of truly mastered students whom the estimate calls "not yet".

    ``nan`` when no student has truly mastered the target.

    >>> false_not_yet_rate([True, False, False, True], [True, True, False, False])
    0.5
    """
    est = np.asarray(estimated_mastered, dtype=bool)
    truth = np.asarray(truly_mastered, dtype=bool)
    return share(~est[truth])


def false_mastered_rate(estimated_mastered: Any, truly_mastered: Any) -> float:
    """Return the share of truly not-yet students whom the estimate calls mastered.

    >>> false_mastered_rate([True, False, False, True], [True, True, False, False])
    0.5
    """
    est = np.asarray(estimated_mastered, dtype=bool)
    truth = np.asarray(truly_mastered, dtype=bool)
    return share(est[~truth])


def mean_abs_change(before: Any, after: Any) -> float:
    """Return the mean absolute change between two estimates (both decided).

    Used for jitter: ``before`` is the result, ``after`` the result with the last score re-drawn.

    >>> mean_abs_change([2.0, 3.0, float("nan")], [2.5, 2.0, 1.0])
    0.75
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    return float(np.mean(np.abs(a[keep] - b[keep]))) if keep.any() else math.nan


def half_level(values: Any, scale: Scale) -> FloatArray:
    """Return "half a level" at each value: half the width of the scale level it lies in.

    A level runs from its ``minimum`` up to the next level's minimum; the top level runs up to
    the scale's maximum. A top level that starts at the maximum itself (Marzano's "exceeds" at
    4) has no width, so it borrows the width of the level below it. Values below the scale's
    minimum count as in the lowest level.

    This is the default tolerance of ``assessments_to_stable`` in
    :func:`~mastery_grading.simulation.compare`. On Marzano's 0-4 scale (levels from 0, 2, 3
    and 4) it is 1.0 in "not yet" and 0.5 above; on a percent scale with levels from 0 and 80
    it is 40 below 80 and 10 from 80 up.

    Args:
        values: Values on the scale (a number or an array).
        scale: The scale whose levels are used.

    Returns:
        An array of the same shape as ``values``.

    Example:
        >>> from mastery_grading import Scale
        >>> half_level([0.0, 1.9, 2.0, 3.5, 4.0], Scale.marzano()).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.5]
        >>> half_level([50.0, 80.0, 100.0], Scale.percent()).tolist()
        [40.0, 10.0, 10.0]
    """
    minimums = np.array([level.minimum for level in scale.levels], dtype=float)
    widths = np.diff(np.append(minimums, float(scale.max)))
    if widths.size > 1 and widths[-1] == 0:
        widths[-1] = widths[-2]
    v = np.asarray(values, dtype=float)
    index = np.clip(np.searchsorted(minimums, v, side="right") - 1, 0, widths.size - 1)
    result: FloatArray = widths[index] / 2
    return result


def assessments_until_stable(
    running: Sequence[float | None], truths: Sequence[float], tolerance: float | Sequence[float]
) -> int | None:
    """Return after how many pieces of evidence the estimate stays within ``tolerance``.

    ``running[k]`` is the estimate after the first ``k + 1`` pieces of evidence and
    ``truths[k]`` the true level at that moment. The answer is the smallest ``k`` (counting
    from 1) such that this and every later estimate lies within ``tolerance`` of the truth, or
    ``None`` when even the final estimate does not. A missing estimate (``None`` or ``nan``)
    is never within tolerance. ``tolerance`` is one number, or one per moment (such as
    :func:`half_level` of the truths).

    >>> assessments_until_stable([1.0, 3.5, 2.0, 2.6, 2.4], [2.5] * 5, 0.5)
    3
    >>> assessments_until_stable([2.5, 1.0], [2.5, 2.5], 0.5) is None
    True
    >>> assessments_until_stable([3.0, 2.0, 1.8], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    2
    """
    if len(running) != len(truths):
        msg = f"running of length {len(running)} and truths of length {len(truths)} must match"
        raise InvalidValueError(msg)
    if isinstance(tolerance, int | float):
        tolerances: Sequence[float] = [float(tolerance)] * len(truths)
    else:
        tolerances = tolerance
        if len(tolerances) != len(truths):
            msg = (
                f"tolerance of length {len(tolerances)} and truths of length {len(truths)} "
                "must match"
            )
            raise InvalidValueError(msg)
    stable: int | None = None
    for k in range(len(running) - 1, -1, -1):
        value = running[k]
        if value is None or math.isnan(value) or abs(value - truths[k]) > tolerances[k]:
            break
        stable = k + 1
    return stable


def cohens_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    r"""Return Cohen's kappa, the agreement of two raters beyond chance.

    :math:`\kappa = (p_o - p_e) / (1 - p_e)` where :math:`p_o` is the observed agreement and
    :math:`p_e = \sum_\ell p_a(\ell)\,p_b(\ell)` the agreement expected by chance. It is ``nan``
    when chance agreement is already 1 (both raters always give the same single label).

    >>> cohens_kappa(["A", "A", "B", "B"], ["A", "B", "B", "B"])
    0.5
    >>> cohens_kappa(["A", "B"], ["B", "A"])
    -1.0
    """
    if len(a) != len(b):
        msg = f"label sequences of lengths {len(a)} and {len(b)} must match"
        raise InvalidValueError(msg)
    n = len(a)
    if n == 0:
        return math.nan
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    counts_a: dict[Hashable, int] = {}
    counts_b: dict[Hashable, int] = {}
    for x, y in zip(a, b, strict=True):
        counts_a[x] = counts_a.get(x, 0) + 1
        counts_b[y] = counts_b.get(y, 0) + 1
    expected = sum(counts_a[k] * counts_b.get(k, 0) for k in counts_a) / (n * n)
    if expected == 1:
        return math.nan
    return (observed - expected) / (1 - expected)
