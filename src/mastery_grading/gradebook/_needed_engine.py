"""The vectorized answers of ``Gradebook.needed``: linear policies solved on the grid at once.

For five policies the value after one more score ``s`` (the latest, of weight 1) is known in
closed form from a few sums of the group's evidence:

=====================  ========================================  =========================
policy                 value with ``s`` added                    exact in floats when
=====================  ========================================  =========================
``Mean``               ``(S + s) / (W + 1)``: ``S`` the weighted  every score, weight and
                       sum, ``W`` the weights (counts unweighted) grid point is a multiple
                                                                  of 1/16 (any rubric)
``DecayingAverage``    ``r s + (1 - r) d``: ``d`` the value now   never: near rows redone
``WeightedAverage``    ``w s + (1 - w) T / n``: ``T`` the sum of  never: near rows redone
                       the ``n`` scores now
``MostRecent``         ``s``                                      always
``Highest``            ``max(h, s)``: ``h`` the value now         always
=====================  ========================================  =========================

Each grows with ``s``, so the smallest real ``s*`` that reaches the goal ``g`` is solved for
every group at once (``s* = g (W + 1) - S`` for the mean, ...) and snapped up to the grid:
``k = ceil((s* - min) / step)``. The policy's own value is then computed in floats at grid
points ``k - 1``, ``k`` and ``k + 1`` and the smallest that reaches ``g`` is kept, with a
check that the point below it does not. Where those floats equal the reference's bit for bit
(the third column) that is the reference's answer. Elsewhere a group whose value at the
answer, at the point below it, or now, lies :func:`~mastery_grading._numbers.near_threshold`
of ``g`` is redone by :func:`~mastery_grading.needed`, as are groups where one score is not
enough, groups with evidence at or after ``when``, and every group of another policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE
from mastery_grading.gradebook._engine import Sorted, compute_per_target, evidence_at
from mastery_grading.gradebook._engine._columns import micros
from mastery_grading.policies import DecayingAverage, Highest, Mean, MostRecent, WeightedAverage
from mastery_grading.policies._goal import (
    NO_EVIDENCE_REASON,
    grid_points,
    grid_step,
    promises_higher,
    score_reason,
)
from mastery_grading.policies._needed import needed
from mastery_grading.policies.segments import EXACT_INT, GRID_BITS
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["engine_needed"]

#: The value of each group at some grid points, and whether those floats are the reference's.
ValueAt = Callable[["np.ndarray"], "np.ndarray"]


class _Sums:
    """Per-group sums of the sorted columns, each computed once (zero for empty groups)."""

    def __init__(self, srt: Sorted) -> None:
        self.srt = srt
        self.counts = np.diff(srt.bounds)
        self.nonempty = self.counts > 0
        self._firsts = srt.bounds[:-1][self.nonempty]
        self._cache: dict[str, np.ndarray] = {}

    def of(self, name: str) -> np.ndarray:
        found = self._cache.get(name)
        if found is None:
            cols = self.srt.columns
            x = {
                "score": cols.score,
                "weight": cols.weight,
                "weighted": None if cols.weight is None else cols.score * cols.weight,
            }[name]
            found = np.zeros(self.counts.shape[0])
            if x is not None and x.size:
                found[self.nonempty] = np.add.reduceat(x, self._firsts)
            self._cache[name] = found
        return found


def _on_grid(values: Sequence[float]) -> bool:
    scale = float(2**GRID_BITS)
    return all((v * scale).is_integer() and abs(v) < 2.0**30 for v in values)


def _form(
    policy: Policy, rows: np.ndarray, now: np.ndarray, sums: _Sums, goal: float, top: float
) -> tuple[ValueAt, np.ndarray, bool] | None:
    """``(value at grid points, s*, exact)`` of a linear policy's groups, or ``None``."""
    kind = type(policy)
    if kind is MostRecent:
        return (lambda c: c), np.full(rows.shape, goal), True
    if kind is Highest:
        star = np.where(now >= goal, -np.inf, goal)
        return (lambda c: np.maximum(now, c)), star, True
    if kind is DecayingAverage:
        assert isinstance(policy, DecayingAverage)
        r = float(policy.rate)
        return (lambda c: r * c + (1.0 - r) * now), (goal - (1.0 - r) * now) / r, False
    if kind is WeightedAverage:
        assert isinstance(policy, WeightedAverage)
        w = float(policy.weight)
        older = sums.of("score")[rows] / sums.counts[rows]
        return (lambda c: w * c + (1.0 - w) * older), (goal - (1.0 - w) * older) / w, False
    if kind is Mean:
        assert isinstance(policy, Mean)
        cols, facts = sums.srt.columns, sums.srt.facts
        weighted = policy.weighted and cols.weight is not None
        total = sums.of("weighted" if weighted else "score")[rows]
        weight = sums.of("weight")[rows] if weighted else sums.counts[rows].astype(np.float64)
        x_largest = facts.grid_largest("score")
        w_largest = facts.grid_largest("weight") if weighted else 1.0
        longest = float(sums.counts.max(initial=0)) + 1.0
        exact = (
            x_largest is not None
            and w_largest is not None
            and (max(x_largest, abs(top)) + 1.0)
            * (w_largest + 1.0)
            * 2.0 ** (2 * GRID_BITS)
            * longest
            < EXACT_INT
        )
        return (lambda c: (total + c) / (weight + 1.0)), goal * (weight + 1.0) - total, exact
    return None


