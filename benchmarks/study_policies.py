"""Study: the decaying average against the mean, the most recent score and the power law.

The worked study of docs/explanation/study-decaying-average.md, end to end, from one seed:

1. ``compare()`` of four policies (``decaying_average`` at Canvas's default weight 0.65,
   ``mean``, ``most_recent``, ``power_law``) over the five archetypes of
   ``literature_archetypes()`` in equal parts, with replications and 95 % intervals;
2. the ranking on RMSE (paired differences, Holm), overall and by archetype;
3. the RMSE and bias by archetype;
4. coverage: who gets no result, and the power law with ``zeros="floor"`` as a check;
5. the sweep of the decay weight (``rate``) with its intervals, the weights the data cannot
   tell from the best, the best weight of each replication, and the best weight by archetype;
6. the same sweep under another truth (the mean over the last three assessments) and under
   twice the measurement noise.

It prints every table. With ``--out DIR`` it also writes them to ``DIR/study.txt`` (the
printed report, without the timing), the estimates as CSV files, and the page's figures as
PNG files. Run it with ``make study`` (which writes into docs/explanation/study-decaying-average/),
or::

    .venv/bin/python benchmarks/study_policies.py [--students 2000] [--replications 20]
        [--seed 2026] [--rates 0.2,0.25,...,1.0] [--out DIR]

With the defaults it takes under a minute on 2 cores (45 s measured).

BKT (Bayesian knowledge tracing) is not a policy of the library yet; it will join the
comparison when it lands.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import policies
from mastery_grading.simulation import (
    ComparisonResult,
    MeanOfLast,
    Measurement,
    SweepResult,
    compare,
    literature_archetypes,
    simulate_cohort,
    sweep,
)

#: The recorded seed of the study (the cohort; every other stream derives from it).
SEED = 2026
#: Students per cohort (equal parts of the five archetypes) and cohorts per comparison.
STUDENTS = 2000
REPLICATIONS = 20
#: The four policies, by their spec names; the decaying average at its default 0.65.
POLICIES: dict[str, dict[str, Any]] = {
    "decaying_average": {"policy": "decaying_average"},
    "mean": {"policy": "mean"},
    "most_recent": {"policy": "most_recent"},
    "power_law": {"policy": "power_law"},
}
#: The decay weights swept (1.0 is the most recent score).
RATES = tuple(round(0.2 + 0.05 * k, 2) for k in range(17))
#: Canvas's default decay weight.
CANVAS_RATE = 0.65
#: A difference in RMSE smaller than this (scale points) is of no practical consequence.
MARGIN = 0.01
#: The section titles, in the order printed.
SECTIONS = (
    "Setup",
    "1. Every policy over all students",
    "2. Ranking on RMSE",
    "3. By archetype",
    "4. Coverage: who gets no result",
    "5. The sweep of the decay weight",
    "6. The best weight under other assumptions",
)
FAMILY_ALPHA = 0.05 / 5  # the five archetypes are five families of comparisons
#: The overall tables of section 1: accuracy, decisions and stability, monotonicity.
SUMMARY_METRICS = (
    ["rmse", "bias", "undecided", "mastery_agreement"],
    ["false_not_yet", "false_mastered", "jitter"],
    ["monotonicity_violations", "worst_drop", "mean_drop"],
)
SWEEP_METRICS = ["rmse", "bias", "jitter", "false_not_yet", "false_mastered"]


class Report:
    """Prints lines as they come and keeps them for ``study.txt``."""

    def __init__(self, echo: Callable[[str], None] = print) -> None:
        self.lines: list[str] = []
        self.echo = echo

    def __call__(self, text: str = "") -> None:
        """Print ``text`` and keep it (without trailing spaces)."""
        lines = [line.rstrip() for line in text.split("\n")]
        self.echo("\n".join(lines))
        self.lines.extend(lines)

    def section(self, index: int) -> None:
        """Start section ``index`` of :data:`SECTIONS`."""
        title = SECTIONS[index]
        self(f"\n{title}\n{'=' * len(title)}")

    def table(self, frame: pd.DataFrame) -> None:
        """Print a table."""
        self(frame.to_string())


def p_text(p: float) -> str:
    """A p-value to read: three decimals, scientific notation below 0.001, a bound below 1e-15."""
    if p < 1e-15:
        return "<1e-15"
    return f"{p:.1e}" if p < 0.001 else f"{p:.3f}"


def cell(value: float, low: float, high: float, coverage: float = 1.0, digits: int = 2) -> str:
    """``value [low, high]``, and ``(coverage)`` when below 100 %."""
    if not np.isfinite(value):
        return "n/a"
    text = f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
    return text if coverage >= 0.9995 else f"{text} ({coverage:.0%})"


def by_archetype(result: ComparisonResult, metric: str) -> pd.DataFrame:
    """One metric with its interval: one row per archetype, one column per policy."""
    rows = result.estimates[result.estimates["metric"] == metric]
    cells = [
        cell(value, low, high, share)
        for value, low, high, share in zip(
            rows["value"], rows["low"], rows["high"], rows["coverage"], strict=True
        )
    ]
    frame = rows.assign(cell=cells).pivot(index="archetype", columns="policy", values="cell")
    frame = frame.loc[list(dict.fromkeys(rows["archetype"])), list(result.policies)]
    frame.columns.name = None
    return frame


def order(ranked: pd.DataFrame) -> str:
    """The ranking in one line: ``>`` between ranks, ``=`` for a tie with the one before."""
    parts: list[str] = []
    previous: Any = None
    for label in ranked.index:
        if previous is not None:
            parts.append(" = " if previous in ranked.loc[label, "tied_with"] else " > ")
        parts.append(str(label))
        previous = label
    return "".join(parts)


def ranking_table(ranked: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The ranking's columns to read, rounded."""
    frame = ranked[["rank", metric, "low", "high", "coverage", "tied_with"]].copy()
    for column in (metric, "low", "high"):
        frame[column] = frame[column].round(3)
    frame["coverage"] = frame["coverage"].map(lambda x: f"{x:.0%}")
    return frame


