"""Vectorized kernels: one per built-in policy, each a handful of numpy segment operations.

A kernel gets the evidence of every (student, target) group as :class:`Segments` (one array per
column, sorted by group and then chronologically, with each group's start and length) and returns
one value per group (``NaN`` for ``None``) and a mask of the groups whose value is not known to
equal the exact reference bit for bit (the engine rechecks those near a level threshold). No
kernel loops over groups in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from mastery_grading._exact import exact
from mastery_grading.engine._columns import BoolArray, FloatArray, IntArray
from mastery_grading.policies.central import Mean
from mastery_grading.policies.recency import DecayingAverage, MostRecent

__all__ = ["KERNELS", "KernelOutput", "Segments", "decimal_ints", "kernel"]

#: Largest integer below which float64 holds every integer exactly.
_EXACT_INT = 2**53


@dataclass(frozen=True)
class Segments:
    """Evidence of every group, sorted; group ``g`` is ``starts[g]:starts[g] + counts[g]``."""

    score: FloatArray
    weight: FloatArray | None
    summative: BoolArray | None
    group: IntArray
    starts: IntArray
    counts: IntArray
    #: The mastery threshold of each group's target.
    mastery: FloatArray | None = None
    #: The scale bounds of each group's target.
    scale_min: FloatArray | None = None
    scale_max: FloatArray | None = None
    #: The evidence columns and the row of each position, to gather other columns lazily.
    columns: Any = None
    rows: IntArray | None = None

    def column(self, name: str) -> Any:
        """Return the named column of :class:`Columns` in position order (``None`` if absent)."""
        values = getattr(self.columns, name, None)
        if values is None or self.rows is None:
            return None
        return values[self.rows]

    @property
    def nonempty(self) -> BoolArray:
        """Groups with at least one piece of evidence."""
        return self.counts > 0

    @property
    def ends(self) -> IntArray:
        """One past the last position of each group."""
        return self.starts + self.counts


@dataclass(frozen=True)
class KernelOutput:
    """Values per group (``NaN`` for ``None``), inexact groups, reasons for ``None`` values."""

    values: FloatArray
    inexact: BoolArray | None = None
    reasons: dict[int, str] | None = None
    #: Groups to recompute with the reference whatever their value (e.g. to word a reason).
    force: BoolArray | None = None


#: A kernel may return ``None`` to have this policy evaluated group by group instead.
Kernel = Callable[[Any, Segments], KernelOutput | None]

#: Kernels by policy class; ``kernel`` registers one.
KERNELS: dict[type[Any], Kernel] = {}


K = TypeVar("K", bound=Kernel)


def kernel(cls: type[Any]) -> Callable[[K], K]:
    """Register the decorated function as the kernel of ``cls``."""

    def register(func: K) -> K:
        KERNELS[cls] = func
        return func

    return register


def decimal_ints(
    x: FloatArray, places: tuple[int, ...] = (0, 1, 2, 4, 6)
) -> tuple[FloatArray, int]:
    """Return ``(k, d)`` with ``x == k / 10**d`` exactly as decimals, or ``(empty, -1)``.

    ``k`` holds integers (as floats, below 2**40). When ``k / 10**d`` rounds to ``x`` and
    10^-d is far coarser than the float spacing, the decimal ``x`` prints as is exactly
    ``k / 10**d``, which is what :func:`~mastery_grading._exact.exact` reads; sums of ``k``
    below 2**53 are then exact. The check runs in chunks to keep the peak memory low.
    """
    if x.size == 0:
        return np.zeros(0), 0
    big = max(float(x.max()), -float(x.min()))
    for d in places:
        scale = 10.0**d
        if big * scale >= 2**40:
            break
        k = x * scale
        np.rint(k, out=k)
        if all(
            np.array_equal(k[i : i + _CHUNK] / scale, x[i : i + _CHUNK])
            for i in range(0, x.size, _CHUNK)
        ):
            return k, d
    return np.zeros(0), -1


#: Rows per chunk for checks that would otherwise need a full-size temporary array.
_CHUNK = 1 << 20


def _empty(seg: Segments) -> FloatArray:
    return np.full(seg.counts.shape[0], np.nan)


def _first_positions(seg: Segments) -> IntArray:
    return seg.starts[seg.nonempty]


def _last_positions(seg: Segments) -> IntArray:
    return seg.ends[seg.nonempty] - 1


def _sums(x: np.ndarray, seg: Segments) -> np.ndarray:
    if x.size == 0:
        return x[:0]
    return np.add.reduceat(x, _first_positions(seg))


def segment_ratio_exact(
    numerator: FloatArray | IntArray, denominator: FloatArray | IntArray, scale: int
) -> tuple[FloatArray, BoolArray]:
    """Return ``numerator / (denominator * scale)`` and where it is correctly rounded.

    Both operands converted to float are exact below 2**53, and IEEE division rounds correctly,
    so there the float equals ``float(Fraction(numerator, denominator * scale))``.
    """
    den = denominator * scale
    ok = (np.abs(numerator) < _EXACT_INT) & (np.abs(den) < _EXACT_INT) & (den != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = numerator.astype(np.float64) / den.astype(np.float64)
    return values, ok


_UNWEIGHTED = Mean(weighted=False)


@kernel(Mean)
def mean_kernel(policy: Mean, seg: Segments) -> KernelOutput:
    """Weighted mean: exact integer segment sums when scores and weights are short decimals."""
    values = _empty(seg)
    ne = seg.nonempty
    weight = seg.weight if policy.weighted else None
    ks, ds = decimal_ints(seg.score)
    kw, dw = (np.ones(1), 0) if weight is None else decimal_ints(weight)
    bound = float(np.abs(ks).max(initial=0)) * float(np.abs(kw).max(initial=1)) * seg.score.size
    if ds >= 0 and dw >= 0 and bound < _EXACT_INT:
        if weight is None:
            num, den = _sums(ks, seg), seg.counts[ne]
        else:
            num, den = _sums(ks * kw, seg), _sums(kw, seg)
        exact_values, ok = segment_ratio_exact(num, den, 10**ds)
        values[ne] = exact_values
        inexact = np.zeros_like(ne)
        inexact[ne] = ~ok
        return KernelOutput(values, inexact)
    if weight is None:
        values[ne] = _sums(seg.score, seg) / seg.counts[ne]
    else:
        values[ne] = _sums(seg.score * weight, seg) / _sums(weight, seg)
    return KernelOutput(values, ne.copy())


@kernel(MostRecent)
def most_recent_kernel(policy: MostRecent, seg: Segments) -> KernelOutput:
    """The score at the last position of each group."""
    values = _empty(seg)
    values[seg.nonempty] = seg.score[_last_positions(seg)]
    return KernelOutput(values)


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
    firsts = _first_positions(seg)
    weights[firsts] = table[back[firsts]]
    return weights


def unanimous(seg: Segments) -> tuple[BoolArray, FloatArray]:
    """Groups whose scores are all equal (among non-empty ones), and their minimum score."""
    low = np.minimum.reduceat(seg.score, _first_positions(seg))
    high = np.maximum.reduceat(seg.score, _first_positions(seg))
    return low == high, low


@kernel(DecayingAverage)
def decaying_average_kernel(policy: DecayingAverage, seg: Segments) -> KernelOutput:
    """Closed-form weights times scores, summed per group; unanimous groups are exact."""
    values = _empty(seg)
    ne = seg.nonempty
    if seg.score.size:
        sums = _sums(decaying_weights(policy.rate, seg) * seg.score, seg)
        same, low = unanimous(seg)
        values[ne] = np.where(same, low, sums)
        inexact = np.zeros_like(ne)
        inexact[ne] = ~same
        return KernelOutput(values, inexact)
    return KernelOutput(values)


# -- helpers shared by the catalogue kernels ---------------------------------------------------


def compress(seg: Segments, mask: BoolArray) -> Segments:
    """Keep only the positions where ``mask`` holds; groups keep their order."""
    counts = np.bincount(seg.group[mask], minlength=seg.counts.shape[0]).astype(np.int64)
    starts = np.zeros_like(counts)
    if counts.size:
        np.cumsum(counts[:-1], out=starts[1:])
    return Segments(
        score=seg.score[mask],
        weight=None if seg.weight is None else seg.weight[mask],
        summative=None if seg.summative is None else seg.summative[mask],
        group=seg.group[mask],
        starts=starts,
        counts=counts,
        mastery=seg.mastery,
        scale_min=seg.scale_min,
        scale_max=seg.scale_max,
        columns=seg.columns,
        rows=None if seg.rows is None else seg.rows[mask],
    )


def back_positions(seg: Segments) -> IntArray:
    """For each position, how many positions of its group come after it (0 for the newest)."""
    return seg.ends[seg.group] - 1 - np.arange(seg.score.size)


def plain_mean(seg: Segments) -> KernelOutput:
    """Unweighted mean per group, exact when scores are short decimals."""
    return mean_kernel(_UNWEIGHTED, seg)


def maximum_kernel_values(seg: Segments) -> FloatArray:
    """The highest score of each group (``NaN`` for empty groups); exact."""
    values = _empty(seg)
    if seg.score.size:
        values[seg.nonempty] = np.maximum.reduceat(seg.score, _first_positions(seg))
    return values


def by_score(seg: Segments) -> tuple[IntArray, FloatArray]:
    """Positions sorted by (group, score), and the scores in that order.

    Scores are ranked through their short-decimal integers when possible, so that one
    ``argsort`` of a packed ``int64`` key suffices; otherwise ``lexsort`` is used.
    """
    ks, _ = decimal_ints(seg.score)
    n_groups = seg.counts.shape[0]
    if ks.size == seg.score.size and ks.size:
        low = int(ks.min())
        span = int(ks.max()) - low + 1
        if n_groups * span < 2**62:
            key = seg.group * span
            ks -= low
            np.add(key, ks, out=key, casting="unsafe")
            del ks
            # Equal (group, score) pairs may come in any order: no caller depends on it.
            order = np.argsort(key)
            del key
            return order, seg.score[order]
    order = np.lexsort((seg.score, seg.group))
    return order, seg.score[order]
