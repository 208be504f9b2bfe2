"""Checking a rule set for any class size by solving difference constraints (no enumeration).

Within one tag group, let ``P[b]`` be the number of targets in bands below band ``b``
(``P[0] = 0``, ``P[B] = n``, ``P[b] <= P[b+1]``). Every condition counts the targets of one
group in a run of consecutive bands, ``P[j] - P[i]``, and compares it with a bound that is an
integer once the group size is known (a share ``s`` of ``n`` becomes ``ceil(s*n)`` or
``floor(s*n)``). So "this condition holds" and "this condition fails" are each a *difference
constraint* ``P[j] - P[i] <= c`` (or a choice of two, for a failed ``==``). A profile with no
letter must fail some condition of every rule: for each way of choosing one failed condition
per rule, the constraints form a system whose integer solutions are exactly the profiles in
that part of the gap. Bellman-Ford decides it exactly and, with integer bounds, its shortest
distances are an integer solution, i.e. a concrete profile. Overlaps are found the same way,
with every condition of two rules holding.

The method is exact and its cost does not grow with the class size; it needs every condition
to count within a single tag group (a condition on all targets of a rule set that also uses
tags counts across groups and is left to enumeration).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction

from mastery_grading.grades.rules import _OPS, _Atom, _Compiled

__all__ = ["atoms_are_group_local", "solve_gaps", "solve_overlaps"]

# A difference constraint ``x[u] - x[v] <= c`` over nodes ``(group, b)`` and the zero node.
Constraint = tuple[tuple[int, int], tuple[int, int], int]
ZERO = (-1, 0)


def atoms_are_group_local(compiled: _Compiled) -> bool:
    """Whether every condition counts within exactly one tag group."""
    return all(len(atom.groups) == 1 for rule in compiled.rules for atom in rule)


def _interval(atom: _Atom, size: int) -> tuple[int | None, int | None] | bool:
    """The integer range ``[lo, hi]`` of counts that make ``atom`` hold, or a constant truth."""
    if atom.count is not None:
        bound = Fraction(atom.count)
    else:
        assert atom.share is not None
        if size == 0:  # an empty selection has share 0: a constant truth
            return bool(_OPS[atom.op](Fraction(0), atom.share))
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


def _count_nodes(atom: _Atom) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The nodes ``(high, low)`` with count = ``P[high] - P[low]``, ``None`` for no bands."""
    if not atom.bands:
        return None
    group = atom.groups[0]
    return (group, max(atom.bands) + 1), (group, min(atom.bands))


def _holds(atom: _Atom, size: int) -> list[list[Constraint]]:
    """Alternatives (a disjunction of conjunctions) for ``atom`` to hold."""
    interval = _interval(atom, size)
    if isinstance(interval, bool):
        return [[]] if interval else []
    lo, hi = interval
    nodes = _count_nodes(atom)
    if nodes is None:  # counts nothing: the count is 0
        ok = (lo is None or lo <= 0) and (hi is None or hi >= 0)
        return [[]] if ok else []
    top, bottom = nodes
    conj: list[Constraint] = []
    if hi is not None:
        conj.append((top, bottom, hi))
    if lo is not None:
        conj.append((bottom, top, -lo))
    return [conj]


def _fails(atom: _Atom, size: int) -> list[list[Constraint]]:
    """Alternatives for ``atom`` to fail."""
    interval = _interval(atom, size)
    if isinstance(interval, bool):
        return [] if interval else [[]]
    lo, hi = interval
    nodes = _count_nodes(atom)
    if nodes is None:
        ok = (lo is None or lo <= 0) and (hi is None or hi >= 0)
        return [] if ok else [[]]
    top, bottom = nodes
    alternatives: list[list[Constraint]] = []
    if lo is not None:
        alternatives.append([(top, bottom, lo - 1)])
    if hi is not None:
        alternatives.append([(bottom, top, -(hi + 1))])
    return alternatives


def _frame(groups: int, bands: int, sizes: Sequence[int]) -> list[Constraint]:
    out: list[Constraint] = []
    for g in range(groups):
        out += [((g, 0), ZERO, 0), (ZERO, (g, 0), 0)]
        out += [((g, bands), ZERO, sizes[g]), (ZERO, (g, bands), -sizes[g])]
        out += [((g, b), (g, b + 1), 0) for b in range(bands)]
    return out


def _solve(constraints: Sequence[Constraint]) -> dict[tuple[int, int], int] | None:
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


def _counts(
    solution: dict[tuple[int, int], int], groups: int, bands: int
) -> tuple[tuple[int, ...], ...]:
    return tuple(
        tuple(solution[(g, b + 1)] - solution[(g, b)] for b in range(bands)) for g in range(groups)
    )


def solve_gaps(
    compiled: _Compiled, sizes: Sequence[int], limit: int
) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Yield one band-count profile per feasible way to fail every rule (deduplicated)."""
    bands = len(compiled.points)
    frame = _frame(len(compiled.groups), bands, sizes)
    per_rule = [
        [alt for atom in rule for alt in _fails(atom, sizes[atom.groups[0]])]
        for rule in compiled.rules
    ]
    if math.prod(len(choices) for choices in per_rule) > limit:
        msg = "too many combinations of failed conditions"
        raise OverflowError(msg)
    seen = set()
    for choice in itertools.product(*per_rule):
        solution = _solve(frame + [c for alt in choice for c in alt])
        if solution is not None:
            counts = _counts(solution, len(compiled.groups), bands)
            if counts not in seen:
                seen.add(counts)
                yield counts


def solve_overlaps(
    compiled: _Compiled, sizes: Sequence[int], pairs: Sequence[tuple[int, int]]
) -> Iterator[tuple[tuple[int, int], tuple[tuple[int, ...], ...]]]:
    """Yield ``((i, j), profile)`` for each pair of rules that can hold at once."""
    bands = len(compiled.points)
    frame = _frame(len(compiled.groups), bands, sizes)
    for i, j in pairs:
        options = [
            _holds(atom, sizes[atom.groups[0]]) for atom in (*compiled.rules[i], *compiled.rules[j])
        ]
        for choice in itertools.product(*options):
            solution = _solve(frame + [c for alt in choice for c in alt])
            if solution is not None:
                yield (i, j), _counts(solution, len(compiled.groups), bands)
                break
