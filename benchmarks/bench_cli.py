"""Benchmark ``mastery-grading score`` end to end on a generated evidence CSV file.

Writes an evidence CSV of ``students x targets x pieces`` rows (default 20,000 x 10 x 5 = 10^6)
into a temporary folder (never into the repository), then:

1. times ``python -m mastery_grading score FILE --policy mean -o OUT`` in a subprocess, end to
   end, and prints rows per second;
2. times the same three steps in process (reading with ``mastery_grading.io.read_evidence``,
   by columns when pyarrow and pandas are installed; scoring with ``results_table``; writing
   with ``results_csv_text``) and prints each one's share;
3. times the row reader (``read_evidence_csv``, one validated ``Evidence`` per row: what
   ``read_evidence`` falls back to for a file it cannot read by columns) on the same file;
4. shows that the vectorized engine was used: the same scoring step with ``engine="numpy"``
   and ``engine="python"`` on a file of ``--compare-rows`` rows (default 10^5).

5. with ``--parquet``: times ``score`` on the same rows as a Parquet file whose ``observed_at``
   is text (as a tool that writes times as strings exports them), end to end, and reading it.

The file's times are those of a few thousand quiz sittings (``minutes=student % 600`` after
each weekly quiz): 3,000 distinct timestamps. ``--distinct-times`` gives every row its own
second instead, as in files exported from a system that stamps each submission.

Run: ``python benchmarks/bench_cli.py [--students N] [--targets N] [--pieces N]
[--distinct-times] [--parquet]``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mastery_grading import io as mio
from mastery_grading.policies import Mean


def write_evidence(
    path: Path, students: int, targets: int, pieces: int, seed: int = 13, *, distinct: bool = False
) -> int:
    """Write a plain evidence CSV file and return its number of rows (each with its own time
    if ``distinct``)."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("student_id,target_id,score,observed_at\n")
        for s in range(students):
            for t in range(targets):
                for p in range(pieces):
                    when = start + timedelta(days=7 * p, minutes=s % 600)
                    stamp = (when + timedelta(seconds=rows) if distinct else when).isoformat()
                    score = rng.choice((0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0))
                    handle.write(f"s{s:06d},T{t:02d},{score},{stamp}\n")
                    rows += 1
    return rows


def time_score(evidence: Path, out: Path, env: dict[str, str]) -> float:
    """Seconds of ``python -m mastery_grading score EVIDENCE --policy mean -q -o OUT``."""
    command = [sys.executable, "-m", "mastery_grading", "score", str(evidence)]
    command += ["--policy", "mean", "-q", "-o", str(out)]
    began = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    return time.perf_counter() - began


def time_parquet(evidence: Path, parquet: Path, n: int, env: dict[str, str]) -> None:
    """Write ``evidence`` as a Parquet file of text columns, then time ``score`` and the read."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    names = ["student_id", "target_id", "score", "observed_at"]
    table = pacsv.read_csv(
        evidence,
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    pq.write_table(table.set_column(2, "score", table.column("score").cast(pa.float64())), parquet)
    total = time_score(parquet, parquet.with_suffix(".out.csv"), env)
    print(f"mastery-grading score (Parquet, text times): {n:,} rows in {total:.1f} s")
    began = time.perf_counter()
    found = mio.read_evidence(parquet)
    read = time.perf_counter() - began
    print(f"  of which read_evidence: {read:.1f} s ({len(found.scoring_input()):,} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--pieces", type=int, default=5)
    parser.add_argument("--compare-rows", type=int, default=100_000)
    parser.add_argument("--distinct-times", action="store_true", help="a time of its own per row")
    parser.add_argument("--parquet", action="store_true", help="also a Parquet file, times as text")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        evidence = Path(folder) / "evidence.csv"
        n = write_evidence(
            evidence,
            options.students,
            options.targets,
            options.pieces,
            distinct=options.distinct_times,
        )
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        total = time_score(evidence, Path(folder) / "results.csv", env)
        print(f"mastery-grading score: {n:,} rows in {total:.1f} s ({n / total:,.0f} rows/s)")

        began = time.perf_counter()
        found = mio.read_evidence(evidence)
        read = time.perf_counter() - began
        began = time.perf_counter()
        table = mio.results_table(found.scoring_input(), found.targets, Mean())
        score = time.perf_counter() - began
        began = time.perf_counter()
        text = mio.results_csv_text(table)
        write = time.perf_counter() - began
        steps = read + score + write
        how = "by columns" if found.columns is not None else "by rows"
        print(
            f"in process: read {read:.1f} s ({how}, {read / steps:.0%}), score {score:.1f} s "
            f"({score / steps:.0%}), write {write:.1f} s ({write / steps:.0%}); "
            f"{len(table):,} results, {len(text):,} characters"
        )
        del found, table, text

        if options.parquet:
            time_parquet(evidence, Path(folder) / "evidence.parquet", n, env)

        began = time.perf_counter()
        rows = mio.read_evidence_csv(evidence)
        took = time.perf_counter() - began
        print(f"row reader (read_evidence_csv): {len(rows.evidence):,} rows in {took:.1f} s")
        del rows

        small = Path(folder) / "small.csv"
        students = max(options.compare_rows // (options.targets * options.pieces), 1)
        write_evidence(small, students, options.targets, options.pieces)
        part = mio.read_evidence_csv(small).evidence
        targets = mio.read_evidence(small).targets
        for engine in ("numpy", "python"):
            began = time.perf_counter()
            mio.results_table(part, targets, Mean(), engine=engine)
            took = time.perf_counter() - began
            print(f"scoring {len(part):,} rows with engine={engine!r}: {took:.2f} s")


if __name__ == "__main__":
    main()
