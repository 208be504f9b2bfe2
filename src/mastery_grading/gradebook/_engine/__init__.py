"""The vectorized engine: every (student, target) result of a gradebook in a few numpy passes.

Requires numpy (the ``data`` extra); pyarrow (the ``fast`` extra) makes reading string ids
from DataFrames much faster. :class:`~mastery_grading.Gradebook` uses the engine automatically
when numpy is installed. The pipeline:

1. **Encode** ids as integers. String columns of a DataFrame are dictionary-encoded by Arrow
   (``pyarrow.compute.dictionary_encode``, about 10x faster than ``pandas.factorize`` on Python
   strings); without pyarrow, ``pandas.factorize`` is used. Codes are then relabelled so that
   their order is the order of the strings. The two id columns are encoded on two threads
   (``gradebook._threads``: ``MASTERY_GRADING_THREADS``, default 2), results identical to one
   thread; a dictionary column (a pandas categorical) is read from its own codes.
2. **Sort once** by (student, target, chronological key), see ``_sort`` (from 2^18 rows in two
   parts split at a group, one per thread), and keep every column in that order: policies then
   read the columns without gathering.
   Order-free policies (the mean, the highest, n-times, the most recent) of a gradebook read
   from one frame skip the sort: ``_order_free`` computes them by group code from the unsorted
   columns, bit for bit the kernels' values; the sort is made when a policy needs order (or a
   row is explained), and cached.
3. **Kernels** compute every group with segment operations (``np.add.reduceat`` and friends);
   they come from the one registry, :mod:`mastery_grading.policies.kernels`, where each policy
   family registers its own. Policies without a kernel are evaluated by the reference policy,
   one group at a time.
4. **Exactness.** Where a kernel's float could differ from the exact reference (which computes
   with fractions and rounds once) and lies within ``1e-9`` of a level threshold of its target,
   the group is recomputed by the reference policy, so levels and mastery are always those of
   the reference.

Example:
    >>> from mastery_grading.gradebook import _engine as engine
    >>> from mastery_grading.policies import Mean
    >>> engine.has_kernel(Mean())
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE
from mastery_grading.gradebook._engine._columns import (
    Columns,
    FloatArray,
    IntArray,
    columns_from_evidence,
    concat_columns,
    evidence_at,
    select_rows,
)
from mastery_grading.gradebook._engine._sort import Sorted, sort_rows
from mastery_grading.policies.kernels import has_kernel, kernel_for
from mastery_grading.policies.segments import (
    GroupReasons,
    KernelOutput,
    Segments,
    read_only,
)
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = [
    "Columns",
    "EngineResult",
    "GroupReasons",
    "Sorted",
    "columns_from_evidence",
    "compute",
    "compute_per_target",
    "concat_columns",
    "evidence_at",
    "has_kernel",
    "level_codes",
    "small_level_codes",
    "sort_rows",
]


@dataclass(frozen=True)
class EngineResult:
    """One value (``NaN`` for ``None``) and evidence count per group, reasons for ``None``."""

    values: FloatArray
    counts: IntArray
    reasons: GroupReasons


def _thresholds(target: LearningTarget) -> list[float]:
    scale = target.scale
    return sorted({scale.mastery, *(level.minimum for level in scale.levels[1:])})


def _near_thresholds(values: FloatArray, targets: Sequence[LearningTarget]) -> np.ndarray:
    thresholds = [_thresholds(target) for target in targets]
    if not thresholds:
        return np.zeros(values.shape, dtype=np.bool_)
    if all(t == thresholds[0] for t in thresholds):  # one set for every target: no reshape
        columns, per_target = values.reshape(1, -1), [thresholds[0]]
    else:
        columns, per_target = values.reshape(-1, len(targets)).T, thresholds
    near = np.zeros(columns.shape, dtype=np.bool_)
    gap = np.empty(columns.shape[1])
    for t, column in enumerate(columns):
        for threshold in per_target[t]:
            np.subtract(column, threshold, out=gap)
            np.abs(gap, out=gap)
            near[t] |= gap <= NEAR_TOLERANCE * max(1.0, abs(threshold))
    return near.T.reshape(-1)  # student-major, as the values


def _segments(srt: Sorted, targets: Sequence[LearningTarget]) -> Segments:
    """The kernels' view of every sorted row, built once per sorted columns and scales."""
    key = tuple((t.scale.mastery, t.scale.min, t.scale.max) for t in targets)
    seg = srt.segments.get(key)
    if seg is None:

        def per_group(items: list[float]) -> FloatArray:
            tiled: FloatArray = np.tile(np.asarray(items, dtype=np.float64), srt.n_students)
            return read_only(tiled)

        cols = srt.columns
        seg = Segments(
            score=cols.score,
            weight=cols.weight,
            summative=cols.summative,
            group=srt.group,
            starts=read_only(srt.bounds[:-1]),
            counts=read_only(np.diff(srt.bounds)),
            mastery=per_group([t.scale.mastery for t in targets]),
            scale_min=per_group([t.scale.min for t in targets]),
            scale_max=per_group([t.scale.max for t in targets]),
            columns=cols,
            facts=srt.facts,
        )
        srt.segments.clear()  # one set of targets per gradebook: keep only the latest
        srt.segments[key] = seg
    return seg


