"""The audit: check a policy or a grade converter against every fairness axiom, claimed or not.

:func:`audit` gives an :class:`AuditReport` (one :class:`AxiomOutcome` per axiom, with shrunk
counterexamples in words); :func:`audit_table` puts several side by side (:class:`AuditTable`).
They search generated cases with Hypothesis (the ``fairness`` extra), imported when an audit runs;
the values themselves, and their rendering (:mod:`mastery_grading.fairness.render`), need no
Hypothesis. :mod:`mastery_grading.testing` re-exports these names.

Example:
    >>> from mastery_grading import policies
    >>> audit(policies.MostRecent(), axioms=["order_free"], max_examples=5).violated
    ('order_free',)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.fairness import render
from mastery_grading.fairness._common import DEFAULT_TOLERANCE
from mastery_grading.fairness._search import (
    Kind,
    audit_axiom,
    audit_converter_axiom,
    classics,
    converter_scale,
    is_converter,
    known,
    search_settings,
    stock_of,
)
from mastery_grading.fairness.axioms import (
    AXIOMS,
    CONVERTER_AXIOMS,
    Axiom,
    ConverterAxiom,
    claims,
)
from mastery_grading.fairness.cases import classic_converter_cases
from mastery_grading.fairness.converter_axioms import LetterConverter
from mastery_grading.fairness.next_score import promises_next_score, report_note, table_note
from mastery_grading.fairness.outcome import AxiomOutcome, display_name
from mastery_grading.protocols import Claim, Policy
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import pandas

__all__ = [
    "AuditReport",
    "AuditTable",
    "AxiomOutcome",
    "Kind",
    "audit",
    "audit_table",
    "display_name",
    "stock_of",
]


def _policy_spec(policy: Any) -> Any:
    to_spec = getattr(policy, "to_spec", None)
    if callable(to_spec):
        try:
            return to_spec()
        except Exception:
            return display_name(policy)
    return display_name(policy)


def _outcomes(value: Iterable[AxiomOutcome]) -> tuple[AxiomOutcome, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AuditReport:
    """The audit of one policy, or one grade converter, against every fairness axiom.

    Renders as a text table (``str``), Markdown (:meth:`to_markdown`), HTML in a notebook or
    as a page (:meth:`to_html`, styled like the progress report), and as a dict
    (:meth:`to_dict`). The header names the policy as a teacher would (:attr:`name`), each
    axiom is shown with its plain summary, and each outcome is "keeps", "breaks
    (counterexample)" or "not claimed" (see :class:`AxiomOutcome`). Claims that are wrong are
    flagged (:attr:`wrong_claims`).

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
        >>> report["order_free"].holds, report["order_free"].verdict, report.wrong_claims
        (False, 'not claimed', ())
        >>> report.name, report.breaks
        ('most_recent', ())
        >>> report.to_dict()["axioms"]["order_free"]["counterexample"]
        'scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00'
    """

    policy: Policy | LetterConverter
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
    def name(self) -> str:
        """The audited policy's name, as the header shows it.

        See :func:`~mastery_grading.fairness.outcome.display_name`.
        """
        return display_name(self.policy)

    @property
    def wrong_claims(self) -> tuple[str, ...]:
        """The axioms the policy claims but that a counterexample was found for."""
        return tuple(o.axiom for o in self.outcomes if o.wrong_claim)

    @property
    def note(self) -> str | None:
        """What the audit says of a student's next score (a policy's), from its claims.

        See :mod:`mastery_grading.fairness.next_score`; ``None`` for a converter.

        Example:
            >>> from mastery_grading import policies
            >>> audit(policies.Mode(), axioms=[]).note.startswith("Next score (mastery_grading")
            True
        """
        return report_note(self.policy) if self.kind == "policy" else None

    @property
    def violated(self) -> tuple[str, ...]:
        """Every axiom a counterexample was found for (including those "not claimed")."""
        return tuple(o.axiom for o in self.outcomes if not o.holds)

    @property
    def breaks(self) -> tuple[str, ...]:
        """The axioms whose outcome is "breaks" (claimed, or needed by every rule)."""
        return tuple(o.axiom for o in self.outcomes if o.outcome == render.BREAKS)

    def to_dict(self) -> dict[str, Any]:
        """Return the audit as plain data, for JSON.

        ``{"name": ..., "policy": spec (or name), "axioms": {axiom: {"summary", "claimed",
        "outcome", "holds", "tried", "counterexample"}}}``, where ``outcome`` is ``"keeps"``,
        ``"breaks"`` or ``"not claimed"``; for a policy also ``"next_score": {"promised",
        "note"}`` (whether any score above the one :func:`~mastery_grading.needed` gives
        reaches the level too, from the claims).

        >>> from mastery_grading import policies
        >>> audit(policies.Mean(), max_examples=5).to_dict()["axioms"]["monotone"]
        {'summary': 'Raising any one score never lowers the result.', 'claimed': True, 'outcome': 'keeps', 'holds': True, 'tried': 19, 'counterexample': None}
        """  # noqa: E501
        extra: dict[str, Any] = {}
        if self.note is not None:
            extra["next_score"] = {"promised": promises_next_score(self.policy), "note": self.note}
        return {
            "name": self.name,
            "policy": _policy_spec(self.policy),
            **extra,
            "axioms": {
                o.axiom: {
                    "summary": o.summary,
                    "claimed": o.claimed,
                    "outcome": o.outcome,
                    "holds": o.holds,
                    "tried": o.tried,
                    "counterexample": o.counterexample,
                }
                for o in self.outcomes
            },
        }

    def __str__(self) -> str:
        return render.report_text(
            self.name,
            self.outcomes,
            classics=self.classics,
            max_examples=self.max_examples,
            note=self.note,
        )

    def to_markdown(self) -> str:
        """Return the audit in Markdown: a table of axioms, then the counterexamples.

        Example:
            >>> from mastery_grading import policies
            >>> text = audit(policies.Mean(), axioms=["monotone"], max_examples=5).to_markdown()
            >>> print(text.splitlines()[4])
            | `monotone` | Raising any one score never lowers the result. | yes | keeps | 19 |
        """
        return render.report_markdown(
            self.name,
            self.outcomes,
            classics=self.classics,
            max_examples=self.max_examples,
            note=self.note,
        )

    def _repr_html_(self) -> str:
        return render.report_html(
            self.name,
            self.outcomes,
            classics=self.classics,
            max_examples=self.max_examples,
            kind=self.kind,
            note=self.note,
        )

    def to_html(self) -> str:
        """Return the audit as a self-contained HTML page, styled like the progress report.

        Example:
            >>> from mastery_grading import policies
            >>> page = audit(policies.Mean(), axioms=["monotone"], max_examples=5).to_html()
            >>> "<title>Audit of mean</title>" in page, 'class="badge keeps"' in page
            (True, True)
        """
        return render.page_html(f"Audit of {self.name}", self._repr_html_(), heading=False)


def audit(
    policy: Policy | LetterConverter,
    *,
    max_examples: int | None = None,
    axioms: Iterable[str] | None = None,
    scale: Scale | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> AuditReport:
    """Check a policy or a grade converter against every fairness axiom, claimed or not.

    A policy (``evaluate``) is checked against the policy axioms
    (:data:`~mastery_grading.fairness.axioms.AXIOMS`), a grade converter (``convert``, see
    :class:`~mastery_grading.protocols.GradeConverter`) against the converter axioms
    (:data:`~mastery_grading.fairness.axioms.CONVERTER_AXIOMS`). For each axiom, the hand-picked
    :func:`~mastery_grading.fairness.cases.classic_policy_cases` (or
    :func:`~mastery_grading.fairness.cases.classic_converter_cases`) are tried first,
    smallest first (a failure there is reported as is: it is small already), then a
    derandomized Hypothesis search tries up to ``max_examples`` generated cases
    (:func:`~mastery_grading.fairness.generate.policy_cases`, varying what the axiom needs, or
    :func:`~mastery_grading.fairness.generate.converter_cases`) and shrinks the first
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
        ('recency_sensitive', 'formative_neutral', 'correct_never_lowers')
        >>> report["formative_neutral"].verdict  # a choice: a mean counts practice
        'not claimed'
        >>> print(report["formative_neutral"].counterexample)
        score 3 gives 3.00; adding practice, as scores 0.5 (formative), 3, 4 (formative), gives 2.50

        A grade converter is audited against the converter axioms:

        >>> from mastery_grading.grades import RuleSet
        >>> report = audit(RuleSet.powerschool_forum(), max_examples=10)
        >>> report.violated, report.wrong_claims
        (('complete',), ())
        >>> print(report)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Audit of RuleSet.powerschool_forum() (11 hand-picked and up to 10 generated cases per axiom)
        axiom        claimed  outcome                  tried  what it means
        monotone     no       keeps                    21     Raising a result on one target never lowers the letter.
        complete     no       breaks (counterexample)  7      Every combination of results gets a letter.
        unambiguous  yes      keeps                    21     The same results always get the same single letter, whatever their order.
        Counterexamples:
          complete: results T1: 4, T2: 2.5 ...
    """  # noqa: E501
    count = search_settings(max_examples).max_examples
    if is_converter(policy):
        return _audit_converter(policy, max_examples=count, axioms=axioms, scale=scale)
    if not isinstance(policy, Policy) or not callable(getattr(policy, "evaluate", None)):
        msg = (
            f"policy={policy!r} has neither evaluate(evidence, target) nor convert(results); "
            "expected a policy or a grade converter"
        )
        raise InvalidTypeError(msg)
    names = list(AXIOMS) if axioms is None else known(axioms, AXIOMS, policy)
    found = {
        name: audit_axiom(
            policy, AXIOMS[name], max_examples=count, scale=scale, tolerance=tolerance
        )
        for name in names
    }
    return AuditReport(
        policy=policy,
        outcomes=_outcomes_of(policy, found, AXIOMS),
        max_examples=count,
        classics=len(classics(scale)),
    )


def _audit_converter(
    converter: LetterConverter,
    *,
    max_examples: int,
    axioms: Iterable[str] | None,
    scale: Scale | None,
) -> AuditReport:
    on = converter_scale(converter, scale)
    registry = CONVERTER_AXIOMS
    names = list(registry) if axioms is None else known(axioms, registry, converter)
    found = {
        name: audit_converter_axiom(converter, registry[name], max_examples=max_examples, scale=on)
        for name in names
    }
    return AuditReport(
        policy=converter,
        outcomes=_outcomes_of(converter, found, registry),
        max_examples=max_examples,
        classics=len(classic_converter_cases(on)),
        kind="converter",
    )


def _outcomes_of(
    obj: Any,
    found: Mapping[Claim, tuple[int, str | None]],
    registry: Mapping[Claim, Axiom | ConverterAxiom],
) -> list[AxiomOutcome]:
    """One outcome per axiom from (cases tried, counterexample or ``None``), in order."""
    claimed = claims(obj)
    return [
        AxiomOutcome(
            axiom=name,
            claimed=name in claimed,
            holds=counterexample is None,
            tried=tried,
            counterexample=counterexample,
            summary=registry[name].summary,
            needed=registry[name].needed,
        )
        for name, (tried, counterexample) in found.items()
    ]


# ---------------------------------------------------------------------------------------------
# Audit table
# ---------------------------------------------------------------------------------------------


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

    Each cell is an outcome (see :class:`AxiomOutcome`): ``keeps`` (holds in every case
    tried), ``breaks`` (a counterexample was found) or ``not claimed`` (a choice the policy
    need not make, such as ``order_free`` for a recency rule), with ``*`` when the policy
    claims the axiom; ``BREAKS*`` flags a wrong claim. Renders as text (``str``), Markdown
    (:meth:`to_markdown`), HTML in a notebook or as a page (:meth:`to_html`), each with what
    every axiom means and every counterexample, as plain rows (:meth:`records`) and as a
    pandas DataFrame (:meth:`to_pandas`, if pandas is installed). A
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
        'not claimed'
        >>> table.records()[1]["recency"]
        'keeps*'
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
        registry: Mapping[Claim, object] = CONVERTER_AXIOMS if self.kind == "converter" else AXIOMS
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
            cells = {o.axiom: render.cell(o) for o in report.outcomes}
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

    @property
    def note(self) -> str | None:
        """Which policies' next score is not promised (see :mod:`mastery_grading.fairness.next_score`).

        ``None`` for a table of converters.

        Example:
            >>> from mastery_grading import policies
            >>> table = audit_table({"mode": policies.Mode()}, max_examples=5)
            >>> print(table.note)
            Next score (mastery_grading.needed): not promised for any policy here: none claims monotone, so a score above the one needed may fall short.
        """  # noqa: E501
        if self.kind != "policy":
            return None
        return table_note(self.names, [report.policy for report in self.reports])

    def _rows(self) -> list[render.Row]:
        return [
            (name, {o.axiom: o for o in report.outcomes})
            for name, report in zip(self.names, self.reports, strict=True)
        ]

    def __str__(self) -> str:
        return render.table_text(self.kind, self.axioms, self._rows(), note=self.note)

    def to_markdown(self) -> str:
        """Return the table in Markdown (GitHub and MyST pipe tables), with its legend.

        Example:
            >>> print(AuditTable(names=[], reports=[]).to_markdown().splitlines()[0][:30])
            | policy | `bounded` | `within
        """
        return render.table_markdown(self.kind, self.axioms, self._rows(), note=self.note)

    def _repr_html_(self) -> str:
        return render.table_html(self.kind, self.axioms, self._rows(), note=self.note)

    def to_html(self, title: str | None = None) -> str:
        """Return the table as a self-contained HTML page, styled like the progress report.

        Args:
            title: The page's title and heading (by default "Policy audit" or "Grade
                converter audit").

        Example:
            >>> page = AuditTable(names=[], reports=[]).to_html()
            >>> page.startswith("<!DOCTYPE html>"), "<h1>Policy audit</h1>" in page
            (True, True)
        """
        default = "Grade converter audit" if self.kind == "converter" else "Policy audit"
        return render.page_html(title or default, self._repr_html_())

    def to_pandas(self) -> pandas.DataFrame:
        """Return the table as a DataFrame indexed by policy (needs pandas).

        Raises:
            ImportError: If pandas is not installed.
        """
        require("pandas", extra="data", feature="AuditTable.to_pandas()")
        import pandas as pd

        return pd.DataFrame.from_records(self.records()).set_index("policy")


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
            as :func:`~mastery_grading.testing.stock_converters`), or a sequence, each labelled
            by its :func:`~mastery_grading.fairness.outcome.display_name` (a custom policy by
            its given name).
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
        mean    keeps*   keeps*                 keeps*     keeps*    ...  not claimed ...
        ...
        >>> from mastery_grading.grades import AverageCutoffs
        >>> print(audit_table([AverageCutoffs.marzano_2010()], max_examples=5))
        converter                      monotone  complete  unambiguous
        AverageCutoffs.marzano_2010()  keeps*    keeps*    keeps*
        keeps: holds in every case tried; breaks: a counterexample was found; not claimed: does not hold, and the converter need not have it (a choice, not a fault); *: the converter claims it (BREAKS* is a wrong claim)
        What the axioms mean:
          monotone: Raising a result on one target never lowers the letter.
          complete: Every combination of results gets a letter.
          unambiguous: The same results always get the same single letter, whatever their order.
    """  # noqa: E501
    if isinstance(policies, Mapping):
        pairs = list(policies.items())
    else:
        pairs = [(display_name(policy), policy) for policy in policies]
    if len({is_converter(policy) for _, policy in pairs}) > 1:
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
