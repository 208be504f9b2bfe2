"""Compare policies on a simulated cohort: accuracy, fairness and stability metrics.

:func:`compare` evaluates each policy on every student (the private ``_evaluate`` module),
on further cohorts for replications, and gathers the metric tables with their uncertainty
(:class:`ComparisonResult`, built by the private ``_tables`` module); :func:`sweep` compares
one policy across values of a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.policies import PolicySpec, policy_from_spec, policy_label
from mastery_grading.protocols import Policy
from mastery_grading.simulation._evaluate import Prepared, evaluate
from mastery_grading.simulation._fast import kernels_apply
from mastery_grading.simulation._resolve import resolve_policies
from mastery_grading.simulation._seeds import check_seed, derived_seed, fresh_seed, stream
from mastery_grading.simulation._tables import (
    METRICS,
    ComparisonResult,
    Run,
    SweepResult,
    build_comparison,
)
from mastery_grading.simulation.cohorts import Cohort
from mastery_grading.simulation.truths import FinalLevel, Truth

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = [
    "METRICS",
    "REFERENCE_POLICIES",
    "ComparisonResult",
    "SweepResult",
    "compare",
    "policy_label",
    "sweep",
]

#: The spec names of the twelve policies of the reference comparison, which the simulation
#: reproduces (each with its default parameters): ``compare([{"policy": name} for name in
#: REFERENCE_POLICIES], cohort)``.
REFERENCE_POLICIES: tuple[str, ...] = (
    "mean",
    "median",
    "mode",
    "most_recent",
    "decaying_average",
    "weighted_average",
    "mean_of_recent",
    "highest",
    "n_times",
    "power_law",
    "linear_trend",
    "best_fit",
)


def _progress_bar(total: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    try:
        require("tqdm", extra="sim", feature="the progress bar of compare()")
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
    seed: int | np.random.Generator | None = None,
    replications: int = 1,
    bootstrap: int | None = None,
    truth: Truth | None = None,
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
    archetype ``"all"``) with the metrics in :data:`METRICS`, measured against the ``truth``
    (by default the true level at the end of the term).

    Uncertainty: with ``replications=k`` the comparison is repeated on ``k - 1`` further
    cohorts drawn like this one (:meth:`Cohort.resimulate`), and every metric gets a standard
    error and a 95 % interval over the ``k`` cohorts (:attr:`ComparisonResult.estimates`,
    :meth:`ComparisonResult.summary`); :meth:`ComparisonResult.ranking` and
    :meth:`ComparisonResult.differences` then say which differences between policies the
    data can tell apart. ``bootstrap=b`` instead resamples the students of this cohort ``b``
    times (within each archetype), which costs no further evaluation and works for a cohort
    built by hand. The rules are in :doc:`/explanation/simulation-statistics`.

    Seeds: the run's seed (:attr:`ComparisonResult.seed`, shown in its repr and caption)
    drives the re-drawn last scores, the sampled raised positions, the seeds of the
    replications and the bootstrap, each from its own stream. Without ``seed`` it is made
    from the cohort's seed (so a cohort and its comparison are repeated together), or from
    fresh entropy for a cohort without one. ``compare(..., seed=result.seed)`` repeats a run.

    Every policy with a kernel in the engine's registry (see
    :func:`~mastery_grading.policies.kernel_for`: the central, recency, peak, counting and
    trend built-ins, the evidence rule, and a ``custom_policy`` made with ``kernel=``) uses
    that kernel on score matrices (``fast=True``). Its values equal the policies' own up to
    float rounding, and every inexact final value near a level threshold is recomputed by the
    policy, so levels, mastery and letters are identical. The vectorized path sees only the
    scores, so it is used only when that loses nothing: every evidence weight is 1, every
    history is in chronological order and no two of its pieces are ordered by their scores
    alone, and every score lies on the scale (simulated cohorts always qualify; a hand-built
    cohort may not). Every other policy, and every policy on a cohort that does not qualify,
    is evaluated student by student through its ``evaluate(evidence, target)``; histories
    that are equal apart from the student id are evaluated once.

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
        seed: The seed of the run: an int >= 0 (the re-draws of the given cohort then come
            from ``numpy.random.default_rng(seed)``), a numpy Generator (not recorded), or
            ``None`` (default; see above).
        replications: How many cohorts to compare on, the given one first (default 1: no
            intervals). Needs a cohort from ``simulate_cohort``.
        bootstrap: How many resamples of the students for the intervals (at least 2; a few
            hundred give a stable standard error). Not together with ``replications``.
        truth: What each result is compared with (a
            :class:`~mastery_grading.simulation.truths.Truth`); default
            :class:`~mastery_grading.simulation.FinalLevel`, the true level at the end of the
            term.
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
        InvalidTypeError: If an item is neither a policy nor a spec, or for a seed or truth of
            the wrong kind.
        InvalidValueError: For a bad option, ``replications`` and ``bootstrap`` together, or
            replications of a cohort built by hand.
        SpecError: If a spec is invalid.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import LateBloomer, simulate_cohort
        >>> cohort = simulate_cohort([LateBloomer()], n=200, seed=0)
        >>> result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False)
        >>> bias = result.metric("bias", archetype="late bloomer")
        >>> bool(bias["mean"] < bias["most_recent"])
        True
        >>> again = compare([policies.Mean()], cohort, progress=False, replications=3)
        >>> again.seed == compare([policies.Mean()], cohort, progress=False).seed
        True
        >>> float(again.metric("rmse", archetype="all", stat="se")["mean"]) > 0
        True
    """
    resolved = resolve_policies(policies)
    seed = check_seed(seed)
    _check_counts(replications, bootstrap, cohort)
    if not (isinstance(n_jobs, int) and n_jobs >= 1):
        msg = f"n_jobs={n_jobs!r} must be an int >= 1"
        raise InvalidValueError(msg)
    truth = truth if truth is not None else FinalLevel()
    options: dict[str, Any] = {
        "tolerance": tolerance,
        "raise_by": raise_by,
        "raise_positions": raise_positions,
        "truth": truth,
    }
    if isinstance(seed, np.random.Generator):
        run_seed, rng = None, seed
    else:
        run_seed = seed if seed is not None else _redraw_seed(cohort)
        rng = np.random.default_rng(run_seed)
    preps = [Prepared.of(cohort, seed=rng, **options)]
    for r in range(1, replications):
        other = cohort.resimulate(
            seed=derived_seed(run_seed, "replications", r)
            if run_seed is not None
            else int(rng.integers(2**63))
        )
        preps.append(Prepared.of(other, seed=_redraw_seed(other), **options))
    bar = _progress_bar(len(resolved) * len(cohort) * replications, progress, "compare")

    def tick(k: int) -> None:
        if bar is not None and k:
            bar.update(k)

    runs: list[Run] = []
    try:
        for prep in preps:
            students = prep.cohort.students
            quick = fast and kernels_apply([s.evidence for s in students], prep.cohort.target)
            outcomes = {
                label: evaluate(policy, prep, tick, fast=quick, memoize=memoize, n_jobs=n_jobs)
                for label, policy in resolved.items()
            }
            runs.append((prep, outcomes))
    finally:
        if bar is not None:
            bar.close()
    return build_comparison(
        resolved,
        runs,
        converter,
        truth=truth,
        seed=run_seed,
        bootstrap=bootstrap,
        bootstrap_rng=None
        if bootstrap is None
        else (rng if run_seed is None else stream(run_seed, "bootstrap")),
    )


