"""Recency policies: the latest score, and averages that favour recent scores."""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._exact import exact
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import HistoryPolicy, make_result
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
class MostRecent(HistoryPolicy):
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

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        latest = history[-1]
        return make_result(target, self, latest.score, [latest], [1.0], evidence_count=len(history))


class _DecayingClaims:
    """The claims of a decaying average, which depend on its rate.

    Below a rate of 1/2 the *oldest* score outweighs the second one (weights ``1 - r`` and
    ``r`` for two scores), so an improving student gets less than a declining one: recency
    fails (found by the fairness audit: 0.2 gives improving 0, 0.5 -> 0.1 and declining
    0.5, 0 -> 0.4). On the class, the claims of the default rate are shown.
    """

    def __get__(self, instance: DecayingAverage | None, owner: type) -> frozenset[str]:
        if instance is not None and instance.rate < 0.5:
            return _RECENCY_CLAIMS - {"recency"}
        return _RECENCY_CLAIMS


@register_policy
@attrs.frozen(kw_only=True)
class DecayingAverage(HistoryPolicy):
    r"""The exponential decaying average: each new score pulls the result toward it by ``rate``.

    .. math::

        d_1 = s_1, \qquad d_k = r\,s_k + (1 - r)\,d_{k-1}, \qquad \text{result} = d_n

    so the weight of :math:`s_1` is :math:`(1-r)^{n-1}` and the weight of :math:`s_k`
    (:math:`k \ge 2`) is :math:`r(1-r)^{n-k}`. This is Canvas's "Decaying Average"
    (``standard_decaying_average``, 65 %), MasteryConnect's, Schoology's (75 %), PowerSchool
    Learning's and D2L's. It is *not* Canvas's legacy "decaying average", which is a two-part
    weighted average (``WeightedAverage`` in the catalogue).

    With no evidence the value is ``None``; with one score it is that score.

    A rate below 1/2 gives the oldest score more weight than the second, so such a policy does
    not claim ``recency``: improving 0 then 2 gets 0.4 at rate 0.2, declining 2 then 0 gets 1.6.

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
    claims: ClassVar[frozenset[str]] = _DecayingClaims()  # type: ignore[assignment]

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
