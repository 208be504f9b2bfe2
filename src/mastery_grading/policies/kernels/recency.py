"""Kernels of the recency policies (:mod:`mastery_grading.policies.recency`).

Requires numpy; registered by :mod:`mastery_grading.policies.recency` and loaded on first use.
"The last ``n``" is a mask over the sorted positions, compressed into new segments, so every
windowed policy reuses the kernel of its summary (mean, median, mode).

Example:
    >>> from mastery_grading.policies import MostRecent, kernel_for
    >>> kernel_for(MostRecent()) is most_recent_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading._numbers import exact
from mastery_grading.policies.kernels.central import median_values, mode_values, plain_mean
from mastery_grading.policies.recency import (
    DecayingAverage,
    MeanOfRecent,
    MedianOfRecent,
    ModeOfRecent,
    MostRecent,
    WeightedAverage,
)
from mastery_grading.policies.segments import (
    EXACT_INT,
    GRID_BITS,
    FloatArray,
    KernelOutput,
    Segments,
    back_positions,
    compress,
    decimal_ints,
    empty_values,
    grid_largest,
    largest_magnitude,
    segment_ratio_exact,
    sums,
    unanimous,
)

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "decaying_average_kernel",
    "decaying_weights",
    "mean_of_recent_kernel",
    "median_of_recent_kernel",
    "mode_of_recent_kernel",
    "most_recent_kernel",
    "weighted_average_kernel",
]


def most_recent_kernel(policy: MostRecent, seg: Segments) -> KernelOutput:
    """The score at the last position of each group."""
    return KernelOutput(seg.per_group(seg.score[seg.lasts]))


def decaying_weights(rate: float, seg: Segments) -> FloatArray:
    """Weight of each position: ``r (1-r)^j``, ``j`` counted back from the group's last item.

    The first item of a group gets ``(1-r)^(n-1)``. Powers come from one table of ``(1-r)^j``
    for ``j`` below the longest group, so nothing is raised to a negative power and long
    groups underflow harmlessly to 0 for their oldest items.
    """
    r = float(exact(rate))
    keep = float(1 - exact(rate))
    if seg.score.size == 0:
        return seg.score.copy()
    back = seg.ends[seg.group] - 1 - np.arange(seg.score.size)
    table = keep ** np.arange(int(seg.counts.max()), dtype=np.float64)
    weights: FloatArray = r * table[back]
    firsts = seg.firsts
    weights[firsts] = table[back[firsts]]
    return weights


def decaying_average_kernel(policy: DecayingAverage, seg: Segments) -> KernelOutput:
    """Closed-form weights times scores, summed per group; unanimous groups are exact."""
    if seg.score.size:
        weighted = sums(decaying_weights(policy.rate, seg) * seg.score, seg)
        same, low = unanimous(seg)
        return KernelOutput(
            seg.per_group(np.where(same, low, weighted)), seg.per_group(~same, False)
        )
    return KernelOutput(empty_values(seg))


def mean_of_recent_kernel(policy: MeanOfRecent, seg: Segments) -> KernelOutput:
    """The plain mean of the last ``n`` positions of each group."""
    return plain_mean(compress(seg, back_positions(seg) < policy.n))


def median_of_recent_kernel(policy: MedianOfRecent, seg: Segments) -> KernelOutput:
    """The median of the last ``n`` positions of each group."""
    values, inexact = median_values(compress(seg, back_positions(seg) < policy.n))
    return KernelOutput(values, inexact)


def mode_of_recent_kernel(policy: ModeOfRecent, seg: Segments) -> KernelOutput:
    """The mode of the last ``n`` positions of each group."""
    values, tied = mode_values(compress(seg, back_positions(seg) < policy.n), policy.tie_break)
    return KernelOutput(values, force=tied)


def weighted_average_kernel(policy: WeightedAverage, seg: Segments) -> KernelOutput:
    """``w s_n + (1 - w) mean(s_1..s_{n-1})``, exact in integers; floats only where that fails.

    With ``w = a / b`` (a short decimal) and scores ``k / c`` (``c`` is ``2**GRID_BITS`` on the
    grid, where the float sums are exact, or ``10**d`` for short decimals), the value is
    ``(a k_n (n - 1) + (b - a) sum(k_1..k_{n-1})) / (b (n - 1) c)``: a ratio of two exact
    integers, which one float division rounds as the reference does.
    """
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
    last = seg.score[seg.lasts]
    counts = seg.filled_counts
    longest = float(counts.max())
    single = counts == 1
    n_older = np.maximum(counts - 1, 1)
    kw, dw = decimal_ints(np.asarray([policy.weight]))
    scale_w = 10**dw
    largest = grid_largest(seg, "score")
    grid = 2**GRID_BITS
    if (
        dw >= 0
        and largest is not None
        and max(largest * grid, 1.0) * scale_w * longest * 2 < EXACT_INT
        and longest * scale_w * grid < EXACT_INT
    ):
        # every sum, product and the denominator is an integer below 2**53 (times 1/c for the
        # sums): exact floats, so the one division rounds as the reference does
        a = float(kw[0])
        older = sums(seg.score, seg)  # exact: every partial sum is on the grid
        older -= last
        older *= (scale_w - a) * grid
        num = last * (a * grid)
        num *= n_older
        num += older
        del older
        values = num
        values /= n_older * float(scale_w * grid)
        np.copyto(values, last, where=single)
        return KernelOutput(seg.per_group(values))
    values = np.full(counts.shape[0], np.nan)
    k_last = k_older = None
    scale = 1
    ks, ds = decimal_ints(seg.score) if dw >= 0 else (np.zeros(0), -1)
    if ds >= 0:
        scale = 10**ds
        k_last = ks[seg.lasts]
        k_older = sums(ks, seg) - k_last
        largest = largest_magnitude(ks)
    del ks
    ok = np.zeros(counts.shape[0], dtype=np.bool_)
    if (
        k_last is not None
        and k_older is not None
        and largest is not None
        and max(largest, 1.0) * scale_w * longest * 2 < EXACT_INT
    ):
        a = float(kw[0])
        num = a * k_last * n_older + (scale_w - a) * k_older
        values, ok = segment_ratio_exact(num, n_older * scale_w, scale)
    ok |= single
    np.copyto(values, last, where=single)
    rest = ~ok
    if rest.any():
        w = float(exact(policy.weight))
        older = (sums(seg.score, seg)[rest] - last[rest]) / n_older[rest]
        values[rest] = w * last[rest] + (1 - w) * older
    return KernelOutput(seg.per_group(values), seg.per_group(rest, False))
