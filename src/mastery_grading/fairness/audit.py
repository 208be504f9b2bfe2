"""Checking and auditing policies and converters against the fairness axioms."""

from __future__ import annotations

import contextlib
import functools
import html
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from random import Random
from typing import TYPE_CHECKING, Any, Literal

import attrs

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.fairness.axioms import (
    AXIOMS,
    CONVERTER_AXIOMS,
    DEFAULT_TOLERANCE,
    Axiom,
    ConverterAxiom,
    ConverterCase,
    PolicyCase,
    claims,
)
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import hypothesis
    import pandas

__all__ = [
    "AuditReport",
    "AuditTable",
    "AxiomOutcome",
    "audit",
    "audit_table",
    "check_converter",
    "check_policy",
    "stock_converters",
]

#: What an audit is of: a policy (evidence -> result) or a grade converter (results -> letter).
Kind = Literal["policy", "converter"]


def _known(names: Iterable[str], registry: Mapping[str, Any], owner: Any) -> list[str]:
    chosen = list(names)
    unknown = [name for name in chosen if name not in registry]
    if unknown:
        msg = (
            f"axiom {unknown[0]!r} of {owner!r} is not a known axiom; "
            f"expected one of {list(registry)}"
        )
        raise InvalidValueError(msg)
    return [name for name in registry if name in chosen]  # registry order


def _settings(max_examples: int | None, **overrides: Any) -> hypothesis.settings:
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


