"""Published rule sets, as rules and scales: the sources of :class:`~mastery_grading.grades.RuleSet`'s presets.

Each function returns the letter rules of one published rule set, best letter first; the
class methods of :class:`~mastery_grading.grades.RuleSet` (``sbgrader2()``,
``powerschool_forum()``, ``talbert_mth201()``) wrap them with their semantics and scale, and
document where they come from and how they are read.
"""  # noqa: E501

from __future__ import annotations

from mastery_grading.grades.rules.conditions import (
    LetterRule,
    MasteredAndProgressing,
    no_target_below,
    share_at_or_above,
    share_between,
    some_target_below,
)
from mastery_grading.scales import Level, Scale

__all__ = [
    "powerschool_forum_rules",
    "scale_1_to_4",
    "scale_checks",
    "sbgrader2_rules",
    "talbert_mth201_rules",
]


def scale_1_to_4() -> Scale:
    """A 1-4 scale: beginning, developing, proficient (mastery), advanced.

    Example:
        >>> [level.name for level in scale_1_to_4().levels]
        ['beginning', 'developing', 'proficient', 'advanced']
    """
    return Scale(
        min=1,
        max=4,
        mastery=3,
        step=1,
        levels=(
            Level(name="beginning", minimum=1),
            Level(name="developing", minimum=2),
            Level(name="proficient", minimum=3),
            Level(name="advanced", minimum=4),
        ),
    )


def scale_checks() -> Scale:
    """A 0-2 scale of checks: not yet, progressing (one success), mastered (two).

    Example:
        >>> [level.name for level in scale_checks().levels]
        ['not yet', 'progressing', 'mastered']
    """
    return Scale(
        min=0,
        max=2,
        mastery=2,
        step=1,
        levels=(
            Level(name="not yet", minimum=0),
            Level(name="progressing", minimum=1),
            Level(name="mastered", minimum=2),
        ),
    )


def sbgrader2_rules() -> tuple[LetterRule, ...]:
    """Bellevue SD letters as coded in majadirks/sbgrader2 (see ``RuleSet.sbgrader2``).

    Example:
        >>> [rule.letter for rule in sbgrader2_rules()]
        ['A', 'B', 'C', 'D', 'F']
    """
    return (
        LetterRule(
            letter="A",
            conditions=(
                share_at_or_above(3, 0.9),
                share_at_or_above(4, 0.5),
                no_target_below(2),
            ),
        ),
        LetterRule(letter="B", conditions=(share_at_or_above(3, 0.8), no_target_below(2))),
        LetterRule(letter="C", conditions=(share_at_or_above(3, 0.65),)),
        LetterRule(letter="D", conditions=(share_at_or_above(3, 0.5),)),
        LetterRule(letter="F"),
    )


def powerschool_forum_rules() -> tuple[LetterRule, ...]:
    """A teacher's rules from the PowerSchool forum (see ``RuleSet.powerschool_forum``).

    Example:
        >>> powerschool_forum_rules()[-1].describe()
        'F: some target below 2.0'
    """
    return (
        LetterRule(letter="A", conditions=(share_at_or_above(4, 0.5, op=">"), no_target_below(3))),
        LetterRule(
            letter="B",
            conditions=(
                share_at_or_above(3, 0.5, op=">"),
                share_between(2, 3, 0.25, op="<"),
                no_target_below(2),
            ),
        ),
        LetterRule(
            letter="C",
            conditions=(
                share_at_or_above(3, 0.5, op=">"),
                share_between(2, 3, 0.25, op=">"),
                no_target_below(2),
            ),
        ),
        LetterRule(letter="D", conditions=(share_at_or_above(3, 0.5, op="<"), no_target_below(2))),
        LetterRule(letter="F", conditions=(some_target_below(2),)),
    )


def talbert_mth201_rules() -> tuple[LetterRule, ...]:
    """Talbert's MTH 201 columns for core and other targets (see ``RuleSet.talbert_mth201``).

    Example:
        >>> talbert_mth201_rules()[0].describe()
        "A: 10 mastered (2.0 or above) and 0 more progressing (1.0 or above) among core targets and 8 mastered (2.0 or above) and 4 more progressing (1.0 or above) among targets not tagged 'core'"
    """  # noqa: E501

    def column(letter: str, core: tuple[int, int], other: tuple[int, int]) -> LetterRule:
        return LetterRule(
            letter=letter,
            conditions=(
                MasteredAndProgressing(
                    mastered=core[0],
                    progressing=core[1],
                    mastered_at=2,
                    progressing_at=1,
                    tag="core",
                ),
                MasteredAndProgressing(
                    mastered=other[0],
                    progressing=other[1],
                    mastered_at=2,
                    progressing_at=1,
                    tag="core",
                    tagged=False,
                ),
            ),
        )

    return (
        column("A", (10, 0), (8, 4)),
        column("B", (8, 2), (4, 6)),
        column("C", (6, 4), (0, 8)),
        column("D", (4, 4), (0, 4)),
        LetterRule(letter="F"),
    )
