"""Expectation-maximisation for BKT, all targets at once, with bounds and an optional Beta prior.

One parameter row per target: ``prior`` (P(mastered) before the first answer), ``learn``
(P(unmastered -> mastered) after an answer), ``forget`` (P(mastered -> unmastered); 0 unless
``forgets``), ``guess`` (P(correct | unmastered)) and ``slip`` (P(incorrect | mastered)).

Each iteration runs one E-step over every sequence of every target still moving (compiled with
numba when it is installed, else time-major numpy: :mod:`~mastery_grading.bkt._numba`,
:mod:`~mastery_grading.bkt._numpy`) and one M-step per target: the expected counts' ratios,
with a Beta(a, b) prior added as ``a - 1`` and ``b - 1`` pseudo-counts (MAP-EM), then clipped to
the bounds. A target stops when its log-likelihood moves by less than ``tol`` per answer. Of
several restarts, each target keeps the one of highest log-likelihood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mastery_grading._extras import available, require
from mastery_grading.bkt import _numpy
from mastery_grading.bkt._data import Sequences
from mastery_grading.exceptions import InvalidValueError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")

__all__ = [
    "COUNTS",
    "DEFAULT_BOUNDS",
    "PARAMETERS",
    "PRIOR_ONLY",
    "Engine",
    "EngineName",
    "Fit",
    "fit_em",
    "make_engine",
]

#: The parameters, in the order of a parameter row.
PARAMETERS = ("prior", "learn", "forget", "guess", "slip")
#: The expected counts of the E-step, in the order of a count row.
COUNTS = (
    "mastered at the first answer",
    "sequences",
    "unmastered -> mastered",
    "unmastered before a next answer",
    "mastered -> unmastered",
    "mastered before a next answer",
    "correct while unmastered",
    "unmastered",
    "incorrect while mastered",
    "mastered",
)
#: The default bounds: guess and slip at most 0.3 (so guess + slip < 1), learn at least 1e-4.
DEFAULT_BOUNDS: Mapping[str, tuple[float, float]] = {
    "prior": (0.0, 1.0),
    "learn": (1e-4, 1.0),
    "forget": (0.0, 1.0),
    "guess": (0.0, 0.3),
    "slip": (0.0, 0.3),
}
#: The parameters of a target with too little data and no Beta prior (a prior-only fit).
PRIOR_ONLY: Mapping[str, float] = {
    "prior": 0.5,
    "learn": 0.1,
    "forget": 0.0,
    "guess": 0.2,
    "slip": 0.1,
}
#: Random starts are drawn uniformly between these (prior, learn, forget, guess, slip), then
#: put within the bounds.
INIT_LOW = (0.1, 0.01, 0.0, 0.05, 0.05)
INIT_HIGH = (0.9, 0.4, 0.1, 0.3, 0.3)
#: Probabilities are kept this far inside [0, 1], so that no likelihood is 0.
_EPS = 1e-8

EngineName = Literal["auto", "numba", "numpy"]
FloatArray = "npt.NDArray[np.float64]"


class Engine:
    """The E-step and the forward filter on one set of sequences, compiled or numpy."""

    def __init__(self, seqs: Sequences, name: Literal["numba", "numpy"]) -> None:
        self.seqs = seqs
        self.name = name
        self._layout: _numpy.Layout | None = None
        n = seqs.n_rows
        self._a = np.empty((n, 2))
        self._q = np.empty((n, 2))

    @property
    def layout(self) -> _numpy.Layout:
        """The time-major layout (numpy engine), made on first use."""
        if self._layout is None:
            self._layout = _numpy.Layout.of(self.seqs.starts, self.seqs.seq_target)
        return self._layout

    def e_step(self, params: Any, active: Any) -> tuple[Any, Any]:
        """Expected counts and log-likelihood of each target (zeros for inactive ones)."""
        seqs = self.seqs
        k = len(seqs.targets)
        if self.name == "numba":
            from mastery_grading.bkt import _numba

            counts, loglik = np.zeros((k, 10)), np.zeros(k)
            _numba.e_step(
                seqs.correct,
                seqs.starts,
                seqs.seq_target,
                params,
                active,
                counts,
                loglik,
                self._a,
                self._q,
            )
            return counts, loglik
        counts, loglik = _numpy.e_step(self.layout, seqs.correct, seqs.target, params, k)
        counts[~active] = 0.0
        loglik[~active] = 0.0
        return counts, loglik

    def forward(self, params: Any) -> tuple[Any, Any]:
        """P(correct) before and P(mastered) after each answer, in sorted row order."""
        seqs = self.seqs
        if self.name == "numba":
            from mastery_grading.bkt import _numba

            predicted, mastery = np.empty(seqs.n_rows), np.empty(seqs.n_rows)
            _numba.forward(seqs.correct, seqs.starts, seqs.seq_target, params, predicted, mastery)
            return predicted, mastery
        return _numpy.forward(self.layout, seqs.correct, params)


def make_engine(seqs: Sequences, name: EngineName) -> Engine:
    """The engine asked for: ``"auto"`` is numba when it is installed, else numpy.

    Raises:
        InvalidValueError: For another name.
        MissingExtraError: For ``"numba"`` without numba.
    """
    if name not in ("auto", "numba", "numpy"):
        msg = f"engine={name!r} must be one of 'auto', 'numba', 'numpy'"
        raise InvalidValueError(msg)
    if name == "numba" or (name == "auto" and available("numba")):
        require("numba", extra="bkt", feature="BKTModel(engine='numba')")
        return Engine(seqs, "numba")
    return Engine(seqs, "numpy")


@dataclass(frozen=True)
class Fit:
    """The result of :func:`fit_em`: a parameter row and a log-likelihood per target."""

    params: npt.NDArray[np.float64]
    loglik: npt.NDArray[np.float64]
    iterations: npt.NDArray[np.int64]
    prior_only: npt.NDArray[np.bool_]


def _limits(bounds: Mapping[str, tuple[float, float]], forgets: bool) -> tuple[Any, Any]:
    lo = np.array([max(bounds[p][0], _EPS) for p in PARAMETERS])
    hi = np.array([min(bounds[p][1], 1.0 - _EPS) for p in PARAMETERS])
    if not forgets:
        lo[2] = hi[2] = 0.0
    return lo, hi


def _beta(prior: Mapping[str, tuple[float, float]] | None) -> tuple[Any, Any]:
    """Pseudo-counts ``a - 1`` and ``b - 1`` of the Beta prior, per parameter."""
    add1, add0 = np.zeros(5), np.zeros(5)
    for j, name in enumerate(PARAMETERS):
        if prior is not None and name in prior:
            a, b = prior[name]
            add1[j], add0[j] = a - 1.0, b - 1.0
    return add1, add0


def prior_only_row(
    prior: Mapping[str, tuple[float, float]] | None, lo: Any, hi: Any
) -> npt.NDArray[np.float64]:
    """The parameters of a target without enough data: the Beta prior's mode, else defaults."""
    row = np.array([PRIOR_ONLY[p] for p in PARAMETERS])
    for j, name in enumerate(PARAMETERS):
        if prior is not None and name in prior:
            a, b = prior[name]
            row[j] = (a - 1.0) / (a + b - 2.0) if a > 1.0 and b > 1.0 else a / (a + b)
    clipped: npt.NDArray[np.float64] = np.clip(row, lo, hi)
    return clipped


