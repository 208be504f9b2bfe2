"""Reading a class from files in any format, and scoring it into a ResultTable for the writers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mastery_grading import Evidence, LearningTarget, ResultTable
from mastery_grading import io as mio
from mastery_grading.exceptions import BulkValidationError, InvalidValueError
from mastery_grading.policies import Mean, MostRecent

DATA = Path(__file__).parent / "data"
WHEN = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DATA / "plain" / "evidence.csv", "plain"),
        (DATA / "canvas" / "outcome_results.csv", "canvas"),
        (DATA / "canvas" / "outcome_results_semicolon_bom.csv", "canvas"),
    ],
)
def test_read_evidence_tells_the_format_from_the_file(path: Path, expected: str) -> None:
    assert expected == mio.read_evidence(path).format


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (DATA / "canvas" / "outcomes.csv", "canvas-outcomes"),
        (DATA / "case" / "package.json", "case"),
        (DATA / "plain" / "targets.json", "json"),
    ],
)
def test_read_targets_tells_the_format_from_the_file(path: Path, expected: str) -> None:
    assert expected == mio.read_targets(path).format


def test_a_oneroster_package_is_read_as_evidence(tmp_path: Path) -> None:
    target = LearningTarget(id="A", title="A")
    evidence = [Evidence(student_id="ana", target_id="A", score=3, observed_at=WHEN)]
    mio.write_oneroster(
        tmp_path,
        mio.results_table(evidence, [target], Mean()),
        class_id="c",
        school_id="s",
        category_id="k",
        academic_session_id="t",
        score_date=WHEN.date(),
    )
    found = mio.read_evidence(tmp_path)
    assert ("oneroster", ["A"]) == (found.format, [t.id for t in found.targets])


def test_results_table_adds_roster_students_and_a_policy_per_target() -> None:
    targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
    evidence = [
        Evidence(student_id="ana", target_id="A", score=s, observed_at=WHEN.replace(day=d))
        for d, s in [(1, 1.0), (2, 4.0)]
    ]
    table = mio.results_table(evidence, targets, {"A": Mean(), "B": MostRecent()}, students=["ben"])
    assert isinstance(table, ResultTable)
    assert [("ana", "A", 2.5), ("ana", "B", None), ("ben", "A", None), ("ben", "B", None)] == [
        (student, target, result.value) for (student, target), result in table.items()
    ]
    assert ["mean", "most_recent", "mean", "most_recent"] == [
        r.policy.spec_name  # type: ignore[attr-defined]
        for r in table
    ]


@pytest.mark.parametrize("engine", ["numpy", "python"])
def test_both_engines_give_the_same_results_csv(engine: str) -> None:
    found = mio.read_evidence(DATA / "plain" / "evidence.csv")
    expected = mio.results_csv_text(
        mio.results_table(found.evidence, found.targets, Mean(), engine="python")
    )
    table = mio.results_table(found.evidence, found.targets, Mean(), engine=engine)  # type: ignore[arg-type]
    assert expected == mio.results_csv_text(table)


def test_results_table_names_unknown_targets_and_targets_without_policy() -> None:
    evidence = [Evidence(student_id="ana", target_id="X", score=3, observed_at=WHEN)]
    with pytest.raises(BulkValidationError, match="'X', which is not defined") as caught:
        mio.results_table(evidence, [LearningTarget(id="A", title="A")], {})
    assert "target 'A' has no policy" in str(caught.value)


def test_a_result_without_its_student_is_refused_by_the_writers() -> None:
    empty = Mean().evaluate([], LearningTarget(id="A", title="A"))
    with pytest.raises(InvalidValueError, match="student_id=None"):
        mio.results_csv_text([empty])


def test_the_deprecated_scorer_warns_and_still_pairs_students_with_results() -> None:
    with pytest.warns(DeprecationWarning, match="deprecated"):
        found = mio.score_evidence([], [LearningTarget(id="A", title="A")], Mean(), students=["a"])
    assert [("a", "no evidence")] == [(r.student_id, r.result.reason) for r in found]