def compute(
    policy: Policy,
    srt: Sorted,
    targets: Sequence[LearningTarget],
    *,
    as_of: int | None = None,
) -> EngineResult:
    """Return the result of ``policy`` for every (student, target) group.

    Args:
        policy: Any policy; built-ins with a kernel are vectorized, others evaluated per group.
        srt: The sorted evidence columns, from :func:`~mastery_grading.gradebook._engine.sort_rows`.
        targets: The targets, in the order of the target codes.
        as_of: Only evidence observed at or before this time (microseconds since the epoch).

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.gradebook._engine import columns_from_evidence, compute, sort_rows
        >>> from mastery_grading.policies import Mean
        >>> day = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
        >>> cols = columns_from_evidence(
        ...     [Evidence(student_id="s", target_id="T", score=x, observed_at=day(i + 1))
        ...      for i, x in enumerate([2.8, 3.2, 2.9, 3.1])], {"T": 0})
        >>> compute(Mean(), sort_rows(cols, 1), [LearningTarget(id="T", title="T")]).values
        array([3.])

        Policies computed on the same sorted columns share one group layout, cached and
        read-only, so a kernel that wrote into it would fail loudly; ``as_of`` restricts it:

        >>> from mastery_grading.policies import PowerLaw
        >>> two = columns_from_evidence(
        ...     [Evidence(student_id=s, target_id="T", score=x, observed_at=day(i + 1))
        ...      for s, xs in [("s1", [1.0, 3.0, 2.5]), ("s2", [4.0])]
        ...      for i, x in enumerate(xs)], {"T": 0})
        >>> srt, targets = sort_rows(two, 1), [LearningTarget(id="T", title="T")]
        >>> first, second = compute(Mean(), srt, targets), compute(PowerLaw(), srt, targets)
        >>> first.counts is second.counts, second.counts.tolist(), len(srt.segments)
        (True, [3, 1], 1)
        >>> [seg] = srt.segments.values()
        >>> [shared.flags.writeable for shared in (seg.counts, seg.starts, seg.nonempty,
        ...                                        seg.lasts, seg.mastery)]
        [False, False, False, False, False]
        >>> compute(Mean(), srt, targets, as_of=int(srt.columns.time.min())).counts.tolist()
        [1, 1]
    """
    n_targets = len(targets)
    n_groups = srt.n_students * n_targets
    seg = _segments(srt, targets)
    if as_of is not None:
        cols, group = srt.columns, srt.group
        keep = cols.time <= as_of
        if not keep.all():
            cols, group = select_rows(cols, keep), group[keep]
            del keep
            counts = np.bincount(group, minlength=n_groups).astype(np.int64)
            starts = np.zeros(n_groups, dtype=np.int64)
            if n_groups:
                np.cumsum(counts[:-1], out=starts[1:])
            seg = replace(
                seg,
                score=cols.score,
                weight=cols.weight,
                summative=cols.summative,
                group=group,
                starts=starts,
                counts=counts,
                columns=cols,
            )
    cols, starts, counts = seg.columns, seg.starts, seg.counts
    run = kernel_for(policy)
    out = None if run is None else run(policy, seg)
    redo: np.ndarray | None = None
    if isinstance(out, KernelOutput) and isinstance(out.reasons, GroupReasons):
        reasons = out.reasons  # the kernel's own, made for this call: no copy
    else:
        reasons = GroupReasons(n_groups)
    if out is not None:
        values = out.values
        if out.reasons is not reasons:
            reasons.update(out.reasons)
        if out.inexact is not None and out.inexact.any():
            redo = out.inexact & _near_thresholds(values, targets)
        if out.force is not None:
            redo = out.force if redo is None else redo | out.force
        if not seg.all_nonempty:
            reasons.fill(np.flatnonzero(~seg.nonempty), "no evidence", keep=True)
    else:
        values = np.full(n_groups, np.nan)
        redo = seg.nonempty
        empty = np.flatnonzero(~seg.nonempty)
        if empty.size:
            by_target = {t: policy.evaluate([], target) for t, target in enumerate(targets)}
            for g in empty:
                result = by_target[int(g) % n_targets]
                if result.value is not None:
                    values[g] = result.value
                elif result.reason is not None:
                    reasons[int(g)] = result.reason
    del seg
    target_ids = [t.id for t in targets]
    for g in np.flatnonzero(redo) if redo is not None else ():
        gi = int(g)
        rows = range(int(starts[gi]), int(starts[gi] + counts[gi]))
        result = policy.evaluate(evidence_at(cols, rows, target_ids), targets[gi % n_targets])
        if result.value is None:
            values[gi] = np.nan
            reasons[gi] = result.reason or "no value"
        else:
            values[gi] = result.value
            del reasons[gi]
    return EngineResult(values=values, counts=counts, reasons=reasons)


