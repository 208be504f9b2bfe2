"""Checking a rule set for any class size by solving difference constraints (no enumeration).

Within one tag group, let ``P[b]`` be the number of targets in bands below band ``b``
(``P[0] = 0``, ``P[B] = n``, ``P[b] <= P[b+1]``). A condition counts the targets of one or more
groups in a run of consecutive bands: in group ``g`` that count is ``P_g[j] - P_g[i]``. Once
the group sizes are known, the condition compares the total over its groups with an integer
bound (a share ``s`` of ``n`` becomes ``ceil(s*n)`` or ``floor(s*n)``).

For a condition within one group, "this condition holds" and "this condition fails" are each a
*difference constraint* ``P[j] - P[i] <= c`` (or a choice of two, for a failed ``==``). A
condition that counts across several groups bounds a *sum* of counts, which is not a
difference constraint; it is split into a choice of per-group bounds instead: the total is at
least ``L`` exactly when, for some split ``L = t_1 + ... + t_k`` with ``t_g`` at most the size
of group ``g``, every group ``g`` has at least ``t_g`` (take ``t_g`` up to the group's own
count), and at most ``U`` exactly when, for some split ``U = u_1 + ... + u_k``, every group has
at most ``u_g``. So every condition holding, or failing, is a finite choice of systems of
difference constraints.

A profile with no letter must fail some condition of every rule: for each way of choosing how
each rule fails, the constraints form a system whose integer solutions are exactly the profiles
in that part of the gap. Bellman-Ford decides it exactly and, with integer bounds, its shortest
distances are an integer solution, i.e. a concrete profile. Overlaps (two rules holding) and the
profiles a rule decides (it holds and every rule before it fails) are found the same way.

The method is exact and its cost does not grow with the class size for conditions within one
group; a condition across groups multiplies the choices by the number of splits of its bound
(at most ``L + 1`` for two groups).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

from mastery_grading.grades.rules._compiled import OPS, Atom, Compiled

__all__ = ["Counts", "first_solution", "solutions"]

Node = tuple[int, int]
# A difference constraint ``x[u] - x[v] <= c`` over nodes ``(group, b)`` and the zero node.
Constraint = tuple[Node, Node, int]
# A disjunction of conjunctions of difference constraints.
Alternatives = list[list[Constraint]]
# Counts per (group, band): a profile up to the order of its targets.
Counts = tuple[tuple[int, ...], ...]
ZERO: Node = (-1, 0)


def _interval(atom: Atom, size: int) -> tuple[int | None, int | None] | bool:
    """The integer range ``[lo, hi]`` of counts that make ``atom`` hold, or a constant truth."""
    if atom.count is not None:
        bound = Fraction(atom.count)
    else:
        assert atom.share is not None
        if size == 0:  # an empty selection has share 0: a constant truth
            return bool(OPS[atom.op](Fraction(0), atom.share))
        bound = atom.share * size
    op = atom.op
    if op == ">=":
        return math.ceil(bound), None
    if op == ">":
        return math.floor(bound) + 1, None
    if op == "<=":
        return None, math.floor(bound)
    if op == "<":
        return None, math.ceil(bound) - 1
    if bound.denominator != 1:
        return False  # "exactly 2.5 targets" never holds
    return int(bound), int(bound)


def _splits_of(total: int, caps: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every tuple ``t`` with ``sum(t) == total`` and ``0 <= t[i] <= caps[i]``."""
    if not caps:
        if total == 0:
            yield ()
        return
    rest = sum(caps[1:])
    for first in range(max(0, total - rest), min(caps[0], total) + 1):
        for tail in _splits_of(total - first, caps[1:]):
            yield (first, *tail)


def _nodes(atom: Atom, group: int) -> tuple[Node, Node]:
    """The nodes ``(top, bottom)`` with the group's count = ``P[top] - P[bottom]``."""
    return (group, max(atom.bands) + 1), (group, min(atom.bands))


def _at_least(atom: Atom, low: int, sizes: Sequence[int]) -> Alternatives:
    """Alternatives for "the atom's count, summed over its groups, is at least ``low``"."""
    if low <= 0:
        return [[]]
    if not atom.bands:
        return []
    caps = [sizes[g] for g in atom.groups]
    out: Alternatives = []
    for split in _splits_of(low, caps):
        conj: list[Constraint] = []
        for g, part in zip(atom.groups, split, strict=True):
            if part:
                top, bottom = _nodes(atom, g)
                conj.append((bottom, top, -part))  # P[top] - P[bottom] >= part
        out.append(conj)
    return out


