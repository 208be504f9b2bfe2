"""The results of a comparison and of a sweep: tables with their uncertainty, and a caption."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.protocols import Policy
from mastery_grading.simulation import _uncertainty as u
from mastery_grading.simulation import plots
from mastery_grading.simulation.cohorts import Cohort
from mastery_grading.simulation.truths import Truth

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")
    pd = require("pandas", extra="sim", feature="mastery_grading.simulation")

__all__ = ["ALL", "STATS", "ComparisonResult", "SweepResult", "mix_caption"]

ALL = "all"

#: What :meth:`ComparisonResult.metric` can return for each policy and archetype.
STATS = ("value", "se", "low", "high", "coverage", "k")


def _weight(w: float) -> str:
    return f"{w:g}"


def mix_caption(cohort: Cohort) -> str:
    """Return the size and mix of a cohort: students per archetype, and the weights.

    >>> from mastery_grading.simulation import LateBloomer, Steady, simulate_cohort
    >>> mix_caption(simulate_cohort({Steady(): 1, LateBloomer(): 3}, n=8, seed=0))
    '8 students: steady 2, late bloomer 6 (weights 1:3)'
    """
    counts: dict[str, int] = {}
    for student in cohort.students:
        counts[student.archetype] = counts.get(student.archetype, 0) + 1
    text = f"{len(cohort)} students: " + ", ".join(f"{k} {v}" for k, v in counts.items())
    if cohort.mix:
        text += " (weights " + ":".join(_weight(w) for _, w in cohort.mix) + ")"
    return text


def _cell(value: float, low: float, high: float, coverage: float, digits: int) -> str:
    if math.isnan(value):
        return "n/a"
    text = f"{value:.{digits}f}"
    if not math.isnan(low):
        text += f" [{low:.{digits}f}, {high:.{digits}f}]"
    if coverage < 0.995:
        text += f" ({coverage:.0%})"
    return text


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ComparisonResult:
    """What :func:`~mastery_grading.simulation.compare` found.

    Attributes:
        table: One row per policy and archetype (``"all"`` first): columns ``policy``,
            ``archetype`` and the metrics in :data:`METRICS` (letter columns only with a
            converter). With replications each metric is the mean over them; otherwise it is
            the metric on the given cohort.
        estimates: One row per policy, archetype and metric: ``value`` (as in ``table``),
            ``se`` (standard error), ``low`` and ``high`` (the 95 % interval), ``coverage``
            (the share of the group's students the metric covers) and ``k`` (the replicates
            it rests on). Without replications or a bootstrap, ``se``, ``low`` and ``high``
            are ``nan``.
        students: One row per policy and student of the given cohort: the estimate, the
            truth, levels, mastery, the jittered estimate, whether a score can rise
            (``can_rise``), the largest fall of the result when one is raised (``drop``, nan
            when not measured) and whether it falls (``violated``), after how much evidence
            the running result became stable (and letters with a converter); last, the
            parameters drawn for the student's learner, ``param_<name>`` (see
            :meth:`~mastery_grading.simulation.Cohort.parameters`).
        kappa: With a converter, Cohen's kappa between the letters of each pair of policies on
            the given cohort (every student; a square table), else ``None``.
        policies: The compared policies by label.
        cohort: The cohort they were compared on (the first replication).
        running: By label, each student's running results (one array per student).
        truth: What the results were compared with (see
            :mod:`~mastery_grading.simulation.truths`).
        seed: The seed of the run: ``compare(..., seed=result.seed)`` on the same cohort
            repeats it, replications and resamples included. ``None`` when the seed was a
            numpy Generator.
        draws: Every metric on every replicate, as arrays (``None`` for a single run); see
            :attr:`replicates` for the same as a table.
    """

    table: pd.DataFrame
    students: pd.DataFrame
    kappa: pd.DataFrame | None
    policies: dict[str, Policy]
    cohort: Cohort
    running: dict[str, list[np.ndarray[Any, Any]]]
    estimates: pd.DataFrame
    truth: Truth
    seed: int | None
    draws: u.Replicates | None = None

    @property
    def method(self) -> str:
        """The way uncertainty was measured (``"replications"``, ``"bootstrap"`` or ``"none"``)."""
        return "none" if self.draws is None else self.draws.method

    @property
    def replicates(self) -> pd.DataFrame | None:
        """The table of every metric on every replicate (replication or resample), or ``None``.

        Columns ``replicate`` (0 is the given cohort for replications), ``policy``,
        ``archetype`` and the metrics.
        """
        return None if self.draws is None else self.draws.frame()

    @property
    def caption(self) -> str:
        """The line that says what the tables rest on (students and mix, truth, uncertainty, seed).

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import Steady, compare, simulate_cohort
        >>> cohort = simulate_cohort([Steady()], n=20, seed=4)
        >>> compare([policies.Mean()], cohort, progress=False, seed=9).caption
        '20 students: steady 20 (weights 1); truth: level at the end of the term; one run, no intervals; seed 9'
        """  # noqa: E501
        if self.draws is None:
            spread = "one run, no intervals"
        elif self.draws.method == "replications":
            spread = f"{self.draws.size} replications, 95% t intervals"
        else:
            spread = (
                f"bootstrap of {self.draws.size} resamples within archetypes, 95% normal intervals"
            )
        return (
            f"{mix_caption(self.cohort)}; truth: {self.truth.describe()}; {spread}; "
            f"seed {'not recorded' if self.seed is None else self.seed}"
        )

    def __repr__(self) -> str:
        mix = {a.name: w for a, w in self.cohort.mix} or dict.fromkeys(self.cohort.archetypes)
        size = 1 if self.draws is None else self.draws.size
        how = "bootstrap" if self.method == "bootstrap" else "replications"
        return (
            f"ComparisonResult(policies={list(self.policies)!r}, n={len(self.cohort)}, "
            f"mix={mix!r}, truth={self.truth!r}, {how}={size}, seed={self.seed!r})"
        )

    def _wide(self, column: str, values: pd.DataFrame, archetype: str | None) -> Any:
        wide = values.pivot(index="policy", columns="archetype", values=column)
        wide = wide.loc[list(self.policies), [ALL, *self.cohort.archetypes]]
        wide.columns.name = None
        if archetype is None:
            return wide
        if archetype not in wide.columns:
            msg = f"archetype={archetype!r} is not in the cohort; expected one of {list(wide)}"
            raise InvalidValueError(msg)
        return wide[archetype]

    def metric(self, name: str, *, archetype: str | None = None, stat: str = "value") -> Any:
        """Return one metric: a policy x archetype table, or a Series for one archetype.

        Args:
            name: A metric of :data:`METRICS`.
            archetype: One archetype (or ``"all"``) for a Series; ``None`` for every one.
            stat: ``"value"`` (default, as in ``table``), ``"se"``, ``"low"`` or ``"high"``
                (the 95 % interval), ``"coverage"`` or ``"k"``; see ``estimates``.

        Raises:
            InvalidValueError: For an unknown metric, archetype or stat.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=12, seed=0), progress=False)
        >>> list(result.metric("rmse").columns)[:3]
        ['all', 'steady', 'linear growth']
        >>> float(result.metric("rmse", archetype="all", stat="coverage")["mean"])
        1.0
        """
        if name not in self.table.columns or name in ("policy", "archetype"):
            known = [c for c in self.table.columns if c not in ("policy", "archetype")]
            msg = f"metric={name!r} is not in the table; expected one of {known}"
            raise InvalidValueError(msg)
        if stat not in STATS:
            msg = f"stat={stat!r} must be one of {list(STATS)}"
            raise InvalidValueError(msg)
        if stat == "value":
            return self._wide(name, self.table, archetype)
        part = self.estimates[self.estimates["metric"] == name]
        return self._wide(stat, part, archetype)

    def long(self) -> pd.DataFrame:
        """Return the table in long form: ``policy``, ``archetype``, ``metric``, ``value``.

        ``estimates`` is the same with the standard errors, intervals and coverage.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean()], simulate_cohort(n=6, seed=0), progress=False)
        >>> list(result.long().columns)
        ['policy', 'archetype', 'metric', 'value']
        """
        return self.table.melt(id_vars=["policy", "archetype"], var_name="metric")

    def summary(
        self, metrics: Sequence[str] | None = None, *, archetype: str = ALL, digits: int = 2
    ) -> pd.DataFrame:
        """Return a table to read: each metric as ``value [low, high]`` and its coverage.

        One row per policy, one column per metric, for one archetype (default ``"all"``). A
        cell reads ``0.34 [0.33, 0.35]`` (the estimate and its 95 % interval; no interval
        without replications or a bootstrap), followed by ``(40%)`` when the metric covers
        less than all the students (see ``coverage`` in ``estimates``); ``n/a`` when it is
        undefined. The caption (:attr:`caption`) is in ``frame.attrs["caption"]``.

        Raises:
            InvalidValueError: For an unknown metric or archetype.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import compare, simulate_cohort
        >>> result = compare([policies.Mean(), policies.NTimes()], simulate_cohort(n=60, seed=1),
        ...                  progress=False, bootstrap=50)
        >>> print(result.summary(["rmse", "undecided"]).to_string())
                                    rmse          undecided
        policy
        mean           0.74 [0.69, 0.80]  0.00 [0.00, 0.00]
        n_times  0.26 [0.13, 0.39] (38%)  0.62 [0.54, 0.69]
        """
        chosen = (
            list(metrics)
            if metrics is not None
            else [c for c in self.table.columns if c not in ("policy", "archetype", "n")]
        )
        for name in chosen:
            self.metric(name)  # checks the name
        if archetype not in (ALL, *self.cohort.archetypes):
            msg = (
                f"archetype={archetype!r} is not in the cohort; expected one of "
                f"{[ALL, *self.cohort.archetypes]}"
            )
            raise InvalidValueError(msg)
        part = self.estimates[self.estimates["archetype"] == archetype]
        cells = {
            (label, name): _cell(value, low, high, coverage, digits)
            for label, name, value, low, high, coverage in zip(
                *(part[c].tolist() for c in ("policy", "metric", "value", "low", "high")),
                part["coverage"].tolist(),
                strict=True,
            )
        }
        frame = pd.DataFrame(
            {name: [cells[(label, name)] for label in self.policies] for name in chosen},
            index=pd.Index(list(self.policies), name="policy"),
        )
        frame.attrs["caption"] = self.caption
        return frame

    def differences(self, metric: str = "rmse", *, archetype: str = ALL) -> pd.DataFrame:
        """Return every pair of policies with their paired difference on one metric.

        One row per pair (``policy``, ``other``): ``difference`` (``policy`` minus ``other``,
        on ``|bias|`` for bias; for a metric where higher is better, the sign is turned so
        that below 0 always means ``policy`` is better), its ``se`` and 95 % interval
        (``low``, ``high``, not adjusted), the two-sided ``p_value``, Holm's adjusted
        ``p_holm`` over all pairs, and ``distinguishable`` (``p_holm <= 0.05``). The rule is
        in :doc:`/explanation/simulation-statistics`.

        Raises:
            InvalidValueError: Without replications or a bootstrap, or for an unknown metric
                or archetype.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import LateBloomer, compare, simulate_cohort
        >>> cohort = simulate_cohort([LateBloomer()], n=40, seed=3)
        >>> result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False,
        ...                  replications=4)
        >>> pair = result.differences("rmse").iloc[0]
        >>> pair["policy"], pair["other"], bool(pair["distinguishable"])
        ('mean', 'most_recent', True)
        """
        return u.differences(self._draws_for("differences"), metric, archetype)

    def ranking(self, metric: str = "rmse", *, archetype: str = ALL) -> pd.DataFrame:
        """Return the policies from best to worst on one metric, with ties that data can't break.

        One row per policy: ``rank`` (1 plus the number of policies distinguishably better;
        see :meth:`differences`), the metric's estimate, ``se``, ``low``, ``high``,
        ``coverage`` and ``tied_with`` (the policies it cannot be told apart from at this
        size). "Better" is lower for errors and rates of mistakes, higher for agreement, and
        closer to 0 for bias. Rows run by rank, then estimate, then the order the policies
        were given in. Mind the coverage: a policy that withholds results is measured on the
        students it decides for, who may be the easy ones.

        Raises:
            InvalidValueError: Without replications or a bootstrap, or for an unknown metric
                or archetype.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import LateBloomer, compare, simulate_cohort
        >>> cohort = simulate_cohort([LateBloomer()], n=40, seed=3)
        >>> result = compare([policies.Mean(), policies.MostRecent()], cohort, progress=False,
        ...                  replications=4)
        >>> result.ranking("rmse")["rank"].to_dict()
        {'most_recent': 1, 'mean': 2}
        """
        draws = self._draws_for("ranking")
        if metric not in draws.metrics:
            u.differences(draws, metric, archetype)  # raises the error
        return u.ranking(draws, metric, archetype, self.estimates)

    def _draws_for(self, what: str) -> u.Replicates:
        if self.draws is None:
            msg = (
                f"{what} needs replicates: compare(..., replications=k) with k >= 2, or "
                "compare(..., bootstrap=b)"
            )
            raise InvalidValueError(msg)
        return self.draws

    def plot(self, metric: str = "rmse", *, kind: str = "bar", ax: Axes | None = None) -> Axes:
        """Draw one metric by policy and archetype, as bars or a heatmap, with intervals.

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
        overall = self.summary(digits=3)
        return (
            f"<p><b>Policy comparison</b>, overall metrics; {html.escape(self.caption)}</p>"
            + overall.to_html(escape=True)
        )


