"""What a coverage check reports: concrete profiles, overlaps, non-monotone steps."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable
from typing import Literal

import attrs

from mastery_grading._numbers import fmt
from mastery_grading.grades.builders import results_from_scores
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = ["CheckMethod", "CoverageReport", "Overlap", "Profile", "Step"]

#: How a check was made: every count vector per band, every grid point, or constraints.
CheckMethod = Literal["bands", "grid", "constraints"]


def _runs(values: Iterable[float]) -> str:
    """Values separated by commas; a run of more than 4 equal values is written ``12 x 3.0``."""
    parts = []
    for value, run in itertools.groupby(values):
        count = len(list(run))
        parts += [f"{count} x {fmt(value)}"] if count > 4 else [fmt(value)] * count
    return ", ".join(parts)


@attrs.frozen(kw_only=True)
class Profile:
    """A concrete profile: the values of a class's targets, per tag group.

    Args:
        groups: ``(group label, values)`` pairs; values are sorted best first.
        tags: The tags of the rule set, in the order the group labels name them.
        scale: The scale of the values (the rule set's scale); Marzano's 0-4 if not given.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> gap = RuleSet.powerschool_forum().check(2).gaps[0]
        >>> str(gap), gap.size
        ('4.0, 2.0', 2)
    """

    groups: tuple[tuple[str, tuple[float, ...]], ...]
    tags: tuple[str, ...] = ()
    scale: Scale | None = None

    @property
    def size(self) -> int:
        """The number of targets in the profile."""
        return sum(len(values) for _, values in self.groups)

    def __str__(self) -> str:
        if not self.tags:
            return _runs(x for _, values in self.groups for x in values)
        return "; ".join(f"{label}: {_runs(values)}" for label, values in self.groups if values)

    def results(self) -> tuple[TargetResult, ...]:
        """Return results that realize the profile: one target per value, tagged by group.

        Example:
            >>> from mastery_grading.grades import RuleSet
            >>> gap = RuleSet.powerschool_forum().check(2).gaps[0]
            >>> [result.value for result in gap.results()]
            [4.0, 2.0]
        """
        scale = self.scale if self.scale is not None else Scale.marzano()
        scores: dict[LearningTarget | str, float | None] = {}
        for label, values in self.groups:
            tags = tuple(t for t in label.split(", ") if t in self.tags)
            for value in values:
                index = len(scores) + 1
                target = LearningTarget(
                    id=f"T{index}", title=f"Target {index}", tags=tags, scale=scale
                )
                scores[target] = value
        return results_from_scores(scores)


@attrs.frozen(kw_only=True)
class Overlap:
    """A profile that meets more than one rule.

    Under unordered semantics it is an overlap (two letters); under first match the first of
    ``rules`` decides and the others are shadowed there.

    Args:
        profile: The profile.
        letters: The letters of the rules that hold, in rule order.
        rules: The indices (from 0) of the rules that hold, in rule order.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> shadowed = RuleSet.powerschool_forum().check(2).shadowed[0]
        >>> str(shadowed), shadowed.rules
        ('4.0, 4.0 meets A and B', (0, 1))
        >>> shadowed.describe_rules()
        'rules 1 (A) and 2 (B) both hold; rule 1 decides'
    """

    profile: Profile
    letters: tuple[str, ...]
    rules: tuple[int, ...] = ()

    def describe_rules(self) -> str:
        """Which rules (numbered from 1) hold, and which one decides under first match."""
        named = [f"{i + 1} ({letter})" for i, letter in zip(self.rules, self.letters, strict=True)]
        first = self.rules[0] + 1 if self.rules else None
        return f"rules {' and '.join(named)} both hold; rule {first} decides"

    def __str__(self) -> str:
        return f"{self.profile} meets {' and '.join(self.letters)}"


@attrs.frozen(kw_only=True)
class Step:
    """A single raise of one target that lowers the letter: a monotonicity violation."""

    before: Profile
    after: Profile
    letter_before: str
    letter_after: str

    def __str__(self) -> str:
        return f"{self.before} ({self.letter_before}) -> {self.after} ({self.letter_after})"


@attrs.frozen(kw_only=True)
class CoverageReport:
    """What :meth:`~mastery_grading.grades.RuleSet.check` found.

    Attributes:
        sizes: The class sizes checked.
        method: ``"bands"``, ``"grid"`` or ``"constraints"``.
        profiles_checked: How many profiles were enumerated (for ``"constraints"``: how many
            constraint systems were solved).
        gaps: Every profile (count vector) with no letter; for ``"constraints"``, one example
            per region of the gap.
        overlaps: Every profile with two or more letters (unordered semantics only); for
            ``"constraints"``, one example per pair of rules.
        non_monotone: Every single raise that lowers the letter.
        shadowed: Under first match: for each pair of rules with conditions that both hold for
            some profile, one such profile (the earlier rule decides it).
        never_decides: The indices (from 0) of the rules that decide no profile checked: under
            first match, no profile has it as its first rule that holds; unordered, no profile
            meets it and no other letter.
        rule_letters: The letter of each rule, in rule order (for the text).

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> report = RuleSet.sbgrader2().check(5)
        >>> report.complete, report.unambiguous, report.monotone
        (True, True, True)
    """

    sizes: tuple[int, ...]
    method: CheckMethod
    profiles_checked: int
    gaps: tuple[Profile, ...]
    overlaps: tuple[Overlap, ...]
    non_monotone: tuple[Step, ...]
    monotone_checked: bool = True
    shadowed: tuple[Overlap, ...] = ()
    never_decides: tuple[int, ...] = ()
    rule_letters: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every profile gets a letter."""
        return not self.gaps

    @property
    def unambiguous(self) -> bool:
        """Whether no profile gets two letters."""
        return not self.overlaps

    @property
    def monotone(self) -> bool | None:
        """Whether no single raise lowers the letter; ``None`` when it was not examined."""
        return not self.non_monotone if self.monotone_checked else None

    def __str__(self) -> str:
        sizes = ", ".join(str(n) for n in self.sizes)
        what = "constraint systems for" if self.method == "constraints" else "profiles of"
        verb = "Solved" if self.method == "constraints" else "Checked"
        lines = [
            f"{verb} {self.profiles_checked} {what} {sizes} targets ({self.method}): "
            f"{len(self.gaps)} gaps, {len(self.overlaps)} overlaps, "
            f"{len(self.non_monotone)} non-monotone steps."
        ]
        lines += [f"  gap: {gap}" for gap in self.gaps[:10]]
        lines += [f"  overlap: {overlap}" for overlap in self.overlaps[:10]]
        lines += [f"  lowers the letter: {step}" for step in self.non_monotone[:10]]
        lines += [
            f"  first match decides: {item.profile}: {item.describe_rules()}"
            for item in self.shadowed[:10]
        ]
        for index in self.never_decides:
            name = self.rule_letters[index] if index < len(self.rule_letters) else "?"
            lines.append(f"  never decides: rule {index + 1} ({name})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        head, *rest = str(self).splitlines()
        items = "".join(f"<li>{e(line.strip())}</li>" for line in rest)
        return f"<div><p>{e(head)}</p><ul>{items}</ul></div>" if items else f"<p>{e(head)}</p>"
