"""Fairness: the axioms a policy or a grade converter can keep, and the audit that checks them.

- :mod:`mastery_grading.fairness.axioms`: every axiom (monotone, no retake penalty, ...) as a
  value with a ``check`` method, and :func:`~mastery_grading.fairness.axioms.claims`.
- :mod:`mastery_grading.fairness.audit`: :func:`~mastery_grading.fairness.audit.audit` and
  :func:`~mastery_grading.fairness.audit.audit_table`, a report of every axiom with
  counterexamples (needs Hypothesis, the ``test`` extra).
"""
