"""Conditions of letter rules: how many targets of a group reach which levels.

Every condition only depends on how many targets of a group lie in a range of values:

- :class:`Tally`: the share or the count of (tagged) targets in ``[low, high)`` compared with a
  bound. Helpers read like the rules teachers write: :func:`share_at_or_above`,
  :func:`count_at_or_above`, :func:`share_between`, :func:`no_target_below` and
  :func:`some_target_below`.
- :class:`MasteredAndProgressing`: "m mastered and p progressing", read as **at least m targets
  mastered plus at least p more at progressing or better** (so at least ``m + p`` at
  progressing or better). Talbert's MTH 201 columns ("Core: B = 8M + 2P") use this reading; his
  syllabus does not spell it out.

A :class:`LetterRule` is a letter and the conditions that must all hold for it.

Every ``describe`` words its rule from message templates with named ``{placeholders}`` (such
as ``"at least {share} of {targets} {where}"``), through a :class:`RuleWords`: English by
default (:data:`~mastery_grading.grades.ENGLISH_WORDS`), and any language whose catalogue
translates the templates (the family reports pass their own, so a Spanish page words its rules
in Spanish). The templates are listed in :data:`~mastery_grading.grades.RULE_MESSAGES`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, ClassVar, Literal, Protocol, TypedDict, get_args

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import fmt, read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.grades._decider import check_letter

__all__ = [
    "ENGLISH_WORDS",
    "OP_NAMES",
    "RULE_MESSAGES",
    "Condition",
    "ConditionSpec",
    "LetterRule",
    "LetterRuleSpec",
    "MasteredAndProgressing",
    "MasteredAndProgressingSpec",
    "Op",
    "RuleWords",
    "Tally",
    "TallySpec",
    "count_at_or_above",
    "no_target_below",
    "share_at_or_above",
    "share_between",
    "some_target_below",
]

#: How a count or share compares with its bound.
Op = Literal[">=", ">", "<=", "<", "=="]

#: The comparisons, in the order messages list them.
OP_NAMES: tuple[Op, ...] = get_args(Op)

#: How a share of the targets compares, one message per comparison (so a language can agree
#: its words with the bound: "más del 50 %").
_SHARE_WORDS: dict[Op, str] = {
    ">=": "at least {share} of {targets} {where}",
    ">": "more than {share} of {targets} {where}",
    "<=": "at most {share} of {targets} {where}",
    "<": "fewer than {share} of {targets} {where}",
    "==": "exactly {share} of {targets} {where}",
}

#: How a number of targets compares, one message per comparison.
_COUNT_WORDS: dict[Op, str] = {
    ">=": "at least {count} {targets} {where}",
    ">": "more than {count} {targets} {where}",
    "<=": "at most {count} {targets} {where}",
    "<": "fewer than {count} {targets} {where}",
    "==": "exactly {count} {targets} {where}",
}

#: Which targets a condition counts: (no tag, tagged, not tagged), singular then plural.
_SELECTION_WORDS: dict[tuple[str, bool], tuple[str, str]] = {
    ("all", True): ("target", "targets"),
    ("tag", True): ("{tag} target", "{tag} targets"),
    ("tag", False): ("target not tagged {tag}", "targets not tagged {tag}"),
}

_MASTERED_AND_PROGRESSING = (
    "{mastered} mastered ({mastered_at} or above) and {progressing} more progressing "
    "({progressing_at} or above) among {targets}"
)

#: Every message template the rules are worded from (a catalogue translates these).
RULE_MESSAGES: frozenset[str] = frozenset(
    {
        *_SHARE_WORDS.values(),
        *_COUNT_WORDS.values(),
        *(text for pair in _SELECTION_WORDS.values() for text in pair),
        "at {low} or above",
        "below {high}",
        "in [{low}, {high})",
        "in all",
        "no {target} {where}",
        "some {target} {where}",
        _MASTERED_AND_PROGRESSING,
        "{first} and {second}",
        "{letter}: {conditions}",
        "{letter}: otherwise",
    }
)


class RuleWords(Protocol):
    """How rules are worded: templates translated and filled, numbers and shares written.

    :data:`~mastery_grading.grades.ENGLISH_WORDS` is the default; the family reports' words of a
    language (:mod:`mastery_grading.reports`) comply by shape, so a rule reads in the page's
    language.

    Example:
        >>> class Shouting:
        ...     def __call__(self, message: str, /, **values: object) -> str:
        ...         return ENGLISH_WORDS(message, **values).upper()
        ...     def number(self, value: float) -> str:
        ...         return ENGLISH_WORDS.number(value)
        ...     def percent(self, share: float) -> str:
        ...         return ENGLISH_WORDS.percent(share)
        >>> no_target_below(2).describe(Shouting())
        'NO TARGET BELOW 2.0'
    """

    def __call__(self, message: str, /, **values: object) -> str:
        """Return ``message`` (one of :data:`~mastery_grading.grades.RULE_MESSAGES`), filled."""
        ...  # pragma: no cover - a protocol

    def number(self, value: float) -> str:
        """Return a value of the scale as written (``3.0``)."""
        ...  # pragma: no cover - a protocol

    def percent(self, share: float) -> str:
        """Return a share (0.9) as a percentage (``90%``)."""
        ...  # pragma: no cover - a protocol


@attrs.frozen
class _English:
    """The rules' own English, the templates as written and values as their ``repr``."""

    def __call__(self, message: str, /, **values: object) -> str:
        return message.format(**values)

    def number(self, value: float) -> str:
        return repr(value)

    def percent(self, share: float) -> str:
        return f"{fmt(read_value(share) * 100)}%".replace(".0%", "%")


