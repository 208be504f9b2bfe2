"""Issue 14, problem 5: grades never crash a class.

From the user's side: a student in a rule-set gap gets no letter (with the reason) while the
class gets its grades; exemptions are per student and per target, distinct from missing
evidence; a converter refuses targets on another scale, naming both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from helpers import START
from mastery_grading import (
    Evidence,
    GapError,
    Gradebook,
    GradeGapWarning,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    OverlapError,
    Scale,
    policies,
)
from mastery_grading.grades import (
    INCOMPLETE,
    NO_LETTER,
    AverageCutoffs,
    LetterRule,
    RuleSet,
    grade,
    no_target_below,
    results_from_scores,
    some_target_below,
)

ENGINES: list[Any] = ["python", "numpy"]

#: P when no target is below 3, else nothing: every profile with a target below 3 is a gap.
ONLY_P = RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]))


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "numpy":
        pytest.importorskip("numpy")
    return request.param


def book_of(scores: dict[tuple[str, str], float], engine: Any, *, targets: Any = None) -> Gradebook:
    chosen = targets or [LearningTarget(id=t, title=t) for t in ("A", "B", "C")]
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=START)
        for (s, t), x in scores.items()
    ]
    return Gradebook.from_evidence(evidence, targets=chosen, engine=engine)


# -- gaps ---------------------------------------------------------------------------------------


def test_a_class_with_students_in_a_gap_gets_every_row_and_one_warning(engine: Any) -> None:
    book = book_of(
        {
            ("ana", "A"): 3.0,
            ("ana", "B"): 4.0,
            ("ben", "A"): 2.0,
            ("ben", "B"): 4.0,
            ("cy", "A"): 1.0,
            ("cy", "B"): 3.5,
        },
        engine,
        targets=[LearningTarget(id=t, title=t) for t in ("A", "B")],
    )
    with pytest.warns(GradeGapWarning) as caught:
        table = book.grades(ONLY_P, policy=policies.Mean())
    assert ["2 students of 3 got no letter"] == [str(w.message)[:29] for w in caught]
    assert {"ana": "P", "ben": None, "cy": None} == table.letters()
    assert ("ben", "cy") == table.no_letter
    reasons = {row["student_id"]: row["reason"] for row in table.records()}
    assert "no rule covers: 1 target in [3.0, 4.0], 1 target in [0.0, 3.0)" == reasons["ben"]
    assert reasons["ben"] == reasons["cy"]  # the same profile as the rule set sees it
    report = table["ben"]
    assert (NO_LETTER, reasons["ben"]) == (report.letter, report.decided_by)
    assert report.next_steps().goal is None
    assert "no letter" in str(report.next_steps())


def test_on_gap_raise_keeps_the_old_behaviour_and_ignore_is_silent(engine: Any) -> None:
    targets = [LearningTarget(id="A", title="A")]
    book = book_of({("ana", "A"): 3.0, ("ben", "A"): 2.0}, engine, targets=targets)
    with pytest.raises(GapError, match=r"no rule gives a letter to the values 2\.0"):
        book.grades(ONLY_P, policy=policies.Mean(), on_gap="raise")
    with pytest.raises(GapError):
        book.results(policies.Mean()).grades(ONLY_P, on_gap="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = book.grades(ONLY_P, policy=policies.Mean(), on_gap="ignore")
    assert {"ana": "P", "ben": None} == table.letters()
    with pytest.raises(InvalidValueError, match=r"on_gap='skip' must be one of"):
        book.grades(ONLY_P, on_gap="skip")  # type: ignore[call-overload]


def test_grade_for_one_student_raises_unless_on_gap_is_given() -> None:
    results = results_from_scores({"A": 3.5, "B": 1.0})
    with pytest.raises(GapError):
        grade(results, ONLY_P)
    with pytest.warns(GradeGapWarning, match="1 student got no letter"):
        report = grade(results, ONLY_P, on_gap="warn")
    assert NO_LETTER == report.letter
    assert report.decided_by.startswith("no rule covers: ")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert NO_LETTER == grade(results, ONLY_P, on_gap="ignore").letter


def test_an_overlap_of_an_unordered_rule_set_gets_no_letter_with_both_letters_named() -> None:
    both = RuleSet.unordered(
        LetterRule(letter="P", conditions=[no_target_below(3)]), LetterRule(letter="N")
    )
    results = results_from_scores({"A": 3.5})
    with pytest.raises(OverlapError):
        grade(results, both)
    report = grade(results, both, on_gap="ignore")
    assert (NO_LETTER, "the rules of 'P' and 'N' all hold for: 1 target in [3.0, 4.0]") == (
        report.letter,
        report.decided_by,
    )


def test_a_gap_reason_names_the_tag_groups() -> None:
    core = LearningTarget(id="K", title="K", tags=("core",))
    rules = RuleSet.first_match(
        LetterRule(letter="P", conditions=[no_target_below(3, tag="core")]),
        LetterRule(letter="N", conditions=[some_target_below(1, tag="core")]),
    )
    results = results_from_scores({core: 2.0, "O": 4.0})
    report = grade(results, rules, on_gap="ignore")
    assert "no rule covers: not core: 1 target in [3.0, 4.0]; core: 1 target in [1.0, 3.0)" == (
        report.decided_by
    )


# -- exemptions ---------------------------------------------------------------------------------


def test_exempt_and_missing_coexist_in_one_converter_run(engine: Any) -> None:
    """ana is exempt from B; ben simply has no evidence on B yet: only ben is Incomplete."""
    book = book_of(
        {("ana", "A"): 3.0, ("ana", "C"): 4.0, ("ben", "A"): 3.0, ("ben", "C"): 4.0}, engine
    )
    converter = AverageCutoffs.marzano_2010()  # missing="incomplete"
    table = book.grades(converter, policy=policies.Mean(), exempt={("ana", "B")})
    assert {"ana": "A", "ben": None} == table.letters()
    assert [3.5, None] == [row["average"] for row in table.records()]
    assert "no result yet on 'B'" in table.records()[1]["reason"]
    assert ("B",) == table["ana"].exempt
    assert () == table["ben"].exempt
    assert frozenset({"B"}) == table.exempt_of("ana")
    shown = str(table["ana"])
    assert "B  -  exempt  [exempt; left out]" in shown
    not_yet = book.grades(
        AverageCutoffs.marzano_2010(missing="not_yet"),
        policy=policies.Mean(),
        exempt={"ana": ["B"]},
    )
    # exempt is never counted as 0; missing counts as not yet (0.0)
    assert [3.5, 7 / 3] == [row["average"] for row in not_yet.records()]


def test_an_exempt_target_is_left_out_even_with_evidence(engine: Any) -> None:
    scores = {("ana", "A"): 4.0, ("ana", "B"): 0.0, ("ben", "A"): 4.0, ("ben", "B"): 0.0}
    book = book_of(scores, engine, targets=[LearningTarget(id=t, title=t) for t in ("A", "B")])
    for converter in (AverageCutoffs.marzano_2010(), RuleSet.sbgrader2(), ONLY_P):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GradeGapWarning)
            table = book.grades(converter, policy=policies.Mean(), exempt=[("ana", "B")])
        letters = table.letters()
        assert letters["ana"] == converter.letters[0], converter
        assert letters["ana"] != letters["ben"], converter
        for student in ("ana", "ben"):
            results = book.results(policies.Mean()).student_results(student)
            mine = {"B"} if student == "ana" else set()
            expected = grade(results, converter, exempt=mine, on_gap="ignore")
            assert table[student] == expected


def test_the_next_steps_of_an_incomplete_grade_skip_exempt_targets() -> None:
    results = results_from_scores({"A": 3.0, "B": None, "C": None})
    report = grade(results, AverageCutoffs.marzano_2010(), exempt={"B"})
    assert INCOMPLETE == report.letter
    assert ["C"] == [step.target.id for step in report.next_steps()]


def test_exemptions_are_checked(engine: Any) -> None:
    book = book_of({("ana", "A"): 3.0}, engine)
    converter = AverageCutoffs.marzano_2010()
    with pytest.raises(InvalidValueError, match="exempt names the target 'Z'"):
        book.grades(converter, exempt={("ana", "Z")})
    with pytest.raises(InvalidValueError, match="exempt names the student 'zed'"):
        book.grades(converter, exempt={("zed", "A")})
    with pytest.raises(InvalidTypeError, match="must be a \\(student_id, target_id\\) pair"):
        book.grades(converter, exempt=["ana"])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match=r"names \['Z'\], which are not targets"):
        grade(results_from_scores({"A": 3.0}), converter, exempt={"Z"})
    with pytest.raises(InvalidTypeError, match="collection of target ids, not a str"):
        grade(results_from_scores({"A": 3.0}), converter, exempt="A")


# -- scales -------------------------------------------------------------------------------------


def test_a_rule_set_refuses_targets_on_another_scale_naming_both(engine: Any) -> None:
    """A 0-4 target under a 1-4 rule set was graded with the wrong level names."""
    targets = [LearningTarget(id="LE.1", title="Equations", scale=Scale.marzano())]
    book = book_of({("ana", "LE.1"): 3.0}, engine, targets=targets)
    message = (
        r"target 'LE.1' is on the scale \[0.0, 4.0\] \(not yet 0.0, approaching 2.0, meets 3.0, "
        r"exceeds 4.0\), but the rule set's scale is \[1.0, 4.0\] \(beginning 1.0, developing "
        r"2.0, proficient 3.0, advanced 4.0\)"
    )
    with pytest.raises(InvalidValueError, match=message):
        book.grades(RuleSet.powerschool_forum(), policy=policies.Mean())
    with pytest.raises(InvalidValueError, match=message):
        grade(book.results(policies.Mean()).student_results("ana"), RuleSet.powerschool_forum())
    one_to_four = RuleSet.powerschool_forum().scale
    same = [LearningTarget(id="LE.1", title="Equations", scale=one_to_four)]
    table = book_of({("ana", "LE.1"): 3.0}, engine, targets=same).grades(
        RuleSet.powerschool_forum(), policy=policies.Mean()
    )
    assert {"ana": "B"} == table.letters()
    assert "proficient" == table["ana"].lines[0].level


def test_average_cutoffs_refuse_targets_on_a_scale_no_cutoff_lies_on(engine: Any) -> None:
    book = book_of({("ana", "A"): 3.0}, engine)
    with pytest.raises(InvalidValueError, match=r"target 'A' is on the scale \[0.0, 4.0\], but no"):
        book.grades(AverageCutoffs.percent(), policy=policies.Mean())
    percent = [LearningTarget(id="A", title="A", scale=Scale.percent())]
    table = book_of({("ana", "A"): 91.0}, engine, targets=percent).grades(
        AverageCutoffs.percent(), policy=policies.Mean()
    )
    assert {"ana": "A"} == table.letters()


# -- the command line -----------------------------------------------------------------------


def test_the_grade_command_gives_every_student_a_row_when_some_are_in_a_gap(
    tmp_path: Path,
) -> None:
    data = Path(__file__).parent / "data" / "plain"
    spec = tmp_path / "only_p.json"
    spec.write_text(json.dumps({**ONLY_P.to_spec(), "missing": "exclude"}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mastery_grading.cli", "grade", str(data / "evidence.csv"),
         "--targets", str(data / "targets.json"), "--policy", "most_recent",
         "--converter", f"@{spec}", "--format", "json"],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr
    rows = json.loads(done.stdout)["grades"]
    gaps = [row for row in rows if row["letter"] is None]
    assert gaps, rows
    assert all(row["decided_by"].startswith("no rule covers: ") for row in gaps)
    assert f"warning: {len(gaps)} student" in done.stderr
