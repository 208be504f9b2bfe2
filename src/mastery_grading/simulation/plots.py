"""Plots of simulations (matplotlib, the ``plot`` extra), imported lazily.

Every function draws into the given ``ax`` or, without one, into a new pyplot figure, and
returns the axes. Nothing here needs a display: it works with the Agg backend.

The plots do not lie: a policy's "no result" is a gap in its line (``nan`` in the line's
data), never a value; the level axis names the target's title and its scale; every metric
axis says what it counts and in which unit (:func:`metric_label`), and bias is
"estimate \N{MINUS SIGN} truth (scale points)": below 0, the policy reports too low. A
comparison with replications or a bootstrap draws each metric's 95 % interval (error bars,
a band around a sweep's line, "±" in a heatmap's cells), and every metric plot's title
carries the comparison's caption: the students and their mix of archetypes, the truth, how
the uncertainty was measured and the seed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale
from mastery_grading.simulation._resolve import resolve_policies

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes

    from mastery_grading.simulation.cohorts import Cohort
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = [
    "MetricTable",
    "SweepTable",
    "metric_label",
    "plot_journey",
    "plot_metric",
    "plot_sweep",
    "scale_label",
]

_MINUS = "\N{MINUS SIGN}"
_SHARE = "share of students (0 to 1)"
_POINTS = "scale points"

#: The axis label of each metric of :data:`~mastery_grading.simulation.METRICS`: what it
#: counts, and in which unit.
_METRIC_AXES: dict[str, str] = {
    "n": "n (students)",
    "decided": f"decided: {_SHARE} with a result",
    "undecided": f"undecided: {_SHARE} with no result",
    "rmse": f"rmse ({_POINTS})",
    "bias": f"bias: estimate {_MINUS} truth ({_POINTS})",
    "level_agreement": f"level agreement ({_SHARE})",
    "mastery_agreement": f"mastery agreement ({_SHARE})",
    "false_not_yet": f"false 'not yet': {_SHARE} who truly mastered",
    "false_mastered": f"false 'mastered': {_SHARE} truly not yet",
    "jitter": f"jitter: mean change ({_POINTS})",
    "monotonicity_violations": f"monotonicity violations ({_SHARE})",
    "worst_drop": f"worst drop when a score rises ({_POINTS})",
    "mean_drop": f"mean drop of a violation ({_POINTS})",
    "assessments_to_stable": "assessments to stable (pieces of evidence)",
    "never_stable": f"never stable ({_SHARE})",
    "letter_agreement": f"letter agreement ({_SHARE})",
    "letter_kappa": f"letter kappa (Cohen's, {_MINUS}1 to 1)",
}


def metric_label(metric: str) -> str:
    """Return the axis label of a metric: its name, what it counts and its unit.

    Bias is signed: "estimate \N{MINUS SIGN} truth", so below 0 the policy reports too low.
    A column that is not a known metric is labelled with its own name.

    Args:
        metric: A metric column (see :data:`~mastery_grading.simulation.METRICS`).

    Returns:
        The label.

    Example:
        >>> metric_label("bias")
        'bias: estimate \N{MINUS SIGN} truth (scale points)'
        >>> metric_label("false_not_yet")
        "false 'not yet': share of students (0 to 1) who truly mastered"
        >>> metric_label("my_metric")
        'my_metric'
    """
    return _METRIC_AXES.get(metric, metric)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _same_levels(scale: Scale, other: Scale) -> bool:
    return (scale.min, scale.max, scale.mastery, scale.levels) == (
        other.min,
        other.max,
        other.mastery,
        other.levels,
    )


def scale_label(scale: Scale) -> str:
    """Return how an axis names a scale: its range, and its name when it is a stock scale.

    Marzano's 0-4 scale and the 0-100 percent scale (any mastery threshold) are named;
    ``step`` is not part of the name. Any other scale is its range.

    Args:
        scale: The scale.

    Returns:
        The label, such as ``"0-4 Marzano"``.

    Example:
        >>> scale_label(Scale.marzano()), scale_label(Scale.percent(mastery=70))
        ('0-4 Marzano', '0-100 percent')
        >>> scale_label(Scale(min=1, max=5, mastery=4))
        '1-5 scale'
    """
    span = f"{_number(scale.min)}-{_number(scale.max)}"
    if _same_levels(scale, Scale.marzano()):
        return f"{span} Marzano"
    if (scale.min, scale.max) == (0.0, 100.0) and _same_levels(
        scale, Scale.percent(mastery=scale.mastery)
    ):
        return f"{span} percent"
    return f"{span} scale"


@runtime_checkable
class MetricTable(Protocol):
    """What :func:`plot_metric` draws: a :class:`~mastery_grading.simulation.ComparisonResult`.

    Only ``metric(name)`` is required. When the table also has a ``caption`` (a string) and
    its ``metric`` takes ``stat="low"`` and ``stat="high"``, as a comparison does, the plot
    draws the intervals and the caption too.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=6, seed=0), progress=False)
        >>> isinstance(result, MetricTable)
        True
    """

    def metric(self, name: str, *, archetype: str | None = None) -> Any:
        """Return one metric as a policy x archetype table."""


def _bounds(result: Any, metric: str) -> tuple[Any, Any] | None:
    """The 95 % interval of each cell, if the result has one."""
    if getattr(result, "method", "none") == "none":
        return None
    low = result.metric(metric, stat="low").to_numpy(dtype=float)
    high = result.metric(metric, stat="high").to_numpy(dtype=float)
    return (low, high) if np.isfinite(low).any() else None


def _title(ax: Axes, text: str, result: Any) -> None:
    caption = getattr(result, "caption", "")
    if not caption:
        ax.set_title(text)
        return
    wrapped = "\n".join(textwrap.wrap(caption, 90))
    ax.set_title(f"{text}\n{wrapped}", fontsize="small")


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
        """The table of a sweep, one row per value and archetype.

        Its columns are ``archetype``, the parameter and the metrics.
        """


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
    line, and each policy's result after each piece of evidence a step line with a dot where
    it is decided. A policy that averages the whole history trails behind a learner who has
    improved, like a car's average position on a drive uptown: the car has arrived, its
    average has not.

    Where a policy gives no result (before it decides, or for a power law once a score of 0
    comes in), its line has a gap: the line's data holds ``nan`` there, and the legend says
    what a gap means. A policy that never decides draws nothing; its legend entry says
    "(no result)".
    The y axis names the target's title and scale ("level on Drive uptown (0-4 Marzano)").

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
        >>> ax = plot_journey(cohort, "s1", [policies.Mean(), policies.NTimes(n=3)])
        >>> [line.get_label() for line in ax.get_lines()]
        ['true level', 'mastery threshold', 'mean', 'n_times(n=3)']
        >>> ax.get_lines()[3].get_ydata()[:3]  # no result yet: a gap, not 0
        array([nan, nan, nan])
        >>> ax.get_ylabel()
        'level on Simulated target (0-4 Marzano)'
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
    undecided: dict[str, bool] = {}  # label -> never decided
    for label, policy in resolve_policies(policies).items():
        values = [
            policy.evaluate(student.evidence[:k], target).value
            for k in range(1, len(student.evidence) + 1)
        ]
        ys = [math.nan if v is None else float(v) for v in values]
        if any(math.isnan(y) for y in ys):
            undecided[label] = all(math.isnan(y) for y in ys)
        # The last result holds to the end of the term; nan (no result) breaks the line.
        ax.step(
            [*student.times, 1.0],
            [*ys, ys[-1] if ys else math.nan],
            where="post",
            lw=1.6,
            marker="o",
            markersize=3,
            markevery=list(range(len(ys))),
            label=label,
        )
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
    ax.set_xlabel("time in the term (0 = start, 1 = end)")
    ax.set_ylabel(f"level on {target.title} ({scale_label(scale)})")
    ax.set_title(f"{student.id} ({student.archetype})")
    handles, labels = ax.get_legend_handles_labels()
    if undecided:
        require("matplotlib", extra="plot", feature="the simulation plots")
        from matplotlib.lines import Line2D

        labels = [f"{label} (no result)" if undecided.get(label) else label for label in labels]
        handles.append(Line2D([], [], color="none"))
        labels.append("gap in a line: no result")
    ax.legend(handles, labels, loc="best", fontsize="small")
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
    where nobody has mastered) are left blank. With replications or a bootstrap, each bar has
    an error bar from the low to the high end of its 95 % interval, and each heatmap cell
    reads "value ± half the interval's width". The title carries the result's caption.

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
    bounds = _bounds(result, metric)
    if kind == "heatmap":
        ax = _axes(ax, (1.2 * len(groups) + 3.0, max(0.45 * len(labels) + 1.8, 4.0)))
        finite = values[np.isfinite(values)]
        if metric == "bias" and finite.size:
            limit = float(np.abs(finite).max()) or 1.0
            image = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        else:
            image = ax.imshow(values, cmap="viridis", aspect="auto")
        for (row, col), value in np.ndenumerate(values):
            text = "" if np.isnan(value) else f"{value:.2f}"
            if text and bounds is not None and np.isfinite(bounds[0][row, col]):
                half = max(value - bounds[0][row, col], bounds[1][row, col] - value)
                text += f"\n\N{PLUS-MINUS SIGN}{half:.2f}"
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
        # The unit goes on a second line, so the label fits beside a short colorbar.
        ax.figure.colorbar(image, ax=ax, label=metric_label(metric).replace(" (", "\n(", 1))
        ax.set_xlabel("archetype")
        ax.set_ylabel("policy")
        _title(ax, f"{metric} by policy and archetype", result)
        return ax
    ax = _axes(ax, (8.0, 4.0))
    width = 0.8 / max(len(labels), 1)
    x = np.arange(len(groups))
    for i, label in enumerate(labels):
        errors = None
        if bounds is not None:
            errors = np.vstack([values[i] - bounds[0][i], bounds[1][i] - values[i]])
        ax.bar(
            x + (i - (len(labels) - 1) / 2) * width,
            values[i],
            width,
            yerr=errors,
            error_kw={"elinewidth": 1.0, "ecolor": "black"},
            label=label,
        )
    ax.axhline(0.0, color="black", lw=0.8)
    ax.set_xticks(x, groups, rotation=25, ha="right")
    ax.set_xlabel("archetype")
    ax.set_ylabel(metric_label(metric))
    _title(ax, f"{metric} by archetype" + (" (bars: 95 % intervals)" if bounds else ""), result)
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

    With replications or a bootstrap (a sweep with ``estimates`` holding ``low`` and
    ``high``), each line has a shaded band over its 95 % intervals. The title carries the
    sweep's caption.

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
    estimates = getattr(result, "estimates", None)
    ax = _axes(ax, (7.0, 4.0))
    for name in names:
        part = table[table["archetype"] == name]
        xs = part[result.parameter].to_numpy()
        (line,) = ax.plot(
            xs,
            part[metric].to_numpy(dtype=float),
            marker="o",
            lw=2.5 if name == "all" else 1.2,
            color="black" if name == "all" else None,
            label=name,
        )
        if estimates is not None:
            rows = estimates[(estimates["archetype"] == name) & (estimates["metric"] == metric)]
            low, high = rows["low"].to_numpy(dtype=float), rows["high"].to_numpy(dtype=float)
            if np.isfinite(low).any():
                ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel(result.parameter)
    ax.set_ylabel(metric_label(metric))
    _title(ax, f"{metric} against {result.parameter}", result)
    ax.legend(fontsize="small")
    return ax
