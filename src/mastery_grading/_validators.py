"""Validators shared by the value types; every message names the field, value and expectation."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import attrs

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError


def finite_number(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept an int or float that is neither NaN nor infinite (bool is rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{attribute.name}={value!r} must be a number, not {type(value).__name__}"
        raise InvalidTypeError(msg)
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
            msg = f"{attribute.name}={value!r} must be {expected}"
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


def tuple_of_str(value: Any) -> tuple[str, ...]:
    """Convert an iterable of strings to a tuple (a lone string is one item, not characters)."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def to_float(value: Any) -> Any:
    """Convert ints to float and leave anything else for the validator to judge."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def one_of(choices: tuple[str, ...]) -> Any:
    """Build a validator accepting one of the given strings; the message lists them."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            msg = f"{attribute.name}={value!r} must be one of {', '.join(map(repr, choices))}"
            raise InvalidValueError(msg)

    return validate
