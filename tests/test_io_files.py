"""Files from the user's side: duplicate JSON keys, output order, stale temporary files, SIS ids.

Issue 14, problem 10 ("three holes in otherwise solid readers and writers") and the writer side
of problem 7 (SIS ids and names pass through; a column with no data is left out).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mastery_grading import Evidence, LearningTarget
from mastery_grading.cli import main
from mastery_grading.exceptions import DataFileError, InvalidValueError
from mastery_grading.io import (
    OutcomeGroup,
    canvas_gradebook_text,
    canvas_outcomes_text,
    case_package_json,
    compare_csv_text,
    evidence_csv_text,
    oneroster_files,
    read_case_package,
    read_targets,
    read_targets_json,
    results_csv_text,
    results_json_text,
    results_table,
    targets_json_text,
    write_oneroster,
    write_results_csv,
)
from mastery_grading.io.report import progress_report_html
from mastery_grading.policies import Mean, MostRecent

DATA = Path(__file__).parent / "data"


def cli(*args: str | Path) -> tuple[int, str, str]:
    """Run the command in this process; return the exit code, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# -- duplicate JSON keys ------------------------------------------------------------------------

TARGETS_WITH_TWO_IDS = """{"targets": [
  {"id": "LE.1",
   "title": "Solve linear equations",
   "id": "LE.2"}
]}
"""


