"""Kernels of the catalogue policies: peaks, windows of recent scores, median, mode, n-times.

Windows ("the last ``n``", "the ``n`` highest", "scores at or above mastery") are masks over the
sorted positions, compressed into new segments, so every windowed policy reuses the kernel of its
summary (mean, median, mode, maximum).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from mastery_grading._numbers import exact
from mastery_grading.gradebook._engine._columns import BoolArray, FloatArray, IntArray, micros
from mastery_grading.gradebook._engine._kernels import (
    _EXACT_INT,
    GRID_BITS,
    KERNELS,
    GroupReasons,
    KernelOutput,
    Segments,
    _empty,
    _first_positions,
    _largest,
    _sums,
    back_positions,
    by_score,
    compress,
    decimal_ints,
    grid_largest,
    kernel,
    maximum_kernel_values,
    plain_mean,
    score_ints,
    segment_ratio_exact,
)
from mastery_grading.policies.central import Median, Mode
from mastery_grading.policies.count import NTimes
from mastery_grading.policies.peak import Highest, HighestOfRecent, MeanOfHighest
from mastery_grading.policies.recency import (
    MeanOfRecent,
    MedianOfRecent,
    ModeOfRecent,
    WeightedAverage,
)
from mastery_grading.policies.rules import INSUFFICIENT, Filtered
from mastery_grading.policies.trend import PowerLaw

__all__ = ["median_values", "mode_values"]


@kernel(Highest)
def highest_kernel(policy: Highest, seg: Segments) -> KernelOutput:
    """``np.maximum.reduceat``: exact."""
    return KernelOutput(maximum_kernel_values(seg))


@kernel(HighestOfRecent)
def highest_of_recent_kernel(policy: HighestOfRecent, seg: Segments) -> KernelOutput:
    """The highest of the last ``n`` positions of each group."""
    return KernelOutput(maximum_kernel_values(compress(seg, back_positions(seg) < policy.n)))


@kernel(MeanOfRecent)
def mean_of_recent_kernel(policy: MeanOfRecent, seg: Segments) -> KernelOutput:
    """The plain mean of the last ``n`` positions of each group."""
    return plain_mean(compress(seg, back_positions(seg) < policy.n))


@kernel(MeanOfHighest)
def mean_of_highest_kernel(policy: MeanOfHighest, seg: Segments) -> KernelOutput:
    """The plain mean of the ``n`` highest scores of each group (sorted by score first)."""
    if not seg.score.size:
        return KernelOutput(_empty(seg))
    order, _ = by_score(seg)
    ranked = Segments(
        score=seg.score[order],
        weight=None,
        summative=None,
        group=seg.group[order],
        starts=seg.starts,
        counts=seg.counts,
        mastery=seg.mastery,
    )
    return plain_mean(compress(ranked, back_positions(ranked) < policy.n))


@kernel(NTimes)
def n_times_kernel(policy: NTimes, seg: Segments) -> KernelOutput:
    """The mean of the scores at or above mastery, ``None`` until there are ``n`` of them.

    On the grid the kept scores' float sums are exact, so two segment sums suffice; other
    scores are compressed to the kept ones and averaged exactly by the mean's kernel.
    """
    assert seg.mastery is not None
    mastery = seg.mastery
    if mastery.size and bool((mastery == mastery[0]).all()):
        above = seg.score >= mastery[0]  # one threshold for every target: no gather
    else:
        above = seg.score >= mastery[seg.group]
    ne = seg.nonempty
    largest = grid_largest(seg, "score")
    inexact = None
    if not seg.score.size:
        values, kept_counts = _empty(seg), seg.counts
    elif largest is not None and largest * 2**GRID_BITS * float(seg.counts.max()) < _EXACT_INT:
        firsts = _first_positions(seg)
        n_kept = np.add.reduceat(above, firsts, dtype=np.int64)
        sums = np.add.reduceat(np.where(above, seg.score, 0.0), firsts)
        del above
        with np.errstate(invalid="ignore", divide="ignore"):
            values = seg.per_group(sums / n_kept)
        kept_counts = seg.per_group(n_kept, 0)
    else:
        kept = compress(seg, above)
        del above
        out = plain_mean(kept)
        values, kept_counts, inexact = out.values, kept.counts, out.inexact
    short = ne & (kept_counts < policy.n)
    values[short] = np.nan
    # the reason depends on the count only: word each of the n possible ones once
    reasons = GroupReasons(seg.counts.shape[0])
    texts = [
        f"mastery shown {c} of {policy.n} times; {policy.n - c} more needed"
        for c in range(policy.n)
    ]
    reasons.fill_coded(short, kept_counts, texts)
    return KernelOutput(values, None if inexact is None else inexact & ~short, reasons)


@kernel(WeightedAverage)
def weighted_average_kernel(policy: WeightedAverage, seg: Segments) -> KernelOutput:
    """``w s_n + (1 - w) mean(s_1..s_{n-1})``, exact in integers; floats only where that fails.

    With ``w = a / b`` (a short decimal) and scores ``k / c`` (``c`` is ``2**GRID_BITS`` on the
    grid, where the float sums are exact, or ``10**d`` for short decimals), the value is
    ``(a k_n (n - 1) + (b - a) sum(k_1..k_{n-1})) / (b (n - 1) c)``: a ratio of two exact
    integers, which one float division rounds as the reference does.
    """
    if not seg.score.size:
        return KernelOutput(_empty(seg))
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
        and max(largest * grid, 1.0) * scale_w * longest * 2 < _EXACT_INT
        and longest * scale_w * grid < _EXACT_INT
    ):
        # every sum, product and the denominator is an integer below 2**53 (times 1/c for the
        # sums): exact floats, so the one division rounds as the reference does
        a = float(kw[0])
        older = _sums(seg.score, seg)  # exact: every partial sum is on the grid
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
        k_older = _sums(ks, seg) - k_last
        largest = _largest(ks)
    del ks
    ok = np.zeros(counts.shape[0], dtype=np.bool_)
    if (
        k_last is not None
        and k_older is not None
        and largest is not None
        and max(largest, 1.0) * scale_w * longest * 2 < _EXACT_INT
    ):
        a = float(kw[0])
        num = a * k_last * n_older + (scale_w - a) * k_older
        values, ok = segment_ratio_exact(num, n_older * scale_w, scale)
    ok |= single
    np.copyto(values, last, where=single)
    rest = ~ok
    if rest.any():
        w = float(exact(policy.weight))
        older = (_sums(seg.score, seg)[rest] - last[rest]) / n_older[rest]
        values[rest] = w * last[rest] + (1 - w) * older
    return KernelOutput(seg.per_group(values), seg.per_group(rest, False))


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


def _grid_codes(seg: Segments, counting: bool | None) -> tuple[IntArray | None, FloatArray | None]:
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


def _score_codes(seg: Segments) -> tuple[IntArray | None, FloatArray | None]:
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
    offsets = ks.astype(np.int64)
    del ks
    seen = np.bincount(offsets, minlength=span) > 0
    if int(seen.sum()) > _COUNTING_MAX_VALUES:
        return None, None
    codes = (np.cumsum(seen) - 1)[offsets]
    table = np.empty(int(codes.max()) + 1)
    table[codes] = score  # equal short-decimal integers are equal floats
    return codes, table


def median_values(seg: Segments, *, counting: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The median of each group and where it is not known to be exact."""
    if not seg.score.size:
        return _empty(seg), np.zeros(seg.counts.shape[0], dtype=np.bool_)
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


