"""How an audit reads: text, Markdown and HTML of reports and tables.

Rendering knows nothing of how an audit is run: it takes a label and the outcomes (anything
shaped like :class:`~mastery_grading.fairness.audit.AxiomOutcome`). The audit's values
(:class:`~mastery_grading.fairness.audit.AuditReport`,
:class:`~mastery_grading.fairness.audit.AuditTable`) call these functions for ``str()``,
``to_markdown()`` and the HTML shown in a notebook.

Example:
    >>> from mastery_grading.fairness.audit import AxiomOutcome
    >>> held = AxiomOutcome(axiom="bounded", claimed=True, holds=True, tried=3)
    >>> print(table_text("policy", ["bounded"], [("mean", {"bounded": held})]))
    policy  bounded
    mean    yes*
    yes: holds in every case tried; no: a counterexample was found; *: the policy claims it (NO* is a wrong claim)
"""  # noqa: E501

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Protocol

__all__ = [
    "Outcome",
    "cell",
    "legend",
    "report_html",
    "report_text",
    "table_html",
    "table_markdown",
    "table_text",
]

#: One row of a table: its label and its outcomes by axiom name.
Row = tuple[str, Mapping[str, "Outcome"]]


class Outcome(Protocol):
    """**Protocol:** what rendering reads of the outcome of one axiom.

    :class:`~mastery_grading.fairness.audit.AxiomOutcome` follows it.

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> outcome: Outcome = AxiomOutcome(axiom="recency", claimed=False, holds=True, tried=1)
        >>> outcome.verdict
        'holds'
    """

    @property
    def axiom(self) -> str:
        """The axiom's name."""
        ...

    @property
    def claimed(self) -> bool:
        """Whether the audited object claims it."""
        ...

    @property
    def holds(self) -> bool:
        """Whether every case tried satisfied it."""
        ...

    @property
    def tried(self) -> int:
        """How many cases were tried."""
        ...

    @property
    def counterexample(self) -> str | None:
        """The counterexample in words, or ``None``."""
        ...

    @property
    def wrong_claim(self) -> bool:
        """Whether it is claimed but violated."""
        ...

    @property
    def verdict(self) -> str:
        """``"holds"``, ``"violated"`` or ``"VIOLATED (claimed)"``."""
        ...


def legend(kind: str) -> str:
    """The legend of a table of audits of ``kind`` (``"policy"`` or ``"converter"``).

    Example:
        >>> legend("converter")[:40]
        'yes: holds in every case tried; no: a co'
    """
    return (
        "yes: holds in every case tried; no: a counterexample was found; "
        f"*: the {kind} claims it (NO* is a wrong claim)"
    )


def cell(outcome: Outcome) -> str:
    """A table cell: ``yes`` or ``no``, with ``*`` when claimed; ``NO*`` is a wrong claim.

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> cell(AxiomOutcome(axiom="recency", claimed=True, holds=False, tried=2))
        'NO*'
    """
    mark = "yes" if outcome.holds else ("NO" if outcome.claimed else "no")
    return f"{mark}*" if outcome.claimed else mark


def report_text(
    label: str, outcomes: Sequence[Outcome], *, classics: int, max_examples: int
) -> str:
    """The audit of one object as a text table, with its counterexamples and wrong claims.

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> held = AxiomOutcome(axiom="bounded", claimed=False, holds=True, tried=3)
        >>> print(report_text("Mean()", [held], classics=1, max_examples=2))
        Audit of Mean() (1 hand-picked and up to 2 generated cases per axiom)
        axiom    claimed  verdict             tried
        bounded  no       holds               3
    """
    width = max((len(o.axiom) for o in outcomes), default=5)
    lines = [
        f"Audit of {label} ({classics} hand-picked and up to "
        f"{max_examples} generated cases per axiom)",
        f"{'axiom':<{width}}  claimed  {'verdict':<18}  tried",
    ]
    for o in outcomes:
        claimed = "yes" if o.claimed else "no"
        lines.append(f"{o.axiom:<{width}}  {claimed:<7}  {o.verdict:<18}  {o.tried}")
    broken = [o for o in outcomes if not o.holds]
    if broken:
        lines.append("Counterexamples:")
        lines.extend(f"  {o.axiom}: {o.counterexample}" for o in broken)
    wrong = [o.axiom for o in outcomes if o.wrong_claim]
    if wrong:
        lines.append(f"WRONG CLAIMS: {', '.join(wrong)}")
    return "\n".join(lines)