def test_a_targets_file_with_two_ids_is_refused_naming_both_positions(tmp_path: Path) -> None:
    path = tmp_path / "targets.json"
    path.write_text(TARGETS_WITH_TWO_IDS, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_targets_json(path)
    message = str(caught.value)
    assert f"{path}:4:4: key 'id' appears twice in one object, at 2:4 and at 4:4" in message


def test_read_targets_refuses_duplicate_keys_too(tmp_path: Path) -> None:
    path = tmp_path / "targets.json"
    path.write_text(TARGETS_WITH_TWO_IDS, encoding="utf-8")
    with pytest.raises(DataFileError, match="appears twice"):
        read_targets(path)


def test_a_case_item_with_two_titles_is_refused(tmp_path: Path) -> None:
    package = json.loads((DATA / "case" / "package.json").read_text(encoding="utf-8"))
    text = json.dumps(package, indent=2)
    # A second fullStatement in the first item, written by hand as a careless editor would.
    text = text.replace(
        '"fullStatement": ', '"fullStatement": "first",\n      "fullStatement": ', 1
    )
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_case_package(path)
    assert "key 'fullStatement' appears twice in one object" in str(caught.value)


def test_the_cli_refuses_a_targets_file_with_duplicate_keys(tmp_path: Path) -> None:
    path = tmp_path / "targets.json"
    path.write_text(TARGETS_WITH_TWO_IDS, encoding="utf-8")
    code, _, err = cli(
        "score", DATA / "plain" / "evidence.csv", "--targets", path, "--policy", "mean"
    )
    assert 0 != code
    assert "key 'id' appears twice in one object, at 2:4 and at 4:4" in err
    assert "Traceback" not in err


def test_the_cli_refuses_a_policy_spec_with_duplicate_keys() -> None:
    spec = '{"policy": "decaying_average", "rate": 0.5, "rate": 0.9}'
    code, _, err = cli("score", DATA / "plain" / "evidence.csv", "--policy", spec)
    assert 2 == code
    assert "key 'rate' appears twice in one object, at 1:32 and at 1:45" in err


def test_equal_keys_in_different_objects_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "targets.json"
    path.write_text(
        '{"targets": [{"id": "A", "title": "A"}, {"id": "B", "title": "B"}]}', encoding="utf-8"
    )
    assert ("A", "B") == tuple(t.id for t in read_targets_json(path).targets)


# -- a fixed order: shuffled input gives byte-identical files ------------------------------------

START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
STUDENTS = ("s10", "s2", "s1")
TARGET_IDS = ("LE.10", "LE.2", "LE.1")
EVIDENCE = [
    Evidence(
        student_id=student,
        target_id=target,
        score=float((3 * i + 2 * j + day) % 5),
        observed_at=START + timedelta(days=day, hours=i),
        source_id=f"quiz-{day}",
    )
    for i, student in enumerate(STUDENTS)
    for j, target in enumerate(TARGET_IDS)
    for day in range(2 + (i + j) % 2)
    if (student, target) != ("s2", "LE.1")  # a gap: s2 has no evidence on LE.1
]
FIXED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def every_file(evidence: list[Evidence]) -> dict[str, str]:
    """Every file the writers write from ``evidence``, read as a plain file would be read.

    The targets follow the evidence's first appearance, as :func:`read_evidence` gives them for
    a plain file: shuffling the rows shuffles them too.
    """
    targets = [
        LearningTarget(id=i, title=f"Target {i}", statement=f"I can do {i}.")
        for i in dict.fromkeys(e.target_id for e in evidence)
    ]
    table = results_table(evidence, targets, Mean(), engine="python")
    groups = [
        OutcomeGroup(id=g, title=g.upper(), parent_id=p) for g, p in [("b", "a"), ("a", None)]
    ]
    outcomes = [attrs.evolve(t, parent_id="b") for t in targets]
    names = {s: f"Student {s}" for s in STUDENTS}
    files = {
        "results.csv": results_csv_text(table),
        "results.json": results_json_text(table),
        "gradebook.csv": canvas_gradebook_text(table, students=names),
        "report.html": progress_report_html(table, title="Period 2", students=names),
        "evidence.csv": evidence_csv_text(evidence),
        "targets.json": targets_json_text(targets),
        "case.json": case_package_json(targets, title="T", creator="C", last_change=FIXED),
        "outcomes.csv": canvas_outcomes_text(outcomes, groups=groups),
        "compare.csv": compare_csv_text(
            evidence, targets, {"mean": Mean(), "latest": MostRecent()}
        ),
    }
    oneroster = oneroster_files(
        table,
        class_id="c",
        school_id="s",
        category_id="k",
        academic_session_id="t",
        score_date=FIXED.date(),
        modified=FIXED,
    )
    files |= {f"oneroster/{name}": text for name, text in oneroster.items()}
    return files


@settings(max_examples=20, deadline=None)
@given(st.permutations(EVIDENCE))
def test_shuffled_evidence_gives_byte_identical_files_from_every_writer(
    shuffled: list[Evidence],
) -> None:
    assert every_file(EVIDENCE) == every_file(shuffled)


def test_files_are_ordered_by_student_then_target_in_natural_order() -> None:
    lines = every_file(EVIDENCE)["results.csv"].splitlines()[1:]
    keys = [tuple(line.split(",")[:2]) for line in lines]
    students = ["s1"] * 3 + ["s2"] * 3 + ["s10"] * 3
    assert list(zip(students, ["LE.1", "LE.2", "LE.10"] * 3, strict=True)) == keys
    header = every_file(EVIDENCE)["gradebook.csv"].splitlines()[0]
    assert header.index("Target LE.2 result") < header.index("Target LE.10 result")


def test_cli_score_of_shuffled_rows_writes_the_same_bytes(tmp_path: Path) -> None:
    rows = evidence_csv_text(EVIDENCE).splitlines(keepends=True)
    shuffled = [rows[0], *reversed(rows[1:])]
    outputs = []
    for name, lines in (("a", rows), ("b", shuffled)):
        path = tmp_path / f"{name}.csv"
        path.write_text("".join(lines), encoding="utf-8")
        for kind in ("csv", "canvas-gradebook", "json"):
            out = tmp_path / f"{name}-out.{kind}"
            code, _, err = cli("score", path, "--policy", "mean", "--format", kind, "-o", out)
            assert 0 == code, err
        folder = tmp_path / f"{name}-oneroster"
        code, _, err = cli(
            "score", path, "--policy", "mean", "--format", "oneroster", "-o", folder,
            "--score-date", "2026-10-01", "--modified", "2026-10-01T12:00:00Z",
        )  # fmt: skip
        assert 0 == code, err
        outputs.append(
            {
                **{
                    kind: (tmp_path / f"{name}-out.{kind}").read_bytes() for kind in ("csv", "json")
                },
                "gradebook": (tmp_path / f"{name}-out.canvas-gradebook").read_bytes(),
                **{p.name: p.read_bytes() for p in folder.iterdir()},
            }
        )
    assert outputs[0] == outputs[1]
    assert b"2026-10-01T12:00:00.000Z" in outputs[0]["results.csv"]


def test_modified_must_have_an_offset(tmp_path: Path) -> None:
    code, _, err = cli(
        "score", DATA / "plain" / "evidence.csv", "--policy", "mean", "--format", "oneroster",
        "-o", tmp_path / "out", "--modified", "2026-10-01T12:00:00",
    )  # fmt: skip
    assert 2 == code
    assert "is not a time with a UTC offset" in err


# -- a killed write: stale temporary files, a OneRoster folder swapped in whole ------------------

KILLED_WRITE = """
import sys, time
from mastery_grading.io import atomic_writer
with atomic_writer(sys.argv[1]) as handle:
    handle.write("half of a new file")
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_a_killed_write_leaves_a_temporary_file_that_the_next_write_removes(
    tmp_path: Path,
) -> None:
    target = tmp_path / "results.csv"
    target.write_text("old\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITE, str(target)], stdout=subprocess.PIPE, env=env
    )
    assert process.stdout is not None
    assert b"writing\n" == process.stdout.readline()
    process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    left = [p.name for p in tmp_path.iterdir() if p.name != "results.csv"]
    assert [f".results.csv.{process.pid}."] == [name[: -len("0a1b2c3d.tmp")] for name in left]
    assert "old\n" == target.read_text(encoding="utf-8")
    code, _, err = cli("score", DATA / "plain" / "evidence.csv", "--policy", "mean", "-o", target)
    assert 0 == code, err
    assert ["results.csv"] == [p.name for p in tmp_path.iterdir()]


def test_a_running_write_of_another_process_is_left_alone(tmp_path: Path) -> None:
    busy = tmp_path / f".out.csv.{os.getppid()}.0a1b2c3d.tmp"  # our parent runs: not stale
    busy.write_text("being written", encoding="utf-8")
    write_results_csv(tmp_path / "out.csv", [])
    assert busy.exists()


def _oneroster(path: Path, table: object, day: int) -> None:
    write_oneroster(
        path,
        table,  # type: ignore[arg-type]
        class_id="c",
        school_id="s",
        category_id="k",
        academic_session_id="t",
        score_date=date(2026, 10, day),
        modified=FIXED,
    )


def test_a_oneroster_folder_is_swapped_in_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = [LearningTarget(id=i, title=i) for i in TARGET_IDS]
    table = results_table(EVIDENCE, targets, Mean())
    folder = tmp_path / "gradebook"
    _oneroster(folder, table, 1)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    written: list[str] = []
    real_write_text = Path.write_text

    def killed_after_two_files(self: Path, *args: object, **kwargs: object) -> int:
        if len(written) == 2:
            raise KeyboardInterrupt  # as if the process were stopped between two files
        written.append(self.name)
        return real_write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", killed_after_two_files)
    with pytest.raises(KeyboardInterrupt):
        _oneroster(folder, table, 2)
    monkeypatch.undo()
    assert 2 == len(written)
    assert before == {p.name: p.read_bytes() for p in folder.iterdir()}  # old files, unmixed
    assert ["gradebook"] == [p.name for p in tmp_path.iterdir()]  # no half folder left
    _oneroster(folder, table, 2)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) == set(after)
    assert all(b"2026-10-02" in after[name] for name in ("results.csv", "lineItems.csv"))


def test_a_half_written_folder_of_a_killed_write_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    half = tmp_path / f".gradebook.{int(dead.stdout)}.0a1b2c3d.tmp"
    half.mkdir()
    (half / "results.csv").write_text("half", encoding="utf-8")
    targets = [LearningTarget(id=i, title=i) for i in TARGET_IDS]
    _oneroster(tmp_path / "gradebook", results_table(EVIDENCE, targets, Mean()), 1)
    assert ["gradebook"] == [p.name for p in tmp_path.iterdir()]


def test_a_folder_with_other_files_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"'notes\.txt', which are not files of this"):
        _oneroster(tmp_path, [], 1)
    assert ["notes.txt"] == [p.name for p in tmp_path.iterdir()]


# -- SIS ids and names pass through; a column with no data is left out ---------------------------


def test_canvas_gradebook_export_carries_the_sis_ids_of_the_input() -> None:
    code, out, err = cli(
        "score", DATA / "canvas" / "outcome_results.csv", "--policy", "mean", "-q",
        "--format", "canvas-gradebook",
    )  # fmt: skip
    assert 0 == code, err
    rows = {row["Student ID"]: row for row in csv.DictReader(io.StringIO(out))}
    assert "S-2231" == rows["1042"]["Student SIS ID"]
    assert "N/A" == rows["1043"]["Student SIS ID"]  # blank in the input
    assert "Diaz, Rosa" == rows["1042"]["Student name"]


def test_grade_leaves_out_student_name_when_no_names_are_known() -> None:
    code, out, err = cli(
        "grade", DATA / "plain" / "evidence.csv", "--targets", DATA / "plain" / "targets.json",
        "--policy", "mean", "--converter", "marzano_2010", "-q",
    )  # fmt: skip
    assert 0 == code, err
    assert "student_id,letter,decided_by" == out.splitlines()[0]
    code, out, err = cli(
        "grade", DATA / "plain" / "evidence.csv", "--targets", DATA / "plain" / "targets.json",
        "--policy", "mean", "--converter", "marzano_2010", "-q", "--format", "json",
    )  # fmt: skip
    assert all("student_name" not in row for row in json.loads(out)["grades"])


def test_grade_keeps_student_name_when_the_input_names_students() -> None:
    code, out, err = cli(
        "grade", DATA / "canvas" / "outcome_results.csv", "--policy", "mean",
        "--converter", "marzano_2010", "-q",
    )  # fmt: skip
    assert 0 == code, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert "Diaz, Rosa" == rows[0]["student_name"]
