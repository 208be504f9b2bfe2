"""Order-free policies straight from the unsorted columns: no sort at all.

The mean, the highest score, n-times and the most recent score need no chronological order
within a group: the first three are sums, counts and maxima by group code
(``np.bincount`` and ``np.maximum.at`` over ``student * n_targets + target``), the last one an
arg-max of the time per group, with the chronological tie-breaks of
:func:`~mastery_grading.chronological_key` among the rows at a group's latest time. The results
are bit for bit those of the kernels on sorted columns, because this module only takes the cases
where the kernels' sums are exact whatever the order (scores, and weights, on the grid of
sixteenths: see :mod:`mastery_grading.policies.segments`) and leaves every other case
(``None``) to the sorted path. Negative zeros are left to it as well: ``-0.0 + 0.0`` depends
on the order of the terms.

Example:
    >>> import numpy as np
    >>> from mastery_grading import LearningTarget
    >>> from mastery_grading.gradebook._engine import Columns
    >>> from mastery_grading.policies import Highest, MostRecent
    >>> cols = Columns(student=np.array([1, 0, 1], np.int32), student_labels=["a", "b"],
    ...                target=np.zeros(3, np.int32), score=np.array([1.0, 2.0, 3.5]),
    ...                time=np.array([9, 4, 5]))
    >>> targets = [LearningTarget(id="T", title="T")]
    >>> order_free([MostRecent()], cols, targets).values.tolist()
    [2.0, 1.0]
    >>> order_free([Highest()], cols, targets).values.tolist()
    [2.0, 3.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.gradebook._engine._columns import Columns, FloatArray, IntArray
from mastery_grading.gradebook._engine._sort import tie_keys
from mastery_grading.policies import Highest, Mean, MostRecent, NTimes
from mastery_grading.policies.kernels.count import n_times_short
from mastery_grading.policies.segments import (
    EXACT_INT,
    GRID_BITS,
    ColumnFacts,
    GroupReasons,
)
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np

    from mastery_grading.gradebook._engine import EngineResult
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["ORDER_FREE", "order_free"]

#: The policies computed here (each only in the cases where it is exact in any order).
ORDER_FREE = (Mean, Highest, NTimes, MostRecent)

_GRID = float(2**GRID_BITS)


def _group_codes(cols: Columns, n_targets: int) -> IntArray:
    group = cols.student.astype(np.int64)
    group *= n_targets
    group += cols.target
    return group


def _mean(policy: Mean, cols: Columns, group: IntArray, counts: IntArray) -> FloatArray | None:
    facts = ColumnFacts(cols)
    x_largest = facts.grid_largest("score")
    if x_largest is None:
        return None
    longest = float(counts.max())
    n_groups = counts.shape[0]
    weight = cols.weight if policy.weighted else None
    with np.errstate(invalid="ignore", divide="ignore"):
        if weight is None:
            if not x_largest * _GRID * longest < EXACT_INT:
                return None
            total = np.bincount(group, weights=cols.score, minlength=n_groups)
            return np.asarray(total / counts, dtype=np.float64)
        w_largest = facts.grid_largest("weight")
        if w_largest is None or not (x_largest + 1) * w_largest * _GRID * _GRID * longest < (
            EXACT_INT
        ):
            return None
        total = np.bincount(group, weights=cols.score * weight, minlength=n_groups)
        weights = np.bincount(group, weights=weight, minlength=n_groups)
        return np.asarray(total / weights, dtype=np.float64)


def _highest(cols: Columns, group: IntArray, n_groups: int) -> FloatArray:
    values = np.full(n_groups, -np.inf)
    np.maximum.at(values, group, cols.score)
    values[np.isneginf(values)] = np.nan  # scores are finite: only empty groups stay -inf
    return values


def _n_times(
    policy: NTimes,
    cols: Columns,
    group: IntArray,
    counts: IntArray,
    targets: Sequence[LearningTarget],
) -> tuple[FloatArray, GroupReasons] | None:
    largest = ColumnFacts(cols).grid_largest("score")
    if largest is None or not largest * _GRID * float(counts.max()) < EXACT_INT:
        return None
    mastery = np.asarray([t.scale.mastery for t in targets], dtype=np.float64)
    if bool((mastery == mastery[0]).all()):
        above = cols.score >= mastery[0]
    else:
        above = cols.score >= mastery[cols.target]
    n_groups = counts.shape[0]
    # weighted counts of the whole column, in row order as before: no gather of the rows at
    # mastery (a copy of half the group codes), and a product in place of ``np.where``
    # (the scores are finite and not negative zeros: ``score * False`` is ``+0.0``)
    kept = np.bincount(group, weights=above, minlength=n_groups).astype(np.int64)
    total = np.bincount(group, weights=np.multiply(cols.score, above), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = total / kept
    values[counts == 0] = np.nan
    _, reasons = n_times_short(policy, values, counts > 0, kept)
    return values, reasons


def _most_recent(cols: Columns, group: IntArray, n_groups: int) -> FloatArray:
    time = cols.time
    latest = np.full(n_groups, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, group, time)
    at_latest = np.flatnonzero(time == latest[group])
    owner = group[at_latest]
    values = np.full(n_groups, np.nan)
    values[owner] = cols.score[at_latest]  # right wherever one row is at the latest time
    ties = np.bincount(owner, minlength=n_groups)[owner] > 1
    if ties.any():
        # rows at the same latest time: the last by the chronological tie-breaks wins
        rows, owners = at_latest[ties], owner[ties]
        order = np.lexsort((*(key[rows] for key in reversed(tie_keys(cols))), owners))
        rows, owners = rows[order], owners[order]
        last = np.ones(rows.shape[0], dtype=np.bool_)
        last[:-1] = owners[1:] != owners[:-1]
        values[owners[last]] = cols.score[rows[last]]
    return values


def order_free(
    policies: Sequence[Policy],
    cols: Columns,
    targets: Sequence[LearningTarget],
    *,
    as_of: int | None = None,
) -> EngineResult | None:
    """The engine's result of ``policies`` (one per target) from unsorted columns, or ``None``.

    ``None`` when the policies are not one and the same order-free policy, or when its result
    could depend on the order of the rows (scores off the grid, negative zeros): then the
    sorted path computes it.

    Args:
        policies: The policy of each target.
        cols: Every row of the gradebook, in any order.
        targets: The targets, in the order of the target codes.
        as_of: Only evidence observed at or before this time (microseconds since the epoch).
    """
    from mastery_grading.gradebook._engine import EngineResult

    if not policies or not isinstance(policies[0], ORDER_FREE):
        return None
    policy = policies[0]
    if any(p is not policy and p != policy for p in policies[1:]):
        return None
    if as_of is not None and not bool((cols.time <= as_of).all()):
        from mastery_grading.gradebook._engine._columns import select_rows

        cols = select_rows(cols, cols.time <= as_of)
    if bool(np.signbit(cols.score).any()) or (
        cols.weight is not None and bool(np.signbit(cols.weight).any())
    ):
        return None
    n_targets = len(targets)
    n_groups = len(cols.student_labels) * n_targets
    group = _group_codes(cols, n_targets)
    counts = np.bincount(group, minlength=n_groups).astype(np.int64)
    reasons = GroupReasons(n_groups)
    values: FloatArray | None
    if isinstance(policy, Mean):
        values = _mean(policy, cols, group, counts)
    elif isinstance(policy, Highest):
        values = _highest(cols, group, n_groups)
    elif isinstance(policy, MostRecent):
        values = _most_recent(cols, group, n_groups)
    else:
        assert isinstance(policy, NTimes)
        found = _n_times(policy, cols, group, counts, targets)
        values, reasons = (None, reasons) if found is None else found
    if values is None:
        return None
    empty = counts == 0
    if empty.any():
        reasons.fill(np.flatnonzero(empty), "no evidence", keep=True)
    return EngineResult(values=values, counts=counts, reasons=reasons)
