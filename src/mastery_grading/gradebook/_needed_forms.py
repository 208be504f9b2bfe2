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
:data:`~mastery_grading._numbers.NEAR_TOLERANCE` of the goal is left to the reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE
from mastery_grading.gradebook._engine import Sorted
from mastery_grading.policies import DecayingAverage, Highest, Mean, MostRecent, WeightedAverage
from mastery_grading.policies.segments import EXACT_INT, GRID_BITS
from mastery_grading.protocols import Policy

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["Linear", "Sums", "linear_form", "near", "on_grid"]


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


@dataclass(frozen=True)
class Linear:
    """A linear policy's groups (one target's rows): what one score, or ``k`` top scores, give.

    ``value_at(c)`` is the value with one more score ``c`` (an array, one per row); ``star``
    the smallest real score that reaches the goal; ``reached_after(k)`` whether ``k`` top
    scores reach it, and where floats cannot tell; ``estimate`` the real ``k`` at which they
    start to; ``exact`` whether the floats of ``value_at`` decide as the reference does.
    """

    value_at: Callable[[np.ndarray], np.ndarray]
    star: np.ndarray
    exact: bool
    reached_after: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    estimate: np.ndarray


def _room(goal: float, top: float) -> float:
    """How far below the top the value may end: ``M - g`` and half an ulp below ``g``."""
    return (top - goal) + (goal - math.nextafter(goal, -math.inf)) / 2


def _by_deficit(
    deficit: Callable[[np.ndarray], np.ndarray], room: float
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def reached_after(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gap = deficit(k)
        return gap <= room, np.abs(gap - room) <= NEAR_TOLERANCE * room

    return reached_after


def _mean(
    policy: Mean, rows: np.ndarray, sums: Sums, goal: float, top: float, on_grid: bool
) -> Linear:
    cols, facts = sums.srt.columns, sums.srt.facts
    weighted = policy.weighted and cols.weight is not None
    total = sums.of("weighted" if weighted else "score")[rows]
    weight = sums.of("weight")[rows] if weighted else sums.counts[rows].astype(np.float64)
    x_largest = facts.grid_largest("score")
    w_largest = facts.grid_largest("weight") if weighted else 1.0
    longest = float(sums.counts.max(initial=0)) + 200.0  # up to 100 top scores and more
    exact = (
        on_grid
        and x_largest is not None
        and w_largest is not None
        and (max(x_largest, abs(top), abs(goal)) + 1.0) * (w_largest + 1.0) * longest * 2.0**10
        < EXACT_INT
    )
    if exact:  # every sum and product is exact: compare them, no division

        def reached_after(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return total + k * top >= goal * (weight + k), np.zeros(k.shape, dtype=np.bool_)

    else:

        def reached_after(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            value = (total + k * top) / (weight + k)
            return value >= goal, near(value, goal, top - goal)

    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (goal * weight - total) / (top - goal)
    return Linear(
        value_at=lambda c: (total + c) / (weight + 1.0),
        star=goal * (weight + 1.0) - total,
        exact=exact,
        reached_after=reached_after,
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
    room = _room(goal, top)
    never = np.full(rows.shape, np.inf)

    def always(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.ones(k.shape, dtype=np.bool_), np.zeros(k.shape, dtype=np.bool_)

    if kind is MostRecent:
        return Linear(lambda c: c, np.full(rows.shape, goal), True, always, never)
    if kind is Highest:
        star = np.where(now >= goal, -np.inf, goal)
        return Linear(lambda c: np.maximum(now, c), star, True, always, never)
    if kind is Mean:
        assert isinstance(policy, Mean)
        return _mean(policy, rows, sums, goal, top, on_grid)
    if kind is DecayingAverage:
        assert isinstance(policy, DecayingAverage)
        r = float(policy.rate)
        keep = 1.0 - r
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.log(room / (top - now)) / math.log(keep) if keep > 0 else never
        return Linear(
            value_at=lambda c: r * c + keep * now,
            star=(goal - keep * now) / r,
            exact=False,
            reached_after=_by_deficit(lambda k: keep**k * (top - now), room),
            estimate=estimate,
        )
    if kind is WeightedAverage:
        assert isinstance(policy, WeightedAverage)
        w = float(policy.weight)
        n = sums.counts[rows].astype(np.float64)
        total = sums.of("score")[rows]
        shortfall = (1.0 - w) * (n * top - total)
        return Linear(
            value_at=lambda c: w * c + (1.0 - w) * total / n,
            star=(goal - (1.0 - w) * total / n) / w,
            exact=False,
            reached_after=_by_deficit(lambda k: shortfall / (n + k - 1.0), room),
            estimate=shortfall / room - n + 1.0,
        )
    return None


def on_grid(points: np.ndarray) -> bool:
    """Whether every point is a multiple of 1/16 below 2**30 (exact sums and products)."""
    scaled = points * float(2**GRID_BITS)
    return bool(np.all(scaled == np.rint(scaled)) and np.all(np.abs(points) < 2.0**30))
