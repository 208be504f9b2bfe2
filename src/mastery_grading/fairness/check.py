"""Assert a policy's or a grade converter's claims over generated cases (needs Hypothesis).

:func:`check_policy` and :func:`check_converter` are for test suites: they raise an
``AssertionError`` telling a shrunk counterexample in words when a claim is wrong. The same
functions are :func:`mastery_grading.testing.check_policy` and
:func:`mastery_grading.testing.check_converter`.

Example:
    >>> from mastery_grading import policies
    >>> check_policy(policies.Highest(), max_examples=5)
"""

from __future__ import annotations

from collections.abc import Iterable

from mastery_grading._extras import require
from mastery_grading.fairness._common import DEFAULT_TOLERANCE
from mastery_grading.fairness._search import (
    classics,
    converter_scale,
    failure,
    known,
    run_quietly,
    settings_for,
)
from mastery_grading.fairness.axioms import AXIOMS, CONVERTER_AXIOMS, claims
from mastery_grading.fairness.cases import ConverterCase, PolicyCase, classic_converter_cases
from mastery_grading.fairness.converter_axioms import LetterConverter
from mastery_grading.protocols import Policy
from mastery_grading.scales import Scale

__all__ = ["check_converter", "check_policy"]


def check_policy(
    policy: Policy,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Assert, over generated histories, every fairness axiom ``policy`` claims.

    Runs Hypothesis over :func:`~mastery_grading.fairness.generate.policy_cases` (after the
    hand-picked :func:`~mastery_grading.fairness.cases.classic_policy_cases`) and checks
    each claimed axiom on every case. Call it in your own test suite for your own policy. The number
    of cases and the randomness follow the active Hypothesis profile (``HYPOTHESIS_PROFILE``)
    unless ``max_examples`` is given.

    Args:
        policy: Any object with ``evaluate(evidence, target)``; its claims come from
            :func:`mastery_grading.fairness.axioms.claims`.
        max_examples: How many cases to try (the profile's default if ``None``).
        axioms: Check these axioms instead of the claimed ones.
        scale: Generate targets on this scale only (default: Marzano's, percent and random
            scales).
        tolerance: Values closer than this share of the scale's width count as equal.

    Raises:
        AssertionError: With a shrunk counterexample in words, when a claim is wrong.
        InvalidValueError: If a claimed or requested axiom name is unknown.

    Example:
        >>> from mastery_grading import policies
        >>> check_policy(policies.Mean(), max_examples=10)
        >>> check_policy(policies.MostRecent(), axioms=["order_free"], max_examples=10)
        Traceback (most recent call last):
        ...
        AssertionError: MostRecent() does not satisfy 'order_free': scores ... give ...; the same scores in the order ... give ...
    """  # noqa: E501
    require("hypothesis", extra="fairness", feature="check_policy()")
    from hypothesis import example, given

    from mastery_grading.fairness.generate import policy_cases

    names = known(claims(policy) if axioms is None else axioms, AXIOMS, policy)
    if not names:
        return
    chosen = [AXIOMS[name] for name in names]
    parts = frozenset().union(*(axiom.uses for axiom in chosen))

    claimed = claims(policy)

    @settings_for(max_examples)
    @given(policy_cases(scale=scale, parts=parts))
    def every_claim_holds(case: PolicyCase) -> None:
        for axiom in chosen:
            problem = axiom.check(policy, case, tolerance=tolerance)
            if problem is not None:
                raise AssertionError(failure(policy, axiom.name, claimed, problem))

    test = every_claim_holds
    for classic in classics(scale):
        test = example(case=classic)(test)
    run_quietly(test)


def check_converter(
    converter: LetterConverter,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
) -> None:
    """Assert, over generated profiles of results, every axiom a grade converter claims.

    The converter axioms are ``monotone``, ``complete`` and ``unambiguous``
    (:data:`mastery_grading.fairness.axioms.CONVERTER_AXIOMS`). The hand-picked
    :func:`~mastery_grading.fairness.cases.classic_converter_cases` are tried first, then
    :func:`~mastery_grading.fairness.generate.converter_cases`.

    Args:
        converter: Any object with ``convert(results)`` returning a report with a ``letter``,
            ``letters`` (best first) and ``claims``.
        max_examples: How many profiles to try (the profile's default if ``None``).
        axioms: Check these axioms instead of the claimed ones.
        scale: The scale of the generated targets: by default the converter's own ``scale``
            if it has one, else the percent scale if its ``cutoffs`` lie above 4 (as in
            ``AverageCutoffs.percent()``), else Marzano's.

    Raises:
        AssertionError: With a shrunk counterexample in words, when a claim is wrong.
        InvalidValueError: If a claimed or requested axiom name is unknown.

    Example:
        >>> import attrs
        >>> @attrs.frozen
        ... class MasteredOrNot:
        ...     letters = ("M", "NY")
        ...     claims = frozenset({"monotone", "complete", "unambiguous"})
        ...     def convert(self, results):
        ...         return "M" if all(r.mastered for r in results) else "NY"
        >>> check_converter(MasteredOrNot(), max_examples=10)
    """
    require("hypothesis", extra="fairness", feature="check_converter()")
    from hypothesis import example, given

    from mastery_grading.fairness.generate import converter_cases

    names = known(claims(converter) if axioms is None else axioms, CONVERTER_AXIOMS, converter)
    if not names:
        return
    chosen = [CONVERTER_AXIOMS[name] for name in names]
    scale = converter_scale(converter, scale)

    claimed = claims(converter)

    @settings_for(max_examples)
    @given(converter_cases(scale=scale))
    def every_claim_holds(case: ConverterCase) -> None:
        for axiom in chosen:
            problem = axiom.check(converter, case)
            if problem is not None:
                raise AssertionError(failure(converter, axiom.name, claimed, problem))

    test = every_claim_holds
    for classic in classic_converter_cases(scale):
        test = example(case=classic)(test)
    run_quietly(test)
