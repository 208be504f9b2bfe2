"""The closed forms of ``Gradebook.needed``: how a linear policy's value moves with new scores.

For five policies the value after one more score ``s`` (the latest, of weight 1), and after
``k`` more scores at the top of the scale ``M``, is known from a few sums of a group's
evidence:

=====================  ==============================  ===================================
policy                 value with ``s`` added          ``M`` minus the value after ``k``
                                                       top scores (the *deficit*)
=====================  ==============================  ===================================
``Mean``               ``(S + s) / (W + 1)``           ``(M W - S) / (W + k)``
``DecayingAverage``    ``r s + (1 - r) d``             ``(1 - r)**k (M - d)``
``WeightedAverage``    ``w s + (1 - w) T / n``         ``(1 - w) (n M - T) / (n + k - 1)``
``MostRecent``         ``s``                           ``0``
``Highest``            ``max(h, s)``                   ``0``
=====================  ==============================  ===================================

where ``S`` is the weighted sum of the scores and ``W`` their weights (the count, unweighted),
``d`` and ``h`` the values now, ``T`` the sum of the ``n`` scores. A result reaches a goal
``g`` exactly when its float does (the policies round their exact value once), that is when
the deficit is at most ``M - g`` plus half a unit in the last place of ``g``.

Floats decide as the exact reference does for the mean when every score, weight and grid
point is a multiple of 1/16 (then every sum and product below is exact), and for the most
recent and highest scores always; elsewhere a group within
``NEAR_TOLERANCE`` (1e-9, relative) of the goal is left to the reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE, read_value
from mastery_grading.gradebook._engine import Sorted
from mastery_grading.policies import DecayingAverage, Highest, Mean, MostRecent, WeightedAverage
from mastery_grading.policies._goal import MAX_COUNT
from mastery_grading.policies.segments import EXACT_INT, GRID_BITS
from mastery_grading.protocols import Policy

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["Decision", "Linear", "Sums", "linear_form", "near", "on_grid"]


def near(values: np.ndarray, goal: float, scale: float | np.ndarray = 1.0) -> np.ndarray:
    """Where ``values`` lie so near ``goal`` that floats may decide otherwise than fractions."""
    found: np.ndarray = np.abs(values - goal) <= NEAR_TOLERANCE * np.maximum(scale, abs(goal))
    return found


class Sums:
    """Per-group sums of the sorted columns, each computed once (zero for empty groups)."""

    def __init__(self, srt: Sorted) -> None:
        self.srt = srt
        self.counts = np.diff(srt.bounds)
        self.nonempty = self.counts > 0
        self._firsts = srt.bounds[:-1][self.nonempty]
        self._cache: dict[str, np.ndarray] = {}

    def of(self, name: str) -> np.ndarray:
        """``"score"``, ``"weight"`` or ``"weighted"`` (score times weight) summed per group."""
        found = self._cache.get(name)
        if found is None:
            cols = self.srt.columns
            x = {
                "score": cols.score,
                "weight": cols.weight,
                "weighted": None if cols.weight is None else cols.score * cols.weight,
            }[name]
            found = np.zeros(self.counts.shape[0])
            if name == "weight" and x is None:
                found = self.counts.astype(np.float64)
            elif x is not None and x.size:
                found[self.nonempty] = np.add.reduceat(x, self._firsts)
            self._cache[name] = found
        return found


#: Whether each group reaches the goal at some points, and where floats cannot tell.
Decision = Callable[["np.ndarray"], tuple["np.ndarray", "np.ndarray"]]


@dataclass(frozen=True)
class Linear:
    """A linear policy's groups (one target's rows): what one score, or ``k`` top scores, give.

    ``reaches(c)`` tells whether one more score ``c`` (an array, one per row) reaches the goal,
    and where floats cannot tell; ``star`` is the smallest real score that reaches it;
    ``reached_after(k)`` tells the same of ``k`` top scores, and ``estimate`` is the real ``k``
    at which they start to.
    """

    reaches: Decision
    star: np.ndarray
    reached_after: Decision
    estimate: np.ndarray


def _room(goal: float, top: float) -> float:
    """How far below the top the value may end: ``M - g`` and half an ulp below ``g``."""
    return (top - goal) + (goal - math.nextafter(goal, -math.inf)) / 2


def _sure(ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return ok, np.zeros(ok.shape, dtype=np.bool_)


def _by_value(value: Callable[[np.ndarray], np.ndarray], goal: float, scale: float) -> Decision:
    """Decide with the value's float, unsure within the near tolerance of the goal."""

    def decide(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        v = value(x)
        return v >= goal, near(v, goal, scale)

    return decide


def _by_deficit(deficit: Callable[[np.ndarray], np.ndarray], room: float) -> Decision:
    def reached_after(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gap = deficit(k)
        return gap <= room, np.abs(gap - room) <= NEAR_TOLERANCE * room

    return reached_after


def _small_ratio(value: float) -> tuple[int, int] | None:
    """``value`` as ``p / q`` with ``q`` at most 1024 (read by the number rule), else ``None``."""
    exact = read_value(value)
    if exact.denominator > 1024:
        return None
    return exact.numerator, exact.denominator


def _exact_room(sums: Sums, *values: float, factor: float = 1.0) -> bool:
    """Whether sums of the scores with these values, times ``factor``, stay exact floats."""
    x_largest = sums.srt.facts.grid_largest("score")
    if x_largest is None or not all(v * 16.0 == round(v * 16.0) for v in values):
        return False
    largest = max(x_largest, *(abs(v) for v in values)) + 1.0
    longest = float(sums.counts.max(initial=0)) + MAX_COUNT + 2.0
    return largest * longest * factor * 2.0 ** (2 * GRID_BITS + 2) < EXACT_INT


def _mean(
    policy: Mean, rows: np.ndarray, sums: Sums, goal: float, top: float, on_grid: bool
) -> Linear:
    weighted = policy.weighted and sums.srt.columns.weight is not None
    total = sums.of("weighted" if weighted else "score")[rows]
    weight = sums.of("weight")[rows] if weighted else sums.counts[rows].astype(np.float64)
    w_largest = sums.srt.facts.grid_largest("weight") if weighted else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (goal * weight - total) / (top - goal)
    if on_grid and w_largest is not None and _exact_room(sums, top, goal, factor=w_largest + 1):
        # every sum and product is exact: compare them, no division
        return Linear(
            reaches=lambda c: _sure(total + c >= goal * (weight + 1.0)),
            star=goal * (weight + 1.0) - total,
            reached_after=lambda k: _sure(total + k * top >= goal * (weight + k)),
            estimate=estimate,
        )
    return Linear(
        reaches=_by_value(lambda c: (total + c) / (weight + 1.0), goal, 1.0),
        star=goal * (weight + 1.0) - total,
        reached_after=_by_value(lambda k: (total + k * top) / (weight + k), goal, top - goal),
        estimate=estimate,
    )


def _weighted_average(
    policy: WeightedAverage, rows: np.ndarray, sums: Sums, goal: float, top: float, on_grid: bool
) -> Linear:
    w = float(policy.weight)
    n = sums.counts[rows].astype(np.float64)
    total = sums.of("score")[rows]
    shortfall = (1.0 - w) * (n * top - total)
    room = _room(goal, top)
    ratio = _small_ratio(w)
    star = (goal - (1.0 - w) * total / n) / w
    estimate = shortfall / room - n + 1.0
    if on_grid and ratio is not None and _exact_room(sums, top, goal, factor=4.0 * ratio[1]):
        # w = p / q: p n c + (q - p) T >= q g n, in exact floats
        p, q = float(ratio[0]), float(ratio[1])
        return Linear(
            reaches=lambda c: _sure(p * n * c + (q - p) * total >= q * goal * n),
            star=star,
            reached_after=lambda k: _sure(
                (q - p) * (n * top - total) <= q * (top - goal) * (n + k - 1.0)
            ),
            estimate=estimate,
        )
    return Linear(
        reaches=_by_value(lambda c: w * c + (1.0 - w) * total / n, goal, 1.0),
        star=star,
        reached_after=_by_deficit(lambda k: shortfall / (n + k - 1.0), room),
        estimate=estimate,
    )


def linear_form(
    policy: Policy,
    rows: np.ndarray,
    now: np.ndarray,
    sums: Sums,
    goal: float,
    top: float,
    *,
    on_grid: bool,
) -> Linear | None:
    """The closed form of ``policy`` on the groups ``rows`` (values ``now``), or ``None``.

    ``on_grid``: whether every grid point of the scale is a multiple of 1/16.
    """
    kind = type(policy)
    never = np.full(rows.shape, np.inf)

    def always(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _sure(np.ones(k.shape, dtype=np.bool_))

    if kind is MostRecent:
        return Linear(lambda c: _sure(c >= goal), np.full(rows.shape, goal), always, never)
    if kind is Highest:
        star = np.where(now >= goal, -np.inf, goal)
        return Linear(lambda c: _sure(np.maximum(now, c) >= goal), star, always, never)
    if kind is Mean:
        assert isinstance(policy, Mean)
        return _mean(policy, rows, sums, goal, top, on_grid)
    if kind is WeightedAverage:
        assert isinstance(policy, WeightedAverage)
        return _weighted_average(policy, rows, sums, goal, top, on_grid)
    if kind is DecayingAverage:
        assert isinstance(policy, DecayingAverage)
        r = float(policy.rate)
        keep = 1.0 - r
        room = _room(goal, top)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.log(room / (top - now)) / math.log(keep) if keep > 0 else never
        return Linear(
            reaches=_by_value(lambda c: r * c + keep * now, goal, 1.0),
            star=(goal - keep * now) / r,
            reached_after=_by_deficit(lambda k: keep**k * (top - now), room),
            estimate=estimate,
        )
    return None


def on_grid(points: np.ndarray) -> bool:
    """Whether every point is a multiple of 1/16 below 2**30 (exact sums and products)."""
    scaled = points * float(2**GRID_BITS)
    return bool(np.all(scaled == np.rint(scaled)) and np.all(np.abs(points) < 2.0**30))
