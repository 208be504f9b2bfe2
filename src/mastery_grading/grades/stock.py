"""The stock grade converters: the published tables and rule sets, by the call that makes them."""

from __future__ import annotations

from mastery_grading._registry import presets_of
from mastery_grading.grades._spec import CONVERTERS

# Imported for their registration in CONVERTERS: every built-in converter family.
from mastery_grading.grades.cutoffs import AverageCutoffs
from mastery_grading.grades.ruleset import RuleSet
from mastery_grading.protocols import GradeConverter

__all__ = ["stock_converters"]

#: The built-in converter families, in spec-name order.
FAMILIES = (AverageCutoffs, RuleSet)


def _stock() -> tuple[tuple[str, GradeConverter], ...]:
    return tuple(item for family in CONVERTERS.classes().values() for item in presets_of(family))


def stock_converters() -> dict[str, GradeConverter]:
    """Return every stock grade converter, by the call that makes it.

    A stock converter is what a class method of a built-in converter family (every class in
    the converter registry) makes with no arguments: the published tables and rule sets
    (``AverageCutoffs.marzano_2010()``, ``RuleSet.sbgrader2()``, ...). It is the one list of
    them that the audit (:func:`mastery_grading.testing.audit_table`), the docs and the tests
    share.

    Example:
        >>> from mastery_grading.grades import stock_converters
        >>> list(stock_converters())
        ['AverageCutoffs.marzano_2010()', 'AverageCutoffs.percent()', 'AverageCutoffs.rutland()', 'RuleSet.sbgrader2()', 'RuleSet.powerschool_forum()', 'RuleSet.talbert_mth201()']
    """  # noqa: E501
    return dict(_stock())