#: The English wording of rules, the default of every ``describe``: the templates as written,
#: values as their ``repr`` (``3.0``) and shares as percentages (``65%``).
ENGLISH_WORDS: RuleWords = _English()


class TallySpec(TypedDict):
    """The spec of a :class:`Tally` (``Tally(...).to_spec()``)."""

    condition: Literal["tally"]
    low: float | None
    high: float | None
    op: Op
    share: float | None
    count: int | None
    tag: str | None
    tagged: bool


class MasteredAndProgressingSpec(TypedDict):
    """The spec of a :class:`MasteredAndProgressing` condition."""

    condition: Literal["mastered_and_progressing"]
    mastered: int
    progressing: int
    mastered_at: float
    progressing_at: float
    tag: str | None
    tagged: bool


#: The spec of a condition.
ConditionSpec = TallySpec | MasteredAndProgressingSpec


class LetterRuleSpec(TypedDict):
    """The spec of a :class:`LetterRule`: its letter and its conditions' specs."""

    letter: str
    conditions: list[ConditionSpec]


def _check_op(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in OP_NAMES:
        msg = f"{attribute.name}={value!r} must be one of {list(OP_NAMES)}"
        raise InvalidValueError(msg)


def _optional_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.optional_finite_number(instance, attribute, value)


def _selection(tag: str | None, tagged: bool, words: RuleWords, *, singular: bool = False) -> str:
    one, many = _SELECTION_WORDS[("all" if tag is None else "tag", tagged or tag is None)]
    message = one if singular else many
    if tag is None:
        return words(message)
    return words(message, tag=tag if tagged else repr(tag))


@attrs.frozen(kw_only=True)
class Tally:
    """The share or count of (tagged) targets with a value in ``[low, high)``, against a bound.

    Args:
        low: Inclusive lower end of the range, ``None`` for no lower end.
        high: Exclusive upper end of the range, ``None`` for no upper end.
        op: How the share or count compares with the bound: ``">="``, ``">"``, ``"<="``,
            ``"<"`` or ``"=="``.
        share: The bound as a share of the selected targets, in ``[0, 1]`` (read exactly:
            0.9 is 9/10). Exactly one of ``share`` and ``count`` is given.
        count: The bound as a number of targets.
        tag: Only count targets with (or, with ``tagged=False``, without) this tag.
        tagged: Whether ``tag`` selects the targets that have it (default) or lack it.

    The share of an empty selection is 0.

    Example:
        >>> Tally(low=3.0, op=">=", share=0.9).describe()
        'at least 90% of targets at 3.0 or above'
        >>> Tally(high=2.0, op="==", count=0, tag="core").describe()
        'no core target below 2.0'
    """

    kind: ClassVar[Literal["tally"]] = "tally"
    spec_name: ClassVar[Literal["tally"]] = "tally"

    low: float | None = attrs.field(default=None, converter=v.to_float, validator=_optional_number)
    high: float | None = attrs.field(default=None, converter=v.to_float, validator=_optional_number)
    op: Op = attrs.field(default=">=", validator=_check_op)
    share: float | None = attrs.field(
        default=None, converter=v.to_float, validator=_optional_number
    )
    count: int | None = attrs.field(default=None)
    tag: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    tagged: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    def __attrs_post_init__(self) -> None:
        if (self.share is None) == (self.count is None):
            msg = f"share={self.share!r} and count={self.count!r}: give exactly one of them"
            raise InvalidValueError(msg)
        if self.share is not None and not 0 <= self.share <= 1:
            msg = f"share={self.share!r} must be in [0, 1]"
            raise InvalidValueError(msg)
        if self.count is not None:
            if isinstance(self.count, bool) or not isinstance(self.count, int):
                msg = f"count={self.count!r} must be an int, not {type(self.count).__name__}"
                raise InvalidTypeError(msg)
            if self.count < 0:
                msg = f"count={self.count!r} must be at least 0"
                raise InvalidValueError(msg)
        if self.low is not None and self.high is not None and self.low >= self.high:
            msg = f"low={self.low!r} must be below high={self.high!r}"
            raise InvalidValueError(msg)
        if not self.tagged and self.tag is None:
            msg = "tagged=False needs a tag to leave out"
            raise InvalidValueError(msg)

    def atoms(self) -> tuple[Tally, ...]:
        """The tallies this condition is the conjunction of: itself."""
        return (self,)

    def thresholds(self) -> tuple[float, ...]:
        """The values where this condition's range starts or ends."""
        return tuple(x for x in (self.low, self.high) if x is not None)

    def describe(self, words: RuleWords = ENGLISH_WORDS) -> str:
        """The condition in words (English unless ``words`` says otherwise).

        Example:
            >>> Tally(low=2.0, high=3.0, op="<", share=0.25, tag="core", tagged=False).describe()
            "fewer than 25% of targets not tagged 'core' in [2.0, 3.0)"
        """
        if self.low is not None and self.high is None:
            where = words("at {low} or above", low=words.number(self.low))
        elif self.low is None and self.high is not None:
            where = words("below {high}", high=words.number(self.high))
        elif self.low is not None and self.high is not None:
            low, high = words.number(self.low), words.number(self.high)
            where = words("in [{low}, {high})", low=low, high=high)
        else:
            where = words("in all")
        if self.count == 0 and self.op == "==":
            target = _selection(self.tag, self.tagged, words, singular=True)
            return words("no {target} {where}", target=target, where=where)
        if self.count == 1 and self.op == ">=":
            target = _selection(self.tag, self.tagged, words, singular=True)
            return words("some {target} {where}", target=target, where=where)
        targets = _selection(self.tag, self.tagged, words)
        if self.share is not None:
            share = words.percent(self.share)
            return words(_SHARE_WORDS[self.op], share=share, targets=targets, where=where)
        return words(_COUNT_WORDS[self.op], count=self.count, targets=targets, where=where)

    def to_spec(self) -> TallySpec:
        """The JSON-safe spec of the condition."""
        return {
            "condition": self.kind,
            "low": self.low,
            "high": self.high,
            "op": self.op,
            "share": self.share,
            "count": self.count,
            "tag": self.tag,
            "tagged": self.tagged,
        }


@attrs.frozen(kw_only=True)
class MasteredAndProgressing:
    """At least ``mastered`` targets mastered plus at least ``progressing`` MORE progressing.

    "4M + 4P" reads: at least 4 targets at ``mastered_at`` or above, and at least 4 more at
    ``progressing_at`` or above, so at least 8 at ``progressing_at`` or above. It is the
    conjunction of two :class:`Tally` conditions (see :meth:`atoms`).

    Args:
        mastered: How many targets must be mastered.
        progressing: How many more must be at least progressing.
        mastered_at: The value from which a target counts as mastered.
        progressing_at: The value from which a target counts as progressing; at most
            ``mastered_at``.
        tag: Only count targets with (or, with ``tagged=False``, without) this tag.
        tagged: Whether ``tag`` selects the targets that have it or lack it.

    Example:
        >>> condition = MasteredAndProgressing(mastered=8, progressing=2, mastered_at=2,
        ...                                    progressing_at=1, tag="core")
        >>> condition.describe()
        '8 mastered (2.0 or above) and 2 more progressing (1.0 or above) among core targets'
        >>> [(atom.low, atom.count) for atom in condition.atoms()]
        [(2.0, 8), (1.0, 10)]
    """

    kind: ClassVar[Literal["mastered_and_progressing"]] = "mastered_and_progressing"
    spec_name: ClassVar[Literal["mastered_and_progressing"]] = "mastered_and_progressing"

    mastered: int = attrs.field(validator=v.int_in_range(0))
    progressing: int = attrs.field(validator=v.int_in_range(0))
    mastered_at: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    progressing_at: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    tag: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    tagged: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    def __attrs_post_init__(self) -> None:
        if self.progressing_at > self.mastered_at:
            msg = (
                f"progressing_at={self.progressing_at!r} must not lie above "
                f"mastered_at={self.mastered_at!r}"
            )
            raise InvalidValueError(msg)
        if not self.tagged and self.tag is None:
            msg = "tagged=False needs a tag to leave out"
            raise InvalidValueError(msg)

    def atoms(self) -> tuple[Tally, ...]:
        """The two tallies: ``mastered`` mastered, ``mastered + progressing`` progressing+."""
        tag, tagged = self.tag, self.tagged
        both = self.mastered + self.progressing
        return (
            Tally(low=self.mastered_at, op=">=", count=self.mastered, tag=tag, tagged=tagged),
            Tally(low=self.progressing_at, op=">=", count=both, tag=tag, tagged=tagged),
        )

    def thresholds(self) -> tuple[float, ...]:
        """The values where this condition's ranges start."""
        return (self.mastered_at, self.progressing_at)

    def describe(self, words: RuleWords = ENGLISH_WORDS) -> str:
        """The condition in words (English unless ``words`` says otherwise)."""
        return words(
            _MASTERED_AND_PROGRESSING,
            mastered=self.mastered,
            mastered_at=words.number(self.mastered_at),
            progressing=self.progressing,
            progressing_at=words.number(self.progressing_at),
            targets=_selection(self.tag, self.tagged, words),
        )

    def to_spec(self) -> MasteredAndProgressingSpec:
        """The JSON-safe spec of the condition."""
        return {
            "condition": self.kind,
            "mastered": self.mastered,
            "progressing": self.progressing,
            "mastered_at": self.mastered_at,
            "progressing_at": self.progressing_at,
            "tag": self.tag,
            "tagged": self.tagged,
        }


#: A condition of a letter rule.
Condition = Tally | MasteredAndProgressing


def share_at_or_above(
    level: float, share: float, *, op: Op = ">=", tag: str | None = None, tagged: bool = True
) -> Tally:
    """The share of targets at ``level`` or above compares with ``share`` (``>=`` by default).

    Example:
        >>> share_at_or_above(4, 0.5, op=">").describe()
        'more than 50% of targets at 4.0 or above'
    """
    return Tally(low=level, op=op, share=share, tag=tag, tagged=tagged)


def count_at_or_above(
    level: float, count: int, *, op: Op = ">=", tag: str | None = None, tagged: bool = True
) -> Tally:
    """The number of targets at ``level`` or above compares with ``count`` (``>=`` by default).

    Example:
        >>> count_at_or_above(3, 10, tag="core").describe()
        'at least 10 core targets at 3.0 or above'
    """
    return Tally(low=level, op=op, count=count, tag=tag, tagged=tagged)


def share_between(
    low: float,
    high: float,
    share: float,
    *,
    op: Op = ">=",
    tag: str | None = None,
    tagged: bool = True,
) -> Tally:
    """The share of targets in ``[low, high)`` compares with ``share``.

    Example:
        >>> share_between(2, 3, 0.25, op="<").describe()
        'fewer than 25% of targets in [2.0, 3.0)'
    """
    return Tally(low=low, high=high, op=op, share=share, tag=tag, tagged=tagged)


def no_target_below(floor: float, *, tag: str | None = None, tagged: bool = True) -> Tally:
    """No target lies below ``floor``.

    Example:
        >>> no_target_below(2).describe()
        'no target below 2.0'
    """
    return Tally(high=floor, op="==", count=0, tag=tag, tagged=tagged)


def some_target_below(floor: float, *, tag: str | None = None, tagged: bool = True) -> Tally:
    """At least one target lies below ``floor`` ("any 1 is an F").

    Example:
        >>> some_target_below(2).describe()
        'some target below 2.0'
    """
    return Tally(high=floor, op=">=", count=1, tag=tag, tagged=tagged)


def _to_conditions(value: Iterable[Condition]) -> tuple[Condition, ...]:
    return tuple(value)


def _check_conditions(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for item in value:
        if not isinstance(item, Tally | MasteredAndProgressing):
            msg = (
                f"{attribute.name} item {item!r} must be a Tally or a MasteredAndProgressing, "
                f"not {type(item).__name__}"
            )
            raise InvalidTypeError(msg)


def _check_rule_letter(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_letter(attribute.name, value)


@attrs.frozen(kw_only=True)
class LetterRule:
    """A letter and the conditions that must all hold for it; no conditions means "otherwise".

    Example:
        >>> rule = LetterRule(letter="B", conditions=[share_at_or_above(3, 0.8),
        ...                                           no_target_below(2)])
        >>> rule.describe()
        'B: at least 80% of targets at 3.0 or above and no target below 2.0'
        >>> LetterRule(letter="F").describe()
        'F: otherwise'
    """

    letter: str = attrs.field(validator=_check_rule_letter)
    conditions: tuple[Condition, ...] = attrs.field(
        default=(), converter=_to_conditions, validator=_check_conditions
    )

    def describe(self, words: RuleWords = ENGLISH_WORDS) -> str:
        """The rule in words (English unless ``words`` says otherwise).

        The conditions are joined pairwise, first to last, by ``"{first} and {second}"``.

        Example:
            >>> LetterRule(letter="A", conditions=[no_target_below(3)]).describe()
            'A: no target below 3.0'
        """
        if not self.conditions:
            return words("{letter}: otherwise", letter=self.letter)
        conditions = functools.reduce(
            lambda first, second: words("{first} and {second}", first=first, second=second),
            (c.describe(words) for c in self.conditions),
        )
        return words("{letter}: {conditions}", letter=self.letter, conditions=conditions)

    def to_spec(self) -> LetterRuleSpec:
        """The JSON-safe spec of the rule.

        Example:
            >>> LetterRule(letter="F").to_spec()
            {'letter': 'F', 'conditions': []}
        """
        return {"letter": self.letter, "conditions": [c.to_spec() for c in self.conditions]}
