"""Reading a class from files in any format, and scoring it into a ResultTable for the writers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mastery_grading import Evidence, LearningTarget, ResultTable
from mastery_grading import io as mio
from mastery_grading.exceptions import BulkValidationError, DataFileError, InvalidValueError
from mastery_grading.io import read_evidence, read_targets
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
    with pytest.raises(BulkValidationError, match="target_id='X' is not a target") as caught:
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


# -- issue 14: every problem once, where it is; duplicates are a decision -------------------

_HEADER = "student_id,target_id,score,observed_at\n"


def test_read_evidence_reports_every_kind_of_problem_at_its_line_in_one_error(
    tmp_path: Path,
) -> None:
    """A bad timestamp, a duplicate, an unknown target and a score outside the scale: one
    error, each at its file:line:column, with its field."""
    path = tmp_path / "ev.csv"
    path.write_text(
        _HEADER
        + "ana,LE.1,3,2026-10-01T09:00:00Z\n"
        + "ana,LE.1,3,2026-10-01T09:00:00Z\n"
        + "ben,LE.1,2,yesterday\n"
        + "ben,LE.9,3,2026-10-02T09:00:00Z\n"
        + "ben,LE.2,5,2026-10-03T09:00:00Z\n",
        encoding="utf-8",
    )
    targets = tmp_path / "t.json"
    targets.write_text(
        '{"targets": [{"id": "LE.1", "title": "One"}, {"id": "LE.2", "title": "Two"}]}',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as caught:
        read_evidence(path, targets=read_targets(targets))
    found = [(p.line, p.column, p.field) for p in caught.value.problems]
    assert [(3, None, None), (4, 4, "observed_at"), (5, 2, "target_id"), (6, 3, "score")] == sorted(
        found, key=lambda item: item[0] or 0
    )
    assert all(p.source == str(path) for p in caught.value.problems)


@pytest.mark.parametrize("filler_rows", [0, 500])
def test_read_evidence_duplicates_error_drop_keep(tmp_path: Path, filler_rows: int) -> None:
    """The same on the row reader and on the columnar reader (a larger plain file)."""
    path = tmp_path / "ev.csv"
    filler = "".join(f"s{i},LE.2,1,2026-09-01T09:00:00Z\n" for i in range(filler_rows))
    path.write_text(
        _HEADER
        + "ana,LE.1,3,2026-10-01T09:00:00Z\n"
        + filler
        + "ana,LE.1,3.0,2026-10-01T11:00:00+02:00\n",
        encoding="utf-8",
    )
    last = filler_rows + 3
    with pytest.raises(DataFileError, match=f"at line 2 and line {last}") as caught:
        read_evidence(path)
    assert [last] == [p.line for p in caught.value.problems]
    assert filler_rows + 1 == len(read_evidence(path, duplicates="drop").evidence)
    assert filler_rows + 2 == len(read_evidence(path, duplicates="keep").evidence)


@pytest.mark.parametrize("duplicates", ["drop", "keep"])
def test_results_table_with_student_attributes_keeps_the_duplicates_choice(
    duplicates: str,
) -> None:
    target = LearningTarget(id="A", title="A")
    twice = [Evidence(student_id="ana", target_id="A", score=3, observed_at=WHEN)] * 2
    attributes = {"ana": {"grade_level": "7"}}
    table = mio.results_table(
        [
            *twice,
            Evidence(student_id="ana", target_id="A", score=1, observed_at=WHEN.replace(day=2)),
        ],
        [target],
        Mean(),
        student_attributes=attributes,
        duplicates=duplicates,  # type: ignore[arg-type]
    )
    expected = {"drop": 2.0, "keep": 7 / 3}[duplicates]
    assert dict(table.items())[("ana", "A")].value == pytest.approx(expected)
    with pytest.raises(BulkValidationError, match="duplicate"):
        mio.results_table(twice, [target], Mean(), student_attributes=attributes)
