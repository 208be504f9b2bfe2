"""Testing kit for users and for our own suite: strategies, claim checks and fairness audits.

Requires Hypothesis, which the ``fairness`` extra installs (``pip install
"mastery_grading[fairness]"``; the ``test`` extra includes it), except
:mod:`mastery_grading.testing.examples`, which the docstrings of the policies use and which works
on a core install. :func:`parametrize_with_checks` also needs pytest (the ``test`` extra).

- :mod:`mastery_grading.testing.strategies`: typed Hypothesis strategies for scales, targets,
  evidence histories and the cases the fairness axioms are checked on.
- :func:`check_policy` / :func:`check_converter`: assert every axiom a policy or grade converter
  claims (:func:`mastery_grading.fairness.axioms.claims`); use them in your own test suite.
- :func:`parametrize_with_checks` / :func:`check_policy_contract`: the conformance kit
  (:mod:`mastery_grading.testing.conformance`): one pytest case per (policy, check) for the
  whole :class:`~mastery_grading.protocols.Policy` contract and every claimed axiom.
- :func:`audit` / :func:`audit_table`: check every axiom, claimed or not, of policies or grade
  converters (:func:`stock_converters` lists the built-in ones), and report what holds and the
  shrunk counterexamples of what does not. They live in :mod:`mastery_grading.fairness.audit`
  (``mastery_grading.testing.audit`` is the same function).

The names are loaded on first use, so that importing
:mod:`mastery_grading.testing.examples` does not need Hypothesis.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.testing import strategies as mst
    >>> @given(mst.histories())
    ... def test_history_is_chronological(pair):
    ...     target, history = pair
    ...     assert all(e.target_id == target.id for e in history)
    >>> test_history_is_chronological()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require

if TYPE_CHECKING:
    from mastery_grading.fairness.audit import (
        AuditReport,
        AuditTable,
        AxiomOutcome,
        audit,
        audit_table,
    )
    from mastery_grading.fairness.check import check_converter, check_policy
    from mastery_grading.testing import strategies
    from mastery_grading.testing.conformance import (
        check_policy_contract,
        parametrize_with_checks,
    )
    from mastery_grading.testing.stock import stock_converters

__all__ = [
    "AuditReport",
    "AuditTable",
    "AxiomOutcome",
    "audit",
    "audit_table",
    "check_converter",
    "check_policy",
    "check_policy_contract",
    "parametrize_with_checks",
    "stock_converters",
    "strategies",
]

#: Where each lazily loaded name lives.
_HOMES = {
    **dict.fromkeys(
        ["AuditReport", "AuditTable", "AxiomOutcome", "audit", "audit_table"],
        "mastery_grading.fairness.audit",
    ),
    "check_converter": "mastery_grading.fairness.check",
    "check_policy": "mastery_grading.fairness.check",
    "check_policy_contract": "mastery_grading.testing.conformance",
    "parametrize_with_checks": "mastery_grading.testing.conformance",
    "stock_converters": "mastery_grading.testing.stock",
    "strategies": "mastery_grading.testing",
}


def __getattr__(name: str) -> Any:
    """Load a name of the kit on first use (it needs Hypothesis; ``examples`` does not).

    Raises:
        AttributeError: If the kit has no such name.
        MissingExtraError: If Hypothesis is not installed (the ``fairness`` extra).
    """
    home = _HOMES.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    require("hypothesis", extra="fairness", feature=f"mastery_grading.testing.{name}")
    if name == "strategies":
        value: Any = importlib.import_module(f"{__name__}.strategies")
    else:
        value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
