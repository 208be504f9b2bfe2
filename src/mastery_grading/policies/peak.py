"""Peak policies: the best a student has shown, overall or recently."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import FORWARD_LOOKING_CLAIMS, HistoryPolicy
from mastery_grading.policies._incremental import Incremental
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies._summaries import finish, highest_n, last_n, maximum, mean
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Highest", "HighestOfRecent", "MeanOfHighest"]

#: A peak never falls when a score rises or a new score arrives.
_PEAK_CLAIMS = FORWARD_LOOKING_CLAIMS


@register_policy
@attrs.frozen(kw_only=True)
class Highest(Incremental, HistoryPolicy):
    r"""The highest score ever shown.

    .. math::

        \text{Highest}(s_1, \dots, s_n) = \max_i s_i

    Canvas "Highest Score" (also its fallback when no method is set), JumpRope "Max Value",
    Kiddom "Max Law", MasteryConnect "Maximum Value". It never punishes a bad day, but it is
    not sensitive to recency: a student who showed 4 once and 1 ever since keeps 4.

    With no evidence the value is ``None``; with one score it is that score. Every piece of
    evidence with the highest score contributes equally.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> Highest().evaluate(scores_to_history([2, 4, 1, 1]), target).value
        4.0
    """

    spec_name: ClassVar[str] = "highest"
    order_free: ClassVar[bool] = True
    value_is_a_score: ClassVar[bool] = True
    claims: ClassVar[frozenset[Claim]] = _PEAK_CLAIMS | {"order_free"}

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        return finish(maximum(history), target, self, len(history))

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return (float("-inf"),)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        return (evidence.score,) if evidence.score > totals[0] else totals

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        (highest,) = totals
        for score in scores:
            if score > highest:
                highest = score
        return (highest,)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return totals[0]

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        summary = maximum(history)
        return summary.used, summary.weights


@register_policy
@attrs.frozen(kw_only=True)
class MeanOfHighest(HistoryPolicy):
    r"""The mean of the ``n`` highest scores.

    .. math::

        \text{MeanOfHighest}_n(s_1, \dots, s_m) = \frac1k \sum_{j=m-k+1}^{m} s_{(j)},
        \qquad k = \min(n, m)

    where :math:`s_{(j)}` is the :math:`j`-th smallest score. Educate's "Average of 3 Highest"
    (scores 4, 3, 3, 4 give 3.67). With fewer than ``n`` scores it uses all of them; evidence
    weights are ignored. Among equal scores the more recent evidence is the one that counts.

    With no evidence the value is ``None``; with one score it is that score.

    Args:
        n: How many of the highest scores to average, at least 1 (default 3).

    Raises:
        InvalidValueError: If ``n`` is less than 1.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> value = MeanOfHighest(n=3).evaluate(scores_to_history([4, 3, 3, 4]), target).value
        >>> round(value, 2)
        3.67
    """

    spec_name: ClassVar[str] = "mean_of_highest"
    claims: ClassVar[frozenset[Claim]] = _PEAK_CLAIMS | {"order_free"}

    n: int = attrs.field(default=3, validator=v.int_in_range(1))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        return finish(mean(highest_n(history, self.n)), target, self, len(history))


@register_policy
@attrs.frozen(kw_only=True)
class HighestOfRecent(HistoryPolicy):
    r"""The highest of the ``n`` most recent scores.

    .. math::

        \text{HighestOfRecent}_n(s_1, \dots, s_m) = \max_{m - k < i \le m} s_i,
        \qquad k = \min(n, m)

    Rediker's "Highest of most recent x". A best recent performance: an old peak ages out.
    With fewer than ``n`` scores it uses all of them. With no evidence the value is ``None``;
    with one score it is that score.

    Args:
        n: How many recent scores to look at, at least 1 (default 3).

    Raises:
        InvalidValueError: If ``n`` is less than 1.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> HighestOfRecent(n=2).evaluate(scores_to_history([4, 2, 3, 1]), target).value
        3.0
    """

    spec_name: ClassVar[str] = "highest_of_recent"
    claims: ClassVar[frozenset[Claim]] = _PEAK_CLAIMS

    n: int = attrs.field(default=3, validator=v.int_in_range(1))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        return finish(maximum(last_n(history, self.n)), target, self, len(history))


# Vectorized kernels (numpy, imported on first use): peak.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.peak"
register_kernel(Highest, f"{_KERNELS}:highest_kernel")
register_kernel(HighestOfRecent, f"{_KERNELS}:highest_of_recent_kernel")
register_kernel(MeanOfHighest, f"{_KERNELS}:mean_of_highest_kernel")
