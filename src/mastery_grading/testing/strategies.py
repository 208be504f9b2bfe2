"""Typed Hypothesis strategies for scales, targets, scores and evidence histories.

Every strategy returns a :class:`hypothesis.strategies.SearchStrategy` and shrinks toward
small, simple values: short histories, low scores, the Marzano scale.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.testing import strategies as mst
    >>> @given(mst.scales())
    ... def test_scale_has_a_level_everywhere(scale):
    ...     assert scale.level_of(scale.min) is scale.levels[0]
    >>> test_scale_has_a_level_everywhere()
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st

from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.fairness.axioms import ConverterCase, PolicyCase
from mastery_grading.results import TargetResult
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades import AverageCutoffs, Condition, RuleSet

__all__ = [
    "CASE_PARTS",
    "EPOCH",
    "MAX_CASE_HISTORY",
    "POLICY_NAMES",
    "average_cutoffs",
    "class_evidence",
    "classic_converter_cases",
    "classic_policy_cases",
    "converter_cases",
    "converters",
    "custom_scales",
    "evidence",
    "gradebook_evidence",
    "histories",
    "history_for",
    "ids",
    "policies",
    "policy_cases",
    "policy_named",
    "raised_profiles",
    "result_profiles",
    "rule_sets",
    "scales",
    "scores",
    "targets",
    "timestamps",
]

#: The moment generated timestamps start from.
EPOCH = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)


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


# ---------------------------------------------------------------------------------------------
# Cases for the fairness axioms (issue 4): see mastery_grading.fairness.axioms
# ---------------------------------------------------------------------------------------------

#: The longest history :func:`policy_cases` generates (exact arithmetic is slow-ish).
MAX_CASE_HISTORY = 8


#: Everything :func:`policy_cases` can vary besides the history (``PolicyCase`` field names).
CASE_PARTS = frozenset(
    {
        "index",
        "share",
        "permutation",
        "shift",
        "gap",
        "extra",
        "other",
        "student_id",
        "input_order",
        "same_time",
    }
)

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
    vary (``parts``, by :class:`~mastery_grading.fairness.axioms.PolicyCase` field name; all of
    :data:`CASE_PARTS` by default, the rest keep their defaults): which score to raise, a
    permutation, a time shift, formative evidence to add, another target's evidence, another
    student id. It shrinks toward one summative score of 0 on Marzano's scale.

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


def classic_policy_cases() -> tuple[PolicyCase, ...]:
    """Hand-picked cases that every check and audit tries first: the shapes of known failures.

    Random generation rarely hits some of them (two pairs of tied scores, a retake at exactly
    the current result, five scores at mastery), so they are always tried, on Marzano's 0-4
    scale:

    - score 3 with formative practice of 0.5 and 4;
    - scores 1, 4 with a retake exactly at the current result (Canvas's legacy average falls),
      shuffled, with practice, shifted by a month; scores 2, 3 at the same moment;
    - scores 0, 0.5, 0.5 (a best fit gives 0.58); 0, 0.5, 1 with the first raised to 0.5 (a
      mode falls from 1 to 0.5); 0, 3, 4 (a linear trend gives 4.33, above the scale);
      0.5, 1, 1 (a power law gives 1.11) and 0.5, 2, 4 (a power law gives 4.12);
    - scores 1, 2, 3, 4 with the first raised to 2 (a power law falls from 4 to 3.52);
      4, 3, 2, 1 with a retake at the current result; 1, 1, 3.5, 3.5 with a 3.5 raised to 4
      (a mode falls by 2.5);
    - scores 2, 4, 4, 4, 4, 4 with the 2 raised to 3 (mastery shown five times: a sixth
      lowers the mean) and 0, 0.5, 0.5, 0.5, 0.5, 0.5, 1 (a best fit takes the mean whichever
      way the student went).

    They come shortest first, and by their scores among equal lengths, so that an audit, which
    reports the first hand-picked case that fails as it is, reports the smallest one.

    Example:
        >>> [len(case.history) for case in classic_policy_cases()]
        [1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 6, 7]
    """
    target = LearningTarget(id="T", title="Target")
    other_target = LearningTarget(id="U", title="Another target")

    def make(scores: list[float], **fields: object) -> PolicyCase:
        base = PolicyCase.from_scores(scores, target=target)
        other = (
            Evidence(
                student_id="s1",
                target_id="U",
                score=0.0,
                observed_at=base.history[0].observed_at,
            ),
        )
        defaults: dict[str, object] = {
            "index": 0,
            "share": 100,
            "permutation": tuple(reversed(range(len(scores)))),
            "shift": timedelta(days=30),
            "gap": timedelta(days=1),
            "other_target": other_target,
            "other": other,
            "student_id": "s2",
            "input_order": tuple(reversed(range(len(scores)))),
            "same_time": False,
            **fields,
        }
        first = base.history[0].observed_at
        defaults.setdefault(
            "extra",
            (
                Evidence(
                    student_id="s1",
                    target_id="T",
                    score=0.5,
                    observed_at=first + timedelta(hours=12),
                    kind=EvidenceKind.FORMATIVE,
                ),
            ),
        )
        return attrs.evolve(base, **defaults)  # type: ignore[arg-type]

    late = EPOCH + timedelta(days=40)
    practice = tuple(
        Evidence(
            student_id="s1",
            target_id="T",
            score=score,
            observed_at=late + timedelta(days=day),
            kind=EvidenceKind.FORMATIVE,
        )
        for day, score in [(-60, 0.5), (1, 4.0)]
    )
    cases = (
        make([1, 4], share=0),
        make([3], extra=practice),
        make([1, 4], shift=timedelta(days=31, minutes=90)),
        make([2, 3], same_time=True),
        make([0, 0.5, 0.5]),
        make([0, 0.5, 1], index=0, share=10),
        make([0, 3, 4]),
        make([0.5, 1, 1]),
        make([0.5, 2, 4]),
        make([1, 2, 3, 4], index=0, share=17),
        make([4, 3, 2, 1], index=3, share=0),
        make([1, 1, 3.5, 3.5], index=2),
        make([2, 4, 4, 4, 4, 4], index=0, share=50),
        make([0, 0.5, 0.5, 0.5, 0.5, 0.5, 1]),
    )
    return tuple(sorted(cases, key=_case_size))


def _case_size(case: PolicyCase) -> tuple[int, tuple[float, ...]]:
    """Shortest first, then the lowest scores: the order in which a shrinker prefers cases."""
    return len(case.history), tuple(e.score for e in case.history)


# --- Grades (issue 5): result profiles of one student and grade converters -------------------


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
    from mastery_grading.grades.builders import results_from_scores

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
    from mastery_grading.grades.builders import results_from_scores

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
    from mastery_grading.grades import AverageCutoffs

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
    from mastery_grading.grades import MasteredAndProgressing, Tally

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
    from mastery_grading.grades import LetterRule, RuleSet

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


def classic_converter_cases(scale: Scale | None = None) -> tuple[ConverterCase, ...]:
    """Hand-picked profiles that :func:`~mastery_grading.testing.check_converter` tries first.

    On ``scale`` (Marzano's by default), with ``q1 < mid < q3`` the quarter points of the
    scale and ``top`` its maximum: one target at each quarter point raised halfway and all the
    way to the top; two targets at ``top, mid`` (exactly half at the top: rule sets often leave
    a gap at exactly 50 %) and two with one missing; four targets at ``q1, q1, q3, q3`` with
    one raised, and at ``top, top, top, mid`` (exactly a quarter lower: a gap at 25 %). The
    smallest profiles come first.

    Example:
        >>> [[r.value for r in case.results] for case in classic_converter_cases()][:3]
        [[1.0], [1.0], [2.0]]
        >>> [r.value for r in classic_converter_cases()[6].results]
        [4.0, 2.0]
    """
    from mastery_grading.policies import MostRecent

    on = scale if scale is not None else Scale.marzano()
    low, high = Fraction(repr(on.min)), Fraction(repr(on.max))
    q1, mid, q3 = (float(low + (high - low) * k / 4) for k in (1, 2, 3))
    policy = MostRecent()

    def profile(values: list[float | None], **fields: int) -> ConverterCase:
        results = []
        for number, value in enumerate(values, start=1):
            target = LearningTarget(id=f"T{number}", title=f"Target {number}", scale=on)
            evidence = (
                []
                if value is None
                else [
                    Evidence(student_id="s1", target_id=target.id, score=value, observed_at=EPOCH)
                ]
            )
            results.append(policy.evaluate(evidence, target))
        order = tuple(reversed(range(len(values))))
        return ConverterCase(results=tuple(results), input_order=order, **fields)

    top = float(high)
    return (
        *(profile([v], share=share) for v in (q1, mid, q3) for share in (50, 100)),
        profile([top, mid], index=1, share=50),
        profile([q3, None], index=0, share=100),
        profile([q1, q1, q3, q3], index=2, share=100),
        profile([q1, q1, q3, q3], index=0, share=50),
        profile([top, top, top, mid], index=3, share=50),
    )


# -- built-in policies with generated parameters ------------------------------------------------


def _rates() -> st.SearchStrategy[float]:
    return st.integers(min_value=1, max_value=100).map(lambda k: k / 100)


def _windows() -> st.SearchStrategy[int]:
    return st.integers(min_value=1, max_value=6)


def _tie_breaks() -> st.SearchStrategy[str]:
    return st.sampled_from(["highest", "lowest", "most_recent", "none"])


def _simple_builders() -> dict[str, st.SearchStrategy[Any]]:
    from mastery_grading import policies as p

    return {
        "mean": st.builds(p.Mean, weighted=st.booleans()),
        "median": st.just(p.Median()),
        "mode": st.builds(p.Mode, tie_break=_tie_breaks()),
        "most_recent": st.just(p.MostRecent()),
        "mean_of_recent": st.builds(p.MeanOfRecent, n=_windows()),
        "median_of_recent": st.builds(p.MedianOfRecent, n=_windows()),
        "mode_of_recent": st.builds(p.ModeOfRecent, n=_windows(), tie_break=_tie_breaks()),
        "decaying_average": st.builds(p.DecayingAverage, rate=_rates()),
        "weighted_average": st.builds(p.WeightedAverage, weight=_rates()),
        "highest": st.just(p.Highest()),
        "mean_of_highest": st.builds(p.MeanOfHighest, n=_windows()),
        "highest_of_recent": st.builds(p.HighestOfRecent, n=_windows()),
        "n_times": st.builds(p.NTimes, n=st.integers(min_value=1, max_value=10)),
        "power_law": st.builds(
            p.PowerLaw,
            single=st.sampled_from(["score", "none"]),
            zeros=st.sampled_from(["none", "floor"]),
            floor=_rates(),
            clamp=st.booleans(),
        ),
        "linear_trend": st.builds(p.LinearTrend, clamp=st.booleans()),
        "best_fit": st.builds(
            p.BestFit,
            models=st.sets(st.sampled_from(["mean", "linear", "power_law"]), min_size=1).map(
                sorted
            ),
            clamp=st.booleans(),
        ),
        "canvas_rollup": _canvas_rollups(),
    }


def _canvas_rollups() -> st.SearchStrategy[Any]:
    from mastery_grading.policies import CanvasRollup
    from mastery_grading.policies.canvas import CANVAS_METHODS, ROLLUP_METHODS

    def build(method: str, draw_int: st.DrawFn) -> Any:
        allowed = CANVAS_METHODS[method]
        number = None if allowed is None else draw_int(st.integers(allowed[1], allowed[2]))
        return CanvasRollup(method=method, calculation_int=number)

    return st.composite(lambda draw: build(draw(st.sampled_from(ROLLUP_METHODS)), draw))()


def _moments() -> st.SearchStrategy[date | None]:
    days = st.integers(min_value=0, max_value=365)
    return st.one_of(
        st.none(),
        days.map(lambda d: (EPOCH + timedelta(days=d)).date()),
        days.map(lambda d: EPOCH + timedelta(days=d, minutes=7)),
    )


@st.composite
def _filtered(draw: st.DrawFn, inner: st.SearchStrategy[Any]) -> Any:
    from mastery_grading.policies import Filtered

    start, end = draw(_moments()), draw(_moments())
    if start is not None and end is not None:
        early, late = sorted([start, end], key=lambda m: m.isoformat()[:10])
        start, end = early, (None if early.isoformat()[:10] == late.isoformat()[:10] else late)
    return Filtered(
        inner=draw(inner),
        summative_only=draw(st.booleans()),
        independent_only=draw(st.booleans()),
        as_of=draw(_moments()),
        start=start,
        end=end,
        contexts=draw(st.none() | st.sets(st.sampled_from(["math", "science"]), min_size=1)),
        min_evidence=draw(st.integers(min_value=0, max_value=3)),
    )


@st.composite
def _at_bats(draw: st.DrawFn, inner: st.SearchStrategy[Any]) -> Any:
    from mastery_grading.policies import AtBats

    k = draw(st.integers(min_value=1, max_value=4))
    places = draw(st.integers(min_value=1, max_value=k))
    return AtBats(inner=draw(inner), k=k, contexts=places)


def _wrapper_builders(inner: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    from mastery_grading import policies as p

    return {
        "max_of": st.lists(inner, min_size=1, max_size=3).map(lambda ps: p.MaxOf(*ps)),
        "filtered": _filtered(inner),
        "at_bats": _at_bats(inner),
        "rounded": st.builds(p.Rounded, inner=inner, places=st.integers(0, 4)),
    }


#: The spec name of every built-in policy that :func:`policies` generates.
POLICY_NAMES = (
    "mean", "median", "mode", "most_recent", "mean_of_recent", "median_of_recent",
    "mode_of_recent", "decaying_average", "weighted_average", "highest", "mean_of_highest",
    "highest_of_recent", "n_times", "power_law", "linear_trend", "best_fit", "canvas_rollup",
    "max_of", "filtered", "at_bats", "rounded",
)  # fmt: skip


def policy_named(name: str) -> st.SearchStrategy[Any]:
    """Built-in policies with spec name ``name`` and generated parameters.

    Wrappers (``max_of``, ``filtered``, ``at_bats``, ``rounded``) wrap generated simple
    policies, or one level of wrapper around them.

    >>> from hypothesis import given
    >>> @given(policy_named("n_times"))
    ... def test_n_in_range(policy):
    ...     assert 1 <= policy.n <= 10
    >>> test_n_in_range()
    """
    simple = _simple_builders()
    if name in simple:
        return simple[name]
    inner_simple = st.one_of(*simple.values())
    inner = st.one_of(inner_simple, st.one_of(*_wrapper_builders(inner_simple).values()))
    wrappers = _wrapper_builders(inner)
    if name not in wrappers:
        msg = f"name={name!r} is not a built-in policy; expected one of {list(POLICY_NAMES)}"
        raise ValueError(msg)
    return wrappers[name]


def policies() -> st.SearchStrategy[Any]:
    """Every built-in policy, with generated parameters (wrappers nest other policies).

    >>> from hypothesis import given
    >>> @given(policies())
    ... def test_has_spec(policy):
    ...     assert policy.to_spec()["policy"] in POLICY_NAMES
    >>> test_has_spec()
    """
    return st.one_of(*(policy_named(name) for name in POLICY_NAMES))
