"""The one number rule: how a float is read as an exact number, and how a number is shown.

Every threshold that decides a level or a grade is compared exactly, on rationals. A float stands
for every real number that rounds to it; :func:`read_value` (also called :func:`exact`) reads it
as the simplest of those (the one with the smallest denominator). So a short decimal is read as
that decimal (``2.8`` is 14/5, not the binary float nearest to it), and a value computed as a
fraction with a small denominator is that fraction (the float of 8/3 is 8/3). The arithmetic is
then done exactly and the result rounded once, to the nearest float, at the end: the mean of 2.8
and 3.2 is exactly 3.0 and reaches a mastery threshold of 3.0, whatever the binary representation
of the inputs.

A float path (the vectorized engine, an incremental running value, a simulation) that lands
:func:`near_threshold` of a threshold is recomputed by the exact rule; :func:`fmt` shows a value
to a student without ever reading higher than it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from mastery_grading.exceptions import InvalidValueError

__all__ = [
    "NEAR_TOLERANCE",
    "exact",
    "exact_mean",
    "fmt",
    "fmt_fixed",
    "fmt_within",
    "near_threshold",
    "read_value",
]

#: Relative distance to a threshold within which a float result is recomputed exactly: a value
#: ``x`` is near ``t`` when ``abs(x - t) <= NEAR_TOLERANCE * max(1, abs(t))``. Float paths differ
#: from the exact rule by rounding only, far below this.
NEAR_TOLERANCE = 1e-9


def near_threshold(value: float, threshold: float) -> bool:
    """Return whether a float result lies so close to ``threshold`` that it must be recomputed.

    The one tolerance of every float path (engine, incremental states, simulation): a value
    within ``NEAR_TOLERANCE`` (relative, at least absolute ``1e-9``) of a threshold is decided by
    the exact rule instead.

    Example:
        >>> near_threshold(2.9999999999999996, 3.0), near_threshold(2.99, 3.0)
        (True, False)
    """
    return abs(value - threshold) <= NEAR_TOLERANCE * max(1.0, abs(threshold))


def exact(value: float | Fraction) -> Fraction:
    """Return the exact number a float stands for, by :func:`read_value`'s rule.

    >>> exact(0.1)
    Fraction(1, 10)
    >>> float(exact(2.8) + exact(3.2)) / 2
    3.0
    >>> exact(8 / 3)
    Fraction(8, 3)
    """
    return read_value(value)


def exact_mean(values: Iterable[float], weights: Iterable[float] | None = None) -> Fraction:
    """Return the exact (optionally weighted) mean of floats read by the number rule.

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


def read_value(value: float | Fraction) -> Fraction:
    """Read a number exactly: the simplest fraction whose correctly rounded float is ``value``.

    Every number a grade converter compares (result values, averages, thresholds, shares and
    cutoffs) is read by this rule. A float stands for every real number that rounds to it (its
    *rounding interval*, half a unit in the last place either side); of those, the one with
    the smallest denominator is taken, found by the classic best-rational-in-an-interval
    search (Stern-Brocot, continued fractions). So:

    - a short decimal stays that decimal: 2.8 is 14/5, 2.995 is 599/200 (any other fraction
      this close to a decimal with up to about 7 places would need a larger denominator);
    - a value computed as a fraction with a small denominator is that fraction: the mean 8/3,
      stored as 2.6666666666666665, is read as 8/3, so thirds add up to whole numbers;
    - a float that is *not* the nearest float to a simple number stays where it is:
      2.4999999999999996 (0.0 + 2.3 + 3.3 + 3.3 + 3.6 summed in floats, divided by 5) does
      not round-trip from 2.5, so it is read as a fraction just below 2.5.

    Fractions are returned unchanged.

    Raises:
        InvalidValueError: If ``value`` is not finite.

    Example:
        >>> read_value(2.8), read_value(8 / 3), read_value(3)
        (Fraction(14, 5), Fraction(8, 3), Fraction(3, 1))
        >>> read_value(2.4999999999999996) < Fraction(5, 2)
        True
    """
    if isinstance(value, Fraction):
        return value
    x = float(value)
    if not math.isfinite(x):
        msg = f"value={x!r} is not a finite number"
        raise InvalidValueError(msg)
    # Fast path: the shortest decimal that prints as ``x`` is the answer whenever no other
    # fraction with a denominator up to its own fits in the rounding interval. Two distinct
    # fractions with denominators up to q differ by at least 1/q**2, and the interval is one ulp
    # wide, so q**2 * ulp(x) < 1 settles it (every short decimal, at once).
    decimal = Fraction(repr(x))
    ulp_exponent = math.frexp(math.ulp(x))[1] - 1  # ulp(x) == 2**ulp_exponent exactly
    if ulp_exponent < 0 and decimal.denominator**2 < (1 << -ulp_exponent):
        return decimal
    here = Fraction(x)
    below, above = math.nextafter(x, -math.inf), math.nextafter(x, math.inf)
    low = (here + Fraction(below)) / 2 if math.isfinite(below) else here
    high = (here + Fraction(above)) / 2 if math.isfinite(above) else here
    # Ties round to the float with an even last digit: a midpoint belongs to ``x`` exactly when
    # it rounds to ``x``.
    return _simplest_between(low, high, float(low) == x, float(high) == x)