def report_html(label: str, outcomes: Sequence[Outcome]) -> str:
    """The audit of one object as an HTML table (escaped), wrong claims in bold red.

    Example:
        >>> report_html("<b>", [])[:30]
        '<table><caption>Audit of &lt;b'
    """
    esc = html.escape
    rows = []
    for o in outcomes:
        style = ' style="color:#b00;font-weight:bold"' if o.wrong_claim else ""
        rows.append(
            f"<tr{style}><td>{esc(o.axiom)}</td><td>{'yes' if o.claimed else 'no'}</td>"
            f"<td>{esc(o.verdict)}</td><td>{o.tried}</td>"
            f"<td>{esc(o.counterexample or '')}</td></tr>"
        )
    return (
        f"<table><caption>Audit of {esc(label)}</caption>"
        "<thead><tr><th>axiom</th><th>claimed</th><th>verdict</th><th>tried</th>"
        "<th>counterexample</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _grid(kind: str, axioms: Sequence[str], rows: Sequence[Row]) -> list[list[str]]:
    header = [kind, *axioms]
    body = [[name, *(cell(by[a]) if a in by else "" for a in axioms)] for name, by in rows]
    return [header, *body]


def table_text(kind: str, axioms: Sequence[str], rows: Sequence[Row]) -> str:
    """Objects by axioms as aligned text, with the legend (see the module's example)."""
    grid = _grid(kind, axioms, rows)
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    lines = [
        "  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip()
        for row in grid
    ]
    return "\n".join([*lines, legend(kind)])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def table_markdown(kind: str, axioms: Sequence[str], rows: Sequence[Row]) -> str:
    r"""Objects by axioms as a Markdown pipe table (GitHub and MyST), with the legend.

    Example:
        >>> print(table_markdown("policy", ["bounded"], []))
        | policy | `bounded` |
        | --- | :-: |
        <BLANKLINE>
        yes: holds in every case tried; no: a counterexample was found; \*: the policy claims it (NO\* is a wrong claim)
        <BLANKLINE>
    """  # noqa: E501
    header, *body = _grid(kind, axioms, rows)
    lines = [
        "| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |",
        "|" + "|".join([" --- "] + [" :-: "] * (len(header) - 1)) + "|",
    ]
    lines.extend("| " + " | ".join(_md(text) for text in row) + " |" for row in body)
    return "\n".join([*lines, "", legend(kind).replace("*", "\\*"), ""])


def table_html(kind: str, axioms: Sequence[str], rows: Sequence[Row]) -> str:
    """Objects by axioms as an HTML table; a cell's title is its counterexample.

    Example:
        >>> table_html("policy", [], [])[:35]
        '<table><thead><tr><th>policy</th></'
    """
    esc = html.escape
    header = "".join(f"<th>{esc(h)}</th>" for h in [kind, *axioms])
    body = []
    for name, by_axiom in rows:
        cells = [f"<th>{esc(name)}</th>"]
        for axiom in axioms:
            o = by_axiom.get(axiom)
            if o is None:
                cells.append("<td></td>")
                continue
            title = f' title="{esc(o.counterexample)}"' if o.counterexample else ""
            style = ' style="color:#b00;font-weight:bold"' if o.wrong_claim else ""
            cells.append(f"<td{title}{style}>{esc(cell(o))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"<p>{esc(legend(kind))}</p>"
    )
