"""Fairness: the axioms a policy or a grade converter can keep, and the audit that checks them.

- :mod:`mastery_grading.fairness.cases`: :class:`~mastery_grading.fairness.cases.PolicyCase`,
  :class:`~mastery_grading.fairness.cases.ConverterCase` and the hand-picked cases every check
  tries first.
- :mod:`mastery_grading.fairness.policy_axioms` and
  :mod:`mastery_grading.fairness.converter_axioms`: every axiom (monotone, no retake penalty,
  ...) as a value with a ``check`` method; :mod:`mastery_grading.fairness.axioms` gathers them
  with :func:`~mastery_grading.fairness.axioms.claims`. An axiom's name is a
  :data:`~mastery_grading.protocols.Claim`.
- :mod:`mastery_grading.fairness.audit`: :func:`~mastery_grading.fairness.audit.audit` and
  :func:`~mastery_grading.fairness.audit.audit_table`, a report of every axiom with
  counterexamples; :mod:`mastery_grading.fairness.outcome` holds one axiom's outcome (keeps,
  breaks, not claimed) and the name an audit shows; :mod:`mastery_grading.fairness.render`
  shows it as text, Markdown or HTML styled like the progress report.
- :mod:`mastery_grading.fairness.check`: ``check_policy`` and ``check_converter``, the same as
  in :mod:`mastery_grading.testing`.

Searching generated cases needs Hypothesis (the ``fairness`` extra): the strategies live in
:mod:`mastery_grading.fairness.generate`, which the audit and the checks import only when they
run, so the axioms, cases and reports work on a core install. Fairness sits beside
:mod:`mastery_grading.grades`, above the policies: it never imports grades, the gradebook or
the testing kit; it knows grade converters by their shape
(:class:`~mastery_grading.fairness.converter_axioms.LetterConverter`).

Example:
    >>> from mastery_grading import fairness, policies
    >>> fairness.axioms.claims(policies.Highest()) >= {"monotone", "order_free"}
    True
"""

from mastery_grading.fairness import axioms

__all__ = ["axioms"]
