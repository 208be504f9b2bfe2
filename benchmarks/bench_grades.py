"""Time Gradebook.grades: the GradeTable (letters from the columns) against grade() per student.

Run: ``PYTHONPATH=src python benchmarks/bench_grades.py [n_students]`` (default 100000, 10
targets, 3 pieces of evidence per target on a half-point grid). The per-student path (what
``grades`` did before: one ``TargetResult`` per row, then ``grade()`` per student) is timed on
a tenth of the students and scaled up, since it is linear in the students.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from mastery_grading import Gradebook, LearningTarget, policies
from mastery_grading.grades import AverageCutoffs, RuleSet, grade


def make_book(n_students: int, n_targets: int = 10, per_target: int = 3) -> Gradebook:
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
            + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        }
    )
    return Gradebook.from_frame(
        frame, targets=[LearningTarget(id=f"T{t}", title=f"T{t}") for t in range(n_targets)]
    )


def per_student(book: Gradebook, policy: Any, converter: Any) -> dict[str, Any]:
    """The old path: every row as a TargetResult, then grade() per student."""
    return {s: grade(rs, converter) for s, rs in book.results(policy).by_student().items()}


def timed(label: str, run: Any, scale: float = 1.0) -> float:
    start = time.perf_counter()
    run()
    seconds = (time.perf_counter() - start) * scale
    print(f"  {label:<44} {seconds:8.2f} s")
    return seconds


def main() -> None:
    n_students = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    book = make_book(n_students)
    small = make_book(max(1, n_students // 10))
    book.results(policies.Mean())  # sort once (shared by every call below)
    small.results(policies.Mean())
    print(f"{n_students} students x 10 targets, {len(book)} pieces of evidence")
    cases = [
        ("AverageCutoffs.marzano_2010(), Mean()", AverageCutoffs.marzano_2010(), policies.Mean()),
        ("RuleSet.sbgrader2(), Mean()", RuleSet.sbgrader2(), policies.Mean()),
        ("RuleSet.sbgrader2(), MostRecent()", RuleSet.sbgrader2(), policies.MostRecent()),
    ]
    for label, converter, policy in cases:
        print(label)
        timed("results only", lambda p=policy: book.results(p))
        made: list[Any] = []
        after = timed(
            "grades() -> GradeTable",
            lambda c=converter, p=policy, m=made: m.append(book.grades(c, policy=p)),
        )
        timed("GradeTable.to_pandas()", made[0].to_pandas)
        before = timed(
            "before: grade() per student (x10 from 1/10)",
            lambda c=converter, p=policy: per_student(small, p, c),
            scale=n_students / max(1, n_students // 10),
        )
        print(f"  {'speed-up':<44} {before / after:8.1f} x")


if __name__ == "__main__":
    main()
