"""Kernels of the trend policies (:mod:`mastery_grading.policies.trend`).

Requires numpy; registered by :mod:`mastery_grading.policies.trend` and loaded on first use.
The linear trend and the best fit's mean and line are exact: with scores ``k / c`` (``c`` is
``2**GRID_BITS`` on the grid, ``10**d`` for short decimals) every value and residual is a
ratio of two integers below 2**53, which one float division rounds as the reference's
fractions do. The power law's logarithms are floats, so its values are flagged inexact.

Example:
    >>> from mastery_grading.policies import PowerLaw, kernel_for
    >>> kernel_for(PowerLaw()) is power_law_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.segments import (
    EXACT_INT,
    GRID_BITS,
    BoolArray,
    FloatArray,
    GroupReasons,
    IntArray,
    KernelOutput,
    Segments,
    decimal_ints,
    empty_values,
    grid_largest,
    largest_magnitude,
    sums,
    unanimous,
)
from mastery_grading.policies.trend import BestFit, LinearTrend, PowerLaw

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "TERMS_CHUNK",
    "best_fit_kernel",
    "linear_trend_kernel",
    "log_table",
    "power_law_fit",
    "power_law_kernel",
]

#: The number of rows per chunk of the power law's terms, small enough that a chunk's
#: temporaries stay in the processor's cache; chunks end where groups end so that each chunk's
#: sums are final.
TERMS_CHUNK = 1 << 16
#: Most grid codes (``2**GRID_BITS`` per unit, both signs) whose logarithms go in a table.
_LOG_TABLE_MAX = 1 << 16


def _hat_table(counts: IntArray) -> tuple[FloatArray, IntArray]:
    r"""Hat weights of every group length present, in one table, and where each length starts.

    For a group of ``n`` scores, :math:`h_i = 1/n + (\ln i - \overline{\ln i})\,\lambda_n`,
    :math:`\lambda_n = (\ln n - \overline{\ln i}) / S_{xx}`; the weights of every length that
    occurs take at most as many entries as there are rows. Length 1 gets ``NaN`` (no fit).
    """
    longest = int(counts.max())
    xs = np.log(np.arange(1, longest + 1, dtype=np.float64))
    sizes = np.arange(1, longest + 1, dtype=np.float64)
    mid = np.cumsum(xs) / sizes
    sxx = np.cumsum(xs * xs) - sizes * mid * mid
    present = np.flatnonzero(np.bincount(counts, minlength=longest + 1)[1:]) + 1
    offsets = np.zeros(present.size, dtype=np.int64)
    np.cumsum(present[:-1], out=offsets[1:])
    by_length = np.zeros(longest + 1, dtype=np.int64)
    by_length[present] = offsets
    size = np.repeat(present, present)
    index = np.arange(size.size) - np.repeat(offsets, present)
    with np.errstate(divide="ignore", invalid="ignore"):
        lever = (xs - mid) / sxx
        hat = 1.0 / size + (xs[index] - mid[size - 1]) * lever[size - 1]
    return hat, by_length


def log_table(seg: Segments, policy: PowerLaw) -> tuple[FloatArray, float] | None:
    """``ln`` of every grid value the scores can take, and the code offset, or ``None``.

    Scores on the grid are ``(code - offset) / 2**GRID_BITS`` for a small integer ``code``, so
    their logarithms are computed once per value and read by code. Values at or below 0 get
    ``NaN`` (``zeros="none"``: no fit) or the floor's logarithm (``zeros="floor"``).
    """
    largest = grid_largest(seg, "score")
    if largest is None:
        return None
    offset = float(largest) * 2**GRID_BITS
    if 2 * offset + 1 > _LOG_TABLE_MAX:
        return None
    values = (np.arange(int(2 * offset) + 1, dtype=np.float64) - offset) / 2**GRID_BITS
    return _logs(values, policy), offset


def _logs(scores: FloatArray, policy: PowerLaw, out: FloatArray | None = None) -> FloatArray:
    """``ln`` of each score the curve is fitted to: floored, or ``NaN`` at or below 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if policy.zeros == "floor":
            logs = np.maximum(scores, policy.floor, out=out)
            return np.log(logs, out=logs)
        logs = np.log(scores, out=out)
        np.copyto(logs, np.nan, where=scores <= 0)
        return logs