def _m_step(counts: Any, old: Any, add1: Any, add0: Any, lo: Any, hi: Any) -> Any:
    num = counts[:, [0, 2, 4, 6, 8]] + add1
    den = counts[:, [1, 3, 5, 7, 9]] + add1 + add0
    with np.errstate(divide="ignore", invalid="ignore"):
        new = np.where(den > 0.0, num / den, old)
    return np.clip(new, lo, hi)


def fit_em(
    engine: Engine,
    fitted: Any,
    *,
    restarts: int,
    seed: int,
    forgets: bool,
    bounds: Mapping[str, tuple[float, float]],
    prior: Mapping[str, tuple[float, float]] | None,
    tol: float,
    max_iter: int,
) -> Fit:
    """Fit every target whose ``fitted`` flag is set; the others get the prior-only row."""
    seqs = engine.seqs
    k = len(seqs.targets)
    lo, hi = _limits(bounds, forgets)
    add1, add0 = _beta(prior)
    rows = seqs.rows_per_target().astype(np.float64)
    rng = np.random.default_rng(seed)
    best = np.tile(prior_only_row(prior, lo, hi), (k, 1))
    best_ll = np.full(k, -np.inf)
    best_it = np.zeros(k, dtype=np.int64)
    low, high = np.array(INIT_LOW), np.array(INIT_HIGH)
    for _ in range(restarts):
        params = np.clip(rng.uniform(low, high, size=(k, 5)), lo, hi)
        active = fitted.copy()
        last = np.full(k, -np.inf)
        iters = np.zeros(k, dtype=np.int64)
        loglik = np.full(k, -np.inf)
        for _ in range(max_iter):
            if not active.any():
                break
            counts, ll = engine.e_step(params, active)
            loglik = np.where(active, ll, loglik)
            moved = np.abs(ll - last) > tol * np.maximum(rows, 1.0)
            iters += active
            done = active & ~moved
            active = active & moved
            last = np.where(done | active, ll, last)
            new = _m_step(counts, params, add1, add0, lo, hi)
            params = np.where(active[:, None], new, params)
        if active.any():  # out of iterations: the log-likelihood of the last parameters
            _, ll = engine.e_step(params, active)
            loglik = np.where(active, ll, loglik)
        better = fitted & (loglik > best_ll)
        best = np.where(better[:, None], params, best)
        best_ll = np.where(better, loglik, best_ll)
        best_it = np.where(better, iters, best_it)
    assert bool((best[:, 3] + best[:, 4] < 1.0).all()), "guess + slip >= 1 is never returned"
    return Fit(params=best, loglik=best_ll, iterations=best_it, prior_only=~fitted)


