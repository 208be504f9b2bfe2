"""One rule for missing values and for text, the same on every input path (issue 14, problem 3).

A blank or NaN score is missing evidence: skipped and counted in one warning per file or frame,
or refused with ``missing_scores="error"``. ISO 8601 text with an offset is a time everywhere;
without one it needs ``assume_tz``. A decimal comma is an error unless ``decimal=","``. Ids are
kept as written; ``strip_ids=True`` trims them. Each path is tried from the user's side: the
command, the file readers, ``Gradebook.from_records`` and ``Gradebook.from_frame`` (pandas,
polars, Arrow-backed pandas).
"""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import mastery_grading.io as mio
from mastery_grading import (
    BulkValidationError,
    Gradebook,
    LearningTarget,
    MissingScoreWarning,
    policies,
)
from mastery_grading.cli import main
from mastery_grading.exceptions import DataFileError, InvalidValueError

HEADER = "student_id,target_id,score,observed_at"
TARGETS = [LearningTarget(id="LE.1", title="Linear equations")]
WHEN = "2026-10-01T09:00:00+02:00"
MOMENT = datetime(2026, 10, 1, 7, tzinfo=UTC)


def _write(tmp_path: Path, text: str, name: str = "evidence.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _cli(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _frame_libraries() -> list[Any]:
    return [
        pytest.param("pandas", id="pandas"),
        pytest.param("pandas-arrow", id="pandas-arrow"),
        pytest.param("polars", id="polars"),
    ]


def _frame(library: str, data: dict[str, list[Any]]) -> Any:
    if library == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(data, strict=False)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(data)
    if library == "pandas-arrow":
        pytest.importorskip("pyarrow")
        frame = frame.convert_dtypes(dtype_backend="pyarrow")
    return frame


def _records(book: Gradebook) -> list[tuple[str, str, float, datetime]]:
    return sorted((e.student_id, e.target_id, e.score, e.observed_at) for e in book.evidence())


# -- missing scores ------------------------------------------------------------------------------


def test_blank_scores_of_a_file_are_skipped_with_one_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"{HEADER}\nana,LE.1,3,{WHEN}\nana,LE.1,,{WHEN}\nben,LE.1, ,{WHEN}\nben,LE.1,2,{WHEN}\n",
    )
    for found in (mio.read_evidence_csv(path), mio.read_evidence(path)):
        assert [3.0, 2.0] == [e.score for e in found.evidence]
        assert 1 == len(found.warnings)
        assert "score is blank on 2 rows (lines 3, 4)" in found.warnings[0]
        assert "not counted as 0" in found.warnings[0]


def test_missing_scores_error_refuses_a_blank_score_naming_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nana,LE.1,3,{WHEN}\nana,LE.1,,{WHEN}\n")
    with pytest.raises(DataFileError, match=r"evidence\.csv:3:3: score is blank"):
        mio.read_evidence(path, missing_scores="error")


