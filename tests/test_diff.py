"""Issue 19: Gradebook.diff tells a district whose levels and letters change, and in which group.

Worked examples on the bundled class (the mean against the decaying average), the bad inputs of
the issue (the same rule twice, a group column missing for some students), students without a
letter, and properties over random classes: the transitions count every student once, a rule
against itself changes nothing, swapping the rules transposes the matrix, and the letters are
those of ``Gradebook.grades``.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import (
    Evidence,
    Gradebook,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Policy,
    PolicyDiff,
    policies,
)
from mastery_grading.examples import load_example_class
from mastery_grading.gradebook import DIFF_COLUMNS
from mastery_grading.grades import (
    INCOMPLETE,
    NO_LETTER,
    AverageCutoffs,
    LetterRule,
    RuleSet,
    no_target_below,
)

pd = pytest.importorskip("pandas")

MARZANO = AverageCutoffs.marzano_2010()
#: P when no target is below 3, else nothing: every profile with a target below 3 is a gap.
ONLY_P = RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]))


@pytest.fixture(scope="module")
def book() -> Gradebook:
    example = load_example_class()
    return Gradebook.from_evidence(example.evidence, targets=example.targets)


def evidence_of(scores: dict[tuple[str, str], list[float]]) -> list[Evidence]:
    return [
        Evidence(
            student_id=student,
            target_id=target,
            score=score,
            observed_at=START + timedelta(days=day),
        )
        for (student, target), history in scores.items()
        for day, score in enumerate(history)
    ]


def small_book(scores: dict[tuple[str, str], list[float]], **options: Any) -> Gradebook:
    targets = sorted({target for _, target in scores})
    return Gradebook.from_evidence(
        evidence_of(scores),
        targets=[LearningTarget(id=t, title=t) for t in targets],
        **options,
    )


# -- worked examples on the bundled class ----------------------------------------------------


def test_mean_to_decaying_average_moves_three_students_up_a_letter_or_two(book: Gradebook) -> None:
    diff = book.diff(policies.Mean(), policies.DecayingAverage(), MARZANO)
    assert ("chloe", "devon", "farid") == diff.changed
    expected = pd.DataFrame(
        [[2, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0] * 5],
        index=pd.Index(list("ABCDF"), name="before"),
        columns=pd.Index(list("ABCDF"), name="after"),
    )
    pd.testing.assert_frame_equal(expected, diff.transitions, check_dtype=False)
    row = diff.by_group.iloc[0]
    assert ("all", 8, 3, 3, 0) == (
        row["group"],
        row["students"],
        row["changed"],
        row["up"],
        row["down"],
    )
    assert 4 / 8 == row["mean_letter_change"]  # chloe +1, devon +2, farid +1


def test_the_targets_that_moved_a_student_are_those_whose_level_changed(book: Gradebook) -> None:
    diff = book.diff(policies.Mean(), policies.DecayingAverage(), MARZANO)
    assert {
        "chloe": ("LE.3",),
        "devon": ("LE.1", "LE.2", "LE.3", "LE.4", "LE.5"),
        "farid": ("LE.3", "LE.4", "LE.5"),
    } == diff.moved_by
    chloe = diff.student_records()[2]
    assert ("C", "B", 1, True) == (
        chloe["letter_before"],
        chloe["letter_after"],
        chloe["letter_change"],
        chloe["changed"],
    )
    assert "LE.3: not yet → approaching" == chloe["moved_by"]
    assert chloe["reason_before"].startswith("average 2.1466")


def test_a_letter_moved_by_values_alone_names_the_targets_whose_value_changed() -> None:
    # one target, levels unchanged (both "approaching"), yet the average crosses 2.5: C -> B
    book = small_book({("ana", "T"): [2.0, 2.0, 2.0, 2.75]})
    diff = book.diff(policies.Mean(), policies.MostRecent(), MARZANO)
    assert ("ana",) == diff.changed
    assert {"ana": ("T",)} == diff.moved_by
    assert "T: 2.1875 → 2.75" == diff.student_records()[0]["moved_by"]


def test_without_a_converter_the_diff_is_of_levels(book: Gradebook) -> None:
    diff = book.diff(policies.Mean(), policies.DecayingAverage())
    assert not diff.has_letters
    assert diff.transitions is None
    assert ("ben", "chloe", "devon", "farid", "hugo") == diff.changed
    moves = diff.level_transitions
    assert 40 == int(moves.to_numpy().sum())
    assert 9 == int(moves.loc["approaching", "meets"])
    assert 2 == int(moves.loc["not yet", "approaching"])
    assert "up" not in diff.by_group.columns
    assert 11 == int(diff.by_group.iloc[0]["levels_up"])


def test_records_give_value_level_and_change_per_student_and_target(book: Gradebook) -> None:
    diff = book.diff(policies.Mean(), policies.MostRecent())
    records = diff.records()
    assert 40 == len(records)
    assert list(DIFF_COLUMNS) == list(records[0])
    devon = records[15]
    assert ("devon", "LE.1", 2.4, 4.0, "approaching", "exceeds", 2) == (
        devon["student_id"],
        devon["target_id"],
        devon["value_before"],
        devon["value_after"],
        devon["level_before"],
        devon["level_after"],
        devon["level_change"],
    )
    assert 4.0 - 2.4 == devon["value_change"]
    frame = diff.to_pandas()
    assert list(DIFF_COLUMNS) == list(frame.columns)
    assert records == [
        {
            k: (None if (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v)
            for k, v in row.items()
        }
        for row in frame.to_dict("records")
    ]


def test_two_converters_under_one_policy_move_nobody_through_a_target(book: Gradebook) -> None:
    diff = book.diff(MARZANO, RuleSet.sbgrader2())
    assert "DecayingAverage(rate=0.65)" == diff.policy
    assert all(() == targets for targets in diff.moved_by.values())
    assert any("only the converter changes" in note for note in diff.notes)
    grades_before = book.grades(MARZANO).letters()
    grades_after = book.grades(RuleSet.sbgrader2()).letters()
    assert tuple(s for s in grades_before if grades_before[s] != grades_after[s]) == diff.changed


def test_a_policy_per_target_changes_only_that_targets_cells(book: Gradebook) -> None:
    mixed: dict[str, Policy] = {t.id: policies.Mean() for t in book.targets.values()}
    mixed["LE.1"] = policies.MostRecent()
    diff = book.diff(policies.Mean(), mixed)
    moved = {r["target_id"] for r in diff.records() if r["value_change"] not in (None, 0.0)}
    assert {"LE.1"} == moved
    assert "LE.1: MostRecent(); LE.2: Mean(weighted=True)" in diff.after


def test_the_html_names_the_rules_counts_the_changes_and_lists_the_students(
    book: Gradebook,
) -> None:
    diff = book.diff(policies.Mean(), policies.DecayingAverage(), MARZANO, by={"devon": "P2"})
    fragment = diff._repr_html_()
    assert fragment.startswith('<div class="mastery-grading-diff">')
    assert "<b>3 of 8 students</b> change letter: 3 up, 0 down." in fragment
    assert "<th>devon</th><td>P2</td><td>C</td><td>A</td>" in fragment
    assert '<span class="badge up">1</span>' in fragment
    page = diff.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Switching from Mean(weighted=True) to DecayingAverage(rate=0.65)</title>" in page


def test_the_html_lists_the_first_200_students_who_change_and_counts_the_rest() -> None:
    book = small_book({(f"s{i:03d}", "T"): [1.0, 4.0] for i in range(201)})
    fragment = book.diff(policies.Mean(), policies.MostRecent(), MARZANO)._repr_html_()
    assert "<b>201 of 201 students</b> change letter: 201 up, 0 down." in fragment
    assert "<th>s199</th>" in fragment
    assert "<th>s200</th>" not in fragment
    assert "... and 1 more: PolicyDiff.by_student() lists every student." in fragment


def test_plot_draws_the_heat_map_and_the_group_bars(book: Gradebook) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    diff = book.diff(policies.Mean(), policies.DecayingAverage(), MARZANO, by={"ana": "P1"})
    figure = diff.plot()
    try:
        heat, bars = figure.axes[:2]
        assert "Letters of the students" == heat.get_title()
        assert ["P1", "(missing)"] == [t.get_text() for t in bars.get_yticklabels()]
    finally:
        plt.close(figure)


def test_the_reference_engine_gives_the_same_diff(book: Gradebook) -> None:
    example = load_example_class()
    reference = Gradebook.from_evidence(example.evidence, targets=example.targets, engine="python")
    rules: tuple[Any, ...] = (policies.Mean(), policies.DecayingAverage(), MARZANO)
    expected, found = book.diff(*rules), reference.diff(*rules)

    def letters(diff: PolicyDiff) -> list[tuple[Any, ...]]:  # reasons show values within 1e-9
        keys = ("student_id", "letter_before", "letter_after", "changed", "moved_by")
        return [tuple(row[key] for key in keys) for row in diff.student_records()]

    assert letters(expected) == letters(found)
    assert [
        {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
        for row in expected.records()
    ] == [
        {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
        for row in found.records()
    ]


# -- bad input -------------------------------------------------------------------------------


def test_the_same_rule_twice_gives_an_empty_diff_with_a_note(book: Gradebook) -> None:
    diff = book.diff(policies.Mean(), policies.Mean(), MARZANO)
    assert () == diff.changed
    assert {} == diff.moved_by
    assert ("before and after are the same (Mean(weighted=True)): nothing changes",) == diff.notes
    matrix = diff.transitions.to_numpy()
    assert int(matrix.trace()) == int(matrix.sum()) == 8


def test_a_group_column_missing_for_some_students_counts_them_in_missing() -> None:
    book = small_book(
        {("ana", "T"): [1.0, 4.0], ("ben", "T"): [1.0, 4.0], ("cy", "T"): [3.0]},
        student_attributes={"section": {"ana": "P1"}},
    )
    diff = book.diff(policies.Mean(), policies.MostRecent(), MARZANO, by="section")
    assert ("P1", "(missing)") == diff.groups
    table = diff.by_group.set_index("group")
    assert (1, 2) == (table.loc["P1", "students"], table.loc["(missing)", "students"])
    assert (1, 1) == (table.loc["P1", "changed"], table.loc["(missing)", "changed"])
    assert "2 students have no group in by: counted in the group '(missing)'" in diff.notes
    assert "(missing)" == diff.student_records()[1]["group"]


def test_a_student_in_two_sections_counts_in_both() -> None:
    book = small_book({("ana", "T"): [1.0, 4.0], ("ben", "T"): [3.0]})
    by = pd.Series({"ana": ["P1", "P2"], "ben": "P2"})
    diff = book.diff(policies.Mean(), policies.MostRecent(), MARZANO, by=by)
    assert [1, 2] == diff.by_group["students"].tolist()
    assert [1, 1] == diff.by_group["changed"].tolist()
    assert 1 == int(diff.transitions_of("P1").loc["B", "A"])
    assert "P1; P2" == diff.student_records()[0]["group"]
    with pytest.raises(KeyError):
        diff.transitions_of("P9")


def test_a_frame_column_with_one_value_per_student_is_a_group() -> None:
    frame = pd.DataFrame(
        {
            "student_id": ["ana", "ana", "ben"],
            "target_id": ["T", "T", "T"],
            "score": [1.0, 4.0, 3.0],
            "observed_at": pd.to_datetime(["2026-10-01", "2026-10-08", "2026-10-01"], utc=True),
            "school": ["North", "North", "South"],
        }
    )
    book = Gradebook.from_frame(frame, targets=[LearningTarget(id="T", title="T")])
    diff = book.diff(policies.Mean(), policies.MostRecent(), by="school")
    assert ["North", "South"] == diff.by_group["group"].tolist()
    assert [1, 0] == diff.by_group["changed"].tolist()


def test_by_an_unknown_attribute_names_those_there_are(book: Gradebook) -> None:
    with pytest.raises(InvalidValueError, match="by='section' is not a student attribute"):
        book.diff(policies.Mean(), policies.MostRecent(), by="section")
    with pytest.raises(InvalidTypeError, match="by=3 must be None"):
        book.diff(policies.Mean(), policies.MostRecent(), by=3)


def test_a_policy_against_a_converter_or_a_non_rule_is_refused(book: Gradebook) -> None:
    with pytest.raises(InvalidTypeError, match="before is a policy and after a converter"):
        book.diff(policies.Mean(), MARZANO)
    with pytest.raises(InvalidTypeError, match="after=3 must be a policy"):
        book.diff(policies.Mean(), 3)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="converter='A' must be a grade converter"):
        book.diff(policies.Mean(), policies.MostRecent(), "A")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="before and after are converters"):
        book.diff(MARZANO, RuleSet.sbgrader2(), MARZANO)


def test_a_student_in_a_gap_is_a_no_letter_row_and_column_without_a_warning() -> None:
    # ana: 2 then 4 (mean 3, most recent 4): P both; ben: 4 then 2: P under the mean, a gap after
    book = small_book({("ana", "T"): [2.0, 4.0], ("ben", "T"): [4.0, 2.0]})
    diff = book.diff(policies.Mean(), policies.MostRecent(), ONLY_P)  # warnings are errors
    assert ("P", NO_LETTER) == tuple(diff.transitions.index)
    assert ("P", NO_LETTER) == tuple(diff.transitions.columns)
    assert 1 == int(diff.transitions.loc["P", NO_LETTER])
    assert ("ben",) == diff.changed
    assert any("1 student gets no letter after" in note for note in diff.notes)
    row = diff.student_records()[1]
    assert (NO_LETTER, None) == (row["letter_after"], row["letter_change"])
    assert 0 == int(diff.by_group.iloc[0]["down"])  # to no letter is neither up nor down


def test_a_student_without_evidence_on_a_target_is_incomplete_not_a_crash() -> None:
    book = small_book({("ana", "A"): [1.0, 4.0], ("ben", "B"): [3.0]})
    diff = book.diff(policies.Mean(), policies.MostRecent(), MARZANO)
    assert ("A", "B", "C", "D", "F", INCOMPLETE) == tuple(diff.transitions.index)
    assert 2 == int(diff.transitions.loc[INCOMPLETE, INCOMPLETE])
    assert () == diff.changed
    assert "no value" in diff.level_transitions.index


def test_an_empty_gradebook_gives_an_empty_diff() -> None:
    book = Gradebook(targets=[LearningTarget(id="T", title="T")])
    diff = book.diff(policies.Mean(), policies.MostRecent(), MARZANO)
    assert (0, (), 0) == (len(diff), diff.changed, int(diff.transitions.to_numpy().sum()))
    assert [] == diff.records()
    assert 0 == len(diff.to_pandas())


def test_a_letter_decided_exactly_on_a_cutoff_is_the_grade_tables() -> None:
    # exact means 3.0 and 2.5, which summing the floats in order reads as 2.9999999999999996
    # and 2.4999999999999996: "approaching" and C if a float decided
    book = small_book({("ana", "T"): [1.8, 3.3, 3.3, 3.6], ("ben", "T"): [1.4, 2.8, 3.3]})
    diff = book.diff(policies.MostRecent(), policies.Mean(), MARZANO)
    rows = diff.student_records()
    assert ("A", "B") == (rows[0]["letter_after"], rows[1]["letter_after"])
    assert ("meets", 3.0) == (diff.records()[0]["level_after"], diff.records()[0]["value_after"])


# -- properties ------------------------------------------------------------------------------

POLICIES = [
    policies.Mean(),
    policies.MostRecent(),
    policies.DecayingAverage(),
    policies.Highest(),
    policies.NTimes(n=2),
]
CONVERTERS = [MARZANO, RuleSet.sbgrader2(), ONLY_P]


@st.composite
def classes(draw: st.DrawFn) -> dict[tuple[str, str], list[float]]:
    students = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6, unique=True))
    targets = ["T1", "T2", "T3"][: draw(st.integers(1, 3))]
    halves = st.integers(0, 8).map(lambda n: n / 2)
    scores: dict[tuple[str, str], list[float]] = {}
    for student in students:
        for target in targets:
            history = draw(st.lists(halves, max_size=4))
            if history:
                scores[(student, target)] = history
    if not scores:
        scores[(students[0], targets[0])] = [draw(halves)]
    return scores


@settings(max_examples=30, deadline=None)
@given(
    classes(),
    st.sampled_from(POLICIES),
    st.sampled_from(POLICIES),
    st.sampled_from(CONVERTERS),
)
def test_transitions_count_every_student_once_and_swap_to_the_transpose(
    scores: dict[tuple[str, str], list[float]], a: Any, b: Any, converter: Any
) -> None:
    book = small_book(scores)
    forward = book.diff(a, b, converter)
    backward = book.diff(b, a, converter)
    n = len(forward)
    assert n == int(forward.transitions.to_numpy().sum())
    pd.testing.assert_frame_equal(
        forward.transitions.T.rename_axis(index="before", columns="after"),
        backward.transitions,
    )
    assert forward.changed == backward.changed
    assert len(forward.targets) * n == int(forward.level_transitions.to_numpy().sum())
    assert set(forward.changed) == set(forward.moved_by)
    assert len(forward.changed) == int(forward.by_group["changed"].sum())


@settings(max_examples=30, deadline=None)
@given(classes(), st.sampled_from(POLICIES), st.sampled_from(CONVERTERS))
def test_a_rule_against_itself_changes_nothing(
    scores: dict[tuple[str, str], list[float]], policy: Any, converter: Any
) -> None:
    book = small_book(scores)
    diff = book.diff(policy, policy, converter)
    assert () == diff.changed
    matrix = diff.transitions.to_numpy()
    assert int(matrix.trace()) == int(matrix.sum()) == len(diff)
    assert all(r["level_change"] in (None, 0) for r in diff.records())


@settings(max_examples=30, deadline=None)
@given(
    classes(),
    st.sampled_from(POLICIES),
    st.sampled_from(POLICIES),
    st.sampled_from(CONVERTERS),
    st.randoms(use_true_random=False),
)
def test_letters_are_the_grade_tables_whatever_the_order_of_the_evidence(
    scores: dict[tuple[str, str], list[float]],
    a: Any,
    b: Any,
    converter: Any,
    shuffle: random.Random,
) -> None:
    book = small_book(scores)
    evidence = evidence_of(scores)
    shuffle.shuffle(evidence)
    shuffled = Gradebook.from_evidence(evidence, targets=list(book.targets.values()))
    diff = book.diff(a, b, converter)
    again = shuffled.diff(a, b, converter)
    assert diff.student_records() == again.student_records()
    assert diff.records() == again.records()

    def labels(policy: Any) -> dict[str, str]:
        table = book.grades(converter, policy=policy, on_gap="ignore")
        gaps = set(table.no_letter)
        return {
            s: letter or (NO_LETTER if s in gaps else INCOMPLETE)
            for s, letter in table.letters().items()
        }

    before, after = labels(a), labels(b)
    rows = diff.student_records()
    assert before == {r["student_id"]: r["letter_before"] for r in rows}
    assert after == {r["student_id"]: r["letter_after"] for r in rows}
    assert tuple(s for s in before if before[s] != after[s]) == diff.changed


def test_policy_diff_is_public() -> None:
    import mastery_grading

    assert mastery_grading.PolicyDiff is PolicyDiff