def _at_most(atom: Atom, high: int, sizes: Sequence[int]) -> Alternatives:
    """Alternatives for "the atom's count, summed over its groups, is at most ``high``"."""
    if high < 0:
        return []
    caps = [sizes[g] for g in atom.groups]
    if not atom.bands or high >= sum(caps):
        return [[]]
    out: Alternatives = []
    for split in _splits_of(high, caps):
        conj: list[Constraint] = []
        for g, part, cap in zip(atom.groups, split, caps, strict=True):
            if part < cap:
                top, bottom = _nodes(atom, g)
                conj.append((top, bottom, part))  # P[top] - P[bottom] <= part
        out.append(conj)
    return out


def _holds(atom: Atom, sizes: Sequence[int]) -> Alternatives:
    """Alternatives (a disjunction of conjunctions) for ``atom`` to hold."""
    interval = _interval(atom, sum(sizes[g] for g in atom.groups))
    if isinstance(interval, bool):
        return [[]] if interval else []
    lo, hi = interval
    lows = _at_least(atom, lo, sizes) if lo is not None else [[]]
    highs = _at_most(atom, hi, sizes) if hi is not None else [[]]
    return [a + b for a in lows for b in highs]


def _fails(atom: Atom, sizes: Sequence[int]) -> Alternatives:
    """Alternatives for ``atom`` to fail."""
    interval = _interval(atom, sum(sizes[g] for g in atom.groups))
    if isinstance(interval, bool):
        return [] if interval else [[]]
    lo, hi = interval
    out: Alternatives = []
    if lo is not None:
        out += _at_most(atom, lo - 1, sizes)
    if hi is not None:
        out += _at_least(atom, hi + 1, sizes)
    return out


def _frame(groups: int, bands: int, sizes: Sequence[int]) -> list[Constraint]:
    out: list[Constraint] = []
    for g in range(groups):
        out += [((g, 0), ZERO, 0), (ZERO, (g, 0), 0)]
        out += [((g, bands), ZERO, sizes[g]), (ZERO, (g, bands), -sizes[g])]
        out += [((g, b), (g, b + 1), 0) for b in range(bands)]
    return out


def _solve(constraints: Sequence[Constraint]) -> dict[Node, int] | None:
    """Bellman-Ford: an integer solution of ``x[u] - x[v] <= c``, or ``None`` if infeasible."""
    nodes = {ZERO} | {u for u, _, _ in constraints} | {v for _, v, _ in constraints}
    dist = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes) + 1):
        changed = False
        for u, v, c in constraints:
            if dist[v] + c < dist[u]:
                dist[u] = dist[v] + c
                changed = True
        if not changed:
            zero = dist[ZERO]
            return {node: value - zero for node, value in dist.items()}
    return None


def _counts(solution: dict[Node, int], groups: int, bands: int) -> Counts:
    return tuple(
        tuple(solution[(g, b + 1)] - solution[(g, b)] for b in range(bands)) for g in range(groups)
    )


def solutions(
    compiled: Compiled,
    sizes: Sequence[int],
    *,
    hold: Sequence[int] = (),
    fail: Sequence[int] = (),
    limit: int,
    tally: list[int] | None = None,
) -> Iterator[Counts]:
    """Yield profiles where every rule in ``hold`` holds and every rule in ``fail`` fails.

    A profile is given as counts per tag group and band; one per feasible system,
    deduplicated.

    Args:
        compiled: The compiled rule set.
        sizes: The number of targets in each tag group.
        hold: Indices of rules whose every condition must hold.
        fail: Indices of rules of which some condition must fail.
        limit: The largest number of systems to try.
        tally: If given, its first item is increased by the number of systems solved.

    Raises:
        OverflowError: If more than ``limit`` systems would be needed.
    """
    bands = len(compiled.points)
    frame = _frame(len(compiled.groups), bands, sizes)
    options: list[Alternatives] = [_holds(atom, sizes) for i in hold for atom in compiled.rules[i]]
    options += [[alt for atom in compiled.rules[i] for alt in _fails(atom, sizes)] for i in fail]
    if math.prod(len(choices) for choices in options) > limit:
        msg = f"more than limit={limit} constraint systems"
        raise OverflowError(msg)
    seen = set()
    for choice in itertools.product(*options):
        if tally is not None:
            tally[0] += 1
        solution = _solve(frame + [c for alt in choice for c in alt])
        if solution is not None:
            counts = _counts(solution, len(compiled.groups), bands)
            if counts not in seen:
                seen.add(counts)
                yield counts


def first_solution(
    compiled: Compiled,
    sizes: Sequence[int],
    *,
    hold: Sequence[int] = (),
    fail: Sequence[int] = (),
    limit: int,
    tally: list[int] | None = None,
) -> Counts | None:
    """The first profile :func:`solutions` finds, or ``None`` when there is none."""
    found = solutions(compiled, sizes, hold=hold, fail=fail, limit=limit, tally=tally)
    return next(found, None)
