"""Shared machinery of the grade converters: the protocol, missing evidence, specs, ``grade``."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import attrs

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, SpecError
from mastery_grading.results import TargetResult

if TYPE_CHECKING:
    from mastery_grading.grades.report import GradeReport

__all__ = [
    "CLAIM_NAMES",
    "INCOMPLETE",
    "MISSING_CHOICES",
    "Counted",
    "GradeConverter",
    "MissingChoice",
    "converter_from_spec",
    "fmt",
    "grade",
    "read_value",
    "register_converter",
]

#: The letter of a grade that cannot be given yet (``missing="incomplete"``).
INCOMPLETE = "Incomplete"

#: What a converter may claim about itself.
CLAIM_NAMES = frozenset({"monotone", "complete", "unambiguous"})

#: How a target without a result (``value=None``) is handled.
MissingChoice = Literal["not_yet", "exclude", "incomplete"]

#: The allowed values of ``missing``, safest first.
MISSING_CHOICES: tuple[str, ...] = ("incomplete", "not_yet", "exclude")

#: The key of a converter spec that names the converter.
SPEC_KEY = "converter"

_REGISTRY: dict[str, type[Any]] = {}


@runtime_checkable
class GradeConverter(Protocol):
    """**Protocol:** turns one student's target results into a course grade.

    The contract:

    - ``letters`` lists every letter the converter gives, best first.
    - ``convert(results)`` takes one :class:`~mastery_grading.TargetResult` per target and returns a
      :class:`~mastery_grading.grades.GradeReport`. Its ``letter`` is one of ``letters``, or
      ``"Incomplete"`` when the converter's ``missing`` choice says so.
    - ``claims`` names which of ``monotone``, ``complete`` and ``unambiguous`` truly hold.
    - The converter is a frozen value with ``to_spec()``.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, GradeConverter
        >>> isinstance(AverageCutoffs.marzano_2010(), GradeConverter)
        True
    """

    @property
    def letters(self) -> tuple[str, ...]:
        """Every letter the converter gives, best first."""
        ...

    @property
    def claims(self) -> frozenset[str]:
        """The properties that hold for this converter."""
        ...

    def convert(self, results: Iterable[TargetResult]) -> GradeReport:
        """Return the grade report for one student's results."""
        ...

    def to_spec(self) -> dict[str, Any]:
        """Return the JSON-safe spec of the converter."""
        ...


@attrs.frozen(kw_only=True)
class Counted:
    """A target result as a converter counts it: its position in the input and its exact value.

    Args:
        position: Where the result stood in the input, from 0.
        result: The target result.
        value: The value counted, exactly (the scale minimum for a missing result counted as
            not yet).

    Example:
        >>> from fractions import Fraction
        >>> from mastery_grading import LearningTarget, policies
        >>> result = policies.Mean().evaluate([], LearningTarget(id="T", title="Fractions"))
        >>> Counted(position=0, result=result, value=Fraction(0)).value
        Fraction(0, 1)
    """

    position: int
    result: TargetResult
    value: Fraction


class _Decider(Protocol):
    """What the shared conversion and the next-step search need from a converter."""

    @property
    def missing(self) -> str: ...

    @property
    def letters(self) -> tuple[str, ...]: ...

    def _decide(self, counted: Sequence[Counted]) -> tuple[str, str]: ...

    def _raise_candidates(self, item: Counted) -> tuple[Fraction, ...]: ...

    def _interchange_key(self, item: Counted) -> Hashable: ...


