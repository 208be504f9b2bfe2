"""Kernels of the central policies (:mod:`mastery_grading.policies.central`): mean, median, mode.

Requires numpy; registered by :mod:`mastery_grading.policies.central` and loaded on first use.
The median and mode of each group are also the summaries of the windowed policies
(:mod:`~mastery_grading.policies.kernels.recency`).

Example:
    >>> from mastery_grading.policies import Median, kernel_for
    >>> kernel_for(Median()) is median_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies._summaries import TieBreak
from mastery_grading.policies.central import Mean, Median, Mode
from mastery_grading.policies.segments import (
    EXACT_INT,
    GRID_BITS,
    FloatArray,
    KernelOutput,
    Segments,
    by_score,
    decimal_ints,
    empty_values,
    grid_largest,
    largest_magnitude,
    score_ints,
    segment_ratio_exact,
    sums,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    #: A score's code among a gradebook's few distinct scores (at most 64): one byte a row.
    ScoreCodes = npt.NDArray[np.int8]
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "mean_kernel",
    "median_kernel",
    "median_values",
    "middle_scores",
    "mode_kernel",
    "mode_values",
    "plain_mean",
]


def mean_kernel(policy: Mean, seg: Segments) -> KernelOutput:
    """Weighted mean: exact float sums on the grid, else exact integer sums of short decimals."""
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
    weight = seg.weight if policy.weighted else None
    longest = float(seg.counts.max())
    grid = float(2**GRID_BITS)
    x_largest = grid_largest(seg, "score")
    if x_largest is not None and weight is None and x_largest * grid * longest < EXACT_INT:
        return KernelOutput(seg.per_group(sums(seg.score, seg) / seg.filled_counts))
    if weight is not None and x_largest is not None:
        w_largest = grid_largest(seg, "weight")
        if w_largest is not None and (x_largest + 1) * w_largest * grid * grid * longest < (
            EXACT_INT
        ):
            return KernelOutput(seg.per_group(sums(seg.score * weight, seg) / sums(weight, seg)))
    ks, ds = decimal_ints(seg.score)
    kw, dw = (np.ones(1), 0) if weight is None else decimal_ints(weight)
    bound = largest_magnitude(ks) * (largest_magnitude(kw) or 1.0) * seg.score.size
    if ds >= 0 and dw >= 0 and bound < EXACT_INT:
        if weight is None:
            num, den = sums(ks, seg), seg.filled_counts
        else:
            num, den = sums(ks * kw, seg), sums(kw, seg)
        del ks, kw
        exact_values, ok = segment_ratio_exact(num, den, 10**ds)
        return KernelOutput(seg.per_group(exact_values), seg.per_group(~ok, False))
    del ks, kw
    if weight is None:
        values = sums(seg.score, seg) / seg.filled_counts
    else:
        values = sums(seg.score * weight, seg) / sums(weight, seg)
    return KernelOutput(seg.per_group(values), seg.nonempty.copy())


_UNWEIGHTED = Mean(weighted=False)


def plain_mean(seg: Segments) -> KernelOutput:
    """Unweighted mean per group, exact when scores are short decimals."""
    return mean_kernel(_UNWEIGHTED, seg)


#: The counting median is used when the scores take at most this many distinct values.
_COUNTING_MAX_VALUES = 64


def middle_scores(seg: Segments, *, counting: bool | None = None) -> tuple[FloatArray, FloatArray]:
    """The lower and upper middle score of each non-empty group (equal for odd counts).

    Scores on a grid (a handful of distinct short decimals, as on any rubric) are counted per
    (group, score) with one ``bincount``, and the middle ranks read from the running counts:
    no sort, O(rows + groups x distinct scores) work and memory. Other scores are sorted by
    (group, score). ``counting`` forces one way (``None``: counting when it fits).
    """
    counts = seg.filled_counts
    lower_rank, upper_rank = (counts - 1) // 2, counts // 2
    codes, table = _grid_codes(seg, counting)
    if codes is not None and table is not None:
        n_groups, width = seg.counts.shape[0], table.size
        per_value = np.bincount(seg.group * width + codes, minlength=n_groups * width)
        running = per_value.reshape(n_groups, width)
        if not seg.all_nonempty:
            running = running[seg.nonempty]
        del per_value
        np.cumsum(running, axis=1, out=running)
        # the k-th smallest score (k from 0) is the first value whose running count exceeds k
        low = table[(running <= lower_rank[:, None]).sum(axis=1)]
        high = table[(running <= upper_rank[:, None]).sum(axis=1)]
        return low, high
    _, ordered = by_score(seg)
    starts = seg.firsts
    return ordered[starts + lower_rank], ordered[starts + upper_rank]


def _grid_codes(
    seg: Segments, counting: bool | None
) -> tuple[ScoreCodes | None, FloatArray | None]:
    """The score codes of :func:`_score_codes` when counting should be used, else ``None``.

    ``counting=None`` counts when the (group, score) table is at most about twice the rows;
    ``True`` counts whenever the scores allow it; ``False`` never counts.
    """
    if counting is False:
        return None, None
    codes, table = _score_codes(seg)
    if table is None:
        return None, None
    if counting is None and seg.counts.shape[0] * table.size > 2 * seg.score.size + 1024:
        return None, None
    return codes, table


def _score_codes(seg: Segments) -> tuple[ScoreCodes | None, FloatArray | None]:
    """Dense codes ``0..d-1`` of the scores in increasing order, and the score of each code.

    ``(None, None)`` when the scores are not short decimals, spread over too wide a range of
    them, or take more than ``_COUNTING_MAX_VALUES`` distinct values.
    """
    score = seg.score
    ks = score_ints(seg)
    if ks is None or not ks.size:
        return None, None
    low = int(ks.min())
    span = int(ks.max()) - low + 1
    if span > 64 * _COUNTING_MAX_VALUES:
        return None, None
    ks -= low
    offsets = ks.astype(np.int32)  # below 64 * _COUNTING_MAX_VALUES
    del ks
    seen = np.bincount(offsets, minlength=span) > 0
    if int(seen.sum()) > _COUNTING_MAX_VALUES:
        return None, None
    # one byte a row (at most _COUNTING_MAX_VALUES codes): 70 MB less than int64 at 10^7 rows
    codes = (np.cumsum(seen) - 1).astype(np.int8)[offsets]
    table = np.empty(int(codes.max()) + 1)
    table[codes] = score  # equal short-decimal integers are equal floats
    return codes, table


def median_values(seg: Segments, *, counting: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The median of each group and where it is not known to be exact."""
    if not seg.score.size:
        return empty_values(seg), np.zeros(seg.counts.shape[0], dtype=np.bool_)
    low, high = middle_scores(seg, counting=counting)
    if grid_largest(seg, "score") is not None:
        # exact: the sum of two grid values is a float
        return seg.per_group((low + high) / 2), np.zeros(seg.counts.shape[0], dtype=np.bool_)
    ks, ds = decimal_ints(np.concatenate([low, high]))
    if ds >= 0:
        k_low, k_high = ks[: low.size], ks[low.size :]
        exact_values, ok = segment_ratio_exact(k_low + k_high, np.full_like(k_low, 2), 10**ds)
        values, inexact = np.where(ok, exact_values, (low + high) / 2), ~ok
    else:
        values, inexact = np.where(low == high, low, (low + high) / 2), low != high
    return seg.per_group(values), seg.per_group(inexact, False)


