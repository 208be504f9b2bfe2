"""Self-contained HTML progress reports: one page per class, one section per student.

Each student gets a mastery map (mastered / approaching / not yet, per target), the evidence that
counted for each result and its weight, and next steps in student-friendly words. The page has no
scripts and loads nothing from the network (its Content Security Policy forbids it), so it can be
e-mailed or printed as it is. Every string that comes from data is HTML-escaped.

The status of a result:

- **mastered**: the value reaches the target's mastery threshold;
- **approaching**: not mastered, but the value reaches the level just below the mastery level
  (on Marzano's scale, "approaching" from 2.0). A scale whose only level below mastery is its
  lowest has no approaching band;
- **not yet**: any other value;
- **no evidence yet**: no value (the reason is shown).

The page has a fixed order, whatever the order of the input: students by display name (then
id), each student's targets by target id (natural order, ``LE.2`` before ``LE.10``), the
evidence that counted by time.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from datetime import datetime

from mastery_grading._style import REPORT_CSS
from mastery_grading.io._common import format_number, write_text_atomic
from mastery_grading.io._output import contributions_in_order
from mastery_grading.io.results import Results, student_rows
from mastery_grading.results import TargetResult

__all__ = [
    "MASTERED",
    "APPROACHING",
    "NOT_YET",
    "NO_EVIDENCE",
    "mastery_status",
    "next_step",
    "progress_report_html",
    "write_progress_report",
]

MASTERED = "mastered"
APPROACHING = "approaching"
NOT_YET = "not yet"
NO_EVIDENCE = "no evidence yet"


def mastery_status(result: TargetResult) -> str:
    """Return ``"mastered"``, ``"approaching"``, ``"not yet"`` or ``"no evidence yet"``.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> EPOCH = datetime(2026, 9, 1, tzinfo=timezone.utc)
        >>> target = LearningTarget(id="T", title="Fractions")
        >>> def status(score):
        ...     e = Evidence(student_id="s", target_id="T", score=score, observed_at=EPOCH)
        ...     return mastery_status(Mean().evaluate([e], target))
        >>> status(3.5), status(2.5), status(1.0)
        ('mastered', 'approaching', 'not yet')
    """
    if result.value is None:
        return NO_EVIDENCE
    if result.mastered:
        return MASTERED
    scale = result.target.scale
    mastery_level = scale.level_of(scale.mastery)
    index = scale.levels.index(mastery_level)
    if index >= 2 and result.value >= scale.levels[index - 1].minimum:
        return APPROACHING
    return NOT_YET


def next_step(result: TargetResult) -> str:
    """Return a next step for the student, in friendly words (never "fail").

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> target = LearningTarget(id="T", title="Fractions",
        ...                         statement="I can compare fractions.")
        >>> next_step(Mean().evaluate([], target))
        'No evidence yet: I can compare fractions. Ask your teacher when you can show it.'
    """
    goal = result.target.display_name.rstrip(". ")
    status = mastery_status(result)
    if status == MASTERED:
        return f"You have shown: {goal}. Well done! Try a harder challenge to go further."
    if status == APPROACHING:
        return (
            f"You are close: {goal}. One more strong piece of evidence can show that you have "
            "mastered it."
        )
    if status == NOT_YET:
        return (
            f"Not yet: {goal}. Practise with your teacher's feedback, then show it again. "
            "Every new try counts."
        )
    return f"No evidence yet: {goal}. Ask your teacher when you can show it."


def _badge(status: str) -> str:
    css = status.replace(" ", "-")
    return f'<span class="badge {css}">{html.escape(status.capitalize())}</span>'


def _evidence_list(result: TargetResult) -> str:
    if not result.contributions:
        return f"<small>{html.escape(result.reason or 'none')}</small>"
    items = []
    for contribution in contributions_in_order(result):
        evidence = contribution.evidence
        parts = [evidence.observed_at.date().isoformat()]
        if evidence.source_id:
            parts.append(evidence.source_id)
        parts.append(f"score {format_number(evidence.score)}")
        weight = f"counts {round(contribution.weight * 100)}%"
        items.append(f"<li>{html.escape(' · '.join(parts))} <small>({weight})</small></li>")
    return "<ul>" + "".join(items) + "</ul>"


def _value(result: TargetResult) -> str:
    if result.value is None:
        return "&ndash;"
    scale = result.target.scale
    level = "" if result.level is None else f" ({result.level.name})"
    text = f"{format_number(round(result.value, 2))} of {format_number(scale.max)}{level}"
    return html.escape(text)


def _student_section(
    number: int,
    student_id: str,
    name: str,
    results: Sequence[TargetResult],
    letter: str | None,
    extra_steps: Sequence[str],
) -> str:
    esc = html.escape
    mastered = sum(1 for result in results if mastery_status(result) == MASTERED)
    rows = []
    for result in results:
        target = result.target
        status = mastery_status(result)
        statement = f"<br><small>{esc(target.statement)}</small>" if target.statement else ""
        rows.append(
            f'<tr class="status-{status.replace(" ", "-")}" data-target-id="{esc(target.id)}">'
            f"<td>{esc(target.title)}{statement}</td><td>{_badge(status)}</td>"
            f"<td>{_value(result)}</td><td>{_evidence_list(result)}</td></tr>"
        )
    steps = [next_step(result) for result in results if mastery_status(result) != MASTERED]
    if not steps:
        steps = ["You have shown every learning target here. Keep challenging yourself!"]
    steps = [*extra_steps, *steps]
    grade = f'<p class="grade">Grade: <strong>{esc(letter)}</strong></p>' if letter else ""
    return (
        f'<section class="student" id="student-{number}" data-student-id="{esc(student_id)}">'
        f"<h2>{esc(name)}</h2>{grade}"
        f'<p class="summary">Mastered {mastered} of {len(results)} learning targets.</p>'
        '<table class="mastery-map"><thead><tr><th>Learning target</th><th>Status</th>'
        "<th>Result</th><th>Evidence that counted</th></tr></thead><tbody>"
        + "".join(rows)
        + '</tbody></table><h3>Next steps</h3><ul class="next-steps">'
        + "".join(f"<li>{esc(step)}</li>" for step in steps)
        + "</ul></section>"
    )


def progress_report_html(
    results: Results,
    *,
    title: str,
    students: Mapping[str, str] | None = None,
    letters: Mapping[str, str] | None = None,
    steps: Mapping[str, Sequence[str]] | None = None,
    generated: datetime | None = None,
) -> str:
    """Return a self-contained HTML progress report for one class.

    Args:
        results: The class's results (every student on every target).
        title: The page title (the class name).
        students: Display names by student id (by default the id).
        letters: An overall grade per student id, shown when given.
        steps: Extra next steps per student id (e.g. from a grade report), shown first.
        generated: The moment shown as "prepared on" (omitted when ``None``).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.io import results_table
        >>> table = results_table([], [LearningTarget(id="T", title="<b>Fractions</b>")], Mean(),
        ...                       students=["s1"])
        >>> page = progress_report_html(table, title="Period 2", students={"s1": "Ana"})
        >>> "&lt;b&gt;Fractions&lt;/b&gt;" in page, "<b>Fractions" in page, "fail" in page
        (True, False, False)
    """
    esc = html.escape
    by_student: dict[str, list[TargetResult]] = {}
    for student_id, result in student_rows(results):
        by_student.setdefault(student_id, []).append(result)
    names = students or {}
    ordered = sorted(by_student, key=lambda sid: (names.get(sid, sid).casefold(), sid))
    sections = [
        _student_section(
            number,
            student_id,
            names.get(student_id, student_id),
            by_student[student_id],
            (letters or {}).get(student_id),
            (steps or {}).get(student_id, ()),
        )
        for number, student_id in enumerate(ordered, start=1)
    ]
    nav = "".join(
        f'<li><a href="#student-{number}">{esc(names.get(sid, sid))}</a></li>'
        for number, sid in enumerate(ordered, start=1)
    )
    meta = f" Prepared on {esc(generated.date().isoformat())}." if generated else ""
    legend = "".join(
        _badge(status) + " " for status in (MASTERED, APPROACHING, NOT_YET, NO_EVIDENCE)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}: progress report</title><style>{REPORT_CSS}</style></head><body>"
        f"<h1>{esc(title)}: progress report</h1>"
        f'<p class="meta">{len(ordered)} students.{meta} '
        "Mastery is shown per learning target; a new piece of evidence can change it.</p>"
        f'<p class="legend">{legend}</p>'
        f'<nav><ul class="students">{nav}</ul></nav>' + "".join(sections) + "</body></html>\n"
    )


def write_progress_report(
    path: str | os.PathLike[str],
    results: Results,
    *,
    title: str,
    students: Mapping[str, str] | None = None,
    letters: Mapping[str, str] | None = None,
    steps: Mapping[str, Sequence[str]] | None = None,
    generated: datetime | None = None,
) -> None:
    """Write a progress report (see :func:`progress_report_html`) to ``path``, atomically.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "class.html"
        >>> write_progress_report(path, [], title="Period 2")
        >>> "<h1>Period 2: progress report</h1>" in path.read_text(encoding="utf-8")
        True
    """
    text = progress_report_html(
        results,
        title=title,
        students=students,
        letters=letters,
        steps=steps,
        generated=generated,
    )
    write_text_atomic(path, text)
