"""Display rounding: half-up (away from zero) at the end only, of exact values or of floats."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies.combine import inner_claims
from mastery_grading.protocols import Claim, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Rounded", "round_half_up", "ruby_round"]

#: Axioms that survive rounding: it is monotone and ignores order, time and identities.
_KEPT_BY_ROUNDING = frozenset(
    {
        "monotone",
        "order_free",
        "time_shift_invariant",
        "improvement_credit",
        "recency",
        "formative_neutral",
        "deterministic",
        "target_independent",
    }
)


def round_half_up(value: float | Fraction | Decimal, places: int = 2) -> float:
    """Round to ``places`` decimals, halves away from zero, exactly; return a float.

    A float is read as the decimal it prints as, so ``4.125`` rounds to ``4.13`` (Python's
    ``round`` gives 4.12, because it rounds halves to even) and ``2.675`` to ``2.68``.
    Fractions and Decimals are rounded exactly. To round a float computed in binary
    arithmetic the way Ruby and Canvas do, use :func:`ruby_round`.

    Args:
        value: The number to round; finite.
        places: How many decimals to keep, at least 0 (default 2).

    Returns:
        The rounded value, as the nearest float.

    Raises:
        InvalidValueError: If ``value`` is not finite or ``places`` is negative.
        InvalidTypeError: If ``value`` is not a number.

    Example:
        >>> round_half_up(4.125), round(4.125, 2)
        (4.13, 4.12)
        >>> round_half_up(-2.5, 0)
        -3.0
        >>> from fractions import Fraction
        >>> round_half_up(Fraction(2, 3), 3)
        0.667
    """
    if not isinstance(places, int) or isinstance(places, bool) or places < 0:
        msg = f"places={places!r} must be an int, at least 0"
        raise InvalidValueError(msg)
    number = _as_fraction(value)
    scaled = abs(number) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    signed = whole if number >= 0 else -whole
    return float(Fraction(signed, 10**places))


def ruby_round(value: float, places: int = 2) -> float:
    """Round a binary float as Ruby's ``Float#round(places)`` does (Canvas's display rule).

    Ruby scales by :math:`10^{places}`, rounds half away from zero, and then moves up by one
    unit when the float lies at or above the half-way point read back as a float. So it rounds
    the float itself, not the decimal that was meant: the float mean of 4.8 and 4.51 is
    4.654999999999999, which Ruby (and Canvas) shows as 4.65, while
    :func:`round_half_up` of the exact mean 4.655 gives 4.66. Numbers too large to have
    decimals come back unchanged, and numbers too small to reach the last place give 0.

    Args:
        value: A finite float.
        places: Decimals to keep, 1 to 14 (default 2).

    Returns:
        The rounded float, as Ruby returns it.

    Raises:
        InvalidValueError: If ``value`` is not finite or ``places`` is out of range.
        InvalidTypeError: If ``value`` is not a number.

    Example:
        >>> ruby_round(4.125), ruby_round((4.8 + 4.51) / 2), ruby_round(1.005)
        (4.13, 4.65, 1.01)
        >>> ruby_round(-2.675)
        -2.68
    """
    if not isinstance(places, int) or isinstance(places, bool) or not 1 <= places <= 14:
        msg = f"places={places!r} must be an int from 1 to 14"
        raise InvalidValueError(msg)
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"value={value!r} must be a float, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    number = float(value)
    if not math.isfinite(number):
        msg = f"value={value!r} is not a finite number"
        raise InvalidValueError(msg)
    if number == 0.0:
        return number
    binary_exponent = math.frexp(number)[1]
    # Ruby's float_round_overflow / float_round_underflow (C integer division truncates).
    digits_left = (
        _c_div(binary_exponent, 4) if binary_exponent > 0 else _c_div(binary_exponent, 3) - 1
    )
    if places >= 17 - digits_left:
        return number
    shown = _c_div(binary_exponent, 3) + 1 if binary_exponent > 0 else _c_div(binary_exponent, 4)
    if places < -shown:
        return 0.0
    scale = float(10**places)
    whole = _round_half_away(number * scale)
    if number > 0.0 and (whole + 0.5) / scale <= number:
        whole += 1.0
    elif number < 0.0 and (whole - 0.5) / scale >= number:
        whole -= 1.0
    return whole / scale


def _c_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as C's ``/`` on ints."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _round_half_away(value: float) -> float:
    """C's ``round``: the nearest integer, halves away from zero, of a float (exactly)."""
    floor = math.floor(abs(value))
    whole = float(floor + 1 if abs(value) - floor >= 0.5 else floor)
    return math.copysign(whole, value)


