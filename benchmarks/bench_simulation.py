"""Benchmark: simulate 10,000 students and compare 10 policies on 8 assessments each.

Goal (issue 7): under 60 s on a 2-core machine, progress bar off. Prints the wall time of the
cohort simulation and of ``compare``, which policies took the vectorized path, and the
per-student cost of the scalar path (measured on a subset and extrapolated).

Run: ``.venv/bin/python benchmarks/bench_simulation.py [--students N]``
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from mastery_grading import policies
from mastery_grading.simulation import Schedule, compare, policy_label, simulate_cohort
from mastery_grading.simulation._fast import kernel_for


def ten_policies() -> list[Any]:
    """Every registered built-in, topped up with decaying averages to ten policies."""
    chosen = list(policies.available_policies().values())[:10]
    rates = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.1]
    labels = {policy_label(p) for p in chosen}
    for rate in rates:
        if len(chosen) >= 10:
            break
        candidate = policies.DecayingAverage(rate=rate)
        if policy_label(candidate) not in labels:
            chosen.append(candidate)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--scalar-sample", type=int, default=500)
    args = parser.parse_args()
    chosen = ten_policies()
    print(f"cpus available: {os.cpu_count()}  (machine may be shared; see load below)")
    print(f"load average: {os.getloadavg()}")

    start = time.perf_counter()
    cohort = simulate_cohort(n=args.students, seed=0, schedule=Schedule(n=8))
    simulated = time.perf_counter() - start
    print(f"simulate_cohort: {args.students} students x 8 assessments: {simulated:.2f} s")

    fast = [policy_label(p) for p in chosen if kernel_for(p, 3.0) is not None]
    slow = [policy_label(p) for p in chosen if kernel_for(p, 3.0) is None]
    print(f"policies ({len(chosen)}): vectorized {fast}; scalar {slow}")
    start = time.perf_counter()
    compare(chosen, cohort, progress=False)
    compared = time.perf_counter() - start
    total = simulated + compared
    print(
        f"compare: {args.students} students x {len(chosen)} policies x 8 assessments: "
        f"{compared:.2f} s  (total with simulation {total:.2f} s; goal < 60 s)"
    )

    sample = simulate_cohort(n=args.scalar_sample, seed=1, schedule=Schedule(n=8))
    for positions, jobs in ((None, 1), (1, 1), (None, 2)):
        start = time.perf_counter()
        compare(chosen, sample, progress=False, fast=False, raise_positions=positions, n_jobs=jobs)
        per = (time.perf_counter() - start) / (args.scalar_sample * len(chosen))
        what = "every score" if positions is None else f"{positions} random score"
        print(
            f"scalar path (all through evaluate(), raising {what}, n_jobs={jobs}): "
            f"{per * 1e3:.2f} ms per student and policy on {args.scalar_sample} students -> "
            f"{per * 10_000 * 10:.0f} s extrapolated for 10,000 x 10"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
