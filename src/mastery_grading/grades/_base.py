"""Shared machinery of the grade converters: the protocol, missing evidence, specs, ``grade``."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import attrs

from mastery_grading._registry import SpecRegistry
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
    "grade",
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

#: The built-in grade converters by spec name.
CONVERTERS: SpecRegistry[type[Any]] = SpecRegistry(key=SPEC_KEY, kind="converter")


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


def register_converter(cls: type[Any]) -> type[Any]:
    """Class decorator adding a built-in converter to the spec registry under ``cls.spec_name``."""
    return CONVERTERS.register(cls)


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
    return CONVERTERS.find(spec).from_spec(spec)


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
