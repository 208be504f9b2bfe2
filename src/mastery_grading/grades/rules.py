"""Rule sets: letters decided by how many targets reach which levels ("conjunctive" rules).

A :class:`RuleSet` is a list of :class:`LetterRule` s, best letter first. Each rule is a
conjunction of conditions, and every condition only depends on how many targets of a group lie
in a range of values:

- :class:`Tally`: the share or the count of (tagged) targets in ``[low, high)`` compared with a
  bound. Helpers read like the rules teachers write: :func:`share_at_or_above`,
  :func:`count_at_or_above`, :func:`share_between`, :func:`no_target_below` and
  :func:`some_target_below`.
- :class:`MasteredAndProgressing`: "m mastered and p progressing", read as **at least m targets
  mastered plus at least p more at progressing or better** (so at least ``m + p`` at
  progressing or better). Talbert's MTH 201 columns ("Core: B = 8M + 2P") use this reading; his
  syllabus does not spell it out.

Under ``semantics="first_match"`` the first rule that holds gives the letter (an empty rule is
"otherwise"). Under ``semantics="unordered"`` exactly one letter's rules must hold; two letters
holding at once is an overlap. A profile where no rule holds is a gap. :meth:`RuleSet.check`
finds them all.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import fmt, read_value
from mastery_grading.exceptions import (
    GapError,
    InvalidTypeError,
    InvalidValueError,
    OverlapError,
    SpecError,
)
from mastery_grading.grades._base import (
    Counted,
    MissingChoice,
    build_from_spec,
    check_letter,
    check_missing,
    convert_with,
    register_converter,
    start_spec,
)
from mastery_grading.results import TargetResult
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades.coverage import CoverageReport
    from mastery_grading.grades.report import GradeReport

__all__ = [
    "Condition",
    "LetterRule",
    "MasteredAndProgressing",
    "RuleSet",
    "Tally",
    "count_at_or_above",
    "no_target_below",
    "share_at_or_above",
    "share_between",
    "some_target_below",
]

Op = Literal[">=", ">", "<=", "<", "=="]
Semantics = Literal["first_match", "unordered"]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_OP_WORDS = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "fewer than",
    "==": "exactly",
}


def _check_op(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in _OPS:
        msg = f"{attribute.name}={value!r} must be one of {list(_OPS)}"
        raise InvalidValueError(msg)


def _optional_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.optional_finite_number(instance, attribute, value)


def _selection(tag: str | None, tagged: bool, *, singular: bool = False) -> str:
    noun = "target" if singular else "targets"
    if tag is None:
        return noun
    return f"{tag} {noun}" if tagged else f"{noun} not tagged {tag!r}"


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

    kind: ClassVar[str] = "tally"

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

    def describe(self) -> str:
        """The condition in words."""
        if self.low is not None and self.high is None:
            where = f"at {self.low!r} or above"
        elif self.low is None and self.high is not None:
            where = f"below {self.high!r}"
        elif self.low is not None and self.high is not None:
            where = f"in [{self.low!r}, {self.high!r})"
        else:
            where = "in all"
        if self.count == 0 and self.op == "==":
            return f"no {_selection(self.tag, self.tagged, singular=True)} {where}"
        if self.count == 1 and self.op == ">=":
            return f"some {_selection(self.tag, self.tagged, singular=True)} {where}"
        if self.share is not None:
            bound = f"{fmt(read_value(self.share) * 100)}%".replace(".0%", "%")
            return f"{_OP_WORDS[self.op]} {bound} of {_selection(self.tag, self.tagged)} {where}"
        return f"{_OP_WORDS[self.op]} {self.count} {_selection(self.tag, self.tagged)} {where}"

    def to_spec(self) -> dict[str, Any]:
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

    kind: ClassVar[str] = "mastered_and_progressing"

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

    def describe(self) -> str:
        """The condition in words."""
        return (
            f"{self.mastered} mastered ({self.mastered_at!r} or above) and {self.progressing} "
            f"more progressing ({self.progressing_at!r} or above) among "
            f"{_selection(self.tag, self.tagged)}"
        )

    def to_spec(self) -> dict[str, Any]:
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

    def describe(self) -> str:
        """The rule in words.

        Example:
            >>> LetterRule(letter="A", conditions=[no_target_below(3)]).describe()
            'A: no target below 3.0'
        """
        if not self.conditions:
            return f"{self.letter}: otherwise"
        return f"{self.letter}: " + " and ".join(c.describe() for c in self.conditions)

    def to_spec(self) -> dict[str, Any]:
        """The JSON-safe spec of the rule.

        Example:
            >>> LetterRule(letter="F").to_spec()
            {'letter': 'F', 'conditions': []}
        """
        return {"letter": self.letter, "conditions": [c.to_spec() for c in self.conditions]}


def _to_rules(value: Iterable[LetterRule]) -> tuple[LetterRule, ...]:
    return tuple(value)


def _check_rules(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        msg = f"{attribute.name}=() must hold at least one rule"
        raise InvalidValueError(msg)
    for item in value:
        if not isinstance(item, LetterRule):
            msg = f"{attribute.name} item {item!r} must be a LetterRule, not {type(item).__name__}"
            raise InvalidTypeError(msg)


def _check_semantics(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in ("first_match", "unordered"):
        msg = f"{attribute.name}={value!r} must be 'first_match' or 'unordered'"
        raise InvalidValueError(msg)


def _check_checked_up_to(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{attribute.name}={value!r} must be an int or None, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if value < 1:
        msg = f"{attribute.name}={value!r} must be at least 1 (a class size) or None"
        raise InvalidValueError(msg)


@attrs.frozen
class _Atom:
    groups: tuple[int, ...]
    bands: tuple[int, ...]
    op: str
    share: Fraction | None
    count: int | None

    def holds(self, counts: Sequence[Sequence[int]]) -> bool:
        inside = sum(counts[g][b] for g in self.groups for b in self.bands)
        if self.count is not None:
            return _OPS[self.op](inside, self.count)
        assert self.share is not None
        total = sum(sum(counts[g]) for g in self.groups)
        actual = Fraction(inside, total) if total else Fraction(0)
        return _OPS[self.op](actual, self.share)


@attrs.frozen
class _Compiled:
    """A rule set reduced to counts per (tag group, value band); see :mod:`.coverage`."""

    points: tuple[Fraction, ...]
    tags: tuple[str, ...]
    groups: tuple[tuple[bool, ...], ...]
    rules: tuple[tuple[_Atom, ...], ...]

    def band_of(self, value: Fraction) -> int:
        band = 0
        for index, point in enumerate(self.points):
            if value >= point:
                band = index
        return band

    def group_of(self, target: LearningTarget) -> int:
        return self.groups.index(tuple(tag in target.tags for tag in self.tags))

    def group_label(self, group: int) -> str:
        if not self.tags:
            return "targets"
        flags = self.groups[group]
        return ", ".join(t if has else f"not {t}" for t, has in zip(self.tags, flags, strict=True))

    def matching(self, counts: Sequence[Sequence[int]]) -> list[int]:
        return [i for i, atoms in enumerate(self.rules) if all(a.holds(counts) for a in atoms)]


@functools.lru_cache(maxsize=256)
def _compile(rule_set: RuleSet) -> _Compiled:
    scale = rule_set.scale
    low, high = read_value(scale.min), read_value(scale.max)
    conditions = [c for rule in rule_set.rules for c in rule.conditions]
    atoms_of = [[a for c in rule.conditions for a in c.atoms()] for rule in rule_set.rules]
    cuts = {read_value(t) for c in conditions for t in c.thresholds()}
    points = (low, *sorted(t for t in cuts if low < t <= high))
    tags = tuple(sorted({c.tag for c in conditions if c.tag is not None}))
    groups = tuple(itertools.product((False, True), repeat=len(tags)))

    def compile_atom(atom: Tally) -> _Atom:
        chosen = tuple(
            g
            for g, flags in enumerate(groups)
            if atom.tag is None or flags[tags.index(atom.tag)] == atom.tagged
        )
        bands = tuple(
            b
            for b, point in enumerate(points)
            if (atom.low is None or point >= read_value(atom.low))
            and (atom.high is None or point < read_value(atom.high))
        )
        share = None if atom.share is None else read_value(atom.share)
        return _Atom(groups=chosen, bands=bands, op=atom.op, share=share, count=atom.count)

    rules = tuple(tuple(compile_atom(a) for a in atoms) for atoms in atoms_of)
    return _Compiled(points=points, tags=tags, groups=groups, rules=rules)


def _scale_1_to_4() -> Scale:
    return Scale(
        min=1,
        max=4,
        mastery=3,
        step=1,
        levels=(
            Level(name="beginning", minimum=1),
            Level(name="developing", minimum=2),
            Level(name="proficient", minimum=3),
            Level(name="advanced", minimum=4),
        ),
    )


def _scale_checks() -> Scale:
    return Scale(
        min=0,
        max=2,
        mastery=2,
        step=1,
        levels=(
            Level(name="not yet", minimum=0),
            Level(name="progressing", minimum=1),
            Level(name="mastered", minimum=2),
        ),
    )


@register_converter
@attrs.frozen(kw_only=True)
class RuleSet:
    """Letter rules over how many targets reach which levels, checked for gaps and overlaps.

    The semantics must be chosen explicitly:

    ``"first_match"``
        Rules are tried in order; the first that holds gives the letter. Write the best letter
        first and end with an empty rule (``LetterRule(letter="F")``) for "otherwise".
    ``"unordered"``
        The rules of exactly one letter must hold. Two letters at once is an overlap and the
        conversion raises; so does a gap.

    Letters are ranked in the order they first appear in ``rules`` (best first).

    Args:
        rules: The letter rules, best letter first.
        semantics: ``"first_match"`` or ``"unordered"``; required.
        scale: The scale the target values lie on; its minimum is the lowest value a profile can
            hold (Marzano's 0-4 by default).
        missing: How a target without a result counts: ``"incomplete"`` (default),
            ``"not_yet"`` (at ``scale.min``) or ``"exclude"``.
        checked_up_to: The largest class the rule set is meant for, or ``None``. ``claims``
            holds what is proven for every class size; with ``checked_up_to=n`` it also holds
            what :meth:`check` finds for every class of 1 to ``n`` targets (see :attr:`claims`).

    Its ``claims`` are computed per rule set (see :attr:`claims`).

    Raises:
        InvalidValueError: If there are no rules, the semantics is unknown or a letter is
            ``"Incomplete"``.

    Example:
        >>> rules = RuleSet.sbgrader2()
        >>> [rule.letter for rule in rules.rules]
        ['A', 'B', 'C', 'D', 'F']
        >>> sorted(rules.claims)
        ['complete', 'monotone', 'unambiguous']
        >>> from mastery_grading.grades import results_from_scores
        >>> report = rules.convert(results_from_scores({"a": 4.0, "b": 3.0, "c": 3.5, "d": 2.0}))
        >>> report.letter, report.decided_by
        ('C', 'rule C: at least 65% of targets at 3.0 or above')
    """

    spec_name: ClassVar[str] = "rule_set"

    rules: tuple[LetterRule, ...] = attrs.field(converter=_to_rules, validator=_check_rules)
    semantics: Semantics = attrs.field(validator=_check_semantics)
    scale: Scale = attrs.field(factory=Scale.marzano, validator=v.instance_of(Scale, "a Scale"))
    missing: MissingChoice = attrs.field(default="incomplete", validator=check_missing)
    checked_up_to: int | None = attrs.field(default=None, validator=_check_checked_up_to)

    @classmethod
    def first_match(cls, *rules: LetterRule, **kwargs: Any) -> RuleSet:
        """A rule set where the first rule that holds gives the letter.

        Example:
            >>> RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]),
            ...                     LetterRule(letter="N")).semantics
            'first_match'
        """
        return cls(rules=rules, semantics="first_match", **kwargs)

    @classmethod
    def unordered(cls, *rules: LetterRule, **kwargs: Any) -> RuleSet:
        """A rule set where exactly one letter's rules must hold.

        Example:
            >>> RuleSet.unordered(LetterRule(letter="P", conditions=[no_target_below(3)]),
            ...                   LetterRule(letter="N", conditions=[some_target_below(3)])
            ...                   ).check(4).complete
            True
        """
        return cls(rules=rules, semantics="unordered", **kwargs)

    @classmethod
    def sbgrader2(cls, **kwargs: Any) -> RuleSet:
        """Bellevue SD letters as coded in majadirks/sbgrader2 (first match, Marzano 0-4).

        A: 3 or better on at least 90% of targets, 4 on at least 50%, no target below 2.
        B: 3 or better on at least 80%, no target below 2. C: 3 or better on at least 65%.
        D: 3 or better on at least 50%. F otherwise.

        Differences from the original code, on purpose: "3 or better" is a threshold (the
        original matches 3, 3.5 and 4 exactly); "no 0 or 1" is read as "no target below 2"
        (the original misses 0.5 and 1.5); its exempt code -1 is ``missing="exclude"``; and an
        empty record is "Incomplete" instead of F.

        Example:
            >>> RuleSet.sbgrader2().rules[1].describe()
            'B: at least 80% of targets at 3.0 or above and no target below 2.0'
        """
        kwargs.setdefault("semantics", "first_match")
        return cls(
            rules=(
                LetterRule(
                    letter="A",
                    conditions=(
                        share_at_or_above(3, 0.9),
                        share_at_or_above(4, 0.5),
                        no_target_below(2),
                    ),
                ),
                LetterRule(letter="B", conditions=(share_at_or_above(3, 0.8), no_target_below(2))),
                LetterRule(letter="C", conditions=(share_at_or_above(3, 0.65),)),
                LetterRule(letter="D", conditions=(share_at_or_above(3, 0.5),)),
                LetterRule(letter="F"),
            ),
            **kwargs,
        )

    @classmethod
    def powerschool_forum(cls, **kwargs: Any) -> RuleSet:
        """A teacher's rule set from the PowerSchool community forum, on a 1-4 scale.

        A: more than 50% at 4, no 2s or 1s. B: more than 50% at 3-4, fewer than 25% at 2, no
        1s. C: more than 50% at 3-4, more than 25% at 2, no 1s. D: fewer than 50% at 3-4, no
        1s. F: any 1. It has gaps (exactly 25% at 2, exactly 50% at 3-4) and, read unordered,
        overlaps (every A also meets B). First match by default; pass
        ``semantics="unordered"`` to read it as written.

        Example:
            >>> report = RuleSet.powerschool_forum().check(4)
            >>> report.complete
            False
        """
        kwargs.setdefault("semantics", "first_match")
        kwargs.setdefault("scale", _scale_1_to_4())
        return cls(
            rules=(
                LetterRule(
                    letter="A", conditions=(share_at_or_above(4, 0.5, op=">"), no_target_below(3))
                ),
                LetterRule(
                    letter="B",
                    conditions=(
                        share_at_or_above(3, 0.5, op=">"),
                        share_between(2, 3, 0.25, op="<"),
                        no_target_below(2),
                    ),
                ),
                LetterRule(
                    letter="C",
                    conditions=(
                        share_at_or_above(3, 0.5, op=">"),
                        share_between(2, 3, 0.25, op=">"),
                        no_target_below(2),
                    ),
                ),
                LetterRule(
                    letter="D", conditions=(share_at_or_above(3, 0.5, op="<"), no_target_below(2))
                ),
                LetterRule(letter="F", conditions=(some_target_below(2),)),
            ),
            **kwargs,
        )

    @classmethod
    def talbert_mth201(cls, **kwargs: Any) -> RuleSet:
        r"""Talbert's MTH 201 columns for core and other targets (24 targets, 10 core).

        Targets are scored 0 (not yet), 1 (progressing: one successful demonstration) or 2
        (mastered: two). The letter is the highest column whose rows are all met:

        ====  =============  ==============
        \     core targets   other targets
        ====  =============  ==============
        A     10M            8M + 4P
        B     8M + 2P        4M + 6P
        C     6M + 4P        8P
        D     4M + 4P        4P
        ====  =============  ==============

        "8M + 2P" reads "at least 8 mastered plus at least 2 more progressing or better"
        (:class:`MasteredAndProgressing`). Other targets are those not tagged ``"core"``.

        Example:
            >>> RuleSet.talbert_mth201().rules[1].describe()
            "B: 8 mastered (2.0 or above) and 2 more progressing (1.0 or above) among core targets and 4 mastered (2.0 or above) and 6 more progressing (1.0 or above) among targets not tagged 'core'"
        """  # noqa: E501
        kwargs.setdefault("semantics", "first_match")
        kwargs.setdefault("scale", _scale_checks())

        def column(letter: str, core: tuple[int, int], other: tuple[int, int]) -> LetterRule:
            return LetterRule(
                letter=letter,
                conditions=(
                    MasteredAndProgressing(
                        mastered=core[0],
                        progressing=core[1],
                        mastered_at=2,
                        progressing_at=1,
                        tag="core",
                    ),
                    MasteredAndProgressing(
                        mastered=other[0],
                        progressing=other[1],
                        mastered_at=2,
                        progressing_at=1,
                        tag="core",
                        tagged=False,
                    ),
                ),
            )

        return cls(
            rules=(
                column("A", (10, 0), (8, 4)),
                column("B", (8, 2), (4, 6)),
                column("C", (6, 4), (0, 8)),
                column("D", (4, 4), (0, 4)),
                LetterRule(letter="F"),
            ),
            **kwargs,
        )

    @property
    def letters(self) -> tuple[str, ...]:
        """The letters in the order they first appear in ``rules``, best first.

        >>> RuleSet.powerschool_forum().letters
        ('A', 'B', 'C', 'D', 'F')
        """
        return tuple(dict.fromkeys(rule.letter for rule in self.rules))

    @property
    def claims(self) -> frozenset[str]:
        """Which of monotone, complete and unambiguous hold, for every class size it covers.

        ``complete`` when no profile lacks a letter, ``unambiguous`` when none gets two,
        ``monotone`` when no single raise of one target lowers the letter. Two sources, both
        exact:

        - **Proven for every class size** by the shape of the rules
          (:func:`~mastery_grading.grades.coverage.proven_claims`): first match is always
          unambiguous; with an "otherwise" rule it is complete; with conditions that only count
          targets at or above a level (or bound those below one) and letters in order, it is
          monotone.
        - **Checked up to a declared class size**: with ``checked_up_to=n``, a claim not proven
          by shape is added when :meth:`check` finds it for every class of 1 to ``n``
          targets (every split over the tag groups). Monotonicity is only added where every
          size could be enumerated; gaps and overlaps are also found by constraints at any
          size. A class larger than ``n`` is not covered: check it with :meth:`check`.

        Without ``checked_up_to`` only the proven claims are made. An unordered rule set with an
        overlap claims none of the three (such a profile gets no single letter). A property,
        not a class variable, because it depends on the rules.

        >>> sorted(RuleSet.powerschool_forum().claims)
        ['unambiguous']
        >>> sorted(RuleSet.powerschool_forum(checked_up_to=8).claims)
        ['monotone', 'unambiguous']
        """
        from mastery_grading.grades.coverage import claims_of

        return claims_of(self)

    def describe(self) -> str:
        """A short description: the semantics and how many conditions each rule has.

        Use it in messages instead of the full ``repr``, which lists every condition. A rule
        without conditions ("otherwise") shows only its letter.

        >>> print(RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]),
        ...                           LetterRule(letter="N")))
        first-match rule set: P (1 condition), N
        >>> len(RuleSet.sbgrader2().describe()) < 100 < len(repr(RuleSet.sbgrader2()))
        True
        """
        parts = []
        for rule in self.rules:
            count = len(rule.conditions)
            plural = "s" if count != 1 else ""
            parts.append(f"{rule.letter} ({count} condition{plural})" if count else rule.letter)
        kind = "first-match" if self.semantics == "first_match" else "unordered"
        return f"{kind} rule set: " + ", ".join(parts)

    def __str__(self) -> str:
        return self.describe()

    def check(
        self,
        targets: int | Iterable[LearningTarget] | None = None,
        *,
        max_targets: int = 8,
        method: Literal["auto", "bands", "grid", "constraints"] = "auto",
        limit: int = 200_000,
    ) -> CoverageReport:
        """Find every gap, overlap and non-monotone step, each with a concrete profile.

        See :func:`~mastery_grading.grades.check_rule_set` for the method and why it is
        exhaustive.

        Args:
            targets: A class size (every split over the tag groups is checked), the class's
                targets (their tags fix the group sizes), or ``None`` for every class size from
                1 to ``max_targets``.
            max_targets: The largest class size checked when ``targets`` is ``None``.
            method: ``"auto"`` (the default: ``"bands"`` up to ``limit`` profiles, else
                ``"constraints"``), ``"bands"`` (every vector of counts per threshold band),
                ``"grid"`` (every multiset of values on the scale's step grid, for small
                classes) or ``"constraints"`` (difference constraints, any class size).
            limit: The largest number of profiles to enumerate.

        Example:
            >>> report = RuleSet.powerschool_forum().check(4)
            >>> len(report.gaps), [str(gap) for gap in report.gaps[:2]]
            (7, ['4.0, 4.0, 4.0, 2.0', '4.0, 4.0, 3.0, 2.0'])
        """
        from mastery_grading.grades.coverage import check_rule_set

        return check_rule_set(self, targets, max_targets=max_targets, method=method, limit=limit)

    def _compiled(self) -> _Compiled:
        return _compile(self)

    def _counts(self, counted: Sequence[Counted]) -> tuple[tuple[int, ...], ...]:
        compiled = self._compiled()
        low, high = read_value(self.scale.min), read_value(self.scale.max)
        counts = [[0] * len(compiled.points) for _ in compiled.groups]
        for item in counted:
            if not low <= item.value <= high:
                msg = (
                    f"value={float(item.value)!r} of target {item.result.target.id!r} lies "
                    f"outside the rule set's scale [{self.scale.min}, {self.scale.max}]"
                )
                raise InvalidValueError(msg)
            counts[compiled.group_of(item.result.target)][compiled.band_of(item.value)] += 1
        return tuple(tuple(row) for row in counts)

    def _decide(self, counted: Sequence[Counted]) -> tuple[str, str]:
        compiled = self._compiled()
        matching = compiled.matching(self._counts(counted))
        values = ", ".join(fmt(item.value) for item in counted)
        floats = [float(item.value) for item in counted]
        if not matching:
            msg = (
                f"no rule gives a letter to the values {values}; this is a gap of the rule set "
                "(RuleSet.check() lists every gap)"
            )
            raise GapError(msg, values=floats)
        letters = list(dict.fromkeys(self.rules[i].letter for i in matching))
        if self.semantics == "unordered" and len(letters) > 1:
            msg = (
                f"the values {values} meet the rules of {letters}; this is an overlap of the "
                "unordered rule set (RuleSet.check() lists every overlap)"
            )
            raise OverlapError(msg, letters=letters, values=floats)
        rule = self.rules[matching[0]]
        return rule.letter, f"rule {rule.describe()}"

    def _raise_candidates(self, item: Counted) -> tuple[Fraction, ...]:
        return tuple(p for p in self._compiled().points if p > item.value)

    def _interchange_key(self, item: Counted) -> Hashable:
        compiled = self._compiled()
        return (compiled.group_of(item.result.target), compiled.band_of(item.value))

    def convert(self, results: Iterable[TargetResult]) -> GradeReport:
        """Return the grade report for one student's results (one per target).

        Raises:
            GapError: If no rule gives the profile a letter (a gap).
            OverlapError: If, under unordered semantics, the rules of two letters hold (an
                overlap). Both are :class:`~mastery_grading.exceptions.InvalidValueError` s.
            InvalidValueError: If a value lies outside ``scale``.

        Example:
            >>> from mastery_grading.grades import results_from_scores
            >>> RuleSet.sbgrader2().convert(results_from_scores({"a": 4.0, "b": 4.0})).letter
            'A'
        """
        return convert_with(self, results)

    def to_spec(self) -> dict[str, Any]:
        """Return the JSON-safe spec; :meth:`from_spec` turns it back into an equal rule set.

        Example:
            >>> spec = RuleSet.sbgrader2().to_spec()
            >>> spec["converter"], spec["semantics"], spec["rules"][-1]
            ('rule_set', 'first_match', {'letter': 'F', 'conditions': []})
        """
        return {
            "converter": self.spec_name,
            "rules": [rule.to_spec() for rule in self.rules],
            "semantics": self.semantics,
            "scale": self.scale.to_spec(),
            "missing": self.missing,
            "checked_up_to": self.checked_up_to,
        }

    @classmethod
    def from_spec(cls, spec: Any) -> RuleSet:
        """Rebuild a rule set from its spec.

        Raises:
            SpecError: If a key is missing, unknown or invalid; the message names the key.

        Example:
            >>> RuleSet.from_spec(RuleSet.talbert_mth201().to_spec()) == RuleSet.talbert_mth201()
            True
            >>> RuleSet.from_spec({"converter": "rule_set", "semantics": "first_match",
            ...                    "rules": [{"letter": "A", "conditions": [{"condition": "x"}]}]})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.SpecError: spec key 'rules[0].conditions[0].condition'='x' must be one of ['mastered_and_progressing', 'tally']
        """  # noqa: E501
        data = start_spec(
            spec, cls.spec_name, ["rules", "semantics", "scale", "missing", "checked_up_to"]
        )
        for key in ("rules", "semantics"):
            if key not in data:
                msg = f"spec for converter {cls.spec_name!r} is missing the key {key!r}"
                raise SpecError(msg)
        rules_spec = data["rules"]
        if not isinstance(rules_spec, list | tuple):
            msg = f"spec key 'rules'={rules_spec!r} must be a list of rules"
            raise SpecError(msg)
        kwargs: dict[str, Any] = {
            "rules": tuple(
                _rule_from_spec(item, f"rules[{i}]") for i, item in enumerate(rules_spec)
            ),
            "semantics": data["semantics"],
        }
        if "scale" in data:
            if not isinstance(data["scale"], dict):
                msg = f"spec key 'scale'={data['scale']!r} must be a scale spec (a dict)"
                raise SpecError(msg)
            try:
                kwargs["scale"] = Scale.from_spec(data["scale"])
            except SpecError as error:
                msg = f"spec key 'scale' is invalid: {error}"
                raise SpecError(msg) from error
            except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
                msg = f"spec key 'scale' is invalid: {error}"
                raise SpecError(msg) from error
        for key in ("missing", "checked_up_to"):
            if key in data:
                kwargs[key] = data[key]
        return build_from_spec(cls, cls.spec_name, kwargs)  # type: ignore[no-any-return]


_CONDITION_KINDS: dict[str, type[Any]] = {
    Tally.kind: Tally,
    MasteredAndProgressing.kind: MasteredAndProgressing,
}


def _rule_from_spec(spec: Any, where: str) -> LetterRule:
    if not isinstance(spec, dict):
        msg = f"spec key {where!r}={spec!r} must be a dict with 'letter' and 'conditions'"
        raise SpecError(msg)
    for key in spec:
        if key not in ("letter", "conditions"):
            msg = f"spec key '{where}.{key}' is unknown; expected 'letter' and 'conditions'"
            raise SpecError(msg)
    if "letter" not in spec:
        msg = f"spec key '{where}.letter' is missing"
        raise SpecError(msg)
    items = spec.get("conditions", [])
    if not isinstance(items, list | tuple):
        msg = f"spec key '{where}.conditions'={items!r} must be a list"
        raise SpecError(msg)
    conditions = tuple(
        _condition_from_spec(item, f"{where}.conditions[{i}]") for i, item in enumerate(items)
    )
    try:
        return LetterRule(letter=spec["letter"], conditions=conditions)
    except (InvalidValueError, InvalidTypeError) as error:
        msg = f"spec key '{where}.letter' is invalid: {error}"
        raise SpecError(msg) from error


def _condition_from_spec(spec: Any, where: str) -> Condition:
    if not isinstance(spec, dict) or "condition" not in spec:
        msg = f"spec key {where!r}={spec!r} must be a dict with a 'condition' key"
        raise SpecError(msg)
    kind = spec["condition"]
    cls = _CONDITION_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        msg = f"spec key '{where}.condition'={kind!r} must be one of {sorted(_CONDITION_KINDS)}"
        raise SpecError(msg)
    allowed = [field.name for field in attrs.fields(cls)]
    for key in spec:
        if key != "condition" and key not in allowed:
            msg = f"spec key '{where}.{key}' is unknown; expected one of {allowed}"
            raise SpecError(msg)
    try:
        condition: Condition = cls(**{k: val for k, val in spec.items() if k != "condition"})
    except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
        msg = f"spec key {where!r} is invalid: {error}"
        raise SpecError(msg) from error
    return condition
