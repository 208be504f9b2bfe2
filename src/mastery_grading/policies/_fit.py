r"""Least-squares trend fits over the attempt index, as hat weights at the latest attempt.

A fitted value at the latest attempt :math:`n` is a weighted sum of the observations,
:math:`\hat y_n = \sum_i h_i y_i`, with the regression "hat" weights

.. math::

    h_i = \frac1n + \frac{(x_i - \bar x)(x_n - \bar x)}{\sum_j (x_j - \bar x)^2},

which sum to 1 and grow with :math:`x_i`. The linear trend uses :math:`x_i = i` and exact
rationals; the power law uses :math:`x_i = \ln i` and :math:`y_i = \ln s_i`, in floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

__all__ = ["linear_fit", "linear_hat_weights", "power_fit", "power_hat_weights"]


def linear_hat_weights(n: int) -> tuple[Fraction, ...]:
    """Return the exact hat weights of a straight line through points ``1..n``, at ``n``.

    >>> [str(h) for h in linear_hat_weights(3)]
    ['-1/6', '1/3', '5/6']
    >>> linear_hat_weights(1)
    (Fraction(1, 1),)
    """
    if n == 1:
        return (Fraction(1),)
    mid = Fraction(n + 1, 2)
    sxx = sum(((i - mid) ** 2 for i in range(1, n + 1)), Fraction(0))
    lever = (n - mid) / sxx
    return tuple(Fraction(1, n) + (i - mid) * lever for i in range(1, n + 1))


def linear_fit(values: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """Return the exact fitted values of the least-squares line at every attempt ``1..n``.

    >>> [str(v) for v in linear_fit([Fraction(3), Fraction(2), Fraction(3), Fraction(2)])]
    ['14/5', '13/5', '12/5', '11/5']
    """
    n = len(values)
    mean = sum(values, Fraction(0)) / n
    if n == 1:
        return (mean,)
    mid = Fraction(n + 1, 2)
    sxx = sum(((i - mid) ** 2 for i in range(1, n + 1)), Fraction(0))
    slope = sum(((i - mid) * (y - mean) for i, y in enumerate(values, 1)), Fraction(0)) / sxx
    return tuple(mean + slope * (i - mid) for i in range(1, n + 1))


def power_hat_weights(n: int) -> tuple[float, ...]:
    """Return the hat weights of the log-log fit at attempt ``n`` (``n >= 2``).

    ``ln(result) = sum(h_i * ln(s_i))``. For two attempts they are exactly ``(0, 1)``.

    >>> power_hat_weights(2)
    (0.0, 1.0)
    >>> [round(h, 3) for h in power_hat_weights(4)]
    [-0.184, 0.195, 0.416, 0.573]
    """
    if n == 2:
        return (0.0, 1.0)
    xs = [math.log(i) for i in range(1, n + 1)]
    mid = math.fsum(xs) / n
    sxx = math.fsum((x - mid) ** 2 for x in xs)
    lever = (xs[-1] - mid) / sxx
    return tuple(1 / n + (x - mid) * lever for x in xs)


def power_fit(values: Sequence[float]) -> tuple[float, ...]:
    """Return the fitted values :math:`a i^b` at every attempt ``1..n`` (positive values, n >= 2).

    Equal values are fitted exactly (:math:`b = 0`).

    >>> [round(v, 2) for v in power_fit([1.0, 3.0, 2.0, 4.0])]
    [1.13, 2.03, 2.86, 3.66]
    """
    n = len(values)
    if len(set(values)) == 1:
        return tuple(values)
    xs = [math.log(i) for i in range(1, n + 1)]
    ys = [math.log(v) for v in values]
    x_mid = math.fsum(xs) / n
    y_mid = math.fsum(ys) / n
    sxx = math.fsum((x - x_mid) ** 2 for x in xs)
    slope = math.fsum((x - x_mid) * (y - y_mid) for x, y in zip(xs, ys, strict=True)) / sxx
    return tuple(math.exp(y_mid + slope * (x - x_mid)) for x in xs)
