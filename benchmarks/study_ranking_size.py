"""Study: how many students does a stable ranking of policies need?

Runs ``compare(..., replications=R)`` for the policies of the simulation tutorial at several
cohort sizes (the six built-in archetypes in equal parts), each with several independent
seeds, and prints for each size:

- ``distinguishable``: the mean number of pairs of policies the ranking tells apart (Holm,
  5 %), out of all pairs;
- ``wrong way``: distinguishable pairs whose order contradicts the reference order (the
  order of the mean estimates at the largest size);
- ``order agrees``: the share of pairs whose order by estimate matches the reference (the
  reference estimates are printed too);
- ``same top 3``: whether every seed puts the same three policies first, in the same order;
- the top five of each seed, with ``=`` between policies the data cannot tell apart.

The tutorial (docs/tutorials/simulation.md) quotes its figures. Run::

    .venv/bin/python benchmarks/study_ranking_size.py [--sizes 150,300,600,1200,2400,4800]
        [--seeds 3] [--replications 10] [--metric rmse]

It takes a while (the linear trend is evaluated student by student): about 25 minutes on a
busy 2-core machine with the defaults.
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import numpy as np

from mastery_grading.simulation import compare, simulate_cohort

NAMES = [
    "mean",
    "median",
    "mode",
    "highest",
    "mean_of_highest",
    "mean_of_recent",
    "median_of_recent",
    "decaying_average",
    "weighted_average",
    "most_recent",
    "power_law",
    "linear_trend",
    "n_times",
]


def run(size: int, seed: int, replications: int, metric: str, archetype: str) -> Any:
    """One comparison at one size: the ranking and the estimates."""
    cohort = simulate_cohort(n=size, seed=seed)
    result = compare(
        {name: {"policy": name} for name in NAMES},
        cohort,
        replications=replications,
        progress=False,
    )
    return result.ranking(metric, archetype=archetype)


def top(ranked: Any, count: int = 5) -> str:
    """The first policies of a ranking, "=" joining those tied with the one before."""
    parts: list[str] = []
    previous: str | None = None
    for label in list(ranked.index)[:count]:
        if previous is not None:
            tied = previous in ranked.loc[label, "tied_with"]
            parts.append(" = " if tied else " > ")
        parts.append(label)
        previous = label
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="150,300,600,1200,2400,4800")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--metric", default="rmse")
    parser.add_argument("--archetype", default="all")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, list[Any]] = {}
    for size in sizes:
        started = time.perf_counter()
        results[size] = [
            run(size, 1000 * size + s, args.replications, args.metric, args.archetype)
            for s in range(args.seeds)
        ]
        print(f"size {size}: {time.perf_counter() - started:.0f} s", flush=True)
    largest = results[sizes[-1]]
    reference = np.mean([r.loc[NAMES, args.metric].to_numpy() for r in largest], axis=0)
    reference_order = dict(zip(NAMES, reference, strict=True))
    better = "higher" if args.metric.endswith(("agreement", "kappa", "decided")) else "lower"
    pairs = list(itertools.combinations(NAMES, 2))

    def first(a: str, b: str, values: dict[str, float]) -> bool:
        """Whether a comes before b (is better) by these values."""
        if args.metric == "bias":
            va, vb = abs(values[a]), abs(values[b])
        else:
            va, vb = values[a], values[b]
        return va > vb if better == "higher" else va < vb

    print(
        f"\nmetric {args.metric} ({args.archetype}), {args.replications} replications, "
        f"{args.seeds} seeds per size; {len(pairs)} pairs of {len(NAMES)} policies"
    )
    shown = sorted(NAMES, key=lambda name: reference_order[name])
    print(
        f"reference (mean estimate at {sizes[-1]} students): "
        + ", ".join(f"{name} {reference_order[name]:.4f}" for name in shown)
    )
    print(
        f"{'students':>8} {'distinguishable':>15} {'wrong way':>9} {'order agrees':>12} same top 3"
    )
    for size in sizes:
        ranked = results[size]
        told = []
        wrong = 0
        agrees = []
        for r in ranked:
            values = dict(zip(r.index, r[args.metric], strict=True))
            ties = dict(zip(r.index, r["tied_with"], strict=True))
            count = 0
            for a, b in pairs:
                if b in ties[a]:
                    continue
                count += 1
                if first(a, b, values) != first(a, b, reference_order):
                    wrong += 1
            told.append(count)
            agrees.append(
                np.mean([first(a, b, values) == first(a, b, reference_order) for a, b in pairs])
            )
        tops = {tuple(r.index[:3]) for r in ranked}
        print(
            f"{size:>8} {np.mean(told):>15.1f} {wrong:>9} {np.mean(agrees):>12.0%} "
            f"{'yes' if len(tops) == 1 else 'no'}"
        )
        for r in ranked:
            print(f"{'':>10}{top(r)}")


if __name__ == "__main__":
    main()
