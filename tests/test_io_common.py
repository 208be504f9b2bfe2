"""Safe output and shared reading machinery of mastery_grading.io."""

from __future__ import annotations

import csv
import io
import math
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import Evidence
from mastery_grading.exceptions import BulkValidationError, DataFileError, InvalidValueError
from mastery_grading.io import (
    MAX_PROBLEMS,
    atomic_writer,
    csv_text,
    evidence_csv_text,
    neutralize,
    read_evidence_csv,
)

#: A number as the readers accept it (``mastery_grading.io.read_evidence_csv`` scores).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+SUM(A1)", "-A1", "@cmd", "\tfoo", "\rfoo", '=HYPERLINK("http://x")', "-"],
)
def test_text_cells_that_start_a_formula_get_a_leading_quote(cell: str) -> None:
    assert "'" + cell == neutralize(cell)


@pytest.mark.parametrize("cell", ["-1.5", "+3", "-0", "1e-3", "-2.5E+2", ".5"])
def test_genuine_numbers_stay_numbers(cell: str) -> None:
    assert cell == neutralize(cell)


def test_float_cells_are_written_as_numbers_even_when_negative() -> None:
    assert "-1.5" == neutralize(-1.5)
    assert "3" == neutralize(3)
    assert "" == neutralize(None)
    assert "true" == neutralize(True)


@given(st.text().filter(lambda s: "\x00" not in s))
def test_no_written_text_cell_starts_a_formula_unless_it_is_a_number(text: str) -> None:
    out = neutralize(text)
    if out[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        assert NUMBER.fullmatch(out)
        assert math.isfinite(float(out))


@given(
    st.lists(
        st.lists(st.text(max_size=8).filter(lambda s: "\x00" not in s), min_size=2, max_size=2),
        max_size=5,
    )
)
def test_csv_text_reads_back_cell_for_cell_after_removing_the_quote(
    rows: list[list[str]],
) -> None:
    text = csv_text(["a", "b"], rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert ["a", "b"] == back[0]
    for written, read in zip(rows, back[1:], strict=True):
        assert [neutralize(cell) for cell in written] == read


def test_atomic_write_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, "new")
    assert "new" == target.read_text(encoding="utf-8")
    assert ["out.csv"] == sorted(p.name for p in tmp_path.iterdir())


def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def write_half() -> None:
        with atomic_writer(target) as handle:
            handle.write("half of the ")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_half()
    assert "old" == target.read_text(encoding="utf-8")
    assert ["out.csv"] == sorted(p.name for p in tmp_path.iterdir())


def test_atomic_write_keeps_the_mode_of_the_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_text_atomic(target, "new")
    assert 0o640 == target.stat().st_mode & 0o777


def test_data_file_error_is_a_bulk_validation_error_naming_file_line_and_column() -> None:
    error = DataFileError([("a.csv", 3, 2, "bad score"), ("a.csv", None, None, "is empty")])
    assert isinstance(error, BulkValidationError)
    assert isinstance(error, ValueError)
    assert "2 problems in input:\na.csv:3:2: bad score\na.csv: is empty" == str(error)
    assert ("a.csv", 3, 2, "bad score") == (
        error.problems[0].source,
        error.problems[0].line,
        error.problems[0].column,
        error.problems[0].message,
    )
    assert "a.csv:3:2: bad score" == str(error.problems[0])


def test_every_problem_of_a_file_is_collected_before_failing() -> None:
    text = "student_id,target_id,score,observed_at\n"
    text += "s1,T,abc,2026-10-01T00:00:00Z\n"
    text += "s1,T,2.0,yesterday\n"
    text += ",T,2.0,2026-10-01T00:00:00Z\n"
    with pytest.raises(DataFileError) as caught:
        read_evidence_csv(io.StringIO(text))
    assert [(2, 3), (3, 4), (4, 1)] == [(line, col) for _, line, col, _ in caught.value.locations]


def test_reading_stops_at_the_problem_limit_and_says_so() -> None:
    text = "student_id,target_id,score,observed_at\n"
    text += "s1,T,abc,2026-10-01T00:00:00Z\n" * (MAX_PROBLEMS + 50)
    with pytest.raises(DataFileError) as caught:
        read_evidence_csv(io.StringIO(text))
    assert MAX_PROBLEMS == len(caught.value.locations)
    assert caught.value.truncated
    assert "stopped after" in str(caught.value)


def test_an_unreadable_file_is_a_data_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataFileError, match=r"nope\.csv: cannot be read"):
        read_evidence_csv(missing)


def test_invalid_utf8_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"student_id,target_id,score,observed_at\ns\xe9,T,2.0,2026-10-01T00:00:00Z\n")
    with pytest.raises(DataFileError) as caught:
        read_evidence_csv(path)
    assert (os.fspath(path), 2, 2) == caught.value.locations[0][:3]


def test_line_numbers_count_physical_lines_across_quoted_newlines() -> None:
    text = (
        "student_id,target_id,score,observed_at,source_id\n"
        's1,T,2.0,2026-10-01T00:00:00Z,"two\nline source"\n'
        "s1,T,bad,2026-10-01T00:00:00Z,x\n"
    )
    with pytest.raises(DataFileError) as caught:
        read_evidence_csv(io.StringIO(text))
    assert (4, 3) == caught.value.locations[0][1:3]


def test_nul_bytes_and_stray_quotes_are_data_errors_not_crashes() -> None:
    text = 'student_id,target_id,score,observed_at\ns1\x00,T,1,2026-10-01T00:00:00Z\n"s2,T\n'
    with pytest.raises(DataFileError):
        read_evidence_csv(io.StringIO(text))


def test_a_row_longer_than_the_header_is_a_problem_unless_the_extra_cells_are_blank() -> None:
    text = (
        "student_id,target_id,score,observed_at\n"
        "s1,T,1.0,2026-10-01T00:00:00Z,,\n"
        "s1,T,1.0,2026-10-02T00:00:00Z,surprise\n"
    )
    with pytest.raises(DataFileError) as caught:
        read_evidence_csv(io.StringIO(text))
    assert [(3, 5)] == [loc[1:3] for loc in caught.value.locations]


def test_utf16_spreadsheet_exports_are_read(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    text = "student_id,target_id,score,observed_at\nzoë,T,2.0,2026-10-01T00:00:00Z\n"
    path.write_bytes(text.encode("utf-16"))
    assert "zoë" == read_evidence_csv(path).evidence[0].student_id


def test_a_genuine_leading_quote_survives_the_round_trip() -> None:
    assert "''=x" == neutralize("'=x")
    e = Evidence(student_id="'=x", target_id="=T", score=1.0, observed_at=datetime.now(UTC))
    assert (e,) == read_evidence_csv(io.StringIO(evidence_csv_text([e]))).evidence


def test_writing_refuses_nul_characters() -> None:
    with pytest.raises(InvalidValueError, match="NUL"):
        neutralize("a\x00b")
