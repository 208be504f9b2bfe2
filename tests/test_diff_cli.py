"""Issue 19: ``mastery-grading diff``, from the shell: CSV or HTML, groups, refused options."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from mastery_grading.cli import main

pytest.importorskip("pandas")

DATA = Path(__file__).parent / "data"
EVIDENCE = DATA / "plain" / "evidence.csv"
TARGETS = DATA / "plain" / "targets.json"


def run(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


SECTIONS = (
    "student_id,target_id,score,observed_at,section\r\n"
    "ana,T,1.0,2026-10-01T09:00:00Z,P1\r\n"
    "ana,T,4.0,2026-10-08T09:00:00Z,P1\r\n"
    "ben,T,4.0,2026-10-01T09:00:00Z,P2\r\n"
    "ben,T,1.0,2026-10-08T09:00:00Z,P2\r\n"
    "cy,T,3.0,2026-10-01T09:00:00Z,\r\n"
)


def test_diff_with_a_converter_writes_one_row_per_student_with_letters() -> None:
    code, out, err = run(
        "diff", EVIDENCE, "--before", "mean", "--after", "most_recent", "--converter",
        "marzano_2010", "-q",
    )  # fmt: skip
    assert 0 == code, err
    found = rows(out)
    assert ["ana", "ben", "cy"] == [r["student_id"] for r in found]
    assert ("C", "B", "1", "true") == (
        found[0]["letter_before"],
        found[0]["letter_after"],
        found[0]["letter_change"],
        found[0]["changed"],
    )
    assert "LE.1: approaching → meets" == found[0]["moved_by"]
    assert "Incomplete" == found[1]["letter_after"]


def test_diff_without_a_converter_writes_one_row_per_student_and_target() -> None:
    code, out, err = run(
        "diff", EVIDENCE, "--targets", TARGETS, "--before", "mean", "--after", "most_recent",
        "--by", "context",
    )  # fmt: skip
    assert 0 == code, err
    found = rows(out)
    assert 6 == len(found)
    assert ("ana", "algebra-1", "LE.1", "approaching", "meets", "1") == (
        found[0]["student_id"],
        found[0]["group"],
        found[0]["target_id"],
        found[0]["level_before"],
        found[0]["level_after"],
        found[0]["level_change"],
    )
    assert "" == found[3]["value_before"]  # ben has no evidence on LE.2


def test_diff_by_a_plain_column_counts_blank_students_in_missing(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(SECTIONS, encoding="utf-8")
    page = tmp_path / "diff.html"
    code, _, err = run(
        "diff", evidence, "--before", "mean", "--after", "most_recent", "--converter",
        "marzano_2010", "--by", "section", "-o", page,
    )  # fmt: skip
    assert 0 == code, err
    assert "unknown column 'section'" not in err  # the column --by reads is not ignored
    html = page.read_text(encoding="utf-8")
    assert "<b>2 of 3 students</b> change letter: 1 up, 1 down." in html
    assert "1 student has no group in by: counted in the group &#x27;(missing)&#x27;" in html
    assert "<th>P1</th>" in html
    assert "<th>(missing)</th>" in html


def test_diff_by_section_in_csv_names_each_students_group(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(SECTIONS, encoding="utf-8")
    out = tmp_path / "diff.csv"
    code, _, err = run(
        "diff", evidence, "--before", "mean", "--after", "most_recent", "--converter",
        "marzano_2010", "--by", "section", "-o", out,
    )  # fmt: skip
    assert 0 == code, err
    found = rows(out.read_text(encoding="utf-8"))
    assert ["P1", "P2", "(missing)"] == [r["group"] for r in found]


def test_diff_of_two_converters_needs_no_converter_option() -> None:
    code, out, err = run("diff", EVIDENCE, "--before", "marzano_2010", "--after", "sbgrader2", "-q")
    assert 0 == code, err
    assert "letter_before" in rows(out)[0]


def test_diff_of_the_same_policy_twice_changes_nobody() -> None:
    code, out, _ = run(
        "diff", EVIDENCE, "--before", "mean", "--after", "mean", "--converter", "sbgrader2", "-q"
    )
    assert 0 == code
    assert {"false"} == {r["changed"] for r in rows(out)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "no_such", "--after", "mean"], "--before 'no_such' is neither a policy"),
        (["--before", "mean", "--after", "mean", "-o", "d.pdf"], "must end in .html"),
        (["--before", "mean", "--after", "mean", "--by", "shoe_size"], "--by 'shoe_size'"),
    ],
)
def test_diff_refuses_bad_options_with_exit_code_2(args: list[str], message: str) -> None:
    code, _, err = run("diff", EVIDENCE, *args, "-q")
    assert 2 == code
    assert message in err


def test_diff_of_a_policy_against_a_converter_is_an_error_naming_both() -> None:
    code, _, err = run("diff", EVIDENCE, "--before", "mean", "--after", "marzano_2010", "-q")
    assert 1 == code
    assert "before is a policy and after a converter" in err


def test_diff_runs_as_a_subcommand_with_help_and_an_example() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mastery_grading.cli", "diff", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == done.returncode
    assert "--before SPEC" in done.stdout
    assert "example" in done.stdout
