"""Benchmark: the research toolkit's comparisons, from 10 policies to the reference twelve.

Goals: issue 7, 10,000 students x 10 policies x 8 assessments under 60 s; issue 20, the
twelve policies of the reference comparison (:data:`TWELVE`) over 25,000 students (the five
:func:`~mastery_grading.simulation.literature_archetypes` x 5,000, 8 assessments) in at most
10 s, and 10 replications in at most 60 s, on a 2-core machine, progress bar off. Prints

1. ``twelve``: the wall and CPU time of the cohort simulation and of ``compare`` for
   :data:`TWELVE`, each policy's share (its own ``compare`` on the same cohort), and
   ``compare(..., replications=10)``: the cohort and nine more drawn the same way, each
   simulated and compared, with every metric's interval;
2. ``ten``: the wall time of the cohort simulation and of ``compare`` for the 10 policies of
   :data:`KERNEL_TEN`, each of which has a vectorized kernel;
3. ``mixed``: the wall time of ``compare`` for the 10 policies of :data:`MIXED_TEN`;
4. ``scalar``: the time of ``compare`` for :data:`KERNEL_TEN` forced through the scalar path
   (``fast=False``: every policy's own ``evaluate``), measured on a sample and extrapolated,
   and the scalar cost of each registered policy that has no kernel, so that slow policies
   show.

The machine may be shared with other jobs: the load average is printed before and after, and
the CPU time of this process next to the wall time (on a busy machine the wall time is longer,
the CPU time hardly).

Run: ``.venv/bin/python benchmarks/bench_simulation.py [--parts twelve,ten,mixed,scalar]
[--per-archetype N] [--replications K] [--students N] [--sample N]``
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mastery_grading import policies
from mastery_grading.simulation import (
    REFERENCE_POLICIES,
    Cohort,
    Schedule,
    compare,
    literature_archetypes,
    policy_label,
    simulate_cohort,
)

#: The twelve policies of the reference comparison (issue 20), default parameters.
TWELVE: list[dict[str, Any]] = [{"policy": name} for name in REFERENCE_POLICIES]

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

#: A realistic research comparison: central, recency and trend policies and an evidence rule
#: (all ten have a kernel since the trend kernels of issue 20).
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


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``run()``; return its value, its wall time and this process's CPU time (s)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def twelve(per_archetype: int, replications: int) -> None:
    """The reference comparison: twelve policies, five archetypes, 8 assessments."""
    archetypes = literature_archetypes()
    n = per_archetype * len(archetypes)
    chosen = build(TWELVE)
    assert all(policies.has_kernel(p) for p in chosen)
    names = ", ".join(a.name for a in archetypes)
    print(f"twelve: {n} students ({names}; {per_archetype} each) x 8 assessments")

    def simulate(seed: int) -> Cohort:
        return simulate_cohort(archetypes, n=n, seed=seed, schedule=Schedule(n=8))

    cohort, wall, cpu = timed(lambda: simulate(0))
    print(f"  simulate_cohort: {wall:.2f} s (cpu {cpu:.2f} s)")
    _, wall, cpu = timed(lambda: compare(chosen, cohort, progress=False, seed=0))
    print(f"  compare, twelve policies: {wall:.2f} s (cpu {cpu:.2f} s; goal <= 10 s)")
    shares = []
    for policy in chosen:
        _, alone, _ = timed(partial(compare, [policy], cohort, progress=False, seed=0))
        shares.append(f"{policy_label(policy)} {alone:.2f}")
    print(f"  each policy alone (s, with the shared preparation): {'; '.join(shares)}")
    _, wall, cpu = timed(
        lambda: compare(chosen, cohort, progress=False, seed=0, replications=replications)
    )
    print(
        f"  compare(replications={replications}): the cohort and {replications - 1} more drawn "
        f"the same way, each compared: {wall:.2f} s (cpu {cpu:.2f} s; goal <= 60 s for 10)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parts", default="twelve,ten,mixed,scalar")
    parser.add_argument("--per-archetype", type=int, default=5_000)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"cpus: {os.cpu_count()}; load average before: {os.getloadavg()}")
    if "twelve" in parts:
        twelve(args.per_archetype, args.replications)
    if parts & {"ten", "mixed", "scalar"}:
        rest(args, parts)
    print(f"load average after: {os.getloadavg()}")


def rest(args: argparse.Namespace, parts: set[str]) -> None:
    """The benchmarks of issue 7: ten policies, then the scalar path."""
    start = time.perf_counter()
    cohort = simulate_cohort(n=args.students, seed=0, schedule=Schedule(n=8))
    simulated = time.perf_counter() - start
    print(f"simulate_cohort: {args.students} students x 8 assessments: {simulated:.2f} s")

    kernel_ten = build(KERNEL_TEN)
    assert all(policies.has_kernel(p) for p in kernel_ten)
    if "ten" in parts:
        timed_compare("ten with kernels", kernel_ten, cohort, simulated)
    if "mixed" in parts:
        timed_compare("mixed ten", build(MIXED_TEN), cohort, simulated)
    if "scalar" not in parts:
        return
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


if __name__ == "__main__":
    main()
