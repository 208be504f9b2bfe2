"""Value strategies: scales, targets, scores, evidence, histories and whole classes.

Every strategy returns a :class:`hypothesis.strategies.SearchStrategy` and shrinks toward
small, simple values: short histories, low scores, the Marzano scale. ``ids`` and
``custom_scales`` are those the fairness cases draw from
(:mod:`mastery_grading.fairness.generate`), so that both generate the same scales.

Example:
    >>> from hypothesis import given
    >>> @given(targets(Scale.percent()))
    ... def test_percent_targets(target):
    ...     assert target.scale.max == 100
    >>> test_percent_targets()
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from mastery_grading._extras import require

if TYPE_CHECKING:
    from hypothesis import strategies as st
else:
    st = require(
        "hypothesis.strategies", extra="fairness", feature="mastery_grading.testing.strategies"
    )

from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.fairness.cases import EPOCH
from mastery_grading.fairness.generate import custom_scales, ids
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "EPOCH",
    "class_evidence",
    "custom_scales",
    "evidence",
    "gradebook_evidence",
    "histories",
    "history_for",
    "ids",
    "scales",
    "scores",
    "targets",
    "timestamps",
]


def scales() -> st.SearchStrategy[Scale]:
    """Marzano's 0-4 scale, the 0-100 percent scale, or a random custom scale."""
    return st.one_of(st.just(Scale.marzano()), st.just(Scale.percent()), custom_scales())


def scores(scale: Scale, *, on_step: bool = False) -> st.SearchStrategy[float]:
    """Scores within ``scale``: 2-decimal values, or multiples of ``scale.step`` if ``on_step``.

    Scores are decimal numbers with at most two places, as teachers enter them, so that exact
    arithmetic can be checked.
    """
    if on_step and scale.step is not None:
        count = int(
            (Fraction(repr(scale.max)) - Fraction(repr(scale.min))) / Fraction(repr(scale.step))
        )
        return st.integers(min_value=0, max_value=count).map(
            lambda k: float(Fraction(repr(scale.min)) + k * Fraction(repr(scale.step)))
        )
    low = round(scale.min * 100)
    high = round(scale.max * 100)
    return st.integers(min_value=low, max_value=high).map(lambda k: k / 100)


def targets(scale: Scale | None = None) -> st.SearchStrategy[LearningTarget]:
    """Learning targets on ``scale`` (or on a generated scale)."""
    scale_strategy = st.just(scale) if scale is not None else scales()
    return st.builds(
        lambda target_id, s: LearningTarget(id=target_id, title=f"Target {target_id}", scale=s),
        ids(),
        scale_strategy,
    )


def timestamps() -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes within one school year of :data:`EPOCH`, to the minute."""
    return st.integers(min_value=0, max_value=365 * 24 * 60).map(
        lambda minutes: EPOCH + timedelta(minutes=minutes)
    )


def evidence(
    target: LearningTarget, *, student_id: str = "s1", on_step: bool = False
) -> st.SearchStrategy[Evidence]:
    """One piece of evidence of ``student_id`` on ``target`` with random kind, time and weight."""
    return st.builds(
        Evidence,
        student_id=st.just(student_id),
        target_id=st.just(target.id),
        score=scores(target.scale, on_step=on_step),
        observed_at=timestamps(),
        kind=st.sampled_from(EvidenceKind),
        weight=st.sampled_from([1.0, 1.0, 1.0, 0.5, 2.0]),
        source_id=st.none() | st.sampled_from(["quiz", "project", "retake", "exit-ticket"]),
        context=st.none() | st.sampled_from(["math", "science"]),
        attempt=st.none() | st.integers(min_value=1, max_value=4),
        independent=st.booleans(),
    )


def history_for(
    target: LearningTarget,
    *,
    min_size: int = 0,
    max_size: int = 10,
    student_id: str = "s1",
    on_step: bool = False,
) -> st.SearchStrategy[list[Evidence]]:
    """Lists of evidence of one student on ``target``, in random (not chronological) order."""
    return st.lists(
        evidence(target, student_id=student_id, on_step=on_step),
        min_size=min_size,
        max_size=max_size,
    )


@st.composite
def histories(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 10, on_step: bool = False
) -> tuple[LearningTarget, list[Evidence]]:
    """Pairs of a generated target and a history of evidence on it."""
    target = draw(targets())
    history = draw(history_for(target, min_size=min_size, max_size=max_size, on_step=on_step))
    return target, history


@st.composite
def class_evidence(
    draw: st.DrawFn, *, max_students: int = 4, max_targets: int = 3, max_size: int = 12
) -> tuple[tuple[LearningTarget, ...], list[Evidence]]:
    """A class: 1-``max_targets`` targets with distinct ids and evidence of several students.

    Student ids look like ``"s1"``; evidence is in random order. Used to test whole-class
    readers, writers and scoring.
    """
    target_ids = draw(st.lists(ids(), min_size=1, max_size=max_targets, unique=True))
    scale = draw(scales())
    found = tuple(
        LearningTarget(id=target_id, title=f"Target {target_id}", scale=scale)
        for target_id in target_ids
    )
    students = [f"s{k}" for k in range(1, draw(st.integers(1, max_students)) + 1)]
    items = draw(
        st.lists(
            st.sampled_from(found).flatmap(
                lambda target: st.sampled_from(students).flatmap(
                    lambda student: evidence(target, student_id=student)
                )
            ),
            max_size=max_size,
        )
    )
    return found, items


@st.composite
def gradebook_evidence(
    draw: st.DrawFn, *, max_students: int = 4, max_targets: int = 3, max_size: int = 40
) -> tuple[list[LearningTarget], list[Evidence]]:
    """Targets (distinct ids, generated scales) and evidence of several students on them.

    Times fall on a few days only and scores are often on the scale's step, so that ties in
    time, unanimous histories and values exactly on a level threshold are common: the cases
    where a vectorized engine and the exact reference could disagree.
    """
    chosen = draw(st.lists(targets(), min_size=1, max_size=max_targets, unique_by=lambda t: t.id))
    students = [f"s{i}" for i in range(draw(st.integers(1, max_students)))]
    on_step = draw(st.booleans())
    coarse = st.integers(min_value=0, max_value=4).map(lambda d: EPOCH + timedelta(days=d))
    items = draw(
        st.lists(
            st.tuples(st.sampled_from(chosen), st.sampled_from(students)).flatmap(
                lambda pair: st.builds(
                    Evidence,
                    student_id=st.just(pair[1]),
                    target_id=st.just(pair[0].id),
                    score=scores(pair[0].scale, on_step=on_step),
                    observed_at=coarse | timestamps(),
                    kind=st.sampled_from(EvidenceKind),
                    weight=st.sampled_from([1.0, 1.0, 0.5, 2.0, 0.25]),
                    source_id=st.none() | st.sampled_from(["quiz", "retake"]),
                    context=st.none() | st.sampled_from(["math", "science"]),
                    attempt=st.none() | st.integers(min_value=1, max_value=3),
                    independent=st.booleans(),
                )
            ),
            max_size=max_size,
        )
    )
    return chosen, items
