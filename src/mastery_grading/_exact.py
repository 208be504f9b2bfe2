"""Exact arithmetic for thresholds that decide a level or a grade.

The rounding rule, used by every built-in policy: a score is read as the decimal number it prints
as (``2.8`` is 28/10, not the binary float nearest to it), the arithmetic is done exactly on
rationals, and the result is rounded once, to the nearest float, at the end. So the mean of 2.8 and
3.2 is exactly 3.0 and reaches a mastery threshold of 3.0, whatever the binary representation of
the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction


def exact(value: float) -> Fraction:
    """Return the rational a float prints as (its shortest round-tripping decimal).

    >>> exact(0.1)
    Fraction(1, 10)
    >>> float(exact(2.8) + exact(3.2)) / 2
    3.0
    """
    return Fraction(repr(float(value)))


def exact_mean(values: Iterable[float], weights: Iterable[float] | None = None) -> Fraction:
    """Return the exact (optionally weighted) mean of floats read as decimals.

    >>> exact_mean([2.8, 3.2])
    Fraction(3, 1)
    >>> exact_mean([1.0, 4.0], [3.0, 1.0])
    Fraction(7, 4)
    """
    xs = [exact(v) for v in values]
    if weights is None:
        return sum(xs, Fraction(0)) / len(xs)
    ws = [exact(w) for w in weights]
    return sum((x * w for x, w in zip(xs, ws, strict=True)), Fraction(0)) / sum(ws, Fraction(0))
