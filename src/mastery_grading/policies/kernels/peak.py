"""Kernels of the peak policies (:mod:`mastery_grading.policies.peak`).

Requires numpy; registered by :mod:`mastery_grading.policies.peak` and loaded on first use.

Example:
    >>> from mastery_grading.policies import Highest, kernel_for
    >>> kernel_for(Highest()) is highest_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.kernels.central import plain_mean
from mastery_grading.policies.peak import Highest, HighestOfRecent, MeanOfHighest
from mastery_grading.policies.segments import (
    FloatArray,
    KernelOutput,
    Segments,
    back_positions,
    by_score,
    compress,
    empty_values,
)

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "highest_kernel",
    "highest_of_recent_kernel",
    "maximum_kernel_values",
    "mean_of_highest_kernel",
]


def maximum_kernel_values(seg: Segments) -> FloatArray:
    """The highest score of each group (``NaN`` for empty groups); exact."""
    if seg.score.size:
        return seg.per_group(np.maximum.reduceat(seg.score, seg.firsts))
    return empty_values(seg)


def highest_kernel(policy: Highest, seg: Segments) -> KernelOutput:
    """``np.maximum.reduceat``: exact."""
    return KernelOutput(maximum_kernel_values(seg))


def highest_of_recent_kernel(policy: HighestOfRecent, seg: Segments) -> KernelOutput:
    """The highest of the last ``n`` positions of each group."""
    return KernelOutput(maximum_kernel_values(compress(seg, back_positions(seg) < policy.n)))


def mean_of_highest_kernel(policy: MeanOfHighest, seg: Segments) -> KernelOutput:
    """The plain mean of the ``n`` highest scores of each group (sorted by score first)."""
    if not seg.score.size:
        return KernelOutput(empty_values(seg))
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
