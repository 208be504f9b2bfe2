"""The claims of a rule set: proven by its shape, or checked up to its declared class size."""

from __future__ import annotations

import functools

from mastery_grading.exceptions import InvalidValueError
from mastery_grading.grades._decider import ConverterClaim
from mastery_grading.grades.coverage.proven import proven_claims
from mastery_grading.grades.coverage.solver import CheckChoice, check_rule_set
from mastery_grading.grades.rules._compiled import RuleSetLike

__all__ = ["CLAIMS_LIMIT", "claims_of"]

#: How many profiles (or constraint systems) ``claims`` may spend on one class size.
CLAIMS_LIMIT = 200_000


@functools.lru_cache(maxsize=256)
def claims_of(rule_set: RuleSetLike) -> frozenset[ConverterClaim]:
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
        >>> from mastery_grading.grades.coverage.claims import claims_of
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
        method: CheckChoice = "auto" if monotone else "constraints"
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
    claims: set[ConverterClaim] = set(proven)
    if complete:
        claims.add("complete")
    if monotone:
        claims.add("monotone")
    claims.add("unambiguous")
    return frozenset(claims)
