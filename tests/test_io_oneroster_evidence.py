"""OneRoster packages read as evidence follow the rules of every other input.

Duplicates, missing scores and the decimal mark are decided as for CSV and Canvas files, and
every problem names its file and line (not a position in a list).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mastery_grading import MissingScoreWarning
from mastery_grading.cli import main
from mastery_grading.exceptions import DataFileError
from mastery_grading.io import read_evidence, read_oneroster

LINE_ITEMS = (
    "sourcedId,title,assignDate,dueDate,classSourcedId,categorySourcedId,"
    "academicSessionSourcedId,schoolSourcedId\n"
    "li-1,Fractions,2024-09-01,2024-12-20,cls,cat,term,sch\n"
)
LINKS = "sourcedId,lineItemSourcedId,source,learningObjectiveId\nlk-1,li-1,unknown,NS.1\n"
RESULTS_HEAD = "sourcedId,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,missing\n"


def _package(folder: Path, *results: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "lineItems.csv").write_text(LINE_ITEMS, encoding="utf-8")
    (folder / "lineItemLearningObjectiveIds.csv").write_text(LINKS, encoding="utf-8")
    (folder / "results.csv").write_text(RESULTS_HEAD + "".join(results), encoding="utf-8")
    return folder


def test_duplicate_results_are_refused_by_file_and_line_and_drop_keeps_one(
    tmp_path: Path,
) -> None:
    folder = _package(
        tmp_path / "pkg",
        "r1,li-1,ana,fully graded,3,2024-10-02,\n",
        "r2,li-1,ana,fully graded,3,2024-10-02,\n",  # the same observation, another id
    )
    with pytest.raises(DataFileError) as caught:
        read_evidence(folder)
    [problem] = caught.value.problems
    assert (str(folder / "results.csv"), 3) == (problem.source, problem.line)
    assert "at line 2 and line 3" in problem.message
    assert 1 == len(read_evidence(folder, duplicates="drop").evidence)
    assert 2 == len(read_evidence(folder, duplicates="keep").evidence)


def test_a_blank_score_is_a_missing_score_unless_the_result_says_why(tmp_path: Path) -> None:
    folder = _package(
        tmp_path / "pkg",
        "r1,li-1,ana,fully graded,3,2024-10-02,\n",
        "r2,li-1,ben,fully graded,,2024-10-02,\n",  # blank: missing evidence
        "r3,li-1,cy,not submitted,,,true\n",  # blank, and it says why: no evidence
    )
    found = read_evidence(folder)
    assert ["ana"] == [e.student_id for e in found.evidence]
    assert [
        f"{folder / 'results.csv'}:3: score is blank: missing evidence, skipped "
        "(not counted as 0)"
    ] == [w for w in found.warnings if "score is blank" in w]
    with pytest.raises(DataFileError) as caught:
        read_evidence(folder, missing_scores="error")
    assert [3] == [p.line for p in caught.value.problems]
    with pytest.warns(MissingScoreWarning, match="results.csv:3"):
        read_oneroster(folder).evidence()


def test_a_decimal_comma_is_a_problem_unless_asked_for(tmp_path: Path) -> None:
    folder = _package(tmp_path / "pkg", 'r1,li-1,ana,fully graded,"3,5",2024-10-02,\n')
    with pytest.raises(DataFileError, match="decimal comma"):
        read_evidence(folder)
    assert [3.5] == [e.score for e in read_evidence(folder, decimal=",").evidence]


def test_the_cli_names_the_line_of_a_result_without_a_score_date(tmp_path: Path) -> None:
    folder = _package(
        tmp_path / "pkg",
        "r1,li-1,ana,fully graded,3,2024-10-02,\n",
        "r2,li-1,ben,fully graded,2,,\n",
    )
    errors = io.StringIO()
    assert 2 == main(["score", str(folder), "--policy", "mean"], stderr=errors)
    assert f"{folder / 'results.csv'}:3: result 'r2' has no scoreDate" in errors.getvalue()
