"""The vectorized answers of ``Gradebook.needed``: linear policies solved for every group at once.

For the policies of :mod:`~mastery_grading.gradebook._needed_forms` (mean, decaying average,
weighted average, most recent, highest), every group of a target is answered at once:

1. **One score.** The smallest real score ``s*`` that reaches the goal is solved in closed
   form and snapped up to the scale's grid, ``k = ceil((s* - min) / step)``; the policy's
   value is then computed at grid points ``k - 1``, ``k`` and ``k + 1`` and the smallest that
   reaches the goal is kept, with a check that the point below it does not.
2. **Several scores.** Where even the top of the scale does not reach the goal, the number of
   top scores is solved the same way (the real ``k`` where the deficit meets the room left
   under the goal), rounded up and checked at ``k - 1``, ``k`` and ``k + 1``, from 2 to
   :data:`~mastery_grading.policies._goal.MAX_COUNT`; beyond it the goal is out of reach.

Where the floats decide as the exact reference does (see the forms), that is the reference's
answer. Elsewhere a group whose value at a decisive point lies near the goal is answered by
:func:`~mastery_grading.needed` itself, as are groups with evidence at or after ``when``, and
every group of another policy. The words of each answer are those of ``needed`` (made once per
distinct answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.gradebook._engine import Sorted, compute_per_target, evidence_at
from mastery_grading.gradebook._engine._columns import micros
from mastery_grading.gradebook._needed_forms import Linear, Sums, linear_form, near, on_grid
from mastery_grading.policies import Highest, MostRecent
from mastery_grading.policies._goal import (
    MAX_COUNT,
    NO_EVIDENCE_REASON,
    count_reason,
    grid_points,
    grid_step,
    out_of_reach_reason,
    promises_higher,
    score_reason,
)
from mastery_grading.policies._needed import needed
from mastery_grading.protocols import Policy
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["engine_needed"]


def _one_score(form: Linear, points: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """The grid index of each group's smallest score that reaches the goal, and if settled."""
    last = points.shape[0] - 1
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.ceil((form.star - points[0]) / step)
    settled = ~np.isnan(guess)
    k = np.clip(np.nan_to_num(guess, nan=last), 0, last).astype(np.int64)
    candidates = [np.clip(k + shift, 0, last) for shift in (-1, 0, 1)]
    checked = [form.reaches(points[c]) for c in candidates]
    answer = np.select([ok for ok, _ in checked], candidates, default=-1)
    settled &= (answer >= 0) & ~np.any([unsure for _, unsure in checked], axis=0)
    below_ok, below_unsure = form.reaches(points[np.maximum(answer - 1, 0)])
    settled &= (answer <= 0) | ~(below_ok | below_unsure)
    return np.maximum(answer, 0), settled


def _top_scores(form: Linear) -> tuple[np.ndarray, np.ndarray]:
    """The smallest count of top scores (2 to MAX_COUNT, 0: none) for each group, if settled."""
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.ceil(form.estimate)
    guess = np.clip(np.nan_to_num(guess, nan=MAX_COUNT + 1, posinf=MAX_COUNT + 1), 2, MAX_COUNT + 1)
    k = guess.astype(np.int64)
    candidates = [np.clip(k + shift, 2, MAX_COUNT) for shift in (-1, 0, 1)]
    checked = [form.reached_after(c) for c in candidates]
    settled = ~np.any([unsure for _, unsure in checked], axis=0)
    answer = np.select([ok for ok, _ in checked], candidates, default=0)
    # none of them reaches: out of reach only when the last one tried was MAX_COUNT
    settled &= (answer > 0) | (candidates[2] == MAX_COUNT)
    below_ok, below_unsure = form.reached_after(np.maximum(answer - 1, 2))
    settled &= (answer <= 2) | ~(below_ok | below_unsure)
    return answer, settled