def test_the_command_counts_blank_scores_once_or_refuses_them(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nana,LE.1,3,{WHEN}\nana,LE.1,,{WHEN}\nben,LE.1,,{WHEN}\n")
    code, out, err = _cli("score", path, "--policy", "mean")
    assert 0 == code, err
    assert 1 == err.count("score is blank")
    assert "on 2 rows" in err
    assert "ana,LE.1" in out
    code, _, err = _cli("score", path, "--policy", "mean", "--missing-scores", "error")
    assert 0 != code
    assert "score is blank" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("library", _frame_libraries())
def test_a_nan_score_in_a_frame_is_skipped_with_one_warning(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ana", "ben", "cy"],
        "target_id": ["LE.1"] * 4,
        "score": [3.0, None, 2.0, None],
        "observed_at": [MOMENT] * 4,
    }
    frame = _frame(library, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = Gradebook.from_frame(frame, targets=TARGETS)
    assert [("ana", 3.0), ("ben", 2.0)] == [(s, v) for s, _, v, _ in _records(book)]
    assert 1 == len(caught)
    assert caught[0].category is MissingScoreWarning
    assert "score is missing (None or NaN) on 2 rows (rows 1, 3)" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the user's call
    # cy has no evidence left: not a student of the book (as for a blank score in a file)
    assert ["ana", "ben"] == sorted(
        {r["student_id"] for r in book.results(policies.Mean()).records()}
    )


@pytest.mark.parametrize("library", _frame_libraries())
def test_missing_scores_error_refuses_a_nan_score_in_a_frame(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ben"],
        "target_id": ["LE.1"] * 2,
        "score": [3.0, None],
        "observed_at": [MOMENT] * 2,
    }
    with pytest.raises(BulkValidationError, match=r"row 1: score=.* is missing") as caught:
        Gradebook.from_frame(_frame(library, data), targets=TARGETS, missing_scores="error")
    assert [1] == [p.row for p in caught.value.problems]


def test_records_with_a_missing_score_are_skipped_with_one_warning() -> None:
    records: list[dict[str, Any]] = [
        {"student_id": "ana", "target_id": "LE.1", "score": 3.0, "observed_at": WHEN},
        {"student_id": "ana", "target_id": "LE.1", "score": None, "observed_at": WHEN},
        {"student_id": "ben", "target_id": "LE.1", "score": float("nan"), "observed_at": WHEN},
    ]
    with pytest.warns(MissingScoreWarning, match=r"on 2 rows \(rows 1, 2\)") as caught:
        book = Gradebook.from_records(records, targets=TARGETS)
    assert 1 == len(caught)
    assert 1 == len(book)
    with pytest.raises(BulkValidationError) as refused:
        Gradebook.from_records(records, targets=TARGETS, missing_scores="error")
    assert [1, 2] == [p.row for p in refused.value.problems]


def test_a_missing_score_is_skipped_alike_by_a_file_and_a_frame(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = _write(tmp_path, f"{HEADER}\nana,LE.1,3,{WHEN}\nana,LE.1,,{WHEN}\nben,LE.1,2,{WHEN}\n")
    by_file = Gradebook.from_evidence(mio.read_evidence_csv(path).evidence, targets=TARGETS)
    frame = pd.read_csv(path)  # the blank score is NaN, the times are text
    with pytest.warns(MissingScoreWarning):
        by_frame = Gradebook.from_frame(frame, targets=TARGETS)
    assert _records(by_file) == _records(by_frame)


def test_missing_scores_must_be_skip_or_error(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nana,LE.1,3,{WHEN}\n")
    with pytest.raises(InvalidValueError, match="missing_scores='zero' must be"):
        mio.read_evidence_csv(path, missing_scores="zero")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="missing_scores='zero' must be"):
        Gradebook.from_records([], targets=TARGETS, missing_scores="zero")  # type: ignore[arg-type]


# -- times written as text -----------------------------------------------------------------------


@pytest.mark.parametrize("library", _frame_libraries())
def test_a_frame_column_of_iso_text_with_offsets_is_read_as_times(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ben"],
        "target_id": ["LE.1", "LE.1"],
        "score": [3.0, 2.0],
        "observed_at": ["2026-10-01T09:00:00+02:00", "2026-10-01T07:00:00Z"],
    }
    book = Gradebook.from_frame(_frame(library, data), targets=TARGETS)
    assert [MOMENT, MOMENT] == [when for *_, when in _records(book)]


@pytest.mark.parametrize("library", _frame_libraries())
def test_text_times_without_an_offset_need_assume_tz(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana"],
        "target_id": ["LE.1"],
        "score": [3.0],
        "observed_at": ["2026-10-01T09:00:00"],
    }
    with pytest.raises(BulkValidationError, match=r"has no UTC offset.*assume_tz") as caught:
        Gradebook.from_frame(_frame(library, data), targets=TARGETS)
    assert "must be a timezone-aware datetime" not in str(caught.value)
    paris = timezone(timedelta(hours=2))
    book = Gradebook.from_frame(_frame(library, data), targets=TARGETS, assume_tz=paris)
    assert [MOMENT] == [when for *_, when in _records(book)]


def test_a_naive_datetime_frame_column_takes_assume_tz() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "student_id": ["ana"],
            "target_id": ["LE.1"],
            "score": [3.0],
            "observed_at": pd.to_datetime(["2026-10-01 09:00"]),
        }
    )
    with pytest.raises(BulkValidationError, match="assume_tz"):
        Gradebook.from_frame(frame, targets=TARGETS)
    book = Gradebook.from_frame(frame, targets=TARGETS, assume_tz=timezone(timedelta(hours=2)))
    assert [MOMENT] == [when for *_, when in _records(book)]


def test_records_from_json_read_iso_text_times() -> None:
    record = {"student_id": "ana", "target_id": "LE.1", "score": 3, "observed_at": WHEN}
    assert [MOMENT] == [
        when for *_, when in _records(Gradebook.from_records([record], targets=TARGETS))
    ]
    naive = {**record, "observed_at": "2026-10-01T09:00:00"}
    with pytest.raises(BulkValidationError, match=r"observed_at: .* has no UTC offset"):
        Gradebook.from_records([naive], targets=TARGETS)


def test_a_file_time_without_an_offset_names_assume_tz(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nana,LE.1,3,2026-10-01T09:00:00\n")
    code, _, err = _cli("score", path, "--policy", "mean")
    assert 0 != code
    assert "has no UTC offset" in err
    assert "--assume-tz" in err
    assert 0 == _cli("score", path, "--policy", "mean", "--assume-tz", "+02:00")[0]


# -- decimal commas ------------------------------------------------------------------------------


def test_a_decimal_comma_is_an_error_unless_decimal_comma_is_given(tmp_path: Path) -> None:
    path = _write(tmp_path, f'{HEADER}\nana,LE.1,"3,5",{WHEN}\n')
    with pytest.raises(DataFileError, match=r":2:3: score: '3,5' has a decimal comma"):
        mio.read_evidence_csv(path)
    assert [3.5] == [e.score for e in mio.read_evidence_csv(path, decimal=",").evidence]
    assert [3.5] == [e.score for e in mio.read_evidence(path, decimal=",").evidence]


def test_the_command_refuses_a_decimal_comma_unless_told(tmp_path: Path) -> None:
    path = _write(tmp_path, f'{HEADER}\nana,LE.1,"3,5",{WHEN}\n')
    code, out, err = _cli("score", path, "--policy", "mean")
    assert 0 != code
    assert "'3,5' has a decimal comma" in err
    assert "--decimal" in err
    code, out, err = _cli("score", path, "--policy", "mean", "--decimal", ",")
    assert 0 == code, err
    assert "3.5" in out


def test_a_semicolon_separated_file_reads_decimal_commas(tmp_path: Path) -> None:
    """The spreadsheet convention of the locales that write 3,5 (Canvas's semicolon setting)."""
    path = _write(
        tmp_path, f"{HEADER.replace(',', ';')}\nana;LE.1;3,5;{WHEN}\nben;LE.1;2.5;{WHEN}\n"
    )
    assert [3.5, 2.5] == [e.score for e in mio.read_evidence(path).evidence]
    with pytest.raises(DataFileError, match="decimal comma"):
        mio.read_evidence(path, decimal=".")


@pytest.mark.parametrize("library", _frame_libraries())
def test_a_frame_column_of_number_text_follows_the_same_rule(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ben", "cy"],
        "target_id": ["LE.1"] * 3,
        "score": ["3,5", "2", ""],
        "observed_at": [MOMENT] * 3,
    }
    with pytest.raises(BulkValidationError, match=r"row 0: score: '3,5' has a decimal comma"):
        Gradebook.from_frame(_frame(library, data), targets=TARGETS)
    with pytest.warns(MissingScoreWarning, match=r"1 row \(row 2\)"):
        book = Gradebook.from_frame(_frame(library, data), targets=TARGETS, decimal=",")
    assert [("ana", 3.5), ("ben", 2.0)] == [(s, v) for s, _, v, _ in _records(book)]


def test_records_follow_the_same_number_rule() -> None:
    record = {"student_id": "ana", "target_id": "LE.1", "score": "3,5", "observed_at": WHEN}
    with pytest.raises(BulkValidationError, match="score: '3,5' has a decimal comma"):
        Gradebook.from_records([record], targets=TARGETS)
    book = Gradebook.from_records([record], targets=TARGETS, decimal=",")
    assert [3.5] == [e.score for e in book.evidence()]


# -- ids -----------------------------------------------------------------------------------------


def test_ids_of_a_file_are_kept_as_written_unless_strip_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n ana ,LE.1,3,{WHEN}\nana,LE.1,2,{WHEN}\n")
    for read in (mio.read_evidence_csv, mio.read_evidence):
        assert [" ana ", "ana"] == [e.student_id for e in read(path).evidence]
        assert ["ana", "ana"] == [e.student_id for e in read(path, strip_ids=True).evidence]


def test_the_command_keeps_ids_as_written_unless_strip_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n ana,LE.1,3,{WHEN}\nana,LE.1,1,{WHEN}\n")
    code, out, err = _cli("score", path, "--policy", "mean")
    assert 0 == code, err
    found = list(csv.DictReader(io.StringIO(out)))
    assert [" ana", "ana"] == sorted(r["student_id"] for r in found)
    code, out, err = _cli("score", path, "--policy", "mean", "--strip-ids")
    assert 0 == code, err
    found = list(csv.DictReader(io.StringIO(out)))
    assert [("ana", "2.0")] == [(r["student_id"], r["value"]) for r in found]


@pytest.mark.parametrize("library", _frame_libraries())
def test_frame_ids_are_kept_as_written_unless_strip_ids(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": [" ana", "ana"],
        "target_id": ["LE.1 ", "LE.1"],
        "score": [3.0, 1.0],
        "observed_at": [MOMENT] * 2,
    }
    with pytest.raises(BulkValidationError, match=r"row 0: target_id='LE.1 ' is not a target"):
        Gradebook.from_frame(_frame(library, data), targets=TARGETS)
    book = Gradebook.from_frame(_frame(library, data), targets=TARGETS, strip_ids=True)
    assert [{"student_id": "ana", "value": 2.0}] == [
        {k: r[k] for k in ("student_id", "value")} for r in book.results(policies.Mean()).records()
    ]


def test_record_ids_are_kept_as_written_unless_strip_ids() -> None:
    record = {"student_id": " ana ", "target_id": "LE.1", "score": 3, "observed_at": WHEN}
    assert [" ana "] == [
        e.student_id for e in Gradebook.from_records([record], targets=TARGETS).evidence()
    ]
    book = Gradebook.from_records([record], targets=TARGETS, strip_ids=True)
    assert ["ana"] == [e.student_id for e in book.evidence()]


# -- the columnar fast path gives what the row path gives ------------------------------------------


@pytest.mark.parametrize(
    ("text", "options"),
    [
        (f"{HEADER}\n ana ,LE.1,3,{WHEN}\nana,LE.1,2,{WHEN}\n", {}),
        (f"{HEADER}\n ana ,LE.1,3,{WHEN}\nana,LE.1,2,{WHEN}\n", {"strip_ids": True}),
        (f"{HEADER.replace(',', ';')}\nana;LE.1;3,5;{WHEN}\n", {}),
        (f"{HEADER.replace(',', ';')}\nana;LE.1;3,5;{WHEN}\n", {"decimal": "."}),
        (f"{HEADER}\nana,LE.1,3,2026-10-01T09:00:00\n", {"assume_tz": UTC}),
    ],
)
def test_the_columnar_reader_agrees_with_the_row_reader(
    tmp_path: Path, text: str, options: dict[str, Any]
) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    path = _write(tmp_path, text)
    try:
        by_rows: object = mio.read_evidence_csv(path, **options).evidence
    except DataFileError as error:
        by_rows = str(error)
    try:
        found = mio.read_evidence(path, **options)
        by_columns: object = found.evidence
    except DataFileError as error:
        by_columns = str(error)
    assert by_rows == by_columns


_CELLS = {
    "student_id": ["ana", " ana", "ana ", "ben", "  "],
    "target_id": ["LE.1", " LE.1", "LE.2"],
    "score": ["3", "3,5", "2.5", "", " ", "1e0"],
    "observed_at": [WHEN, "2026-10-01T09:00:00", "2026-10-01T07:00:00Z"],
}


@st.composite
def _messy_files(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Evidence with ``;`` separators, spaced ids, decimal commas, blank scores, naive times."""
    lines = [HEADER.replace(",", ";")]
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        lines.append(";".join(draw(st.sampled_from(cells)) for cells in _CELLS.values()))
    options: dict[str, Any] = {
        "strip_ids": draw(st.booleans()),
        "decimal": draw(st.sampled_from([None, ".", ","])),
        "missing_scores": draw(st.sampled_from(["skip", "error"])),
        "assume_tz": draw(st.sampled_from([None, UTC])),
    }
    return "\n".join(lines) + "\n", options


@settings(max_examples=40, deadline=None)
@given(case=_messy_files())
def test_the_columnar_reader_agrees_with_the_row_reader_under_every_option(
    case: tuple[str, dict[str, Any]],
) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    text, options = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), text)
        try:
            plain = mio.read_evidence_csv(path, **options)
            by_rows: object = (plain.evidence, plain.warnings)
        except DataFileError as error:
            by_rows = str(error)
        try:
            found = mio.read_evidence(path, **options)
            by_columns: object = (found.evidence, found.warnings)
        except DataFileError as error:
            by_columns = str(error)
        event(f"read by columns: {mio.read_evidence_columns(path, **options) is not None}")
    assert by_rows == by_columns


# -- with located problems and duplicates (main's rules) --------------------------------------


@pytest.mark.parametrize("library", ["pandas", "pandas-arrow"])
def test_the_missing_score_warning_names_a_frames_index_labels(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ana", "ben"],
        "target_id": ["LE.1"] * 3,
        "score": [3.0, None, None],
        "observed_at": [MOMENT] * 3,
    }
    frame = _frame(library, data).set_axis(["r7", "r8", "r9"])
    with pytest.warns(MissingScoreWarning, match=r"on 2 rows \(rows r8, r9\)"):
        book = Gradebook.from_frame(frame, targets=TARGETS)
    assert 1 == len(book)
    with pytest.raises(BulkValidationError) as refused:
        Gradebook.from_frame(frame, targets=TARGETS, missing_scores="error")
    assert ["r8", "r9"] == [p.row for p in refused.value.problems]
    assert {"score"} == {p.field for p in refused.value.problems}


@pytest.mark.parametrize("library", _frame_libraries())
def test_rows_of_missing_scores_are_not_duplicates_but_copies_still_are(library: str) -> None:
    data: dict[str, list[Any]] = {
        "student_id": ["ana", "ana", "ana", "ben", "ben"],
        "target_id": ["LE.1"] * 5,
        "score": [None, None, 0.0, 2.0, 2.0],
        "observed_at": [MOMENT] * 5,
    }
    with pytest.raises(BulkValidationError) as refused:
        Gradebook.from_frame(_frame(library, data), targets=TARGETS)
    assert [4] == [p.row for p in refused.value.problems]  # ben's copy; the blanks are skipped
    with pytest.warns(MissingScoreWarning, match=r"on 2 rows \(rows 0, 1\)"):
        book = Gradebook.from_frame(_frame(library, data), targets=TARGETS, duplicates="drop")
    assert [("ana", 0.0), ("ben", 2.0)] == [(s, v) for s, _, v, _ in _records(book)]


def test_add_takes_the_duplicate_and_text_options_together() -> None:
    book = Gradebook(targets=TARGETS)
    row = {"student_id": " ana", "target_id": "LE.1", "score": "3,5", "observed_at": WHEN}
    book.add([row, row], duplicates="drop", decimal=",", strip_ids=True)
    assert [("ana", "LE.1", 3.5, MOMENT)] == _records(book)
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(row, decimal=",", strip_ids=True)  # the same piece again: refused
    with pytest.warns(MissingScoreWarning, match="score is missing"):
        book.add({**row, "score": None}, decimal=",", strip_ids=True)
    assert 1 == len(book)


def test_a_missing_time_in_a_text_column_is_a_problem_of_its_row() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "student_id": ["a", "a", "b"],
            "target_id": ["T", "T", "T"],
            "score": [1.0, 2.0, 3.0],
            "observed_at": ["2024-01-01T00:00:00Z", None, "soon"],
        }
    )
    with pytest.raises(BulkValidationError) as caught:
        Gradebook.from_frame(frame, targets=[LearningTarget(id="T", title="t")])
    problems = list(caught.value.problems)
    assert [1, 2] == [p.row for p in problems]
    assert "observed_at=None must be a timezone-aware datetime" in problems[0].message
    assert "soon" in problems[1].message
