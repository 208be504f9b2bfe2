"""Time a live gradebook: add() then results(), per added piece, on a 10^6-row book.

Run: ``PYTHONPATH=src python benchmarks/bench_live.py [n_students] [--freeze]`` (default 10000
students, 10 targets, 10 pieces of evidence per (student, target): 10^6 rows, 10^5 groups;
``--freeze`` calls ``gc.freeze()`` once the book is loaded, as a long-lived service may, to see
what the cyclic garbage collector's full passes cost). The book is
built from a DataFrame and scored once by the engine; then pieces of evidence, later than
every earlier one, are added in batches of 1, 100 and 10,000, each batch followed by
``results(policy)``. Each figure is the time of add() + results() divided by the pieces added,
the best of three rounds on fresh groups: this shared 2-core machine's speed varies by half
from minute to minute (the calibration loop printed first shows how fast it is at the time).
Two tables: with the default duplicate check, and with ``duplicates="keep"``.

Two cases per batch size: **cold**, every piece on a group not touched since the table was
computed (its running totals are first folded from the group's ~10 earlier rows, read as floats
from the engine's columns), and **warm**, every piece on a group already touched (one O(1)
update). Tables are copy-on-write: each results() call shares the columns of the table before
and appends the changed rows to a shared log under a new version, folded into new columns once
it holds an eighth of the rows, so tables handed out earlier never change. Every policy's
pieces are later than all the evidence added before (one clock runs on across policies), so
none repeats an earlier piece.
"""

from __future__ import annotations

import gc
import sys
import time
import timeit
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import Evidence, Gradebook, LearningTarget, policies

N_TARGETS, PER_GROUP = 10, 10
REPEATS = 3  # rounds per cell, each on fresh groups; the best is shown (as timeit does)
INCREMENTAL = [
    policies.Mean(),
    policies.MostRecent(),
    policies.DecayingAverage(),
    policies.Highest(),
    policies.NTimes(n=3),
    policies.WeightedAverage(),
]


