"""Benchmark: simulate 10,000 students and compare 10 policies on 8 assessments each.

Goal (issue 7): under 60 s on a 2-core machine, progress bar off. Prints

1. the wall time of the cohort simulation and of ``compare`` for the 10 policies of
   :data:`KERNEL_TEN`, each of which has a vectorized simulation kernel;
2. the wall time of ``compare`` for the 10 policies of :data:`MIXED_TEN`: nine with a kernel
   (the power law and the evidence rule, the mean of the summative evidence, among them) and
   one without (the linear trend), which ``compare`` evaluates student by student through the
   policy;
3. the time of ``compare`` for :data:`KERNEL_TEN` forced through the scalar path
   (``fast=False``: every policy's own ``evaluate``), measured on a sample and extrapolated;
4. the scalar cost of each registered policy that has no kernel, so that slow policies show.

The machine may be shared with other jobs: the load average is printed before and after.

Run: ``.venv/bin/python benchmarks/bench_simulation.py [--students N] [--sample N]``
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from mastery_grading import policies
from mastery_grading.simulation import Cohort, Schedule, compare, policy_label, simulate_cohort

#: Ten built-in policies with a simulation kernel (default parameters).
KERNEL_TEN: list[dict[str, Any]] = [
    {"policy": name}
    for name in (
        "decaying_average",
        "highest",
        "highest_of_recent",
        "mean",
        "mean_of_highest",
        "mean_of_recent",
        "median",
        "median_of_recent",
        "mode",
        "mode_of_recent",
    )
]

#: Nine policies with a kernel and one without: a realistic research comparison.
MIXED_TEN: list[dict[str, Any]] = [
    {"policy": "mean"},
    {"policy": "median"},
    {"policy": "mode"},
    {"policy": "most_recent"},
    {"policy": "decaying_average"},
    {"policy": "weighted_average"},
    {"policy": "mean_of_recent"},
    {"policy": "power_law"},
    {"policy": "linear_trend"},
    {"policy": "filtered", "inner": {"policy": "mean"}, "summative_only": True},
]


def build(specs: list[dict[str, Any]]) -> list[Any]:
    """Return the policies of the specs, as ``compare`` would build them."""
    return [policies.policy_from_spec(spec) for spec in specs]


def timed_compare(name: str, chosen: list[Any], cohort: Cohort, simulated: float) -> None:
    """Run ``compare`` once on the whole cohort and print its wall time."""
    with_kernel = [policy_label(p) for p in chosen if policies.has_kernel(p)]
    without = [policy_label(p) for p in chosen if not policies.has_kernel(p)]
    print(f"{name}: with a kernel {with_kernel}; without {without}")
    start = time.perf_counter()
    compare(chosen, cohort, progress=False)
    compared = time.perf_counter() - start
    print(
        f"compare ({name}): {len(cohort)} students x {len(chosen)} policies x 8 assessments: "
        f"{compared:.2f} s (with simulation {simulated + compared:.2f} s; goal < 60 s)"
    )


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

    kernel_ten = build(KERNEL_TEN)
    assert all(policies.has_kernel(p) for p in kernel_ten)
    timed_compare("ten with kernels", kernel_ten, cohort, simulated)
    timed_compare("mixed ten", build(MIXED_TEN), cohort, simulated)

    sample = simulate_cohort(n=args.sample, seed=1, schedule=Schedule(n=8))
    for positions in (None, 1):
        start = time.perf_counter()
        compare(kernel_ten, sample, progress=False, fast=False, raise_positions=positions)
        per = (time.perf_counter() - start) / (args.sample * len(kernel_ten))
        what = "every score" if positions is None else "1 random score"
        print(
            f"compare (ten with kernels, scalar, fast=False, monotonicity raising {what}): "
            f"{per * 1e3:.2f} ms per student and policy -> "
            f"{per * args.students * len(kernel_ten):.0f} s extrapolated for "
            f"{args.students} x {len(kernel_ten)}"
        )

    slow = [p for p in policies.available_policies().values() if not policies.has_kernel(p)]
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
