"""Recency policies: the latest score, and averages that favour recent scores."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._exact import exact
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import HistoryPolicy, make_result
from mastery_grading.policies._incremental import Incremental
from mastery_grading.policies._spec import register_policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["DecayingAverage", "MostRecent"]

_RECENCY_CLAIMS = frozenset(
    {
        "bounded",
        "within_observed_range",
        "unanimity",
        "monotone",
        "time_shift_invariant",
        "no_retake_penalty",
        "improvement_credit",
        "recency",
        "deterministic",
        "target_independent",
    }
)


@register_policy
@attrs.frozen(kw_only=True)
class MostRecent(Incremental, HistoryPolicy):
    r"""The latest score: where the student is now.

    .. math::

        \text{MostRecent}(s_1, \dots, s_n) = s_n

    Offered by every gradebook (Canvas "Most Recent Score", MasteryConnect's default). The
    latest is decided by :func:`~mastery_grading.chronological_key`, so evidence observed at the
    same instant is ordered by attempt, then assessment id, never by input order.

    With no evidence the value is ``None``; with one score it is that score. Only the latest
    evidence contributes, with weight 1.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from mastery_grading import Evidence, LearningTarget, Scale
        >>> street = LearningTarget(id="uptown", title="Drive uptown", scale=Scale.percent())
        >>> start = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> history = [Evidence(student_id="car", target_id="uptown", score=s,
        ...                     observed_at=start + timedelta(days=i))
        ...            for i, s in enumerate([28, 34, 59, 86])]
        >>> MostRecent().evaluate(history, street).value
        86.0
    """

    spec_name: ClassVar[str] = "most_recent"
    claims: ClassVar[frozenset[str]] = _RECENCY_CLAIMS
    #: An older score arriving late never replaces the latest, so no recomputation is needed.
    order_free: ClassVar[bool] = True

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        latest = history[-1]
        return make_result(target, self, latest.score, [latest], [1.0], evidence_count=len(history))

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        return totals

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return None if latest is None else latest.score

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        return history[-1:], [1.0]


@register_policy
@attrs.frozen(kw_only=True)
class DecayingAverage(Incremental, HistoryPolicy):
    r"""The exponential decaying average: each new score pulls the result toward it by ``rate``.

    .. math::

        d_1 = s_1, \qquad d_k = r\,s_k + (1 - r)\,d_{k-1}, \qquad \text{result} = d_n

    so the weight of :math:`s_1` is :math:`(1-r)^{n-1}` and the weight of :math:`s_k`
    (:math:`k \ge 2`) is :math:`r(1-r)^{n-k}`. This is Canvas's "Decaying Average"
    (``standard_decaying_average``, 65 %), MasteryConnect's, Schoology's (75 %), PowerSchool
    Learning's and D2L's. It is *not* Canvas's legacy "decaying average", which is a two-part
    weighted average (``WeightedAverage`` in the catalogue).

    With no evidence the value is ``None``; with one score it is that score.

    Args:
        rate: The weight :math:`r` of the newest score, in ``(0, 1]`` (default 0.65). At 1 the
            policy is :class:`MostRecent`.

    Raises:
        InvalidValueError: If ``rate`` lies outside ``(0, 1]``.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> start = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> history = [Evidence(student_id="s", target_id="T", score=s,
        ...                     observed_at=start + timedelta(days=i))
        ...            for i, s in enumerate([2, 3, 4])]
        >>> round(DecayingAverage().evaluate(history, target).value, 4)  # PowerSchool: 3.53
        3.5275
        >>> DecayingAverage(rate=1.5)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: rate=1.5 must be in (0.0, 1.0]
    """

    spec_name: ClassVar[str] = "decaying_average"
    claims: ClassVar[frozenset[str]] = _RECENCY_CLAIMS

    rate: float = attrs.field(
        default=0.65,
        converter=v.to_float,
        validator=v.number_in_range(0.0, 1.0, low_open=True),
    )

    def weights(self, n: int) -> tuple[Fraction, ...]:
        """Return the exact weight of each of ``n`` scores, oldest first; they sum to 1.

        >>> [float(w) for w in DecayingAverage(rate=0.5).weights(3)]
        [0.25, 0.25, 0.5]
        """
        r = exact(self.rate)
        keep = 1 - r
        return (keep ** (n - 1), *(r * keep ** (n - k) for k in range(2, n + 1)))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        weights = self.weights(len(history))
        value = sum((w * exact(e.score) for w, e in zip(weights, history, strict=True)), Fraction())
        return make_result(target, self, value, history, weights, evidence_count=len(history))

    def _initial(self) -> tuple[float, ...]:
        return (0.0,)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        if count == 0:
            return (evidence.score,)
        rate = self.rate
        return (rate * evidence.score + (1.0 - rate) * totals[0],)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return totals[0]

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        return history, self.weights(len(history))
