"""The situations the fairness axioms are checked on: cases, and the hand-picked ones.

A :class:`PolicyCase` is one student's history on one target plus what the axioms vary (a score
to raise, a permutation, a time shift, ...); a :class:`ConverterCase` is one student's profile of
results. :func:`classic_policy_cases` and :func:`classic_converter_cases` are the hand-picked
cases that every check and audit tries first: the shapes of known failures, which random
generation rarely hits. Generated cases come from :mod:`mastery_grading.fairness.generate`
(Hypothesis). This module needs no Hypothesis.

Example:
    >>> from mastery_grading import LearningTarget
    >>> case = PolicyCase.from_scores([1, 4], target=LearningTarget(id="T", title="T"))
    >>> [e.score for e in case.history]
    [1.0, 4.0]
    >>> len(classic_policy_cases()), len(classic_converter_cases())
    (14, 11)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs

from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "CASE_PARTS",
    "EPOCH",
    "START",
    "ConverterCase",
    "PolicyCase",
    "classic_converter_cases",
    "classic_policy_cases",
]

#: The moment generated timestamps start from.
EPOCH = datetime(2026, 8, 24, 8, 0, tzinfo=UTC)

#: The first moment of :meth:`PolicyCase.from_scores` histories.
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

#: Everything :func:`~mastery_grading.fairness.generate.policy_cases` can vary besides the
#: history (``PolicyCase`` field names).
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


def _evidence_tuple(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _int_tuple(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _result_tuple(value: Iterable[TargetResult]) -> tuple[TargetResult, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PolicyCase:
    """One generated situation for checking a policy against every axiom.

    The strategy :func:`mastery_grading.fairness.generate.policy_cases` generates them; each
    axiom uses the parts it needs.

    Args:
        target: The learning target.
        history: Evidence of student ``"s1"`` on ``target``, at distinct moments, oldest first;
            at least one piece.
        index: Which score to raise (``monotone``), counted from 0 modulo the history length.
        share: 0-100: how far toward the top of the scale a raised or new score goes; 0 means
            "exactly the current result" for a retake.
        permutation: A permutation of ``range(len(history))`` (``order_free``).
        shift: A non-zero time shift (``time_shift_invariant``).
        gap: Time between the latest evidence and an appended retake.
        extra: Formative evidence to add (``formative_neutral``).
        other_target: Another target (``target_independent``).
        other: Evidence of the same student on ``other_target``.
        student_id: Another student id (``deterministic``).
        input_order: A permutation of the input order (``deterministic``).
        same_time: Whether ``deterministic`` puts all evidence at one instant, to test ties.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> case = PolicyCase.from_scores([1, 2, 3], target=target)
        >>> [e.score for e in case.history]
        [1.0, 2.0, 3.0]
    """

    target: LearningTarget
    history: tuple[Evidence, ...] = attrs.field(converter=_evidence_tuple)
    index: int = 0
    share: int = 50
    permutation: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)
    shift: timedelta = timedelta(days=7)
    gap: timedelta = timedelta(days=1)
    extra: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence_tuple)
    other_target: LearningTarget | None = None
    other: tuple[Evidence, ...] = attrs.field(default=(), converter=_evidence_tuple)
    student_id: str = "s2"
    input_order: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)
    same_time: bool = False

    @classmethod
    def from_scores(
        cls, scores: Sequence[float], *, target: LearningTarget, **fields: Any
    ) -> PolicyCase:
        """Build a case from summative scores one day apart (for hand-written checks).

        Example:
            >>> from mastery_grading import LearningTarget
            >>> case = PolicyCase.from_scores([2, 4], target=LearningTarget(id="T", title="T"),
            ...                               permutation=(1, 0))
            >>> case.permutation
            (1, 0)
        """
        history = tuple(
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=score,
                observed_at=START + timedelta(days=day),
            )
            for day, score in enumerate(scores)
        )
        return cls(target=target, history=history, **fields)


@attrs.frozen(kw_only=True)
class ConverterCase:
    """One generated profile of results for checking a grade converter.

    Args:
        results: One result per target (distinct targets); a value may be ``None``.
        index: Which result to raise (``monotone``), modulo the number of results.
        share: 1-100: how far toward the top of the scale the raised value goes.
        input_order: A permutation of the results (``unambiguous``).

    Example:
        >>> case = classic_converter_cases()[7]
        >>> [r.value for r in case.results], case.input_order
        ([3.0, None], (1, 0))
    """

    results: tuple[TargetResult, ...] = attrs.field(converter=_result_tuple)
    index: int = 0
    share: int = 50
    input_order: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)


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
