"""RuleSet: real rule sets (sbgrader2, PowerSchool forum, Talbert MTH 201), their readings."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mastery_grading import (
    GapError,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    OverlapError,
)
from mastery_grading.grades import (
    INCOMPLETE,
    LetterRule,
    MasteredAndProgressing,
    RuleSet,
    Tally,
    count_at_or_above,
    no_target_below,
    results_from_scores,
    share_at_or_above,
)
from mastery_grading.results import TargetResult


def marzano(values: Sequence[float | None]) -> tuple[TargetResult, ...]:
    return results_from_scores({f"T{i}": x for i, x in enumerate(values)})


def one_to_four(values: list[float]) -> tuple[TargetResult, ...]:
    scale = RuleSet.powerschool_forum().scale
    return results_from_scores(
        {LearningTarget(id=f"T{i}", title=f"T{i}", scale=scale): x for i, x in enumerate(values)}
    )


def talbert(core: list[int], other: list[int]) -> tuple[TargetResult, ...]:
    scale = RuleSet.talbert_mth201().scale
    targets: dict[LearningTarget | str, float | None] = {}
    for i, x in enumerate(core):
        targets[LearningTarget(id=f"C{i}", title=f"Core {i}", tags="core", scale=scale)] = x
    for i, x in enumerate(other):
        targets[LearningTarget(id=f"O{i}", title=f"Other {i}", scale=scale)] = x
    return results_from_scores(targets)


class TestSbgrader2:
    """Bellevue letters as in majadirks/sbgrader2, with the threshold reading of "3+"."""

    @pytest.mark.parametrize(
        ("values", "letter"),
        [
            ([4, 4, 4, 4, 4, 3, 3, 3, 3, 3], "A"),  # 100 % 3+, 50 % 4s
            ([4, 4, 4, 4, 3, 3, 3, 3, 3, 3], "B"),  # only 40 % 4s
            ([4, 4, 4, 4, 4, 4, 4, 4, 4, 2], "A"),  # 90 % 3+, a 2 is not below 2
            ([4, 4, 4, 4, 4, 4, 4, 4, 4, 1.5], "C"),  # 1.5 is below 2: no A or B
            ([3, 3, 3, 3, 3, 3, 3, 3, 2, 2], "B"),  # 80 %
            ([3, 3, 3, 3, 3, 3, 3, 2, 2, 2], "C"),  # 70 %
            ([3, 3, 3, 3, 3, 2, 2, 2, 2, 2], "D"),  # 50 %
            ([3, 3, 3, 3, 2, 2, 2, 2, 2, 2], "F"),  # 40 %
            ([2.75, 2.75, 3, 3], "D"),  # 2.75 is not "3 or better"
        ],
    )
    def test_worked_students(self, values: list[float], letter: str) -> None:
        assert letter == RuleSet.sbgrader2().convert(marzano(values)).letter

    def test_the_deciding_rule_is_reported(self) -> None:
        report = RuleSet.sbgrader2().convert(marzano([3, 3, 3, 3, 3, 3, 3, 3, 2, 2]))
        assert (
            "rule B: at least 80% of targets at 3.0 or above and no target below 2.0"
            == report.decided_by
        )

    def test_exempt_targets_are_excluded_when_chosen(self) -> None:
        rules = RuleSet.sbgrader2(missing="exclude")
        assert "A" == rules.convert(marzano([4, 4, None])).letter
        assert INCOMPLETE == RuleSet.sbgrader2().convert(marzano([4, 4, None])).letter


class TestPowerSchoolForum:
    """A: >50 % 4s, no 2s or 1s. B: >50 % 3-4, <25 % 2s, no 1s. C: >50 % 3-4, >25 % 2s, no 1s.
    D: <50 % 3-4, no 1s. F: any 1."""

    @pytest.mark.parametrize(
        ("values", "letter"),
        [
            ([4, 4, 4, 3], "A"),
            ([4, 3, 3, 3, 3], "B"),
            ([4, 3, 3, 3, 3, 3, 3, 2], "B"),  # 12.5 % 2s
            ([3, 3, 3, 2, 2], "C"),  # 60 % 3-4, 40 % 2s
            ([3, 2, 2, 2], "D"),
            ([4, 4, 4, 1], "F"),
        ],
    )
    def test_worked_students(self, values: list[float], letter: str) -> None:
        assert letter == RuleSet.powerschool_forum().convert(one_to_four(values)).letter

    @pytest.mark.parametrize(
        "values",
        [
            [4, 4, 4, 2],  # exactly 25 % 2s, 75 % 3-4
            [3, 3, 3, 2],  # exactly 25 % 2s
            [3, 3, 2, 2],  # exactly 50 % at 3-4
            [4, 2],  # exactly 50 % at 3-4
        ],
    )
    def test_a_student_in_a_gap_gets_no_letter(self, values: list[float]) -> None:
        with pytest.raises(InvalidValueError, match="gap of the rule set"):
            RuleSet.powerschool_forum().convert(one_to_four(values))

    def test_read_unordered_an_a_also_meets_b(self) -> None:
        rules = RuleSet.powerschool_forum(semantics="unordered")
        with pytest.raises(InvalidValueError, match=r"meet the rules of \['A', 'B'\]"):
            rules.convert(one_to_four([4, 4, 4, 4]))
        assert "D" == rules.convert(one_to_four([3, 2, 2, 2])).letter


class TestTalbertColumns:
    """Letter = the highest column whose rows are all met; "8M + 2P" = 8 mastered + 2 more."""

    def test_each_column(self) -> None:
        rules = RuleSet.talbert_mth201()
        assert "A" == rules.convert(talbert([2] * 10, [2] * 8 + [1] * 4 + [0] * 2)).letter
        assert "B" == rules.convert(talbert([2] * 8 + [1] * 2, [2] * 4 + [1] * 6 + [0] * 4)).letter
        assert "C" == rules.convert(talbert([2] * 6 + [1] * 4, [1] * 8 + [0] * 6)).letter
        assert "D" == rules.convert(talbert([2] * 4 + [1] * 4 + [0] * 2, [1] * 4 + [0] * 10)).letter
        assert "F" == rules.convert(talbert([2] * 3 + [1] * 7, [1] * 14)).letter

    def test_the_lowest_row_decides(self) -> None:
        # Core meets A, other targets only meet D: the letter is D.
        rules = RuleSet.talbert_mth201()
        assert "D" == rules.convert(talbert([2] * 10, [1] * 4 + [0] * 10)).letter

    def test_extra_mastered_targets_count_as_progressing(self) -> None:
        # 9M + 1P meets "8M + 2P": the ninth mastered target is one of the two "more".
        rules = RuleSet.talbert_mth201()
        other = [2] * 4 + [1] * 6 + [0] * 4
        assert "B" == rules.convert(talbert([2] * 9 + [1] + [], other)).letter

    def test_8m_and_1p_is_not_enough_for_b(self) -> None:
        rules = RuleSet.talbert_mth201()
        other = [2] * 4 + [1] * 6 + [0] * 4
        assert "C" != rules.convert(talbert([2] * 8 + [1] + [0], other)).letter
        assert "D" == rules.convert(talbert([2] * 8 + [1] + [0], other)).letter


class TestConstruction:
    def test_semantics_must_be_given(self) -> None:
        with pytest.raises(TypeError, match="semantics"):
            RuleSet(rules=[LetterRule(letter="A")])  # type: ignore[call-arg]

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: RuleSet(rules=[], semantics="first_match"), "at least one rule"),
            (lambda: RuleSet(rules=[LetterRule(letter="A")], semantics="any"), "semantics='any'"),  # type: ignore[arg-type]
            (lambda: LetterRule(letter="Incomplete"), "reserved"),
            (lambda: Tally(low=3.0), "give exactly one of them"),
            (lambda: Tally(low=3.0, share=1.5), r"share=1.5 must be in \[0, 1\]"),
            (lambda: Tally(low=3.0, high=2.0, count=1), "low=3.0 must be below high=2.0"),
            (lambda: Tally(low=3.0, count=-1), "count=-1 must be at least 0"),
            (lambda: Tally(low=3.0, count=1, op="!="), "op='!=' must be one of"),  # type: ignore[arg-type]
            (lambda: Tally(low=3.0, count=1, tagged=False), "needs a tag"),
            (
                lambda: MasteredAndProgressing(
                    mastered=1, progressing=1, mastered_at=2, progressing_at=3
                ),
                "must not lie above",
            ),
        ],
    )
    def test_invalid_rules_are_rejected(self, build: object, message: str) -> None:
        with pytest.raises(InvalidValueError, match=message):
            build()  # type: ignore[operator]

    def test_a_condition_must_be_a_condition(self) -> None:
        with pytest.raises(InvalidTypeError, match="must be a Tally or a MasteredAndProgressing"):
            LetterRule(letter="A", conditions=["3+ on 90%"])  # type: ignore[list-item]

    def test_letters_follow_first_appearance(self) -> None:
        rules = RuleSet.first_match(
            LetterRule(letter="A", conditions=[no_target_below(3)]),
            LetterRule(letter="A", conditions=[count_at_or_above(4, 3)]),
            LetterRule(letter="B"),
        )
        assert ("A", "B") == rules.letters

    def test_a_target_on_another_scale_than_the_rule_set_is_rejected(self) -> None:
        """Issue 14: refused up front, naming both scales (it was refused by its value)."""
        from mastery_grading import Scale

        rules = RuleSet.first_match(LetterRule(letter="P", conditions=[share_at_or_above(3, 1)]))
        percent = LearningTarget(id="p", title="p", scale=Scale.percent())
        with pytest.raises(
            InvalidValueError,
            match=r"target 'p' is on the scale \[0.0, 100.0\].*rule set's scale is \[0.0, 4.0\]",
        ):
            rules.convert(results_from_scores({percent: 85.0}))


def test_an_empty_selection_has_share_zero() -> None:
    rules = RuleSet.first_match(
        LetterRule(letter="A", conditions=[share_at_or_above(3, 0.5, tag="core")]),
        LetterRule(letter="B"),
    )
    assert "B" == rules.convert(marzano([4.0, 4.0])).letter


# The ten sample students of majadirks/sbgrader2 (data_for_unit_testing.py): each target's
# history of scores, oldest first, and the letter the repository's own unit tests assert.
# -1 is the exempt code there; here an exempt target simply has no evidence.
SBGRADER2_STUDENTS: dict[str, tuple[list[list[int]], str]] = {
    "Aerik": (
        [[1, 2, 4], [2, 4], [2, 4], [1, 3, 4], [2, 4], [2, 3], [2, 3], [1, 3], [2, 3], [2, 3]],
        "A",
    ),
    "Bob": ([[4], [4], [4], [4], [0, 3], [2, 3], [1, 3], [2, 3], [1, 2, 3], [3]], "B"),
    "Catherine": ([[2, 4], [2, 2, 2, 3, 4], [3, 4], [4], [4], [2, 4], [4], [4], [4], [2]], "A"),
    "Dilbert": ([[4], [4], [3], [4], [4], [3], [4], [4], [2], [2, 2]], "B"),
    "Egbert": ([[3, 4], [4], [4], [4], [4], [4], [4], [4], [4], [1]], "C"),
    "Farina": ([[4], [4], [2, 4], [4], [4], [4], [4], [2], [2], [2]], "C"),
    "Gilgamesh": ([[4], [4], [4], [4], [4], [4], [2, 2], [2], [2], [2]], "D"),
    "Henry": ([[4], [4], [2], [1], [2, 2], [1, 2], [2], [2], [1], [2]], "F"),
    "Janet": ([[], [4]], "A"),
}


@pytest.mark.parametrize("name", sorted(SBGRADER2_STUDENTS))
def test_sbgrader2_sample_students_get_the_letters_its_tests_assert(name: str) -> None:
    from helpers import history
    from mastery_grading.policies import MostRecent

    histories, letter = SBGRADER2_STUDENTS[name]
    results = [
        MostRecent().evaluate(
            history(scores, target_id=f"LT{i:02}"), LearningTarget(id=f"LT{i:02}", title="LT")
        )
        for i, scores in enumerate(histories, start=1)
    ]
    assert letter == RuleSet.sbgrader2(missing="exclude").convert(results).letter


def test_sbgrader2_student_without_any_score_is_incomplete_not_f() -> None:
    # Ivan has no scores: sbgrader2 gives an F (0 % of nothing); we do not grade nothing.
    results = marzano([None, None])
    assert INCOMPLETE == RuleSet.sbgrader2(missing="exclude").convert(results).letter


class TestGapsAndOverlapsAreToldApart:
    """A gap raises GapError, an overlap OverlapError; both are InvalidValueErrors."""

    def test_a_gap_raises_gap_error_with_the_values(self) -> None:
        with pytest.raises(GapError, match="gap of the rule set") as caught:
            RuleSet.powerschool_forum().convert(one_to_four([4, 2]))
        assert isinstance(caught.value, InvalidValueError)
        assert (4.0, 2.0) == caught.value.values

    def test_an_overlap_raises_overlap_error_with_the_letters(self) -> None:
        with pytest.raises(OverlapError, match="overlap") as caught:
            RuleSet.powerschool_forum(semantics="unordered").convert(one_to_four([4, 4]))
        assert isinstance(caught.value, InvalidValueError)
        assert ("A", "B") == caught.value.letters

    def test_an_unordered_rule_set_with_an_overlap_claims_neither_complete_nor_unambiguous(
        self,
    ) -> None:
        rules = RuleSet.unordered(
            LetterRule(letter="P", conditions=[no_target_below(3)]),
            LetterRule(letter="N"),
            checked_up_to=4,
        )
        assert ["3.0 meets P and N"] == [str(o) for o in rules.check(1).overlaps]
        assert not {"complete", "unambiguous"} & rules.claims

    def test_the_audit_flags_the_overlap_as_ambiguous_not_as_incomplete(self) -> None:
        from mastery_grading.testing import check_converter

        rules = RuleSet.unordered(
            LetterRule(letter="P", conditions=[no_target_below(3)]), LetterRule(letter="N")
        )
        check_converter(rules, axioms=["complete"], max_examples=50)  # no gap: every letter
        check_converter(rules, axioms=["monotone"], max_examples=50)  # overlaps are skipped
        with pytest.raises(AssertionError, match="OverlapError"):
            check_converter(rules, axioms=["unambiguous"], max_examples=50)


class TestMissingAndDescription:
    def test_missing_not_yet_counts_a_target_without_result_at_the_scale_minimum(self) -> None:
        rules = RuleSet.sbgrader2(missing="not_yet")
        report = rules.convert(marzano([4, 4, 4, 4, None]))  # 80 % at 3+ but a 0 (below 2)
        assert "C" == report.letter
        assert 0.0 == report.lines[-1].counted_as
        assert "counted as not yet (0.0)" in (report.lines[-1].note or "")
        assert "A" == RuleSet.sbgrader2(missing="exclude").convert(marzano([4, 4, None])).letter

    def test_a_rule_set_describes_itself_briefly(self) -> None:
        rules = RuleSet.powerschool_forum()
        expected = (
            "first-match rule set: A (2 conditions), B (3 conditions), C (3 conditions), "
            "D (2 conditions), F (1 condition)"
        )
        assert expected == rules.describe()
        assert expected == str(rules)
        assert "unordered rule set: P (1 condition), N" == str(
            RuleSet.unordered(
                LetterRule(letter="P", conditions=[no_target_below(3)]), LetterRule(letter="N")
            )
        )

    def test_checked_up_to_is_a_class_size_and_round_trips(self) -> None:
        from mastery_grading.grades import converter_from_spec

        rules = RuleSet.powerschool_forum(checked_up_to=24)
        assert rules == converter_from_spec(rules.to_spec())
        with pytest.raises(InvalidValueError, match="checked_up_to=0 must be at least 1"):
            RuleSet.powerschool_forum(checked_up_to=0)
        with pytest.raises(InvalidTypeError, match=r"checked_up_to=2\.5 must be an int"):
            RuleSet.powerschool_forum(checked_up_to=2.5)