def observed_information_intervals(
    engine: Engine, params: Any, fitted: Any, forgets: bool, z: float = 1.959963984540054
) -> tuple[Any, Any]:
    """Wald 95% intervals from the observed information (a numerical Hessian), per target.

    The Hessian of each target's log-likelihood in its free parameters (prior, learn, guess,
    slip, and forget when fitted) by central differences; the standard errors are the square
    roots of the diagonal of its negative inverse. ``NaN`` where the Hessian is not negative
    definite (a parameter at a bound often makes it so) and for prior-only targets.
    """
    free = [0, 1, 3, 4] + ([2] if forgets else [])
    k = params.shape[0]
    h = 1e-4
    active = fitted.copy()

    def ll(shift: dict[int, float]) -> Any:
        moved = params.copy()
        for j, d in shift.items():
            moved[:, j] = np.clip(moved[:, j] + d, _EPS, 1.0 - _EPS)
        return engine.e_step(moved, active)[1]

    base = ll({})
    m = len(free)
    hess = np.zeros((k, m, m))
    for a, ja in enumerate(free):
        plus, minus = ll({ja: h}), ll({ja: -h})
        hess[:, a, a] = (plus - 2.0 * base + minus) / (h * h)
        for b in range(a):
            jb = free[b]
            pp, pm = ll({ja: h, jb: h}), ll({ja: h, jb: -h})
            mp, mm = ll({ja: -h, jb: h}), ll({ja: -h, jb: -h})
            hess[:, a, b] = hess[:, b, a] = (pp - pm - mp + mm) / (4.0 * h * h)
    lower, upper = np.full((k, 5), np.nan), np.full((k, 5), np.nan)
    for i in np.flatnonzero(fitted).tolist():
        info = -hess[i]
        try:
            np.linalg.cholesky(info)
        except np.linalg.LinAlgError:
            continue
        se = np.sqrt(np.diag(np.linalg.inv(info)))
        for a, j in enumerate(free):
            lower[i, j] = max(0.0, params[i, j] - z * se[a])
            upper[i, j] = min(1.0, params[i, j] + z * se[a])
    return lower, upper
