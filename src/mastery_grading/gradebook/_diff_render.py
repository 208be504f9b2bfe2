"""How a policy diff reads: an HTML fragment (a notebook), a page (a file) and a plot.

Written for a district that decides whether to switch: first the count of students whose
letter changes (up and down), then the transition matrix (rows before, columns after; the
unchanged diagonal in grey, better letters in green, lower ones in amber, the words and numbers
carrying the meaning and the colour only helping), then the groups side by side, then every
student who changes with the targets that moved them. It looks like the progress report and
the audit (the shared rules of the private ``_style`` module), scoped to its own ``div`` so that
it never restyles a notebook.

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> html = book.diff(policies.Mean(), policies.DecayingAverage())._repr_html_()
    >>> html.startswith('<div class="mastery-grading-diff">'), "5 of 8 students" in html
    (True, True)
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require
from mastery_grading._numbers import fmt_fixed
from mastery_grading._style import BASE_RULES, badge_rules, stylesheet
from mastery_grading.fairness.render import page_html
from mastery_grading.gradebook._diff_letters import NO_VALUE
from mastery_grading.grades import INCOMPLETE, NO_LETTER

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["SCOPE", "View", "fragment", "page", "plot"]

#: The class of the ``div`` the HTML sits in; its style applies only inside it.
SCOPE = "mastery-grading-diff"

#: How many changed students the HTML lists before it only counts the rest.
SHOWN_STUDENTS = 200

_CSS = stylesheet(
    [
        *BASE_RULES,
        ("caption", "text-align:left;font-weight:600;margin:.5rem 0"),
        ("td.n", "text-align:right;font-variant-numeric:tabular-nums"),
        ("td.zero", "color:#999"),
        ("table.matrix", "width:auto"),
        *badge_rules({"up": "good", "down": "caution", "same": "neutral"}),
    ],
    scope=SCOPE,
)

_MINUS = "\N{MINUS SIGN}"

#: Labels that are not on the letters' or levels' scale: no up or down to or from them.
_UNRANKED = frozenset({INCOMPLETE, NO_LETTER, NO_VALUE})


@attrs.frozen(kw_only=True)
class View:
    """What the HTML and the plot show of a diff (built by ``PolicyDiff``).

    Attributes:
        before: The rule before, named.
        after: The rule after, named.
        converter: The converter of the letters of two policies, or ``None``.
        policy: The policy under two converters, or ``None``.
        students: How many students.
        notes: The diff's notes.
        transitions: The letter transitions (a DataFrame), or ``None`` without letters.
        level_transitions: The level transitions of the cells (a DataFrame).
        by_group: The group table (a DataFrame).
        grouped: Whether ``by=`` was given.
        changed: How many students change.
        up: How many letters rise (along one scale of letters).
        down: How many letters fall.
        rows: The student records of the first students who change (at most
            :data:`SHOWN_STUDENTS`).
        ranked: Whether letters before and after are one scale (up and down have a meaning).
    """

    before: str
    after: str
    converter: str | None
    policy: str | None
    students: int
    notes: tuple[str, ...]
    transitions: Any
    level_transitions: Any
    by_group: Any
    grouped: bool
    changed: int
    up: int
    down: int
    rows: list[dict[str, Any]]
    ranked: bool


def _signed(value: float, places: int = 2) -> str:
    if value != value:
        return "\N{EN DASH}"
    text = fmt_fixed(value, places)
    return text.replace("-", _MINUS) if text.startswith("-") else f"+{text}"


def _headline(view: View) -> str:
    n = view.changed
    noun = "student" if view.students == 1 else "students"
    what = "letter" if view.transitions is not None else "level on some target"
    text = f"<b>{n} of {view.students} {noun}</b> change {what}"
    if view.transitions is not None and view.ranked:
        other = n - view.up - view.down
        text += f": {view.up} up, {view.down} down"
        if other:
            text += f", {other} to or from no letter"
    return f"<p>{text}.</p>"


def _tone(before: str, after: str, columns: Sequence[str], ranked: bool) -> str:
    """``same`` on the diagonal; ``up`` or ``down`` between two ranked labels; else nothing."""
    if before == after:
        return "same"
    if not ranked or before not in columns or {before, after} & _UNRANKED:
        return ""
    return "up" if columns.index(after) < columns.index(before) else "down"


def _matrix(frame: Any, caption: str, ranked: bool) -> str:
    """A transition matrix with totals; labels best first, so up is left of the diagonal."""
    e = html.escape
    rows, columns = [str(x) for x in frame.index], [str(x) for x in frame.columns]
    counts = frame.to_numpy().tolist()
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = []
    for label, line in zip(rows, counts, strict=True):
        cells = []
        for column, count in zip(columns, line, strict=True):
            tone = _tone(label, column, columns, ranked) if count else ""
            if tone:
                cells.append(f'<td class="n"><span class="badge {tone}">{count}</span></td>')
            else:
                cells.append(f'<td class="n{"" if count else " zero"}">{count}</td>')
        body.append(f'<tr><th>{e(label)}</th>{"".join(cells)}<td class="n">{sum(line)}</td></tr>')
    totals = "".join(f'<td class="n">{sum(col)}</td>' for col in zip(*counts, strict=True))
    grand = sum(sum(line) for line in counts)
    return (
        f'<table class="matrix"><caption>{e(caption)}</caption>'
        f"<tr><th>before \N{DOWNWARDS ARROW} after \N{RIGHTWARDS ARROW}</th>{head}"
        "<th>total</th></tr>"
        f'{"".join(body)}<tr><th>total</th>{totals}<td class="n">{grand}</td></tr></table>'
    )


def _groups(view: View) -> str:
    e = html.escape
    frame = view.by_group
    letters = view.transitions is not None
    head = ["group", "students", "change", "share"]
    if letters:
        head += ["up", "down", "mean letter change"]
    head += ["mean value change", "levels up", "levels down"]
    body = []
    for row in frame.to_dict("records"):
        share = row["share_changed"]
        cells = [
            f"<th>{e(str(row['group']))}</th>",
            f"<td class=n>{row['students']}</td>",
            f"<td class=n>{row['changed']}</td>",
            f"<td class=n>{'' if share != share else fmt_fixed(100 * share, 0) + '%'}</td>",
        ]
        if letters:
            cells += [
                f"<td class=n>{row['up']}</td>",
                f"<td class=n>{row['down']}</td>",
                f"<td class=n>{_signed(row['mean_letter_change'])}</td>",
            ]
        cells += [
            f"<td class=n>{_signed(row['mean_value_change'])}</td>",
            f"<td class=n>{row['levels_up']}</td>",
            f"<td class=n>{row['levels_down']}</td>",
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = "By group" if view.grouped else "The whole class"
    legend = (
        "<p><small>change: students whose "
        + ("letter" if letters else "level on some target")
        + " changes; "
        + (
            "up/down: letters rise or fall; mean letter change: letters gained per student; "
            if letters
            else ""
        )
        + "mean value change: after \N{MINUS SIGN} before, per (student, target) with a value "
        "on both sides, in scale points; levels up/down: (student, target) cells.</small></p>"
    )
    header = "".join(f"<th>{e(h)}</th>" for h in head)
    return f"<table><caption>{caption}</caption><tr>{header}</tr>{''.join(body)}</table>{legend}"


def _students(view: View) -> str:
    e = html.escape
    if not view.rows:
        return ""
    letters = view.transitions is not None
    head = ["student", *(["group"] if view.grouped else [])]
    head += ["letter before", "letter after"] if letters else []
    head += ["moved by (before \N{RIGHTWARDS ARROW} after)"]
    body = []
    for row in view.rows[:SHOWN_STUDENTS]:
        cells = [f"<th>{e(row['student_id'])}</th>"]
        if view.grouped:
            cells.append(f"<td>{e(row['group'])}</td>")
        if letters:
            cells += [f"<td>{e(row['letter_before'])}</td>", f"<td>{e(row['letter_after'])}</td>"]
        moved = row["moved_by"] or "(the converter alone)"
        cells.append(f"<td>{e(moved)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = view.changed - len(view.rows)
    tail = (
        f"<p><small>... and {more} more: PolicyDiff.by_student() lists every student.</small></p>"
        if more > 0
        else ""
    )
    header = "".join(f"<th>{e(h)}</th>" for h in head)
    caption = "Students whose letter changes" if letters else "Students whose levels change"
    return f"<table><caption>{caption}</caption><tr>{header}</tr>{''.join(body)}</table>{tail}"


def fragment(view: View) -> str:
    """The diff as an HTML fragment in its own scoped ``div`` (what a notebook shows)."""
    e = html.escape
    parts = [
        f'<div class="{SCOPE}"><style>{_CSS}</style>',
        f"<p>From <code>{e(view.before)}</code> to <code>{e(view.after)}</code>",
    ]
    if view.converter is not None:
        parts.append(f"; letters by {e(view.converter)}")
    if view.policy is not None:
        parts.append(f"; results by <code>{e(view.policy)}</code> on both sides")
    parts.append("</p>")
    parts.append(_headline(view))
    if view.notes:
        parts.append("<ul>" + "".join(f"<li>{e(note)}</li>" for note in view.notes) + "</ul>")
    if view.transitions is not None:
        parts.append(_matrix(view.transitions, "Letters: students before and after", view.ranked))
    parts.append(_groups(view))
    parts.append(_students(view))
    parts.append(_matrix(view.level_transitions, "Levels: (student, target) cells", True))
    parts.append("</div>")
    return "".join(parts)


def page(view: View, title: str | None = None) -> str:
    """The diff as a whole self-contained HTML page."""
    return page_html(title or f"Switching from {view.before} to {view.after}", fragment(view))


def plot(view: View) -> Figure:
    """The transition heat map and the mean change per group (needs matplotlib)."""
    require("matplotlib", extra="plot", feature="PolicyDiff.plot()")
    import matplotlib.pyplot as plt

    letters = view.transitions is not None
    frame = view.transitions if letters else view.level_transitions
    figure, (heat, bars) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    counts = frame.to_numpy()
    heat.imshow(counts, cmap="Blues")
    _ticks(heat, [str(x) for x in frame.columns], [str(x) for x in frame.index])
    biggest = counts.max() if counts.size else 0
    for (i, j), count in _cells(counts):
        colour = "white" if biggest and count > biggest / 2 else "black"
        heat.text(j, i, str(count), ha="center", va="center", color=colour)
    heat.set_xlabel("after")
    heat.set_ylabel("before")
    heat.set_title(
        "Letters of the students" if letters else "Levels of the cells (student, target)"
    )
    table = view.by_group
    steps = letters and view.ranked
    column = "mean_letter_change" if steps else "mean_value_change"
    values = [float(x) for x in table[column].tolist()]
    names = [str(x) for x in table["group"].tolist()]
    positions = list(range(len(names)))
    bars.barh(positions, [0.0 if math.isnan(v) else v for v in values], color="#4c72b0")
    bars.margins(x=0.2)
    bars.set_yticks(positions, names)
    bars.invert_yaxis()
    bars.axvline(0.0, color="#444", linewidth=0.8)
    for y, value in zip(positions, values, strict=True):
        bars.text(
            0.0 if math.isnan(value) else value,
            y,
            f" {_signed(value)} ",
            va="center",
            ha="left" if not value < 0 else "right",
        )
    bars.set_xlabel(
        "mean letter change (letters gained per student)"
        if steps
        else f"mean value change (after {_MINUS} before, scale points)"
    )
    bars.set_title("Mean change per group")
    return figure


def _ticks(ax: Any, columns: Sequence[str], rows: Sequence[str]) -> None:
    ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)


def _cells(counts: Any) -> list[tuple[tuple[int, int], int]]:
    return [
        ((i, j), int(count))
        for i, line in enumerate(counts.tolist())
        for j, count in enumerate(line)
    ]
