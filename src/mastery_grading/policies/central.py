"""Central-tendency policies: the mean of the whole history."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._exact import exact, exact_mean
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import HistoryPolicy, make_result
from mastery_grading.policies._incremental import Incremental
from mastery_grading.policies._spec import register_policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Mean"]


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
    claims: ClassVar[frozenset[str]] = frozenset(
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

    def _initial(self) -> tuple[float, ...]:
        return (0.0, 0.0)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        weight = evidence.weight if self.weighted else 1.0
        return (totals[0] + weight * evidence.score, totals[1] + weight)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return totals[0] / totals[1]

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        weights = [exact(e.weight) if self.weighted else Fraction(1) for e in history]
        total = sum(weights, Fraction(0))
        return history, [w / total for w in weights]
