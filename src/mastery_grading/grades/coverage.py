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
gaps and overlaps at any class size, also for conditions that count across tag groups (see
:mod:`mastery_grading.grades._constraints`). It reports one example per region of the gap
rather than every count vector, and takes monotonicity from :func:`proven_claims`
(``monotone`` is ``None`` when the shape of the rules does not prove it).

**Rules that overlap under first match.** First-match semantics never gives two letters, but
two rules may still both hold for a profile; the earlier one decides. The report lists, for
every pair of rules with conditions that hold together somewhere, one such profile
(``shadowed``), and the rules that decide no profile at all (``never_decides``): a rule that
never decides is dead text, often a sign that the rules are in the wrong order. A rule without
conditions ("otherwise") is meant to catch what the rules before it leave, so pairs with it are
not listed.

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

from mastery_grading._numbers import fmt, read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades.rules import RuleSet, Tally, _Compiled
    from mastery_grading.results import TargetResult

__all__ = ["CoverageReport", "Overlap", "Profile", "Step", "check_rule_set", "proven_claims"]

#: How many profiles (or constraint systems) ``claims`` may spend on one class size.
CLAIMS_LIMIT = 200_000


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
    method: str
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
    low, step = read_value(scale.min), read_value(scale.step)
    count = int((read_value(scale.max) - low) / step)
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
        InvalidValueError: If the work exceeds ``limit`` (for the constraint method: the
            systems for one class size; conditions that count across tag groups multiply
            them), or an argument is invalid.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> print(check_rule_set(RuleSet.powerschool_forum(), 2))
        Checked 10 profiles of 2 targets (bands): 2 gaps, 0 overlaps, 0 non-monotone steps.
          gap: 4.0, 2.0
          gap: 3.0, 2.0
          first match decides: 4.0, 4.0: rules 1 (A) and 2 (B) both hold; rule 1 decides
          never decides: rule 3 (C)
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
    def matching_of(bands: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
        return tuple(compiled.matching(bands))

    @functools.cache
    def outcome(bands: tuple[tuple[int, ...], ...]) -> tuple[str, ...]:
        found = [rule_set.rules[i].letter for i in matching_of(bands)]
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

    first_match = rule_set.semantics == "first_match"
    conditioned = {i for i, rule in enumerate(rule_set.rules) if rule.conditions}
    gaps: list[Profile] = []
    overlaps: list[Overlap] = []
    steps: list[Step] = []
    shadowed: dict[tuple[int, int], Overlap] = {}
    decides: set[int] = set()
    checked = 0
    for spec in specs:
        for profile in _profiles(spec, groups, len(cells)):
            checked += 1
            bands = to_bands(profile)
            matching = matching_of(bands)
            found = outcome(bands)
            if first_match:
                decides.update(matching[:1])
                for pair in itertools.combinations([i for i in matching if i in conditioned], 2):
                    if pair not in shadowed:
                        shadowed[pair] = _overlap(rule_set, concrete(profile), pair)
            elif len(found) == 1:
                decides.update(matching)
            if not found:
                gaps.append(concrete(profile))
                continue
            if len(found) > 1:
                overlaps.append(
                    Overlap(profile=concrete(profile), letters=found, rules=tuple(matching))
                )
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
        shadowed=tuple(shadowed[pair] for pair in sorted(shadowed)),
        never_decides=tuple(i for i in range(len(rule_set.rules)) if i not in decides),
        rule_letters=tuple(rule.letter for rule in rule_set.rules),
    )


