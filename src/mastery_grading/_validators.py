"""Validators shared by the value types; every message names the field, value and expectation."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from mastery_grading.exceptions import VALUE_LIMIT, InvalidTypeError, InvalidValueError, cut

#: Ints with more bits than this are shown in messages in short scientific form.
_SHOWN_BITS = 96


def shown(value: Any) -> str:
    """Return ``repr(value)`` for a message, short: at most 80 characters of any value.

    Python refuses to print ints of more than 4300 digits, and a 400-digit one makes an
    unreadable message, so big ints are shown as ``1.000e+400``; any other value is cut to
    :data:`~mastery_grading.exceptions.VALUE_LIMIT` characters, with a count of the rest.

    Example:
        >>> shown(3), shown("a")
        ('3', "'a'")
        >>> shown(10**400)
        '1.000e+400'
        >>> shown("9" * 100_000)[-30:]
        "9999'… (99920 more characters)"
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _SHOWN_BITS:
        return f"{Decimal(value):.3e}"
    if isinstance(value, str) and len(value) > VALUE_LIMIT:
        return f"{value[:VALUE_LIMIT]!r}… ({len(value) - VALUE_LIMIT} more characters)"
    return cut(repr(value))


def _fits_float(value: int) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


def finite_number(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept an int or float that is neither NaN nor infinite (bool is rejected).

    An int too large for a float (beyond about 1.8e308) is rejected as not finite.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{attribute.name}={value!r} must be a number, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if isinstance(value, int) and not _fits_float(value):
        msg = (
            f"{attribute.name}={shown(value)} is too large; expected a finite number between "
            f"{-sys.float_info.max:.3g} and {sys.float_info.max:.3g}"
        )
        raise InvalidValueError(msg)
    if not math.isfinite(value):
        msg = f"{attribute.name}={value!r} is not a finite number"
        raise InvalidValueError(msg)


def optional_finite_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like :func:`finite_number`, but also accept ``None``."""
    if value is not None:
        finite_number(instance, attribute, value)


def positive_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept a finite number strictly greater than zero."""
    finite_number(instance, attribute, value)
    if value <= 0:
        msg = f"{attribute.name}={value!r} must be greater than 0"
        raise InvalidValueError(msg)


def non_negative_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept a finite number greater than or equal to zero."""
    finite_number(instance, attribute, value)
    if value < 0:
        msg = f"{attribute.name}={value!r} must be at least 0"
        raise InvalidValueError(msg)


def non_empty_str(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept a string with at least one non-space character."""
    if not isinstance(value, str):
        msg = f"{attribute.name}={value!r} must be a string, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if not value.strip():
        msg = f"{attribute.name}={value!r} must be a non-empty string"
        raise InvalidValueError(msg)


def optional_non_empty_str(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like :func:`non_empty_str`, but also accept ``None``."""
    if value is not None:
        non_empty_str(instance, attribute, value)


def aware_datetime(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept a timezone-aware :class:`~datetime.datetime`; naive times are ambiguous."""
    if not isinstance(value, datetime):
        msg = f"{attribute.name}={value!r} must be a datetime, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        msg = (
            f"{attribute.name}={value.isoformat()!r} is a naive datetime; "
            "expected a timezone-aware datetime (e.g. tzinfo=timezone.utc)"
        )
        raise InvalidValueError(msg)


def int_in_range(low: int, high: int | None = None) -> Any:
    """Build a validator accepting an int in ``[low, high]`` (``high=None``: no upper bound)."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"{attribute.name}={value!r} must be an int, not {type(value).__name__}"
            raise InvalidTypeError(msg)
        if value < low or (high is not None and value > high):
            expected = f"between {low} and {high}" if high is not None else f"at least {low}"
            msg = f"{attribute.name}={shown(value)} must be {expected}"
            raise InvalidValueError(msg)

    return validate


def number_in_range(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Any:
    """Build a validator accepting a finite number in the given interval."""
    left = "(" if low_open else "["
    right = ")" if high_open else "]"

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        finite_number(instance, attribute, value)
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if too_low or too_high:
            msg = f"{attribute.name}={value!r} must be in {left}{low}, {high}{right}"
            raise InvalidValueError(msg)

    return validate


def instance_of(kind: type | tuple[type, ...], expected: str) -> Any:
    """Build a validator that raises :class:`InvalidTypeError` naming the expected type."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, kind):
            msg = f"{attribute.name}={value!r} must be {expected}, not {type(value).__name__}"
            raise InvalidTypeError(msg)

    return validate


def tuple_of_str(value: Any) -> Any:
    """Convert an iterable of strings to a tuple (a lone string is one item, not characters).

    Anything that is not iterable is left as it is, for the validator to name (see
    :func:`str_items`).
    """
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(value)
    return value


def str_items(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept a tuple of non-empty strings (what :func:`tuple_of_str` makes of good input)."""
    if not isinstance(value, tuple):
        msg = (
            f"{attribute.name}={value!r} must be a list of strings (or one string), "
            f"not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            msg = f"{attribute.name} item {item!r} must be a non-empty string"
            raise InvalidValueError(msg)


def to_float(value: Any) -> Any:
    """Convert ints to float and leave anything else for the validator to judge.

    An int too large for a float is left as it is, so that the field's validator (such as
    :func:`finite_number`) rejects it with a message naming the field, instead of an
    :class:`OverflowError` escaping from here.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return value
    return value


def one_of(choices: tuple[str, ...]) -> Any:
    """Build a validator accepting one of the given strings; the message lists them."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            msg = f"{attribute.name}={value!r} must be one of {', '.join(map(repr, choices))}"
            raise InvalidValueError(msg)

    return validate
