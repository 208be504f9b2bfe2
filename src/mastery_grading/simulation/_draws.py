"""What the archetypes share: parameter ranges (fractions of the scale's range) and draws.

A built-in archetype states each parameter as a range ``(low, high)`` from which every learner
draws one value uniformly; levels are fractions of the scale's range, so that one archetype
fits Marzano's 0-4 scale and a 0-100 scale alike (:func:`on`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "check_index_range",
    "check_range",
    "check_rate_range",
    "index_range_field",
    "on",
    "pair",
    "range_field",
    "uniform",
    "uniform_index",
]


def _is_pair(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(x, int | float) and math.isfinite(x) for x in value)
    )


def check_range(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a range of fractions of the scale: ``0 <= low <= high <= 1``."""
    if not _is_pair(value) or not 0.0 <= value[0] <= value[1] <= 1.0:
        msg = f"{attribute.name}={value!r} must be a pair (low, high) with 0 <= low <= high <= 1"
        raise InvalidValueError(msg)


def check_rate_range(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a range of rates: ``0 <= low <= high``."""
    if not _is_pair(value) or not 0.0 <= value[0] <= value[1]:
        msg = f"{attribute.name}={value!r} must be a pair (low, high) with 0 <= low <= high"
        raise InvalidValueError(msg)


def check_index_range(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a range of assessment indices: whole numbers ``1 <= low <= high``."""
    whole = isinstance(value, tuple) and len(value) == 2
    whole = whole and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
    if not whole or not 1 <= value[0] <= value[1]:
        msg = (
            f"{attribute.name}={value!r} must be a pair (low, high) of assessment indices "
            "(whole numbers, the first assessment is 1) with 1 <= low <= high"
        )
        raise InvalidValueError(msg)


def pair(value: Any) -> Any:
    """A range as a tuple, ints made floats."""
    return (
        tuple(float(x) if isinstance(x, int) else x for x in value) if value is not None else value
    )


def range_field(default: tuple[float, float]) -> Any:
    """An attrs field for a range of fractions of the scale."""
    return attrs.field(default=default, converter=pair, validator=check_range)


def index_range_field(default: tuple[int, int]) -> Any:
    """An attrs field for a range of assessment indices (a single index is ``(k, k)``)."""
    return attrs.field(
        default=default,
        converter=lambda value: tuple(value) if isinstance(value, list) else value,
        validator=check_index_range,
    )


def on(scale: Scale, fraction: float) -> float:
    """The level a fraction of the scale's range stands for.

    >>> on(Scale.marzano(), 0.25)
    1.0
    """
    return scale.min + fraction * (scale.max - scale.min)


def uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """One value drawn uniformly from ``bounds``."""
    return float(rng.uniform(bounds[0], bounds[1]))


def uniform_index(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    """One whole number drawn uniformly from ``low`` to ``high``, both included."""
    return int(rng.integers(bounds[0], bounds[1] + 1))
