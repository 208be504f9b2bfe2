r"""Small statistics: Student's t for whole degrees of freedom, the normal law, Holm's procedure.

The library does not depend on scipy, so the t distribution is computed here from its closed
form for a whole number of degrees of freedom (Abramowitz and Stegun 26.7.3 and 26.7.4): with
:math:`\theta = \arctan(x / \sqrt{\nu})`, the probability :math:`A(x \mid \nu)` that
:math:`|T| \le x` is a finite sum of powers of :math:`\cos\theta`. Quantiles are found by
bisection. Both are checked against published tables in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mastery_grading.exceptions import InvalidValueError

__all__ = [
    "Z95",
    "holm",
    "normal_two_sided_p",
    "t_quantile",
    "t_two_sided_p",
    "t_within",
]

#: The 97.5 % quantile of the standard normal law: a 95 % interval is estimate ± Z95 · se.
Z95 = 1.959963984540054


def _check_df(df: int) -> None:
    if not (isinstance(df, int) and df >= 1):
        msg = f"df={df!r} must be an int >= 1"
        raise InvalidValueError(msg)


def t_within(x: float, df: int) -> float:
    """Return ``P(|T| <= x)`` for Student's t with ``df`` degrees of freedom (``x >= 0``).

    >>> round(t_within(2.262157, 9), 6)
    0.95
    >>> t_within(0.0, 3), t_within(math.inf, 3)
    (0.0, 1.0)
    """
    _check_df(df)
    x = abs(x)
    if math.isinf(x):
        return 1.0
    theta = math.atan(x / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 0:
        # sin(theta) * (1 + 1/2 c^2 + 1*3/(2*4) c^4 + ... up to c^(df-2))
        term, total = 1.0, 1.0
        for k in range(1, df // 2):
            term *= (2 * k - 1) / (2 * k) * c2
            total += term
        value = s * total
    else:
        # 2/pi * (theta + sin(theta) cos(theta) (1 + 2/3 c^2 + 2*4/(3*5) c^4 + ...))
        total = 0.0
        if df > 1:
            term, total = 1.0, 1.0
            for k in range(1, (df - 1) // 2):
                term *= (2 * k) / (2 * k + 1) * c2
                total += term
        value = 2.0 / math.pi * (theta + s * math.cos(theta) * total)
    return min(max(value, 0.0), 1.0)


def t_two_sided_p(t: float, df: int) -> float:
    """Return the two-sided p-value of a t statistic: ``P(|T| >= |t|)``.

    It is ``1 - t_within(t, df)``, so its absolute accuracy is about 1e-15: enough to compare
    with 0.05 after any multiple-comparison adjustment, not to tell 1e-16 from 1e-17.

    >>> round(t_two_sided_p(2.228139, 10), 4)
    0.05
    """
    return 1.0 - t_within(t, df)


def t_quantile(level: float, df: int) -> float:
    """Return ``x`` with ``P(|T| <= x) = level``: the multiplier of a two-sided interval.

    ``t_quantile(0.95, k - 1)`` is the 97.5 % quantile used for a 95 % interval of a mean of
    ``k`` values.

    >>> round(t_quantile(0.95, 9), 4), round(t_quantile(0.95, 1), 3)
    (2.2622, 12.706)
    """
    _check_df(df)
    if not 0.0 < level < 1.0:
        msg = f"level={level!r} must be in (0, 1)"
        raise InvalidValueError(msg)
    low, high = 0.0, 1.0
    while t_within(high, df) < level:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2
        if t_within(middle, df) < level:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2


def normal_two_sided_p(z: float) -> float:
    """Return the two-sided p-value of a z statistic under the standard normal law.

    >>> round(normal_two_sided_p(1.959963984540054), 6)
    0.05
    """
    return math.erfc(abs(z) / math.sqrt(2.0))


def holm(p_values: Sequence[float]) -> list[float]:
    """Return Holm's adjusted p-values, in the order given (``nan`` stays ``nan``).

    Holm's step-down procedure keeps the chance of calling any true "no difference" a
    difference at most alpha over the whole family: sort the ``m`` p-values ascending, multiply
    the ``i``-th smallest (from 1) by ``m - i + 1``, and carry the running maximum (capped at 1).
    A hypothesis is rejected at level alpha when its adjusted p-value is at most alpha. ``nan``
    values (no test possible) are left out of ``m``.

    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    >>> holm([0.2, float("nan")])
    [0.2, nan]
    """
    order = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(order)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = round(running, 15)
    return adjusted
