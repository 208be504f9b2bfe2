"""The E-step and the forward filter in plain numpy: time step by time step, all sequences at once.

The scan over time cannot be vectorized within a sequence, so it is vectorized across them:
the sequences are ranked by length (longest first) and the answers laid out *time-major*, so
that the answers at step ``t`` of every sequence still running form one contiguous slice and
the sequences' running values are a prefix of one array. Each step is then a handful of numpy
operations on that slice, and the loop runs as many times as the longest sequence is long.
Correct, and needs nothing but numpy; the numba path (:mod:`mastery_grading.bkt._numba`) is
much faster when one sequence is long.

The arithmetic is that of the numba path, operation for operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")

__all__ = ["Layout", "e_step", "forward"]

FloatArray = "npt.NDArray[np.float64]"


@dataclass(frozen=True)
class Layout:
    """The time-major layout of sequences: which sorted row sits at each time-major position.

    Attributes:
        rows: The sorted row at each time-major position.
        offsets: Where step ``t`` starts, for every step, and the number of rows at the end.
        rank_target: The target of each sequence, by rank (longest first).
        rank_of_row: The rank of the sequence of each time-major position.
        has_next: Whether the position has a next answer in its sequence.
    """

    rows: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    rank_target: npt.NDArray[np.int64]
    rank_of_row: npt.NDArray[np.int64]
    has_next: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, starts: npt.NDArray[np.int64], seq_target: npt.NDArray[np.int64]) -> Layout:
        """Lay out the sequences that start at ``starts`` (with the row count at the end)."""
        lengths = np.diff(starts)
        n = int(starts[-1])
        by_rank = np.argsort(-lengths, kind="stable")
        longest = int(lengths.max()) if lengths.size else 0
        # active[t] = how many sequences are longer than t
        active = np.searchsorted(np.sort(lengths), np.arange(longest), side="right")
        active = lengths.size - active
        offsets = np.concatenate(([0], np.cumsum(active))).astype(np.int64)
        rank = np.empty(lengths.size, dtype=np.int64)
        rank[by_rank] = np.arange(lengths.size)
        seq_of_row = np.repeat(np.arange(lengths.size), lengths)
        step = np.arange(n) - starts[:-1][seq_of_row]
        position = offsets[:-1][step] + rank[seq_of_row] if n else np.zeros(0, dtype=np.int64)
        rows = np.empty(n, dtype=np.int64)
        rows[position] = np.arange(n)
        rank_of_row = np.empty(n, dtype=np.int64)
        rank_of_row[position] = rank[seq_of_row]
        has_next = np.empty(n, dtype=np.bool_)
        has_next[position] = step < lengths[seq_of_row] - 1
        return cls(
            rows=rows,
            offsets=offsets,
            rank_target=seq_target[by_rank].astype(np.int64),
            rank_of_row=rank_of_row,
            has_next=has_next,
        )


def _filter(layout: Layout, correct: Any, params: Any) -> tuple[Any, ...]:
    """Forward pass in time-major order, both states carried (see the numba path)."""
    per_seq = params[layout.rank_target]
    learn, forget, guess, slip = (per_seq[:, j] for j in range(1, 5))
    hit = correct[layout.rows].astype(np.bool_)
    r = layout.rank_of_row
    e1 = np.where(hit, 1.0 - slip[r], slip[r])
    e0 = np.where(hit, guess[r], 1.0 - guess[r])
    n = e1.shape[0]
    qm_all, qu_all, am_all, au_all, c_all = (np.empty(n) for _ in range(5))
    qm = per_seq[:, 0].copy()
    qu = 1.0 - qm
    keep, stay = 1.0 - forget, 1.0 - learn
    offsets = layout.offsets.tolist()
    for t in range(len(offsets) - 1):
        lo, hi = offsets[t], offsets[t + 1]
        m = hi - lo
        qmt, qut = qm[:m], qu[:m]
        nm = qmt * e1[lo:hi]
        nu = qut * e0[lo:hi]
        c = nm + nu
        am = nm / c
        au = nu / c
        qm_all[lo:hi] = qmt
        qu_all[lo:hi] = qut
        am_all[lo:hi] = am
        au_all[lo:hi] = au
        c_all[lo:hi] = c
        qm[:m] = am * keep[:m] + au * learn[:m]
        qu[:m] = au * stay[:m] + am * forget[:m]
    return qm_all, qu_all, am_all, au_all, c_all, hit, learn, forget, r


def e_step(
    layout: Layout,
    correct: Any,
    target: Any,
    params: Any,
    n_targets: int,
) -> tuple[Any, Any]:
    """Expected counts (one row of ten per target) and the log-likelihood of each target."""
    qm_all, qu_all, am_all, au_all, c_all, hit, learn, forget, _ = _filter(layout, correct, params)
    n = qm_all.shape[0]
    g1_all, g0_all = np.empty(n), np.empty(n)
    offsets = layout.offsets.tolist()
    steps = len(offsets) - 1
    x01_all, x10_all = np.zeros(n), np.zeros(n)
    g0t_all, g1t_all = np.zeros(n), np.zeros(n)
    if steps:
        lo, hi = offsets[steps - 1], offsets[steps]
        g1_all[lo:hi] = am_all[lo:hi]
        g0_all[lo:hi] = au_all[lo:hi]
    for t in range(steps - 2, -1, -1):
        lo, hi, nhi = offsets[t], offsets[t + 1], offsets[t + 2]
        mn = nhi - hi  # the sequences that go on to t + 1
        # the last answer of a sequence: the posterior itself
        g1_all[lo:hi] = am_all[lo:hi]
        g0_all[lo:hi] = au_all[lo:hi]
        am, au = am_all[lo : lo + mn], au_all[lo : lo + mn]
        qm, qu = qm_all[hi:nhi], qu_all[hi:nhi]
        with np.errstate(divide="ignore", invalid="ignore"):
            r1 = np.where(qm > 0.0, g1_all[hi:nhi] / qm, 0.0)
            r0 = np.where(qu > 0.0, g0_all[hi:nhi] / qu, 0.0)
        f, ln = forget[:mn], learn[:mn]
        x11 = am * (1.0 - f) * r1
        x10 = am * f * r0
        x01 = au * ln * r1
        x00 = au * (1.0 - ln) * r0
        g1 = x11 + x10
        g0 = x01 + x00
        g1_all[lo : lo + mn] = g1
        g0_all[lo : lo + mn] = g0
        x01_all[lo : lo + mn] = x01
        x10_all[lo : lo + mn] = x10
        g0t_all[lo : lo + mn] = g0
        g1t_all[lo : lo + mn] = g1
    tgt = target[layout.rows]
    k = n_targets
    first = slice(0, offsets[1]) if steps else slice(0, 0)
    counts = np.zeros((k, 10))
    counts[:, 0] = np.bincount(tgt[first], weights=g1_all[first], minlength=k)
    counts[:, 1] = np.bincount(tgt[first], minlength=k)
    counts[:, 2] = np.bincount(tgt, weights=x01_all, minlength=k)
    counts[:, 3] = np.bincount(tgt, weights=g0t_all, minlength=k)
    counts[:, 4] = np.bincount(tgt, weights=x10_all, minlength=k)
    counts[:, 5] = np.bincount(tgt, weights=g1t_all, minlength=k)
    counts[:, 6] = np.bincount(tgt, weights=np.where(hit, g0_all, 0.0), minlength=k)
    counts[:, 7] = np.bincount(tgt, weights=g0_all, minlength=k)
    counts[:, 8] = np.bincount(tgt, weights=np.where(hit, 0.0, g1_all), minlength=k)
    counts[:, 9] = np.bincount(tgt, weights=g1_all, minlength=k)
    loglik = np.bincount(tgt, weights=np.log(c_all), minlength=k)
    return counts, loglik


def forward(layout: Layout, correct: Any, params: Any) -> tuple[Any, Any]:
    """P(correct) before each answer and P(mastered) after it, in sorted row order."""
    qm_all, qu_all, am_all, _, _, _, _, _, r = _filter(layout, correct, params)
    per_seq = params[layout.rank_target]
    guess, slip = per_seq[r, 3], per_seq[r, 4]
    predicted = np.empty(qm_all.shape[0])
    mastery = np.empty(qm_all.shape[0])
    predicted[layout.rows] = qm_all * (1.0 - slip) + qu_all * guess
    mastery[layout.rows] = am_all
    return predicted, mastery
