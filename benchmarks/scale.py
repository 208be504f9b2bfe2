"""Past one machine: streaming partitioned Parquet, and Spark local[2], on one synthetic dataset.

Run (``make bench`` runs the default, 10^7 rows)::

    .venv/bin/python benchmarks/scale.py --rows 1e7
    .venv/bin/python benchmarks/scale.py --rows 1e8 --skip spark,book   # the streaming target

The dataset: ``rows / 300`` students, 30 targets, 10 pieces of evidence per (student, target),
scores in half steps from 0 to 4, times over a school year, rows in random order within each
bucket, written as Parquet partitioned by ``bucket = student % buckets`` (``bucket=k/``).
Generating it is not timed.

Each measurement runs in its own subprocess, so that its peak memory (``ru_maxrss``) is its own:

- ``stream``: :func:`mastery_grading.stream.results` over the dataset, results written to one
  Parquet file (wall and CPU time, peak memory);
- ``book``: ``Gradebook.from_frame`` of the whole dataset read into memory, then ``results``
  (the same rows, for comparison; 10^8 rows would need about 13 GB);
- ``spark``: a ``local[2]`` session (start-up not timed) reads the dataset; first the bucket
  function alone (:func:`mastery_grading.stream.score_table` on each bucket of
  ``spark.bucketed``, timed inside the function with CPU time: the Arrow table handed over and
  the engine), then the whole job, :func:`mastery_grading.spark.results` written to Spark's
  ``noop`` sink (reading, the shuffle into buckets, the Python workers, the results back).

The machine is shared: each figure is the best of ``--repeat`` runs (default 1 for these long
runs; say so when quoting them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGETS = 30
PER_PAIR = 10
START_US = 1_788_220_800_000_000  # 2026-09-01T00:00:00Z
YEAR_US = 300 * 86_400 * 1_000_000


def targets() -> list[Any]:
    from mastery_grading import LearningTarget

    return [LearningTarget(id=f"T{i:02d}", title=f"Target {i}") for i in range(TARGETS)]


def policy_named(name: str) -> Any:
    from mastery_grading import policies

    return policies.available_policies()[name]


def generate(root: Path, rows: int, buckets: int, seed: int = 17) -> int:
    """Write the dataset; return the number of rows written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    students = max(1, rows // (TARGETS * PER_PAIR))
    rng = np.random.default_rng(seed)
    target_ids = pa.array([f"T{i:02d}" for i in range(TARGETS)])
    written = 0
    for bucket in range(buckets):
        mine = np.arange(bucket, students, buckets)
        if not len(mine):
            continue
        n = len(mine) * TARGETS * PER_PAIR
        order = rng.permutation(n)
        student_index = np.repeat(np.arange(len(mine)), TARGETS * PER_PAIR)[order]
        target_index = np.tile(np.repeat(np.arange(TARGETS), PER_PAIR), len(mine))[order]
        names = pa.array([f"s{k:08d}" for k in mine])
        table = pa.table(
            {
                "student_id": pa.DictionaryArray.from_arrays(
                    pa.array(student_index.astype(np.int32)), names
                ).cast(pa.string()),
                "target_id": pa.DictionaryArray.from_arrays(
                    pa.array(target_index.astype(np.int32)), target_ids
                ).cast(pa.string()),
                "score": pa.array(rng.integers(0, 9, n) / 2.0),
                "observed_at": pa.array(
                    START_US + rng.integers(0, YEAR_US, n), pa.timestamp("us", tz="UTC")
                ),
            }
        )
        folder = root / f"bucket={bucket}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "part-0.parquet", row_group_size=1 << 20)
        written += n
    return written


def _usage(started_wall: float, started_cpu: float) -> dict[str, float]:
    return {
        "wall": time.perf_counter() - started_wall,
        "cpu": time.process_time() - started_cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_stream(data: Path, policy: str, out: Path) -> dict[str, Any]:
    from mastery_grading import stream

    wall, cpu = time.perf_counter(), time.process_time()
    done = stream.results(data, targets(), policy_named(policy), out=out)
    return {"buckets": done.buckets, "students": done.students, **_usage(wall, cpu)}


def child_book(data: Path, policy: str) -> dict[str, Any]:
    import polars as pl
    import pyarrow.parquet as pq

    from mastery_grading import Gradebook

    files = sorted(data.rglob("*.parquet"))
    wall, cpu = time.perf_counter(), time.process_time()
    table = pq.ParquetDataset(files).read(
        columns=["student_id", "target_id", "score", "observed_at"]
    )
    book = Gradebook.from_frame(pl.from_arrow(table), targets=targets())
    found = book.results(policy_named(policy))
    found.to_polars()
    return {"results": len(found), **_usage(wall, cpu)}


def child_spark(data: Path, policy: str, buckets: int) -> dict[str, Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    import warnings

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    import pyarrow as pa
    from pyspark.sql import SparkSession

    from mastery_grading import spark as mg_spark
    from mastery_grading import stream

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", str(buckets))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    chosen, rule = targets(), policy_named(policy)
    sdf = session.read.parquet(str(data))
    rows = sdf.count()

    def timed(table: pa.Table) -> pa.Table:
        wall, cpu = time.perf_counter(), time.process_time()
        scored = stream.score_table(table.drop_columns([mg_spark.BUCKET]), chosen, rule)
        return pa.table(
            {
                "rows": [table.num_rows],
                "results": [scored.num_rows],
                "cpu": [time.process_time() - cpu],
                "wall": [time.perf_counter() - wall],
            }
        )

    schema = "rows bigint, results bigint, cpu double, wall double"
    inside = mg_spark.bucketed(sdf, buckets).applyInArrow(timed, schema).collect()
    wall = time.perf_counter()
    mg_spark.results(sdf, chosen, rule, buckets=buckets).write.format("noop").mode(
        "overwrite"
    ).save()
    job = time.perf_counter() - wall
    session.stop()
    return {
        "rows": rows,
        "buckets": len(inside),
        "inside_rows": sum(r["rows"] for r in inside),
        "inside_cpu": sum(r["cpu"] for r in inside),
        "inside_wall": sum(r["wall"] for r in inside),
        "largest_bucket": max(r["rows"] for r in inside),
        "job_wall": job,
    }


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def best(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return min(runs, key=lambda run: run[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--buckets", type=int, default=32, help="buckets of the dataset")
    parser.add_argument("--spark-buckets", type=int, default=16, help="buckets in Spark")
    parser.add_argument("--policy", default="decaying_average")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip", default="", help="any of stream,book,spark")
    parser.add_argument("--dir", type=Path, default=None, help="keep the dataset here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "stream":
            found = child_stream(Path(rest[0]), rest[1], Path(rest[2]))
        elif kind == "book":
            found = child_book(Path(rest[0]), rest[1])
        else:
            found = child_spark(Path(rest[0]), rest[1], int(rest[2]))
        print(json.dumps(found))
        return

    skip = set(filter(None, args.skip.split(",")))
    root = args.dir or Path(tempfile.mkdtemp(prefix="mg-scale-"))
    data = root / "evidence"
    try:
        if not data.exists():
            started = time.perf_counter()
            rows = generate(data, int(args.rows), args.buckets)
            print(
                f"generated {rows:,} rows in {args.buckets} buckets in "
                f"{time.perf_counter() - started:.0f} s (not timed below)"
            )
        rows = int(args.rows) // (TARGETS * PER_PAIR) * TARGETS * PER_PAIR
        size = sum(p.stat().st_size for p in data.rglob("*.parquet")) / 2**20
        print(
            f"{rows:,} rows, {size:,.0f} MB of Parquet, policy {args.policy}; "
            f"best of {args.repeat} on a shared 2-core machine"
        )
        if "stream" not in skip:
            runs = [
                run_child("stream", str(data), args.policy, str(root / "results.parquet"))
                for _ in range(args.repeat)
            ]
            run = best(runs, "wall")
            print(
                f"stream: {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU, "
                f"peak {run['peak_mb']:,.0f} MB, {run['buckets']} buckets, "
                f"{rows / run['wall'] / 1e6:.2f} M rows/s"
            )
        if "book" not in skip:
            run = best(
                [run_child("book", str(data), args.policy) for _ in range(args.repeat)], "wall"
            )
            print(
                f"Gradebook.results (all in memory, read included): {run['wall']:.1f} s wall, "
                f"{run['cpu']:.1f} s CPU, peak {run['peak_mb']:,.0f} MB, "
                f"{rows / run['wall'] / 1e6:.2f} M rows/s"
            )
        if "spark" not in skip:
            runs = [
                run_child("spark", str(data), args.policy, str(args.spark_buckets))
                for _ in range(args.repeat)
            ]
            run = best(runs, "job_wall")
            per_core = run["inside_rows"] / run["inside_cpu"]
            print(
                f"spark local[2], {run['buckets']} buckets (largest {run['largest_bucket']:,}"
                f" rows): inside the bucket function {run['inside_cpu']:.1f} s CPU "
                f"({run['inside_wall']:.1f} s wall) = {per_core / 1e6:.2f} M rows/s per core; "
                f"whole job {run['job_wall']:.1f} s = {rows / run['job_wall'] / 1e6:.2f} M "
                f"rows/s on 2 cores"
            )
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