def power_law_fit(
    policy: PowerLaw, seg: Segments, *, lookup: bool | None = None
) -> tuple[FloatArray, BoolArray]:
    r"""For each non-empty group, :math:`\sum_i h_i \ln s_i` and whether its scores vary.

    The sum is ``NaN`` for one score (no fit) and, with ``zeros="none"``, for a group with a
    score at or below 0. Hat weights come from ``_hat_table``, the logarithms from one
    table per grid value (``lookup=None``: when the scores lie on the grid, ``False``: never),
    else one per row; both give the same floats. The rows are taken in cache-sized chunks that
    end at group ends, so no temporary is as long as the rows.
    """
    score, n = seg.score, seg.score.size
    if not n:
        return np.zeros(0), np.zeros(0, dtype=np.bool_)
    counts, firsts = seg.filled_counts, seg.firsts
    hat, by_length = _hat_table(counts)
    base = by_length[seg.counts] - seg.starts  # row r of group g: hat[base[g] + r]
    table = None if lookup is False else log_table(seg, policy)
    # chunk c holds the groups firsts[cuts[c]:cuts[c + 1]]
    cuts = np.searchsorted(firsts, np.arange(0, n, TERMS_CHUNK))
    cuts = np.unique(np.append(cuts, firsts.size))
    ends = np.append(firsts, n)[cuts]
    width = int(np.diff(ends).max())
    steps = np.arange(width, dtype=np.int64)
    where, codes = np.empty(width, dtype=np.int64), np.empty(width, dtype=np.intp)
    terms, logs = np.empty(width), np.empty(width)
    changed = np.empty(width, dtype=np.bool_)
    sums, varied = np.empty(firsts.size), np.empty(firsts.size, dtype=np.bool_)
    for c in range(cuts.size - 1):
        g0, g1, begin, end = int(cuts[c]), int(cuts[c + 1]), int(ends[c]), int(ends[c + 1])
        m, local = end - begin, firsts[g0:g1] - begin
        chunk = score[begin:end]
        at = where[:m]
        np.take(base, seg.group[begin:end], out=at, mode="clip")
        np.add(at, steps[:m], out=at)
        at += begin
        np.take(hat, at, out=terms[:m], mode="clip")
        if table is not None:
            scaled = logs[:m]
            np.multiply(chunk, float(2**GRID_BITS), out=scaled)
            scaled += table[1]
            np.copyto(codes[:m], scaled, casting="unsafe")  # exact: whole numbers
            np.take(table[0], codes[:m], out=logs[:m], mode="clip")
        else:
            _logs(chunk, policy, out=logs[:m])
        np.multiply(terms[:m], logs[:m], out=terms[:m])
        np.add.reduceat(terms[:m], local, out=sums[g0:g1])
        # a group's scores vary when one differs from the score before it in the group
        flags = changed[:m]
        flags[0] = False
        np.not_equal(chunk[1:], chunk[:-1], out=flags[1:])
        flags[local] = False
        np.logical_or.reduceat(flags, local, out=varied[g0:g1])
    return sums, varied


def power_law_kernel(policy: PowerLaw, seg: Segments) -> KernelOutput:
    r"""Least squares of :math:`\ln s` on :math:`\ln i` per group, read at the latest attempt.

    The hat weights :math:`h_i = 1/n + (\ln i - \overline{\ln i})\,\lambda_n` depend only on the
    group's length ``n`` and the attempt ``i``, so they come from one table of the lengths that
    occur; :math:`\ln(\text{value}) = \sum_i h_i \ln s_i` is one segment sum
    (:func:`power_law_fit`).
    """
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
    counts = seg.filled_counts
    last = seg.score[seg.lasts]
    logs, varied = power_law_fit(policy, seg)
    flat = ~varied
    with np.errstate(over="ignore", invalid="ignore"):
        fitted = np.exp(logs)
    two = counts == 2
    if policy.zeros == "floor":
        nonpositive = np.zeros(counts.shape[0], dtype=np.bool_)
        np.copyto(fitted, np.maximum(last, policy.floor), where=two)
    else:
        nonpositive = np.isnan(logs)  # a score at or below 0; or one score, which is flat
        np.copyto(fitted, last, where=two)
    del logs
    if policy.clamp:
        assert seg.scale_min is not None
        assert seg.scale_max is not None
        low, high = seg.scale_min, seg.scale_max
        if not seg.all_nonempty:
            low, high = low[seg.nonempty], high[seg.nonempty]
        np.clip(fitted, low, high, out=fitted)
    out = fitted
    np.copyto(out, last, where=flat)
    undecided = varied & nonpositive
    single = counts == 1
    if policy.single == "none":
        undecided |= single
    else:
        np.copyto(out, last, where=single)
    out[undecided] = np.nan
    inexact = ~(flat | single | two | undecided)
    reasons = GroupReasons(seg.counts.shape[0])
    if undecided.any():
        groups = np.flatnonzero(seg.nonempty)
        reasons.fill(groups[undecided & single], "the power law needs at least 2 scores; it has 1")
        reasons.fill(
            groups[undecided & ~single],
            "the power law is undefined for a score of 0 or below (ln 0); "
            'set zeros="floor" to count such scores as a floor value',
        )
    return KernelOutput(seg.per_group(out), seg.per_group(inexact, False), reasons)


