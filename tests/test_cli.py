"""The mastery-grading command, end to end through subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from mastery_grading.cli import Progress, build_parser, progress_mode

DATA = Path(__file__).parent / "data"
EVIDENCE = str(DATA / "plain" / "evidence.csv")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mastery_grading.cli ARGS`` and capture its output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "mastery_grading.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_help_lists_every_subcommand_with_examples() -> None:
    done = run("--help")
    assert 0 == done.returncode
    for command in ("score", "grade", "report", "compare", "needed", "audit"):
        assert command in done.stdout
    assert "examples:" in done.stdout
    assert "exit codes" in done.stdout


@pytest.mark.parametrize("command", ["score", "grade", "report", "compare", "needed", "audit"])
def test_each_subcommand_has_help_with_an_example(command: str) -> None:
    done = run(command, "--help")
    assert 0 == done.returncode
    assert "example" in done.stdout


def test_score_writes_results_csv_from_a_canvas_report(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    done = run(
        "score", DATA / "canvas" / "outcome_results.csv", "--policy", "most_recent", "-o", out
    )
    assert 0 == done.returncode, done.stderr
    found = rows(out.read_text(encoding="utf-8"))
    assert 6 == len(found)
    ken = [r for r in found if r["student_id"] == "1043" and r["target_id"] == "311"]
    assert "4.0" == ken[0]["value"]
    assert "outcome score is blank" in done.stderr


def test_score_json_lists_the_evidence_that_counted() -> None:
    done = run(
        "score",
        DATA / "plain" / "evidence.csv",
        "--targets",
        DATA / "plain" / "targets.json",
        "--policy",
        "most_recent",
        "--format",
        "json",
    )
    assert 0 == done.returncode, done.stderr
    results = json.loads(done.stdout)["results"]
    ana = next(r for r in results if r["student_id"] == "ana" and r["target_id"] == "LE.1")
    assert 3.5 == ana["value"]
    assert ["test-1"] == [c["source_id"] for c in ana["contributions"]]


def test_score_uses_the_targets_own_policies_without_policy_option() -> None:
    targets = DATA / "plain" / "targets_with_policies.json"
    done = run("score", DATA / "plain" / "evidence.csv", "--targets", targets)
    assert 0 == done.returncode, done.stderr
    assert '""policy"":""mean""' in done.stdout
    assert '""policy"":""most_recent""' in done.stdout


def test_score_to_oneroster_and_back(tmp_path: Path) -> None:
    package = tmp_path / "gradebook.zip"
    done = run(
        "score",
        DATA / "plain" / "evidence.csv",
        "--policy",
        "mean",
        "--format",
        "oneroster",
        "-o",
        package,
        "--score-date",
        "2026-10-16",
    )
    assert 0 == done.returncode, done.stderr
    again = run("score", package, "--policy", "mean", "-q")
    assert 0 == again.returncode, again.stderr
    assert "ana,LE.1,2.3333333333333335" in again.stdout


def test_compare_puts_policies_side_by_side() -> None:
    done = run(
        "compare",
        DATA / "plain" / "evidence.csv",
        "--policy",
        "mean",
        "--policy",
        "latest=most_recent",
        "--policy",
        'decay={"policy": "decaying_average", "rate": 0.5}',
        "--progress",
    )
    assert 0 == done.returncode, done.stderr
    found = rows(done.stdout)
    ana = next(r for r in found if (r["student_id"], r["target_id"]) == ("ana", "LE.1"))
    assert {"mean": "2.3333333333333335", "latest": "3.5", "decay": "2.625"} == {
        key: ana[key] for key in ("mean", "latest", "decay")
    }
    assert "scoring policies: 3/3" in done.stderr


def test_needed_writes_the_next_score_of_every_student_and_target() -> None:
    done = run("needed", EVIDENCE, "--policy", "mean", "-q")
    assert 0 == done.returncode, done.stderr
    found = {(r["student_id"], r["target_id"]): r for r in rows(done.stdout)}
    assert 6 == len(found)
    # ana LE.1: 1, 2.5, 3.5 (mean 7/3); (7 + 4k) / (3 + k) >= 3 needs k = 2 scores of 4.0
    assert ("", "2", "false") == tuple(
        found["ana", "LE.1"][k] for k in ("score", "count", "reached")
    )
    assert ("4.0", "1") == (
        found["ana", "LE.2"]["score"],
        found["ana", "LE.2"]["count"],
    )  # (2 + x) / 2
    assert ("3.0", "true") == (found["ben", "LE.1"]["score"], found["ben", "LE.1"]["reached"])
    assert found["ben", "LE.2"]["reason"].startswith("no evidence yet")
    assert "" == found["ben", "LE.2"]["score"] == found["ben", "LE.2"]["count"]


def test_needed_for_one_student_and_a_level_as_json() -> None:
    done = run(
        "needed",
        EVIDENCE,
        "--policy",
        "mean",
        "--student",
        "ana",
        "--level",
        "exceeds",
        "--format",
        "json",
        "-q",
    )
    assert 0 == done.returncode, done.stderr
    found = json.loads(done.stdout)["needed"]
    assert [("ana", "LE.1"), ("ana", "LE.2")] == [(r["student_id"], r["target_id"]) for r in found]
    assert {"exceeds"} == {r["level"] for r in found}
    assert [None, None] == [r["count"] for r in found]  # a mean with a lower score never is 4


def test_needed_prints_a_table() -> None:
    done = run("needed", EVIDENCE, "--policy", "most_recent", "--format", "text", "-q")
    assert 0 == done.returncode, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["student_id", "target_id", "value", "goal", "next", "reason"]
    assert lines[1].split()[:6] == ["ana", "LE.1", "3.5", "meets", "(3.0)", "3.0"]


def test_grade_json_next_steps_say_what_the_next_assessment_must_give() -> None:
    done = run(
        "grade",
        EVIDENCE,
        "--policy",
        "most_recent",
        "--converter",
        "marzano_2010",
        "--format",
        "json",
        "-q",
    )
    assert 0 == done.returncode, done.stderr
    ana = json.loads(done.stdout)["grades"][0]
    # average 2.75 (B); A needs 3.0: LE.2 from 2.0 to 2.5, and the latest score is the result
    assert (
        "Next letter: A. A 2.5 on your next assessment of 'LE.2' brings it to 2.5 (approaching), "
        "up from 2.0."
    ) == ana["next_steps"]


def test_needed_refuses_an_unknown_student_or_level() -> None:
    done = run("needed", EVIDENCE, "--policy", "mean", "--student", "zed", "-q")
    assert 2 == done.returncode
    assert "--student 'zed' has no evidence in" in done.stderr
    done = run("needed", EVIDENCE, "--policy", "mean", "--level", "mastered", "-q")
    assert 2 == done.returncode
    assert "level='mastered' is not a level of the scale" in done.stderr


def test_long_runs_report_progress_on_stderr() -> None:
    done = run("score", DATA / "plain" / "evidence.csv", "--policy", "mean", "--progress")
    assert 0 == done.returncode
    assert "scoring students: 3/3" in done.stderr
    assert "scoring students" not in done.stdout


def test_report_writes_one_html_file_per_class(tmp_path: Path) -> None:
    done = run(
        "report",
        DATA / "plain" / "evidence.csv",
        "--targets",
        DATA / "plain" / "targets.json",
        "--policy",
        "most_recent",
        "-o",
        tmp_path,
    )
    assert 0 == done.returncode, done.stderr
    assert "and 1 student page\n" in done.stderr  # geometry's one student: no plural
    assert "and 2 student pages\n" in done.stderr
    assert [".slug-key", "algebra-1", "geometry"] == sorted(p.name for p in tmp_path.iterdir())
    pages = sorted((tmp_path / "algebra-1").glob("*.html"))
    assert "teacher.html" in [page.name for page in pages]
    assert all(re.fullmatch(r"[0-9a-f]{20}|teacher", page.stem) for page in pages)
    text = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "I can solve a linear equation in one variable." in text
    assert "fail" not in text.lower()
    again = run(
        "report",
        DATA / "plain" / "evidence.csv",
        "--targets",
        DATA / "plain" / "targets.json",
        "--policy",
        "most_recent",
        "-o",
        tmp_path,
        "-q",
    )
    assert 0 == again.returncode, again.stderr
    assert pages == sorted((tmp_path / "algebra-1").glob("*.html"))  # the kept key: same names


def test_a_report_with_letters_says_what_the_next_assessment_must_give(tmp_path: Path) -> None:
    done = run(
        "report",
        EVIDENCE,
        "--policy",
        "most_recent",
        "--converter",
        "marzano_2010",
        "-o",
        tmp_path,
        "-q",
    )
    assert 0 == done.returncode, done.stderr
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "algebra-1").glob("*.html"))
    assert "A 2.5 on your next assessment brings it to approaching (2.5), and the grade to" in text


@pytest.mark.parametrize(
    "args",
    [
        ["score"],
        ["score", "x.csv", "--format", "xml"],
        ["score", str(DATA / "plain" / "evidence.csv"), "--policy", "no_such_policy"],
        ["score", str(DATA / "plain" / "evidence.csv"), "--policy", "{bad json"],
        ["score", str(DATA / "plain" / "evidence.csv")],
        ["score", str(DATA / "plain" / "evidence.csv"), "--policy", "mean", "--assume-tz", "Mars"],
        ["report", EVIDENCE, "--policy", "mean"],
        ["report", EVIDENCE, "--policy", "mean", "-o", "-"],
        [
            "score",
            EVIDENCE,
            "--policy",
            '{"policy": "decaying_average", "rate": 1' + "0" * 400 + "}",
        ],
        [
            "score",
            EVIDENCE,
            "--policy",
            '{"policy": "decaying_average", "rate": ' + "9" * 5000 + "}",
        ],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_with_2(args: list[str]) -> None:
    done = run(*args)
    assert 2 == done.returncode
    assert "usage:" in done.stderr


def test_data_errors_exit_with_2_and_name_file_line_column(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text("previous results\n", encoding="utf-8")
    bad = DATA / "bad" / "outcome_results.csv"
    done = run("score", bad, "--policy", "mean", "-o", out)
    assert 2 == done.returncode
    assert f"{bad}:2:3: submission date" in done.stderr
    assert f"{bad}:3:6: outcome score: 'three' is not a number" in done.stderr
    assert f"{bad}:4:2: student id is blank" in done.stderr
    assert "unknown column 'favourite colour'" in done.stderr
    assert "previous results\n" == out.read_text(encoding="utf-8")


@pytest.mark.parametrize("digits", [401, 5000])
def test_a_targets_file_with_a_giant_integer_exits_with_2_naming_the_file(
    tmp_path: Path, digits: int
) -> None:
    package = (DATA / "case" / "package.json").read_text(encoding="utf-8")
    big = tmp_path / "case_big.json"
    big.write_text(package.replace('"sequenceNumber": 1', '"sequenceNumber": 1' + "0" * digits, 1))
    done = run("score", EVIDENCE, "--targets", big, "--policy", "mean")
    assert 2 == done.returncode
    assert "Traceback" not in done.stderr
    assert f"{big}" in done.stderr
    assert "sequenceNumber" in done.stderr or f"integer of {digits + 1} digits" in done.stderr


def test_a_missing_input_file_exits_with_2() -> None:
    done = run("compare", "no-such-file.csv", "--policy", "mean")
    assert 2 == done.returncode
    assert "no-such-file.csv: cannot be read" in done.stderr


def test_python_dash_m_mastery_grading_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mastery_grading", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == done.returncode
    assert done.stdout.startswith("mastery-grading ")


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("mastery-grading")
    if not script.exists():
        pytest.skip("the package is not installed with its console script in this environment")
    done = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert 0 == done.returncode


def test_problems_in_evidence_and_targets_files_are_listed_together(tmp_path: Path) -> None:
    targets = tmp_path / "targets.json"
    targets.write_text('{"targets": [{"id": "LE.1"}]}', encoding="utf-8")
    done = run(
        "score", DATA / "bad" / "outcome_results.csv", "--targets", targets, "--policy", "mean"
    )
    assert 2 == done.returncode
    assert "4 problems in input" in done.stderr
    assert f"{targets}: targets[0]:" in done.stderr


def test_results_in_the_canvas_gradebook_layout_read_back() -> None:
    done = run(
        "score",
        DATA / "canvas" / "outcome_results.csv",
        "--targets",
        DATA / "canvas" / "outcomes.csv",
        "--policy",
        "most_recent",
        "--format",
        "canvas-gradebook",
        "-q",
    )
    assert 0 == done.returncode, done.stderr
    header = done.stdout.splitlines()[0]
    assert header.startswith("Student name,Student ID,Student SIS ID,Number Sense > NS.1")
    assert "Number Sense > Place value > NS.2 Round to tens mastery points" in header
    # the SIS id of the Canvas report passes through (it was written as N/A before issue 14)
    assert '"Diaz, Rosa",1042,S-2231,2.0,3.0,,3.0' in done.stdout


def test_case_targets_score_oneroster_style_evidence(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(
        "student_id,target_id,score,observed_at\n"
        "stu-1,4f483aba-f3a3-4176-9651-3d37c45bd3e9,3.0,2024-10-02T00:00:00Z\n",
        encoding="utf-8",
    )
    done = run(
        "score", evidence, "--targets", DATA / "case" / "package.json", "--policy", "most_recent"
    )
    assert 0 == done.returncode, done.stderr
    found = {r["target_id"]: r["value"] for r in rows(done.stdout)}
    assert {
        "a5bd08d1-99ed-40dc-ae57-8b88009cff40": "",
        "4f483aba-f3a3-4176-9651-3d37c45bd3e9": "3.0",
    } == found


def test_canvas_outcomes_with_own_guids_join_the_report_by_title() -> None:
    done = run(
        "score",
        DATA / "canvas" / "outcome_results.csv",
        "--targets",
        DATA / "canvas" / "outcomes_vendor_guids.csv",
        "--policy",
        "most_recent",
    )
    assert 0 == done.returncode, done.stderr
    assert {"lt-ns1", "lt-ns2"} == {r["target_id"] for r in rows(done.stdout)}
    assert "joined by its title 'NS.1 Compare fractions' to 'lt-ns1'" in done.stderr


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("progress", "quiet", "stream", "expected"),
    [
        (False, False, _Terminal(), "auto"),
        (False, True, _Terminal(), "off"),
        (False, False, io.StringIO(), "off"),
        (True, False, io.StringIO(), "always"),
        (True, True, _Terminal(), "always"),
    ],
)
def test_progress_is_automatic_on_a_terminal_and_forced_by_the_option(
    progress: bool, quiet: bool, stream: io.StringIO, expected: str
) -> None:
    assert expected == progress_mode(progress=progress, quiet=quiet, stream=stream)


def test_automatic_progress_stays_quiet_during_the_first_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([100.0, 100.5, 102.0])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    stream = _Terminal()
    args = build_parser().parse_args(["score", "evidence.csv"])
    report = Progress("scoring students", args=args, stream=stream)
    report(1, 3)
    assert "" == stream.getvalue()
    report(3, 3)
    assert "scoring students: 3/3\n" == stream.getvalue()


def test_the_progress_help_describes_the_automatic_mode() -> None:
    done = run("score", "--help")
    assert "(default: off)" not in done.stdout
    assert "terminal" in done.stdout


# -- issue 14: every problem once, where it is; duplicates are a decision -------------------

BEN = """student_id,target_id,score,observed_at
ana,LE.1,3,2026-10-01T09:00:00Z
ana,LE.1,2,2026-10-02T09:00:00Z
ben,LE.1,2,2026-10-01T09:00:00Z
ben,LE.2,3,2026-10-02T09:00:00Z
ben,LE.9,3,2026-10-02T09:00:00Z
ben,LE.2,5,2026-10-03T09:00:00Z
"""
TWO_TARGETS = '{"targets": [{"id": "LE.1", "title": "One"}, {"id": "LE.2", "title": "Two"}]}'


def test_score_names_the_csv_line_and_reports_an_unknown_target_with_a_bad_score(
    tmp_path: Path,
) -> None:
    """The out-of-scale score is on CSV line 7, column 3; the unknown target on line 6 does
    not hide it; both come in one run, exit code 2, no traceback."""
    (tmp_path / "ev.csv").write_text(BEN, encoding="utf-8")
    (tmp_path / "t.json").write_text(TWO_TARGETS, encoding="utf-8")
    done = run("score", "ev.csv", "--targets", "t.json", "--policy", "mean", cwd=tmp_path)
    assert 2 == done.returncode
    assert "Traceback" not in done.stderr
    assert "ev.csv:6:2: target_id='LE.9'" in done.stderr
    assert "ev.csv:7:3: score=5.0 for student 'ben' on target 'LE.2' lies outside" in done.stderr
    assert "2 problems in input" in done.stderr


def test_the_cli_prints_twenty_problems_and_counts_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"s{i},LE.1,9,2026-10-01T09:00:00Z\n" for i in range(30))
    (tmp_path / "ev.csv").write_text("student_id,target_id,score,observed_at\n" + rows)
    done = run("score", "ev.csv", "--policy", "mean", cwd=tmp_path)
    assert 2 == done.returncode
    assert 20 == done.stderr.count("lies outside the scale")
    assert "... and 10 more problems" in done.stderr
    assert "ev.csv:31:3:" not in done.stderr


def test_a_huge_score_is_not_echoed_whole(tmp_path: Path) -> None:
    huge = "9" * 100_000
    text = f"student_id,target_id,score,observed_at\nana,LE.1,{huge},2026-10-01T09:00:00Z\n"
    (tmp_path / "ev.csv").write_text(text, encoding="utf-8")
    done = run("score", "ev.csv", "--policy", "mean", cwd=tmp_path)
    assert 2 == done.returncode
    assert len(done.stderr) < 1000
    assert "more characters" in done.stderr


DOUBLED = """student_id,target_id,score,observed_at
ana,LE.1,3,2026-10-01T09:00:00Z
ben,LE.1,2,2026-10-01T09:00:00Z
ana,LE.1,3,2026-10-01T11:00:00+02:00
"""


@pytest.mark.parametrize("filler_rows", [1, 2000])
def test_duplicate_rows_are_refused_by_default_with_every_copy_listed(
    tmp_path: Path, filler_rows: int
) -> None:
    """Two identical rows (the same instant written in two zones) are one observation pasted
    twice: refused, naming both lines; 2000 rows exercise the columnar reader too."""
    filler = "".join(f"s{i},LE.2,1,2026-09-01T09:00:00Z\n" for i in range(filler_rows))
    (tmp_path / "ev.csv").write_text(DOUBLED + filler, encoding="utf-8")
    done = run("score", "ev.csv", "--policy", "mean", cwd=tmp_path)
    assert 2 == done.returncode
    assert "ev.csv:4: duplicate evidence" in done.stderr
    assert "at line 2 and line 4" in done.stderr


@pytest.mark.parametrize("filler_rows", [1, 2000])
@pytest.mark.parametrize(("choice", "count"), [("drop", "1"), ("keep", "2")])
def test_duplicates_drop_counts_one_copy_and_keep_counts_each(
    tmp_path: Path, filler_rows: int, choice: str, count: str
) -> None:
    filler = "".join(f"s{i},LE.2,1,2026-09-01T09:00:00Z\n" for i in range(filler_rows))
    (tmp_path / "ev.csv").write_text(DOUBLED + filler, encoding="utf-8")
    done = run("score", "ev.csv", "--policy", "mean", "--duplicates", choice, cwd=tmp_path)
    assert 0 == done.returncode, done.stderr
    found = rows(done.stdout)
    [ana] = [r for r in found if r["student_id"] == "ana" and r["target_id"] == "LE.1"]
    assert count == ana["evidence_count"]


def _parquet(path: Path, columns: dict[str, list[object]], **types: object) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    arrays = {name: pa.array(values, type=types.get(name)) for name, values in columns.items()}
    pq.write_table(pa.table(arrays), path)
    return path


def test_score_reads_parquet_evidence_as_the_same_csv(tmp_path: Path) -> None:
    pacsv = pytest.importorskip("pyarrow.csv")
    pq = pytest.importorskip("pyarrow.parquet")
    evidence = tmp_path / "evidence.parquet"
    pq.write_table(pacsv.read_csv(EVIDENCE), evidence)  # observed_at: timestamps with offsets
    targets = DATA / "plain" / "targets.json"
    for policy in ("decaying_average", "mean"):
        from_csv = run("score", EVIDENCE, "--targets", targets, "--policy", policy)
        from_parquet = run("score", evidence, "--targets", targets, "--policy", policy)
        assert 0 == from_parquet.returncode, from_parquet.stderr
        assert from_csv.stdout == from_parquet.stdout
    # the reference engine reads the times back as Evidence objects: the same instants (a
    # Parquet column has one time zone, UTC here, where the CSV file wrote +02:00)
    from_csv, from_parquet = (
        run("score", path, "--targets", targets, "--policy", "mean", "--format", "json")
        for path in (EVIDENCE, evidence)
    )
    assert 0 == from_parquet.returncode, from_parquet.stderr
    assert _instants(json.loads(from_csv.stdout)) == _instants(json.loads(from_parquet.stdout))


def _instants(value: object) -> object:
    """``value`` (parsed JSON) with every ISO time written as its UTC instant."""
    from datetime import UTC, datetime

    if isinstance(value, dict):
        return {key: _instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_instants(item) for item in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*[+-]\d\d:\d\d", value):
        return datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return value


def test_parquet_problems_name_the_file_and_the_row(tmp_path: Path) -> None:
    from datetime import datetime

    def day(d: int) -> datetime:
        return datetime(2026, 10, d, 9, tzinfo=UTC)

    evidence = _parquet(
        tmp_path / "bad.parquet",
        {
            "student_id": ["ana", "ana", "ben", "ben", "cy", "ana", "cy"],
            "target_id": ["LE.1", "LE.1", "LE.9", "LE.2", "LE.1", "LE.1", "LE.2"],
            "score": [3.0, 4.0, 2.0, 7.5, None, 3.0, 2.0],
            "observed_at": [day(1), day(2), day(3), day(4), day(5), day(1), day(6)],
            "weight": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -2.0],
        },
    )
    done = run(
        "score", evidence, "--targets", DATA / "plain" / "targets.json", "--policy", "mean",
        "--missing-scores", "error",
    )  # fmt: skip
    assert 2 == done.returncode, done.stderr
    assert "Traceback" not in done.stderr
    name = str(evidence)
    lines = [line.strip() for line in done.stderr.splitlines()]
    assert any(line.startswith(f"{name}: row 5: score is missing") for line in lines)
    assert any(line.startswith(f"{name}: row 7: weight=-2.0") for line in lines)
    assert any(
        line.startswith(f"{name}: row 6: duplicate evidence") and "at row 1 and row 6" in line
        for line in lines
    )
    assert any(line.startswith(f"{name}: row 3: target_id='LE.9'") for line in lines)
    assert any(line.startswith(f"{name}: row 4: score=7.5") for line in lines)


def test_parquet_times_without_a_zone_need_assume_tz(tmp_path: Path) -> None:
    from datetime import datetime

    pa = pytest.importorskip("pyarrow")
    evidence = _parquet(
        tmp_path / "naive.parquet",
        {
            "student_id": ["ana", "ana"],
            "target_id": ["LE.1", "LE.1"],
            "score": [1, 3],
            "observed_at": [datetime(2026, 10, 1, 9), datetime(2026, 10, 2, 9)],
        },
        observed_at=pa.timestamp("ns"),
    )
    refused = run("score", evidence, "--policy", "most_recent")
    assert 2 == refused.returncode
    assert f"{evidence}: row 1: observed_at=" in refused.stderr
    assert "without a time zone" in refused.stderr
    done = run("score", evidence, "--policy", "most_recent", "--assume-tz", "Europe/Paris")
    assert 0 == done.returncode, done.stderr
    assert [("ana", "LE.1", "3.0")] == [
        (r["student_id"], r["target_id"], r["value"]) for r in rows(done.stdout)
    ]
