"""Time Gradebook.diff against the two results() calls it needs (target: at most 2.2 times).

Run: ``PYTHONPATH=src python benchmarks/bench_diff.py [n_rows]`` (default 10^7 rows: 10^5
students x 10 targets x about 10 pieces of evidence each, random order, string ids, scores on
the half-point grid, as ``benchmarks/run.py`` builds them). Each student is in one of 20
sections, for ``by=``.

The book is built once from the frame and its rows sorted once (by a first ``results`` call
with a third policy), as in any session that has scored the class before. Every figure is then
the best of ``--repeat`` runs, each on a book whose kept tables were dropped (so nothing is read
from a table computed earlier); CPU time, with the wall time in brackets:

- ``results x2``: ``results(Mean())`` then ``results(DecayingAverage())``, the baseline;
- ``diff``: ``diff(Mean(), DecayingAverage())``: both results, levels and changed students;
- ``diff + letters``: with ``AverageCutoffs.marzano_2010()``: both grade tables too;
- ``diff + letters + groups``: the same with ``by=`` the sections, then ``by_group`` and
  ``transitions`` read (the figures a district looks at first).

Each diff is also shown as a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import Gradebook, LearningTarget, policies
from mastery_grading.grades import AverageCutoffs

N_TARGETS = 10
PER_GROUP = 10
N_SECTIONS = 20


def make_frame(n_rows: int, seed: int = 19) -> tuple[Any, int]:
    """A shuffled DataFrame of ``n_rows`` evidence rows, and its number of students."""
    rng = np.random.default_rng(seed)
    n_students = max(1, n_rows // (PER_GROUP * N_TARGETS))
    group = rng.integers(0, n_students * N_TARGETS, n_rows)
    students = np.asarray([f"stu{i:07d}" for i in range(n_students)], dtype=object)
    targets = np.asarray([f"T{i:02d}" for i in range(N_TARGETS)], dtype=object)
    start = np.datetime64("2026-08-24T08:00:00", "s")
    seconds = rng.integers(0, 300 * 24 * 3600, n_rows)
    frame = pd.DataFrame(
        {
            "student_id": pd.array(students[group // N_TARGETS], dtype="str"),
            "target_id": pd.array(targets[group % N_TARGETS], dtype="str"),
            "score": rng.integers(0, 9, n_rows) / 2,
            "observed_at": pd.to_datetime(start + seconds.astype("timedelta64[s]")).tz_localize(
                "UTC"
            ),
        }
    )
    return frame, n_students


def timed(book: Gradebook, run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The best CPU and wall times of ``run`` on ``book``, its kept tables dropped each time.

    The ratio uses CPU time: on a machine shared with other work the wall time says more about
    the neighbours than about the diff.
    """
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        book._live.clear()  # results() must compute afresh, as the first call of a session
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        kept = run()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - start)
        del kept  # freed outside the timing, as a caller keeps what it asked for
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_rows", nargs="?", type=float, default=1e7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n_rows = int(args.n_rows)
    started = time.perf_counter()
    frame, n_students = make_frame(n_rows)
    sections = {f"stu{i:07d}": f"section {i % N_SECTIONS:02d}" for i in range(n_students)}
    book = Gradebook.from_frame(
        frame,
        targets=[LearningTarget(id=f"T{i:02d}", title=f"T{i:02d}") for i in range(N_TARGETS)],
        duplicates="keep",  # random times may repeat within a group: count every copy
    )
    del frame
    book.results(policies.MostRecent())  # sorts the rows once, as an earlier call would
    print(
        f"{len(book):,} rows: {n_students:,} students x {N_TARGETS} targets "
        f"(built and sorted in {time.perf_counter() - started:.1f} s); best of {args.repeat}"
    )
    before, after = policies.Mean(), policies.DecayingAverage()
    marzano = AverageCutoffs.marzano_2010()

    def grouped() -> Any:
        diff = book.diff(before, after, marzano, by=sections)
        return diff, diff.by_group, diff.transitions

    base_cpu, base_wall = timed(
        book, lambda: (book.results(before), book.results(after)), args.repeat
    )
    cases = [
        ("diff", lambda: book.diff(before, after)),
        ("diff + letters", lambda: book.diff(before, after, marzano)),
        ("diff + letters + groups", grouped),
    ]
    print("| what | CPU seconds (wall) | ratio to results x2 (CPU) |")
    print("|---|---:|---:|")
    print(f"| results x2 | {base_cpu:.2f} ({base_wall:.2f}) | 1.00 |")
    for label, run in cases:
        cpu, wall = timed(book, run, args.repeat)
        print(f"| {label} | {cpu:.2f} ({wall:.2f}) | {cpu / base_cpu:.2f} |")


if __name__ == "__main__":
    main()
