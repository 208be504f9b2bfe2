"""Kernel of Bayesian Knowledge Tracing (:mod:`mastery_grading.policies.bkt`).

Requires numpy; registered by :mod:`mastery_grading.policies.bkt` and loaded on first use. The
filter is a scan over each group's answers, so it is vectorized across groups: at step ``k``
every group with more than ``k`` answers takes its ``k``-th one, groups ranked by length so
those are a prefix. The arithmetic is the policy's own, operation for operation, so the values
are the reference's bit for bit.

Example:
    >>> from mastery_grading.policies import BKT, kernel_for
    >>> kernel_for(BKT()) is bkt_kernel
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.bkt import BKT
from mastery_grading.policies.segments import KernelOutput, Segments, empty_values

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["bkt_kernel"]


def bkt_kernel(policy: BKT, seg: Segments) -> KernelOutput | None:
    """P(mastered) after each group's answers, on its target's scale (``NaN`` for no evidence)."""
    if seg.mastery is None or seg.scale_min is None or seg.scale_max is None:
        return None
    values = empty_values(seg)
    counts = seg.counts
    nonempty = np.flatnonzero(counts > 0)
    if not nonempty.size:
        return KernelOutput(values)
    by_length = nonempty[np.argsort(-counts[nonempty], kind="stable")]
    lengths = counts[by_length]
    starts = seg.starts[by_length]
    mastery = seg.mastery[by_length]
    n = by_length.size
    ahead = np.full(n, policy.prior)
    behind = np.full(n, 1.0 - policy.prior)  # both states carried, as the policy does
    after = ahead.copy()
    # how many groups are longer than k, for each step k
    ascending = lengths[::-1]
    keep, stay = 1.0 - policy.forget, 1.0 - policy.learn
    learn, forget, slip, guess = policy.learn, policy.forget, policy.slip, policy.guess
    for k in range(int(lengths[0])):
        m = n - int(np.searchsorted(ascending, k, side="right"))
        qm, qu = ahead[:m], behind[:m]
        hit = seg.score[starts[:m] + k] >= mastery[:m]
        nm = np.where(hit, qm * (1.0 - slip), qm * slip)
        nu = np.where(hit, qu * guess, qu * (1.0 - guess))
        den = nm + nu
        with np.errstate(divide="ignore", invalid="ignore"):
            am = np.where(den > 0.0, nm / den, qm)
            au = np.where(den > 0.0, nu / den, qu)
        after[:m] = am
        ahead[:m] = am * keep + au * learn
        behind[:m] = au * stay + am * forget
    m_ = policy.mastered
    low, top = seg.scale_min[by_length], seg.scale_max[by_length]
    below = low + after / m_ * (mastery - low)
    above = mastery + (after - m_) / (1.0 - m_) * (top - mastery)
    values[by_length] = np.where(after < m_, below, above)
    return KernelOutput(values)
