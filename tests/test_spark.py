"""Spark: results and grades of a Spark DataFrame equal the gradebook's, row for row.

Every test shares the one ``local[2]`` session of ``conftest.spark`` and runs as few Spark jobs
as it can (start-up costs 15-30 s, each job a second or more): the fixed 10^5-row book checks
every built-in policy with a kernel in one job, one policy per target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("polars")

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mastery_grading import Gradebook, InvalidValueError, LearningTarget, policies, stream
from mastery_grading.grades import AverageCutoffs
from mastery_grading.testing.strategies import gradebook_evidence
from scale_books import (
    COMPARED,
    KERNEL_POLICIES,
    book_rows,
    evidence_table,
    fixed_book,
    policy_per_target,
    table_rows,
    write_buckets,
)

pytestmark = pytest.mark.slow  # the first Spark test starts the session


def spark_rows(frame: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row[name] for name in COMPARED) for row in frame.collect())


def test_spark_stream_and_book_agree_row_for_row_on_the_fixed_book(
    spark: Any, tmp_path: Path
) -> None:
    """10^5 rows, every built-in policy with a kernel (one per target), in one Spark job."""
    from mastery_grading import spark as mg_spark

    targets, table = fixed_book()
    rule = policy_per_target(targets)
    found = mg_spark.results(spark.createDataFrame(table), targets, rule, duplicates="keep")
    assert mg_spark.RESULTS_DDL == found.schema.simpleString()[len("struct<") : -1].replace(
        ":", " "
    ).replace(",", ", ")
    rows = found.collect()
    write_buckets(table, tmp_path / "evidence", 5)
    done = stream.results(
        tmp_path / "evidence", targets, rule, out=tmp_path / "out.parquet", duplicates="keep"
    )
    expected = book_rows(table, targets, rule)
    assert 1000 * len(KERNEL_POLICIES) == len(expected)
    assert expected == sorted(tuple(row[name] for name in COMPARED) for row in rows)
    assert expected == table_rows(pq.read_table(done.path))
    assert {repr(rule[row["target_id"]]) == row["policy"] for row in rows} == {True}


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    book=gradebook_evidence(max_students=8, max_size=40),
    policy=st.sampled_from(KERNEL_POLICIES),
    buckets=st.integers(1, 5),
)
def test_spark_results_equal_the_books_for_any_book_policy_and_bucket_count(
    spark: Any, book: tuple[list[LearningTarget], list[Any]], policy: Any, buckets: int
) -> None:
    from mastery_grading import spark as mg_spark

    targets, items = book
    table = evidence_table(items)
    frame = spark.createDataFrame(table)
    found = mg_spark.results(frame, targets, policy, buckets=buckets, duplicates="keep")
    assert book_rows(table, targets, policy) == spark_rows(found)


def bad_frame(spark: Any) -> tuple[list[LearningTarget], Any]:
    targets, table = fixed_book(rows=200, students=20)
    scores = table.column("score").to_pylist()
    scores[3] = 9.0  # outside the scale
    return targets, spark.createDataFrame(table.set_column(2, "score", pa.array(scores)))


def test_a_bad_row_fails_the_job_naming_its_student_and_target(spark: Any) -> None:
    from pyspark.errors import PythonException

    from mastery_grading import spark as mg_spark

    targets, frame = bad_frame(spark)
    student, target = frame.collect()[3]["student_id"], frame.collect()[3]["target_id"]
    rule = policy_per_target(targets)
    with pytest.raises(PythonException) as raised:
        mg_spark.results(frame, targets, rule, duplicates="keep").collect()
    expected = (
        f"BulkValidationError: 1 invalid row: student {student!r}, target {target!r}: score=9.0"
    )
    assert expected in str(raised.value)


def test_a_bad_row_comes_back_in_the_errors_column_and_the_rest_is_scored(spark: Any) -> None:
    from mastery_grading import spark as mg_spark

    targets, frame = bad_frame(spark)
    rule = policy_per_target(targets)
    found = mg_spark.results(frame, targets, rule, duplicates="keep", on_error="column")
    assert mg_spark.ERRORS_DDL.endswith(", errors string")
    rows = found.collect()
    bad = [row for row in rows if row["errors"] is not None]
    assert 1 == len(bad)
    assert "score=9.0" in bad[0]["errors"]
    assert (None, 0) == (bad[0]["value"], bad[0]["evidence_count"])
    good = sorted(tuple(r[name] for name in COMPARED) for r in rows if r["errors"] is None)
    kept = pa.Table.from_pylist(
        [r.asDict() for i, r in enumerate(frame.collect()) if i != 3], schema=frame.toArrow().schema
    )
    assert book_rows(kept, targets, rule) == good


def test_grades_equal_the_books_grades(spark: Any) -> None:
    from mastery_grading import spark as mg_spark

    targets, table = fixed_book(rows=2000, students=50)
    converter = AverageCutoffs.marzano_2010()
    frame = spark.createDataFrame(table)
    found = mg_spark.grades(frame, targets, policies.Mean(), converter, duplicates="keep")
    import polars as pl

    book = Gradebook.from_frame(pl.from_arrow(table), targets=targets, duplicates="keep")
    expected = sorted(
        (r["student_id"], r["letter"], r["reason"])
        for r in book.grades(converter, policy=policies.Mean()).records()
    )
    assert expected == sorted(tuple(row) for row in found.collect())


def test_without_apply_in_arrow_the_pandas_fallback_gives_the_same_rows(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark.sql.pandas.group_ops import PandasGroupedOpsMixin

    from mastery_grading import spark as mg_spark

    targets, table = fixed_book(rows=3000, students=60)
    rule = policy_per_target(targets)
    monkeypatch.delattr(PandasGroupedOpsMixin, "applyInArrow")
    found = mg_spark.results(spark.createDataFrame(table), targets, rule, duplicates="keep")
    assert book_rows(table, targets, rule) == spark_rows(found)


def test_bad_arguments_are_refused_on_the_driver_before_any_job(spark: Any) -> None:
    from mastery_grading import spark as mg_spark

    targets, table = fixed_book(rows=10, students=2)
    frame = spark.createDataFrame(table)
    with pytest.raises(InvalidValueError, match="buckets=0 is not a positive int"):
        mg_spark.results(frame, targets, policies.Mean(), buckets=0)
    with pytest.raises(InvalidValueError, match="lacks \\['score'\\]"):
        mg_spark.results(frame.drop("score"), targets, policies.Mean())
    with pytest.raises(InvalidValueError, match="has no policy for the targets"):
        mg_spark.results(frame, targets, {targets[0].id: policies.Mean()})
    with pytest.raises(InvalidValueError, match="on_error='skip' is not an option"):
        mg_spark.results(frame, targets, policies.Mean(), on_error="skip")  # type: ignore[arg-type]
