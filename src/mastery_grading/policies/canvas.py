"""Canvas LMS compatibility: its outcome calculation methods as policies, displayed as Canvas does.

Canvas stores an outcome's ``calculation_method`` and ``calculation_int``; what a stored value
means depends on the root account's flag ``outcomes_new_decaying_average_calculation``
(2024). :func:`from_canvas` maps both to a policy that reproduces the numbers Canvas displays.
"""

from __future__ import annotations

from typing import Any

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies.central import Mean
from mastery_grading.policies.count import NTimes
from mastery_grading.policies.peak import Highest
from mastery_grading.policies.recency import DecayingAverage, MostRecent, WeightedAverage
from mastery_grading.policies.rounding import Rounded

__all__ = ["CANVAS_METHODS", "from_canvas"]

#: Canvas's calculation methods and their ``calculation_int`` (default, lowest, highest);
#: ``None`` means the method takes no integer.
CANVAS_METHODS: dict[str, tuple[int, int, int] | None] = {
    "decaying_average": (65, 1, 99),
    "weighted_average": (65, 1, 99),
    "standard_decaying_average": (65, 50, 99),
    "n_mastery": (5, 1, 10),
    "highest": None,
    "latest": None,
    "average": None,
}


def from_canvas(
    calculation_method: str | None,
    calculation_int: int | None = None,
    new_decaying_average: bool = False,
) -> Rounded:
    """Return the policy that reproduces a Canvas outcome calculation, rounded as Canvas shows it.

    ============================= ========== ======== ===========================================
    ``calculation_method``        default    range    policy
    ============================= ========== ======== ===========================================
    ``decaying_average``          65         1-99     legacy :class:`WeightedAverage`, whatever the flag
    ``weighted_average``          65         1-99     legacy :class:`WeightedAverage`
    ``standard_decaying_average`` 65         50-99    :class:`DecayingAverage` if the flag is on,
                                                      else the legacy :class:`WeightedAverage`
    ``n_mastery``                 5          1-10     :class:`NTimes`
    ``highest`` (and ``None``)    -          -        :class:`Highest`
    ``latest``                    -          -        :class:`MostRecent`
    ``average``                   -          -        :class:`Mean`, unweighted
    ============================= ========== ======== ===========================================

    Every policy is wrapped in :class:`Rounded` (2 decimals, half-up, at the end only), so that
    4.125 shows as 4.13, as in Canvas. Like Canvas, nothing is clamped. Canvas orders results
    by submission or assessment time; give that time as ``observed_at``.

    Args:
        calculation_method: The stored method name; ``None`` is handled as ``"highest"``, as
            Canvas does for outcomes without a method.
        calculation_int: The stored integer (percent weight or count); ``None`` takes the
            default. Methods without an integer require ``None``.
        new_decaying_average: Whether the account flag
            ``outcomes_new_decaying_average_calculation`` is on.

    Returns:
        A :class:`Rounded` policy around the matching built-in.

    Raises:
        InvalidValueError: For an unknown method, or an integer outside the method's range (the
            message names the range).
        InvalidTypeError: If ``calculation_int`` is not an int.

    Example:
        >>> from_canvas("decaying_average")
        Rounded(inner=WeightedAverage(weight=0.65), places=2)
        >>> from_canvas("standard_decaying_average", 75, new_decaying_average=True)
        Rounded(inner=DecayingAverage(rate=0.75), places=2)
        >>> from_canvas("n_mastery", 11)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: calculation_int=11 is not valid for 'n_mastery': it must be between 1 and 10
    """  # noqa: E501
    method = "highest" if calculation_method is None else calculation_method
    if method not in CANVAS_METHODS:
        msg = (
            f"calculation_method={calculation_method!r} is not a Canvas method; expected one of "
            f"{', '.join(map(repr, CANVAS_METHODS))}"
        )
        raise InvalidValueError(msg)
    number = _check_int(method, calculation_int)
    return Rounded(inner=_policy(method, number, new_decaying_average))


def _check_int(method: str, calculation_int: Any) -> int | None:
    allowed = CANVAS_METHODS[method]
    if calculation_int is not None and (
        isinstance(calculation_int, bool) or not isinstance(calculation_int, int)
    ):
        msg = (
            f"calculation_int={calculation_int!r} must be an int (Canvas stores an integer), "
            f"not {type(calculation_int).__name__}"
        )
        raise InvalidTypeError(msg)
    if allowed is None:
        if calculation_int is not None:
            msg = (
                f"calculation_int={calculation_int!r} is not valid for {method!r}: "
                "it takes no calculation_int (must be None)"
            )
            raise InvalidValueError(msg)
        return None
    default, low, high = allowed
    if calculation_int is None:
        return default
    if not low <= calculation_int <= high:
        msg = (
            f"calculation_int={calculation_int!r} is not valid for {method!r}: "
            f"it must be between {low} and {high}"
        )
        raise InvalidValueError(msg)
    return int(calculation_int)


def _policy(method: str, number: int | None, new_decaying_average: bool) -> Any:
    if method == "highest":
        return Highest()
    if method == "latest":
        return MostRecent()
    if method == "average":
        return Mean(weighted=False)
    assert number is not None
    if method == "n_mastery":
        return NTimes(n=number)
    if method == "standard_decaying_average" and new_decaying_average:
        return DecayingAverage(rate=number / 100)
    return WeightedAverage(weight=number / 100)
