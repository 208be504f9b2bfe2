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

from hypothesis import strategies as st

from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.results import TargetResult
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades import AverageCutoffs, Condition, RuleSet

__all__ = [
    "EPOCH",
    "POLICY_NAMES",
    "average_cutoffs",
    "converters",
    "custom_scales",
    "evidence",
    "histories",
    "history_for",
    "ids",
    "policies",
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
    }


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
    "highest_of_recent", "n_times", "power_law", "linear_trend", "best_fit", "max_of",
    "filtered", "at_bats", "rounded",
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
