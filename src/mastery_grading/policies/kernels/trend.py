"""Kernel of the power law (:mod:`mastery_grading.policies.trend`).

Requires numpy; registered by :mod:`mastery_grading.policies.trend` and loaded on first use.

Example:
    >>> from mastery_grading.policies import PowerLaw, kernel_for
    >>> kernel_for(PowerLaw()) is power_law_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.segments import (
    GRID_BITS,
    BoolArray,
    FloatArray,
    GroupReasons,
    IntArray,
    KernelOutput,
    Segments,
    empty_values,
    grid_largest,
)
from mastery_grading.policies.trend import PowerLaw

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["TERMS_CHUNK", "log_table", "power_law_fit", "power_law_kernel"]

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
