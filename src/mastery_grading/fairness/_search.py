"""The search behind checks and audits: settings, the cases tried, shrinking, names in messages.

A private module of :mod:`mastery_grading.fairness`, shared by
:mod:`~mastery_grading.fairness.check` and :mod:`~mastery_grading.fairness.audit`. Hypothesis and
:mod:`mastery_grading.fairness.generate` are imported inside the functions that search, so that
importing the audit's values needs no Hypothesis.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Mapping
from random import Random
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from mastery_grading._extras import require
from mastery_grading._registry import presets_of
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.fairness.cases import (
    ConverterCase,
    PolicyCase,
    classic_converter_cases,
    classic_policy_cases,
)
from mastery_grading.fairness.converter_axioms import ConverterAxiom, LetterConverter
from mastery_grading.fairness.policy_axioms import Axiom
from mastery_grading.protocols import Claim, Policy
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import hypothesis

#: What an audit is of: a policy (evidence -> result) or a grade converter (results -> letter).
Kind = Literal["policy", "converter"]


def known(names: Iterable[str], registry: Mapping[Claim, Any], owner: object) -> list[Claim]:
    """The axiom names among ``names``, in registry order; an unknown name is refused."""
    chosen = list(names)
    unknown = [name for name in chosen if name not in registry]
    if unknown:
        msg = (
            f"axiom {unknown[0]!r} of {owner!r} is not a known axiom; "
            f"expected one of {list(registry)}"
        )
        raise InvalidValueError(msg)
    return [name for name in registry if name in chosen]  # registry order


def settings_for(max_examples: int | None, **overrides: Any) -> hypothesis.settings:
    require("hypothesis", extra="fairness", feature="the fairness audit")
    from hypothesis import HealthCheck, Phase, settings

    current = settings()
    count = max_examples if max_examples is not None else current.max_examples
    # The explain phase traces coverage, which is slow, and the message already explains.
    phases = [phase for phase in current.phases if phase is not Phase.explain]
    options: dict[str, Any] = {
        "max_examples": count,
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
        "phases": phases,
        **overrides,
    }
    return settings(**options)


def failure(obj: Any, name: str, claimed: frozenset[str], problem: str) -> str:
    if name in claimed:
        return f"{label(obj)} claims {name!r}, but {problem}"
    return f"{label(obj)} does not satisfy {name!r}: {problem}"


def is_converter(obj: object) -> TypeGuard[LetterConverter]:
    """Whether ``obj`` is a grade converter (``convert``) rather than a policy (``evaluate``)."""
    return not callable(getattr(obj, "evaluate", None)) and callable(getattr(obj, "convert", None))


def label(obj: object) -> str:
    """A short name for messages: a policy's repr; a converter's stock or spec name.

    A converter's repr lists every cutoff or rule (hundreds of characters), so it is named by
    the call that makes it when it is a stock one (``AverageCutoffs.marzano_2010()``, see
    :func:`stock_of`), else by its ``spec_name``, else by its repr when that is short, else by
    its class name.
    """
    if not is_converter(obj):
        return repr(obj)
    for name, stock in stock_of(type(obj)).items():
        if type(stock) is type(obj) and stock == obj:
            return name
    spec_name = getattr(obj, "spec_name", None)
    if isinstance(spec_name, str):
        return spec_name
    text = repr(obj)
    return text if len(text) <= 60 else type(obj).__name__


def stock_of(family: type) -> dict[str, Any]:
    """Return what each class method of ``family`` makes with no arguments, by that call.

    These are a converter family's stock tables (``AverageCutoffs.marzano_2010()``, ...);
    reports name a converter equal to one of them by its call.

    Example:
        >>> from mastery_grading.grades import RuleSet
        >>> list(stock_of(RuleSet))[:1]
        ['RuleSet.sbgrader2()']
    """
    return dict(presets_of(family))


def converter_scale(converter: object, scale: Scale | None) -> Scale | None:
    """The scale of the profiles to generate for ``converter`` (``None``: Marzano's).

    ``scale`` if given, else the converter's own ``scale``, else the percent scale when its
    ``cutoffs`` lie above Marzano's 0-4 (as in ``AverageCutoffs.percent()``).
    """
    if scale is not None:
        return scale
    own = getattr(converter, "scale", None)
    if isinstance(own, Scale):
        return own
    lowers = [getattr(item, "lower", None) for item in getattr(converter, "cutoffs", ())]
    numbers = [x for x in lowers if isinstance(x, int | float)]
    percent = Scale.percent()
    if numbers and Scale.marzano().max < max(numbers) <= percent.max:
        return percent
    return None


def run_quietly(test: Callable[[], None]) -> None:
    """Run a Hypothesis test, re-raising its failure without Hypothesis's notes."""
    try:
        test()
    except (AssertionError, ExceptionGroup) as error:
        # The message tells the counterexample in words; Hypothesis's notes repeat it as a
        # long repr of the generated case. A policy whose results change between runs on the
        # same case makes Hypothesis report a flaky group: its first assertion is the story.
        leaf = first_assertion(error)
        if leaf is None:
            raise
        message = str(leaf)
        if leaf is not error:
            message += " (and the policy gave different results on the same case when re-run)"
        raise AssertionError(message) from None


def first_assertion(error: BaseException) -> AssertionError | None:
    if isinstance(error, AssertionError):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = first_assertion(inner)
            if found is not None:
                return found
    return None


def search_settings(max_examples: int | None) -> hypothesis.settings:
    require("hypothesis", extra="fairness", feature="the fairness audit")
    from hypothesis import Phase

    return settings_for(
        max_examples, derandomize=True, database=None, phases=[Phase.generate, Phase.shrink]
    )


@functools.lru_cache(maxsize=64)
def policy_sample(
    parts: frozenset[str], scale: Scale | None, max_examples: int
) -> tuple[PolicyCase, ...]:
    """The classic cases, then those a derandomized search generates, in order.

    The same for every policy, so it is computed once per configuration.
    """
    from mastery_grading.fairness.generate import policy_cases

    seen = generated(policy_cases(scale=scale, parts=parts), max_examples)
    return (*classics(scale), *seen)


def generated(strategy: Any, max_examples: int | None) -> list[Any]:
    """Every example a derandomized search of ``strategy`` generates, in order."""
    require("hypothesis", extra="fairness", feature="the fairness audit")
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    seen: list[Any] = []

    def keep(case: Any) -> bool:
        seen.append(case)
        return False

    with contextlib.suppress(NoSuchExample):
        find(strategy, keep, settings=search_settings(max_examples), random=Random(0))
    return seen


def classics(scale: Scale | None) -> tuple[PolicyCase, ...]:
    """The hand-picked cases tried first, when targets may lie on Marzano's scale."""
    return classic_policy_cases() if scale is None or scale == Scale.marzano() else ()


def audit_axiom(
    policy: Policy, axiom: Axiom, *, max_examples: int, scale: Scale | None, tolerance: float
) -> tuple[int, str | None]:
    """Return (cases tried, shrunk counterexample or ``None``) for one axiom."""
    require("hypothesis", extra="fairness", feature="the fairness audit")
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from mastery_grading.fairness.generate import policy_cases

    cases = policy_sample(axiom.uses, scale, max_examples)
    tried, problem = 0, None
    for case in cases:
        tried += 1
        problem = axiom.check(policy, case, tolerance=tolerance)
        if problem is not None:
            break
    if problem is None:
        return tried, None
    if tried <= len(classics(scale)):
        return tried, problem  # a hand-picked case: already small and readable
    # The same derandomized search finds this case again, then shrinks it.
    try:
        smallest = find(
            policy_cases(scale=scale, parts=axiom.uses),
            lambda c: axiom.check(policy, c, tolerance=tolerance) is not None,
            settings=search_settings(max_examples),
            random=Random(0),
        )
    except NoSuchExample:  # a classic case the random search does not reach: already small
        return tried, problem
    except Exception:
        return tried, problem
    return tried, axiom.check(policy, smallest, tolerance=tolerance) or problem


@functools.lru_cache(maxsize=16)
def converter_sample(scale: Scale | None, max_examples: int) -> tuple[ConverterCase, ...]:
    """The classic profiles, then those a derandomized search generates, in order."""
    from mastery_grading.fairness.generate import converter_cases

    seen = generated(converter_cases(scale=scale), max_examples)
    return (*classic_converter_cases(scale), *seen)


def audit_converter_axiom(
    converter: LetterConverter, axiom: ConverterAxiom, *, max_examples: int, scale: Scale | None
) -> tuple[int, str | None]:
    """Return (profiles tried, shrunk counterexample or ``None``) for one converter axiom."""
    require("hypothesis", extra="fairness", feature="the fairness audit")
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from mastery_grading.fairness.generate import converter_cases

    tried, problem = 0, None
    for case in converter_sample(scale, max_examples):
        tried += 1
        problem = axiom.check(converter, case)
        if problem is not None:
            break
    if problem is None or tried <= len(classic_converter_cases(scale)):
        return tried, problem
    try:
        smallest = find(
            converter_cases(scale=scale),
            lambda c: axiom.check(converter, c) is not None,
            settings=search_settings(max_examples),
            random=Random(0),
        )
    except NoSuchExample:  # a classic profile the random search does not reach
        return tried, problem
    except Exception:
        return tried, problem
    return tried, axiom.check(converter, smallest) or problem
