"""Streaming: a Parquet dataset scored one bucket of whole students at a time, as one book."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("polars")

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from mastery_grading import (
    BulkValidationError,
    InvalidValueError,
    LearningTarget,
    MissingScoreWarning,
    policies,
    stream,
)
from mastery_grading.testing.strategies import gradebook_evidence
from scale_books import (
    KERNEL_POLICIES,
    START,
    book_rows,
    evidence_table,
    fixed_book,
    policy_per_target,
    table_rows,
    write_buckets,
)

TARGETS = [LearningTarget(id="T", title="Ratios"), LearningTarget(id="U", title="Rates")]


def rows_of(**columns: Any) -> pa.Table:
    n = len(columns["student_id"])
    times = [START + timedelta(days=day) for day in columns.pop("days", range(n))]
    return pa.table({**columns, "observed_at": pa.array(times, pa.timestamp("us", tz="UTC"))})


def test_score_table_gives_the_book_results_with_the_policy_of_each_row() -> None:
    table = rows_of(
        student_id=["ben", "ana", "ana"], target_id=["T", "T", "U"], score=[3.0, 2.0, 4.0]
    )
    out = stream.score_table(table, TARGETS, {"T": policies.Mean(), "U": policies.MostRecent()})
    assert stream.result_schema() == out.schema
    assert [
        ("ana", "T", 2.0, "approaching", False, 1, None, "Mean(weighted=True)"),
        ("ana", "U", 4.0, "exceeds", True, 1, None, "MostRecent()"),
        ("ben", "T", 3.0, "meets", True, 1, None, "Mean(weighted=True)"),
        ("ben", "U", None, None, False, 0, "no evidence", "MostRecent()"),
    ] == [tuple(row.values()) for row in out.to_pylist()]


def test_score_table_of_no_rows_has_the_schema_and_no_row() -> None:
    table = rows_of(
        student_id=pa.array([], pa.string()),
        target_id=pa.array([], pa.string()),
        score=pa.array([], pa.float64()),
    )
    out = stream.score_table(table, TARGETS, policies.Mean(), on_error="column")
    assert (stream.result_schema(on_error="column"), 0) == (out.schema, out.num_rows)


def test_bad_rows_raise_named_by_student_and_target_or_come_back_in_the_errors_column() -> None:
    table = rows_of(
        student_id=["ana", "ana", "ben", "cy"],
        target_id=["T", "T", "X", "U"],
        score=[2.0, 9.0, 1.0, 3.0],
    )
    with pytest.raises(BulkValidationError) as raised:
        stream.score_table(table, TARGETS, policies.Mean())
    assert [None, None] == [problem.row for problem in raised.value.problems]
    assert str(raised.value).startswith("2 invalid rows: student 'ana', target 'T': score=9.0")
    assert "student 'ben', target 'X': target_id='X' is not a target" in str(raised.value)

    out = stream.score_table(table, TARGETS, policies.Mean(), on_error="column").to_pylist()
    good = [(r["student_id"], r["target_id"], r["value"]) for r in out if r["errors"] is None]
    assert [("ana", "T", 2.0), ("ana", "U", None), ("cy", "T", None), ("cy", "U", 3.0)] == good
    bad = [r for r in out if r["errors"] is not None]
    assert [("ana", "T"), ("ben", "X")] == [(r["student_id"], r["target_id"]) for r in bad]
    assert {(None, None, False, 0, None)} == {
        (r["value"], r["level"], r["mastered"], r["evidence_count"], r["policy"]) for r in bad
    }
    assert "lies outside the scale [0.0, 4.0]" in bad[0]["errors"]


def test_an_unknown_on_error_option_is_refused_naming_it() -> None:
    with pytest.raises(InvalidValueError, match="on_error='drop' is not an option"):
        stream.result_schema(on_error="drop")  # type: ignore[arg-type]


def test_buckets_are_directories_or_else_files_and_hidden_files_are_left_out(
    tmp_path: Path,
) -> None:
    for name in ("b.parquet", "a.parquet", "_SUCCESS.parquet", ".a.parquet.crc"):
        (tmp_path / name).write_bytes(b"")
    assert [[tmp_path / "a.parquet"], [tmp_path / "b.parquet"]] == stream.buckets_of(tmp_path)
    assert [[tmp_path / "b.parquet"]] == stream.buckets_of(tmp_path / "b.parquet")
    with pytest.raises(InvalidValueError, match="does not exist"):
        stream.buckets_of(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidValueError, match=r"holds no \.parquet file"):
        stream.buckets_of(tmp_path / "empty")


def test_a_student_split_across_buckets_is_refused_naming_the_student_and_both_files(
    tmp_path: Path,
) -> None:
    for bucket, student in enumerate(["ana", "ana"]):
        (tmp_path / f"bucket={bucket}").mkdir()
        part = rows_of(student_id=[student], target_id=["T"], score=[2.0])
        pq.write_table(part, tmp_path / f"bucket={bucket}" / "part-0.parquet")
    out = tmp_path / "results.parquet"
    with pytest.raises(InvalidValueError) as raised:
        stream.results(tmp_path, TARGETS, policies.Mean(), out=out)
    message = str(raised.value)
    assert message.startswith("student_id='ana' is in two buckets: ")
    assert str(tmp_path / "bucket=0" / "part-0.parquet") in message
    assert str(tmp_path / "bucket=1" / "part-0.parquet") in message
    assert [] == sorted(p.name for p in tmp_path.iterdir() if p.is_file())  # no partial output


def test_streaming_the_fixed_book_gives_the_book_results_row_for_row(tmp_path: Path) -> None:
    """Every built-in policy with a kernel, one per target, over 10^5 rows in 7 buckets."""
    targets, table = fixed_book()
    rule = policy_per_target(targets)
    write_buckets(table, tmp_path / "evidence", 7)
    done = stream.results(
        tmp_path / "evidence", targets, rule, out=tmp_path / "out.parquet", duplicates="keep"
    )
    written = pq.read_table(done.path)
    assert (7, 1000, 1000 * len(KERNEL_POLICIES)) == (done.buckets, done.students, done.rows)
    assert 7 == pq.ParquetFile(done.path).metadata.num_row_groups
    assert book_rows(table, targets, rule) == table_rows(written)
    pairs = zip(written["target_id"].to_pylist(), written["policy"].to_pylist(), strict=True)
    names = dict(pairs)
    assert {t.id: repr(rule[t.id]) for t in targets} == names


@settings(max_examples=25, deadline=None)
@given(
    book=gradebook_evidence(max_students=6, max_size=40),
    policy=st.sampled_from(KERNEL_POLICIES),
    buckets=st.integers(1, 4),
)
def test_streamed_results_equal_the_books_whatever_the_bucketing(
    tmp_path_factory: pytest.TempPathFactory,
    book: tuple[list[LearningTarget], list[Any]],
    policy: Any,
    buckets: int,
) -> None:
    targets, items = book
    table = evidence_table(items)
    root = tmp_path_factory.mktemp("stream")
    if not items:
        pq.write_table(table, root / "only.parquet")
    write_buckets(table, root / "evidence", buckets)
    source = root / "evidence" if items else root / "only.parquet"
    done = stream.results(source, targets, policy, out=root / "out.parquet", duplicates="keep")
    assert book_rows(table, targets, policy) == table_rows(pq.read_table(done.path))


def test_grade_table_gives_the_books_letters_and_names_bad_rows_by_student() -> None:
    from mastery_grading import Gradebook
    from mastery_grading.grades import RuleSet

    table = rows_of(
        student_id=["ana", "ana", "ben"], target_id=["T", "U", "T"], score=[3.5, 2.0, 4.0]
    )
    converter = RuleSet.sbgrader2()
    out = stream.grade_table(table, TARGETS, policies.Mean(), converter)
    import polars as pl

    book = Gradebook.from_frame(pl.from_arrow(table), targets=TARGETS)
    graded = book.grades(converter, policy=policies.Mean(), on_gap="ignore").records()
    expected = [(r["student_id"], r["letter"], r["reason"]) for r in graded]
    assert expected == [tuple(row.values()) for row in out.to_pylist()]
    with pytest.raises(BulkValidationError, match=r"student 'ben', target 'T': score=7\.0"):
        stream.grade_table(
            table.set_column(2, "score", pa.array([3.5, 2.0, 7.0])),
            TARGETS,
            policies.Mean(),
            converter,
        )


def test_a_bad_row_of_a_dataset_is_named_by_its_file_and_row_and_text_rules_are_those_of_frames(
    tmp_path: Path,
) -> None:
    # times written as text, as a Parquet export may hold them: one without an offset
    def part(students: list[str], times: list[str], scores: list[float | None]) -> pa.Table:
        return pa.table(
            {
                "student_id": students,
                "target_id": ["T"] * len(students),
                "score": pa.array(scores, pa.float64()),
                "observed_at": times,
            }
        )

    pq.write_table(part(["ana"], ["2026-10-01T09:00:00+02:00"], [3.0]), tmp_path / "p0.parquet")
    pq.write_table(
        part(["ben", "cy"], ["2026-10-02T09:00:00Z", "2026-10-03"], [None, 2.0]),
        tmp_path / "p1.parquet",
    )
    out = tmp_path / "out" / "results.parquet"
    out.parent.mkdir()
    with pytest.raises(BulkValidationError) as caught:
        stream.results(tmp_path, TARGETS, policies.Mean(), out=out)
    (problem,) = caught.value.problems
    assert problem.message.startswith(f"{tmp_path / 'p1.parquet'}: row 1 (student 'cy', target")
    assert "'2026-10-03' has no UTC offset" in problem.message
    assert not out.exists()
    with pytest.raises(BulkValidationError, match="missing_scores='error'"):
        stream.results(
            tmp_path, TARGETS, policies.Mean(), out=out, missing_scores="error", assume_tz=UTC
        )
    with pytest.warns(MissingScoreWarning, match="1 row"):
        summary = stream.results(tmp_path, TARGETS, policies.Mean(), out=out, assume_tz=UTC)
    rows = pq.read_table(out).to_pylist()
    assert 4 == summary.rows  # ben's one row had no score: skipped, as from a frame
    assert {"ana", "cy"} == {r["student_id"] for r in rows}
    assert [("ana", "T", 3.0), ("cy", "T", 2.0)] == [
        (r["student_id"], r["target_id"], r["value"]) for r in rows if r["target_id"] == "T"
    ]
