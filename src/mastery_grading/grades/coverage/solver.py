"""The coverage check: every gap, overlap and non-monotone step of a rule set.

By counting targets per band (or per grid point) over every profile, or, beyond ``limit``
profiles, by solving difference constraints; the method and why it is exhaustive are in
:mod:`mastery_grading.grades.coverage`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from fractions import Fraction
from math import comb
from typing import Literal

from mastery_grading._numbers import read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.grades.coverage._constraints import Counts, first_solution, solutions
from mastery_grading.grades.coverage.proven import proven_claims
from mastery_grading.grades.coverage.report import (
    CheckMethod,
    CoverageReport,
    Overlap,
    Profile,
    Step,
)
from mastery_grading.grades.rules._compiled import Compiled, RuleSetLike, compile_rule_set
from mastery_grading.targets import LearningTarget

__all__ = ["CheckChoice", "check_rule_set"]

#: How to check: ``"auto"`` picks ``"bands"`` up to ``limit`` profiles, else ``"constraints"``.
CheckChoice = Literal["auto", "bands", "grid", "constraints"]


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` non-negative ints summing to ``total``, in a fixed order."""
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        previous = -1
        out = []
        for bar in (*bars, total + parts - 1):
            out.append(bar - previous - 1)
            previous = bar
        yield tuple(out)


def _cells(rule_set: RuleSetLike, compiled: Compiled, method: str) -> tuple[Fraction, ...]:
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
    compiled: Compiled, targets: int | Iterable[LearningTarget] | None, max_targets: int
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
    rule_set: RuleSetLike,
    targets: int | Iterable[LearningTarget] | None = None,
    *,
    max_targets: int = 8,
    method: CheckChoice = "auto",
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
        >>> from mastery_grading.grades import RuleSet, check_rule_set
        >>> print(check_rule_set(RuleSet.powerschool_forum(), 2))
        Checked 10 profiles of 2 targets (bands): 2 gaps, 0 overlaps, 0 non-monotone steps.
          gap: 4.0, 2.0
          gap: 3.0, 2.0
          first match decides: 4.0, 4.0: rules 1 (A) and 2 (B) both hold; rule 1 decides
          never decides: rule 3 (C)
    """
    compiled = compile_rule_set(rule_set)
    cells = _cells(rule_set, compiled, method)
    band_of_cell = tuple(compiled.band_of(c) for c in cells)
    specs, sizes = _group_sizes(compiled, targets, max_targets)
    groups = len(compiled.groups)
    total = sum(_count_profiles(spec, groups, len(cells)) for spec in specs)
    auto: CheckMethod = "bands" if total <= limit else "constraints"
    chosen: CheckMethod = auto if method == "auto" else method
    if chosen == "constraints":
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
        method=chosen,
        profiles_checked=checked,
        gaps=tuple(gaps),
        overlaps=tuple(overlaps),
        non_monotone=tuple(steps),
        shadowed=tuple(shadowed[pair] for pair in sorted(shadowed)),
        never_decides=tuple(i for i in range(len(rule_set.rules)) if i not in decides),
        rule_letters=tuple(rule.letter for rule in rule_set.rules),
    )


def _overlap(rule_set: RuleSetLike, profile: Profile, rules: tuple[int, ...]) -> Overlap:
    letters = tuple(rule_set.rules[i].letter for i in rules)
    return Overlap(profile=profile, letters=letters, rules=rules)


def _splits(spec: tuple[int, ...] | int, groups: int) -> Iterator[tuple[int, ...]]:
    if isinstance(spec, int):
        yield from _compositions(spec, groups)
    else:
        yield spec


def _check_by_constraints(
    rule_set: RuleSetLike,
    compiled: Compiled,
    specs: list[tuple[int, ...] | int],
    sizes: tuple[int, ...],
    limit: int,
) -> CoverageReport:
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