def _near(values: np.ndarray, goal: float) -> np.ndarray:
    gap: np.ndarray = np.abs(values - goal) <= NEAR_TOLERANCE * max(1.0, abs(goal))
    return gap


def _snap(
    value_at: ValueAt, star: np.ndarray, goal: float, points: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid index of each group's answer, whether it is settled, and its value there."""
    last = points.shape[0] - 1
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.ceil((star - points[0]) / step)
    settled = ~np.isnan(guess)
    k = np.clip(np.nan_to_num(guess, nan=last), 0, last).astype(np.int64)
    candidates = [np.clip(k + shift, 0, last) for shift in (-1, 0, 1)]
    values = [value_at(points[c]) for c in candidates]
    reaching = [v >= goal for v in values]
    answer = np.select(reaching, candidates, default=-1)
    value = np.select(reaching, values, default=np.nan)
    settled &= answer >= 0  # none reaches: one score may not be enough, or floats disagree
    below = np.maximum(answer - 1, 0)
    below_value = value_at(points[below])
    settled &= (answer == 0) | (below_value < goal)
    return np.where(settled, answer, 0), settled, np.stack([value, below_value])


def engine_needed(
    srt: Sorted,
    targets: Sequence[LearningTarget],
    policies: Sequence[Policy],
    goals: Sequence[tuple[float, str]],
    *,
    level: str | float | None,
    when: datetime | None,
) -> dict[str, Any]:
    """The columns of a ``NeededTable`` for every (student, target) group of ``srt``."""
    n_targets, n_students = len(targets), srt.n_students
    n_rows = n_students * n_targets
    values = compute_per_target(policies, srt, targets).values
    sums = _Sums(srt)
    scores = np.full(n_rows, np.nan)
    counts = np.zeros(n_rows, dtype=np.int64)
    reached = np.zeros(n_rows, dtype=np.bool_)
    codes = np.zeros(n_rows, dtype=np.int64)  # code 0: no evidence
    texts: dict[str, int] = {NO_EVIDENCE_REASON: 0}
    redo = np.zeros(n_rows, dtype=np.bool_)
    if when is not None:
        late = np.zeros(n_rows, dtype=np.bool_)
        lasts = srt.bounds[1:][sums.nonempty] - 1
        late[sums.nonempty] = srt.columns.time[lasts] >= micros(when)
        redo |= late
    for t, (target, policy, (goal, _)) in enumerate(zip(targets, policies, goals, strict=True)):
        rows = np.arange(n_students, dtype=np.int64) * n_targets + t
        rows = rows[sums.nonempty[rows]]
        now = values[rows]
        with np.errstate(invalid="ignore"):
            reached[rows] = now >= goal
        scale = target.scale
        points = np.asarray(grid_points(scale))
        form = _form(policy, rows, now, sums, goal, scale.max)
        if form is None:
            redo[rows] = True
            continue
        value_at, star, exact = form
        exact = exact and _on_grid(points.tolist())
        answer, settled, near_values = _snap(value_at, star, goal, points, float(grid_step(scale)))
        if not exact:
            with np.errstate(invalid="ignore"):
                settled &= ~(_near(near_values, goal).any(axis=0) | _near(now, goal))
        redo[rows[~settled]] = True
        done = rows[settled]
        scores[done] = points[answer[settled]]
        counts[done] = 1
        keys = answer[settled] * 2 + reached[done]
        unique, inverse = np.unique(keys, return_inverse=True)
        promised = promises_higher(policy)
        local = np.array(
            [
                texts.setdefault(
                    score_reason(
                        scale,
                        goal,
                        float(points[key // 2]),
                        reached=bool(key % 2),
                        promised=promised,
                    ),
                    len(texts),
                )
                for key in unique.tolist()
            ],
            dtype=np.int64,
        )
        codes[done] = local[inverse.reshape(-1)]
    target_ids = [target.id for target in targets]
    for row in np.flatnonzero(redo).tolist():
        t = row % n_targets
        history = evidence_at(
            srt.columns, range(int(srt.bounds[row]), int(srt.bounds[row + 1])), target_ids
        )
        answer_ = needed(history, targets[t], policies[t], level=level, when=when)
        scores[row] = np.nan if answer_.score is None else answer_.score
        counts[row] = answer_.count or 0
        reached[row] = answer_.reached
        codes[row] = texts.setdefault(answer_.reason, len(texts))
    return {
        "students": list(srt.columns.student_labels),
        "values": values,
        "reached": reached,
        "scores": scores,
        "counts": counts,
        "reason_codes": codes,
        "reason_texts": list(texts),
    }
