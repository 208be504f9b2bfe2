"""Compare policies on a simulated cohort: accuracy, fairness and stability metrics."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
import pandas as pd

from mastery_grading._numbers import NEAR_TOLERANCE
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies import PolicySpec, kernel_for, policy_from_spec, policy_label
from mastery_grading.policies.kernels import Kernel
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.simulation import metrics as m
from mastery_grading.simulation._fast import (
    KernelValues,
    final_values,
    kernels_apply,
    prefix_values,
)
from mastery_grading.simulation.cohorts import Cohort
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["METRICS", "ComparisonResult", "SweepResult", "compare", "policy_label", "sweep"]

#: The metric columns of :attr:`ComparisonResult.table`, and what each one means.
METRICS: dict[str, str] = {
    "n": "number of students in the group",
    "decided": "share of students with a result (not 'no result yet')",
    "rmse": "root mean squared error against the true level at the end of the term",
    "bias": "mean of result minus true level at the end of the term (negative: too low)",
    "level_agreement": "share whose result has the same level as the true level",
    "mastery_agreement": "share classified the same way (mastered / not yet) as the truth",
    "false_not_yet": "share of truly mastered students whom the result calls 'not yet'",
    "false_mastered": "share of truly not-yet students whom the result calls mastered",
    "jitter": "mean absolute change of the result when only the last score is re-drawn",
    "monotonicity_violations": "share of students for whom raising one score lowers the result",
    "assessments_to_stable": (
        "mean number of pieces of evidence until the running result stays within half a "
        "level (or the given tolerance) of the current true level (students who get there)"
    ),
    "never_stable": (
        "share of students whose final result is more than half a level (or the given "
        "tolerance) from the true level"
    ),
    "letter_agreement": "share whose letter equals the letter of the true level (converter)",
    "letter_kappa": "Cohen's kappa between the letters of the result and of the truth",
}

ALL = "all"


def _resolve(
    policies: Iterable[Policy | PolicySpec | Mapping[str, Any]]
    | Mapping[str, Policy | PolicySpec | Mapping[str, Any]],
) -> dict[str, Policy]:
    if isinstance(policies, Mapping) and "policy" in policies:
        msg = "policies must be a list of policies or specs, or a mapping of label to policy"
        raise InvalidTypeError(msg)
    items: Iterable[tuple[str | None, Any]]
    if isinstance(policies, Mapping):
        items = [(str(k), v) for k, v in policies.items()]
    else:
        items = [(None, p) for p in policies]
    resolved: dict[str, Policy] = {}
    for label, item in items:
        policy = policy_from_spec(item) if isinstance(item, Mapping) else item
        if not callable(getattr(policy, "evaluate", None)):
            msg = f"policy {policy!r} must have an evaluate(evidence, target) method or be a spec"
            raise InvalidTypeError(msg)
        name = label or policy_label(policy)
        unique, k = name, 2
        while unique in resolved:
            unique, k = f"{name} #{k}", k + 1
        resolved[unique] = policy
    if not resolved:
        msg = "policies must hold at least one policy"
        raise InvalidValueError(msg)
    return resolved


def _value(result: TargetResult) -> float:
    return math.nan if result.value is None else result.value


@attrs.frozen
class _Prepared:
    """The policy-independent inputs: variants of every history and the truth."""

    cohort: Cohort
    truths: np.ndarray[Any, Any]
    redrawn: np.ndarray[Any, Any]  # the re-drawn last score of each student
    raise_by: float
    #: per student, the tolerance of ``assessments_to_stable`` at each piece of evidence
    tolerances: list[np.ndarray[Any, Any]]
    thresholds: np.ndarray[Any, Any]
    #: per student, the positions whose score is raised (all of them unless sampled)
    positions: list[list[int]]

    def raised(self, index: int) -> list[tuple[int, float]]:
        top = self.cohort.target.scale.max
        scores = self.cohort.students[index].scores
        return [
            (j, min(scores[j] + self.raise_by, top))
            for j in self.positions[index]
            if scores[j] < top
        ]


def _replace(history: tuple[Evidence, ...], index: int, score: float) -> tuple[Evidence, ...]:
    items = list(history)
    items[index] = attrs.evolve(items[index], score=score)
    return tuple(items)


@attrs.frozen
class _Outcome:
    """Per-student outputs of one policy."""

    running: list[np.ndarray[Any, Any]]
    final: np.ndarray[Any, Any]
    jittered: np.ndarray[Any, Any]
    violated: np.ndarray[Any, Any]
    results: list[TargetResult]


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


_Rows = tuple[list[np.ndarray[Any, Any]], list[float], list[bool], list[TargetResult]]


def _scalar_rows(
    policy: Policy,
    prep: _Prepared,
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
    violated: list[bool] = []
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
        bad = False
        if not math.isnan(base):
            for j, score in prep.raised(i):
                raised = _replace(history, j, score)
                raised_key = (*key[:j], _content(raised[j]), *key[j + 1 :])
                if _value(memo(raised, raised_key)) < base - eps:
                    bad = True
                    break
        violated.append(bad)
        if (i - start) % 50 == 49:
            tick(50)
    tick((stop - start) % 50)
    return running, jittered, violated, results


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
    policy: Policy, prep: _Prepared, tick: Callable[[int], None], *, memoize: bool, n_jobs: int
) -> _Outcome:
    count = len(prep.cohort)
    context = _fork_context() if n_jobs > 1 and count >= 2 * n_jobs else None
    if context is None:
        running, jittered, violated, results = _scalar_rows(policy, prep, 0, count, memoize, tick)
    else:
        from concurrent.futures import ProcessPoolExecutor

        size = max(1, -(-count // (4 * n_jobs)))
        chunks = [(lo, min(lo + size, count)) for lo in range(0, count, size)]
        running, jittered, violated, results = [], [], [], []
        _SHARED["work"] = (policy, prep, memoize)
        try:
            with ProcessPoolExecutor(n_jobs, mp_context=context) as pool:
                for (lo, hi), part in zip(chunks, pool.map(_worker, chunks), strict=True):
                    running += part[0]
                    jittered += part[1]
                    violated += part[2]
                    results += part[3]
                    tick(hi - lo)
        finally:
            _SHARED.clear()
    return _Outcome(
        running=running,
        final=np.array([r[-1] for r in running]),
        jittered=np.array(jittered),
        violated=np.array(violated, dtype=bool),
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


def _vectorized(policy: Policy, kernel: Kernel, prep: _Prepared) -> _Outcome | None:
    """The outcome of one policy through its kernel, or ``None`` if the kernel declines."""
    cohort = prep.cohort
    target = cohort.target
    scale = target.scale
    eps = _monotone_slack(target)
    students = cohort.students
    count = len(cohort)
    running: list[np.ndarray[Any, Any]] = [np.empty(0)] * count
    final = np.empty(count)
    final_inexact = np.zeros(count, dtype=bool)
    jittered = np.empty(count)
    violated = np.zeros(count, dtype=bool)
    lengths = np.array([len(s.evidence) for s in students])
    for length in np.unique(lengths).tolist():
        idx = np.flatnonzero(lengths == length)
        scores = np.array([students[i].scores for i in idx], dtype=float)
        kinds = np.array([[e.is_summative for e in students[i].evidence] for i in idx], bool)
        summative = None if kinds.all() else kinds
        run = prefix_values(policy, kernel, scores, summative, target)
        if run is None:
            return None

        def prefix(i: int, idx: Any = idx, length: int = length) -> tuple[Evidence, ...]:
            return students[int(idx[i // length])].evidence[: i % length + 1]

        values = _settle(policy, target, run, prefix)
        for row, index in enumerate(idx.tolist()):
            running[index] = values[row]
        base = values[:, -1]
        final[idx] = base
        final_inexact[idx] = run.inexact[:, -1]
        # one kernel call for every variant: the re-drawn last score, then each raised score
        rows = [np.arange(idx.size)]
        positions = [np.full(idx.size, length - 1)]
        new_scores = [prep.redrawn[idx]]
        raised_all = np.minimum(scores + prep.raise_by, scale.max)
        for row, index in enumerate(idx.tolist()):
            chosen = np.asarray(prep.positions[index], dtype=np.int64)
            chosen = chosen[scores[row, chosen] < scale.max]  # a top score cannot rise
            rows.append(np.full(chosen.size, row))
            positions.append(chosen)
            new_scores.append(raised_all[row, chosen])
        which, where, score = (np.concatenate(parts) for parts in (rows, positions, new_scores))
        variants = scores[which]
        variants[np.arange(which.size), where] = score

        def changed(
            i: int, idx: Any = idx, which: Any = which, where: Any = where, score: Any = score
        ) -> tuple[Evidence, ...]:
            history = students[int(idx[which[i]])].evidence
            return _replace(history, int(where[i]), float(score[i]))

        out = final_values(
            policy, kernel, variants, None if summative is None else kinds[which], target
        )
        if out is None:
            return None
        varied = _settle(policy, target, out, changed)
        jittered[idx] = varied[: idx.size]
        raised = slice(idx.size, None)
        lower = varied[raised] < base[which[raised]] - eps
        np.logical_or.at(violated, idx[which[raised]], lower)
    # inexact values near a threshold are recomputed exactly, so classifications match
    near = np.isnan(final) | (final_inexact & _near_thresholds(final, prep.thresholds))
    results: list[TargetResult] = []
    for i, student in enumerate(students):
        if near[i]:
            result = policy.evaluate(student.evidence, target)
            final[i] = _value(result)
            running[i] = np.append(running[i][:-1], final[i])
        else:
            result = TargetResult(
                target=target,
                value=float(final[i]),
                policy=policy,
                evidence_count=len(student.evidence),
            )
        results.append(result)
    return _Outcome(
        running=running, final=final, jittered=jittered, violated=violated, results=results
    )


def _letter(converter: Any, result: TargetResult) -> str:
    return str(converter.convert([result]).letter)


def _summarize(frame: pd.DataFrame, group: pd.DataFrame, *, with_letters: bool) -> dict[str, float]:
    est = group["estimate"].to_numpy(dtype=float)
    truth = group["truth"].to_numpy(dtype=float)
    est_m = group["mastered"].to_numpy(dtype=bool)
    true_m = group["truly_mastered"].to_numpy(dtype=bool)
    stable = group["stable_after"].to_numpy(dtype=float)
    row: dict[str, float] = {
        "n": float(len(group)),
        "decided": m.share(~np.isnan(est)),
        "rmse": m.rmse(est, truth),
        "bias": m.bias(est, truth),
        "level_agreement": m.agreement(list(group["level"]), list(group["true_level"])),
        "mastery_agreement": m.share(est_m == true_m),
        "false_not_yet": m.false_not_yet_rate(est_m, true_m),
        "false_mastered": m.false_mastered_rate(est_m, true_m),
        "jitter": m.mean_abs_change(est, group["jittered"].to_numpy(dtype=float)),
        "monotonicity_violations": m.share(group["violated"].to_numpy(dtype=bool)),
        "assessments_to_stable": (
            float(np.nanmean(stable)) if (~np.isnan(stable)).any() else math.nan
        ),
        "never_stable": m.share(np.isnan(stable)),
    }
    if with_letters:
        letters = list(group["letter"])
        true_letters = list(group["true_letter"])
        row["letter_agreement"] = m.agreement(letters, true_letters)
        row["letter_kappa"] = m.cohens_kappa(letters, true_letters)
    return row


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm ships with the sim extra
        return None
    return tqdm(total=total, desc=desc, unit="student", delay=1.0, leave=False)


def compare(
    policies: Sequence[Policy | PolicySpec | Mapping[str, Any]]
    | Mapping[str, Policy | PolicySpec | Mapping[str, Any]],
    cohort: Cohort,
    *,
    converter: Any = None,
    tolerance: float | None = None,
    raise_by: float | None = None,
    seed: int | np.random.Generator | None = 0,
    progress: bool = True,
    fast: bool = True,
    memoize: bool = True,
    raise_positions: int | None = None,
    n_jobs: int = 1,
) -> ComparisonResult:
    """Evaluate policies on a simulated cohort and measure how well each one does.

    For every policy and student it computes the running result after each piece of evidence,
    the final result, the result with only the last score re-drawn from the cohort's
    measurement model, and the result with each score raised by ``raise_by`` in turn. The
    :attr:`ComparisonResult.table` then holds one row per policy and archetype (plus the
    archetype ``"all"``) with the metrics in :data:`METRICS`.

    Built-in policies whose result is a simple function of the scores (mean, median, mode,
    most recent, decaying and weighted averages, highest, the recent-window and n-times
    policies) use a vectorized numpy path (``fast=True``). Its values equal the policies' own
    up to float rounding, and every final value that is missing or near a level threshold is
    recomputed by the policy, so levels, mastery and letters are identical. The vectorized
    path sees only the scores, so it is used only when that loses nothing: every evidence
    weight is 1, every history is in chronological order and no two of its pieces are ordered
    by their scores alone, and every score lies on the scale (simulated cohorts always
    qualify; a hand-built cohort may not). Every other policy (including your own), and every
    policy on a cohort that does not qualify, is evaluated student by student through its
    ``evaluate(evidence, target)``; histories that are equal apart from the student id are
    evaluated once.

    Args:
        policies: Policies or their specs (dicts), or a mapping from label to policy or spec.
        cohort: The simulated cohort (see :func:`~mastery_grading.simulation.simulate_cohort`).
        converter: Optional grade converter (``converter.convert(results).letter``); adds
            letter agreement with the truth, and :attr:`ComparisonResult.kappa` between
            policies.
        tolerance: How close the running result must stay to the true level for
            ``assessments_to_stable`` and ``never_stable``. Default ``None``: half a level,
            that is half the width of the scale level the true level lies in at that moment
            (see :func:`~mastery_grading.simulation.metrics.half_level`: on Marzano's 0-4
            scale 1.0 in "not yet" (0-2) and 0.5 above; on a percent scale with levels from
            0 and 80, 40 below 80 and 10 from 80 up). A number uses that tolerance
            everywhere.
        raise_by: How much one score is raised in the monotonicity check; default the
            scale's step, or one eighth of the range without a step. Raised scores are capped
            at the scale's maximum.
        seed: Seed of the re-draws used for jitter.
        progress: Show a tqdm progress bar when the run takes longer than a second.
        fast: Use the vectorized path for policies with a registered kernel (see
            :func:`~mastery_grading.policies.kernel_for`), on histories it covers.
        raise_positions: How many scores of each student the monotonicity check raises (one
            at a time): ``None`` (default) checks every score; a number ``k`` checks ``k``
            positions drawn at random per student (from ``seed``), which is ``k / n`` of the
            work and finds a violation with probability at least ``k / n``.
        n_jobs: Worker processes for the policies evaluated student by student (forked, so
            on Linux and macOS; elsewhere the run is serial). The results do not depend on
            it. The vectorized path always runs in this process.
        memoize: Evaluate histories that are equal apart from the student id only once per
            policy (students share a schedule, so early histories repeat). Turn it off for a
            policy whose result depends on the student id.

    Returns:
        The comparison; see :class:`ComparisonResult`.

    Raises:
        InvalidTypeError: If an item is neither a policy nor a spec.
        SpecError: If a spec is invalid.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import LateBloomer, simulate_cohort
        >>> cohort = simulate_cohort([LateBloomer()], n=200, seed=0)
        >>> result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False)
        >>> bias = result.metric("bias", archetype="late bloomer")
        >>> bool(bias["mean"] < bias["most_recent"])
        True
    """
    resolved = _resolve(policies)
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
    prep = _Prepared(
        cohort=cohort,
        truths=np.array([s.true_final for s in cohort.students], dtype=float),
        redrawn=redrawn,
        positions=positions,
        raise_by=raise_by if raise_by is not None else (scale.step or span / 8),
        tolerances=[
            m.half_level(s.true_levels, scale)
            if tolerance is None
            else np.full(len(s.true_levels), float(tolerance))
            for s in cohort.students
        ],
        thresholds=np.array(sorted({scale.mastery, *(lv.minimum for lv in scale.levels)})),
    )
    if not prep.raise_by > 0:
        msg = f"raise_by={prep.raise_by!r} must be a number > 0"
        raise InvalidValueError(msg)
    if not (isinstance(n_jobs, int) and n_jobs >= 1):
        msg = f"n_jobs={n_jobs!r} must be an int >= 1"
        raise InvalidValueError(msg)
    bar = _progress_bar(len(resolved) * len(cohort), progress, "compare")

    def tick(k: int) -> None:
        if bar is not None and k:
            bar.update(k)

    outcomes: dict[str, _Outcome] = {}
    fast = fast and kernels_apply([s.evidence for s in cohort.students], cohort.target)
    try:
        for label, policy in resolved.items():
            kernel = kernel_for(policy) if fast else None
            outcome = None if kernel is None else _vectorized(policy, kernel, prep)
            if outcome is None:
                outcome = _scalar(policy, prep, tick, memoize=memoize, n_jobs=n_jobs)
            else:
                tick(len(cohort))
            outcomes[label] = outcome
    finally:
        if bar is not None:
            bar.close()
    return _build(resolved, outcomes, prep, converter)


def _build(
    resolved: dict[str, Policy],
    outcomes: dict[str, _Outcome],
    prep: _Prepared,
    converter: Any,
) -> ComparisonResult:
    cohort = prep.cohort
    scale = cohort.target.scale
    students = cohort.students
    true_levels = [scale.level_of(t).name for t in prep.truths]
    true_mastered = [scale.is_mastered(t) for t in prep.truths]
    true_letters: list[str] = []
    if converter is not None:
        true_letters = [
            _letter(
                converter,
                TargetResult(target=cohort.target, value=float(t), policy=cast(Any, None)),
            )
            for t in prep.truths
        ]
    frames = []
    letters_by_policy: dict[str, list[str]] = {}
    for label, out in outcomes.items():
        stable = [
            m.assessments_until_stable(list(run), list(s.true_levels), list(tolerances))
            for run, s, tolerances in zip(out.running, students, prep.tolerances, strict=True)
        ]
        columns: dict[str, Any] = {
            "policy": label,
            "student_id": [s.id for s in students],
            "archetype": [s.archetype for s in students],
            "estimate": out.final,
            "truth": prep.truths,
            "level": [r.level.name if r.level is not None else None for r in out.results],
            "true_level": true_levels,
            "mastered": [r.mastered for r in out.results],
            "truly_mastered": true_mastered,
            "jittered": out.jittered,
            "violated": out.violated,
            "stable_after": [math.nan if k is None else float(k) for k in stable],
        }
        if converter is not None:
            letters = [_letter(converter, r) for r in out.results]
            letters_by_policy[label] = letters
            columns["letter"] = letters
            columns["true_letter"] = true_letters
        frames.append(pd.DataFrame(columns))
    per_student = pd.concat(frames, ignore_index=True)
    rows = []
    groups = [ALL, *cohort.archetypes]
    for label in resolved:
        of_policy = per_student[per_student["policy"] == label]
        for group in groups:
            part = of_policy if group == ALL else of_policy[of_policy["archetype"] == group]
            summary = _summarize(per_student, part, with_letters=converter is not None)
            rows.append({"policy": label, "archetype": group, **summary})
    table = pd.DataFrame(rows)
    table["n"] = table["n"].astype(int)
    kappa = None
    if converter is not None:
        labels = list(resolved)
        kappa = pd.DataFrame(
            [
                [m.cohens_kappa(letters_by_policy[a], letters_by_policy[b]) for b in labels]
                for a in labels
            ],
            index=pd.Index(labels, name="policy"),
            columns=labels,
        )
    running = {label: out.running for label, out in outcomes.items()}
    return ComparisonResult(
        table=table,
        students=per_student,
        kappa=kappa,
        policies=resolved,
        cohort=cohort,
        running=running,
    )


@attrs.frozen(kw_only=True, eq=False)
class ComparisonResult:
    """What :func:`compare` found.

    Attributes:
        table: One row per policy and archetype (``"all"`` first): columns ``policy``,
            ``archetype`` and the metrics in :data:`METRICS` (letter columns only with a
            converter).
        students: One row per policy and student: the estimate, the truth, levels, mastery,
            the jittered estimate, whether raising a score lowered the result, and after how
            much evidence the running result became stable (and letters with a converter).
        kappa: With a converter, Cohen's kappa between the letters of each pair of policies
            (a square table), else ``None``.
        policies: The compared policies by label.
        cohort: The cohort they were compared on.
        running: By label, each student's running results (one array per student).
    """

    table: pd.DataFrame = attrs.field(repr=False)
    students: pd.DataFrame = attrs.field(repr=False)
    kappa: pd.DataFrame | None = attrs.field(repr=False)
    policies: dict[str, Policy]
    cohort: Cohort = attrs.field(repr=False)
    running: dict[str, list[np.ndarray[Any, Any]]] = attrs.field(repr=False)

    def metric(self, name: str, *, archetype: str | None = None) -> Any:
        """Return one metric: a policy x archetype table, or a Series for one archetype.

        Raises:
            InvalidValueError: For an unknown metric or archetype.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=12, seed=0), progress=False)
        >>> list(result.metric("rmse").columns)[:3]
        ['all', 'steady', 'linear growth']
        """
        if name not in self.table.columns or name in ("policy", "archetype"):
            known = [c for c in self.table.columns if c not in ("policy", "archetype")]
            msg = f"metric={name!r} is not in the table; expected one of {known}"
            raise InvalidValueError(msg)
        wide = self.table.pivot(index="policy", columns="archetype", values=name)
        wide = wide.loc[list(self.policies), [ALL, *self.cohort.archetypes]]
        wide.columns.name = None
        if archetype is None:
            return wide
        if archetype not in wide.columns:
            msg = f"archetype={archetype!r} is not in the cohort; expected one of {list(wide)}"
            raise InvalidValueError(msg)
        return wide[archetype]

    def long(self) -> pd.DataFrame:
        """Return the table in long form: ``policy``, ``archetype``, ``metric``, ``value``.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=6, seed=0), progress=False)
        >>> list(result.long().columns)
        ['policy', 'archetype', 'metric', 'value']
        """
        return self.table.melt(id_vars=["policy", "archetype"], var_name="metric")

    def plot(self, metric: str = "rmse", *, kind: str = "bar", ax: Axes | None = None) -> Axes:
        """Draw one metric by policy and archetype, as bars or a heatmap.

        See :func:`~mastery_grading.simulation.plots.plot_metric`. Needs matplotlib (the
        ``plot`` extra).
        """
        from mastery_grading.simulation.plots import plot_metric

        return plot_metric(self, metric, kind=kind, ax=ax)

    def plot_journey(self, student_id: str, *, ax: Axes | None = None) -> Axes:
        """Draw one student's journey with every policy's running result.

        See :func:`~mastery_grading.simulation.plots.plot_journey`.
        """
        from mastery_grading.simulation.plots import plot_journey

        return plot_journey(self.cohort, student_id, self.policies, ax=ax)

    def _repr_html_(self) -> str:
        overall = self.table[self.table["archetype"] == ALL].drop(columns="archetype")
        archetypes = ", ".join(html.escape(name) for name in self.cohort.archetypes)
        return (
            f"<p><b>Policy comparison</b> on {len(self.cohort)} simulated students "
            f"({archetypes}); overall metrics:</p>"
            + overall.to_html(index=False, escape=True, float_format=lambda x: f"{x:.3f}")
        )


@attrs.frozen(kw_only=True, eq=False)
class SweepResult:
    """The metrics of one policy while one parameter varies; see :func:`sweep`.

    Attributes:
        parameter: The name of the parameter swept.
        table: The comparison table with a first column named after the parameter.
    """

    parameter: str
    table: pd.DataFrame = attrs.field(repr=False)

    def plot(
        self,
        metric: str = "rmse",
        *,
        archetypes: Sequence[str] | None = None,
        ax: Axes | None = None,
    ) -> Axes:
        """Draw the metric against the parameter, one line per archetype.

        See :func:`~mastery_grading.simulation.plots.plot_sweep`.
        """
        from mastery_grading.simulation.plots import plot_sweep

        return plot_sweep(self, metric, archetypes=archetypes, ax=ax)

    def _repr_html_(self) -> str:
        overall = self.table[self.table["archetype"] == ALL].drop(columns="archetype")
        return (
            f"<p><b>Sweep</b> of <code>{html.escape(self.parameter)}</code>; overall "
            "metrics:</p>"
            + overall.to_html(index=False, escape=True, float_format=lambda x: f"{x:.3f}")
        )


def sweep(
    policy: Policy | PolicySpec | Mapping[str, Any] | Callable[[Any], Policy],
    parameter: str,
    values: Iterable[Any],
    cohort: Cohort,
    **compare_options: Any,
) -> SweepResult:
    """Compare one policy across values of one parameter on the same cohort.

    Args:
        policy: An attrs policy (or spec) whose field ``parameter`` is varied with
            ``attrs.evolve``, or a callable ``value -> policy``.
        parameter: The name of the parameter (the column name in the table).
        values: The values to try.
        cohort: The cohort to compare on.
        **compare_options: Passed to :func:`compare` (``seed``, ``tolerance``, ...).

    Returns:
        The sweep, with a table of every metric for each value and archetype.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort
        >>> cohort = simulate_cohort(n=60, seed=0)
        >>> result = sweep(policies.DecayingAverage(), "rate", [0.2, 0.5, 0.9], cohort,
        ...                progress=False)
        >>> result.table[result.table["archetype"] == "all"]["rate"].tolist()
        [0.2, 0.5, 0.9]
    """
    if isinstance(policy, Mapping):
        policy = policy_from_spec(policy)
    values = list(values)
    candidates: dict[str, Policy]
    if callable(policy) and not hasattr(policy, "evaluate"):
        make = policy
        candidates = {str(i): make(value) for i, value in enumerate(values)}
    else:
        candidates = {
            str(i): attrs.evolve(cast(Any, policy), **{parameter: value})
            for i, value in enumerate(values)
        }
    result = compare(candidates, cohort, **compare_options)
    table = result.table.copy()
    by_label = dict(zip(candidates, values, strict=True))
    table.insert(0, parameter, table["policy"].map(by_label))
    table["policy"] = table["policy"].map(lambda label: policy_label(candidates[label]))
    return SweepResult(parameter=parameter, table=table)