def _simplest_between(low: Fraction, high: Fraction, low_in: bool, high_in: bool) -> Fraction:
    """The fraction with the smallest denominator between ``low`` and ``high`` (``low < high``).

    ``low_in`` and ``high_in`` say whether the ends belong to the interval. Of the integers in
    an interval the one nearest 0 is taken.

    >>> _simplest_between(Fraction(31, 10), Fraction(32, 10), True, True)
    Fraction(16, 5)
    >>> _simplest_between(Fraction(-1, 2), Fraction(1, 3), False, False)
    Fraction(0, 1)
    """
    if (low < 0 < high) or (low == 0 and low_in) or (high == 0 and high_in):
        return Fraction(0)
    if high <= 0:
        return -_simplest_between(-high, -low, high_in, low_in)
    # 0 <= low < high. Expand the interval as a continued fraction: while it holds no integer,
    # take the integer part and continue with the reciprocal of the rest.
    terms: list[int] = []
    lo: Fraction = low
    hi: Fraction | None = high  # None: no upper end
    lo_in, hi_in = low_in, high_in
    while True:
        whole = math.floor(lo)
        first = whole if (lo == whole and lo_in) else whole + 1  # smallest integer inside
        if hi is None or first < hi or (first == hi and hi_in):
            break
        terms.append(whole)
        # Here whole < x < whole + 1 for every x inside: map x to 1 / (x - whole).
        rest_lo, rest_hi = lo - whole, hi - whole
        lo, hi = 1 / rest_hi, (None if rest_lo == 0 else 1 / rest_lo)
        lo_in, hi_in = hi_in, lo_in
    result = Fraction(first)
    for term in reversed(terms):
        result = term + 1 / result
    return result


def fmt(value: Fraction | float, places: int = 4) -> str:
    """Format a value for a student: the exact decimal when short, else cut to ``places``.

    A value with more than 6 decimals is cut (rounded down) to ``places`` and followed by an
    ellipsis, so the text never reads as a higher value than the true one: 2.99999 reads
    ``2.9999…``, never ``3.0000…``.

    >>> fmt(Fraction(5, 2)), fmt(3.0), fmt(Fraction(17, 6)), fmt(Fraction(299999, 100000))
    ('2.5', '3.0', '2.8333…', '2.99999')
    >>> fmt(Fraction(2999999, 1000000) + Fraction(1, 10**9))
    '2.9999…'
    """
    value = value if isinstance(value, Fraction) else read_value(value)
    if (value * 10**6).denominator == 1:
        return repr(float(value))
    cut = Fraction(math.floor(value * 10**places), 10**places)
    return f"{float(cut):.{places}f}…"


def fmt_within(value: Fraction, low: Fraction | None, high: Fraction | None) -> str:
    """Format ``value`` (in ``[low, high)``) so that the text also reads as inside that range.

    More places are shown when 4 would read below ``low``; the exact fraction as a last resort.

    >>> fmt_within(Fraction(249999, 100000), Fraction(2), Fraction(5, 2))
    '2.49999'
    >>> fmt_within(Fraction(24999991, 10**7), Fraction(24999990, 10**7), None)
    '2.499999…'
    """
    for places in range(4, 18):
        text = fmt(value, places)
        shown = Fraction(text.rstrip("…"))
        if (low is None or shown >= low) and (high is None or shown < high):
            return text
    return str(value)  # pragma: no cover - a cutoff with more than 17 places


def fmt_fixed(value: float | Fraction, places: int = 2) -> str:
    """Format a value for a table: exactly ``places`` decimals, halves rounded away from zero.

    The value is read by the number rule, so a float is rounded as the decimal it prints as:
    ``3.625`` shows ``3.63`` (``f"{3.625:.2f}"`` rounds the binary float half to even and
    shows ``3.62``). Tables (the demo, policy tables, plots) use this; sentences about a
    student's grade use :func:`fmt`, which never reads higher than the value.

    >>> fmt_fixed(3.625), fmt_fixed(Fraction(8, 3)), fmt_fixed(-2.5, 0), fmt_fixed(4.0)
    ('3.63', '2.67', '-3', '4.00')
    """
    if places < 0:
        msg = f"places={places!r} must be at least 0"
        raise InvalidValueError(msg)
    scaled = read_value(value) * 10**places
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    digits = str(whole).rjust(places + 1, "0")
    sign = "-" if scaled < 0 and whole else ""
    if not places:
        return f"{sign}{digits}"
    return f"{sign}{digits[:-places]}.{digits[-places:]}"
