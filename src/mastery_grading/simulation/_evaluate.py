"""Evaluate one policy on a prepared cohort: running, final, jittered and raised results.

:func:`evaluate` is the engine room of :func:`~mastery_grading.simulation.compare`. For each
student it finds the running result after each piece of evidence, the final result, the
result with the last score re-drawn (jitter) and how far raising one score lowers the result
(monotonicity). A policy with a registered kernel goes through the vectorized path (its
kernel on score matrices, see :mod:`mastery_grading.simulation._fast`); every other policy,
or a kernel that declines, goes student by student through ``evaluate(evidence, target)``,
memoized on history content and optionally forked over worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import attrs

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies import kernel_for
from mastery_grading.policies.kernels import Kernel
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.simulation._fast import (
    Block,
    KernelValues,
    blocks_of,
    final_values,
    prefix_values,
)
from mastery_grading.simulation.cohorts import Cohort
from mastery_grading.simulation.truths import FinalLevel, Truth
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["Outcome", "Prepared", "evaluate"]


def _value(result: TargetResult) -> float:
    return math.nan if result.value is None else result.value


@attrs.frozen
class Prepared:
    """The policy-independent inputs: variants of every history and the truth."""

    cohort: Cohort
    #: per student, the value the result is compared with (see ``truth``)
    truths: np.ndarray[Any, Any]
    redrawn: np.ndarray[Any, Any]  # the re-drawn last score of each student
    raise_by: float
    #: per student, the tolerance of ``assessments_to_stable`` at each piece of evidence
    tolerances: list[np.ndarray[Any, Any]]
    thresholds: np.ndarray[Any, Any]
    #: per student, the positions whose score is raised (all of them unless sampled)
    positions: list[list[int]]
    #: the students by history length, as matrices: what the kernels read
    blocks: tuple[Block, ...]
    #: per student, whether one of those scores is below the top (so it can be raised)
    can_rise: np.ndarray[Any, Any]

    @classmethod
    def of(
        cls,
        cohort: Cohort,
        *,
        seed: int | np.random.Generator | None,
        tolerance: float | None = None,
        raise_by: float | None = None,
        raise_positions: int | None = None,
        truth: Truth | None = None,
    ) -> Prepared:
        """Draw the jitter scores and the raised positions, find the truth, check the options.

        See :func:`~mastery_grading.simulation.compare` for what each option means.

        Raises:
            InvalidValueError: For a ``raise_positions``, ``tolerance`` or ``raise_by`` out of
                range, or a truth that does not give one finite number per student.
            InvalidTypeError: For a truth without ``values(cohort)`` and ``describe()``.

        Example:
            >>> from mastery_grading.simulation import simulate_cohort
            >>> prep = Prepared.of(simulate_cohort(n=4, seed=0), seed=0)
            >>> prep.raise_by, prep.thresholds.tolist()
            (0.5, [0.0, 2.0, 3.0, 4.0])
        """
        scale = cohort.target.scale
        span = scale.max - scale.min
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        last_truths = np.array([s.true_levels[-1] for s in cohort.students], dtype=float)
        redrawn = cohort.measurement.observe(last_truths, scale, rng)
        if raise_positions is None:
            positions = [list(range(len(s.evidence))) for s in cohort.students]
        elif isinstance(raise_positions, int) and raise_positions >= 1:
            positions = [
                sorted(rng.choice(len(s.evidence), min(raise_positions, len(s.evidence)), False))
                for s in cohort.students
            ]
        else:
            msg = f"raise_positions={raise_positions!r} must be None or an int >= 1"
            raise InvalidValueError(msg)
        if tolerance is not None and not (
            isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0
        ):
            msg = f"tolerance={tolerance!r} must be None or a finite number >= 0"
            raise InvalidValueError(msg)
        if raise_by is None:
            raise_by = scale.step or span / 8
        if not raise_by > 0:
            msg = f"raise_by={raise_by!r} must be a number > 0"
            raise InvalidValueError(msg)
        blocks = blocks_of(
            cohort.students,
            scale,
            redrawn=redrawn,
            raise_by=raise_by,
            positions=None if raise_positions is None else positions,
            tolerance=tolerance,
        )
        tolerances: list[np.ndarray[Any, Any]] = [np.empty(0)] * len(cohort)
        for block in blocks:
            for i, row in zip(block.index.tolist(), block.tolerances, strict=True):
                tolerances[i] = row
        top = scale.max
        return cls(
            cohort=cohort,
            truths=_truths(truth or FinalLevel(), cohort),
            redrawn=redrawn,
            positions=positions,
            can_rise=np.array(
                [
                    any(s.evidence[j].score < top for j in chosen)
                    for s, chosen in zip(cohort.students, positions, strict=True)
                ],
                dtype=bool,
            ),
            raise_by=raise_by,
            tolerances=tolerances,
            thresholds=np.array(sorted({scale.mastery, *(lv.minimum for lv in scale.levels)})),
            blocks=blocks,
        )

    def raised(self, index: int) -> list[tuple[int, float]]:
        """The raised scores of student ``index``: ``(position, score)``, top scores left out."""
        top = self.cohort.target.scale.max
        scores = self.cohort.students[index].scores
        return [
            (j, min(scores[j] + self.raise_by, top))
            for j in self.positions[index]
            if scores[j] < top
        ]


def _truths(truth: Truth, cohort: Cohort) -> np.ndarray[Any, Any]:
    if not isinstance(truth, Truth):
        msg = f"truth={truth!r} must have values(cohort) and describe() methods (see Truth)"
        raise InvalidTypeError(msg)
    values = np.asarray(truth.values(cohort), dtype=float)
    if values.shape != (len(cohort),) or not np.isfinite(values).all():
        msg = (
            f"truth={truth!r} must give one finite number per student ({len(cohort)}), "
            f"got an array of shape {values.shape}"
        )
        raise InvalidValueError(msg)
    return values


def _replace(history: tuple[Evidence, ...], index: int, score: float) -> tuple[Evidence, ...]:
    items = list(history)
    items[index] = attrs.evolve(items[index], score=score)
    return tuple(items)


@attrs.frozen
class Outcome:
    """Per-student outputs of one policy.

    ``final`` holds each student's final value (``NaN`` for ``None``), which decides the
    level and mastery (see :func:`~mastery_grading.simulation._fast.level_names`);
    ``results`` are the full results, which the vectorized path makes only when asked.
    ``drop`` is, per student, the most the result falls when one score is raised (0 when it
    never falls by more than the slack of :func:`_monotone_slack`); ``violated`` is
    ``drop > 0``. Both count only students with a result whose score can rise: the others have
    ``drop`` nan and ``violated`` false.
    """

    running: list[np.ndarray[Any, Any]]
    final: np.ndarray[Any, Any]
    jittered: np.ndarray[Any, Any]
    drop: np.ndarray[Any, Any]
    results: Sequence[TargetResult]

    @property
    def violated(self) -> np.ndarray[Any, Any]:
        """Per student, whether raising one score lowers the result."""
        return np.asarray(self.drop > 0, dtype=bool)


class _KernelResults(Sequence[TargetResult]):
    """The final results of the vectorized path, each made on first use.

    A value gives a result with that value; ``None`` (``NaN``) is the policy's own result,
    with its reason; ``exact`` holds the results the policy itself computed.
    """

    def __init__(
        self,
        policy: Policy,
        prep: Prepared,
        final: np.ndarray[Any, Any],
        exact: dict[int, TargetResult],
    ) -> None:
        self._policy = policy
        self._prep = prep
        self._final = final
        self._made = exact

    def __len__(self) -> int:
        return len(self._final)

    def _make(self, index: int) -> TargetResult:
        found = self._made.get(index)
        if found is None:
            student = self._prep.cohort.students[index]
            target = self._prep.cohort.target
            value = float(self._final[index])
            if math.isnan(value):
                found = self._policy.evaluate(student.evidence, target)
            else:
                found = TargetResult(
                    target=target,
                    value=value,
                    policy=self._policy,
                    evidence_count=len(student.evidence),
                )
            self._made[index] = found
        return found

    @overload
    def __getitem__(self, index: int) -> TargetResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[TargetResult]: ...
    def __getitem__(self, index: int | slice) -> TargetResult | list[TargetResult]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(len(self))[index]]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._make(index % len(self))

    def __iter__(self) -> Iterator[TargetResult]:
        return (self._make(i) for i in range(len(self)))


def _content(evidence: Evidence) -> tuple[Any, ...]:
    """Everything about a piece of evidence except whose it is."""
    return (
        evidence.score,
        evidence.observed_at,
        evidence.kind,
        evidence.attempt,
        evidence.source_id,
        evidence.weight,
        evidence.context,
        evidence.independent,
    )


class _Memo:
    """Results of one policy by history content, so that shared histories are evaluated once.

    Simulated students share their schedule, so many early prefixes of their histories are
    equal apart from the student id. Policies must not depend on the student id (none of the
    built-ins does); ``compare(..., memoize=False)`` turns this off.
    """

    def __init__(self, policy: Policy, target: LearningTarget, enabled: bool) -> None:
        self.policy = policy
        self.target = target
        self.enabled = enabled
        self.cache: dict[tuple[Any, ...], TargetResult] = {}

    def __call__(self, history: tuple[Evidence, ...], key: tuple[Any, ...]) -> TargetResult:
        if not self.enabled:
            result: TargetResult = self.policy.evaluate(history, self.target)
            return result
        found = self.cache.get(key)
        if found is None:
            found = self.policy.evaluate(history, self.target)
            self.cache[key] = found
        return found


_Rows = tuple[list[np.ndarray[Any, Any]], list[float], list[float], list[TargetResult]]


def _scalar_rows(
    policy: Policy,
    prep: Prepared,
    start: int,
    stop: int,
    memoize: bool,
    tick: Callable[[int], None],
) -> _Rows:
    """Evaluate one policy, student by student, for students ``start`` to ``stop``."""
    target = prep.cohort.target
    eps = _monotone_slack(target)
    memo = _Memo(policy, target, memoize)
    running: list[np.ndarray[Any, Any]] = []
    jittered: list[float] = []
    drops: list[float] = []
    results: list[TargetResult] = []
    for i in range(start, stop):
        history = prep.cohort.students[i].evidence
        key = tuple(_content(e) for e in history)
        values = [_value(memo(history[:k], key[:k])) for k in range(1, len(history))]
        final = memo(history, key)
        results.append(final)
        values.append(_value(final))
        running.append(np.array(values))
        last = len(history) - 1
        redrawn = _replace(history, last, float(prep.redrawn[i]))
        jittered.append(_value(memo(redrawn, (*key[:last], _content(redrawn[last])))))
        base = values[-1]
        drop = math.nan
        if not math.isnan(base) and prep.can_rise[i]:
            drop = 0.0
            for j, score in prep.raised(i):
                raised = _replace(history, j, score)
                raised_key = (*key[:j], _content(raised[j]), *key[j + 1 :])
                fall = base - _value(memo(raised, raised_key))
                if fall > eps and fall > drop:  # a nan (no result) is no fall
                    drop = fall
        drops.append(drop)
        if (i - start) % 50 == 49:
            tick(50)
    tick((stop - start) % 50)
    return running, jittered, drops, results


#: The work of a parallel run, inherited by forked worker processes.
_SHARED: dict[str, Any] = {}


def _worker(bounds: tuple[int, int]) -> _Rows:
    policy, prep, memoize = _SHARED["work"]
    return _scalar_rows(policy, prep, bounds[0], bounds[1], memoize, lambda _: None)


def _fork_context() -> Any:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None  # pragma: no cover - Windows and friends run serially
    return multiprocessing.get_context("fork")


def _scalar(
    policy: Policy, prep: Prepared, tick: Callable[[int], None], *, memoize: bool, n_jobs: int
) -> Outcome:
    count = len(prep.cohort)
    context = _fork_context() if n_jobs > 1 and count >= 2 * n_jobs else None
    if context is None:
        running, jittered, drops, results = _scalar_rows(policy, prep, 0, count, memoize, tick)
    else:
        from concurrent.futures import ProcessPoolExecutor

        size = max(1, -(-count // (4 * n_jobs)))
        chunks = [(lo, min(lo + size, count)) for lo in range(0, count, size)]
        running, jittered, drops, results = [], [], [], []
        _SHARED["work"] = (policy, prep, memoize)
        try:
            with ProcessPoolExecutor(n_jobs, mp_context=context) as pool:
                for (lo, hi), part in zip(chunks, pool.map(_worker, chunks), strict=True):
                    running += part[0]
                    jittered += part[1]
                    drops += part[2]
                    results += part[3]
                    tick(hi - lo)
        finally:
            _SHARED.clear()
    return Outcome(
        running=running,
        final=np.array([r[-1] for r in running]),
        jittered=np.array(jittered),
        drop=np.array(drops, dtype=float),
        results=results,
    )


def _monotone_slack(target: LearningTarget) -> float:
    """How far a result may fall, when one score is raised, before it counts as a violation.

    Not a threshold tolerance (that is :func:`~mastery_grading._numbers.near_threshold`): it
    compares two results of one policy, which may be floats computed in different orders.
    """
    return 1e-9 * (target.scale.max - target.scale.min)


def _near_thresholds(values: np.ndarray[Any, Any], thresholds: np.ndarray[Any, Any]) -> Any:
    """:func:`~mastery_grading._numbers.near_threshold` of each value, against any threshold."""
    gap = np.abs(values[:, None] - thresholds[None, :])
    return (gap <= NEAR_TOLERANCE * np.maximum(1.0, np.abs(thresholds))[None, :]).any(axis=1)


def _settle(
    policy: Policy,
    target: LearningTarget,
    out: KernelValues,
    history: Callable[[int], Sequence[Evidence]],
) -> np.ndarray[Any, Any]:
    """The kernel's values, with every ``force`` one replaced by the policy's own result.

    ``history(i)`` is the evidence behind value ``i`` (of the flattened values).
    """
    values = out.values.copy()
    flat = values.reshape(-1)
    for i in np.flatnonzero(out.force.reshape(-1)).tolist():
        flat[i] = _value(policy.evaluate(history(i), target))
    return values


def _vectorized(policy: Policy, kernel: Kernel, prep: Prepared) -> Outcome | None:
    """The outcome of one policy through its kernel, or ``None`` if the kernel declines.

    Two kernel calls per block of :attr:`Prepared.blocks`: every prefix of every history
    (the running results), and every variant (the re-drawn last score, then each raised
    score). A ``None`` of the kernel (``NaN``) is the policy's ``None``, as in the engine.
    """
    cohort = prep.cohort
    target = cohort.target
    eps = _monotone_slack(target)
    students = cohort.students
    count = len(cohort)
    running: list[np.ndarray[Any, Any]] = [np.empty(0)] * count
    final = np.empty(count)
    final_inexact = np.zeros(count, dtype=bool)
    jittered = np.empty(count)
    drop = np.zeros(count)
    for block in prep.blocks:
        idx = block.index
        length = block.scores.shape[1]
        run = prefix_values(policy, kernel, block.scores, block.summative, target)
        if run is None:
            return None

        def prefix(i: int, idx: Any = idx, length: int = length) -> tuple[Evidence, ...]:
            return students[int(idx[i // length])].evidence[: i % length + 1]

        values = _settle(policy, target, run, prefix)
        for index, row in zip(idx.tolist(), values, strict=True):
            running[index] = row
        base = values[:, -1]
        final[idx] = base
        final_inexact[idx] = run.inexact[:, -1]
        out = final_values(policy, kernel, block.variants, block.variant_summative, target)
        if out is None:
            return None

        def changed(i: int, idx: Any = idx, block: Block = block) -> tuple[Evidence, ...]:
            history = students[int(idx[block.which[i]])].evidence
            where = int(block.where[i])
            return _replace(history, where, float(block.variants[i, where]))

        varied = _settle(policy, target, out, changed)
        jittered[idx] = varied[: idx.size]
        raised = block.which[idx.size :]
        fall = base[raised] - varied[idx.size :]  # nan (no result either way): no fall
        np.fmax.at(drop, idx[raised], np.where(fall > eps, fall, 0.0))
    # inexact values near a threshold are recomputed exactly, so classifications match
    exact: dict[int, TargetResult] = {}
    near = final_inexact & _near_thresholds(final, prep.thresholds)
    for i in np.flatnonzero(near).tolist():
        result = policy.evaluate(students[i].evidence, target)
        exact[i] = result
        final[i] = _value(result)
        running[i] = np.append(running[i][:-1], final[i])
    covered = ~np.isnan(final) & prep.can_rise
    drop[~covered] = math.nan
    return Outcome(
        running=running,
        final=final,
        jittered=jittered,
        drop=drop,
        results=_KernelResults(policy, prep, final, exact),
    )


def evaluate(
    policy: Policy,
    prep: Prepared,
    tick: Callable[[int], None],
    *,
    fast: bool,
    memoize: bool,
    n_jobs: int,
) -> Outcome:
    """Evaluate one policy for every student of ``prep.cohort``; ``tick(k)`` after ``k`` students.

    ``fast`` allows the vectorized path (the caller checks that the kernels apply to the
    cohort's histories); ``memoize`` and ``n_jobs`` tune the student-by-student path.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort
        >>> cohort = simulate_cohort(n=3, seed=0)
        >>> prep = Prepared.of(cohort, seed=0)
        >>> out = evaluate(policies.Mean(), prep, lambda k: None, fast=True, memoize=True,
        ...                n_jobs=1)
        >>> len(out.running), out.final.shape
        (3, (3,))
    """
    kernel = kernel_for(policy) if fast else None
    outcome = None if kernel is None else _vectorized(policy, kernel, prep)
    if outcome is None:
        return _scalar(policy, prep, tick, memoize=memoize, n_jobs=n_jobs)
    tick(len(prep.cohort))
    return outcome
