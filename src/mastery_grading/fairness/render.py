"""How an audit reads: text, Markdown and HTML of reports and tables, for a teacher.

Rendering knows nothing of how an audit is run: it takes a name and the outcomes (anything
shaped like :class:`~mastery_grading.fairness.audit.AxiomOutcome`). The audit's values
(:class:`~mastery_grading.fairness.audit.AuditReport`,
:class:`~mastery_grading.fairness.audit.AuditTable`) call these functions for ``str()``,
``to_markdown()``, ``to_html()`` and the HTML shown in a notebook.

Every axiom is shown with its plain-words summary, and every result is one of three outcomes:

- **keeps**: it held in every case tried;
- **breaks (counterexample)**: a case was found where it fails, shown in words;
- **not claimed**: the rule does not have it, does not claim it, and need not have it: the
  axiom describes a choice (such as whether order matters), not a virtue every rule needs
  (the axiom's ``needed`` is ``False``). Its counterexample is still shown, as how the rule
  differs.

A claimed axiom that breaks is a wrong claim, flagged as such. The HTML looks like the
progress report (the shared rules of the private ``_style`` module).

Example:
    >>> from mastery_grading.fairness.audit import AxiomOutcome
    >>> held = AxiomOutcome(axiom="bounded", claimed=True, holds=True, tried=3,
    ...                     summary="The result lies within the scale.")
    >>> print(table_text("policy", ["bounded"], [("mean", {"bounded": held})]))
    policy  bounded
    mean    keeps*
    keeps: holds in every case tried; breaks: a counterexample was found; not claimed: does not hold, and the policy need not have it (a choice, not a fault); *: the policy claims it (BREAKS* is a wrong claim)
    What the axioms mean:
      bounded: The result lies within the scale.
"""  # noqa: E501

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from mastery_grading._style import BASE_RULES, PAGE_RULES, badge_rules, stylesheet

__all__ = [
    "BREAKS",
    "KEEPS",
    "NOT_CLAIMED",
    "Outcome",
    "Verdict",
    "cell",
    "legend",
    "page_html",
    "report_html",
    "report_markdown",
    "report_text",
    "table_html",
    "table_markdown",
    "table_text",
]

#: The three outcomes of an axiom in an audit.
Verdict = Literal["keeps", "breaks", "not claimed"]
KEEPS: Verdict = "keeps"
BREAKS: Verdict = "breaks"
NOT_CLAIMED: Verdict = "not claimed"

#: One row of a table: its label and its outcomes by axiom name.
Row = tuple[str, Mapping[str, "Outcome"]]

#: The class every HTML fragment of an audit sits in; its style applies only inside it.
SCOPE = "mastery-grading-audit"

_CSS_RULES = (
    *BASE_RULES,
    ("body", "background:#fff"),
    ("caption", "text-align:left;font-weight:600;font-size:1.1rem;margin:.5rem 0"),
    ("td.count", "text-align:right"),
    (".scroll", "overflow-x:auto"),
    ("tr.wrong-claim td", "font-weight:600"),
    *badge_rules({"keeps": "good", "breaks": "alert", "not-claimed": "neutral"}),
)


class Outcome(Protocol):
    """**Protocol:** what rendering reads of the outcome of one axiom.

    :class:`~mastery_grading.fairness.audit.AxiomOutcome` follows it.

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> outcome: Outcome = AxiomOutcome(axiom="recency", claimed=False, holds=True, tried=1)
        >>> outcome.outcome, outcome.verdict
        ('keeps', 'keeps')
    """

    @property
    def axiom(self) -> str:
        """The axiom's name."""
        ...

    @property
    def summary(self) -> str:
        """The axiom in one plain sentence (may be empty)."""
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
        """Whether it is claimed but does not hold."""
        ...

    @property
    def outcome(self) -> Verdict:
        """``"keeps"``, ``"breaks"`` or ``"not claimed"``."""
        ...

    @property
    def verdict(self) -> str:
        """``"keeps"``, ``"breaks (counterexample)"`` or ``"not claimed"``, as printed."""
        ...


def legend(kind: str) -> str:
    """The legend of a table of audits of ``kind`` (``"policy"`` or ``"converter"``).

    Example:
        >>> legend("converter")[:40]
        'keeps: holds in every case tried; breaks'
    """
    return (
        "keeps: holds in every case tried; breaks: a counterexample was found; "
        f"not claimed: does not hold, and the {kind} need not have it (a choice, not a fault); "
        f"*: the {kind} claims it (BREAKS* is a wrong claim)"
    )


