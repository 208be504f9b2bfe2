"""Fairness axioms: promises a grading rule can make, stated precisely enough to check.

Each axiom is an object with a ``name`` (snake_case), a ``summary`` (one sentence a teacher
understands) and a precise definition in its class docstring. Its ``check`` method looks at one
generated case (:class:`PolicyCase` for policies, :class:`ConverterCase` for grade converters)
and returns ``None`` when the axiom holds there, or a counterexample in words.

A policy or converter declares the axioms it promises as data, in ``claims``;
:func:`claims` reads them. :func:`mastery_grading.testing.check_policy` asserts every claim over
generated cases, and :func:`mastery_grading.testing.audit` reports on every axiom.

Conventions shared by the policy axioms:

- A *history* is one student's evidence on one target, at distinct moments, oldest first.
- A result ``None`` (the policy declines to decide, with a reason) is never compared as a number.
  Axioms about values hold vacuously when the reference result is ``None``; axioms saying that
  a change "never lowers" a result also forbid turning a value into ``None``.
- Two values count as equal when they differ by at most ``tolerance`` times the width of the
  scale (``1e-9`` by default), which forgives float rounding in hand-written policies. The
  built-ins compute exactly and meet the axioms with no tolerance at all.
- An error raised while evaluating a valid history is a counterexample to every axiom.

Every name is gathered here; they live in :mod:`~mastery_grading.fairness.cases` (the cases),
:mod:`~mastery_grading.fairness.policy_axioms` and
:mod:`~mastery_grading.fairness.converter_axioms`. An axiom's name is a
:data:`~mastery_grading.protocols.Claim`.

Example:
    >>> from mastery_grading import policies
    >>> from mastery_grading.fairness import axioms
    >>> list(axioms.AXIOMS)[:4]
    ['bounded', 'within_observed_range', 'unanimity', 'monotone']
    >>> axioms.AXIOMS["monotone"].summary
    'Raising any one score never lowers the result.'
    >>> "order_free" in axioms.claims(policies.MostRecent())
    False
"""

from __future__ import annotations

from typing import Any

from mastery_grading.fairness._common import DEFAULT_TOLERANCE
from mastery_grading.fairness.cases import ConverterCase, PolicyCase
from mastery_grading.fairness.converter_axioms import (
    CONVERTER_AXIOMS,
    INCOMPLETE,
    ConverterAxiom,
    ConverterComplete,
    ConverterMonotone,
    ConverterUnambiguous,
    LetterConverter,
)
from mastery_grading.fairness.policy_axioms import (
    AXIOMS,
    Axiom,
    Bounded,
    CorrectNeverLowers,
    Deterministic,
    FormativeNeutral,
    ImprovementCredit,
    Monotone,
    NoRetakePenalty,
    OrderFree,
    Recency,
    RecencySensitive,
    TargetIndependent,
    TimeShiftInvariant,
    Unanimity,
    WithinObservedRange,
)
from mastery_grading.protocols import Claim

__all__ = [
    "AXIOMS",
    "CONVERTER_AXIOMS",
    "DEFAULT_TOLERANCE",
    "INCOMPLETE",
    "Axiom",
    "Bounded",
    "Claim",
    "ConverterAxiom",
    "ConverterCase",
    "ConverterComplete",
    "ConverterMonotone",
    "ConverterUnambiguous",
    "CorrectNeverLowers",
    "Deterministic",
    "FormativeNeutral",
    "ImprovementCredit",
    "LetterConverter",
    "Monotone",
    "NoRetakePenalty",
    "OrderFree",
    "PolicyCase",
    "Recency",
    "RecencySensitive",
    "TargetIndependent",
    "TimeShiftInvariant",
    "Unanimity",
    "WithinObservedRange",
    "claims",
]


def claims(obj: Any) -> frozenset[Claim]:
    """Return the axioms ``obj`` claims (its ``claims`` attribute), or an empty set.

    The names are returned as declared: :func:`mastery_grading.testing.check_policy` and
    :func:`~mastery_grading.fairness.audit.audit` refuse a name that is not a
    :data:`~mastery_grading.protocols.Claim`.

    Example:
        >>> from mastery_grading import policies
        >>> sorted(claims(policies.Mean()))[:3]
        ['bounded', 'deterministic', 'improvement_credit']
        >>> claims(object())
        frozenset()
    """
    declared = getattr(obj, "claims", None)
    if not isinstance(declared, frozenset | set | list | tuple):
        return frozenset()  # no claims, or a property seen on a class rather than an instance
    return frozenset(declared)
