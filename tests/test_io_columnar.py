"""The columnar reader of plain evidence files gives what the row reader gives, or steps aside.

:func:`mastery_grading.io.read_evidence` reads a plain evidence CSV file by columns when
pyarrow and pandas are installed; whatever it returns (evidence, warnings, scored results, or
the problems of a bad file) must be exactly what the row reader ``read_evidence_csv`` gives.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mastery_grading import io as mio
from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.policies import Mean, MostRecent

pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

HEADER = "student_id,target_id,score,observed_at"

#: Cells of each column: those the row reader accepts first, then blank or bad ones.
CELLS = {
    "student_id": (["ana", "ben", " ana ", "s-1", "'=x", "-1", "o'neil"], ["", "  ", "=cmd"]),
    "target_id": (["A", "B", "LE.1"], [""]),
    "score": (["3", "3.0", " 2.5", "-0", "0", "4", "1e0", "3,5"], ["", "x", "nan", "4.5", "-1"]),
    "observed_at": (
        ["2026-10-01T09:00:00Z", "2026-10-01T11:00:00+02:00", "2026-10-02T08:00:00-05:00"],
        ["2026-10-01", "2026-10-01T09:00:00", "yesterday"],
    ),
    "kind": (["", "formative", "Summative"], ["quiz"]),
    "weight": (["", "1", "2.5"], ["0", "-1"]),
    "source_id": (["", "q1", "=q2"], []),
    "attempt": (["", "1", "2.0"], ["0", "1.5"]),
    "independent": (["", "true", "no"], ["maybe"]),
}


@st.composite
def evidence_files(draw: st.DrawFn) -> str:
    """Evidence CSV text: half the files have only cells the row reader accepts."""
    clean = draw(st.booleans())
    extra = draw(st.lists(st.sampled_from(list(CELLS)[4:]), unique=True, max_size=3))
    names = [*list(CELLS)[:4], *extra]
    lines = [",".join(names)]
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        cells = []
        for name in names:
            good, bad = CELLS[name]
            cells.append(draw(st.sampled_from(good if clean else good + bad)))
        lines.append(",".join(cells))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline


def _outcome(path: Path, *, columns: bool) -> tuple[object, ...]:
    """Everything a reader gives for a file: evidence, warnings and results, or the error."""
    try:
        if columns:
            found = mio.read_evidence(path)
            evidence, warnings, targets = found.evidence, found.warnings, found.targets
            scored = found.scoring_input()
        else:
            plain = mio.read_evidence_csv(path)
            evidence, warnings = plain.evidence, plain.warnings
            targets = mio.read_evidence(path).targets
            scored = plain.evidence
    except MasteryGradingError as error:
        return ("read error", str(error))
    texts = []
    for policy in (Mean(), MostRecent()):
        try:
            texts.append(mio.results_csv_text(mio.results_table(scored, targets, policy)))
        except MasteryGradingError as error:
            texts.append(f"error: {error}")
    try:
        policies = {"mean": Mean(), "latest": MostRecent()}
        texts.append(mio.compare_csv_text(scored, targets, policies))
    except MasteryGradingError as error:
        texts.append(f"error: {error}")
    return ([repr(e) for e in evidence], warnings, texts)


@settings(max_examples=60, deadline=None)
@given(text=evidence_files())
def test_columns_give_exactly_what_rows_give(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evidence.csv"
        path.write_text(text, encoding="utf-8", newline="")
        event(f"read by columns: {mio.read_evidence_columns(path) is not None}")
        assert _outcome(path, columns=True) == _outcome(path, columns=False)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "evidence.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_a_plain_valid_file_is_read_by_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"{HEADER},notes\nana,A,3,2026-10-01T09:00:00Z,x\nben,A,-0,2026-10-01T11:00:00+02:00,\n",
    )
    found = mio.read_evidence(path)
    assert found.columns is not None
    assert len(found.columns) == 2
    assert found.warnings == mio.read_evidence_csv(path).warnings
    assert found.evidence == mio.read_evidence_csv(path).evidence
    assert str(found.evidence[1].observed_at.utcoffset()) == "2:00:00"


@pytest.mark.parametrize(
    "row",
    [
        "ana,A,,2026-10-01T09:00:00Z",  # a blank score: a warning with its line
        "ana,A,x,2026-10-01T09:00:00Z",  # a bad score: a problem with its line
        '"ana",A,3,2026-10-01T09:00:00Z',  # a quote character
        "ana,A,3,2026-10-01T09:00:00Z,extra",  # a ragged row
    ],
)
def test_anything_not_plain_is_left_to_the_row_reader(tmp_path: Path, row: str) -> None:
    path = _write(tmp_path, f"{HEADER}\nben,A,2,2026-10-01T09:00:00Z\n{row}\n")
    assert mio.read_evidence_columns(path) is None


def test_a_score_outside_the_scale_gives_the_row_readers_message(tmp_path: Path) -> None:
    rows = "ben,A,2,2026-10-01T09:00:00Z\nana,A,9,2026-10-01T09:00:00Z\n"
    path = _write(tmp_path, f"{HEADER}\n{rows}")
    found = mio.read_evidence(path)
    assert found.columns is not None
    with pytest.raises(MasteryGradingError) as by_columns:
        mio.results_table(found.scoring_input(), found.targets, Mean())
    with pytest.raises(MasteryGradingError) as by_rows:
        mio.results_table(mio.read_evidence_csv(path).evidence, found.targets, Mean())
    assert str(by_columns.value) == str(by_rows.value)
    assert "row 1: score=9.0 for student 'ana'" in str(by_columns.value)


def test_class_evidence_read_by_columns_equals_the_same_read_by_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\nana,A,3,2026-10-01T09:00:00Z\n")
    found = mio.read_evidence(path)
    assert "evidence=<1 rows read by columns>" in repr(found)
    by_rows = mio.ClassEvidence(
        evidence=mio.read_evidence_csv(path).evidence, targets=found.targets, format="plain"
    )
    assert by_rows == found
    assert "evidence=(Evidence(student_id='ana'" in repr(found)  # built on first use
