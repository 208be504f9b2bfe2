"""The engine's sort alone: ``sort_rows`` on the columns of ``benchmarks/run.py``'s frame.

Run, e.g.::

    .venv/bin/python benchmarks/bench_sort.py --sizes 1e6,1e7
    git show HEAD~1:src/mastery_grading/gradebook/_engine/_sort.py > /tmp/old_sort.py
    .venv/bin/python benchmarks/bench_sort.py --against /tmp/old_sort.py

The columns are those a gradebook holds for ``run.make_frame(rows)`` (string ids, 30 targets,
about 10 rows per group, random order), before any sort. ``sort_rows`` runs with one thread
and with two (``threads=``); ``--against`` times another version of the module (a file, e.g.
from ``git show``; called without ``threads``) in the same process, the runs interleaved, and
checks that every version gives the same sorted columns, groups and bounds. Times are the best
of ``--repeat`` runs (wall clock), in ms; the peak is tracemalloc's, above what was held
before the call (MiB), the unsorted columns held by the caller. The machine is shared, so read
the times as ranges and say the load average (printed before and after each size).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from _against import load_function, traced_peak
from run import learning_targets, make_frame, timed

from mastery_grading import Gradebook
from mastery_grading.gradebook._engine._sort import sort_rows

Sorter = Callable[[Any, int], Any]


def load(path: str) -> Sorter:
    found: Sorter = load_function(path, "_sort_against", "sort_rows")
    return found


def same(a: Any, b: Any) -> bool:
    """Whether two sorts agree on every sorted column, the groups and the bounds.

    ``order`` may differ between rows equal in every field (a version before the split left
    them in the order ``argsort`` gave); their columns are the same.
    """
    arrays = [(a.group, b.group), (a.bounds, b.bounds)]
    arrays += [
        (column, getattr(b.columns, name))
        for name, column in a.columns.__dict__.items()
        if isinstance(column, np.ndarray)
    ]
    return all(np.array_equal(x, y) for x, y in arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7")
    parser.add_argument("--repeat", type=int, default=0, help="best of (default 7, 3 at 1e7)")
    parser.add_argument("--against", help="another _sort.py to time beside this one")
    args = parser.parse_args()
    contenders: dict[str, Sorter] = {}
    if args.against:
        contenders["against"] = load(args.against)
    contenders["1 thread"] = partial(sort_rows, threads=1)
    contenders["2 threads"] = partial(sort_rows, threads=2)
    targets = learning_targets()
    print(
        "| rows | "
        + " | ".join(f"{name} (ms)" for name in contenders)
        + " | "
        + " | ".join(f"{name} peak (MiB)" for name in contenders)
        + " | load average |"
    )
    print("|---:|" + "---:|" * (2 * len(contenders)) + "---|")
    for size in (int(float(s)) for s in args.sizes.split(",")):
        book = Gradebook.from_frame(make_frame(size), targets=targets)
        cols = book._store.unsorted_columns()
        assert cols is not None
        before = os.getloadavg()[0]
        first = [func(cols, len(targets)) for func in contenders.values()]
        assert all(same(first[0], other) for other in first[1:]), "the sorts differ"
        del first
        repeat = args.repeat or (3 if size >= 10**7 else 7)
        best = dict.fromkeys(contenders, float("inf"))
        for _ in range(repeat):  # interleaved
            for name, func in contenders.items():
                best[name] = min(best[name], timed(partial(func, cols, len(targets))) * 1e3)
        peaks = [
            traced_peak(partial(func, cols, len(targets))) / 2**20 for func in contenders.values()
        ]
        print(
            f"| {len(cols):.0e} | "
            + " | ".join(f"{best[name]:.1f}" for name in contenders)
            + " | "
            + " | ".join(f"{p:.0f}" for p in peaks)
            + f" | {before:.2f}-{os.getloadavg()[0]:.2f} |"
        )


if __name__ == "__main__":
    main()