@kernel(Median)
def median_kernel(policy: Median, seg: Segments) -> KernelOutput:
    """The middle score(s) of each group, counted on a grid of scores or found by sorting."""
    values, inexact = median_values(seg)
    return KernelOutput(values, inexact)


@kernel(MedianOfRecent)
def median_of_recent_kernel(policy: MedianOfRecent, seg: Segments) -> KernelOutput:
    """The median of the last ``n`` positions of each group."""
    values, inexact = median_values(compress(seg, back_positions(seg) < policy.n))
    return KernelOutput(values, inexact)


def mode_values(
    seg: Segments, tie_break: str, *, counting: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The mode of each group, and the groups left undecided by a ``"none"`` tie.

    Scores on a grid are counted per (group, score) as for the median (see
    :func:`middle_scores`); other scores are sorted by (group, score), which makes equal scores
    runs: a run's length is the score's count and its largest chronological position is when
    it last occurred. ``counting`` forces one way (``None``: counting when it fits).
    """
    n_groups = seg.counts.shape[0]
    values = _empty(seg)
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
    seg: Segments, tie_break: str, codes: IntArray, table: FloatArray
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
    values = _empty(seg)
    values[ne] = table[pick[ne]]
    tied_none = np.zeros(n_groups, dtype=np.bool_)
    if tie_break == "none":
        tied_none[ne] = tied.sum(axis=1)[ne] > 1
    return values, tied_none


@kernel(Mode)
def mode_kernel(policy: Mode, seg: Segments) -> KernelOutput:
    """Counts of each score per group (or runs after a sort); ``"none"`` ties: the reference."""
    values, tied = mode_values(seg, policy.tie_break)
    return KernelOutput(values, force=tied)


@kernel(ModeOfRecent)
def mode_of_recent_kernel(policy: ModeOfRecent, seg: Segments) -> KernelOutput:
    """The mode of the last ``n`` positions of each group."""
    values, tied = mode_values(compress(seg, back_positions(seg) < policy.n), policy.tie_break)
    return KernelOutput(values, force=tied)


#: Rows per chunk of the power law's terms: the chunk's temporaries stay in the processor's
#: cache, and chunks end where groups end so that each chunk's sums are final.
_TERMS_CHUNK = 1 << 16
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


def _log_table(seg: Segments, policy: PowerLaw) -> tuple[FloatArray, float] | None:
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
    score at or below 0. Hat weights come from :func:`_hat_table`, the logarithms from one
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
    table = None if lookup is False else _log_table(seg, policy)
    # chunk c holds the groups firsts[cuts[c]:cuts[c + 1]]
    cuts = np.searchsorted(firsts, np.arange(0, n, _TERMS_CHUNK))
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


@kernel(PowerLaw)
def power_law_kernel(policy: PowerLaw, seg: Segments) -> KernelOutput:
    r"""Least squares of :math:`\ln s` on :math:`\ln i` per group, read at the latest attempt.

    The hat weights :math:`h_i = 1/n + (\ln i - \overline{\ln i})\,\lambda_n` depend only on the
    group's length ``n`` and the attempt ``i``, so they come from one table of the lengths that
    occur; :math:`\ln(\text{value}) = \sum_i h_i \ln s_i` is one segment sum
    (:func:`power_law_fit`).
    """
    if not seg.score.size:
        return KernelOutput(_empty(seg))
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


@kernel(Filtered)
def filtered_kernel(policy: Filtered, seg: Segments) -> KernelOutput | None:
    """Evidence rules as one mask, then the inner policy's kernel on the kept positions.

    Date (not datetime) bounds depend on each evidence's own time zone, so a policy with one,
    or with an inner policy without a kernel, is evaluated group by group instead.
    """
    inner = KERNELS.get(type(policy.inner))
    bounds = (policy.as_of, policy.start, policy.end)
    if inner is None or any(b is not None and not isinstance(b, datetime) for b in bounds):
        return None
    keep = np.ones(seg.score.size, dtype=np.bool_)
    if policy.summative_only and seg.summative is not None:
        keep &= seg.summative
    if policy.independent_only:
        independent = seg.column("independent")
        if independent is not None:
            keep &= independent
    if any(b is not None for b in bounds):
        time = seg.column("time")
        if policy.as_of is not None:
            keep &= time <= micros(policy.as_of)  # type: ignore[arg-type]
        if policy.start is not None:
            keep &= time >= micros(policy.start)  # type: ignore[arg-type]
        if policy.end is not None:
            keep &= time <= micros(policy.end)  # type: ignore[arg-type]
    if policy.contexts is not None:
        labels = getattr(seg.columns, "context_labels", None) or []
        allowed = [i for i, label in enumerate(labels) if label in policy.contexts]
        context = seg.column("context")
        if context is None or not allowed:
            keep[:] = False
        else:
            keep &= np.isin(context, allowed)
    kept = compress(seg, keep)
    out = inner(policy.inner, kept)
    if out is None:
        return None
    values = out.values
    reasons = GroupReasons(seg.counts.shape[0])
    reasons.update(out.reasons)
    short = seg.nonempty & (kept.counts < policy.min_evidence)
    empty = seg.nonempty & (kept.counts == 0) & ~short
    if short.any():
        texts = [
            f"{INSUFFICIENT}: {n} {'piece passes' if n == 1 else 'pieces pass'} the rules, "
            f"{policy.min_evidence} needed"
            for n in range(policy.min_evidence)
        ]
        reasons.fill_coded(short, kept.counts, texts)
    reasons.fill(empty, f"no evidence passes the rules ({'; '.join(policy.rules)})")
    undecided = short | empty
    values[undecided] = np.nan
    inexact = None if out.inexact is None else out.inexact & ~undecided
    force = None if out.force is None else out.force & ~undecided
    return KernelOutput(values, inexact, reasons, force)