def differences_table(result: ComparisonResult, metric: str, archetype: str) -> pd.DataFrame:
    """Every pair's paired difference with its interval and Holm's p-value."""
    pairs = result.differences(metric, archetype=archetype)
    return pd.DataFrame(
        {
            "pair": [f"{a} - {b}" for a, b in zip(pairs["policy"], pairs["other"], strict=True)],
            "difference": [
                cell(d, lo, hi, digits=3)
                for d, lo, hi in zip(pairs["difference"], pairs["low"], pairs["high"], strict=True)
            ],
            "p_holm": [p_text(p) for p in pairs["p_holm"]],
            "distinguishable": pairs["distinguishable"],
        }
    ).set_index("pair")


def largest_told_apart(result: ComparisonResult, metric: str, archetype: str) -> str:
    """The largest Holm p-value of the pairs told apart, or "no pair told apart"."""
    pairs = result.differences(metric, archetype=archetype)
    told = pairs[pairs["distinguishable"]]
    if not len(told):
        return "no pair told apart"
    return f"largest p_holm of a pair told apart {p_text(float(told['p_holm'].max()))}"


def sweep_to_best(swept: SweepResult, metric: str = "rmse", archetype: str = "all") -> pd.DataFrame:
    """Each weight's paired difference in ``metric`` to the weight with the best estimate."""
    behind = swept.comparison
    assert behind is not None
    ranked = swept.ranking(metric, archetype=archetype)
    best = ranked.index[0]
    labels = dict(zip(behind.policies, swept.values, strict=True))
    pairs = behind.differences(metric, archetype=archetype)
    rows = []
    for _, pair in pairs.iterrows():
        a, b = labels[pair["policy"]], labels[pair["other"]]
        if best not in (a, b):
            continue
        sign = 1.0 if b == best else -1.0  # the other weight minus the best
        low, high = sorted((sign * pair["low"], sign * pair["high"]))
        rows.append(
            {
                swept.parameter: b if a == best else a,
                "minus_best": sign * pair["difference"],
                "low": low,
                "high": high,
                "p_holm": pair["p_holm"],
            }
        )
    frame = pd.DataFrame(rows).set_index(swept.parameter).sort_index()
    frame["within_margin"] = frame["high"] < MARGIN
    return frame


def best_per_replicate(swept: SweepResult, metric: str = "rmse") -> dict[Any, int]:
    """How many replications (or resamples) put each weight first, over all students."""
    behind = swept.comparison
    assert behind is not None
    table = behind.replicates
    if table is None:
        return {}
    table = table[table["archetype"] == "all"]
    labels = dict(zip(behind.policies, swept.values, strict=True))
    firsts = table.loc[table.groupby("replicate")[metric].idxmin(), "policy"].map(labels)
    counts = firsts.value_counts()
    return {value: int(counts[value]) for value in sorted(counts.index)}