@attrs.frozen(kw_only=True, eq=False)
class SweepResult:
    """The metrics of one policy while one parameter varies.

    See :func:`~mastery_grading.simulation.sweep`.

    Attributes:
        parameter: The name of the parameter swept.
        table: The comparison table with a first column named after the parameter.
        estimates: The comparison's ``estimates`` (value, se, interval, coverage), with a
            first column named after the parameter.
        comparison: The comparison behind it (its policies labelled ``"0"``, ``"1"``, ... in
            the order of the values).
        values: The values of the parameter, in the order tried.
    """

    parameter: str
    table: pd.DataFrame = attrs.field(repr=False)
    estimates: pd.DataFrame | None = attrs.field(default=None, repr=False)
    comparison: ComparisonResult | None = attrs.field(default=None, repr=False)
    values: tuple[Any, ...] = attrs.field(default=(), converter=tuple, repr=False)

    @property
    def seed(self) -> int | None:
        """The seed of the comparison behind the sweep."""
        return None if self.comparison is None else self.comparison.seed

    @property
    def caption(self) -> str:
        """The caption of the comparison behind the sweep."""
        return "" if self.comparison is None else self.comparison.caption

    def _behind(self) -> ComparisonResult:
        if self.comparison is None:
            msg = "this sweep has no comparison behind it"
            raise InvalidValueError(msg)
        return self.comparison

    def summary(
        self, metrics: Sequence[str] | None = None, *, archetype: str = ALL, digits: int = 2
    ) -> pd.DataFrame:
        """Return the metrics as ``value [low, high]``, one row per value of the parameter.

        See :meth:`ComparisonResult.summary`.

        >>> from mastery_grading import policies
        >>> from mastery_grading.simulation import simulate_cohort, sweep
        >>> swept = sweep(policies.DecayingAverage(), "rate", [0.2, 0.8],
        ...               simulate_cohort(n=30, seed=0), progress=False, bootstrap=20)
        >>> swept.summary(["rmse"]).index.tolist()
        [0.2, 0.8]
        """
        frame = self._behind().summary(metrics, archetype=archetype, digits=digits)
        frame.index = pd.Index(list(self.values), name=self.parameter)
        return frame

    def ranking(self, metric: str = "rmse", *, archetype: str = ALL) -> pd.DataFrame:
        """Return the values of the parameter from best to worst, with their ties.

        See :meth:`ComparisonResult.ranking`; the index holds the parameter's values.

        Raises:
            InvalidValueError: Without replications or a bootstrap.
        """
        behind = self._behind()
        ranked = behind.ranking(metric, archetype=archetype)
        values = dict(zip(behind.policies, self.values, strict=True))
        ranked["tied_with"] = [tuple(values[t] for t in ties) for ties in ranked["tied_with"]]
        ranked.index = pd.Index([values[label] for label in ranked.index], name=self.parameter)
        return ranked

    def plot(
        self,
        metric: str = "rmse",
        *,
        archetypes: Sequence[str] | None = None,
        ax: Axes | None = None,
    ) -> Axes:
        """Draw the metric against the parameter, one line per archetype, with intervals.

        See :func:`~mastery_grading.simulation.plots.plot_sweep`.
        """
        return plots.plot_sweep(self, metric, archetypes=archetypes, ax=ax)

    def _repr_html_(self) -> str:
        overall = self.table[self.table["archetype"] == ALL].drop(columns="archetype")
        return (
            f"<p><b>Sweep</b> of <code>{html.escape(self.parameter)}</code>; overall "
            f"metrics; {html.escape(self.caption)}</p>"
            + overall.to_html(index=False, escape=True, float_format=lambda x: f"{x:.3f}")
        )