def compute_per_target(
    policies: Sequence[Policy],
    srt: Sorted,
    targets: Sequence[LearningTarget],
    *,
    as_of: int | None = None,
) -> EngineResult:
    """Return the result of ``policies[t]`` on target ``t`` for every (student, target) group.

    The targets are grouped by policy (equal policies form one group); each group's rows are
    taken out of the sorted columns (keeping their order) and computed by :func:`compute`.
    One policy for every target is :func:`compute` itself.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.gradebook._engine import columns_from_evidence, sort_rows
        >>> from mastery_grading.policies import Highest, Mean
        >>> day = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
        >>> cols = columns_from_evidence(
        ...     [Evidence(student_id="s", target_id=t, score=x, observed_at=day(i + 1))
        ...      for t in ("T", "U") for i, x in enumerate([2.0, 4.0])], {"T": 0, "U": 1})
        >>> targets = [LearningTarget(id="T", title="T"), LearningTarget(id="U", title="U")]
        >>> compute_per_target([Mean(), Highest()], sort_rows(cols, 2), targets).values
        array([3., 4.])
    """
    n_targets = len(targets)
    groups: list[tuple[Policy, list[int]]] = []
    for t, policy in enumerate(policies):
        for chosen, members in groups:
            if chosen is policy or chosen == policy:
                members.append(t)
                break
        else:
            groups.append((policy, [t]))
    if len(groups) == 1:
        return compute(groups[0][0], srt, targets, as_of=as_of)
    n_rows = srt.n_students * n_targets
    values = np.full(n_rows, np.nan)
    counts = np.zeros(n_rows, dtype=np.int64)
    reasons = GroupReasons(n_rows)
    cols = srt.columns
    for policy, members in groups:
        code = np.full(n_targets, -1, dtype=np.int64)
        code[members] = np.arange(len(members))
        keep = code[cols.target] >= 0
        part = select_rows(cols, keep)
        part = replace(part, target=code[part.target].astype(cols.target.dtype))
        # the rows keep their (student, target, time) order: sorting them again is cheap
        sub = compute(
            policy, sort_rows(part, len(members)), [targets[t] for t in members], as_of=as_of
        )
        rows = (
            np.arange(srt.n_students, dtype=np.int64)[:, None] * n_targets
            + np.asarray(members, dtype=np.int64)[None, :]
        ).reshape(-1)
        values[rows] = sub.values
        counts[rows] = sub.counts
        sub_codes = getattr(sub.reasons, "codes", None)
        if isinstance(sub.reasons, GroupReasons) and sub_codes is not None:
            full = np.full(n_rows, -1, dtype=np.int64)
            full[rows] = sub_codes
            reasons.fill_coded(full >= 0, full, sub.reasons.texts)
        else:
            for group, text in sub.reasons.items():
                reasons[int(rows[group])] = text
    return EngineResult(values=values, counts=counts, reasons=reasons)