def sweep_findings(report: Report, swept: SweepResult) -> None:
    """The best weight, its ties, the weights within the margin and the weight per replication."""
    ranked = swept.ranking("rmse")
    best = ranked.index[0]
    gaps = sweep_to_best(swept)
    within = [value for value in gaps.index if gaps.loc[value, "within_margin"]]
    report(f"best weight: {best} (RMSE {ranked.loc[best, 'rmse']:.3f})")
    report(f"  not told apart from it: {list(ranked.loc[best, 'tied_with'])}")
    report(f"  within {MARGIN} of it (95% interval of the difference below {MARGIN}): {within}")
    if CANVAS_RATE in gaps.index:
        row: Any = gaps.loc[CANVAS_RATE]
        report(
            f"  {CANVAS_RATE} minus the best: {row['minus_best']:.4f} "
            f"[{row['low']:.4f}, {row['high']:.4f}], p_holm {p_text(row['p_holm'])}"
        )
    elif best == CANVAS_RATE:
        report(f"  {CANVAS_RATE} is the best estimate")
    report(f"  best weight of each replication: {best_per_replicate(swept)}")


def run_sweep(cohort: Any, rates: Sequence[float], replications: int, **options: Any) -> Any:
    """The decaying average at every weight on this cohort."""
    return sweep(
        policies.DecayingAverage(),
        "rate",
        list(rates),
        cohort,
        replications=replications,
        progress=False,
        **options,
    )


def setup(report: Report, cohort: Any, replications: int) -> None:
    """Print what the study rests on."""
    report.section(0)
    report(f"cohort: {cohort!r}")
    report(f"students per cohort: {len(cohort)}; replications: {replications}")
    report(f"  ({len(cohort) * replications} simulated students per policy)")
    report("archetypes (parameters as fractions of the 0-4 scale's range, drawn per learner):")
    for archetype, weight in cohort.mix:
        report(f"  weight {weight:g}: {archetype!r}")
    report(f"scale: {cohort.target.scale!r}")
    report(f"measurement: {cohort.measurement!r}")
    report(f"  (noise sd {cohort.measurement.noise_sd(cohort.target.scale)} points)")
    report(f"schedule: {cohort.schedule!r}")
    report(f"policies: {POLICIES}")


def compared(report: Report, result: ComparisonResult) -> None:
    """Sections 1 to 3: the overall table, the ranking, the archetypes."""
    report.section(1)
    report(result.caption)
    for metrics in SUMMARY_METRICS:
        report.table(result.summary(metrics))
    report.section(2)
    for metric in ("rmse", "mastery_agreement"):
        ranked = result.ranking(metric)
        report(f"{metric}: {order(ranked)}")
        report.table(ranking_table(ranked, metric))
    report("paired differences in RMSE (all students):")
    report.table(differences_table(result, "rmse", "all"))
    report.section(3)
    for metric in ("rmse", "bias"):
        report(f"{metric} by archetype:")
        report.table(by_archetype(result, metric))
    report(
        "RMSE ranking by archetype (Holm within each archetype; a pair told apart with "
        f"p_holm <= {FAMILY_ALPHA:g} stays apart over the five archetypes):"
    )
    for group in result.cohort.archetypes:
        ranked = result.ranking("rmse", archetype=group)
        report(f"  {group}: {order(ranked)}  ({largest_told_apart(result, 'rmse', group)})")


def coverage(report: Report, result: ComparisonResult, cohort: Any, replications: int) -> None:
    """Section 4: undecided students by archetype, and the power law without the gaps."""
    report.section(4)
    report("undecided (no result) by archetype:")
    report.table(by_archetype(result, "undecided"))
    check = compare(
        {
            "power_law": {"policy": "power_law"},
            "power_law_floor": {"policy": "power_law", "zeros": "floor"},
        },
        cohort,
        replications=replications,
        progress=False,
    )
    report('the power law with zeros="floor" (a 0 counts as 0.5; everyone gets a result):')
    report.table(check.summary(["rmse", "bias", "undecided"]))
    for group in ("step", "steady"):
        if group in cohort.archetypes:
            report(f"{group}:")
            report.table(check.summary(["rmse", "bias", "undecided"], archetype=group))