def _redraw_seed(cohort: Cohort) -> int:
    """The seed of a cohort's re-draws when compare is given none: from the cohort's seed."""
    return fresh_seed() if cohort.seed is None else derived_seed(cohort.seed, "redraws")


def _check_counts(replications: Any, bootstrap: Any, cohort: Cohort) -> None:
    if isinstance(replications, bool) or not (isinstance(replications, int) and replications >= 1):
        msg = f"replications={replications!r} must be an int >= 1"
        raise InvalidValueError(msg)
    if bootstrap is not None and (
        isinstance(bootstrap, bool) or not (isinstance(bootstrap, int) and bootstrap >= 2)
    ):
        msg = f"bootstrap={bootstrap!r} must be None or an int >= 2"
        raise InvalidValueError(msg)
    if bootstrap is not None and replications > 1:
        msg = (
            f"replications={replications} and bootstrap={bootstrap} were both given; "
            "choose one way to measure uncertainty"
        )
        raise InvalidValueError(msg)
    if replications > 1 and not cohort.mix:
        msg = (
            f"replications={replications} needs a cohort from simulate_cohort (this one has no "
            "mix of archetypes to draw more cohorts from); use bootstrap= instead"
        )
        raise InvalidValueError(msg)


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
        **compare_options: Passed to :func:`compare` (``seed``, ``replications``,
            ``bootstrap``, ``truth``, ``tolerance``, ...).

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
    by_label = dict(zip(candidates, values, strict=True))
    tables = []
    for frame in (result.table, result.estimates):
        frame = frame.copy()
        frame.insert(0, parameter, frame["policy"].map(by_label))
        frame["policy"] = frame["policy"].map(lambda label: policy_label(candidates[label]))
        tables.append(frame)
    return SweepResult(
        parameter=parameter,
        table=tables[0],
        estimates=tables[1],
        comparison=result,
        values=tuple(values),
    )
