"""Trend policies: fit a curve through the scores in attempt order and read it at the latest.

The attempt index of a score is its rank in time (1 for the oldest), never a date: this is
Marzano's power law as JumpRope, PowerSchool, Infinite Campus and others compute it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, ClassVar, Literal, get_args

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.policies._base import HistoryPolicy, make_result, no_result
from mastery_grading.policies._fit import (
    linear_fit,
    linear_hat_weights,
    power_fit,
    power_hat_weights,
)
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = ["BestFit", "LinearTrend", "PowerLaw", "SingleScore", "Zeros"]

#: What :class:`PowerLaw` gives for a single score: that score, or no value.
SingleScore = Literal["score", "none"]
#: How :class:`PowerLaw` treats scores at or below 0: no fit, or a floor value.
Zeros = Literal["none", "floor"]

#: The models :class:`BestFit` chooses from, in its tie-break order (simplest first).
MODELS = ("mean", "linear", "power_law")

#: A trend read at the latest attempt: time shifts and the order of equal scores do not matter,
#: and improving later always beats improving earlier (the hat weights grow with the index).
_TREND_CLAIMS: frozenset[Claim] = frozenset(
    {"unanimity", "time_shift_invariant", "recency", "deterministic", "target_independent"}
)


class _PowerLawClaims:
    """The claims of a power law, which depend on its ``zeros`` rule.

    The hat weights grow strictly with the attempt, so an improving history beats a declining
    one strictly (``recency_sensitive``), unless ``zeros="floor"`` counts two different scores
    as the floor: 0, 0.5 and 0.5, 0 both give 0.5. On the class, the default's claims show.
    """

    def __get__(self, instance: PowerLaw | None, owner: type) -> frozenset[Claim]:
        if instance is not None and instance.zeros != "none":
            return _TREND_CLAIMS
        return _TREND_CLAIMS | {"recency_sensitive"}


def _clamp(value: float, scale: Scale) -> float:
    return min(max(value, scale.min), scale.max)


def _clamp_note(raw: float, value: float) -> str | None:
    if raw == value:
        return None
    return f"clamped the trend value {raw:.4g} to the scale, {value:g}"


@register_policy
@attrs.frozen(kw_only=True)
class PowerLaw(HistoryPolicy):
    r"""Marzano's power law: the least-squares curve :math:`a\,i^b` through the scores, at the latest.

    With attempts :math:`i = 1, \dots, n` (oldest first), fit :math:`\ln s_i = \ln a + b \ln i`
    by ordinary least squares and report the fitted value at :math:`n`:

    .. math::

        b = \frac{\sum_i (\ln i - \overline{\ln i})(\ln s_i - \overline{\ln s})}
                 {\sum_i (\ln i - \overline{\ln i})^2}, \qquad
        \ln a = \overline{\ln s} - b\,\overline{\ln i}, \qquad
        \text{PowerLaw}(s_1, \dots, s_n) = a\,n^b

    JumpRope, PowerSchool, Infinite Campus, MasteryConnect, Educate, Aspen, ASCENDER and others
    offer it. Every published figure matches evaluating at :math:`n` (not :math:`n+1`):
    JumpRope's 1, 3, 2, 4 give 3.66 and 4, 3, 2, 1 give 1.28.

    Two scores give the latest score exactly. Equal scores give that score, 0 included, under
    every rule: a flat history needs no curve (and no logarithm). The
    contributions carry the regression hat weights :math:`h_i` at :math:`\ln n`, so that
    :math:`\ln(\text{result}) = \sum_i h_i \ln s_i`; they sum to 1, grow with :math:`i`, and the
    oldest ones are negative from three scores on.

    Pitfalls: an early low score is "sticky" (3, 3, 1, 3 gives 1.90), raising an early score
    can *lower* the result, and the curve extrapolates past the scale and past every observed
    score (1, 2, 3, 4, 4.5 on a 0-5 scale gives more than 4.5). Vendors do not clamp; set
    ``clamp=True`` to keep the value within the scale.

    With no evidence the value is ``None``.

    Args:
        single: What one score gives: ``"score"`` (default) returns it as is, with a note
            that no curve was fitted; ``"none"`` gives ``None`` ("needs at least 2 scores").
        zeros: What a score at or below 0 (where :math:`\ln` is undefined) gives: ``"none"``
            (default) gives ``None`` with a reason, inventing nothing; ``"floor"`` counts every
            score below ``floor`` as ``floor``.
        floor: The value scores below it count as when ``zeros="floor"``; greater than 0
            (default 0.5, the lowest half point of the Marzano scale).
        clamp: Whether to clamp the value to the target's scale (default ``False``).

    Raises:
        InvalidValueError: For an unknown ``single`` or ``zeros`` rule or ``floor <= 0``.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> round(PowerLaw().evaluate(scores_to_history([1, 3, 2, 4]), target).value, 2)
        3.66
        >>> PowerLaw().evaluate(scores_to_history([0, 2, 3]), target).reason
        'the power law is undefined for a score of 0 or below (ln 0); set zeros="floor" to count such scores as a floor value'
        >>> round(PowerLaw(zeros="floor").evaluate(scores_to_history([0, 2, 3]), target).value, 2)
        3.33
        >>> round(PowerLaw().evaluate(scores_to_history([1, 3, 4]), target).value, 2)
        4.39
        >>> PowerLaw(clamp=True).evaluate(scores_to_history([1, 3, 4]), target).value
        4.0
    """  # noqa: E501

    spec_name: ClassVar[str] = "power_law"
    claims: ClassVar[frozenset[Claim]] = _PowerLawClaims()  # type: ignore[assignment]

    single: SingleScore = attrs.field(default="score", validator=v.one_of(get_args(SingleScore)))
    zeros: Zeros = attrs.field(default="none", validator=v.one_of(get_args(Zeros)))
    floor: float = attrs.field(default=0.5, converter=v.to_float, validator=v.positive_number)
    clamp: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))

    def positive_scores(self, history: Sequence[Evidence]) -> tuple[float, ...] | None:
        """Return the scores the curve is fitted to, or ``None`` if a zero rules the fit out.

        >>> from mastery_grading.testing.examples import scores_to_history
        >>> PowerLaw(zeros="floor").positive_scores(scores_to_history([0, 2]))
        (0.5, 2.0)
        """
        scores = tuple(e.score for e in history)
        if self.zeros == "floor":
            return tuple(max(s, self.floor) for s in scores)
        return scores if all(s > 0 for s in scores) else None

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        count = len(history)
        if count == 1:
            if self.single == "none":
                reason = "the power law needs at least 2 scores; it has 1"
                return no_result(target, self, reason=reason, evidence_count=1)
            note = "one score: no curve fitted; the score is returned as is"
            return make_result(
                target, self, history[0].score, history, [1], evidence_count=1, reason=note
            )
        if len({e.score for e in history}) == 1:
            note = "equal scores: a flat curve, the score itself"
            return make_result(
                target,
                self,
                history[-1].score,
                history,
                power_hat_weights(count),
                evidence_count=count,
                reason=note,
            )
        scores = self.positive_scores(history)
        if scores is None:
            reason = (
                "the power law is undefined for a score of 0 or below (ln 0); "
                'set zeros="floor" to count such scores as a floor value'
            )
            return no_result(target, self, reason=reason, evidence_count=count)
        weights = power_hat_weights(count)
        raw = power_value(scores)
        value = _clamp(raw, target.scale) if self.clamp else raw
        return make_result(
            target,
            self,
            value,
            history,
            weights,
            evidence_count=count,
            reason=_clamp_note(raw, value),
        )


def power_value(scores: Sequence[float]) -> float:
    """Return the power-law value at the latest of two or more positive scores.

    Two scores give the latest and equal scores give that score, exactly.

    >>> round(power_value([4.0, 3.0, 2.0, 1.0]), 2)
    1.28
    >>> power_value([3.5, 0.5])
    0.5
    """
    if len(scores) == 2 or len(set(scores)) == 1:
        return scores[-1]
    weights = power_hat_weights(len(scores))
    return math.exp(math.fsum(h * math.log(s) for h, s in zip(weights, scores, strict=True)))


@register_policy
@attrs.frozen(kw_only=True)
class LinearTrend(HistoryPolicy):
    r"""The least-squares straight line through the scores in attempt order, at the latest.

    .. math::

        \text{LinearTrend}(s_1, \dots, s_n) = \bar s + \beta\,\Bigl(n - \frac{n+1}2\Bigr),
        \qquad \beta = \frac{\sum_i (i - \tfrac{n+1}2)(s_i - \bar s)}{\sum_i (i - \tfrac{n+1}2)^2}

    One of the three models of Marzano's true-score estimator (see
    :class:`~mastery_grading.policies.BestFit`). It is exact: the value is the weighted sum
    :math:`\sum_i h_i s_i` with the hat weights
    :math:`h_i = \frac1n + \frac{(i - \bar\imath)(n - \bar\imath)}{\sum_j (j - \bar\imath)^2}`,
    which are the contributions (they sum to 1; early ones are negative from three scores on).
    Like the power law it extrapolates past the scale (0, 4, 4 gives 4.67 on 0-4); set
    ``clamp=True`` to keep the value within the scale.

    With no evidence the value is ``None``; one score gives that score; two give the latest.

    Args:
        clamp: Whether to clamp the value to the target's scale (default ``False``).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> LinearTrend().evaluate(scores_to_history([3, 2, 3, 2]), target).value
        2.2
        >>> round(LinearTrend().evaluate(scores_to_history([0, 4, 4]), target).value, 2)
        4.67
        >>> LinearTrend(clamp=True).evaluate(scores_to_history([0, 4, 4]), target).value
        4.0
    """

    spec_name: ClassVar[str] = "linear_trend"
    claims: ClassVar[frozenset[Claim]] = _TREND_CLAIMS | {"recency_sensitive"}

    clamp: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        weights = linear_hat_weights(len(history))
        exact_value = sum(
            (h * exact(e.score) for h, e in zip(weights, history, strict=True)), Fraction(0)
        )
        raw = float(exact_value)
        value: Fraction | float = exact_value
        if self.clamp and not target.scale.contains(raw):
            value = _clamp(raw, target.scale)
        return make_result(
            target,
            self,
            value,
            history,
            weights,
            evidence_count=len(history),
            reason=_clamp_note(raw, float(value)),
        )


def _to_models(value: Any) -> Any:
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, list | tuple | set | frozenset):
        names = set(value)
        return tuple(name for name in MODELS if name in names) + tuple(
            sorted(str(name) for name in names if name not in MODELS)
        )
    return value


def _check_models(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not value:
        msg = f"{attribute.name}={value!r} must be a non-empty list of {', '.join(MODELS)}"
        raise InvalidValueError(msg)
    unknown = [name for name in value if name not in MODELS]
    if unknown:
        msg = f"{attribute.name} item {unknown[0]!r} must be one of {', '.join(map(repr, MODELS))}"
        raise InvalidValueError(msg)


@register_policy
@attrs.frozen(kw_only=True)
class BestFit(HistoryPolicy):
    r"""Marzano's true-score estimator: the model that fits the scores best, read at the latest.

    Each model in ``models`` (the mean, the :class:`LinearTrend` line and the
    :class:`PowerLaw` curve) is fitted to the scores in attempt order; the one with the least
    total absolute residual wins, and its value at the latest attempt is reported:

    .. math::

        m^* = \operatorname{arg\,min}_{m} \sum_{i=1}^{n} \bigl|s_i - \hat s^{(m)}_i\bigr|,
        \qquad \text{BestFit}(s_1, \dots, s_n) = \hat s^{(m^*)}_n

    The ``reason`` names the model used and every model's residual.

    Empower's "Marzano True Score Estimator" compares all three; NHA GradeBook says it
    compares the mean and the power law (``models=("mean", "power_law")``). NHA's published
    examples (2, 2.5, 3, 4 is "a 4"; 3, 2, 3, 2 is the mean 2.5) are matched by
    ``MaxOf(Mean(), PowerLaw())``, not by least residual: for 3, 2, 3, 2 the power-law
    residual (1.54) is below the mean's (2.0).

    Tie rule: residuals within :math:`10^{-9}` count as equal, and a tie goes to the simpler
    model, in the order mean, linear, power law. So one score, or equal scores, give the mean.
    The power law is left out (and the reason says so) when a score is 0 or below; if no model
    is left the value is ``None``. Contributions are those of the chosen model. With no
    evidence the value is ``None``.

    Args:
        models: The candidate models, any of ``"mean"``, ``"linear"``, ``"power_law"``
            (default: all three). They are stored in the tie-break order.
        clamp: Whether to clamp the value to the target's scale (default ``False``).

    Raises:
        InvalidValueError: If ``models`` is empty or names an unknown model.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> result = BestFit().evaluate(scores_to_history([2, 2.5, 3, 4]), target)
        >>> result.value, result.reason
        (3.85, 'best fit: linear (total absolute residuals: mean 2.5, linear 0.5, power_law 0.773)')
        >>> BestFit().evaluate(scores_to_history([3, 3, 3]), target).reason
        'best fit: mean (total absolute residuals: mean 0, linear 0, power_law 0)'
    """

    spec_name: ClassVar[str] = "best_fit"
    claims: ClassVar[frozenset[Claim]] = frozenset(
        {"unanimity", "time_shift_invariant", "deterministic", "target_independent"}
    )

    models: tuple[str, ...] = attrs.field(
        default=MODELS, converter=_to_models, validator=_check_models
    )
    clamp: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        scores = [exact(e.score) for e in history]
        count = len(history)
        fits: list[tuple[str, float, Fraction | float, Sequence[Fraction | float]]] = []
        skipped = ""
        if "mean" in self.models:
            mean = sum(scores, Fraction(0)) / count
            fits.append(
                (
                    "mean",
                    float(sum(abs(s - mean) for s in scores)),
                    mean,
                    [Fraction(1, count)] * count,
                )
            )
        if "linear" in self.models:
            line = linear_fit(scores)
            fits.append(
                (
                    "linear",
                    float(sum(abs(s - f) for s, f in zip(scores, line, strict=True))),
                    line[-1],
                    linear_hat_weights(count),
                )
            )
        if "power_law" in self.models:
            raw = [e.score for e in history]
            if all(s > 0 for s in raw):
                curve = power_fit(raw) if count > 2 else tuple(raw)
                residual = math.fsum(abs(s - f) for s, f in zip(raw, curve, strict=True))
                hats = power_hat_weights(count) if count > 1 else (1.0,)
                fits.append(
                    ("power_law", residual, power_value(raw) if count > 1 else raw[0], hats)
                )
            else:
                skipped = "; power_law left out: a score of 0 or below"
        if not fits:
            return no_result(
                target, self, reason=f"no model can be fitted{skipped}", evidence_count=count
            )
        least = min(fit[1] for fit in fits)
        name, _, value, weights = next(fit for fit in fits if fit[1] <= least + 1e-9)
        shown = ", ".join(f"{fit[0]} {fit[1]:.3g}" for fit in fits)
        reason = f"best fit: {name} (total absolute residuals: {shown}){skipped}"
        if self.clamp and not target.scale.contains(float(value)):
            value = _clamp(float(value), target.scale)
            reason += f"; clamped to the scale, {value:g}"
        return make_result(
            target, self, value, history, weights, evidence_count=count, reason=reason
        )


# Vectorized kernels (numpy, imported on first use): trend.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.trend"
register_kernel(PowerLaw, f"{_KERNELS}:power_law_kernel")
register_kernel(LinearTrend, f"{_KERNELS}:linear_trend_kernel")
register_kernel(BestFit, f"{_KERNELS}:best_fit_kernel")
