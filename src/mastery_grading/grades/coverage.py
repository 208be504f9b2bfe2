"""Checking a rule set: every gap, every overlap and every non-monotone step, with examples.

**Why counting bands is exhaustive.** Every condition of a rule set compares the number (or
share) of targets of a tag group whose value lies in a range ``[low, high)`` with a bound. Cut
the scale at every ``low`` and ``high`` the rules use: the pieces are *bands*
``[p_0 = min, p_1), [p_1, p_2), ..., [p_k, max]``. Two values in the same band lie on the same
side of every cut, so they fall in exactly the same ranges, and every condition, hence every
rule, has the same truth value for two profiles with the same number of targets per (tag
group, band). The letter of a profile is therefore a function of those counts, and enumerating
every vector of counts (every composition of the class size over groups and bands) covers
every possible profile of real values, once. Each count vector is shown by a concrete profile
whose values are the bands' lower ends ``p_i``. This is exact for any class size; its cost is
the number of count vectors, ``C(n + g*b - 1, g*b - 1)`` for ``n`` targets, ``g`` groups and
``b`` bands (``limit`` bounds it).

Beyond ``limit`` profiles, the default ``"auto"`` method switches to ``"constraints"``: it
solves difference constraints over the counts instead of enumerating them, which is exact for
gaps and overlaps at any class size (see :mod:`mastery_grading.grades._constraints`), reports
one example per region of the gap rather than every count vector, and takes monotonicity
from :func:`proven_claims` (``monotone`` is ``None`` when the shape of the rules does not
prove it).

The ``"grid"`` method enumerates every multiset of values on the scale's step grid instead,
per tag group. It is exhaustive for values on the grid and only practical for small classes;
it serves as an independent cross-check of the band method.

A step is *non-monotone* when raising one target from one band (or grid point) to the next
lowers the letter; every raise is a chain of such steps, so checking them suffices.
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Iterable, Iterator
from fractions import Fraction
from math import comb
from typing import TYPE_CHECKING

import attrs

from mastery_grading._exact import exact
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.grades._base import fmt
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades.rules import RuleSet, Tally, _Compiled
    from mastery_grading.results import TargetResult

__all__ = ["CoverageReport", "Overlap", "Profile", "Step", "check_rule_set", "proven_claims"]

#: How many profiles the ``claims`` of a rule set may enumerate.
CLAIMS_BUDGET = 10_000


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
        from mastery_grading.grades.builders import results_from_scores

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
    """A profile that meets the rules of more than one letter (unordered semantics)."""

    profile: Profile
    letters: tuple[str, ...]

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
        overlaps: Every profile with two or more letters (unordered semantics only).
        non_monotone: Every single raise that lowers the letter.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> report = RuleSet.sbgrader2().check(5)
        >>> report.complete, report.unambiguous, report.monotone
        (True, True, True)
    """

    sizes: tuple[int, ...]
    method: str
    profiles_checked: int
    gaps: tuple[Profile, ...]
    overlaps: tuple[Overlap, ...]
    non_monotone: tuple[Step, ...]
    monotone_checked: bool = True

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
        lines = [
            f"Checked {self.profiles_checked} profiles of {sizes} targets ({self.method}): "
            f"{len(self.gaps)} gaps, {len(self.overlaps)} overlaps, "
            f"{len(self.non_monotone)} non-monotone steps."
        ]
        lines += [f"  gap: {gap}" for gap in self.gaps[:10]]
        lines += [f"  overlap: {overlap}" for overlap in self.overlaps[:10]]
        lines += [f"  lowers the letter: {step}" for step in self.non_monotone[:10]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        head, *rest = str(self).splitlines()
        items = "".join(f"<li>{e(line.strip())}</li>" for line in rest)
        return f"<div><p>{e(head)}</p><ul>{items}</ul></div>" if items else f"<p>{e(head)}</p>"


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` non-negative ints summing to ``total``, in a fixed order."""
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        previous = -1
        out = []
        for bar in (*bars, total + parts - 1):
            out.append(bar - previous - 1)
            previous = bar
        yield tuple(out)


def _cells(rule_set: RuleSet, compiled: _Compiled, method: str) -> tuple[Fraction, ...]:
    if method in ("bands", "auto", "constraints"):
        return compiled.points
    if method != "grid":
        msg = f"method={method!r} must be 'auto', 'bands', 'grid' or 'constraints'"
        raise InvalidValueError(msg)
    scale = rule_set.scale
    if scale.step is None:
        msg = "method='grid' needs a scale with a step"
        raise InvalidValueError(msg)
    low, step = exact(scale.min), exact(scale.step)
    count = int((exact(scale.max) - low) / step)
    return tuple(low + k * step for k in range(count + 1))


def _group_sizes(
    compiled: _Compiled, targets: int | Iterable[LearningTarget] | None, max_targets: int
) -> tuple[list[tuple[int, ...] | int], tuple[int, ...]]:
    """Return what to enumerate: fixed group sizes (tuples) or free class sizes (ints)."""
    if targets is None:
        if isinstance(max_targets, bool) or not isinstance(max_targets, int) or max_targets < 1:
            msg = f"max_targets={max_targets!r} must be an int of at least 1"
            raise InvalidValueError(msg)
        sizes = tuple(range(1, max_targets + 1))
        return list(sizes), sizes
    if isinstance(targets, int) and not isinstance(targets, bool):
        if targets < 1:
            msg = f"targets={targets!r} must be at least 1"
            raise InvalidValueError(msg)
        return [targets], (targets,)
    if isinstance(targets, bool | str | bytes):
        msg = f"targets={targets!r} must be a class size, an iterable of targets or None"
        raise InvalidTypeError(msg)
    per_group = [0] * len(compiled.groups)
    for target in targets:
        if not isinstance(target, LearningTarget):
            msg = f"targets item {target!r} must be a LearningTarget, not {type(target).__name__}"
            raise InvalidTypeError(msg)
        per_group[compiled.group_of(target)] += 1
    if not sum(per_group):
        msg = "targets is empty; give at least one target"
        raise InvalidValueError(msg)
    return [tuple(per_group)], (sum(per_group),)


def _count_profiles(spec: tuple[int, ...] | int, groups: int, cells: int) -> int:
    if isinstance(spec, int):
        return comb(spec + groups * cells - 1, groups * cells - 1)
    total = 1
    for size in spec:
        total *= comb(size + cells - 1, cells - 1)
    return total


def _profiles(
    spec: tuple[int, ...] | int, groups: int, cells: int
) -> Iterator[tuple[tuple[int, ...], ...]]:
    if isinstance(spec, int):
        for flat in _compositions(spec, groups * cells):
            yield tuple(flat[g * cells : (g + 1) * cells] for g in range(groups))
        return
    for combo in itertools.product(*(list(_compositions(size, cells)) for size in spec)):
        yield tuple(combo)


def check_rule_set(
    rule_set: RuleSet,
    targets: int | Iterable[LearningTarget] | None = None,
    *,
    max_targets: int = 8,
    method: str = "auto",
    limit: int = 200_000,
) -> CoverageReport:
    """Check ``rule_set`` exhaustively over every profile of the given class sizes.

    The method and its soundness are explained in :mod:`mastery_grading.grades.coverage`.

    Args:
        rule_set: The rule set.
        targets: A class size, the class's targets, or ``None`` for 1 to ``max_targets``.
        max_targets: The largest class size when ``targets`` is ``None``.
        method: ``"auto"`` (``"bands"`` up to ``limit`` profiles, else ``"constraints"``),
            ``"bands"``, ``"grid"`` or ``"constraints"``.
        limit: The largest number of profiles to enumerate (or of constraint systems).

    Returns:
        Every gap, overlap and non-monotone step, each with a concrete profile.

    Raises:
        InvalidValueError: If the work exceeds ``limit`` (the constraint method needs every
            condition to count within one tag group), or an argument is invalid.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> print(check_rule_set(RuleSet.powerschool_forum(), 2))
        Checked 10 profiles of 2 targets (bands): 2 gaps, 0 overlaps, 0 non-monotone steps.
          gap: 4.0, 2.0
          gap: 3.0, 2.0
    """
    compiled = rule_set._compiled()
    cells = _cells(rule_set, compiled, method)
    band_of_cell = tuple(compiled.band_of(c) for c in cells)
    specs, sizes = _group_sizes(compiled, targets, max_targets)
    groups = len(compiled.groups)
    total = sum(_count_profiles(spec, groups, len(cells)) for spec in specs)
    if method == "auto":
        method = "bands" if total <= limit else "constraints"
    if method == "constraints":
        return _check_by_constraints(rule_set, compiled, specs, sizes, limit)
    if total > limit:
        msg = (
            f"the check would enumerate {total} profiles, more than limit={limit}; "
            "raise the limit, check fewer targets, or use method='constraints'"
        )
        raise InvalidValueError(msg)
    letters = rule_set.letters
    rank_of = {letter: i for i, letter in enumerate(letters)}

    @functools.cache
    def outcome(bands: tuple[tuple[int, ...], ...]) -> tuple[str, ...]:
        matching = compiled.matching(bands)
        found = [rule_set.rules[i].letter for i in matching]
        if rule_set.semantics == "first_match":
            return tuple(found[:1])
        return tuple(dict.fromkeys(found))

    identity = cells == compiled.points

    def to_bands(profile: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
        if identity:
            return profile
        out = []
        for row in profile:
            counts = [0] * len(compiled.points)
            for cell, count in enumerate(row):
                counts[band_of_cell[cell]] += count
            out.append(tuple(counts))
        return tuple(out)

    def concrete(profile: tuple[tuple[int, ...], ...]) -> Profile:
        groups_out = []
        for g, row in enumerate(profile):
            values = [float(cells[c]) for c in range(len(cells) - 1, -1, -1) for _ in range(row[c])]
            groups_out.append((compiled.group_label(g), tuple(values)))
        return Profile(groups=tuple(groups_out), tags=compiled.tags, scale=rule_set.scale)

    gaps: list[Profile] = []
    overlaps: list[Overlap] = []
    steps: list[Step] = []
    checked = 0
    for spec in specs:
        for profile in _profiles(spec, groups, len(cells)):
            checked += 1
            found = outcome(to_bands(profile))
            if not found:
                gaps.append(concrete(profile))
                continue
            if len(found) > 1:
                overlaps.append(Overlap(profile=concrete(profile), letters=found))
                continue
            for g, row in enumerate(profile):
                for c in range(len(cells) - 1):
                    if not row[c]:
                        continue
                    raised_row = list(row)
                    raised_row[c] -= 1
                    raised_row[c + 1] += 1
                    raised = (*profile[:g], tuple(raised_row), *profile[g + 1 :])
                    after = outcome(to_bands(raised))
                    if len(after) == 1 and rank_of[after[0]] > rank_of[found[0]]:
                        steps.append(
                            Step(
                                before=concrete(profile),
                                after=concrete(raised),
                                letter_before=found[0],
                                letter_after=after[0],
                            )
                        )
    return CoverageReport(
        sizes=sizes,
        method=method,
        profiles_checked=checked,
        gaps=tuple(gaps),
        overlaps=tuple(overlaps),
        non_monotone=tuple(steps),
    )


def _splits(spec: tuple[int, ...] | int, groups: int) -> Iterator[tuple[int, ...]]:
    if isinstance(spec, int):
        yield from _compositions(spec, groups)
    else:
        yield spec


def _check_by_constraints(
    rule_set: RuleSet,
    compiled: _Compiled,
    specs: list[tuple[int, ...] | int],
    sizes: tuple[int, ...],
    limit: int,
) -> CoverageReport:
    from mastery_grading.grades._constraints import (
        atoms_are_group_local,
        solve_gaps,
        solve_overlaps,
    )

    if not atoms_are_group_local(compiled):
        msg = (
            "the rule set has a condition that counts across tag groups, so it can only be "
            "checked by enumeration, and the profile space exceeds limit={limit}"
        ).replace("{limit}", str(limit))
        raise InvalidValueError(msg)
    groups = len(compiled.groups)
    pairs = []
    if rule_set.semantics == "unordered":
        pairs = [
            (i, j)
            for i, j in itertools.combinations(range(len(rule_set.rules)), 2)
            if rule_set.rules[i].letter != rule_set.rules[j].letter
        ]

    def concrete(counts: tuple[tuple[int, ...], ...]) -> Profile:
        out = []
        for g, row in enumerate(counts):
            values = [
                float(compiled.points[b])
                for b in range(len(row) - 1, -1, -1)
                for _ in range(row[b])
            ]
            out.append((compiled.group_label(g), tuple(values)))
        return Profile(groups=tuple(out), tags=compiled.tags, scale=rule_set.scale)

    gaps: list[Profile] = []
    overlaps: list[Overlap] = []
    systems = 0
    for spec in specs:
        for split in _splits(spec, groups):
            systems += 1
            try:
                gaps += [concrete(c) for c in solve_gaps(compiled, split, limit)]
            except OverflowError as error:
                msg = f"the constraint check needs more than limit={limit} systems"
                raise InvalidValueError(msg) from error
            for (i, j), counts in solve_overlaps(compiled, split, pairs):
                letters = (rule_set.rules[i].letter, rule_set.rules[j].letter)
                overlaps.append(Overlap(profile=concrete(counts), letters=letters))
    proven = "monotone" in proven_claims(rule_set)
    return CoverageReport(
        sizes=sizes,
        method="constraints",
        profiles_checked=systems,
        gaps=tuple(gaps),
        overlaps=tuple(overlaps),
        non_monotone=(),
        monotone_checked=proven,
    )


def _upward_closed(atom: Tally) -> bool:
    """Whether raising any value can only keep ``atom`` true (never make it false)."""
    if atom.low is None and atom.high is None:
        return True  # counts every selected target: raising values changes nothing
    if atom.high is None:  # at or above ``low``: the count only grows
        return atom.op in (">=", ">")
    if atom.low is None:  # below ``high``: the count only shrinks
        return atom.op in ("<=", "<") or (atom.op == "==" and atom.count == 0)
    return False


def proven_claims(rule_set: RuleSet) -> frozenset[str]:
    """Return the claims that hold for EVERY class size by the shape of the rules alone.

    - ``unambiguous``: first-match semantics never gives two letters.
    - ``complete``: first-match semantics with an "otherwise" rule (no conditions).
    - ``monotone``: first-match semantics, every condition *upward closed* (it counts targets
      at or above a level with ``>=``/``>``, or bounds the targets below a level with
      ``<=``/``<``/``== 0``), and the letters of consecutive rules never get better. Proof:
      if rule ``i`` holds for a profile, it still holds after a raise, so the first rule that
      holds afterwards is some ``j <= i``, whose letter is at least as good.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> sorted(proven_claims(RuleSet.sbgrader2()))
        ['complete', 'monotone', 'unambiguous']
        >>> sorted(proven_claims(RuleSet.powerschool_forum()))
        ['unambiguous']
    """
    if rule_set.semantics != "first_match":
        return frozenset()
    claims = {"unambiguous"}
    if any(not rule.conditions for rule in rule_set.rules):
        claims.add("complete")
    ranks = [rule_set.letters.index(rule.letter) for rule in rule_set.rules]
    ordered = all(a <= b for a, b in itertools.pairwise(ranks))
    atoms = [a for rule in rule_set.rules for c in rule.conditions for a in c.atoms()]
    if ordered and all(_upward_closed(a) for a in atoms):
        claims.add("monotone")
    return frozenset(claims)


@functools.lru_cache(maxsize=256)
def claims_of(rule_set: RuleSet) -> frozenset[str]:
    """Return the claims of ``rule_set``: proven for every class size, or checked.

    A claim that :func:`proven_claims` proves holds for every class size. The others are
    checked exhaustively for every class of 1 to at most 8 targets: the largest class size is
    the largest one (up to 8) whose profiles, summed over all sizes from 1, number at most
    10,000.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> sorted(claims_of(RuleSet.talbert_mth201()))
        ['complete', 'monotone', 'unambiguous']
    """
    proven = proven_claims(rule_set)
    if proven == frozenset({"complete", "monotone", "unambiguous"}):
        return proven
    compiled = rule_set._compiled()
    parts = len(compiled.groups) * len(compiled.points)
    largest, spent = 0, 0
    for n in range(1, 9):
        spent += comb(n + parts - 1, parts - 1)
        if spent > CLAIMS_BUDGET:
            break
        largest = n
    report = check_rule_set(rule_set, None, max_targets=max(largest, 1), limit=10 * CLAIMS_BUDGET)
    claims = set(proven)
    if report.complete:
        claims.add("complete")
    if report.unambiguous:
        claims.add("unambiguous")
    if report.monotone:
        claims.add("monotone")
    return frozenset(claims)