def cell(outcome: Outcome) -> str:
    """A table cell: the outcome, with ``*`` when claimed; ``BREAKS*`` is a wrong claim.

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> cell(AxiomOutcome(axiom="recency", claimed=True, holds=False, tried=2))
        'BREAKS*'
        >>> cell(AxiomOutcome(axiom="order_free", claimed=False, holds=False, tried=2,
        ...                   needed=False))
        'not claimed'
    """
    if outcome.wrong_claim:
        return "BREAKS*"
    return f"{outcome.outcome}*" if outcome.claimed else outcome.outcome


def _cases(classics: int, max_examples: int) -> str:
    return f"{classics} hand-picked and up to {max_examples} generated cases per axiom"


def _notes(outcomes: Sequence[Outcome], indent: str, code: str = "") -> list[str]:
    """The counterexamples (breaks first, then how the rule differs) and the wrong claims."""
    lines = []
    broken = [o for o in outcomes if o.outcome == BREAKS]
    if broken:
        lines.append("Counterexamples:")
        lines.extend(f"{indent}{code}{o.axiom}{code}: {o.counterexample}" for o in broken)
    differs = [o for o in outcomes if o.outcome == NOT_CLAIMED]
    if differs:
        lines.append("Not claimed, and not needed by every rule (how this one differs):")
        lines.extend(f"{indent}{code}{o.axiom}{code}: {o.counterexample}" for o in differs)
    wrong = [o.axiom for o in outcomes if o.wrong_claim]
    if wrong:
        lines.append(f"WRONG CLAIMS: {', '.join(wrong)}")
    return lines


def report_text(
    label: str,
    outcomes: Sequence[Outcome],
    *,
    classics: int,
    max_examples: int,
    note: str | None = None,
) -> str:
    """The audit of one object as a text table, with its counterexamples and wrong claims.

    ``note`` is a last line (for a policy, what :mod:`~mastery_grading.fairness.next_score`
    says of its next score).

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> held = AxiomOutcome(axiom="bounded", claimed=False, holds=True, tried=3,
        ...                     summary="The result lies within the scale.")
        >>> print(report_text("mean", [held], classics=1, max_examples=2))
        Audit of mean (1 hand-picked and up to 2 generated cases per axiom)
        axiom    claimed  outcome                  tried  what it means
        bounded  no       keeps                    3      The result lies within the scale.
    """
    width = max((len(o.axiom) for o in outcomes), default=5)
    lines = [
        f"Audit of {label} ({_cases(classics, max_examples)})",
        f"{'axiom':<{width}}  claimed  {'outcome':<23}  tried  what it means",
    ]
    for o in outcomes:
        claimed = "yes" if o.claimed else "no"
        row = f"{o.axiom:<{width}}  {claimed:<7}  {o.verdict:<23}  {o.tried:<5}  {o.summary}"
        lines.append(row.rstrip())
    lines.extend(_notes(outcomes, "  "))
    if note:
        lines.append(note)
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def report_markdown(
    label: str,
    outcomes: Sequence[Outcome],
    *,
    classics: int,
    max_examples: int,
    note: str | None = None,
) -> str:
    r"""The audit of one object as Markdown: a pipe table, then the counterexamples.

    ``note`` is a last paragraph (see :func:`report_text`).

    Example:
        >>> from mastery_grading.fairness.audit import AxiomOutcome
        >>> held = AxiomOutcome(axiom="bounded", claimed=True, holds=True, tried=3,
        ...                     summary="The result lies within the scale.")
        >>> print(report_markdown("mean", [held], classics=1, max_examples=2))
        **Audit of mean** (1 hand-picked and up to 2 generated cases per axiom)
        <BLANKLINE>
        | axiom | what it means | claimed | outcome | tried |
        | --- | --- | :-: | --- | --: |
        | `bounded` | The result lies within the scale. | yes | keeps | 3 |
        <BLANKLINE>
    """
    lines = [
        f"**Audit of {_md(label)}** ({_cases(classics, max_examples)})",
        "",
        "| axiom | what it means | claimed | outcome | tried |",
        "| --- | --- | :-: | --- | --: |",
    ]
    for o in outcomes:
        claimed = "yes" if o.claimed else "no"
        verdict = f"**{o.verdict}**" if o.wrong_claim else o.verdict
        lines.append(f"| `{o.axiom}` | {_md(o.summary)} | {claimed} | {verdict} | {o.tried} |")
    lines.append("")
    for line in _notes(outcomes, "- ", "`"):
        if line.startswith("- "):
            lines.append(line)
        else:
            if lines[-1].startswith("- "):
                lines.append("")
            lines.extend([f"**{line}**" if line.startswith("WRONG") else line, ""])
    if lines[-1]:
        lines.append("")
    if note:
        lines.extend([_md(note), ""])
    return "\n".join(lines)


def _badge(o: Outcome) -> str:
    css = o.outcome.replace(" ", "-")
    return f'<span class="badge {css}">{html.escape(o.outcome.capitalize())}</span>'