def swept(
    report: Report, cohort: Any, rates: Sequence[float], replications: int
) -> dict[str, SweepResult]:
    """Sections 5 and 6: the sweep, then the same sweep under two other assumptions."""
    report.section(5)
    main = run_sweep(cohort, rates, replications)
    report(main.caption)
    report.table(main.summary(SWEEP_METRICS))
    report(f"ranking on RMSE: {order(main.ranking('rmse'))}")
    gaps = sweep_to_best(main)
    gaps["p_holm"] = gaps["p_holm"].map(p_text)
    report.table(gaps.round(4))
    sweep_findings(report, main)
    report("best weight by archetype (and the weights not told apart from it):")
    for group in cohort.archetypes:
        ranked = main.ranking("rmse", archetype=group)
        best = ranked.index[0]
        ties = [float(t) for t in ranked["tied_with"].iloc[0]]
        edge = " (an end of the weights swept)" if best in (min(rates), max(rates)) else ""
        report(f"  {group}: {best} {ties}  RMSE {ranked['rmse'].iloc[0]:.3f}{edge}")
    report.section(6)
    recent = run_sweep(cohort, rates, replications, truth=MeanOfLast(k=3))
    sd = 2 * cohort.measurement.noise_sd(cohort.target.scale)
    noisy_cohort = simulate_cohort(
        dict(cohort.mix), n=len(cohort), seed=cohort.seed, measurement=Measurement(sd=sd)
    )
    noisy = run_sweep(noisy_cohort, rates, replications)
    for title, other in (
        ("truth: the mean true level over the last 3 assessments", recent),
        (f"twice the noise: the same learners, scores with sd {sd:.1f}", noisy),
    ):
        report(f"{title}\n  {other.caption}")
        report.table(other.summary(["rmse", "jitter", "false_not_yet"]))
        sweep_findings(report, other)
    return {
        f"end of term, noise sd {sd / 2:.1f}": main,
        f"mean of last 3, noise sd {sd / 2:.1f}": recent,
        f"end of term, noise sd {sd:.1f}": noisy,
    }


def figures(out: Path, result: ComparisonResult, sweeps: dict[str, SweepResult]) -> list[Path]:
    """Draw the page's figures into ``out``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths: list[Path] = []

    def save(ax: Any, name: str) -> None:
        path = out / name
        ax.figure.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
        plt.close(ax.figure)
        paths.append(path)

    save(result.plot("rmse"), "rmse-by-archetype.png")
    save(result.plot("bias"), "bias-by-archetype.png")
    main = next(iter(sweeps.values()))
    save(main.plot("rmse"), "sweep-by-archetype.png")
    _, ax = plt.subplots(figsize=(7.0, 4.0))
    for label, other in sweeps.items():
        assert other.estimates is not None
        rows = other.estimates[
            (other.estimates["archetype"] == "all") & (other.estimates["metric"] == "rmse")
        ]
        xs = rows["rate"].to_numpy(dtype=float)
        (line,) = ax.plot(xs, rows["value"].to_numpy(dtype=float), marker="o", label=label)
        ax.fill_between(
            xs,
            rows["low"].to_numpy(dtype=float),
            rows["high"].to_numpy(dtype=float),
            color=line.get_color(),
            alpha=0.25,
            lw=0,
        )
    ax.axvline(CANVAS_RATE, color="grey", ls=":", lw=1)
    ax.set_xlabel("rate (weight of the newest score)")
    ax.set_ylabel("RMSE against the truth (points, 0-4)")
    assert result.draws is not None
    ax.set_title(
        "Decaying average, all students (bands: 95% intervals)\n"
        f"{len(result.cohort)} students x {result.draws.size} replications, "
        f"cohort seed {result.cohort.seed}",
        fontsize=9,
    )
    ax.legend(title="truth / noise", fontsize=8)
    save(ax, "sweep-assumptions.png")
    return paths


def write(
    out: Path, report: Report, result: ComparisonResult, sweeps: dict[str, SweepResult]
) -> None:
    """Write the report, the estimates and the figures into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "study.txt").write_text("\n".join(report.lines).lstrip("\n") + "\n")
    result.estimates.round(6).to_csv(out / "compare-estimates.csv", index=False)
    frames = []
    for label, other in sweeps.items():
        assert other.estimates is not None
        frame = other.estimates.round(6)
        frame.insert(0, "setting", label)
        frames.append(frame)
    pd.concat(frames).to_csv(out / "sweep-estimates.csv", index=False)
    figures(out, result, sweeps)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES))
    parser.add_argument("--out", type=Path, default=None, help="write tables and figures here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, echo: Callable[[str], None] = print) -> Report:
    """Run the study; return the report (every line printed)."""
    args = parse(argv)
    started = time.perf_counter()
    report = Report(echo)
    rates = [float(r) for r in args.rates.split(",")]
    cohort = simulate_cohort(literature_archetypes(), n=args.students, seed=args.seed)
    setup(report, cohort, args.replications)
    result = compare(POLICIES, cohort, replications=args.replications, progress=False)
    compared(report, result)
    coverage(report, result, cohort, args.replications)
    sweeps = swept(report, cohort, rates, args.replications)
    if args.out is not None:
        write(args.out, report, result, sweeps)
    echo(f"\nthe study took {time.perf_counter() - started:.0f} s")
    return report


if __name__ == "__main__":
    main()