# -- the linear trend and the best fit: exact integer fits ------------------------------------


def _int_scores(seg: Segments) -> tuple[FloatArray, float] | None:
    """Integers ``k`` (as floats) and ``c`` with ``score == k / c`` exactly, or ``None``.

    ``c`` is ``2**GRID_BITS`` on the grid and ``10**d`` for short decimals; ``k / c`` is then
    the decimal the reference reads each score as.
    """
    if grid_largest(seg, "score") is not None:
        return seg.score * float(2**GRID_BITS), float(2**GRID_BITS)
    ks, ds = decimal_ints(seg.score)
    return (ks, float(10**ds)) if ds >= 0 else None


def _layout(seg: Segments) -> tuple[IntArray, FloatArray, FloatArray]:
    """Per position: its non-empty group's index, its attempt ``i`` and its group's length ``n``.

    ``i`` counts from 1 for the oldest; ``i`` and ``n`` are floats.
    """
    local = seg.group if seg.all_nonempty else (np.cumsum(seg.nonempty) - 1)[seg.group]
    n = seg.counts[seg.group].astype(np.float64)
    i = (np.arange(seg.score.size) - seg.starts[seg.group] + 1).astype(np.float64)
    return local, i, n


def _clip(values: FloatArray, seg: Segments) -> FloatArray:
    """``values`` (one per non-empty group) clamped to each group's scale."""
    assert seg.scale_min is not None
    assert seg.scale_max is not None
    low, high = seg.scale_min, seg.scale_max
    if not seg.all_nonempty:
        low, high = low[seg.nonempty], high[seg.nonempty]
    return np.clip(values, low, high)


def linear_trend_kernel(policy: LinearTrend, seg: Segments) -> KernelOutput:
    r"""The least-squares line at the latest attempt, :math:`\sum_i h_i s_i`, in integers.

    The hat weights of a line through attempts :math:`1..n` are
    :math:`h_i = 2(3i - n - 1) / (n(n + 1))`, so with scores :math:`k_i / c` the value is the
    integer :math:`\sum_i 2(3i - n - 1) k_i` over :math:`n(n + 1)c`: one segment sum and one
    division, exact while the sum stays below 2**53; other scores are summed as floats and
    flagged inexact.
    """
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
    _, i, n = _layout(seg)
    weights = 2.0 * (3.0 * i - n - 1.0)
    counts = seg.filled_counts.astype(np.float64)
    longest = float(seg.counts.max())
    ints = _int_scores(seg)
    inexact = None
    if ints is not None and largest_magnitude(ints[0]) * 4.0 * longest * longest < EXACT_INT:
        values = sums(weights * ints[0], seg) / (counts * (counts + 1.0) * ints[1])
    else:
        values = sums(weights * seg.score, seg) / (counts * (counts + 1.0))
        inexact = seg.nonempty.copy()
    if policy.clamp:
        values = _clip(values, seg)
    return KernelOutput(seg.per_group(values), inexact)


#: The reason of a best fit that has no model left (only the power law, and a score <= 0).
_NO_MODEL = "no model can be fitted; power_law left out: a score of 0 or below"


def _power_curve(
    seg: Segments, local: IntArray, i: FloatArray, n: FloatArray, positive: BoolArray
) -> tuple[FloatArray, FloatArray]:
    r"""The power-law curve :math:`a\,i^b` of each group at every position, in floats.

    Returns the total absolute residual of each group and the curve at its latest attempt;
    groups with a score at or below 0 get meaningless numbers (the caller leaves them out).
    """
    longest = int(seg.counts.max())
    logs = np.log(np.arange(1, longest + 1, dtype=np.float64))
    sizes = np.arange(1, longest + 1, dtype=np.float64)
    mid = np.cumsum(logs) / sizes
    sxx = np.cumsum(logs * logs) - sizes * mid * mid
    x = logs[i.astype(np.int64) - 1] - mid[n.astype(np.int64) - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.where(positive[local], seg.score, 1.0))
        y_mid = sums(y, seg) / seg.filled_counts
        slope = sums(x * y, seg) / sxx[seg.filled_counts - 1]
        curve = np.exp(y_mid[local] + slope[local] * x)
    residual = sums(np.abs(seg.score - curve), seg)
    return residual, curve[seg.lasts]


