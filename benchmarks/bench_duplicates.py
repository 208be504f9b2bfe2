"""The duplicate check of the vectorized engine alone: ``duplicate_rows`` on frame-like keys.

Run, e.g.::

    .venv/bin/python benchmarks/bench_duplicates.py --sizes 1e6,1e7
    git show HEAD~1:src/mastery_grading/gradebook/_duplicates.py > /tmp/old_duplicates.py
    .venv/bin/python benchmarks/bench_duplicates.py --against /tmp/old_duplicates.py

The keys are those the engine checks for a frame of ``benchmarks/run.py``'s shape: student
codes (about ``rows / 300`` students), target codes (30 targets), times in microseconds (a
second within 300 days) and scores (halves from 0 to 4, as the bits of a float), rows in
random order; ``--copies`` rows are copies of earlier rows. ``--against`` times another
version of the module (a file, e.g. from ``git show``) in the same process, runs
interleaved, and checks that both give the same first copy of every row. Times are the best
of ``--repeat`` runs (wall clock), in ms; the machine is shared, so read them as ranges and
say the load average (printed).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from _against import load_function, traced_peak
from run import timed

from mastery_grading.gradebook import duplicate_rows

N_TARGETS = 30
PER_GROUP = 10


def frame_keys(n_rows: int, copies: int = 0, seed: int = 0) -> list[Any]:
    """The duplicate key columns of an ``n_rows`` frame, ``copies`` of them copies."""
    rng = np.random.default_rng(seed)
    n_students = max(1, n_rows // PER_GROUP // N_TARGETS)
    group = rng.integers(0, n_students * N_TARGETS, n_rows)
    seconds = rng.integers(0, 300 * 24 * 3600, n_rows)
    scores = rng.integers(0, 9, n_rows) / 2
    if copies:
        to = rng.choice(n_rows - 1, copies, replace=False) + 1
        source = rng.integers(0, to)  # an earlier row
        group[to], seconds[to], scores[to] = group[source], seconds[source], scores[source]
    return [
        (group // N_TARGETS).astype(np.int32),
        (group % N_TARGETS).astype(np.int32),
        (1_787_000_000 + seconds) * 1_000_000,
        scores.view(np.int64),
    ]


def load(path: str) -> Callable[[Any], Any]:
    found: Callable[[Any], Any] = load_function(path, "_duplicates_against", "duplicate_rows")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7")
    parser.add_argument("--copies", default="0,1000", help="copies per size, comma-separated")
    parser.add_argument("--repeat", type=int, default=0, help="best of (default 5, 3 at 1e7)")
    parser.add_argument("--against", help="another _duplicates.py to time beside this one")
    args = parser.parse_args()
    contenders: dict[str, Callable[[Any], Any]] = {}
    if args.against:
        contenders["against"] = load(args.against)
    contenders["this"] = duplicate_rows
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        "| rows | copies | "
        + " | ".join(f"{name} (ms)" for name in contenders)
        + " | "
        + " | ".join(f"{name} peak (MB)" for name in contenders)
        + " |"
    )
    print("|---:|---:|" + "---:|" * (2 * len(contenders)))
    for size in (int(float(s)) for s in args.sizes.split(",")):
        for copies in (int(c) for c in args.copies.split(",")):
            keys = frame_keys(size, copies)
            results = [func(keys) for func in contenders.values()]
            assert all(np.array_equal(results[0], r) for r in results), "results differ"
            repeat = args.repeat or (3 if size >= 10**7 else 5)
            best = dict.fromkeys(contenders, float("inf"))
            for _ in range(repeat):  # interleaved
                for name, func in contenders.items():
                    best[name] = min(best[name], timed(partial(func, keys)) * 1e3)
            peaks = [traced_peak(partial(func, keys)) / 1e6 for func in contenders.values()]
            print(
                f"| {size:.0e} | {copies} | "
                + " | ".join(f"{best[name]:.1f}" for name in contenders)
                + " | "
                + " | ".join(f"{p:.0f}" for p in peaks)
                + " |"
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
