"""Hypothesis strategies of the cases the fairness axioms are checked on (needs Hypothesis).

:func:`policy_cases` and :func:`converter_cases` generate what
:func:`~mastery_grading.fairness.audit.audit` and
:func:`~mastery_grading.testing.check_policy` search; they shrink toward one summative score of
0 on Marzano's scale. The audit imports this module only when it runs, so that
:mod:`mastery_grading.fairness` itself works without Hypothesis (the ``fairness`` extra).
:mod:`mastery_grading.testing.strategies` re-exports every name here.

Example:
    >>> from hypothesis import given
    >>> @given(policy_cases(max_size=3))
    ... def test_short_histories(case):
    ...     assert 1 <= len(case.history) <= 3
    >>> test_short_histories()
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.fairness.cases import CASE_PARTS, EPOCH, ConverterCase, PolicyCase
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from hypothesis import strategies as st
else:
    st = require("hypothesis.strategies", extra="fairness", feature="the fairness audit")

__all__ = [
    "MAX_CASE_HISTORY",
    "converter_cases",
    "custom_scales",
    "ids",
    "policy_cases",
]


def ids() -> st.SearchStrategy[str]:
    """Non-empty, printable identifiers such as ``"s3"`` or ``"LE.1"``."""
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1, max_size=8)


@st.composite
def custom_scales(draw: st.DrawFn) -> Scale:
    """Scales with random integer bounds, a threshold inside them and 1-4 levels."""
    low = draw(st.integers(min_value=-10, max_value=10))
    span = draw(st.integers(min_value=1, max_value=100))
    high = low + span
    mastery = draw(st.integers(min_value=low, max_value=high))
    inner = draw(st.lists(st.integers(min_value=low + 1, max_value=high), max_size=3, unique=True))
    minimums = [low, *sorted(inner)]
    levels = tuple(Level(name=f"level {i}", minimum=m) for i, m in enumerate(minimums))
    return Scale(min=low, max=high, mastery=mastery, step=1.0, levels=levels)


#: The longest history :func:`policy_cases` generates (exact arithmetic is slow-ish).
MAX_CASE_HISTORY = 8

_KINDS = st.sampled_from([EvidenceKind.SUMMATIVE, EvidenceKind.FORMATIVE])
_WEIGHTS = st.sampled_from([1.0, 2.0, 0.5])
_GAPS = st.integers(1, 21)
_PALETTE = st.integers(0, 3)
_CASE_SCALES = st.one_of(st.just(Scale.marzano()), st.just(Scale.percent()), custom_scales())
_OTHER_IDS = ids().filter(lambda s: s != "s1")


def _draw_score(draw: st.DrawFn, scale: Scale) -> float:
    """A score on the scale's step (shrinks first, reads well) or with two decimals."""
    low, high = Fraction(repr(scale.min)), Fraction(repr(scale.max))
    # Always draw the choice, so that every scale costs the same and Marzano's shrinks first.
    on_step = draw(st.integers(0, 1)) == 0
    if scale.step is not None and on_step:
        step = Fraction(repr(scale.step))
        k = draw(st.integers(0, int((high - low) / step)))
        return float(low + k * step)
    k = draw(st.integers(round(low * 100), round(high * 100)))
    return k / 100


def _draw_evidence(
    draw: st.DrawFn, target: LearningTarget, count: int, start: datetime
) -> tuple[Evidence, ...]:
    items: list[Evidence] = []
    moment = start
    # Most histories draw their scores from a palette of 2-4 values: repeated scores are where
    # modes and medians jump. The rest (and shrinking) draw every score freely.
    size = draw(_PALETTE)
    palette = [_draw_score(draw, target.scale) for _ in range(size + 1 if size else 0)]
    for _ in range(count):
        moment += timedelta(days=draw(_GAPS))
        if palette:
            score = palette[draw(st.integers(0, len(palette) - 1))]
        else:
            score = _draw_score(draw, target.scale)
        items.append(
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=score,
                observed_at=moment,
                kind=draw(_KINDS),
                weight=draw(_WEIGHTS),
            )
        )
    return tuple(items)