def best_fit_kernel(policy: BestFit, seg: Segments) -> KernelOutput:
    r"""The model with the least total absolute residual, read at the latest attempt.

    The mean's and the line's residuals and values are ratios of integers (with scores
    :math:`k_i / c`, :math:`K = \sum k_i` and :math:`S = \sum (2i - n - 1) k_i`, the line's
    residual at :math:`i` is :math:`|n(n^2 - 1)k_i - (n^2 - 1)K - 3(2i - n - 1)S|` over
    :math:`n(n^2 - 1)c`), so they are the reference's floats. The power law's residual is a
    float; a group whose choice could turn on its last digits (a residual within
    :math:`10^{-12} n` times the largest score of the tie rule's cut-off) is recomputed by the
    policy (``force``), and so is every group whose scores are neither on the grid nor short
    decimals when its choice is that close.
    """
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
    local, i, n = _layout(seg)
    counts = seg.filled_counts.astype(np.float64)
    longest = float(seg.counts.max())
    flat, _ = unanimous(seg)
    last = seg.score[seg.lasts]
    ints = _int_scores(seg)
    exact_path = (
        ints is not None and largest_magnitude(ints[0]) * 5.0 * longest**4 + 1.0 < EXACT_INT
    )
    k, c = ints if ints is not None and exact_path else (seg.score, 1.0)
    total = sums(k, seg)
    mean_value = total / (counts * c)
    mean_residual = sums(np.abs(n * k - total[local]), seg) / (counts * c)
    line_value = sums(2.0 * (3.0 * i - n - 1.0) * k, seg) / (counts * (counts + 1.0) * c)
    tilt = sums((2.0 * i - n - 1.0) * k, seg)
    cube = n * (n * n - 1.0)
    error = cube * k - (n * n - 1.0) * total[local] - 3.0 * (2.0 * i - n - 1.0) * tilt[local]
    with np.errstate(divide="ignore", invalid="ignore"):
        line_residual = sums(np.abs(error), seg) / (counts * (counts * counts - 1.0) * c)
    line_residual[counts == 1] = 0.0
    inf = np.full(counts.shape[0], np.inf)
    residuals = [
        mean_residual if "mean" in policy.models else inf,
        line_residual if "linear" in policy.models else inf,
    ]
    values = [mean_value, line_value]
    curved = np.zeros(counts.shape[0], dtype=np.bool_)
    if "power_law" in policy.models:
        positive = np.logical_and.reduceat(seg.score > 0, seg.firsts)
        power_residual, power_value = _power_curve(seg, local, i, n, positive)
        curved = positive & ~flat & (counts > 2)
        power_residual = np.where(curved, power_residual, 0.0)
        residuals.append(np.where(positive, power_residual, np.inf))
        values.append(np.where(curved, power_value, last))
    table = np.stack(residuals)
    least = table.min(axis=0)
    cut = least + 1e-9
    chosen = np.argmax(table <= cut, axis=0)
    out = np.stack(values)[chosen, np.arange(counts.shape[0])]
    undecided = np.isinf(least)
    # where a float residual decides, a choice within its rounding is left to the policy
    rounded = curved if exact_path else ~undecided
    largest = np.maximum.reduceat(np.abs(seg.score), seg.firsts)
    slack = 1e-12 * counts * np.maximum(largest, 1.0)
    with np.errstate(invalid="ignore"):  # inf - inf for a model left out
        close = (np.abs(table - cut) <= slack).any(axis=0) & rounded
    if policy.clamp:
        out = _clip(out, seg)
    out[undecided] = np.nan
    inexact = (curved & (chosen == 2)) | (~undecided if not exact_path else False)
    reasons = GroupReasons(seg.counts.shape[0])
    if undecided.any():
        reasons.fill(np.flatnonzero(seg.nonempty)[undecided], _NO_MODEL)
    return KernelOutput(
        seg.per_group(out),
        seg.per_group(np.asarray(inexact, dtype=np.bool_), False),
        reasons,
        seg.per_group(close, False),
    )