def _as_fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | Decimal):
        msg = f"value={value!r} must be a number, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            msg = f"value={value!r} is not a finite number"
            raise InvalidValueError(msg)
        return Fraction(value)
    if not math.isfinite(value):
        msg = f"value={value!r} is not a finite number"
        raise InvalidValueError(msg)
    return exact(value)


def _check_inner(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Policy):
        msg = f"{attribute.name}={value!r} must be a Policy (with an evaluate method)"
        raise InvalidTypeError(msg)


@register_policy
@attrs.frozen(kw_only=True)
class Rounded:
    """The ``inner`` policy's value rounded half-up to ``places`` decimals, at the end only.

    This is the display rule of Canvas and most gradebooks (2 decimals, half-up); the exact
    reference of a :class:`~mastery_grading.policies.CanvasRollup` is a ``Rounded`` policy.
    Everything but the
    value (contributions, counts, reasons) is the inner policy's. Rounding is monotone, so the
    inner policy's claims about order, time, monotonicity and recency carry over; bounds and
    unanimity do not (2.125 rounds to 2.13). With no evidence the value is ``None``; with one
    piece of evidence it is the inner policy's value for it, rounded.

    Args:
        inner: The policy whose value is rounded.
        places: Decimals to keep, at least 0 (default 2).

    Raises:
        InvalidValueError: If ``places`` is negative.
        InvalidTypeError: If ``inner`` is not a policy.

    Example:
        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.policies import WeightedAverage
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> five = LearningTarget(id="T", title="Ratios", scale=Scale(min=0, max=5, mastery=3))
        >>> Rounded(inner=WeightedAverage()).evaluate(scores_to_history([1, 2, 3, 4, 5]), five).value
        4.13
    """  # noqa: E501

    spec_name: ClassVar[str] = "rounded"

    inner: Policy = attrs.field(validator=_check_inner)
    places: int = attrs.field(default=2, validator=v.int_in_range(0))

    @classmethod
    def example(cls) -> Rounded:
        """Return the mean shown to 2 decimals, half-up.

        >>> Rounded.example()
        Rounded(inner=Mean(weighted=False), places=2)
        """
        from mastery_grading.policies.central import Mean

        return cls(inner=Mean(weighted=False))

    @property
    def claims(self) -> frozenset[Claim]:
        """The inner policy's claims that rounding keeps.

        >>> from mastery_grading.policies import MostRecent
        >>> rounded = Rounded(inner=MostRecent()).claims
        >>> rounded <= MostRecent.claims, "monotone" in rounded, "unanimity" in rounded
        (True, True, False)
        """
        return inner_claims(self.inner) & _KEPT_BY_ROUNDING

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return the inner policy's result with its value rounded half-up.

        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> result = Rounded(inner=Mean(), places=1).evaluate(scores_to_history([2, 3, 3]), target)
        >>> result.value, len(result.contributions)
        (2.7, 3)
        """
        result = self.inner.evaluate(evidence, target)
        if result.value is None:
            return attrs.evolve(result, policy=self)
        return attrs.evolve(result, policy=self, value=round_half_up(result.value, self.places))

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict with the inner policy's nested spec.

        >>> Rounded.example().to_spec()
        {'policy': 'rounded', 'inner': {'policy': 'mean', 'weighted': False}, 'places': 2}
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)
