"""Time needed(): one student, and Gradebook.needed for a class, closed form against per group.

Run: ``PYTHONPATH=src python benchmarks/bench_needed.py [n_students]`` (default 20000, 10
targets, 5 pieces of evidence per target on a half-point grid, random days).

It prints:

1. one student's ``needed()`` per policy (the mean of 200 calls), on a history of 5 and of 50
   scores, with the level at mastery and at the top of the scale (where one score is often not
   enough and the top scores are counted);
2. ``Gradebook.needed`` for the class: its ``results()`` for reference, then ``needed`` for
   the linear policies (solved at once in closed form) and for a policy searched group by
   group (the mode), this one timed on a tenth of the students and scaled up; and how many
   rows the closed form left to the per-group search.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import Gradebook, LearningTarget, needed, policies
from mastery_grading.testing.examples import scores_to_history


def make_book(n_students: int, n_targets: int = 10, per_target: int = 5) -> Gradebook:
    rng = np.random.default_rng(13)
    n = n_students * n_targets * per_target
    students = np.repeat(np.arange(n_students), n_targets * per_target)
    targets = np.tile(np.repeat(np.arange(n_targets), per_target), n_students)
    frame = pd.DataFrame(
        {
            "student_id": pd.Series(students).map(lambda i: f"s{i:06d}"),
            "target_id": pd.Series(targets).map(lambda t: f"T{t}"),
            "score": rng.integers(0, 9, n) / 2,
            "observed_at": pd.Timestamp("2026-09-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
            + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"),
        }
    )
    return Gradebook.from_frame(
        frame, targets=[LearningTarget(id=f"T{t}", title=f"T{t}") for t in range(n_targets)]
    )


def timed(label: str, run: Any, scale: float = 1.0) -> float:
    start = time.perf_counter()
    run()
    seconds = (time.perf_counter() - start) * scale
    print(f"  {label:<52} {seconds:8.3f} s")
    return seconds


POLICIES = {
    "mean": policies.Mean(),
    "decaying_average": policies.DecayingAverage(),
    "weighted_average": policies.WeightedAverage(),
    "most_recent": policies.MostRecent(),
    "highest": policies.Highest(),
    "mode (scanned)": policies.Mode(),
    "n_times(n=3) (scanned)": policies.NTimes(n=3),
    "power_law (scanned)": policies.PowerLaw(),
}


def one_student() -> None:
    print("one student's needed(), mean of 200 calls (milliseconds)")
    target = LearningTarget(id="T", title="T")
    rng = np.random.default_rng(7)
    print(f"  {'policy':<26} {'5 @ meets':>10} {'5 @ exceeds':>12} {'50 @ meets':>11}")
    for name, policy in POLICIES.items():
        cells = []
        for size, level in ((5, None), (5, "exceeds"), (50, None)):
            history = scores_to_history(list(rng.integers(0, 9, size) / 2))
            start = time.perf_counter()
            for _ in range(200):
                needed(history, target, policy, level=level)
            cells.append((time.perf_counter() - start) / 200 * 1000)
        print(f"  {name:<26} {cells[0]:10.2f} {cells[1]:12.2f} {cells[2]:11.2f}")


def class_table(n_students: int) -> None:
    book = make_book(n_students)
    small = make_book(max(1, n_students // 10))
    book.results(policies.Mean())  # sort once (shared by every call below)
    small.results(policies.Mean())
    print(f"Gradebook.needed: {n_students} students x 10 targets, {len(book)} pieces of evidence")
    # a policy not computed on this book yet, so that its live table does not answer
    timed(
        "results(Mean(weighted=False)), for reference",
        lambda: book.results(policies.Mean(weighted=False)),
    )
    for name in ("mean", "decaying_average", "weighted_average", "most_recent", "highest"):
        policy = POLICIES[name]
        found: list[Any] = []
        timed(f"needed({name}) closed form", lambda p=policy, f=found: f.append(book.needed(p)))
        table = found[0]
        searched = sum(1 for row in table.records() if row["count"] != 1)
        print(f"  {'':<52} ({searched} of {len(table)} rows not one score)")
    timed(
        "needed(mode) per group (x10 from 1/10)",
        lambda: small.needed(policies.Mode()),
        scale=n_students / max(1, n_students // 10),
    )
    python = Gradebook.from_evidence(small.evidence(), targets=small.targets, engine="python")
    timed(
        "needed(mean) engine='python' (x10 from 1/10)",
        lambda: python.needed(policies.Mean()),
        scale=n_students / max(1, n_students // 10),
    )


def main() -> None:
    one_student()
    class_table(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)


if __name__ == "__main__":
    main()
