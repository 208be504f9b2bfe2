"""What a comparison finds: the per-student table and the metrics of every replicate."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.simulation import metrics as m
from mastery_grading.simulation._evaluate import Outcome, Prepared
from mastery_grading.simulation._fast import level_names, stable_after
from mastery_grading.simulation._results import ALL, ComparisonResult, SweepResult
from mastery_grading.simulation._summary import METRICS, Columns, Sums, finish, sums
from mastery_grading.simulation._uncertainty import Replicates, bootstrap_weights, estimates
from mastery_grading.simulation.truths import Truth

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from mastery_grading._extras import require

    np = require("numpy", extra="sim", feature="mastery_grading.simulation")
    pd = require("pandas", extra="sim", feature="mastery_grading.simulation")

__all__ = ["ALL", "METRICS", "ComparisonResult", "Run", "SweepResult", "build_comparison"]

#: One replicate's inputs: the prepared cohort and each policy's outcome on it.
Run = tuple[Prepared, dict[str, Outcome]]


def _letter(converter: Any, result: TargetResult) -> str:
    return str(converter.convert([result]).letter)


def student_frame(
    outcomes: dict[str, Outcome], prep: Prepared, converter: Any
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Return one row per policy and student, and each policy's letters (with a converter)."""
    cohort = prep.cohort
    scale = cohort.target.scale
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
    # made once: the columns every policy's rows share
    drawn = cohort.parameters()
    ids, archetypes = drawn.pop("student_id").array, drawn.pop("archetype").array
    for label, out in outcomes.items():
        columns: dict[str, Any] = {
            "policy": label,
            "student_id": ids,
            "archetype": archetypes,
            "estimate": out.final,
            "truth": prep.truths,
            "level": level_names(out.final, scale),
            "true_level": true_levels,
            "mastered": out.final >= scale.mastery,
            "truly_mastered": true_mastered,
            "jittered": out.jittered,
            "can_rise": prep.can_rise,
            "violated": out.violated,
            "drop": out.drop,
            "stable_after": stable_after(out.running, prep.blocks),
        }
        if converter is not None:
            letters = [_letter(converter, r) for r in out.results]
            letters_by_policy[label] = letters
            columns["letter"] = letters
            columns["true_letter"] = true_letters
        columns.update({name: drawn[name].to_numpy() for name in drawn.columns})
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True), letters_by_policy


def _groups(frame: pd.DataFrame, groups: list[str]) -> list[np.ndarray[Any, Any]]:
    archetypes = frame["archetype"].to_numpy(dtype=object)
    return [
        np.arange(len(archetypes)) if g == ALL else np.flatnonzero(archetypes == g) for g in groups
    ]


def _metrics_of(
    frame: pd.DataFrame,
    labels: list[str],
    groups: list[str],
    names: list[str],
    weights: np.ndarray[Any, Any] | None = None,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every metric of every policy and group: arrays ``[replicate, policy, group, metric]``.

    Without ``weights`` there is one replicate, the students themselves.
    """
    size = 1 if weights is None else weights.shape[0]
    values = np.full((size, len(labels), len(groups), len(names)), math.nan)
    coverage = np.full(values.shape, math.nan)
    by_policy = frame.groupby("policy", sort=False)
    for p, label in enumerate(labels):
        part = by_policy.get_group(label)
        cols = Columns.of(part)
        found: dict[str, Sums] = {}
        for group, index in zip(groups, _groups(part, groups), strict=True):
            if group == ALL:
                continue
            w = np.ones((size, index.size)) if weights is None else weights[:, index]
            found[group] = sums(cols.subset(index), w)
        # the archetypes split the students, so the sums of "all" are theirs added up
        parts = list(found.values())
        found[ALL] = parts[0]
        for more in parts[1:]:
            found[ALL] = found[ALL] + more
        for g, group in enumerate(groups):
            metrics_of_group = finish(found[group])
            for k, name in enumerate(names):
                values[:, p, g, k], coverage[:, p, g, k] = metrics_of_group[name]
    return values, coverage


def build_comparison(
    resolved: dict[str, Policy],
    runs: list[Run],
    converter: Any,
    *,
    truth: Truth,
    seed: int | None,
    bootstrap: int | None = None,
    bootstrap_rng: np.random.Generator | None = None,
) -> ComparisonResult:
    """Gather the outcomes of every policy on every run into the result's tables.

    ``runs[0]`` is the given cohort; further runs are replications. With ``bootstrap``, the
    students of ``runs[0]`` are resampled ``bootstrap`` times (``bootstrap_rng``).
    """
    prep, outcomes = runs[0]
    cohort = prep.cohort
    labels = list(resolved)
    groups = [ALL, *cohort.archetypes]
    names = [name for name in METRICS if converter is not None or not name.startswith("letter")]
    per_student, letters_by_policy = student_frame(outcomes, prep, converter)
    point, point_coverage = (a[0] for a in _metrics_of(per_student, labels, groups, names))
    replicates = None
    if len(runs) > 1:
        values = [point[None]]
        coverage = [point_coverage[None]]
        for other_prep, other_outcomes in runs[1:]:
            frame, _ = student_frame(other_outcomes, other_prep, converter)
            v, c = _metrics_of(frame, labels, groups, names)
            values.append(v)
            coverage.append(c)
        replicates = Replicates(
            method="replications",
            values=np.concatenate(values),
            coverage=np.concatenate(coverage),
            point=point,
            point_coverage=point_coverage,
            policies=tuple(labels),
            groups=tuple(groups),
            metrics=tuple(names),
        )
    elif bootstrap is not None and bootstrap_rng is not None:
        first = per_student[per_student["policy"] == labels[0]]
        strata = _groups(first, list(cohort.archetypes))
        chunks = [
            _metrics_of(per_student, labels, groups, names, weights)
            for weights in bootstrap_weights(strata, len(first), bootstrap, bootstrap_rng)
        ]
        replicates = Replicates(
            method="bootstrap",
            values=np.concatenate([v for v, _ in chunks]),
            coverage=np.concatenate([c for _, c in chunks]),
            point=point,
            point_coverage=point_coverage,
            policies=tuple(labels),
            groups=tuple(groups),
            metrics=tuple(names),
        )
    value = point if replicates is None else replicates.estimate()
    found = estimates(value, point_coverage, replicates, labels, groups, names)
    rows = pd.MultiIndex.from_product([labels, groups], names=["policy", "archetype"])
    table = pd.DataFrame(value.reshape(len(rows), len(names)), index=rows, columns=names)
    table = table.reset_index()
    table["n"] = table["n"].round().astype(int)
    kappa = None
    if converter is not None:
        kappa = pd.DataFrame(
            [
                [m.cohens_kappa(letters_by_policy[a], letters_by_policy[b]) for b in labels]
                for a in labels
            ],
            index=pd.Index(labels, name="policy"),
            columns=labels,
        )
    return ComparisonResult(
        table=table,
        students=per_student,
        kappa=kappa,
        policies=resolved,
        cohort=cohort,
        running={label: out.running for label, out in outcomes.items()},
        estimates=found,
        draws=replicates,
        truth=truth,
        seed=seed,
    )
