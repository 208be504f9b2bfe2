"""The simulation's fast path: the policies' own vectorized kernels, run on score matrices.

A score matrix (students x assessments, oldest first, every evidence weight 1) becomes the
:class:`~mastery_grading.policies.segments.Segments` the gradebook's engine builds from
evidence columns: one group per student (final values) or one per student and prefix (running
estimates). The kernel is the one registered for the policy's class in
:mod:`mastery_grading.policies.kernels`, the same the engine uses, so there is no second kernel
table. A kernel's value equals the policy's bit for bit except on the groups it flags:
``inexact`` ones (:mod:`mastery_grading.simulation._evaluate` recomputes every final value that
is missing or, inexact, lies near a level threshold, with the policy itself, so levels, mastery
and letters always equal the exact scalar path) and ``force`` ones (always recomputed). Kernels
are used only on histories for which :func:`kernels_apply` holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, chronological_key
from mastery_grading.policies.kernels import Kernel
from mastery_grading.policies.segments import Segments
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["KernelValues", "final_values", "kernels_apply", "prefix_values"]

Matrix = np.ndarray[Any, np.dtype[np.float64]]
BoolMatrix = np.ndarray[Any, np.dtype[np.bool_]]


def _order(evidence: Evidence) -> tuple[Any, ...]:
    """What orders two pieces of evidence before their scores do (see ``chronological_key``)."""
    return (evidence.observed_at, evidence.attempt, evidence.source_id, evidence.kind)


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
    scale = target.scale
    for history in histories:
        if not history:
            return False
        previous: Evidence | None = None
        for evidence in history:
            if (
                evidence.weight != 1
                or evidence.target_id != target.id
                or not scale.contains(evidence.score)
            ):
                return False
            if previous is not None and not (
                _order(previous) != _order(evidence)
                and chronological_key(previous) < chronological_key(evidence)
            ):
                return False
            previous = evidence
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