class _Texts:
    """Each distinct reason once: a row's reason is a code into :attr:`texts`."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {NO_EVIDENCE_REASON: 0}  # code 0: no evidence

    def code(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def codes(self, keys: np.ndarray, text_of: Any) -> np.ndarray:
        """The codes of ``text_of(key)`` for each key, each text made once."""
        unique, inverse = np.unique(keys, return_inverse=True)
        local = np.array([self.code(text_of(int(key))) for key in unique.tolist()], np.int64)
        result: np.ndarray = local[inverse.reshape(-1)]
        return result


def _answer_target(
    form: Linear,
    scale: Scale,
    goal: float,
    promised: bool,
    rows: np.ndarray,
    columns: dict[str, np.ndarray],
    texts: _Texts,
) -> np.ndarray:
    """Fill the columns of ``rows`` (one target's groups); return the rows left unsettled."""
    points = np.asarray(grid_points(scale))
    top_ok, unsure = form.reaches(np.full(rows.shape, scale.max))
    reached = columns["reached"]
    ones = rows[top_ok & ~unsure]
    answer, settled = _one_score(form, points, float(grid_step(scale)))
    answer, settled = answer[top_ok & ~unsure], settled[top_ok & ~unsure]
    done = ones[settled]
    columns["scores"][done] = points[answer[settled]]
    columns["counts"][done] = 1
    columns["codes"][done] = texts.codes(
        answer[settled] * 2 + reached[done],
        lambda key: score_reason(
            scale, goal, float(points[key // 2]), reached=bool(key % 2), promised=promised
        ),
    )
    left = [ones[~settled], rows[unsure]]
    several = ~top_ok & ~unsure
    if several.any():

        def reached_after(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            ok, unclear = form.reached_after(_spread(k, several))
            return ok[several], unclear[several]

        sub = Linear(
            reaches=form.reaches,
            star=form.star[several],
            reached_after=reached_after,
            estimate=form.estimate[several],
        )
        count, settled = _top_scores(sub)
        done = rows[several][settled]
        columns["counts"][done] = count[settled]
        columns["codes"][done] = texts.codes(
            count[settled],
            lambda k: count_reason(scale, goal, k) if k else out_of_reach_reason(scale, goal),
        )
        left.append(rows[several][~settled])
    return np.concatenate(left)


def _spread(k: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``k`` (one per selected row) spread to every row of ``mask`` (1 where not selected)."""
    full = np.ones(mask.shape, dtype=np.int64)
    full[mask] = k
    return full


def _exact_now(policy: Policy, scale: Scale, goal: float) -> bool:
    """Whether the engine's values decide "reached now" as the reference does.

    The engine recomputes exactly any value near a level threshold (the mastery threshold and
    every level's minimum), and the most recent and highest scores are exact anyway.
    """
    thresholds = {scale.mastery, *(level.minimum for level in scale.levels)}
    return goal in thresholds or type(policy) in (MostRecent, Highest)


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
    sums = Sums(srt)
    columns = {
        "scores": np.full(n_rows, np.nan),
        "counts": np.zeros(n_rows, dtype=np.int64),
        "reached": np.zeros(n_rows, dtype=np.bool_),
        "codes": np.zeros(n_rows, dtype=np.int64),
    }
    texts = _Texts()
    redo = np.zeros(n_rows, dtype=np.bool_)
    late = np.zeros(n_rows, dtype=np.bool_)
    if when is not None:
        lasts = srt.bounds[1:][sums.nonempty] - 1
        late[sums.nonempty] = srt.columns.time[lasts] >= micros(when)
    for t, (target, policy, (goal, _)) in enumerate(zip(targets, policies, goals, strict=True)):
        rows = np.arange(n_students, dtype=np.int64) * n_targets + t
        rows = rows[sums.nonempty[rows] & ~late[rows]]
        now = values[rows]
        with np.errstate(invalid="ignore"):
            columns["reached"][rows] = now >= goal
        scale = target.scale
        grid = on_grid(np.asarray(grid_points(scale)))
        form = linear_form(policy, rows, now, sums, goal, scale.max, on_grid=grid)
        if form is None:
            redo[rows] = True
            continue
        if not _exact_now(policy, scale, goal):  # whether it is reached now, in floats
            with np.errstate(invalid="ignore"):
                unsure = near(now, goal)
            redo[rows[unsure]] = True
            rows, now = rows[~unsure], now[~unsure]
            form = linear_form(policy, rows, now, sums, goal, scale.max, on_grid=grid)
            assert form is not None
        promised = promises_higher(policy)
        redo[_answer_target(form, scale, goal, promised, rows, columns, texts)] = True
    redo |= late
    target_ids = [target.id for target in targets]
    for row in np.flatnonzero(redo).tolist():
        t = row % n_targets
        rows_of = range(int(srt.bounds[row]), int(srt.bounds[row + 1]))
        found = needed(
            evidence_at(srt.columns, rows_of, target_ids),
            targets[t],
            policies[t],
            level=level,
            when=when,
        )
        columns["scores"][row] = np.nan if found.score is None else found.score
        columns["counts"][row] = found.count or 0
        columns["reached"][row] = found.reached
        columns["codes"][row] = texts.code(found.reason)
    return {
        "students": list(srt.columns.student_labels),
        "values": values,
        "reached": columns["reached"],
        "scores": columns["scores"],
        "counts": columns["counts"],
        "reason_codes": columns["codes"],
        "reason_texts": list(texts.index),
    }
