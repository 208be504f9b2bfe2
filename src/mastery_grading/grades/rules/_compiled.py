"""A rule set compiled to counts per (tag group, value band): the atoms every check builds on.

Cut the scale at every threshold the conditions use: the pieces are *bands*. Every condition of
a rule set is a conjunction of :class:`~mastery_grading.grades.Tally` atoms, and each atom
compares the number (or share) of targets of some tag groups in some bands with a bound, so the
letter of a profile only depends on its counts per (tag group, band). :func:`compile_rules`
computes that form once per rule set; the rule set decides letters with it and the coverage
check (:mod:`mastery_grading.grades.coverage`) enumerates or solves over it.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, Literal, Protocol

import attrs

from mastery_grading._numbers import read_value
from mastery_grading.grades.rules.conditions import LetterRule, Op, Tally
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "OPS",
    "Atom",
    "Compiled",
    "RuleSetLike",
    "Semantics",
    "compile_rule_set",
    "compile_rules",
]

#: How the rules of a rule set combine (see :class:`~mastery_grading.grades.RuleSet`).
Semantics = Literal["first_match", "unordered"]

#: The comparison of each operator.
OPS: dict[Op, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@attrs.frozen
class Atom:
    """One tally over bands and tag groups: ``op(count or share inside, bound)``."""

    groups: tuple[int, ...]
    bands: tuple[int, ...]
    op: Op
    share: Fraction | None
    count: int | None

    def holds(self, counts: Sequence[Sequence[int]]) -> bool:
        """Whether the atom holds for counts per (group, band)."""
        inside = sum(counts[g][b] for g in self.groups for b in self.bands)
        if self.count is not None:
            return OPS[self.op](inside, self.count)
        assert self.share is not None
        total = sum(sum(counts[g]) for g in self.groups)
        actual = Fraction(inside, total) if total else Fraction(0)
        return OPS[self.op](actual, self.share)


@attrs.frozen
class Compiled:
    """A rule set reduced to counts per (tag group, value band).

    Attributes:
        points: The lower end of each band, lowest first (the first is the scale minimum).
        tags: The tags the conditions use, sorted.
        groups: One flag tuple per tag group: whether its targets have each tag.
        rules: Per rule, the atoms that must all hold.
    """

    points: tuple[Fraction, ...]
    tags: tuple[str, ...]
    groups: tuple[tuple[bool, ...], ...]
    rules: tuple[tuple[Atom, ...], ...]

    def band_of(self, value: Fraction) -> int:
        """The band ``value`` lies in."""
        band = 0
        for index, point in enumerate(self.points):
            if value >= point:
                band = index
        return band

    def group_of(self, target: LearningTarget) -> int:
        """The tag group of ``target``."""
        return self.groups.index(tuple(tag in target.tags for tag in self.tags))

    def group_label(self, group: int) -> str:
        """The tag group in words (``"core, not extra"``)."""
        if not self.tags:
            return "targets"
        flags = self.groups[group]
        return ", ".join(t if has else f"not {t}" for t, has in zip(self.tags, flags, strict=True))

    def matching(self, counts: Sequence[Sequence[int]]) -> list[int]:
        """The indices of the rules whose atoms all hold for the counts."""
        return [i for i, atoms in enumerate(self.rules) if all(a.holds(counts) for a in atoms)]


@functools.lru_cache(maxsize=256)
def compile_rules(rules: tuple[LetterRule, ...], scale: Scale) -> Compiled:
    """Return ``rules`` on ``scale`` reduced to counts per (tag group, value band).

    Example:
        >>> from mastery_grading import Scale
        >>> from mastery_grading.grades import LetterRule, no_target_below, share_at_or_above
        >>> rules = (LetterRule(letter="A", conditions=[share_at_or_above(3, 0.5),
        ...                                             no_target_below(2, tag="core")]),
        ...          LetterRule(letter="B"))
        >>> compiled = compile_rules(rules, Scale.marzano())
        >>> [str(p) for p in compiled.points], compiled.tags, compiled.groups
        (['0', '2', '3'], ('core',), ((False,), (True,)))
        >>> compiled.matching([[0, 0, 1], [0, 1, 0]])  # one other target at 3, one core at 2
        [0, 1]
    """
    low, high = read_value(scale.min), read_value(scale.max)
    conditions = [c for rule in rules for c in rule.conditions]
    atoms_of = [[a for c in rule.conditions for a in c.atoms()] for rule in rules]
    cuts = {read_value(t) for c in conditions for t in c.thresholds()}
    points = (low, *sorted(t for t in cuts if low < t <= high))
    tags = tuple(sorted({c.tag for c in conditions if c.tag is not None}))
    groups = tuple(itertools.product((False, True), repeat=len(tags)))

    def compile_atom(atom: Tally) -> Atom:
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
        return Atom(groups=chosen, bands=bands, op=atom.op, share=share, count=atom.count)

    compiled = tuple(tuple(compile_atom(a) for a in atoms) for atoms in atoms_of)
    return Compiled(points=points, tags=tags, groups=groups, rules=compiled)


class RuleSetLike(Protocol):
    """What the coverage check reads from a rule set (:class:`~mastery_grading.grades.RuleSet`).

    It is a protocol so that the check, which the rule set uses for its claims, does not
    import the rule set.
    """

    @property
    def rules(self) -> tuple[LetterRule, ...]: ...

    @property
    def semantics(self) -> Semantics: ...

    @property
    def scale(self) -> Scale: ...

    @property
    def letters(self) -> tuple[str, ...]: ...

    @property
    def checked_up_to(self) -> int | None: ...

    def __hash__(self) -> int: ...


def compile_rule_set(rule_set: RuleSetLike) -> Compiled:
    """Return the compiled form of a rule set's rules on its scale (cached).

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> [str(p) for p in compile_rule_set(RuleSet.sbgrader2()).points]
        ['0', '2', '3', '4']
    """
    return compile_rules(rule_set.rules, rule_set.scale)
