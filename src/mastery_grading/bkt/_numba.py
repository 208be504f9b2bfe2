"""The E-step and the forward filter compiled with numba (the ``bkt`` extra).

The same arithmetic as :mod:`mastery_grading.bkt._numpy`, one sequence after another in a
compiled loop: about 50 floating-point operations per answer and iteration. Compiled on first
use and cached on disk (``cache=True``), so later processes load the machine code.

Parameters are one row per target: prior, learn, forget, guess, slip (see
:mod:`mastery_grading.bkt._em`). Expected counts are ten columns per target, in the order of
:data:`mastery_grading.bkt._em.COUNTS`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")
    numba = require("numba", extra="bkt", feature="the compiled BKT fit")

__all__ = ["e_step", "forward"]


def _e_step(
    correct: Any,
    starts: Any,
    seq_target: Any,
    params: Any,
    active: Any,
    counts: Any,
    loglik: Any,
    a_buf: Any,
    q_buf: Any,
) -> None:
    # Both states' probabilities are carried (never one as 1 minus the other), so that a
    # probability near 1 keeps its complement's precision: a_buf holds (mastered, unmastered)
    # after each answer, q_buf the same before it.
    counts[:] = 0.0
    loglik[:] = 0.0
    for i in range(starts.shape[0] - 1):
        k = seq_target[i]
        if not active[k]:
            continue
        lo = starts[i]
        hi = starts[i + 1]
        learn = params[k, 1]
        forget = params[k, 2]
        guess = params[k, 3]
        slip = params[k, 4]
        qm = params[k, 0]
        qu = 1.0 - qm
        ll = 0.0
        for t in range(lo, hi):
            if correct[t]:
                e1 = 1.0 - slip
                e0 = guess
            else:
                e1 = slip
                e0 = 1.0 - guess
            nm = qm * e1
            nu = qu * e0
            c = nm + nu
            am = nm / c
            au = nu / c
            ll += math.log(c)
            q_buf[t, 0] = qm
            q_buf[t, 1] = qu
            a_buf[t, 0] = am
            a_buf[t, 1] = au
            qm = am * (1.0 - forget) + au * learn
            qu = au * (1.0 - learn) + am * forget
        loglik[k] += ll
        g1 = a_buf[hi - 1, 0]
        g0 = a_buf[hi - 1, 1]
        for t in range(hi - 1, lo - 1, -1):
            if t < hi - 1:
                am = a_buf[t, 0]
                au = a_buf[t, 1]
                qm = q_buf[t + 1, 0]
                qu = q_buf[t + 1, 1]
                r1 = g1 / qm if qm > 0.0 else 0.0
                r0 = g0 / qu if qu > 0.0 else 0.0
                x11 = am * (1.0 - forget) * r1
                x10 = am * forget * r0
                x01 = au * learn * r1
                x00 = au * (1.0 - learn) * r0
                g1 = x11 + x10
                g0 = x01 + x00
                counts[k, 2] += x01
                counts[k, 3] += g0
                counts[k, 4] += x10
                counts[k, 5] += g1
            if correct[t]:
                counts[k, 6] += g0
            else:
                counts[k, 8] += g1
            counts[k, 7] += g0
            counts[k, 9] += g1
        counts[k, 0] += g1
        counts[k, 1] += 1.0


def _forward(
    correct: Any, starts: Any, seq_target: Any, params: Any, predicted: Any, mastery: Any
) -> None:
    for i in range(starts.shape[0] - 1):
        k = seq_target[i]
        learn = params[k, 1]
        forget = params[k, 2]
        guess = params[k, 3]
        slip = params[k, 4]
        qm = params[k, 0]
        qu = 1.0 - qm
        for t in range(starts[i], starts[i + 1]):
            predicted[t] = qm * (1.0 - slip) + qu * guess
            if correct[t]:
                nm = qm * (1.0 - slip)
                nu = qu * guess
            else:
                nm = qm * slip
                nu = qu * (1.0 - guess)
            am = nm / (nm + nu)
            au = nu / (nm + nu)
            mastery[t] = am
            qm = am * (1.0 - forget) + au * learn
            qu = au * (1.0 - learn) + am * forget


if TYPE_CHECKING:
    e_step = _e_step
    forward = _forward
else:
    e_step = numba.njit(cache=True, nogil=True)(_e_step)
    forward = numba.njit(cache=True, nogil=True)(_forward)


def warm_up() -> None:
    """Compile (or load from the cache) both functions on a tiny input."""
    correct = np.array([1, 0], dtype=np.int8)
    starts = np.array([0, 2], dtype=np.int64)
    seq_target = np.zeros(1, dtype=np.int64)
    params = np.array([[0.5, 0.1, 0.0, 0.2, 0.1]])
    buf: npt.NDArray[np.float64] = np.zeros(2)
    e_step(
        correct,
        starts,
        seq_target,
        params,
        np.ones(1, dtype=np.bool_),
        np.zeros((1, 10)),
        np.zeros(1),
        np.zeros((2, 2)),
        np.zeros((2, 2)),
    )
    forward(correct, starts, seq_target, params, buf, buf.copy())
