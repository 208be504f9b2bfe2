"""Kernel of the counting policy (:mod:`mastery_grading.policies.count`).

Requires numpy; registered by :mod:`mastery_grading.policies.count` and loaded on first use.

Example:
    >>> from mastery_grading.policies import NTimes, kernel_for
    >>> kernel_for(NTimes()) is n_times_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.count import NTimes
from mastery_grading.policies.kernels.central import plain_mean
from mastery_grading.policies.segments import (
    EXACT_INT,
    GRID_BITS,
    BoolArray,
    FloatArray,
    GroupReasons,
    IntArray,
    KernelOutput,
    Segments,
    compress,
    empty_values,
    grid_largest,
)

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["n_times_kernel", "n_times_short"]


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
        values, kept_counts = empty_values(seg), seg.counts
    elif largest is not None and largest * 2**GRID_BITS * float(seg.counts.max()) < EXACT_INT:
        firsts = seg.firsts
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
    short, reasons = n_times_short(policy, values, ne, kept_counts)
    return KernelOutput(values, None if inexact is None else inexact & ~short, reasons)


def n_times_short(
    policy: NTimes, values: FloatArray, nonempty: BoolArray, kept_counts: IntArray
) -> tuple[BoolArray, GroupReasons]:
    """Undecide (``NaN``, in place) the groups with fewer than ``n`` scores at mastery.

    Returns the mask of those groups and their reasons, each of the ``n`` possible texts
    worded once (the reason depends on the count only).
    """
    short = nonempty & (kept_counts < policy.n)
    values[short] = np.nan
    reasons = GroupReasons(values.shape[0])
    texts = [
        f"mastery shown {c} of {policy.n} times; {policy.n - c} more needed"
        for c in range(policy.n)
    ]
    reasons.fill_coded(short, kept_counts, texts)
    return short, reasons
