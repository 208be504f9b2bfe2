"""Plots of simulations (matplotlib, the ``plot`` extra), imported lazily.

Every function draws into the given ``ax`` or, without one, into a new pyplot figure, and
returns the axes. Nothing here needs a display: it works with the Agg backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.simulation._resolve import resolve_policies

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes

    from mastery_grading.simulation.cohorts import Cohort
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["MetricTable", "SweepTable", "plot_journey", "plot_metric", "plot_sweep"]


@runtime_checkable
class MetricTable(Protocol):
    """What :func:`plot_metric` draws: a :class:`~mastery_grading.simulation.ComparisonResult`.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=6, seed=0), progress=False)
        >>> isinstance(result, MetricTable)
        True
    """

    def metric(self, name: str, *, archetype: str | None = None) -> Any:
        """Return one metric as a policy x archetype table."""


@runtime_checkable
class SweepTable(Protocol):
    """What :func:`plot_sweep` draws: a :class:`~mastery_grading.simulation.SweepResult`.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort, sweep
        >>> result = sweep(policies.DecayingAverage(), "rate", [0.5], simulate_cohort(n=6, seed=0),
        ...                progress=False)
        >>> isinstance(result, SweepTable)
        True
    """

    @property
    def parameter(self) -> str:
        """The name of the swept parameter (a column of ``table``)."""

    @property
    def table(self) -> pd.DataFrame:
        """One row per value and archetype: ``archetype``, the parameter and the metrics."""


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    require("matplotlib", extra="plot", feature="the simulation plots")
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def plot_journey(
    cohort: Cohort,
    student_id: str,
    policies: Sequence[Any] | Mapping[str, Any],
    *,
    ax: Axes | None = None,
) -> Axes:
    """Draw one student's journey: scores, the true level, and each policy's running result.

    The scores are points, the true level is a solid line, the mastery threshold a dotted
    line, and each policy's result after each piece of evidence a step line. A policy that
    averages the whole history trails behind a learner who has improved, like a car's average
    position on a drive uptown: the car has arrived, its average has not.

    Args:
        cohort: The simulated cohort.
        student_id: The student to draw.
        policies: Policies, specs, or a mapping from label to either.
        ax: Axes to draw into; a new figure when ``None``.

    Returns:
        The axes.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import LateBloomer, simulate_cohort
        >>> cohort = simulate_cohort([LateBloomer()], n=1, seed=2)
        >>> ax = plot_journey(cohort, "s1", [policies.Mean(), policies.MostRecent()])
        >>> [line.get_label() for line in ax.get_lines()][:3]
        ['true level', 'mastery threshold', 'mean']
    """
    student = cohort.student(student_id)
    target = cohort.target
    scale = target.scale
    ax = _axes(ax, (7.0, 4.0))
    grid = np.linspace(0.0, 1.0, 401)
    ax.plot(
        grid, [student.learner.level_at(t) for t in grid], color="black", lw=2.5, label="true level"
    )
    ax.axhline(scale.mastery, color="grey", ls=":", lw=1, label="mastery threshold")
    for label, policy in resolve_policies(policies).items():
        values = [
            policy.evaluate(student.evidence[:k], target).value
            for k in range(1, len(student.evidence) + 1)
        ]
        points = [(t, v) for t, v in zip(student.times, values, strict=True) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.step([*xs, 1.0], [*ys, ys[-1]], where="post", lw=1.6, label=label)
    kinds = [e.is_summative for e in student.evidence]
    ax.scatter(
        [t for t, s in zip(student.times, kinds, strict=True) if s],
        [e.score for e, s in zip(student.evidence, kinds, strict=True) if s],
        color="black",
        zorder=3,
        label="summative score",
    )
    if not all(kinds):
        ax.scatter(
            [t for t, s in zip(student.times, kinds, strict=True) if not s],
            [e.score for e, s in zip(student.evidence, kinds, strict=True) if not s],
            facecolors="none",
            edgecolors="black",
            zorder=3,
            label="formative score",
        )
    ax.set_xlim(0.0, 1.02)
    pad = (scale.max - scale.min) * 0.05
    ax.set_ylim(scale.min - pad, scale.max + pad)
    ax.set_xlabel("term (fraction)")
    ax.set_ylabel(f"level on {target.id}")
    ax.set_title(f"{student.id} ({student.archetype})")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_metric(
    result: MetricTable,
    metric: str = "rmse",
    *,
    kind: str = "bar",
    ax: Axes | None = None,
) -> Axes:
    """Draw one metric for every policy and archetype.

    ``kind="bar"`` draws grouped bars (archetypes on the x axis, one bar per policy);
    ``kind="heatmap"`` draws a policy x archetype grid with the values written in, which
    stays readable with many policies. Missing values (``nan``, e.g. a false "not yet" rate
    where nobody has mastered) are left blank.

    Args:
        result: The comparison.
        metric: A metric column of the comparison's ``table`` (see ``METRICS``).
        kind: ``"bar"`` or ``"heatmap"``.
        ax: Axes to draw into; a new figure when ``None``.

    Returns:
        The axes.

    Raises:
        InvalidValueError: For an unknown ``kind`` or metric.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean(), policies.MostRecent()],
        ...                  simulate_cohort(n=30, seed=0), progress=False)
        >>> len(plot_metric(result, "bias").patches)
        14
        >>> len(plot_metric(result, "bias", kind="heatmap").texts)
        14
    """
    if kind not in ("bar", "heatmap"):
        msg = f"kind={kind!r} must be 'bar' or 'heatmap'"
        raise InvalidValueError(msg)
    wide = result.metric(metric)
    groups = list(wide.columns)
    labels = [str(label) for label in wide.index]
    values = wide.to_numpy(dtype=float)
    if kind == "heatmap":
        ax = _axes(ax, (1.2 * len(groups) + 3.0, 0.45 * len(labels) + 1.8))
        finite = values[np.isfinite(values)]
        if metric == "bias" and finite.size:
            limit = float(np.abs(finite).max()) or 1.0
            image = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        else:
            image = ax.imshow(values, cmap="viridis", aspect="auto")
        for (row, col), value in np.ndenumerate(values):
            text = "" if np.isnan(value) else f"{value:.2f}"
            ax.text(
                col,
                row,
                text,
                ha="center",
                va="center",
                fontsize="small",
                color="black",
                bbox={"facecolor": "white", "alpha": 0.6, "lw": 0, "pad": 1},
            )
        ax.set_xticks(np.arange(len(groups)), groups, rotation=25, ha="right")
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.figure.colorbar(image, ax=ax, label=metric)
        ax.set_title(f"{metric} by policy and archetype")
        return ax
    ax = _axes(ax, (8.0, 4.0))
    width = 0.8 / max(len(labels), 1)
    x = np.arange(len(groups))
    for i, label in enumerate(labels):
        ax.bar(x + (i - (len(labels) - 1) / 2) * width, values[i], width, label=label)
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(x, groups, rotation=25, ha="right")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by archetype")
    ax.legend(fontsize="small")
    return ax


def plot_sweep(
    result: SweepTable,
    metric: str = "rmse",
    *,
    archetypes: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a metric against the swept parameter, one line per archetype.

    Args:
        result: The sweep.
        metric: A metric column (see ``METRICS``).
        archetypes: The archetypes to draw (default: all, including ``"all"``).
        ax: Axes to draw into; a new figure when ``None``.

    Returns:
        The axes.

    Raises:
        InvalidValueError: For an unknown metric.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort, sweep
        >>> result = sweep(policies.DecayingAverage(), "rate", [0.3, 0.6, 0.9],
        ...                simulate_cohort(n=30, seed=0), progress=False)
        >>> len(plot_sweep(result, "rmse", archetypes=["all"]).get_lines())
        1
    """
    table = result.table
    if metric not in table.columns:
        msg = f"metric={metric!r} is not in the sweep table"
        raise InvalidValueError(msg)
    names = list(dict.fromkeys(table["archetype"])) if archetypes is None else list(archetypes)
    ax = _axes(ax, (7.0, 4.0))
    for name in names:
        part = table[table["archetype"] == name]
        ax.plot(
            part[result.parameter].to_numpy(),
            part[metric].to_numpy(dtype=float),
            marker="o",
            lw=2.5 if name == "all" else 1.2,
            color="black" if name == "all" else None,
            label=name,
        )
    ax.set_xlabel(result.parameter)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} against {result.parameter}")
    ax.legend(fontsize="small")
    return ax
