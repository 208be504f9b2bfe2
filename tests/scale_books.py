"""Evidence as Arrow tables for the stream and Spark tests, and the rows they must agree on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mastery_grading import Evidence, Gradebook, LearningTarget, Policy, policies

START = datetime(2026, 9, 1, tzinfo=UTC)

#: Every built-in policy (defaults) that the vectorized engine computes with a kernel.
KERNEL_POLICIES: tuple[Policy, ...] = tuple(
    policy for policy in policies.available_policies().values() if policies.has_kernel(policy)
)

#: The columns compared row for row.
COMPARED = ("student_id", "target_id", "value", "level", "mastered", "evidence_count", "reason")

ARROW_TYPES: dict[str, Any] = {
    "student_id": pa.string(),
    "target_id": pa.string(),
    "score": pa.float64(),
    "observed_at": pa.timestamp("us", tz="UTC"),
    "kind": pa.string(),
    "weight": pa.float64(),
    "source_id": pa.string(),
    "context": pa.string(),
    "attempt": pa.int64(),
    "independent": pa.bool_(),
}


def evidence_table(items: Sequence[Evidence]) -> pa.Table:
    """The evidence as an Arrow table with every column of ``Gradebook.from_frame``."""
    columns: dict[str, list[Any]] = {name: [] for name in ARROW_TYPES}
    for item in items:
        for name in ARROW_TYPES:
            value = getattr(item, name)
            columns[name].append(value.value if name == "kind" else value)
    return pa.table({name: pa.array(columns[name], ARROW_TYPES[name]) for name in ARROW_TYPES})


def book_rows(
    table: pa.Table,
    targets: Sequence[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    **options: Any,
) -> list[tuple[Any, ...]]:
    """``Gradebook.results`` on the whole table, as sorted tuples of the compared columns."""
    import polars as pl

    book = Gradebook.from_frame(pl.from_arrow(table), targets=targets, duplicates="keep")
    found = book.results(policy, **options).records()
    return sorted(tuple(row[name] for name in COMPARED) for row in found)


def table_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """The compared columns of a results table (Arrow), as sorted tuples."""
    return sorted(tuple(row[name] for name in COMPARED) for row in table.to_pylist())


def write_buckets(table: pa.Table, root: Any, buckets: int) -> None:
    """Write ``table`` as a dataset partitioned by ``bucket=k`` (students by a stable hash)."""
    ids = table.column("student_id").to_pylist()
    chosen = pa.array([sum(map(ord, sid)) % buckets for sid in ids], pa.int64())
    for bucket in range(buckets):
        part = table.filter(pc.equal(chosen, bucket))
        if part.num_rows:
            folder = root / f"bucket={bucket}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, folder / "part-0.parquet")


def fixed_book(rows: int = 100_000, students: int = 1_000) -> tuple[list[LearningTarget], pa.Table]:
    """A fixed book: one target per kernel policy, scores on half steps, times on 20 days.

    Ties in time and in score are common, so row order inside a bucket (which Spark's shuffle
    changes) would show if any result depended on it.
    """
    import numpy as np

    rng = np.random.default_rng(17)
    targets = [
        LearningTarget(id=f"K{i:02d}", title=type(policy).__name__)
        for i, policy in enumerate(KERNEL_POLICIES)
    ]
    ids = np.array([t.id for t in targets])
    days = rng.integers(0, 20, rows)
    table = pa.table(
        {
            "student_id": pa.array(np.char.add("s", rng.integers(0, students, rows).astype(str))),
            "target_id": pa.array(ids[rng.integers(0, len(targets), rows)]),
            "score": pa.array(rng.integers(0, 9, rows) / 2.0),
            "observed_at": pa.array(
                [START + timedelta(days=int(day)) for day in days], pa.timestamp("us", tz="UTC")
            ),
            "kind": pa.array(np.array(["formative", "summative"])[rng.integers(0, 2, rows)]),
            "independent": pa.array(rng.integers(0, 2, rows) == 1),
        }
    )
    return targets, table


def policy_per_target(targets: Sequence[LearningTarget]) -> dict[str, Policy]:
    """The kernel policies, one per target of :func:`fixed_book`."""
    return {target.id: policy for target, policy in zip(targets, KERNEL_POLICIES, strict=True)}