def level_codes(values: FloatArray, targets: Sequence[LearningTarget]) -> IntArray:
    """Return the index of the level each value reaches in its target's scale (-1 for NaN).

    Values are laid out student-major: value ``g`` is on target ``g % len(targets)``. This is
    :func:`small_level_codes` as 64-bit integers.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import LearningTarget
        >>> level_codes(np.array([2.9, 3.0, np.nan]), [LearningTarget(id="T", title="T")])
        array([ 1,  2, -1])
    """
    return small_level_codes(values, targets).astype(np.int64)


def small_level_codes(values: FloatArray, targets: Sequence[LearningTarget]) -> np.ndarray:
    """Return :func:`level_codes` in the smallest signed integer type (int8 up to 127 levels).

    A value's level is the number of level minimums above the first that it reaches (a floor,
    as :meth:`Scale.level_of <mastery_grading.Scale.level_of>`; a value below ``min`` gets the
    first level); NaN reaches none and is counted -1. The comparisons are summed into the
    small type: one pass over the values per level minimum when every target has the same
    minimums, else one pass over the (student, target) grid against each row of minimums
    (NaN where a target has fewer levels, which no value reaches).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import LearningTarget, Scale
        >>> percent = Scale(min=0, max=100, mastery=80)
        >>> targets = [LearningTarget(id="T", title="T"),
        ...            LearningTarget(id="P", title="P", scale=percent)]
        >>> small_level_codes(np.array([4.0, 79.9, np.nan, 80.0]), targets)
        array([ 3,  0, -1,  1], dtype=int8)
    """
    minimums = [tuple(level.minimum for level in t.scale.levels[1:]) for t in targets]
    widest = max((len(m) for m in minimums), default=0) + 1
    dtype = next(d for d in (np.int8, np.int16, np.int32, np.int64) if widest <= np.iinfo(d).max)
    codes: np.ndarray = np.isnan(values).astype(dtype)
    np.negative(codes, out=codes)
    if not len(values) or widest == 1:
        return codes
    if len(set(minimums)) == 1:
        reached = np.empty(values.shape, dtype=np.bool_)
        for minimum in minimums[0]:
            np.greater_equal(values, minimum, out=reached)
            np.add(codes, reached, out=codes)
        return codes
    grid = values.reshape(-1, len(targets))
    rows = np.full((widest - 1, len(targets)), np.nan)
    for t, mins in enumerate(minimums):
        rows[: len(mins), t] = mins
    reached = np.empty(grid.shape, dtype=np.bool_)
    by_grid = codes.reshape(grid.shape)
    for row in rows:
        np.greater_equal(grid, row, out=reached)
        np.add(by_grid, reached, out=by_grid)
    return codes
