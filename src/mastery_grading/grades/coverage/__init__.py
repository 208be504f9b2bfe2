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
:mod:`mastery_grading.grades.coverage._constraints`). It reports one example per region of the gap
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

from mastery_grading.grades.coverage.claims import CLAIMS_LIMIT, claims_of
from mastery_grading.grades.coverage.proven import proven_claims
from mastery_grading.grades.coverage.report import (
    CheckMethod,
    CoverageReport,
    Overlap,
    Profile,
    Step,
)
from mastery_grading.grades.coverage.solver import CheckChoice, check_rule_set

__all__ = [
    "CLAIMS_LIMIT",
    "CheckChoice",
    "CheckMethod",
    "CoverageReport",
    "Overlap",
    "Profile",
    "Step",
    "check_rule_set",
    "claims_of",
    "proven_claims",
]
