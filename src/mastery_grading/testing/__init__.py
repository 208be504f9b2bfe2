"""Testing kit for users and for our own suite: strategies, claim checks and fairness audits.

Requires the ``test`` extra (Hypothesis).

- :mod:`mastery_grading.testing.strategies`: typed Hypothesis strategies for scales, targets,
  evidence histories and the cases the fairness axioms are checked on.
- :func:`check_policy` / :func:`check_converter`: assert every axiom a policy or grade converter
  claims (:func:`mastery_grading.axioms.claims`); use them in your own test suite.
- :func:`audit` / :func:`audit_table`: check every axiom, claimed or not, and report what holds
  and the shrunk counterexamples of what does not.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.testing import strategies as mst
    >>> @given(mst.histories())
    ... def test_history_is_chronological(pair):
    ...     target, history = pair
    ...     assert all(e.target_id == target.id for e in history)
    >>> test_history_is_chronological()
"""

from mastery_grading.testing import strategies
from mastery_grading.testing._audit import (
    AuditReport,
    AuditTable,
    AxiomOutcome,
    audit,
    audit_table,
    check_converter,
    check_policy,
)

__all__ = [
    "AuditReport",
    "AuditTable",
    "AxiomOutcome",
    "audit",
    "audit_table",
    "check_converter",
    "check_policy",
    "strategies",
]
