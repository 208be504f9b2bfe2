"""The bottom of ``grades``: what a converter counts, and what the shared machinery asks of it.

Every converter of :mod:`mastery_grading.grades` is reduced, for the shared conversion
(:mod:`~mastery_grading.grades._convert`) and the next-step search
(:mod:`~mastery_grading.grades.report`), to a :class:`Decider`: the letters, the ``missing``
choice, and three internal methods over :class:`Counted` values. The public contract of a
converter is :class:`~mastery_grading.protocols.GradeConverter`; ``Decider`` is the extra,
internal contract that the built-in converters also follow.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from fractions import Fraction
from typing import Any, Literal, Protocol, get_args, runtime_checkable

import attrs

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.results import TargetResult

__all__ = [
    "CLAIM_NAMES",
    "INCOMPLETE",
    "MISSING_CHOICES",
    "NO_LETTER",
    "ON_GAP_CHOICES",
    "ConverterClaim",
    "Counted",
    "Decider",
    "GradeGapWarning",
    "MissingChoice",
    "OnGap",
    "Plan",
    "check_letter",
    "check_missing",
    "check_on_gap",
]

#: The letter of a grade that cannot be given yet (``missing="incomplete"``).
INCOMPLETE = "Incomplete"

#: The letter of a report whose profile no rule covers (a gap) or two letters' rules cover (an
#: overlap of an unordered rule set), when the conversion was asked not to raise (``on_gap``).
#: Tables show it as ``None``.
NO_LETTER = "No letter"

#: What a conversion does with a profile that gets no single letter (a gap or an overlap):
#: ``"raise"`` the :class:`~mastery_grading.exceptions.GapError` (or
#: :class:`~mastery_grading.exceptions.OverlapError`), or give it no letter (:data:`NO_LETTER`)
#: with the reason, and ``"warn"`` (:class:`GradeGapWarning`) or stay silent (``"ignore"``).
OnGap = Literal["raise", "warn", "ignore"]

#: The allowed values of ``on_gap``.
ON_GAP_CHOICES: tuple[OnGap, ...] = ("raise", "warn", "ignore")


class GradeGapWarning(UserWarning):
    """Some students got no letter: their profiles lie in a gap (or an overlap) of the rule set.

    Issued once per conversion run (one :func:`~mastery_grading.grades.grade` call, one grade
    table), with the count, when ``on_gap="warn"``. Each such student's reason says which
    profile no rule covers; :meth:`RuleSet.check <mastery_grading.grades.RuleSet.check>` lists
    every gap.

    Example:
        >>> import warnings
        >>> from mastery_grading.grades import LetterRule, RuleSet, grade, no_target_below
        >>> from mastery_grading.grades import results_from_scores
        >>> rules = RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]))
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     report = grade(results_from_scores({"T": 2.0}), rules, on_gap="warn")
        >>> report.letter, report.decided_by
        ('No letter', 'no rule covers: 1 target in [0.0, 3.0)')
        >>> caught[0].category.__name__, str(caught[0].message)
        ('GradeGapWarning', '1 student got no letter: no rule of the rule set covers their results (see each reason; RuleSet.check() lists every gap)')
    """  # noqa: E501


#: A property a converter may claim about itself.
ConverterClaim = Literal["monotone", "complete", "unambiguous"]

#: What a converter may claim about itself.
CLAIM_NAMES: frozenset[ConverterClaim] = frozenset(get_args(ConverterClaim))

#: How a target without a result (``value=None``) is handled.
MissingChoice = Literal["not_yet", "exclude", "incomplete"]

#: The allowed values of ``missing``, safest first.
MISSING_CHOICES: tuple[MissingChoice, ...] = ("incomplete", "not_yet", "exclude")


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
        >>> from mastery_grading.grades import Counted
        >>> result = policies.Mean().evaluate([], LearningTarget(id="T", title="Fractions"))
        >>> Counted(position=0, result=result, value=Fraction(0)).value
        Fraction(0, 1)
    """

    position: int
    result: TargetResult
    value: Fraction


#: A plan of raises: each counted target with its new value, or ``None`` when none was found.
Plan = list[tuple[Counted, Fraction]] | None


@runtime_checkable
class Decider(Protocol):
    """What the shared conversion and the next-step search need from a built-in converter.

    - ``_decide(counted)`` returns the letter and what decided it, in words, for the counted
      values (it may raise an :class:`~mastery_grading.exceptions.InvalidValueError` for a gap
      or an overlap).
    - ``_raise_candidates(item)`` returns the values above ``item.value`` worth trying.
    - ``_interchange_key(item)`` is equal for two items the converter cannot tell apart.
    - ``_plan(counted, goal_rank, budget)`` returns ``(plan, reachable, minimal)`` when the
      converter has a faster exact search of its own, else ``None``.
    - ``_check_targets(results)`` raises an
      :class:`~mastery_grading.exceptions.InvalidValueError` naming the first target whose scale
      the converter cannot grade (a scale other than a rule set's own).
    - ``_describe_profile(counted)`` says in words what the converter sees of the counted
      values (for a rule set: how many targets lie in each band between its thresholds), the
      reason of a profile that gets no letter.

    The methods are private: they are the built-ins' internal contract, not part of
    :class:`~mastery_grading.protocols.GradeConverter`.
    """

    @property
    def missing(self) -> MissingChoice: ...

    @property
    def letters(self) -> tuple[str, ...]: ...

    def _decide(self, counted: Sequence[Counted]) -> tuple[str, str]: ...

    def _raise_candidates(self, item: Counted) -> tuple[Fraction, ...]: ...

    def _interchange_key(self, item: Counted) -> Hashable: ...

    def _plan(
        self, counted: tuple[Counted, ...], goal_rank: int, budget: int
    ) -> tuple[Plan, bool, bool] | None: ...

    def _check_targets(self, results: Sequence[TargetResult]) -> None: ...

    def _describe_profile(self, counted: Sequence[Counted]) -> str: ...


def check_missing(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validate a ``missing`` choice (an attrs validator)."""
    if value not in MISSING_CHOICES:
        msg = f"{attribute.name}={value!r} must be one of {list(MISSING_CHOICES)}"
        raise InvalidValueError(msg)


def check_on_gap(on_gap: Any) -> None:
    """Validate an ``on_gap`` choice.

    Example:
        >>> check_on_gap("skip")
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: on_gap='skip' must be one of ['raise', 'warn', 'ignore']
    """  # noqa: E501
    if on_gap not in ON_GAP_CHOICES:
        msg = f"on_gap={on_gap!r} must be one of {list(ON_GAP_CHOICES)}"
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
    if letter == NO_LETTER:
        msg = f"{name}={letter!r} is reserved for profiles no rule covers"
        raise InvalidValueError(msg)