def _fragment(body: str) -> str:
    css = stylesheet(_CSS_RULES, scope=SCOPE)
    return f'<div class="{SCOPE}"><style>{css}</style>{body}</div>'


def _html_legend(kind: str) -> str:
    esc = html.escape
    return (
        '<p class="legend">'
        '<span><span class="badge keeps">Keeps</span> holds in every case tried</span> '
        '<span><span class="badge breaks">Breaks</span> a counterexample was found</span> '
        '<span><span class="badge not-claimed">Not claimed</span> '
        f"does not hold, and the {esc(kind)} need not have it (a choice, not a fault)</span></p>"
    )


def report_html(
    label: str,
    outcomes: Sequence[Outcome],
    *,
    classics: int | None = None,
    max_examples: int | None = None,
    kind: str = "policy",
    note: str | None = None,
) -> str:
    """The audit of one object as an HTML fragment styled like the progress report (escaped).

    Each axiom shows its summary, whether it is claimed, its outcome as a badge, the cases
    tried and any counterexample; a wrong claim is marked in bold. The style applies only
    inside the fragment, so it can sit in a notebook.

    Example:
        >>> fragment = report_html("<b>", [])
        >>> fragment.startswith('<div class="mastery-grading-audit"><style>')
        True
        >>> "<caption>Audit of &lt;b&gt;</caption>" in fragment
        True
    """
    esc = html.escape
    rows = []
    for o in outcomes:
        wrong = ' class="wrong-claim"' if o.wrong_claim else ""
        claimed = "yes (a wrong claim)" if o.wrong_claim else ("yes" if o.claimed else "no")
        rows.append(
            f"<tr{wrong}><td><code>{esc(o.axiom)}</code></td><td>{esc(o.summary)}</td>"
            f'<td>{claimed}</td><td>{_badge(o)}</td><td class="count">{o.tried}</td>'
            f"<td>{esc(o.counterexample or '')}</td></tr>"
        )
    meta = (
        f'<p class="meta">{esc(_cases(classics, max_examples))}.</p>'
        if classics is not None and max_examples is not None
        else ""
    )
    noted = f'<p class="meta">{esc(note)}</p>' if note else ""
    return _fragment(
        f"<table><caption>Audit of {esc(label)}</caption>"
        "<thead><tr><th>Axiom</th><th>What it means</th><th>Claimed</th><th>Outcome</th>"
        "<th>Cases tried</th><th>Counterexample</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{_html_legend(kind)}{meta}{noted}"
    )


def page_html(title: str, fragment: str, *, heading: bool = True) -> str:
    """A whole self-contained HTML page around a fragment, with the progress report's look.

    Like the progress report, the page runs no script and loads nothing (its Content Security
    Policy forbids it). ``heading=False`` leaves out the ``<h1>`` (for a fragment whose own
    caption names it).

    Example:
        >>> page = page_html("Policy <audit>", report_html("mean", []))
        >>> page.startswith("<!DOCTYPE html>"), "<h1>Policy &lt;audit&gt;</h1>" in page
        (True, True)
    """
    esc = html.escape
    css = stylesheet([*BASE_RULES, *PAGE_RULES])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{css}</style></head><body>"
        f"{f'<h1>{esc(title)}</h1>' if heading else ''}{fragment}</body></html>\n"
    )


def _grid(kind: str, axioms: Sequence[str], rows: Sequence[Row]) -> list[list[str]]:
    header = [kind, *axioms]
    body = [[name, *(cell(by[a]) if a in by else "" for a in axioms)] for name, by in rows]
    return [header, *body]


def _summaries(axioms: Sequence[str], rows: Sequence[Row]) -> dict[str, str]:
    found: dict[str, str] = {}
    for _, by_axiom in rows:
        for axiom, o in by_axiom.items():
            if o.summary and axiom not in found:
                found[axiom] = o.summary
    return {axiom: found[axiom] for axiom in axioms if axiom in found}


def _counterexamples(rows: Sequence[Row]) -> list[tuple[str, Outcome]]:
    return [(name, o) for name, by_axiom in rows for o in by_axiom.values() if not o.holds]


def _tag(o: Outcome) -> str:
    if o.wrong_claim:
        return " (a wrong claim)"
    return " (not claimed)" if o.outcome == NOT_CLAIMED else ""