def check_missing(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a ``missing`` choice."""
    if value not in MISSING_CHOICES:
        msg = f"{attribute.name}={value!r} must be one of {list(MISSING_CHOICES)}"
        raise InvalidValueError(msg)


def check_letter(name: str, letter: Any) -> None:
    """Validate a letter: a non-empty string other than ``"Incomplete"``."""
    if not isinstance(letter, str):
        msg = f"{name}={letter!r} must be a string, not {type(letter).__name__}"
        raise InvalidTypeError(msg)
    if not letter.strip():
        msg = f"{name}={letter!r} must be a non-empty string"
        raise InvalidValueError(msg)
    if letter == INCOMPLETE:
        msg = f"{name}={letter!r} is reserved for grades that cannot be given yet"
        raise InvalidValueError(msg)


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


def register_converter(cls: type[Any]) -> type[Any]:
    """Class decorator adding a built-in converter to the spec registry under ``cls.spec_name``."""
    _REGISTRY[cls.spec_name] = cls
    return cls


def start_spec(spec: Any, name: str, allowed: Sequence[str]) -> dict[str, Any]:
    """Check the outer shape of a spec of converter ``name`` and return it as a dict."""
    if not isinstance(spec, Mapping):
        msg = f"spec={spec!r} must be a dict with a {SPEC_KEY!r} key"
        raise SpecError(msg)
    if spec.get(SPEC_KEY) != name:
        msg = f"spec key {SPEC_KEY!r}={spec.get(SPEC_KEY)!r} must be {name!r}"
        raise SpecError(msg)
    for key in spec:
        if key != SPEC_KEY and key not in allowed:
            msg = (
                f"spec for converter {name!r} has unknown key {key!r}; "
                f"expected one of {list(allowed)}"
            )
            raise SpecError(msg)
    return dict(spec)


def converter_from_spec(spec: Mapping[str, Any]) -> Any:
    """Rebuild a built-in grade converter from its spec; the result equals the original.

    Raises:
        SpecError: If the spec is not a dict, names no or an unknown converter, or a key is
            unknown or invalid. The message names the key.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs
        >>> converter_from_spec(AverageCutoffs.percent().to_spec()) == AverageCutoffs.percent()
        True
        >>> converter_from_spec({"converter": "average_cutoffs", "cutof": []})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: spec for converter 'average_cutoffs' has unknown key 'cutof'; expected one of ['cutoffs', 'weighted', 'missing']
    """  # noqa: E501
    if not isinstance(spec, Mapping):
        msg = f"spec={spec!r} must be a dict with a {SPEC_KEY!r} key"
        raise SpecError(msg)
    if SPEC_KEY not in spec:
        msg = f"spec={dict(spec)!r} is missing the key {SPEC_KEY!r}"
        raise SpecError(msg)
    name = spec[SPEC_KEY]
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        msg = f"{SPEC_KEY}={name!r} is not a known converter; expected one of {sorted(_REGISTRY)}"
        raise SpecError(msg)
    return cls.from_spec(spec)


def build_from_spec(cls: type[Any], name: str, kwargs: dict[str, Any]) -> Any:
    """Call ``cls(**kwargs)`` and turn any validation error into a :class:`SpecError`."""
    try:
        return cls(**kwargs)
    except SpecError:
        raise
    except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
        msg = f"spec for converter {name!r} is invalid: {error}"
        raise SpecError(msg) from error


def grade(results: Iterable[TargetResult], converter: GradeConverter) -> GradeReport:
    """Return the grade report of one student's ``results`` under ``converter``.

    This is ``converter.convert(results)``. Only the targets present in ``results`` are
    graded: the converter does not know the course's other targets, so a target left out of
    ``results`` is not counted at all (not even as missing). Give every target of the course a
    result, with ``value=None`` where there is no evidence yet (a policy evaluated on no
    evidence returns one); the converter's ``missing`` choice then applies to it.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
        >>> results = results_from_scores({"LE.1": 3.0, "LE.2": 2.5, "LE.3": 3.5})
        >>> grade(results, AverageCutoffs.marzano_2010()).letter
        'A'
        >>> grade(results[:1], AverageCutoffs.marzano_2010()).letter  # LE.2, LE.3 left out
        'A'
        >>> no_evidence = results_from_scores({"LE.1": 3.0, "LE.2": None})
        >>> grade(no_evidence, AverageCutoffs.marzano_2010()).letter
        'Incomplete'
    """
    return converter.convert(results)


def convert_with(converter: _Decider, results: Iterable[TargetResult]) -> GradeReport:
    """The shared body of every ``convert``: check input, apply ``missing``, decide, report."""
    from mastery_grading.grades.missing import count_results
    from mastery_grading.grades.report import GradeReport

    items = tuple(results)
    for item in items:
        if not isinstance(item, TargetResult):
            msg = f"results item {item!r} must be a TargetResult, not {type(item).__name__}"
            raise InvalidTypeError(msg)
    ids = [item.target.id for item in items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        msg = f"results hold target {duplicated[0]!r} more than once; give one result per target"
        raise InvalidValueError(msg)
    counting = count_results(items, converter.missing)
    if counting.undecided and converter.missing == "incomplete":
        names = ", ".join(repr(r.target.id) for r in counting.undecided)
        letter, decided_by = INCOMPLETE, f"no result yet on {names} (missing='incomplete')"
    elif not counting.counted:
        letter, decided_by = INCOMPLETE, "no target counts toward the grade yet"
    else:
        letter, decided_by = converter._decide(counting.counted)
    return GradeReport(
        letter=letter,
        decided_by=decided_by,
        results=items,
        lines=counting.lines,
        converter=converter,
    )
