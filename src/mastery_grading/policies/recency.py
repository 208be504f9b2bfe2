"""Recency policies: the latest score, the last n scores, and recency-weighted averages."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import FORWARD_LOOKING_CLAIMS, HistoryPolicy, make_result
from mastery_grading.policies._incremental import Incremental, RunningTotals
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies._summaries import (
    TIE_BREAKS,
    Summary,
    TieBreak,
    finish,
    last_n,
    mean,
    median,
    mode,
)
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "DecayingAverage",
    "MeanOfRecent",
    "MedianOfRecent",
    "ModeOfRecent",
    "MostRecent",
    "WeightedAverage",
]

_RECENCY_CLAIMS = FORWARD_LOOKING_CLAIMS


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
    claims: ClassVar[frozenset[Claim]] = _RECENCY_CLAIMS | {"recency_sensitive"}
    #: An older score arriving late never replaces the latest, so no recomputation is needed.
    order_free: ClassVar[bool] = True
    value_is_a_score: ClassVar[bool] = True

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        latest = history[-1]
        return make_result(target, self, latest.score, [latest], [1.0], evidence_count=len(history))

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        return totals

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        return totals

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return None if latest is None else latest.score

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        return history[-1:], [1.0]


class _NewestWeightClaims:
    """The claims of an average whose newest score weighs ``field`` (a rate or a weight).

    Below 1/2 the older scores outweigh the newest one (weights ``1 - r`` and ``r`` for two
    scores), so an improving student gets less than a declining one: recency fails (found by
    the fairness audit: a decaying average at 0.2 gives improving 0, 0.5 -> 0.1 and declining
    0.5, 0 -> 0.4). At exactly 1/2 two scores weigh the same, so improving and declining tie:
    recency holds but ``recency_sensitive`` does not; above 1/2 the newest score weighs more
    than any older one and both hold. On the class, the claims of the default are shown.
    """

    def __init__(self, field: str, others: frozenset[Claim]) -> None:
        self.field = field
        self.others = others - {"recency", "recency_sensitive"}

    def __get__(self, instance: object, owner: type) -> frozenset[Claim]:
        weight = float(getattr(owner() if instance is None else instance, self.field))
        if weight > 0.5:
            return self.others | {"recency", "recency_sensitive"}
        if weight == 0.5:
            return self.others | {"recency"}
        return self.others


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
    # "recency" only from rate 1/2 up: below it the oldest score outweighs the second, so
    # scores 1, 4 (improving) give less than 4, 1 at rate 0.2 (1.6 against 3.4); and
    # "recency_sensitive" only above 1/2 (at 1/2, scores 1, 4 and 4, 1 both give 2.5).
    claims: ClassVar[frozenset[Claim]] = _NewestWeightClaims(  # type: ignore[assignment]
        "rate", _RECENCY_CLAIMS
    )

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

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return (0.0,)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        if count == 0:
            return (evidence.score,)
        rate = self.rate
        return (rate * evidence.score + (1.0 - rate) * totals[0],)

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        if not scores:
            return totals
        rate = self.rate
        keep = 1.0 - rate
        value = scores[0]
        for score in scores[1:]:
            value = rate * score + keep * value
        return (value,)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        return totals[0]

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        return history, self.weights(len(history))


# -- summaries of the last n scores -----------------------------------------------------------

#: What every "...OfRecent" summary keeps: the window only ever drops the oldest scores.
_WINDOW_CLAIMS: frozenset[Claim] = frozenset(
    {
        "bounded",
        "within_observed_range",
        "unanimity",
        "time_shift_invariant",
        "deterministic",
        "target_independent",
    }
)


@attrs.frozen(kw_only=True)
class _RecentWindow(HistoryPolicy):
    """A summary (mean, median, mode) of the ``n`` most recent scores, or of all when fewer."""

    n: int = attrs.field(default=3, validator=v.int_in_range(1))

    @abc.abstractmethod
    def _summarize(self, window: tuple[Evidence, ...]) -> Summary:
        """Return the summary of the window, oldest first."""

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        window = last_n(history, self.n)
        return finish(self._summarize(window), target, self, len(history))


@register_policy
@attrs.frozen(kw_only=True)
class MeanOfRecent(_RecentWindow):
    r"""The mean of the ``n`` most recent scores.

    .. math::

        \text{MeanOfRecent}_n(s_1, \dots, s_m) = \frac{1}{k} \sum_{i = m - k + 1}^{m} s_i,
        \qquad k = \min(n, m)

    Rediker's "Mean of most recent x", Common Goal Systems' "Average of Recent Scores",
    PowerTeacher Pro's "Most Recent Scores" and Infinite Campus' "Limit assignments to last N".
    With fewer than ``n`` scores it uses all of them; evidence weights are ignored. A retake
    at the current level can still lower it, because the window drops an older, higher score
    (scores 4, 2 give 3 at ``n=2``; a new 3 gives 2.5).

    With no evidence the value is ``None``; with one score it is that score. The last ``k``
    pieces of evidence contribute :math:`1/k` each.

    Args:
        n: How many recent scores to average, at least 1 (default 3).

    Raises:
        InvalidValueError: If ``n`` is less than 1.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> MeanOfRecent(n=2).evaluate(scores_to_history([1, 2, 3.5, 4]), target).value
        3.75
    """

    spec_name: ClassVar[str] = "mean_of_recent"
    claims: ClassVar[frozenset[Claim]] = _WINDOW_CLAIMS | {
        "monotone",
        "improvement_credit",
        "recency",
    }

    def _summarize(self, window: tuple[Evidence, ...]) -> Summary:
        return mean(window)


@register_policy
@attrs.frozen(kw_only=True)
class MedianOfRecent(_RecentWindow):
    r"""The median of the ``n`` most recent scores (an even count: mean of the middle two).

    .. math::

        \text{MedianOfRecent}_n(s_1, \dots, s_m) = \text{Median}(s_{m-k+1}, \dots, s_m),
        \qquad k = \min(n, m)

    Common Goal Systems' "Median of Recent Scores". With fewer than ``n`` scores it uses all of
    them. With no evidence the value is ``None``; with one score it is that score. The middle
    evidence of the window contributes, as for :class:`~mastery_grading.policies.Median`.

    Args:
        n: How many recent scores to use, at least 1 (default 3).

    Raises:
        InvalidValueError: If ``n`` is less than 1.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> MedianOfRecent(n=3).evaluate(scores_to_history([4, 1, 3, 2.5]), target).value
        2.5
    """

    spec_name: ClassVar[str] = "median_of_recent"
    claims: ClassVar[frozenset[Claim]] = _WINDOW_CLAIMS | {
        "monotone",
        "improvement_credit",
        "recency",
    }

    def _summarize(self, window: tuple[Evidence, ...]) -> Summary:
        return median(window)


@register_policy
@attrs.frozen(kw_only=True)
class ModeOfRecent(_RecentWindow):
    r"""The most frequent of the ``n`` most recent scores, ties broken by ``tie_break``.

    .. math::

        \text{ModeOfRecent}_n(s_1, \dots, s_m) = \text{Mode}(s_{m-k+1}, \dots, s_m),
        \qquad k = \min(n, m)

    Infinite Campus' "Mode of Last 3" and "Mode of Last 5", Common Goal Systems' "Mode of
    Recent Scores". The tie rules are those of :class:`~mastery_grading.policies.Mode`. With
    fewer than ``n`` scores it uses all of them. With no evidence the value is ``None``; with
    one score it is that score.

    Args:
        n: How many recent scores to use, at least 1 (default 3).
        tie_break: ``"highest"`` (default), ``"lowest"``, ``"most_recent"`` or ``"none"``.

    Raises:
        InvalidValueError: If ``n`` is less than 1 or ``tie_break`` is unknown.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> ModeOfRecent(n=3).evaluate(scores_to_history([4, 4, 2, 3, 2]), target).value
        2.0
    """

    spec_name: ClassVar[str] = "mode_of_recent"
    claims: ClassVar[frozenset[Claim]] = _WINDOW_CLAIMS

    tie_break: TieBreak = attrs.field(default="highest", validator=v.one_of(TIE_BREAKS))

    def _summarize(self, window: tuple[Evidence, ...]) -> Summary:
        return mode(window, tie_break=self.tie_break)


# -- Canvas's legacy "decaying average" ---------------------------------------------------------


@register_policy
@attrs.frozen(kw_only=True)
class WeightedAverage(Incremental, HistoryPolicy):
    r"""Canvas's legacy "decaying average": the latest score against the mean of the others.

    .. math::

        \text{WeightedAverage}_w(s_1, \dots, s_n) = w\,s_n + (1 - w)\,
            \frac{1}{n - 1} \sum_{i=1}^{n-1} s_i \quad (n \ge 2),
        \qquad \text{WeightedAverage}_w(s_1) = s_1

    Canvas stored this as ``decaying_average`` until 2024 and now labels it "Weighted
    Average" (``weighted_average``); its own code comment calls it "more mathematically a
    weighted average". It is not the exponential
    :class:`~mastery_grading.policies.DecayingAverage`.

    Pitfall: a retake at the student's current level can lower the result. Scores 1, 4 give
    2.95; a new 2.95 gives 2.7925, because the 4 falls from the 65 % part into the mean of the
    older scores.

    With no evidence the value is ``None``; a single score is returned as is. The latest
    evidence contributes :math:`w`, each older one :math:`(1 - w)/(n - 1)`.

    Args:
        weight: The weight :math:`w` of the latest score, in ``(0, 1]`` (default 0.65; Canvas's
            integer percent 65 is 0.65).

    Raises:
        InvalidValueError: If ``weight`` lies outside ``(0, 1]``.

    Example:
        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> five = LearningTarget(id="T", title="Ratios", scale=Scale(min=0, max=5, mastery=3))
        >>> WeightedAverage().evaluate(scores_to_history([1, 2, 3, 4, 5]), five).value
        4.125
        >>> WeightedAverage().evaluate(scores_to_history([1, 4, 2.95]), target).value
        2.7925
    """

    spec_name: ClassVar[str] = "weighted_average"
    #: Only the latest score and the sum of all scores matter, so late evidence folds in O(1).
    order_free: ClassVar[bool] = True
    # Recency from a weight of 1/2 up, strict above it: improving minus declining is
    # (highest - lowest) * (w - (1 - w) / (n - 1)), smallest for two scores.
    claims: ClassVar[frozenset[Claim]] = _NewestWeightClaims(  # type: ignore[assignment]
        "weight",
        frozenset(
            {
                "bounded",
                "within_observed_range",
                "unanimity",
                "monotone",
                "time_shift_invariant",
                "deterministic",
                "target_independent",
            }
        ),
    )

    weight: float = attrs.field(
        default=0.65,
        converter=v.to_float,
        validator=v.number_in_range(0.0, 1.0, low_open=True),
    )

    def weights(self, n: int) -> tuple[Fraction, ...]:
        """Return the exact weight of each of ``n`` scores, oldest first; they sum to 1.

        >>> [float(w) for w in WeightedAverage(weight=0.6).weights(3)]
        [0.2, 0.2, 0.6]
        """
        if n == 1:
            return (Fraction(1),)
        w = exact(self.weight)
        older = (1 - w) / (n - 1)
        return (*(older for _ in range(n - 1)), w)

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        weights = self.weights(len(history))
        value = sum((w * exact(e.score) for w, e in zip(weights, history, strict=True)), Fraction())
        return make_result(target, self, value, history, weights, evidence_count=len(history))

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return (0.0, 0.0)

    def exact_value(self, totals: RunningTotals) -> Fraction | None:
        """The exact value from exact running totals: the latest score and the sum of all.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> policy = WeightedAverage(weight=0.5)
            >>> policy.exact_value(policy.fold_scores(LearningTarget(id="T", title="T"), [1, 3]))
            Fraction(2, 1)
        """
        latest, (total, n) = totals.latest_score, totals.totals
        if latest is None:
            return None
        if n == 1:
            return exact(latest)
        w = exact(self.weight)
        return w * exact(latest) + (1 - w) * (Fraction(total) - exact(latest)) / (int(n) - 1)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        return (totals[0] + evidence.score, totals[1] + 1.0)

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        total, n = totals
        for score in scores:
            total += score
            n += 1.0
        return (total, n)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        if latest is None:
            return None
        total, n = totals
        if n == 1:
            return latest.score
        return self.weight * latest.score + (1.0 - self.weight) * (total - latest.score) / (n - 1)

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        return history, self.weights(len(history))


# Vectorized kernels (numpy, imported on first use): recency.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.recency"
register_kernel(MostRecent, f"{_KERNELS}:most_recent_kernel")
register_kernel(DecayingAverage, f"{_KERNELS}:decaying_average_kernel")
register_kernel(MeanOfRecent, f"{_KERNELS}:mean_of_recent_kernel")
register_kernel(MedianOfRecent, f"{_KERNELS}:median_of_recent_kernel")
register_kernel(ModeOfRecent, f"{_KERNELS}:mode_of_recent_kernel")
register_kernel(WeightedAverage, f"{_KERNELS}:weighted_average_kernel")