def make_book(n_students: int) -> Gradebook:
    rng = np.random.default_rng(14)
    n = n_students * N_TARGETS * PER_GROUP
    students = np.repeat(np.arange(n_students), N_TARGETS * PER_GROUP)
    targets = np.tile(np.repeat(np.arange(N_TARGETS), PER_GROUP), n_students)
    frame = pd.DataFrame(
        {
            "student_id": pd.Series(students).map(lambda i: f"s{i:06d}"),
            "target_id": pd.Series(targets).map(lambda t: f"T{t}"),
            "score": rng.integers(0, 9, n) / 2,
            "observed_at": pd.Timestamp("2026-09-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        }
    )
    return Gradebook.from_frame(  # random times repeat within a group: count every copy
        frame,
        targets=[LearningTarget(id=f"T{t}", title=f"T{t}") for t in range(N_TARGETS)],
        duplicates="keep",
    )


class Pieces:
    """Evidence later than every earlier piece, on groups in a fixed random order."""

    def __init__(self, n_students: int, clock: datetime) -> None:
        self.rng = np.random.default_rng(15)
        self.groups = self.rng.permutation(n_students * N_TARGETS).tolist()
        self.next_group = 0
        self.clock = clock  # after every piece added so far (also for earlier policies)

    def take(self, n: int, *, warm_from: list[int] | None = None) -> list[Evidence]:
        """``n`` pieces on fresh groups, or on the groups of ``warm_from`` again."""
        if warm_from is None:
            groups = self.groups[self.next_group : self.next_group + n]
            self.next_group += n
        else:
            groups = warm_from[:n]
        # a fresh score for each piece, as in a class: a group whose pieces all had the same
        # score would converge onto a level threshold, where the exact rule decides (slower)
        scores = (self.rng.integers(0, 9, len(groups)) / 2).tolist()
        out = []
        for g, score in zip(groups, scores, strict=True):
            self.clock += timedelta(seconds=1)
            out.append(
                Evidence(
                    student_id=f"s{g // N_TARGETS:06d}",
                    target_id=f"T{g % N_TARGETS}",
                    score=score,
                    observed_at=self.clock,
                )
            )
        return out


class CollectorClock:
    """The wall time the cyclic garbage collector spends in its passes (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._started


COLLECTOR = CollectorClock()


def per_piece(
    book: Gradebook, policy: Any, batches: list[list[Evidence]], duplicates: Any
) -> tuple[float, float, float]:
    """Microseconds per piece of add(batch) + results(policy): CPU, wall and collector time."""
    start, cpu, collected = time.perf_counter(), time.process_time(), COLLECTOR.total
    for batch in batches:
        book.add(batch, duplicates=duplicates)
        book.results(policy)
    pieces = sum(len(batch) for batch in batches)
    wall = (time.perf_counter() - start) / pieces * 1e6
    in_gc = (COLLECTOR.total - collected) / pieces * 1e6
    return (time.process_time() - cpu) / pieces * 1e6, wall, in_gc


def calibration() -> float:
    """Microseconds of a fixed pure-Python loop (best of 5): how fast the machine is now."""
    loop = "total = 0\nfor i in range(1000):\n    total += i"
    return min(timeit.repeat(loop, number=2000, repeat=5)) / 2000 * 1e6


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n_students = int(args[0]) if args else 10_000
    started = time.perf_counter()
    book = make_book(n_students)
    if "--freeze" in sys.argv:  # what a long-lived service may do once it has loaded
        gc.freeze()
        print("gc.freeze() after loading: the collector no longer scans what is loaded")
    print(
        f"{len(book):,} rows: {n_students:,} students x {N_TARGETS} targets x {PER_GROUP} "
        f"(built in {time.perf_counter() - started:.1f} s); a 1000-step Python loop takes "
        f"{calibration():.1f} us on this machine now"
    )
    plan = [(1, 1000), (100, 20), (10_000, 1)]  # (batch size, batches)
    clock = datetime(2027, 1, 1, tzinfo=UTC)
    for duplicates in ("error", "keep"):
        print(
            f"\nmicroseconds per added piece, add(duplicates={duplicates!r}) + results(): "
            f"best of {REPEATS} rounds, CPU time (wall time; of it, in the garbage collector)"
        )
        header = "| policy | first table (s) |"
        header += "".join(f" batch {size:,} cold | batch {size:,} warm |" for size, _ in plan)
        print(header)
        print("|---|" + "---:|" * (1 + 2 * len(plan)))
        for policy in INCREMENTAL:
            pieces = Pieces(n_students, clock)
            start = time.perf_counter()
            book.results(policy)
            first = time.perf_counter() - start
            best: list[tuple[float, float, float]] = []
            for _ in range(REPEATS):
                cells = []
                for size, count in plan:
                    cold = [pieces.take(size) for _ in range(count)]
                    touched = pieces.groups[pieces.next_group - size * count : pieces.next_group]
                    warm = [pieces.take(size, warm_from=touched[i * size :]) for i in range(count)]
                    cells.append(per_piece(book, policy, cold, duplicates))
                    cells.append(per_piece(book, policy, warm, duplicates))
                best = cells if not best else [min(a, b) for a, b in zip(best, cells, strict=True)]
            clock = pieces.clock
            shown = " | ".join(
                f"{cpu:.1f} ({wall:.1f}; gc {in_gc:.1f})" for cpu, wall, in_gc in best
            )
            print(f"| {policy!r} | {first:.2f} | {shown} |")
    print(
        "\ncold: each piece on a group first touched since the table (its totals are folded "
        "from the group's earlier rows); warm: on a group already touched (one O(1) update).\n"
        "Each results() call shares the earlier table's columns and logs the changed rows. "
        "duplicates='error' (the default) checks each piece against its group's rows first."
    )


if __name__ == "__main__":
    main()
