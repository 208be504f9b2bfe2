"""Time a result table's frames: to_pandas, to_arrow (also ``text="category"``), to_polars.

Run: ``PYTHONPATH=src python benchmarks/bench_to_pandas.py [--sizes 1e5,1e6] [--repeat 9]``.
The sizes are numbers of (student, target) groups: students x 10 targets, one piece of
evidence per group (scores 0-4 on the default scale, so every group has a value and no
reason), ids as ``stu0000001`` and ``T00``. With ``--undecided 0.1`` a tenth of the students
have no evidence on the last target (a level and reason of no value); with ``--mixed`` half
the targets are on a 0-100 scale (levels read per target).

The table is computed once; each figure is the best of ``--repeat`` calls of one method on it
(wall clock), the calls of the different methods interleaved so that a busy neighbour slows
them alike. The target is ``to_pandas()`` of 10^6 groups in at most 10 ms. The load average
is printed first: the machine is shared, read the figures as ranges.

A version without ``text=`` (before it was added) is timed the same way, its category
columns shown as ``-``: run this file with ``PYTHONPATH`` set to the older ``src``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import Gradebook, LearningTarget, Scale, policies

N_TARGETS = 10


def make_table(n_groups: int, *, undecided: float, mixed: bool) -> Any:
    """The Mean results of ``n_groups`` (student, target) groups (see the module docstring)."""
    rng = np.random.default_rng(0)
    n_students = max(1, n_groups // N_TARGETS)
    student = np.repeat(np.arange(n_students), N_TARGETS)
    target = np.tile(np.arange(N_TARGETS), n_students)
    keep = ~((target == N_TARGETS - 1) & (rng.random(len(target)) < undecided))
    keep[0] = True  # every student keeps a piece of evidence: a row per target each
    keep[student != np.roll(student, 1)] = True
    student, target = student[keep], target[keep]
    percent = Scale(min=0, max=100, mastery=80)
    targets = [
        LearningTarget(id=f"T{t:02d}", title=f"T{t}", scale=percent)
        if mixed and t % 2
        else LearningTarget(id=f"T{t:02d}", title=f"T{t}")
        for t in range(N_TARGETS)
    ]
    scores = rng.integers(0, 5, len(student)).astype(np.float64)
    if mixed:
        scores[target % 2 == 1] *= 25
    frame = pd.DataFrame(
        {
            "student_id": np.asarray([f"stu{i:07d}" for i in range(n_students)])[student],
            "target_id": np.asarray([t.id for t in targets])[target],
            "score": scores,
            "observed_at": pd.Timestamp("2026-10-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 10**6, len(student)), unit="s"),
        }
    )
    return Gradebook.from_frame(frame, targets=targets).results(policies.Mean())


def methods(table: Any) -> dict[str, Callable[[], Any] | None]:
    """The calls timed, ``None`` for those this version has not."""
    has_text = "text" in inspect.signature(table.to_pandas).parameters
    out: dict[str, Callable[[], Any] | None] = {}
    for name in ("to_pandas", "to_arrow"):
        method = getattr(table, name)
        out[name] = method
        out[f'{name}(text="category")'] = partial(method, text="category") if has_text else None
    out["to_polars"] = table.to_polars
    return out


def best_of(calls: dict[str, Callable[[], Any] | None], repeat: int) -> dict[str, float | None]:
    """The best wall time of each call over ``repeat`` interleaved rounds (``None``: absent)."""
    best: dict[str, float | None] = dict.fromkeys(calls)
    for _ in range(repeat):
        for name, call in calls.items():
            if call is None:
                continue
            start = time.perf_counter()
            call()
            took = time.perf_counter() - start
            seen = best[name]
            best[name] = took if seen is None else min(seen, took)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--undecided", type=float, default=0.0)
    parser.add_argument("--mixed", action="store_true")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, pandas {pd.__version__}")
    for size in (int(float(s)) for s in args.sizes.split(",")):
        table = make_table(size, undecided=args.undecided, mixed=args.mixed)
        times = best_of(methods(table), args.repeat)
        print(f"\n{len(table):,} groups (best of {args.repeat})")
        for name, took in times.items():
            print(f"  {name:<28} {'-' if took is None else f'{took * 1e3:7.1f} ms'}")
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
