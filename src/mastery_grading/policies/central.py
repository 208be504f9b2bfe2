"""Central-tendency policies: the mean, median and mode of the whole history."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact, exact_mean
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import HistoryPolicy, make_result
from mastery_grading.policies._incremental import Incremental
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies._summaries import TIE_BREAKS, TieBreak, finish, median, mode
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Mean", "Median", "Mode"]


@register_policy
@attrs.frozen(kw_only=True)
class Mean(Incremental, HistoryPolicy):
    r"""The (weighted) arithmetic mean of every score.

    .. math::

        \text{Mean}(s_1, \dots, s_n) = \frac{\sum_i w_i s_i}{\sum_i w_i}

    where :math:`w_i` is the evidence weight (1 unless set), or 1 for every score when
    ``weighted=False``. Used as "Average" by Canvas, "Weighted Average" by JumpRope (with item
    weights), and by Schoology, PowerTeacher Pro and Moodle. It counts early work as much as
    late work, so it lags behind a student who has improved.

    With no evidence the value is ``None`` (reason ``"no evidence"``); with one score it is that
    score. Every score contributes with weight :math:`w_i / \sum w`.

    Args:
        weighted: Whether to weight each score by its evidence weight (default ``True``).

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from mastery_grading import Evidence, LearningTarget, Scale
        >>> street = LearningTarget(id="uptown", title="Drive uptown", scale=Scale.percent())
        >>> start = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> history = [Evidence(student_id="car", target_id="uptown", score=s,
        ...                     observed_at=start + timedelta(days=i))
        ...            for i, s in enumerate([28, 34, 59, 86])]
        >>> Mean().evaluate(history, street).value
        51.75
    """

    spec_name: ClassVar[str] = "mean"
    order_free: ClassVar[bool] = True
    value_is_a_ratio: ClassVar[bool] = True
    claims: ClassVar[frozenset[Claim]] = frozenset(
        {
            "bounded",
            "within_observed_range",
            "unanimity",
            "monotone",
            "order_free",
            "time_shift_invariant",
            "no_retake_penalty",
            "improvement_credit",
            "recency",
            "deterministic",
            "target_independent",
        }
    )

    weighted: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        weights = [e.weight if self.weighted else 1.0 for e in history]
        value = exact_mean([e.score for e in history], weights)
        total = sum(exact(w) for w in weights)
        shares = [exact(w) / total for w in weights]
        return make_result(target, self, value, history, shares, evidence_count=len(history))

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return (0.0, 0.0)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        weight = evidence.weight if self.weighted else 1.0
        return (totals[0] + weight * evidence.score, totals[1] + weight)

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        total, weight_sum = totals
        if weights is None or not self.weighted:
            for score in scores:  # weight 1: 1.0 * score is score, exactly
                total += score
                weight_sum += 1.0
        else:
            for score, weight in zip(scores, weights, strict=True):
                total += weight * score
                weight_sum += weight
        return (total, weight_sum)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return totals[0] / totals[1]

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        weights = [exact(e.weight) if self.weighted else Fraction(1) for e in history]
        total = sum(weights, Fraction(0))
        return history, [w / total for w in weights]


@register_policy
@attrs.frozen(kw_only=True)
class Median(HistoryPolicy):
    r"""The middle score; with an even count, the mean of the two middle scores.

    .. math::

        \text{Median}(s_1, \dots, s_n) = \begin{cases}
            s_{(k+1)} & n = 2k + 1 \\
            \tfrac12 \left(s_{(k)} + s_{(k+1)}\right) & n = 2k
        \end{cases}

    where :math:`s_{(j)}` is the :math:`j`-th smallest score. Offered by PowerTeacher Pro,
    Moodle, Rediker and Common Goal Systems. One outlier (a bad day, a lucky guess) does not
    move it; evidence weights are ignored.

    With no evidence the value is ``None``; with one score it is that score. The middle
    evidence contributes (weight 1, or 1/2 each for two); among equal scores the older one
    ranks lower.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> Median().evaluate(scores_to_history([1, 4, 3, 2]), target).value
        2.5
        >>> Median().evaluate(scores_to_history([1, 4, 3]), target).value
        3.0
    """

    spec_name: ClassVar[str] = "median"
    claims: ClassVar[frozenset[Claim]] = frozenset(
        {
            "bounded",
            "within_observed_range",
            "unanimity",
            "monotone",
            "order_free",
            "time_shift_invariant",
            "no_retake_penalty",
            "improvement_credit",
            "recency",
            "deterministic",
            "target_independent",
        }
    )

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        return finish(median(history), target, self, len(history))


@register_policy
@attrs.frozen(kw_only=True)
class Mode(HistoryPolicy):
    r"""The most frequent score, with an explicit rule for ties.

    .. math::

        \text{Mode}(s_1, \dots, s_n) = \operatorname{arg\,max}_v \; \#\{i : s_i = v\}

    Used by D2L ("Most Common", its default), Otus, MasteryConnect, Infinite Campus ("Mode of
    Last 3/5"), Educate, Rediker, PowerTeacher Pro and Moodle. Vendors break ties differently,
    so the rule is a parameter: ``"highest"`` (MasteryConnect, Moodle), ``"lowest"``,
    ``"most_recent"`` (Educate: the tied score that occurred last) or ``"none"`` (Rediker: no
    score, the teacher decides; the value is ``None`` with a reason naming the tied scores).

    Pitfall: the mode is not monotone. Scores 1, 1, 3.5, 3.5 give 3.5 (a tie, broken upward);
    raise one 3.5 to 4 and the mode falls to 1, down 2.5 points.

    With no evidence the value is ``None``; with one score it is that score. Every piece of
    evidence with the chosen score contributes equally.

    Args:
        tie_break: ``"highest"`` (default), ``"lowest"``, ``"most_recent"`` or ``"none"``.

    Raises:
        InvalidValueError: If ``tie_break`` is not one of the four rules.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> Mode().evaluate(scores_to_history([3, 2, 3, 4]), target).value
        3.0
        >>> Mode(tie_break="lowest").evaluate(scores_to_history([3, 2, 2, 3]), target).value
        2.0
        >>> Mode(tie_break="none").evaluate(scores_to_history([3, 2, 2, 3]), target).reason
        'tie between the most frequent scores 2, 3'
    """

    spec_name: ClassVar[str] = "mode"
    claims: ClassVar[frozenset[Claim]] = frozenset(
        {
            "bounded",
            "within_observed_range",
            "unanimity",
            "time_shift_invariant",
            "recency",
            "deterministic",
            "target_independent",
        }
    )

    tie_break: TieBreak = attrs.field(default="highest", validator=v.one_of(TIE_BREAKS))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        return finish(mode(history, tie_break=self.tie_break), target, self, len(history))


# Vectorized kernels (numpy, imported on first use): central.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.central"
register_kernel(Mean, f"{_KERNELS}:mean_kernel")
register_kernel(Median, f"{_KERNELS}:median_kernel")
register_kernel(Mode, f"{_KERNELS}:mode_kernel")