def check_policy(
    policy: Any,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> None:
    """Assert, over generated histories, every fairness axiom ``policy`` claims.

    Runs Hypothesis over :func:`~mastery_grading.testing.strategies.policy_cases` (after the
    hand-picked :func:`~mastery_grading.testing.strategies.classic_policy_cases`) and checks
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
    from hypothesis import example, given

    from mastery_grading.testing.strategies import policy_cases

    names = _known(claims(policy) if axioms is None else axioms, AXIOMS, policy)
    if not names:
        return
    chosen = [AXIOMS[name] for name in names]
    parts = frozenset().union(*(axiom.uses for axiom in chosen))

    claimed = claims(policy)

    @_settings(max_examples)
    @given(policy_cases(scale=scale, parts=parts))
    def every_claim_holds(case: PolicyCase) -> None:
        for axiom in chosen:
            problem = axiom.check(policy, case, tolerance=tolerance)
            if problem is not None:
                raise AssertionError(_failure(policy, axiom.name, claimed, problem))

    test = every_claim_holds
    for classic in _classics(scale):
        test = example(case=classic)(test)
    _run_quietly(test)


def _failure(obj: Any, name: str, claimed: frozenset[str], problem: str) -> str:
    if name in claimed:
        return f"{_label(obj)} claims {name!r}, but {problem}"
    return f"{_label(obj)} does not satisfy {name!r}: {problem}"


def _is_converter(obj: Any) -> bool:
    """Whether ``obj`` is a grade converter (``convert``) rather than a policy (``evaluate``)."""
    return not callable(getattr(obj, "evaluate", None)) and callable(getattr(obj, "convert", None))


def _label(obj: Any) -> str:
    """A short name for messages: a policy's repr; a converter's stock or spec name.

    A converter's repr lists every cutoff or rule (hundreds of characters), so it is named by
    the call that makes it when it is a stock one (``AverageCutoffs.marzano_2010()``), else by
    its ``spec_name``, else by its repr when that is short, else by its class name.
    """
    if not _is_converter(obj):
        return repr(obj)
    for name, stock in stock_converters().items():
        if type(stock) is type(obj) and stock == obj:
            return name
    spec_name = getattr(obj, "spec_name", None)
    if isinstance(spec_name, str):
        return spec_name
    text = repr(obj)
    return text if len(text) <= 60 else type(obj).__name__


@functools.cache
def _stock() -> tuple[tuple[str, Any], ...]:
    from mastery_grading.grades import AverageCutoffs, RuleSet

    found = []
    for family in (AverageCutoffs, RuleSet):
        for name, member in vars(family).items():
            if not isinstance(member, classmethod):
                continue
            factory = getattr(family, name)
            parameters = inspect.signature(factory).parameters.values()
            if any(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters):
                continue  # from_spec(spec), first_match(*rules): not a stock table
            converter = factory()
            if isinstance(converter, family):
                found.append((f"{family.__name__}.{name}()", converter))
    return tuple(found)


def stock_converters() -> dict[str, Any]:
    """Return every stock grade converter of :mod:`mastery_grading.grades`, by the call that makes it.

    A stock converter is what a class method of a built-in converter family makes with no
    arguments: the published tables and rule sets (``AverageCutoffs.marzano_2010()``,
    ``RuleSet.sbgrader2()``, ...). Audit them all with :func:`audit_table`.

    Example:
        >>> list(stock_converters())[:2]
        ['AverageCutoffs.marzano_2010()', 'AverageCutoffs.percent()']
    """  # noqa: E501
    return dict(_stock())


def _converter_scale(converter: Any, scale: Scale | None) -> Scale | None:
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


def _run_quietly(test: Callable[[], None]) -> None:
    """Run a Hypothesis test, re-raising its failure without Hypothesis's notes."""
    try:
        test()
    except (AssertionError, ExceptionGroup) as error:
        # The message tells the counterexample in words; Hypothesis's notes repeat it as a
        # long repr of the generated case. A policy whose results change between runs on the
        # same case makes Hypothesis report a flaky group: its first assertion is the story.
        leaf = _first_assertion(error)
        if leaf is None:
            raise
        message = str(leaf)
        if leaf is not error:
            message += " (and the policy gave different results on the same case when re-run)"
        raise AssertionError(message) from None


def _first_assertion(error: BaseException) -> AssertionError | None:
    if isinstance(error, AssertionError):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _first_assertion(inner)
            if found is not None:
                return found
    return None


def check_converter(
    converter: Any,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
) -> None:
    """Assert, over generated profiles of results, every axiom a grade converter claims.

    The converter axioms are ``monotone``, ``complete`` and ``unambiguous``
    (:data:`mastery_grading.fairness.axioms.CONVERTER_AXIOMS`). The hand-picked
    :func:`~mastery_grading.testing.strategies.classic_converter_cases` are tried first, then
    :func:`~mastery_grading.testing.strategies.converter_cases`.

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
    from hypothesis import example, given

    from mastery_grading.testing.strategies import classic_converter_cases, converter_cases

    names = _known(claims(converter) if axioms is None else axioms, CONVERTER_AXIOMS, converter)
    if not names:
        return
    chosen = [CONVERTER_AXIOMS[name] for name in names]
    scale = _converter_scale(converter, scale)

    claimed = claims(converter)

    @_settings(max_examples)
    @given(converter_cases(scale=scale))
    def every_claim_holds(case: ConverterCase) -> None:
        for axiom in chosen:
            problem = axiom.check(converter, case)
            if problem is not None:
                raise AssertionError(_failure(converter, axiom.name, claimed, problem))

    test = every_claim_holds
    for classic in classic_converter_cases(scale):
        test = example(case=classic)(test)
    _run_quietly(test)


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AxiomOutcome:
    """What the audit found for one axiom.

    Args:
        axiom: The axiom's name.
        claimed: Whether the policy (or converter) claims it.
        holds: Whether every case tried satisfied it.
        tried: How many cases were tried (when violated: until the first counterexample).
        counterexample: The shrunk counterexample in words, or ``None`` when it holds.

    Example:
        >>> outcome = AxiomOutcome(axiom="order_free", claimed=True, holds=False, tried=3,
        ...                        counterexample="scores 1, 4 give 4.00; ...")
        >>> outcome.wrong_claim, outcome.verdict
        (True, 'VIOLATED (claimed)')
    """

    axiom: str
    claimed: bool
    holds: bool
    tried: int
    counterexample: str | None = None

    @property
    def wrong_claim(self) -> bool:
        """Whether the policy claims the axiom but a counterexample was found."""
        return self.claimed and not self.holds

    @property
    def verdict(self) -> str:
        """``"holds"``, ``"violated"`` or ``"VIOLATED (claimed)"``."""
        if self.holds:
            return "holds"
        return "VIOLATED (claimed)" if self.claimed else "violated"


def _policy_spec(policy: Any) -> Any:
    to_spec = getattr(policy, "to_spec", None)
    if callable(to_spec):
        try:
            return to_spec()
        except Exception:
            return repr(policy)
    return repr(policy)


def _outcomes(value: Iterable[AxiomOutcome]) -> tuple[AxiomOutcome, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AuditReport:
    """The audit of one policy, or one grade converter, against every fairness axiom.

    Renders as a text table (``str``), as HTML in a notebook, and as a dict
    (:meth:`to_dict`). Claims that are wrong are flagged (:attr:`wrong_claims`).

    Args:
        policy: The audited policy or grade converter.
        outcomes: One outcome per axiom, in the order of
            :data:`mastery_grading.fairness.axioms.AXIOMS`
            (of :data:`~mastery_grading.fairness.axioms.CONVERTER_AXIOMS` for a converter).
        max_examples: How many generated cases were tried per axiom at most.
        classics: How many hand-picked cases were tried first (``tried`` counts them too).
        kind: ``"policy"`` or ``"converter"``: which axioms were checked.

    Example:
        >>> from mastery_grading import policies
        >>> report = audit(policies.MostRecent(), max_examples=10)
        >>> report["order_free"].holds, report.wrong_claims
        (False, ())
        >>> report.to_dict()["axioms"]["order_free"]["counterexample"]
        'scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00'
    """

    policy: Any
    outcomes: tuple[AxiomOutcome, ...] = attrs.field(converter=_outcomes)
    max_examples: int
    classics: int = 0
    kind: Kind = "policy"

    def __getitem__(self, name: str) -> AxiomOutcome:
        for outcome in self.outcomes:
            if outcome.axiom == name:
                return outcome
        raise KeyError(name)

    @property
    def wrong_claims(self) -> tuple[str, ...]:
        """The axioms the policy claims but that were violated."""
        return tuple(o.axiom for o in self.outcomes if o.wrong_claim)

    @property
    def violated(self) -> tuple[str, ...]:
        """Every axiom a counterexample was found for."""
        return tuple(o.axiom for o in self.outcomes if not o.holds)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"policy": spec or repr, "axioms": {name: {"holds", "tried", "counterexample"}}}``.

        >>> from mastery_grading import policies
        >>> audit(policies.Mean(), max_examples=5).to_dict()["axioms"]["monotone"]
        {'holds': True, 'tried': 19, 'counterexample': None}
        """  # noqa: E501
        return {
            "policy": _policy_spec(self.policy),
            "axioms": {
                o.axiom: {"holds": o.holds, "tried": o.tried, "counterexample": o.counterexample}
                for o in self.outcomes
            },
        }

    def __str__(self) -> str:
        width = max((len(o.axiom) for o in self.outcomes), default=5)
        lines = [
            f"Audit of {_label(self.policy)} ({self.classics} hand-picked and up to "
            f"{self.max_examples} generated cases per axiom)",
            f"{'axiom':<{width}}  claimed  {'verdict':<18}  tried",
        ]
        for o in self.outcomes:
            claimed = "yes" if o.claimed else "no"
            lines.append(f"{o.axiom:<{width}}  {claimed:<7}  {o.verdict:<18}  {o.tried}")
        broken = [o for o in self.outcomes if not o.holds]
        if broken:
            lines.append("Counterexamples:")
            lines.extend(f"  {o.axiom}: {o.counterexample}" for o in broken)
        if self.wrong_claims:
            lines.append(f"WRONG CLAIMS: {', '.join(self.wrong_claims)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for o in self.outcomes:
            style = ' style="color:#b00;font-weight:bold"' if o.wrong_claim else ""
            rows.append(
                f"<tr{style}><td>{esc(o.axiom)}</td><td>{'yes' if o.claimed else 'no'}</td>"
                f"<td>{esc(o.verdict)}</td><td>{o.tried}</td>"
                f"<td>{esc(o.counterexample or '')}</td></tr>"
            )
        return (
            f"<table><caption>Audit of {esc(_label(self.policy))}</caption>"
            "<thead><tr><th>axiom</th><th>claimed</th><th>verdict</th><th>tried</th>"
            "<th>counterexample</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def _search_settings(max_examples: int | None) -> hypothesis.settings:
    from hypothesis import Phase

    return _settings(
        max_examples, derandomize=True, database=None, phases=[Phase.generate, Phase.shrink]
    )


@functools.lru_cache(maxsize=64)
def _sample(
    parts: frozenset[str], scale: Scale | None, max_examples: int
) -> tuple[PolicyCase, ...]:
    """The classic cases, then those a derandomized search generates, in order.

    The same for every policy, so it is computed once per configuration.
    """
    from mastery_grading.testing.strategies import policy_cases

    seen = _generated(policy_cases(scale=scale, parts=parts), max_examples)
    return (*_classics(scale), *seen)


def _generated(strategy: Any, max_examples: int | None) -> list[Any]:
    """Every example a derandomized search of ``strategy`` generates, in order."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    seen: list[Any] = []

    def keep(case: Any) -> bool:
        seen.append(case)
        return False

    with contextlib.suppress(NoSuchExample):
        find(strategy, keep, settings=_search_settings(max_examples), random=Random(0))
    return seen


def _classics(scale: Scale | None) -> tuple[PolicyCase, ...]:
    """The hand-picked cases tried first, when targets may lie on Marzano's scale."""
    from mastery_grading.testing.strategies import classic_policy_cases

    return classic_policy_cases() if scale is None or scale == Scale.marzano() else ()


def _audit_axiom(
    policy: Any, axiom: Axiom, *, max_examples: int, scale: Scale | None, tolerance: float
) -> tuple[int, str | None]:
    """Return (cases tried, shrunk counterexample or ``None``) for one axiom."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from mastery_grading.testing.strategies import policy_cases

    cases = _sample(axiom.uses, scale, max_examples)
    tried, problem = 0, None
    for case in cases:
        tried += 1
        problem = axiom.check(policy, case, tolerance=tolerance)
        if problem is not None:
            break
    if problem is None:
        return tried, None
    if tried <= len(_classics(scale)):
        return tried, problem  # a hand-picked case: already small and readable
    # The same derandomized search finds this case again, then shrinks it.
    try:
        smallest = find(
            policy_cases(scale=scale, parts=axiom.uses),
            lambda c: axiom.check(policy, c, tolerance=tolerance) is not None,
            settings=_search_settings(max_examples),
            random=Random(0),
        )
    except NoSuchExample:  # a classic case the random search does not reach: already small
        return tried, problem
    except Exception:
        return tried, problem
    return tried, axiom.check(policy, smallest, tolerance=tolerance) or problem


@functools.lru_cache(maxsize=16)
def _converter_sample(scale: Scale | None, max_examples: int) -> tuple[ConverterCase, ...]:
    """The classic profiles, then those a derandomized search generates, in order."""
    from mastery_grading.testing.strategies import classic_converter_cases, converter_cases

    seen = _generated(converter_cases(scale=scale), max_examples)
    return (*classic_converter_cases(scale), *seen)


def _audit_converter_axiom(
    converter: Any, axiom: ConverterAxiom, *, max_examples: int, scale: Scale | None
) -> tuple[int, str | None]:
    """Return (profiles tried, shrunk counterexample or ``None``) for one converter axiom."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from mastery_grading.testing.strategies import classic_converter_cases, converter_cases

    tried, problem = 0, None
    for case in _converter_sample(scale, max_examples):
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
            settings=_search_settings(max_examples),
            random=Random(0),
        )
    except NoSuchExample:  # a classic profile the random search does not reach
        return tried, problem
    except Exception:
        return tried, problem
    return tried, axiom.check(converter, smallest) or problem


def audit(
    policy: Any,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> AuditReport:
    """Check a policy or a grade converter against every fairness axiom, claimed or not.

    A policy (``evaluate``) is checked against the policy axioms
    (:data:`~mastery_grading.fairness.axioms.AXIOMS`), a grade converter (``convert``, see
    :class:`~mastery_grading.grades.GradeConverter`) against the converter axioms
    (:data:`~mastery_grading.fairness.axioms.CONVERTER_AXIOMS`). For each axiom, the hand-picked
    :func:`~mastery_grading.testing.strategies.classic_policy_cases` (or
    :func:`~mastery_grading.testing.strategies.classic_converter_cases`) are tried first,
    smallest first (a failure there is reported as is: it is small already), then a
    derandomized Hypothesis search tries up to ``max_examples`` generated cases
    (:func:`~mastery_grading.testing.strategies.policy_cases`, varying what the axiom needs, or
    :func:`~mastery_grading.testing.strategies.converter_cases`) and shrinks the first
    counterexample it finds to a minimal one. The same object and settings always give the
    same report, and the generated cases are shared (cached) between audits, so auditing many
    policies is cheap.

    Args:
        policy: Any object with ``evaluate(evidence, target)``, or a grade converter: any
            object with ``convert(results)``, ``letters`` and ``claims``.
        max_examples: Cases to try per axiom (the active Hypothesis profile's default if
            ``None``).
        axioms: Audit only these axioms (all of them by default).
        scale: Generate targets on this scale only. For a converter, by default its own
            ``scale``, else the percent scale if its ``cutoffs`` lie above 4, else Marzano's.
        tolerance: Values closer than this share of the scale's width count as equal
            (policies only: converters give letters).

    Returns:
        An :class:`AuditReport`.

    Raises:
        InvalidValueError: If a requested axiom name is unknown.
        InvalidTypeError: If ``policy`` has neither ``evaluate`` nor ``convert``.

    Example:
        >>> from mastery_grading import policies
        >>> report = audit(policies.Mean(), max_examples=10)
        >>> report.violated
        ('recency_sensitive', 'formative_neutral')
        >>> print(report["formative_neutral"].counterexample)
        score 3 gives 3.00; adding practice, as scores 0.5 (formative), 3, 4 (formative), gives 2.50

        A grade converter is audited against the converter axioms:

        >>> from mastery_grading.grades import RuleSet
        >>> report = audit(RuleSet.powerschool_forum(), max_examples=10)
        >>> report.violated, report.wrong_claims
        (('complete',), ())
        >>> print(report)  # doctest: +ELLIPSIS
        Audit of RuleSet.powerschool_forum() (11 hand-picked and up to 10 generated cases per axiom)
        axiom        claimed  verdict             tried
        monotone     no       holds               21
        complete     no       violated            7
        unambiguous  yes      holds               21
        Counterexamples:
          complete: results T1: 4, T2: 2.5 ...
    """
    count = _search_settings(max_examples).max_examples
    if _is_converter(policy):
        return _audit_converter(policy, max_examples=count, axioms=axioms, scale=scale)
    if not callable(getattr(policy, "evaluate", None)):
        msg = (
            f"policy={policy!r} has neither evaluate(evidence, target) nor convert(results); "
            "expected a policy or a grade converter"
        )
        raise InvalidTypeError(msg)
    names = list(AXIOMS) if axioms is None else _known(axioms, AXIOMS, policy)
    found = {
        name: _audit_axiom(
            policy, AXIOMS[name], max_examples=count, scale=scale, tolerance=tolerance
        )
        for name in names
    }
    return AuditReport(
        policy=policy,
        outcomes=_outcomes_of(policy, found),
        max_examples=count,
        classics=len(_classics(scale)),
    )


def _audit_converter(
    converter: Any, *, max_examples: int, axioms: Iterable[str] | None, scale: Scale | None
) -> AuditReport:
    from mastery_grading.testing.strategies import classic_converter_cases

    on = _converter_scale(converter, scale)
    registry = CONVERTER_AXIOMS
    names = list(registry) if axioms is None else _known(axioms, registry, converter)
    found = {
        name: _audit_converter_axiom(converter, registry[name], max_examples=max_examples, scale=on)
        for name in names
    }
    return AuditReport(
        policy=converter,
        outcomes=_outcomes_of(converter, found),
        max_examples=max_examples,
        classics=len(classic_converter_cases(on)),
        kind="converter",
    )


def _outcomes_of(obj: Any, found: Mapping[str, tuple[int, str | None]]) -> list[AxiomOutcome]:
    """One outcome per axiom from (cases tried, counterexample or ``None``), in order."""
    claimed = claims(obj)
    return [
        AxiomOutcome(
            axiom=name,
            claimed=name in claimed,
            holds=counterexample is None,
            tried=tried,
            counterexample=counterexample,
        )
        for name, (tried, counterexample) in found.items()
    ]


# ---------------------------------------------------------------------------------------------
# Audit table
# ---------------------------------------------------------------------------------------------


def _legend(kind: Kind) -> str:
    return (
        "yes: holds in every case tried; no: a counterexample was found; "
        f"*: the {kind} claims it (NO* is a wrong claim)"
    )


def _cell(outcome: AxiomOutcome) -> str:
    mark = "yes" if outcome.holds else ("NO" if outcome.claimed else "no")
    return f"{mark}*" if outcome.claimed else mark


def _name(policy: Any) -> str:
    if _is_converter(policy):
        return _label(policy)
    name = getattr(policy, "spec_name", None)
    return name if isinstance(name, str) else repr(policy)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _reports(value: Iterable[AuditReport]) -> tuple[AuditReport, ...]:
    return tuple(value)


def _one_kind(
    _instance: Any, attribute: attrs.Attribute[Any], value: tuple[AuditReport, ...]
) -> None:
    kinds = sorted({report.kind for report in value})
    if len(kinds) > 1:
        msg = (
            f"{attribute.name} mix the audits of policies and of grade converters, whose axioms "
            "differ; expected one kind per table (make two tables)"
        )
        raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class AuditTable:
    """Policies (or grade converters) by axioms: several audits side by side.

    Each cell is ``yes`` (holds in every case tried) or ``no`` (a counterexample was found),
    with ``*`` when the policy claims the axiom; ``NO*`` flags a wrong claim. Renders as text
    (``str``), Markdown (:meth:`to_markdown`), HTML in a notebook, plain rows
    (:meth:`records`) and a pandas DataFrame (:meth:`to_pandas`, if pandas is installed). A
    table holds audits of one kind: policies (columns from
    :data:`~mastery_grading.fairness.axioms.AXIOMS`) or converters (from
    :data:`~mastery_grading.fairness.axioms.CONVERTER_AXIOMS`, with a ``converter`` header).

    Args:
        names: One row label per policy.
        reports: One :class:`AuditReport` per policy, in the same order.

    Raises:
        InvalidValueError: If ``reports`` mix policies and converters.

    Example:
        >>> from mastery_grading import policies
        >>> table = audit_table([policies.Mean(), policies.MostRecent()], max_examples=5)
        >>> table.records()[1]["order_free"]
        'no'
        >>> table.records()[1]["recency"]
        'yes*'
    """

    names: tuple[str, ...] = attrs.field(converter=_names)
    reports: tuple[AuditReport, ...] = attrs.field(converter=_reports, validator=_one_kind)

    @property
    def kind(self) -> Kind:
        """``"policy"`` or ``"converter"``: what the rows are (``"policy"`` when empty)."""
        return self.reports[0].kind if self.reports else "policy"

    @property
    def axioms(self) -> tuple[str, ...]:
        """The axiom names, the table's columns (every axiom some report covers)."""
        registry: Mapping[str, Any] = CONVERTER_AXIOMS if self.kind == "converter" else AXIOMS
        if not self.reports:
            return tuple(registry)
        audited = {o.axiom for report in self.reports for o in report.outcomes}
        return tuple(name for name in registry if name in audited)

    @property
    def wrong_claims(self) -> dict[str, tuple[str, ...]]:
        """Wrong claims by policy name (only policies that have some)."""
        return {
            n: r.wrong_claims
            for n, r in zip(self.names, self.reports, strict=True)
            if r.wrong_claims
        }

    def records(self) -> list[dict[str, str]]:
        """One dict per row: ``{"policy": name, <axiom>: cell, ...}`` (for converters too)."""
        rows = []
        for name, report in zip(self.names, self.reports, strict=True):
            cells = {o.axiom: _cell(o) for o in report.outcomes}
            rows.append({"policy": name, **{axiom: cells.get(axiom, "") for axiom in self.axioms}})
        return rows

    def counterexamples(self) -> list[tuple[str, str, str]]:
        """``(policy, axiom, counterexample)`` for every violation, in table order."""
        return [
            (name, o.axiom, o.counterexample or "")
            for name, report in zip(self.names, self.reports, strict=True)
            for o in report.outcomes
            if not o.holds
        ]

    def _grid(self) -> tuple[list[str], list[list[str]]]:
        columns = ["policy", *self.axioms]
        rows = [[rec[column] for column in columns] for rec in self.records()]
        return [self.kind, *self.axioms], rows

    def __str__(self) -> str:
        header, rows = self._grid()
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            for row in [header, *rows]
        ]
        return "\n".join([*(line.rstrip() for line in lines), _legend(self.kind)])

    def to_markdown(self) -> str:
        """Return the table in Markdown (GitHub and MyST pipe tables), with its legend."""
        header, rows = self._grid()
        lines = [
            "| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |",
            "|" + "|".join([" --- "] + [" :-: "] * (len(header) - 1)) + "|",
        ]
        lines.extend("| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows)
        return "\n".join([*lines, "", _legend(self.kind).replace("*", "\\*"), ""])

    def _repr_html_(self) -> str:
        esc = html.escape
        header = "".join(f"<th>{esc(h)}</th>" for h in [self.kind, *self.axioms])
        body = []
        for name, report in zip(self.names, self.reports, strict=True):
            cells = [f"<th>{esc(name)}</th>"]
            by_axiom = {o.axiom: o for o in report.outcomes}
            for axiom in self.axioms:
                o = by_axiom.get(axiom)
                if o is None:
                    cells.append("<td></td>")
                    continue
                title = f' title="{esc(o.counterexample)}"' if o.counterexample else ""
                style = ' style="color:#b00;font-weight:bold"' if o.wrong_claim else ""
                cells.append(f"<td{title}{style}>{esc(_cell(o))}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        return (
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p>{esc(_legend(self.kind))}</p>"
        )

    def to_pandas(self) -> pandas.DataFrame:
        """Return the table as a DataFrame indexed by policy (needs pandas).

        Raises:
            ImportError: If pandas is not installed.
        """
        import pandas as pd

        return pd.DataFrame.from_records(self.records()).set_index("policy")


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("*", "\\*")


def audit_table(
    policies: Mapping[str, Any] | Sequence[Any],
    *,
    max_examples: int | None = None,
    scale: Scale | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> AuditTable:
    """Audit several policies, or several grade converters, and put the results side by side.

    Args:
        policies: A mapping from row label to policy (such as
            :func:`~mastery_grading.policies.available_policies`) or to grade converter (such
            as :func:`stock_converters`), or policies labelled by their ``spec_name`` (or
            repr), or converters labelled by their stock or spec name.
        max_examples: Cases to try per axiom and policy.
        scale: Generate targets on this scale only (for converters, by default each one's
            own scale, as in :func:`audit`).
        tolerance: Values closer than this share of the scale's width count as equal.

    Raises:
        InvalidValueError: If ``policies`` mix policies and grade converters (their axioms
            differ: make two tables).

    Example:
        >>> from mastery_grading import policies
        >>> print(audit_table({"mean": policies.Mean()}, max_examples=5))
        ... # doctest: +ELLIPSIS
        policy  bounded  within_observed_range  unanimity  monotone  ...  formative_neutral ...
        mean    yes*     yes*                   yes*       yes*      ...  no  ...
        ...
        >>> from mastery_grading.grades import AverageCutoffs
        >>> print(audit_table([AverageCutoffs.marzano_2010()], max_examples=5))
        converter                      monotone  complete  unambiguous
        AverageCutoffs.marzano_2010()  yes*      yes*      yes*
        yes: holds in every case tried; no: a counterexample was found; *: the converter claims it (NO* is a wrong claim)
    """  # noqa: E501
    if isinstance(policies, Mapping):
        pairs = list(policies.items())
    else:
        pairs = [(_name(policy), policy) for policy in policies]
    if len({_is_converter(policy) for _, policy in pairs}) > 1:
        msg = (
            "policies mix policies and grade converters, whose axioms differ; expected one kind "
            "per table (make two tables)"
        )
        raise InvalidValueError(msg)
    reports = [
        audit(policy, max_examples=max_examples, scale=scale, tolerance=tolerance)
        for _, policy in pairs
    ]
    return AuditTable(names=[name for name, _ in pairs], reports=reports)