def median_kernel(policy: Median, seg: Segments) -> KernelOutput:
    """The middle score(s) of each group, counted on a grid of scores or found by sorting."""
    values, inexact = median_values(seg)
    return KernelOutput(values, inexact)


def mode_values(
    seg: Segments, tie_break: TieBreak, *, counting: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The mode of each group, and the groups left undecided by a ``"none"`` tie.

    Scores on a grid are counted per (group, score) as for the median (see
    :func:`middle_scores`); other scores are sorted by (group, score), which makes equal scores
    runs: a run's length is the score's count and its largest chronological position is when
    it last occurred. ``counting`` forces one way (``None``: counting when it fits).
    """
    n_groups = seg.counts.shape[0]
    values = empty_values(seg)
    tied_none = np.zeros(n_groups, dtype=np.bool_)
    if not seg.score.size:
        return values, tied_none
    codes, table = _grid_codes(seg, counting)
    if codes is not None and table is not None:
        return _counted_mode(seg, tie_break, codes, table)
    order, ordered = by_score(seg)
    group = seg.group[order]
    new_run = np.ones(ordered.size, dtype=np.bool_)
    new_run[1:] = (group[1:] != group[:-1]) | (ordered[1:] != ordered[:-1])
    run_starts = np.flatnonzero(new_run)
    del new_run
    run_length = np.diff(np.append(run_starts, ordered.size))
    run_group = group[run_starts]
    run_value = ordered[run_starts]
    del group, ordered
    run_last = np.maximum.reduceat(order, run_starts) if tie_break == "most_recent" else None
    del order, run_starts
    group_first_run = np.flatnonzero(np.r_[True, run_group[1:] != run_group[:-1]])
    groups = run_group[group_first_run]
    top = np.maximum.reduceat(run_length, group_first_run)
    run_top = run_length == np.repeat(top, np.diff(np.append(group_first_run, run_group.size)))
    n_top = np.add.reduceat(run_top.astype(np.int64), group_first_run)
    if tie_break in ("highest", "none"):
        chosen = np.maximum.reduceat(np.where(run_top, run_value, -np.inf), group_first_run)
    elif tie_break == "lowest":
        chosen = np.minimum.reduceat(np.where(run_top, run_value, np.inf), group_first_run)
    else:
        assert run_last is not None
        latest = np.maximum.reduceat(np.where(run_top, run_last, -1), group_first_run)
        pick = run_top & (
            run_last == np.repeat(latest, np.diff(np.append(group_first_run, run_group.size)))
        )
        chosen = np.maximum.reduceat(np.where(pick, run_value, -np.inf), group_first_run)
    values[groups] = chosen
    if tie_break == "none":
        tied_none[groups[n_top > 1]] = True
    return values, tied_none


def _counted_mode(
    seg: Segments, tie_break: TieBreak, codes: ScoreCodes, table: FloatArray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`mode_values` by counting each (group, score code) pair: no sort."""
    n_groups, width = seg.counts.shape[0], table.size
    key = seg.group * width + codes
    counts = np.bincount(key, minlength=n_groups * width).reshape(n_groups, width)
    top = counts.max(axis=1)
    tied = (counts == top[:, None]) & (counts > 0)
    if tie_break in ("highest", "none"):
        pick = width - 1 - np.argmax(tied[:, ::-1], axis=1)
    elif tie_break == "lowest":
        pick = np.argmax(tied, axis=1)
    else:
        # the latest position of each (group, score): positions are chronological in a group
        last = np.full(n_groups * width, -1, dtype=np.int64)
        np.maximum.at(last, key, np.arange(key.size, dtype=np.int64))
        pick = np.argmax(np.where(tied, last.reshape(n_groups, width), -1), axis=1)
    ne = seg.nonempty
    values = empty_values(seg)
    values[ne] = table[pick[ne]]
    tied_none = np.zeros(n_groups, dtype=np.bool_)
    if tie_break == "none":
        tied_none[ne] = tied.sum(axis=1)[ne] > 1
    return values, tied_none


def mode_kernel(policy: Mode, seg: Segments) -> KernelOutput:
    """Counts of each score per group (or runs after a sort); ``"none"`` ties: the reference."""
    values, tied = mode_values(seg, policy.tie_break)
    return KernelOutput(values, force=tied)
