"""What a comparison finds: the metric tables, ComparisonResult and SweepResult."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, cast

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.simulation import metrics as m
from mastery_grading.simulation import plots
from mastery_grading.simulation._evaluate import Outcome, Prepared
from mastery_grading.simulation._fast import level_names, stable_after
from mastery_grading.simulation.cohorts import Cohort

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")
    pd = require("pandas", extra="sim", feature="mastery_grading.simulation")

__all__ = ["ALL", "METRICS", "ComparisonResult", "SweepResult", "build_comparison"]

#: The metric columns of :attr:`ComparisonResult.table`, and what each one means.
METRICS: dict[str, str] = {
    "n": "number of students in the group",
    "decided": "share of students with a result (not 'no result yet')",
    "rmse": (
        "root mean squared error against the true level at the end of the term (scale points)"
    ),
    "bias": (
        "mean of estimate \N{MINUS SIGN} truth (scale points): the result minus the true level "
        "at the end of the term; below 0, the result is too low"
    ),
    "level_agreement": "share whose result has the same level as the true level",
    "mastery_agreement": "share classified the same way (mastered / not yet) as the truth",
    "false_not_yet": "share of truly mastered students whom the result calls 'not yet'",
    "false_mastered": "share of truly not-yet students whom the result calls mastered",
    "jitter": (
        "mean absolute change of the result when only the last score is re-drawn (scale points)"
    ),
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
        "level_agreement": m.agreement(
            group["level"].to_numpy(dtype=object).tolist(),
            group["true_level"].to_numpy(dtype=object).tolist(),
        ),
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


def build_comparison(
    resolved: dict[str, Policy],
    outcomes: dict[str, Outcome],
    prep: Prepared,
    converter: Any,
) -> ComparisonResult:
    """Gather the outcomes of every policy into the per-student and summary tables."""
    cohort = prep.cohort
    scale = cohort.target.scale
    students = cohort.students
    true_levels = pd.array([scale.level_of(t).name for t in prep.truths], dtype="str")
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
            "violated": out.violated,
            "stable_after": stable_after(out.running, prep.blocks),
        }
        if converter is not None:
            letters = [_letter(converter, r) for r in out.results]
            letters_by_policy[label] = letters
            columns["letter"] = letters
            columns["true_letter"] = true_letters
        columns.update({name: drawn[name].to_numpy() for name in drawn.columns})
        frames.append(pd.DataFrame(columns))
    per_student = pd.concat(frames, ignore_index=True)
    rows = []
    groups = [ALL, *cohort.archetypes]
    archetype_of = np.array([s.archetype for s in students], dtype=object)
    masks = {group: archetype_of == group for group in cohort.archetypes}
    for label, of_policy in zip(resolved, frames, strict=True):
        for group in groups:
            part = of_policy if group == ALL else of_policy[masks[group]]
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
    """What :func:`~mastery_grading.simulation.compare` found.

    Attributes:
        table: One row per policy and archetype (``"all"`` first): columns ``policy``,
            ``archetype`` and the metrics in :data:`METRICS` (letter columns only with a
            converter).
        students: One row per policy and student: the estimate, the truth, levels, mastery,
            the jittered estimate, whether raising a score lowered the result, and after how
            much evidence the running result became stable (and letters with a converter);
            last, the parameters drawn for the student's learner, ``param_<name>`` (see
            :meth:`~mastery_grading.simulation.Cohort.parameters`).
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
        >>> from mastery_grading.simulation import compare, simulate_cohort
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
        >>> from mastery_grading.simulation import compare, simulate_cohort
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
        return plots.plot_metric(self, metric, kind=kind, ax=ax)

    def plot_journey(self, student_id: str, *, ax: Axes | None = None) -> Axes:
        """Draw one student's journey with every policy's running result.

        See :func:`~mastery_grading.simulation.plots.plot_journey`.
        """
        return plots.plot_journey(self.cohort, student_id, self.policies, ax=ax)

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
    """The metrics of one policy while one parameter varies.

    See :func:`~mastery_grading.simulation.sweep`.

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
        return plots.plot_sweep(self, metric, archetypes=archetypes, ax=ax)

    def _repr_html_(self) -> str:
        overall = self.table[self.table["archetype"] == ALL].drop(columns="archetype")
        return (
            f"<p><b>Sweep</b> of <code>{html.escape(self.parameter)}</code>; overall "
            "metrics:</p>"
            + overall.to_html(index=False, escape=True, float_format=lambda x: f"{x:.3f}")
        )
