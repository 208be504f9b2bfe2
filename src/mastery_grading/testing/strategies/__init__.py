"""Typed Hypothesis strategies for scales, targets, scores, evidence histories and policies.

Every strategy returns a :class:`hypothesis.strategies.SearchStrategy` and shrinks toward
small, simple values: short histories, low scores, the Marzano scale. The names live in:

- :mod:`~mastery_grading.testing.strategies.values`: scales, targets, scores, evidence,
  histories and whole classes;
- :mod:`~mastery_grading.testing.strategies.params`: every registered policy with generated
  parameters, derived from its fields (:func:`policies`, :func:`policy_named`);
- :mod:`~mastery_grading.testing.strategies.grades`: result profiles and grade converters;
- the fairness cases (:func:`policy_cases`, :func:`converter_cases` and the hand-picked
  :func:`classic_policy_cases`, :func:`classic_converter_cases`), which live in
  :mod:`mastery_grading.fairness.generate` and :mod:`mastery_grading.fairness.cases`.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.testing import strategies as mst
    >>> @given(mst.scales())
    ... def test_scale_has_a_level_everywhere(scale):
    ...     assert scale.level_of(scale.min) is scale.levels[0]
    >>> test_scale_has_a_level_everywhere()
"""

from typing import TYPE_CHECKING

from mastery_grading._extras import require

if not TYPE_CHECKING:  # before the modules below, so that the error names this package
    require("hypothesis", extra="fairness", feature="mastery_grading.testing.strategies")

from mastery_grading.fairness.cases import (
    CASE_PARTS,
    classic_converter_cases,
    classic_policy_cases,
)
from mastery_grading.fairness.generate import MAX_CASE_HISTORY, converter_cases, policy_cases
from mastery_grading.testing.strategies.grades import (
    average_cutoffs,
    converters,
    raised_profiles,
    result_profiles,
    rule_sets,
)
from mastery_grading.testing.strategies.params import (
    CONTEXTS,
    POLICY_NAMES,
    policies,
    policy_named,
    policy_strategy,
)
from mastery_grading.testing.strategies.values import (
    EPOCH,
    class_evidence,
    custom_scales,
    evidence,
    gradebook_evidence,
    histories,
    history_for,
    ids,
    scales,
    scores,
    targets,
    timestamps,
)

__all__ = [
    "CASE_PARTS",
    "CONTEXTS",
    "EPOCH",
    "MAX_CASE_HISTORY",
    "POLICY_NAMES",
    "average_cutoffs",
    "class_evidence",
    "classic_converter_cases",
    "classic_policy_cases",
    "converter_cases",
    "converters",
    "custom_scales",
    "evidence",
    "gradebook_evidence",
    "histories",
    "history_for",
    "ids",
    "policies",
    "policy_cases",
    "policy_named",
    "policy_strategy",
    "raised_profiles",
    "result_profiles",
    "rule_sets",
    "scales",
    "scores",
    "targets",
    "timestamps",
]
