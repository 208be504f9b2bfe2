"""Benchmark: simulate 10,000 students and compare 10 policies on 8 assessments each.

Goal (issue 7): under 60 s on a 2-core machine, progress bar off. Prints

1. the wall time of the cohort simulation and of ``compare`` for 10 built-in policies with a
   vectorized kernel (every registered one that has a kernel, topped up with decaying
   averages at other rates);
2. the time of ``compare`` for the same 10 policies forced through the scalar path
   (``fast=False``: every policy's own ``evaluate``), measured on a sample and extrapolated;
3. the scalar cost of each registered policy that has no kernel, so that slow policies show.

The machine may be shared with other jobs: the load average is printed before and after.

Run: ``.venv/bin/python benchmarks/bench_simulation.py [--students N] [--sample N]``
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from mastery_grading import policies
from mastery_grading.simulation import Schedule, compare, policy_label, simulate_cohort
from mastery_grading.simulation._fast import kernel_for


def ten_vectorized() -> list[Any]:
    """Ten built-in policies with a kernel: registered ones first, then decaying averages."""
    chosen = [p for p in policies.available_policies().values() if kernel_for(p, 3.0)][:10]
    labels = {policy_label(p) for p in chosen}
    for rate in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.1):
        candidate = policies.DecayingAverage(rate=rate)
        if len(chosen) < 10 and policy_label(candidate) not in labels:
            chosen.append(candidate)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}; load average before: {os.getloadavg()}")

    start = time.perf_counter()
    cohort = simulate_cohort(n=args.students, seed=0, schedule=Schedule(n=8))
    simulated = time.perf_counter() - start
    print(f"simulate_cohort: {args.students} students x 8 assessments: {simulated:.2f} s")

    chosen = ten_vectorized()
    print(f"policies: {[policy_label(p) for p in chosen]}")
    start = time.perf_counter()
    compare(chosen, cohort, progress=False)
    compared = time.perf_counter() - start
    print(
        f"compare (vectorized): {args.students} students x {len(chosen)} policies x 8 "
        f"assessments: {compared:.2f} s (with simulation {simulated + compared:.2f} s; "
        "goal < 60 s)"
    )

    sample = simulate_cohort(n=args.sample, seed=1, schedule=Schedule(n=8))
    for positions in (None, 1):
        start = time.perf_counter()
        compare(chosen, sample, progress=False, fast=False, raise_positions=positions)
        per = (time.perf_counter() - start) / (args.sample * len(chosen))
        what = "every score" if positions is None else "1 random score"
        print(
            f"compare (scalar, fast=False, monotonicity raising {what}): {per * 1e3:.2f} ms "
            f"per student and policy -> {per * args.students * len(chosen):.0f} s "
            f"extrapolated for {args.students} x {len(chosen)}"
        )

    slow = [p for p in policies.available_policies().values() if not kernel_for(p, 3.0)]
    for policy in slow:
        start = time.perf_counter()
        compare([policy], sample, progress=False)
        per = (time.perf_counter() - start) / args.sample
        print(
            f"  no kernel: {policy_label(policy)}: {per * 1e3:.2f} ms per student -> "
            f"{per * args.students:.0f} s for {args.students} students"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