def _overlap(rule_set: RuleSet, profile: Profile, rules: tuple[int, ...]) -> Overlap:
    letters = tuple(rule_set.rules[i].letter for i in rules)
    return Overlap(profile=profile, letters=letters, rules=rules)


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
    from mastery_grading.grades._constraints import Counts, first_solution, solutions

    rules = rule_set.rules
    first_match = rule_set.semantics == "first_match"
    groups = len(compiled.groups)
    if first_match:  # pairs of rules with conditions: where the first shadows the second
        pairs = list(itertools.combinations([i for i, r in enumerate(rules) if r.conditions], 2))
    else:  # pairs of rules of different letters: overlaps
        pairs = [
            (i, j)
            for i, j in itertools.combinations(range(len(rules)), 2)
            if rules[i].letter != rules[j].letter
        ]

    def concrete(counts: Counts) -> Profile:
        out = []
        for g, row in enumerate(counts):
            values = [
                float(compiled.points[b])
                for b in range(len(row) - 1, -1, -1)
                for _ in range(row[b])
            ]
            out.append((compiled.group_label(g), tuple(values)))
        return Profile(groups=tuple(out), tags=compiled.tags, scale=rule_set.scale)

    def beaten_by(j: int) -> list[int]:
        """The rules that must fail for rule ``j`` to decide."""
        if first_match:
            return list(range(j))
        return [i for i, rule in enumerate(rules) if rule.letter != rules[j].letter]

    gaps: list[Profile] = []
    found_pairs: dict[tuple[int, int], Overlap] = {}
    overlaps: list[Overlap] = []
    decides: set[int] = set()
    tally = [0]
    try:
        for spec in specs:
            for split in _splits(spec, groups):
                gaps += [
                    concrete(c)
                    for c in solutions(
                        compiled, split, fail=range(len(rules)), limit=limit, tally=tally
                    )
                ]
                for pair in pairs:
                    if first_match and pair in found_pairs:
                        continue
                    counts = first_solution(compiled, split, hold=pair, limit=limit, tally=tally)
                    if counts is not None:
                        item = _overlap(rule_set, concrete(counts), pair)
                        found_pairs.setdefault(pair, item)
                        overlaps.append(item)
                for j in range(len(rules)):
                    if j in decides:
                        continue
                    hold, fail = [j], beaten_by(j)
                    if (
                        first_solution(compiled, split, hold=hold, fail=fail, limit=limit)
                        is not None
                    ):
                        decides.add(j)
    except OverflowError as error:
        msg = (
            f"the constraint check needs more than limit={limit} constraint systems for one "
            "class size (conditions that count across tag groups multiply them); raise the "
            "limit or check a smaller class"
        )
        raise InvalidValueError(msg) from error
    proven = "monotone" in proven_claims(rule_set)
    return CoverageReport(
        sizes=sizes,
        method="constraints",
        profiles_checked=tally[0],
        gaps=tuple(gaps),
        overlaps=() if first_match else tuple(overlaps),
        non_monotone=(),
        monotone_checked=proven,
        shadowed=tuple(found_pairs[p] for p in sorted(found_pairs)) if first_match else (),
        never_decides=tuple(i for i in range(len(rules)) if i not in decides),
        rule_letters=tuple(rule.letter for rule in rules),
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
    """Return the claims of ``rule_set``: proven for every class size, or checked up to its size.

    A claim that :func:`proven_claims` proves holds for every class size. Without
    ``rule_set.checked_up_to`` nothing else is claimed. With ``checked_up_to=n``, the other
    claims are checked for every class of 1 to ``n`` targets with :func:`check_rule_set`
    (``"auto"``: every profile while there are at most ``200,000`` of one size, else
    constraints): ``complete`` and ``unambiguous`` when no size has a gap or an overlap,
    ``monotone`` when every size was enumerated and none has a step that lowers the letter. An
    unordered rule set with an overlap gets none of the three: such a profile has no single
    letter. If a size cannot be checked within the limit, only the proven claims are made.

    Example:
        >>> from mastery_grading.grades import LetterRule, RuleSet, count_at_or_above
        >>> rules = RuleSet.first_match(
        ...     LetterRule(letter="A", conditions=[count_at_or_above(3, 10)]),
        ...     LetterRule(letter="B", conditions=[count_at_or_above(3, 8, op="<=")]))
        >>> sorted(claims_of(rules))  # proven by shape: first match gives one letter
        ['unambiguous']
        >>> import attrs
        >>> sorted(claims_of(attrs.evolve(rules, checked_up_to=8)))
        ['complete', 'monotone', 'unambiguous']
        >>> sorted(claims_of(attrs.evolve(rules, checked_up_to=9)))
        ['monotone', 'unambiguous']
        >>> [str(gap) for gap in rules.check(9).gaps]  # but not for a class of 9
        ['9 x 3.0']
    """
    proven = proven_claims(rule_set)
    size = rule_set.checked_up_to
    if proven == frozenset({"complete", "monotone", "unambiguous"}) or size is None:
        return proven
    complete = unambiguous = True
    monotone = "monotone" not in proven
    for n in range(1, size + 1):
        # Enumerate while monotonicity is in question; otherwise constraints are enough.
        method = "auto" if monotone else "constraints"
        try:
            report = check_rule_set(rule_set, n, method=method, limit=CLAIMS_LIMIT)
        except InvalidValueError:
            return proven
        complete = complete and report.complete
        unambiguous = unambiguous and report.unambiguous
        monotone = monotone and report.monotone is True
        if not (complete or unambiguous or monotone):
            break
    if not unambiguous:
        return proven
    claims = set(proven)
    claims.update(name for name, holds in (("complete", complete), ("monotone", monotone)) if holds)
    claims.add("unambiguous")
    return frozenset(claims)
