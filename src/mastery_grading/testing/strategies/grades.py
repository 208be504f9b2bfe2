"""Strategies for grades: one student's result profiles and built-in grade converters.

Example:
    >>> from hypothesis import given
    >>> @given(result_profiles(max_size=3))
    ... def test_profiles_are_short(results):
    ...     assert 1 <= len(results) <= 3
    >>> test_profiles_are_short()
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from mastery_grading._extras import require

if TYPE_CHECKING:
    from hypothesis import strategies as st
else:
    st = require(
        "hypothesis.strategies", extra="fairness", feature="mastery_grading.testing.strategies"
    )

from mastery_grading.grades import (
    AverageCutoffs,
    Condition,
    LetterRule,
    MasteredAndProgressing,
    RuleSet,
    Tally,
)
from mastery_grading.grades.builders import results_from_scores
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget
from mastery_grading.testing.strategies.values import scores

__all__ = [
    "average_cutoffs",
    "converters",
    "raised_profiles",
    "result_profiles",
    "rule_sets",
]


@st.composite
def result_profiles(
    draw: st.DrawFn,
    scale: Scale | None = None,
    *,
    min_size: int = 1,
    max_size: int = 8,
    tags: tuple[str, ...] = ("core",),
    missing: bool = False,
) -> list[TargetResult]:
    """One student's results on ``min_size`` to ``max_size`` targets (ids ``T1``, ``T2``, ...).

    Values lie on the scale's step grid (Marzano's 0-4 by default). Each target gets a random
    subset of ``tags`` and a weight of 1, 2 or 0.5. With ``missing``, some results have no
    value (no evidence). Each result is an honest most-recent result of one piece of evidence.
    """
    chosen = scale if scale is not None else Scale.marzano()
    size = draw(st.integers(min_value=min_size, max_value=max_size))
    value = scores(chosen, on_step=True)
    scores_by_target: dict[LearningTarget | str, float | None] = {}
    for index in range(1, size + 1):
        target = LearningTarget(
            id=f"T{index}",
            title=f"Target {index}",
            scale=chosen,
            weight=draw(st.sampled_from([1.0, 1.0, 2.0, 0.5])),
            tags=tuple(tag for tag in tags if draw(st.booleans())),
        )
        scores_by_target[target] = draw(st.none() | value) if missing else draw(value)
    return list(results_from_scores(scores_by_target))


@st.composite
def raised_profiles(
    draw: st.DrawFn,
    scale: Scale | None = None,
    *,
    min_size: int = 1,
    max_size: int = 8,
    tags: tuple[str, ...] = ("core",),
) -> tuple[list[TargetResult], list[TargetResult]]:
    """Pairs ``(before, after)`` of result profiles where ``after`` raises one target's value.

    Use it to test monotonicity: the letter of ``after`` must not be worse than ``before``'s.
    """
    before = draw(result_profiles(scale, min_size=min_size, max_size=max_size, tags=tags))
    chosen = scale if scale is not None else Scale.marzano()
    index = draw(st.integers(min_value=0, max_value=len(before) - 1))
    old = before[index].value
    assert old is not None
    higher = [x for x in _grid(chosen) if x > old]
    if not higher:
        return before, before
    new = draw(st.sampled_from(higher))
    after = list(before)
    after[index] = results_from_scores({before[index].target: new})[0]
    return before, after


def _grid(scale: Scale) -> list[float]:
    low, high = Fraction(repr(scale.min)), Fraction(repr(scale.max))
    step = Fraction(repr(scale.step)) if scale.step is not None else Fraction(1)
    return [float(low + k * step) for k in range(int((high - low) / step) + 1)]


@st.composite
def average_cutoffs(draw: st.DrawFn) -> AverageCutoffs:
    """Average-cutoff converters with 1-5 letters and two-decimal lower bounds."""
    bounds = draw(
        st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=5, unique=True)
    )
    letters = ["A", "B", "C", "D", "F"][: len(bounds)]
    pairs = tuple(zip(letters, [b / 100 for b in sorted(bounds, reverse=True)], strict=True))
    return AverageCutoffs(
        cutoffs=pairs,
        weighted=draw(st.booleans()),
        missing=draw(st.sampled_from(["incomplete", "not_yet", "exclude"])),
    )


@st.composite
def _conditions(draw: st.DrawFn) -> Condition:

    levels = st.sampled_from([1.0, 2.0, 2.5, 3.0, 4.0])
    tag = draw(st.none() | st.just("core"))
    tagged = True if tag is None else draw(st.booleans())
    if draw(st.booleans()):
        low, high = draw(st.none() | levels), draw(st.none() | levels)
        if low is not None and high is not None and low >= high:
            low, high = None, high
        if draw(st.booleans()):
            return Tally(
                low=low,
                high=high,
                op=draw(st.sampled_from([">=", ">", "<=", "<", "=="])),
                share=draw(st.sampled_from([0.0, 0.25, 0.5, 0.65, 0.9, 1.0])),
                tag=tag,
                tagged=tagged,
            )
        return Tally(
            low=low,
            high=high,
            op=draw(st.sampled_from([">=", "<", "=="])),
            count=draw(st.integers(min_value=0, max_value=4)),
            tag=tag,
            tagged=tagged,
        )
    progressing_at, mastered_at = sorted(draw(st.lists(levels, min_size=2, max_size=2)))
    return MasteredAndProgressing(
        mastered=draw(st.integers(min_value=0, max_value=4)),
        progressing=draw(st.integers(min_value=0, max_value=4)),
        mastered_at=mastered_at,
        progressing_at=progressing_at,
        tag=tag,
        tagged=tagged,
    )


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    """Rule sets on Marzano's scale with 1-4 letters of 0-3 random conditions each."""
    size = draw(st.integers(min_value=1, max_value=4))
    rules = [
        LetterRule(letter=letter, conditions=draw(st.lists(_conditions(), max_size=3)))
        for letter in ["A", "B", "C", "D"][:size]
    ]
    return RuleSet(
        rules=rules,
        semantics=draw(st.sampled_from(["first_match", "unordered"])),
        missing=draw(st.sampled_from(["incomplete", "not_yet", "exclude"])),
    )


def converters() -> st.SearchStrategy[AverageCutoffs | RuleSet]:
    """Built-in grade converters with random parameters (for spec round trips)."""
    return st.one_of(average_cutoffs(), rule_sets())