def table_text(
    kind: str, axioms: Sequence[str], rows: Sequence[Row], *, note: str | None = None
) -> str:
    """Objects by axioms as aligned text, with the legend, the axioms and the counterexamples.

    ``note`` is a line below the legend (for policies, which of them promise their next
    score, from :mod:`~mastery_grading.fairness.next_score`). See the module's example.
    """
    grid = _grid(kind, axioms, rows)
    widths = [max(len(row[i]) for row in grid) for i in range(len(grid[0]))]
    lines = [
        "  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip()
        for row in grid
    ]
    lines.append(legend(kind))
    if note:
        lines.append(note)
    summaries = _summaries(axioms, rows)
    if summaries:
        lines.append("What the axioms mean:")
        lines.extend(f"  {axiom}: {summary}" for axiom, summary in summaries.items())
    found = _counterexamples(rows)
    if found:
        lines.append("Counterexamples:")
        lines.extend(f"  {name}, {o.axiom}{_tag(o)}: {o.counterexample}" for name, o in found)
    return "\n".join(lines)


def table_markdown(
    kind: str, axioms: Sequence[str], rows: Sequence[Row], *, note: str | None = None
) -> str:
    r"""Objects by axioms as a Markdown pipe table (GitHub and MyST), with the legend.

    Below the legend: ``note`` (see :func:`table_text`), what each axiom means, then every
    counterexample.

    Example:
        >>> print(table_markdown("policy", ["bounded"], []))
        | policy | `bounded` |
        | --- | :-: |
        <BLANKLINE>
        keeps: holds in every case tried; breaks: a counterexample was found; not claimed: does not hold, and the policy need not have it (a choice, not a fault); \*: the policy claims it (BREAKS\* is a wrong claim)
        <BLANKLINE>
    """  # noqa: E501
    header, *body = _grid(kind, axioms, rows)
    lines = [
        "| " + " | ".join(f"`{h}`" if i else h for i, h in enumerate(header)) + " |",
        "|" + "|".join([" --- "] + [" :-: "] * (len(header) - 1)) + "|",
    ]
    lines.extend("| " + " | ".join(_md(text) for text in row) + " |" for row in body)
    lines.extend(["", _md(legend(kind)), ""])
    if note:
        lines.extend([_md(note), ""])
    summaries = _summaries(axioms, rows)
    if summaries:
        lines.extend(["What the axioms mean:", ""])
        lines.extend(f"- `{axiom}`: {_md(summary)}" for axiom, summary in summaries.items())
        lines.append("")
    found = _counterexamples(rows)
    if found:
        lines.extend(["Counterexamples:", ""])
        for name, o in found:
            tag = f" **{_tag(o).strip()}**" if o.wrong_claim else _tag(o)
            lines.append(f"- {_md(name)}, `{o.axiom}`{tag}: {_md(o.counterexample or '')}")
        lines.append("")
    return "\n".join(lines)


def table_html(
    kind: str, axioms: Sequence[str], rows: Sequence[Row], *, note: str | None = None
) -> str:
    """Objects by axioms as an HTML fragment styled like the progress report.

    A column's title is the axiom's summary and a cell's title its counterexample; below the
    table, the legend, ``note`` (see :func:`table_text`), what each axiom means and every
    counterexample.

    Example:
        >>> table_html("policy", [], []).startswith('<div class="mastery-grading-audit">')
        True
    """
    esc = html.escape
    summaries = _summaries(axioms, rows)
    header = f"<th>{esc(kind)}</th>" + "".join(
        f'<th title="{esc(summaries.get(a, ""))}"><code>{esc(a)}</code></th>' for a in axioms
    )
    body = []
    for name, by_axiom in rows:
        cells = [f"<th>{esc(name)}</th>"]
        for axiom in axioms:
            o = by_axiom.get(axiom)
            if o is None:
                cells.append("<td></td>")
                continue
            title = f' title="{esc(o.counterexample)}"' if o.counterexample else ""
            wrong = ' class="wrong-claim"' if o.wrong_claim else ""
            cells.append(
                f'<td{title}{wrong}><span class="badge {o.outcome.replace(" ", "-")}">'
                f"{esc(cell(o))}</span></td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    parts = [
        f'<div class="scroll"><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>",
        f'{_html_legend(kind)}<p class="meta">*: the {esc(kind)} claims it '
        "(BREAKS* is a wrong claim).</p>",
    ]
    if note:
        parts.append(f'<p class="meta">{esc(note)}</p>')
    if summaries:
        items = "".join(
            f"<li><code>{esc(a)}</code>: {esc(text)}</li>" for a, text in summaries.items()
        )
        parts.append(f'<h3>What the axioms mean</h3><ul class="axioms">{items}</ul>')
    found = _counterexamples(rows)
    if found:
        items = "".join(
            f"<li>{esc(name)}, <code>{esc(o.axiom)}</code>{esc(_tag(o))}: "
            f"{esc(o.counterexample or '')}</li>"
            for name, o in found
        )
        parts.append(f'<h3>Counterexamples</h3><ul class="counterexamples">{items}</ul>')
    return _fragment("".join(parts))
