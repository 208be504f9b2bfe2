"""The teacher's page: the class mastery map, students by targets, a level in each cell.

A plain table, sortable by any column with a small inline script (allowed by its hash in the
page's Content Security Policy, nothing else): without scripts it reads in name order. Each
student's name links to their own page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date

from mastery_grading.reports._i18n import Words
from mastery_grading.reports._page import badge, page
from mastery_grading.reports._student import StudentData, letter_words
from mastery_grading.targets import LearningTarget

__all__ = ["SORT_SCRIPT", "teacher_page"]

#: Sorts the class map by the column whose header button is pressed (again: the other way).
SORT_SCRIPT = (
    "document.querySelectorAll('.class-map th button').forEach(function(b){"
    "b.addEventListener('click',function(){"
    "var th=b.parentNode,col=Array.prototype.indexOf.call(th.parentNode.children,th),"
    "body=th.closest('table').tBodies[0],up=th.getAttribute('aria-sort')!=='ascending',"
    "rows=Array.prototype.slice.call(body.rows);"
    "th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',up?'ascending':'descending');"
    "rows.sort(function(a,c){var x=a.cells[col].dataset.sort,y=c.cells[col].dataset.sort,"
    "nx=parseFloat(x),ny=parseFloat(y),d=(isNaN(nx)||isNaN(ny))?x.localeCompare(y):nx-ny;"
    "return up?d:-d;});"
    "rows.forEach(function(r){body.appendChild(r);});});});"
)


def teacher_page(
    students: Sequence[StudentData],
    targets: Sequence[LearningTarget],
    words: Words,
    *,
    names: Mapping[str, str],
    links: Mapping[str, str],
    course: str | None = None,
    generated: date | None = None,
) -> str:
    """Return the class mastery map, students in name order (then id)."""
    esc = html.escape
    heading = (
        words("Class mastery map: {course}", course=course)
        if course
        else words("Class mastery map")
    )
    ordered = sorted(
        students, key=lambda s: (names.get(s.student_id, s.student_id).casefold(), s.student_id)
    )
    graded = any(s.report is not None for s in ordered)
    head = [f'<th scope="col"><button type="button">{esc(words("Student"))}</button></th>']
    if graded:
        head.append(f'<th scope="col"><button type="button">{esc(words("Grade"))}</button></th>')
    head += [f'<th scope="col"><button type="button">{esc(t.title)}</button></th>' for t in targets]
    rows = []
    for student in ordered:
        name = names.get(student.student_id, student.student_id)
        link = links.get(student.student_id)
        shown = f'<a href="{esc(link)}">{esc(name)}</a>' if link else esc(name)
        cells = [f'<th scope="row" data-sort="{esc(name.casefold())}">{shown}</th>']
        if graded:
            letter = "" if student.report is None else student.report.letter
            cells.append(f'<td data-sort="{esc(letter)}">{esc(letter_words(letter, words))}</td>')
        for result in student.results:
            if result.target.id in student.exempt:
                cells.append(f'<td data-sort="-2">{esc(words("exempt"))}</td>')
                continue
            value = "" if result.value is None else f" {esc(words.number(result.value))}"
            key = -1.0 if result.value is None else result.value
            cells.append(f'<td data-sort="{key!r}">{badge(result, words)}{value}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    meta = words("{count} students.", count=len(ordered))
    if generated is not None:
        meta += " " + words("Prepared on {date}", date=words.date(generated)) + "."
    body = (
        f'<h1>{esc(heading)}</h1><p class="meta">{esc(meta)} '
        f"{esc(words('Press a column heading to sort by it.'))}</p>"
        '<div class="scroll" role="region" tabindex="0" '
        f'aria-label="{esc(words("Class mastery map"))}">'
        f'<table class="class-map"><caption>{esc(words("Level on each learning target"))}</caption>'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    return page(heading, body, words, script=SORT_SCRIPT)
