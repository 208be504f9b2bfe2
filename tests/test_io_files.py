"""Files from the user's side: duplicate JSON keys, output order, stale temporary files, SIS ids.

Issue 14, problem 10 ("three holes in otherwise solid readers and writers") and the writer side
of problem 7 (SIS ids and names pass through; a column with no data is left out).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mastery_grading.cli import main
from mastery_grading.exceptions import DataFileError
from mastery_grading.io import read_case_package, read_targets, read_targets_json

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
