"""The stock grade converters: every published table and rule set, by the call that makes it.

Example:
    >>> list(stock_converters())[:2]
    ['AverageCutoffs.marzano_2010()', 'AverageCutoffs.percent()']
"""

from __future__ import annotations

from typing import Any

from mastery_grading.fairness.audit import stock_of
from mastery_grading.grades import AverageCutoffs, RuleSet

__all__ = ["stock_converters"]


def stock_converters() -> dict[str, Any]:
    """Return every stock grade converter of :mod:`mastery_grading.grades`, by the call that makes it.

    A stock converter is what a class method of a built-in converter family makes with no
    arguments: the published tables and rule sets (``AverageCutoffs.marzano_2010()``,
    ``RuleSet.sbgrader2()``, ...). Audit them all with
    :func:`~mastery_grading.fairness.audit.audit_table`.

    Example:
        >>> stock_converters()["AverageCutoffs.marzano_2010()"] == AverageCutoffs.marzano_2010()
        True
    """  # noqa: E501
    return {**stock_of(AverageCutoffs), **stock_of(RuleSet)}