@st.composite
def policy_cases(
    draw: st.DrawFn,
    *,
    max_size: int = MAX_CASE_HISTORY,
    scale: Scale | None = None,
    parts: frozenset[str] | None = None,
) -> PolicyCase:
    """Generated situations for checking a policy against the fairness axioms.

    A case is a history of 1 to ``max_size`` pieces of evidence of student ``"s1"`` at
    distinct moments (1-21 days apart), summative or formative, weight 1, 2 or 0.5, on target
    ``"T"`` on ``scale`` (or on Marzano's, the percent or a random scale), plus what the axioms
    vary (``parts``, by :class:`~mastery_grading.fairness.cases.PolicyCase` field name; all of
    :data:`~mastery_grading.fairness.cases.CASE_PARTS` by default, the rest keep their
    defaults): which score to raise, a permutation, a time shift, formative evidence to add,
    another target's evidence, another student id. It shrinks toward one summative score of 0
    on Marzano's scale.

    Example:
        >>> from hypothesis import given
        >>> from mastery_grading.testing import strategies as mst
        >>> @given(mst.policy_cases())
        ... def test_cases_have_a_history(case):
        ...     assert 1 <= len(case.history) <= mst.MAX_CASE_HISTORY
        >>> test_cases_have_a_history()
    """
    wanted = CASE_PARTS if parts is None else parts
    on = scale if scale is not None else draw(_CASE_SCALES)
    target = LearningTarget(id="T", title="Target", scale=on)
    size = draw(st.integers(1, max_size))
    start = EPOCH + timedelta(days=draw(st.integers(0, 60)))
    history = _draw_evidence(draw, target, size, start)
    fields: dict[str, object] = {}
    if "index" in wanted:
        fields["index"] = draw(st.integers(0, size - 1))
    if "share" in wanted:
        fields["share"] = draw(st.integers(0, 100))
    if "permutation" in wanted:
        fields["permutation"] = tuple(draw(st.permutations(list(range(size)))))
    if "shift" in wanted:
        sign = draw(st.sampled_from([1, -1]))
        days, minutes = draw(st.integers(1, 400)), draw(st.integers(0, 1439))
        fields["shift"] = sign * timedelta(days=days, minutes=minutes)
    if "gap" in wanted:
        fields["gap"] = timedelta(days=draw(st.integers(1, 30)))
    if "extra" in wanted:
        first = history[0].observed_at
        span = (history[-1].observed_at - first).days
        fields["extra"] = tuple(
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=_draw_score(draw, on),
                observed_at=first + timedelta(days=draw(st.integers(-3, span + 3)), hours=12),
                kind=EvidenceKind.FORMATIVE,
            )
            for _ in range(draw(st.integers(1, 3)))
        )
    if "other" in wanted:
        other_target = LearningTarget(id="U", title="Another target", scale=on)
        fields["other_target"] = other_target
        fields["other"] = _draw_evidence(draw, other_target, draw(st.integers(1, 3)), start)
    if "student_id" in wanted:
        fields["student_id"] = draw(_OTHER_IDS)
    if "input_order" in wanted:
        fields["input_order"] = tuple(draw(st.permutations(list(range(size)))))
    if "same_time" in wanted:
        fields["same_time"] = draw(st.booleans())
    return PolicyCase(target=target, history=history, **fields)  # type: ignore[arg-type]


@st.composite
def converter_cases(
    draw: st.DrawFn, *, scale: Scale | None = None, max_targets: int = 6
) -> ConverterCase:
    """Generated profiles of results (one per target) for checking a grade converter.

    Targets ``T1``, ``T2``, ... are on ``scale`` (Marzano's by default), with weight 1 or 2
    and sometimes the tag ``"core"``; a result's value is a score on the scale or, sometimes,
    ``None`` (no evidence). Values come from evaluating
    :class:`~mastery_grading.policies.MostRecent` on one piece of evidence, so results are real.

    Example:
        >>> from hypothesis import given
        >>> from mastery_grading.testing import strategies as mst
        >>> @given(mst.converter_cases())
        ... def test_profiles_have_distinct_targets(case):
        ...     ids = [r.target.id for r in case.results]
        ...     assert len(set(ids)) == len(ids)
        >>> test_profiles_have_distinct_targets()
    """
    from mastery_grading.policies import MostRecent

    on = scale if scale is not None else Scale.marzano()
    policy = MostRecent()
    count = draw(st.integers(1, max_targets))
    results = []
    # As for policies, most profiles take their values from a small palette: rule sets count
    # targets at or above levels, and their gaps hide among repeated values.
    size = draw(_PALETTE)
    palette = [_draw_score(draw, on) for _ in range(size + 1 if size else 0)]
    for number in range(1, count + 1):
        target = LearningTarget(
            id=f"T{number}",
            title=f"Target {number}",
            scale=on,
            weight=draw(st.sampled_from([1.0, 2.0])),
            tags=draw(st.sampled_from([(), ("core",)])),
        )
        missing = draw(st.integers(0, 9)) == 9
        evidence = [
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=(
                    palette[draw(st.integers(0, len(palette) - 1))]
                    if palette
                    else _draw_score(draw, on)
                ),
                observed_at=EPOCH,
            )
        ]
        results.append(policy.evaluate([] if missing else evidence, target))
    return ConverterCase(
        results=tuple(results),
        index=draw(st.integers(0, count - 1)),
        share=draw(st.integers(1, 100)),
        input_order=tuple(draw(st.permutations(list(range(count))))),
    )
