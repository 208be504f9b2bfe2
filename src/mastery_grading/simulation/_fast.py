"""The simulation's fast path: the policies' own vectorized kernels, run on score matrices.

A score matrix (students x assessments, oldest first, every evidence weight 1) becomes the
:class:`~mastery_grading.policies.segments.Segments` the gradebook's engine builds from
evidence columns: one group per student (final values) or one per student and prefix (running
estimates). The kernel is the one registered for the policy's class in
:mod:`mastery_grading.policies.kernels`, the same the engine uses, so there is no second kernel
table. A kernel's value equals the policy's bit for bit except on the groups it flags:
``inexact`` ones (:mod:`mastery_grading.simulation._evaluate` recomputes every inexact final
value that lies near a level threshold with the policy itself, so levels, mastery and letters
always equal the exact scalar path) and ``force`` ones (always recomputed). A kernel's ``NaN``
is the policy's ``None``, as in the engine. Kernels are used only on histories for which
:func:`kernels_apply` holds.

Everything that does not depend on the policy (the score matrices of the students whose
histories have one length, the truth and the tolerance at each piece of evidence, the histories
with the last score re-drawn or one score raised) is laid out once per comparison as
:class:`Block` values, so that each policy costs two kernel calls per block and no Python loop
over students; levels, mastery and the stability metric are read from the values in numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.policies.kernels import Kernel
from mastery_grading.policies.segments import Segments
from mastery_grading.protocols import Policy
from mastery_grading.scales import Scale
from mastery_grading.simulation.metrics import half_level
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = [
    "Block",
    "KernelValues",
    "blocks_of",
    "final_values",
    "kernels_apply",
    "level_names",
    "prefix_values",
    "stable_after",
]

Matrix = np.ndarray[Any, np.dtype[np.float64]]
BoolMatrix = np.ndarray[Any, np.dtype[np.bool_]]
IntVector = np.ndarray[Any, np.dtype[np.int64]]


def kernels_apply(histories: Iterable[Sequence[Evidence]], target: LearningTarget) -> bool:
    """Return whether the kernels give the policies' own results on these histories.

    A kernel sees the scores in the order given and whether each piece is summative, so it
    needs:

    - every evidence weight to be 1 (the weighted mean weighs scores by it);
    - every history to be non-empty and in chronological order, with no two neighbours
      ordered only by their scores: then the given order is the policies' own, and raising or
      re-drawing a score (the monotonicity and jitter checks) does not reorder the history.
      Attempt and assessment id reach the kernels only through this order; a kernel that
      needs another column (times, contexts, independence) declines, and its policy is
      evaluated by its own rule;
    - every piece of evidence to be on ``target`` with a score on its scale (otherwise the
      policy raises an error, which the kernel would not).

    Example:
        >>> import attrs
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> t = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> plain = Evidence(student_id="s", target_id="T", score=3, observed_at=t)
        >>> weighted = attrs.evolve(plain, weight=2.0)
        >>> kernels_apply([[plain]], target), kernels_apply([[weighted]], target)
        (True, False)
    """
    # Two neighbours ordered by more than their scores have different order keys, and then
    # the order keys alone decide their chronological order (the key's first fields).
    low, high, target_id = target.scale.min, target.scale.max, target.id
    summative = EvidenceKind.SUMMATIVE
    for history in histories:
        if not history:
            return False
        previous: tuple[Any, ...] | None = None
        for e in history:
            if e.weight != 1 or e.target_id != target_id or not low <= e.score <= high:
                return False
            key = (
                e.observed_at,
                e.attempt is not None,
                e.attempt or 0,
                e.source_id is not None,
                e.source_id or "",
                e.kind is summative,
            )
            if previous is not None and not previous < key:
                return False
            previous = key
    return True


@dataclass(frozen=True)
class KernelValues:
    """A kernel's values, and where the policy itself must decide.

    ``force`` values must be recomputed by the policy whatever they are; ``inexact`` ones may
    differ from the policy's by a float rounding (recompute them where that matters).
    """

    values: Matrix
    inexact: BoolMatrix
    force: BoolMatrix


def _segments(
    scores: Matrix, summative: BoolMatrix | None, counts: np.ndarray, target: LearningTarget
) -> Segments:
    """Segments of the rows of ``scores`` (already laid out group after group)."""
    n_groups = counts.size
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    scale = target.scale
    return Segments(
        score=np.ascontiguousarray(scores, dtype=np.float64).reshape(-1),
        weight=None,
        summative=None if summative is None else summative.reshape(-1),
        group=np.repeat(np.arange(n_groups, dtype=np.int64), counts),
        starts=starts,
        counts=counts,
        mastery=np.full(n_groups, float(scale.mastery)),
        scale_min=np.full(n_groups, float(scale.min)),
        scale_max=np.full(n_groups, float(scale.max)),
    )


def _run(
    policy: Policy, kernel: Kernel, seg: Segments, shape: tuple[int, ...]
) -> KernelValues | None:
    out = kernel(policy, seg)
    if out is None:
        return None
    none = np.zeros(shape, dtype=np.bool_)
    return KernelValues(
        values=np.asarray(out.values, dtype=np.float64).reshape(shape),
        inexact=none if out.inexact is None else np.asarray(out.inexact).reshape(shape),
        force=none if out.force is None else np.asarray(out.force).reshape(shape),
    )


def final_values(
    policy: Policy,
    kernel: Kernel,
    scores: Matrix,
    summative: BoolMatrix | None,
    target: LearningTarget,
) -> KernelValues | None:
    """The kernel's result after every score of each row (one group per row).

    ``summative`` says which pieces are summative (``None``: all of them). ``None`` when the
    kernel declines these segments.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean, kernel_for
        >>> scores = np.array([[1.0, 3.0, 2.0], [4.0, 4.0, 2.5]])
        >>> target = LearningTarget(id="T", title="T")
        >>> final_values(Mean(), kernel_for(Mean()), scores, None, target).values
        array([2. , 3.5])
    """
    n, length = scores.shape
    counts = np.full(n, length, dtype=np.int64)
    return _run(policy, kernel, _segments(scores, summative, counts, target), (n,))


def prefix_values(
    policy: Policy,
    kernel: Kernel,
    scores: Matrix,
    summative: BoolMatrix | None,
    target: LearningTarget,
) -> KernelValues | None:
    """The running results: column ``k`` is the kernel's result on the first ``k + 1`` scores.

    Every prefix of every row is one group, so one kernel call gives them all.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Highest, kernel_for
        >>> scores = np.array([[1.0, 3.0, 2.0]])
        >>> target = LearningTarget(id="T", title="T")
        >>> prefix_values(Highest(), kernel_for(Highest()), scores, None, target).values
        array([[1., 3., 3.]])
    """
    n, length = scores.shape
    # row i, prefix k holds scores[i, :k + 1]: the columns 0, 0 1, 0 1 2, ...
    columns = np.concatenate([np.arange(k + 1) for k in range(length)])
    counts = np.tile(np.arange(1, length + 1, dtype=np.int64), n)
    flags = None if summative is None else summative[:, columns]
    seg = _segments(scores[:, columns], flags, counts, target)
    return _run(policy, kernel, seg, (n, length))


@dataclass(frozen=True)
class Block:
    """The students whose histories have one length ``L``, as matrices (one row per student).

    The variants are the histories the jitter and monotonicity checks evaluate: variant ``k``
    is row ``which[k]`` of ``scores`` with the score at ``where[k]`` replaced. The first
    ``len(index)`` variants re-draw the last score of each row in turn; the others raise one
    score each (scores already at the top of the scale are not raised).
    """

    #: The students' positions in the cohort, ascending.
    index: IntVector
    scores: Matrix
    #: Whether each piece is summative (``None``: all of them).
    summative: BoolMatrix | None
    #: The true level at each piece of evidence.
    truths: Matrix
    #: The tolerance of ``assessments_to_stable`` at each piece of evidence.
    tolerances: Matrix
    which: IntVector
    where: IntVector
    variants: Matrix
    #: ``summative`` of each variant's row (``None``: all summative).
    variant_summative: BoolMatrix | None


def blocks_of(
    students: Sequence[Any],
    scale: Scale,
    *,
    redrawn: Matrix,
    raise_by: float,
    positions: Sequence[Sequence[int]] | None,
    tolerance: float | None,
) -> tuple[Block, ...]:
    """Lay out the students (:class:`~mastery_grading.simulation.SimulatedStudent`) by length.

    ``redrawn`` is each student's re-drawn last score; ``positions`` the positions whose score
    is raised, per student (``None``: every position); ``tolerance`` the tolerance of
    ``assessments_to_stable`` (``None``: half a level at the true level, see
    :func:`~mastery_grading.simulation.metrics.half_level`).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> from mastery_grading.simulation import simulate_cohort
        >>> cohort = simulate_cohort(n=3, seed=0)
        >>> [block] = blocks_of(cohort.students, Scale.marzano(), redrawn=np.zeros(3),
        ...                     raise_by=0.5, positions=None, tolerance=None)
        >>> block.scores.shape, block.index.tolist(), block.which[:3].tolist()
        ((3, 8), [0, 1, 2], [0, 1, 2])
    """
    lengths = np.array([len(s.evidence) for s in students], dtype=np.int64)
    top = float(scale.max)
    blocks = []
    for length in np.unique(lengths).tolist():
        idx = np.flatnonzero(lengths == length)
        chosen = [students[i] for i in idx.tolist()]
        scores = np.array([[e.score for e in s.evidence] for s in chosen], dtype=np.float64)
        kinds = np.array(
            [[e.kind is EvidenceKind.SUMMATIVE for e in s.evidence] for s in chosen],
            dtype=np.bool_,
        )
        summative = None if kinds.all() else kinds
        truths = np.array([s.true_levels for s in chosen], dtype=np.float64)
        tolerances = (
            half_level(truths, scale) if tolerance is None else np.full_like(truths, tolerance)
        )
        m = idx.size
        if positions is None:
            rows = np.repeat(np.arange(m, dtype=np.int64), length)
            at = np.tile(np.arange(length, dtype=np.int64), m)
        else:
            picked = [positions[i] for i in idx.tolist()]
            rows = np.repeat(np.arange(m, dtype=np.int64), [len(p) for p in picked])
            at = np.concatenate([np.asarray(p, dtype=np.int64) for p in picked])
        rising = scores[rows, at] < top  # a top score cannot rise
        rows, at = rows[rising], at[rising]
        which = np.concatenate([np.arange(m, dtype=np.int64), rows])
        where = np.concatenate([np.full(m, length - 1, dtype=np.int64), at])
        new = np.concatenate([redrawn[idx], np.minimum(scores[rows, at] + raise_by, top)])
        variants = scores[which]
        variants[np.arange(which.size), where] = new
        blocks.append(
            Block(
                index=idx,
                scores=scores,
                summative=summative,
                truths=truths,
                tolerances=tolerances,
                which=which,
                where=where,
                variants=variants,
                variant_summative=None if summative is None else summative[which],
            )
        )
    return tuple(blocks)


def level_names(values: Matrix, scale: Scale) -> list[str | None]:
    """The name of the level each value reaches (``None`` for ``NaN``), as ``level_of`` says.

    The same float comparisons as :meth:`~mastery_grading.Scale.level_of`, for every value.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> level_names(np.array([2.9, 3.0, np.nan, -1.0]), Scale.marzano())
        ['approaching', 'meets', None, 'not yet']
    """
    minimums = np.array([level.minimum for level in scale.levels[1:]], dtype=np.float64)
    names = np.array([level.name for level in scale.levels] + [None], dtype=object)
    index = np.searchsorted(minimums, values, side="right")
    index[np.isnan(values)] = len(scale.levels)
    found: list[str | None] = names[index].tolist()
    return found


def stable_after(running: Sequence[Matrix], blocks: Sequence[Block]) -> Matrix:
    """Per student, after how many pieces the running result stays within the tolerance.

    :func:`~mastery_grading.simulation.metrics.assessments_until_stable` of every student at
    once (``NaN`` for ``None``), with the truths and tolerances of ``blocks``.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> from mastery_grading.simulation import simulate_cohort
        >>> cohort = simulate_cohort(n=2, seed=0)
        >>> blocks = blocks_of(cohort.students, Scale.marzano(), redrawn=np.zeros(2),
        ...                    raise_by=0.5, positions=None, tolerance=0.5)
        >>> stable_after([b for b in blocks[0].truths], blocks).tolist()
        [1.0, 1.0]
    """
    out = np.full(len(running), np.nan)
    for block in blocks:
        idx = block.index
        values = np.array([running[i] for i in idx.tolist()], dtype=np.float64)
        length = values.shape[1]
        ok = np.abs(values - block.truths) <= block.tolerances  # NaN is never within
        # the first position of the run of good ones at the end (length if there is none)
        last_bad = length - 1 - np.argmax(~ok[:, ::-1], axis=1)
        last_bad[ok.all(axis=1)] = -1
        out[idx] = np.where(ok[:, -1], last_bad + 2.0, np.nan)
    return out
