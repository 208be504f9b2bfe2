"""GradeTable: every student's letter from the result columns, equal to grade() per student."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import (
    Evidence,
    GapError,
    Gradebook,
    GradeTable,
    LearningTarget,
    Scale,
    policies,
)
from mastery_grading.examples import load_example_class
from mastery_grading.grades import (
    INCOMPLETE,
    NO_LETTER,
    AverageCutoffs,
    GradeGapWarning,
    RuleSet,
    grade,
)
from mastery_grading.testing.strategies import gradebook_evidence, rule_sets

ENGINES: list[Any] = ["python", "numpy"]

AVERAGES: list[Any] = [
    AverageCutoffs.marzano_2010(),
    AverageCutoffs.rutland(),
    AverageCutoffs.marzano_2010(missing="not_yet"),
    AverageCutoffs.marzano_2010(missing="exclude", weighted=True),
    AverageCutoffs.rutland(missing="exclude"),
]
RULE_SETS: list[Any] = [
    RuleSet.sbgrader2(),
    RuleSet.sbgrader2(missing="not_yet"),
    RuleSet.powerschool_forum(missing="exclude"),  # a 1-4 rule set: refused on 0-4 targets
    RuleSet.powerschool_forum(scale=Scale.marzano(), missing="not_yet"),  # gaps on 0-4
    RuleSet.talbert_mth201(missing="not_yet"),
]
POLICIES = [policies.Mean(), policies.MostRecent(), policies.DecayingAverage()]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "numpy":
        pytest.importorskip("numpy")
    return request.param


def expected_rows(
    book: Gradebook, policy: Any, converter: Any, exempt: Any = ()
) -> dict[str, tuple[Any, str]]:
    """What grade() gives each student's rows of the same result table, one call each.

    A gap gives no letter (``on_gap="ignore"``), as in the table; ``exempt`` are pairs.
    """
    table = book.results(policy)
    out = {}
    for student, results in table.by_student().items():
        mine = {target for who, target in exempt if who == student}
        report = grade(results, converter, exempt=mine, on_gap="ignore")
        letter = None if report.letter in (INCOMPLETE, NO_LETTER) else report.letter
        out[student] = (letter, report.decided_by)
    return out


def actual_rows(table: GradeTable[Any]) -> dict[str, tuple[Any, str]]:
    return {row["student_id"]: (row["letter"], row["reason"]) for row in table.records()}


def safe_expected(book: Gradebook, policy: Any, converter: Any, exempt: Any = ()) -> Any:
    try:
        return expected_rows(book, policy, converter, exempt)
    except ValueError as error:  # scales of different ranges, a rule set's other scale
        return type(error), str(error)


def safe_actual(book: Gradebook, policy: Any, converter: Any, exempt: Any = ()) -> Any:
    try:
        table = book.grades(converter, policy=policy, exempt=exempt, on_gap="ignore")
        return actual_rows(table)
    except ValueError as error:
        return type(error), str(error)


@pytest.mark.parametrize("converter", AVERAGES + RULE_SETS, ids=repr)
@pytest.mark.parametrize("policy", POLICIES, ids=repr)
def test_letters_and_reasons_equal_grade_per_student_on_the_example_class(
    engine: Any, policy: Any, converter: Any
) -> None:
    example = load_example_class()
    book = Gradebook.from_evidence(example.evidence, targets=example.targets, engine=engine)
    assert safe_expected(book, policy, converter) == safe_actual(book, policy, converter)


def test_grade_table_shape_columns_and_reports(engine: Any) -> None:
    example = load_example_class()
    book = Gradebook.from_evidence(example.evidence, targets=example.targets, engine=engine)
    table = book.grades(AverageCutoffs.marzano_2010(), policy=policies.Mean())
    assert len(example.student_ids) == len(table) == len(table.records())
    assert example.student_ids == table.student_ids
    report = table.report("devon")
    assert report == table["devon"]
    assert table.letters()["devon"] == report.letter
    assert "devon" in table
    assert "nobody" not in table
    with pytest.raises(KeyError):
        table.report("nobody")
    assert len(repr(table)) < 120
    frame = table.to_pandas()
    assert ["student_id", "letter", "reason", "average"] == list(frame.columns)
    assert len(example.student_ids) == len(frame)
    rules = book.grades(RuleSet.sbgrader2(), policy=policies.Mean()).to_pandas()
    assert ["student_id", "letter", "reason"] == list(rules.columns)


def test_the_average_column_is_the_exact_average_rounded_once(engine: Any) -> None:
    targets = [LearningTarget(id=f"T{i}", title=f"T{i}") for i in range(3)]
    # 8/3, 8/3 and 11/3 average exactly 3.0 (an A), though the floats sum below 9
    scores = {"T0": [2.0, 3.0, 3.0], "T1": [2.0, 3.0, 3.0], "T2": [3.0, 4.0, 4.0]}
    evidence = [
        Evidence(student_id="s", target_id=t, score=x, observed_at=START.replace(day=1 + i))
        for t, xs in scores.items()
        for i, x in enumerate(xs)
    ]
    book = Gradebook.from_evidence(evidence, targets=targets, engine=engine, duplicates="keep")
    row = book.grades(AverageCutoffs.marzano_2010(), policy=policies.Mean()).records()[0]
    assert {"student_id": "s", "letter": "A", "average": 3.0} == {
        k: row[k] for k in ("student_id", "letter", "average")
    }
    assert "3.0 lies in [3.0, ∞): A" in row["reason"]


def test_incomplete_students_have_no_letter_and_say_why(engine: Any) -> None:
    targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
    evidence = [
        Evidence(student_id="s1", target_id="A", score=3.0, observed_at=START),
        Evidence(student_id="s2", target_id="A", score=2.0, observed_at=START),
        Evidence(student_id="s2", target_id="B", score=4.0, observed_at=START),
    ]
    book = Gradebook.from_evidence(evidence, targets=targets, engine=engine, duplicates="keep")
    table = book.grades(AverageCutoffs.marzano_2010(), policy=policies.Mean())
    assert {"s1": None, "s2": "A"} == table.letters()
    assert [None, 3.0] == [row["average"] for row in table.records()]
    assert "no result yet on 'B'" in table.records()[0]["reason"]
    assert INCOMPLETE == table["s1"].letter


def test_a_student_in_a_rule_set_gap_gets_no_letter_and_the_class_its_grades(engine: Any) -> None:
    """Issue 14 (a behaviour change): a gap no longer stops the class; on_gap="raise" does."""
    only_a = RuleSet.first_match(
        *[rule for rule in RuleSet.sbgrader2().rules if rule.letter == "A"]
    )
    targets = [LearningTarget(id="A", title="A")]
    evidence = [
        Evidence(student_id="s1", target_id="A", score=4.0, observed_at=START),
        Evidence(student_id="s2", target_id="A", score=1.0, observed_at=START),
    ]
    book = Gradebook.from_evidence(evidence, targets=targets, engine=engine)
    with pytest.warns(GradeGapWarning, match="1 student of 2 got no letter") as caught:
        table = book.grades(only_a, policy=policies.Mean())
    assert 1 == len(caught)
    assert {"s1": "A", "s2": None} == table.letters()
    assert ("s2",) == table.no_letter
    assert "no rule covers: 1 target in [0.0, 2.0)" == table.records()[1]["reason"]
    assert NO_LETTER == table["s2"].letter
    assert safe_expected(book, policies.Mean(), only_a) == safe_actual(
        book, policies.Mean(), only_a
    )
    with pytest.raises(GapError, match=r"no rule gives a letter to the values 1\.0"):
        book.grades(only_a, policy=policies.Mean(), on_gap="raise")


def test_both_engines_give_equal_rows_with_the_student_id() -> None:
    pytest.importorskip("numpy")
    example = load_example_class()
    rows = {}
    for engine in ENGINES:
        book = Gradebook.from_evidence(example.evidence, targets=example.targets, engine=engine)
        table = book.results(policies.MostRecent())
        rows[engine] = [
            (r.student_id, r.target.id, r.value, r.reason, r.evidence_count) for r in table
        ]
        assert [s for s in example.student_ids for _ in example.targets] == [
            row[0] for row in rows[engine]
        ]
        by_student = table.by_student()
        assert all(r.student_id == s for s, rs in by_student.items() for r in rs)
        assert "ana" == table.explain("ana", "LE.1").student_id
        empty = [r for r in table if r.value is None]
        assert all(r.student_id is not None for r in empty)
    assert rows["python"] == rows["numpy"]


def test_a_policy_per_target_equals_each_policy_on_its_targets(engine: Any) -> None:
    example = load_example_class()
    book = Gradebook.from_evidence(example.evidence, targets=example.targets, engine=engine)
    chosen = {
        t.id: [policies.Mean(), policies.MostRecent(), policies.Highest()][i % 3]
        for i, t in enumerate(example.targets)
    }
    mixed = book.results(chosen).records()
    for policy in set(chosen.values()):
        alone = book.results(policy).records()
        for want, got in zip(alone, mixed, strict=True):
            if chosen[want["target_id"]] == policy:
                assert want == got
    assert policies.Highest() == book.results(chosen).policy_of(example.targets[2].id)


def test_a_policy_mapping_must_name_exactly_the_targets() -> None:
    book = Gradebook(targets=[LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")])
    with pytest.raises(ValueError, match=r"no policy for the targets \['B'\]"):
        book.results({"A": policies.Mean()})
    with pytest.raises(ValueError, match=r"names targets \['C'\]"):
        book.results({"A": policies.Mean(), "B": policies.Mean(), "C": policies.Mean()})
    with pytest.raises(TypeError, match=r"policy\['B'\]=3 must be a Policy"):
        book.results({"A": policies.Mean(), "B": 3})  # type: ignore[dict-item]


CONVERTERS = st.sampled_from(AVERAGES + RULE_SETS)
SHARED = st.sampled_from([Scale.marzano(), Scale.percent()])


@st.composite
def one_scale_gradebooks(draw: st.DrawFn) -> tuple[list[LearningTarget], list[Evidence]]:
    """A generated gradebook whose targets share one scale, sometimes weighted or tagged core."""
    targets, evidence = draw(gradebook_evidence(max_students=6, max_targets=4, max_size=40))
    scale = Scale.marzano()
    shared = [
        LearningTarget(
            id=t.id,
            title=t.title,
            scale=scale,
            weight=draw(st.sampled_from([1, 2])),
            tags=draw(st.sampled_from([(), ("core",)])),
        )
        for t in targets
    ]
    low, high = scale.min, scale.max
    rescaled = [
        Evidence(
            student_id=e.student_id,
            target_id=e.target_id,
            score=min(high, max(low, round(e.score * 2) / 2)),
            observed_at=e.observed_at,
        )
        for e in evidence
    ]
    return shared, rescaled


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    book=one_scale_gradebooks(),
    converter=CONVERTERS | rule_sets(),
    policy=st.sampled_from(POLICIES),
    engine=st.sampled_from(ENGINES),
    data=st.data(),
)
def test_generated_gradebooks_grade_like_grade_per_student(
    book: tuple[list[LearningTarget], list[Evidence]],
    converter: Any,
    policy: Any,
    engine: Any,
    data: st.DataObject,
) -> None:
    """Letters and reasons equal grade() per student, with gaps (random rule sets have them)
    and random exemptions, on the vectorized paths (averages, rule-set bands) and the others."""
    pytest.importorskip("numpy")
    targets, evidence = book
    gradebook = Gradebook.from_evidence(evidence, targets=targets, engine=engine, duplicates="keep")
    cells = sorted({(e.student_id, t.id) for e in evidence for t in targets})
    exempt = data.draw(
        st.lists(st.sampled_from(cells), max_size=4, unique=True) if cells else st.just([])
    )
    assert safe_expected(gradebook, policy, converter, exempt) == safe_actual(
        gradebook, policy, converter, exempt
    )
