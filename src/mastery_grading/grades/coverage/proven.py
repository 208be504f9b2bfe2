"""Claims of a rule set proven for every class size by the shape of its rules alone."""

from __future__ import annotations

import itertools

from mastery_grading.grades._decider import ConverterClaim
from mastery_grading.grades.rules._compiled import RuleSetLike
from mastery_grading.grades.rules.conditions import Tally

__all__ = ["proven_claims"]


def _upward_closed(atom: Tally) -> bool:
    """Whether raising any value can only keep ``atom`` true (never make it false)."""
    if atom.low is None and atom.high is None:
        return True  # counts every selected target: raising values changes nothing
    if atom.high is None:  # at or above ``low``: the count only grows
        return atom.op in (">=", ">")
    if atom.low is None:  # below ``high``: the count only shrinks
        return atom.op in ("<=", "<") or (atom.op == "==" and atom.count == 0)
    return False


def proven_claims(rule_set: RuleSetLike) -> frozenset[ConverterClaim]:
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
        >>> from mastery_grading.grades.coverage import proven_claims
        >>> sorted(proven_claims(RuleSet.sbgrader2()))
        ['complete', 'monotone', 'unambiguous']
        >>> sorted(proven_claims(RuleSet.powerschool_forum()))
        ['unambiguous']
    """
    if rule_set.semantics != "first_match":
        return frozenset()
    claims: set[ConverterClaim] = {"unambiguous"}
    if any(not rule.conditions for rule in rule_set.rules):
        claims.add("complete")
    ranks = [rule_set.letters.index(rule.letter) for rule in rule_set.rules]
    ordered = all(a <= b for a, b in itertools.pairwise(ranks))
    atoms = [a for rule in rule_set.rules for c in rule.conditions for a in c.atoms()]
    if ordered and all(_upward_closed(a) for a in atoms):
        claims.add("monotone")
    return frozenset(claims)
