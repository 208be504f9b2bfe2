"""Reports a family can read: one self-contained page per student, and the teacher's class map.

A student's page (:func:`student_report_html`) shows the course grade and how it was decided,
and for each learning target its level, its value (by the one display rule of
``mastery_grading._numbers.fmt``: 2.325 everywhere, never rounded up), the evidence that
counted with its weight, date and source (marked when it comes from another course), a
progress chart (inline SVG, with a table of the same numbers), and one next step in one
sentence. A closing note names the policy in plain words, with a worked example from the
student's own numbers. It holds nothing of any other student.

The teacher's page (:func:`class_report_html`) is the class mastery map: students by targets, a
level in each cell, sortable by any column. :func:`write_reports` writes them all, with file
names that only the teacher can match to students (:func:`report_slug`), and PDFs with
headless Chromium.

Every word comes from a gettext catalogue, in English and Spanish (``lang="es"``); numbers and
dates follow the locale (Babel, the ``report`` extra, for languages other than English). Level
names of the library's scales are translated; a scale's own level names are shown as written.
The pages load nothing and run no script, except the class map's sorting script, allowed by
its hash in the Content Security Policy (``default-src 'none'``).

Example:
    >>> from mastery_grading import AverageCutoffs, LearningTarget, policies
    >>> from mastery_grading.testing.examples import scores_to_history
    >>> history = scores_to_history([2.0, 3.0], target_id="T", student_id="ana")
    >>> page = student_report_html("ana", history, [LearningTarget(id="T", title="Ratios")],
    ...                            policies.Mean(), AverageCutoffs.marzano_2010(), lang="es")
    >>> '<html lang="es">' in page, "Nota del curso" in page, "2,5" in page
    (True, True, True)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.grades import GradeConverter
from mastery_grading.reports._i18n import LANGUAGES as _LANGUAGES
from mastery_grading.reports._i18n import Words
from mastery_grading.reports._student import Policies, student_data, student_page
from mastery_grading.reports._teacher import teacher_page
from mastery_grading.reports._write import render_pdf, report_slug, write_atomic
from mastery_grading.targets import LearningTarget

__all__ = [
    "LANGUAGES",
    "ReportFiles",
    "class_report_html",
    "render_pdf",
    "report_slug",
    "student_report_html",
    "write_reports",
]

#: The languages of the reports, English and Spanish (a gettext catalogue each).
LANGUAGES: tuple[str, ...] = _LANGUAGES

#: The teacher's page in the output folder.
TEACHER_PAGE = "teacher.html"


def student_report_html(
    student_id: str,
    evidence: Iterable[Evidence],
    targets: Sequence[LearningTarget],
    policy: Policies,
    converter: GradeConverter | None = None,
    *,
    name: str | None = None,
    course: str | None = None,
    context: str | None = None,
    contexts: Mapping[str, str] | None = None,
    lang: str = "en",
    as_of: datetime | None = None,
    exempt: Collection[str] = (),
    generated: date | None = None,
) -> str:
    """Return one student's self-contained HTML page.

    Args:
        student_id: The student.
        evidence: Evidence of any students: only ``student_id``'s is used.
        targets: The course's learning targets, in the order shown.
        policy: The policy, or one per target id.
        converter: A grade converter; without one the page shows no course grade.
        name: The student's name (by default the id).
        course: The course name, shown under the title.
        context: The course's evidence context: evidence from another context is marked with
            its source (``contexts`` names them).
        contexts: Names of evidence contexts (other courses, departments).
        lang: ``"en"`` or ``"es"`` (:data:`~mastery_grading.reports.LANGUAGES`).
        as_of: Only evidence observed at or before this moment counts.
        exempt: Targets the student is exempt from.
        generated: The date shown as "prepared on" (left out when ``None``).

    Raises:
        InvalidValueError: If ``lang`` is not a language of the reports.
        MissingExtraError: If ``lang`` is not English and Babel is not installed.
    """
    words = Words.of(lang)
    data = student_data(
        student_id, evidence, targets, policy, converter, as_of=as_of, exempt=exempt
    )
    return student_page(
        data,
        policy,
        words,
        converter=converter,
        name=name,
        course=course,
        context=context,
        contexts=contexts,
        generated=generated,
    )


def _students(evidence: Sequence[Evidence], roster: Iterable[str]) -> list[str]:
    return sorted({*roster, *(e.student_id for e in evidence)})


def class_report_html(
    evidence: Iterable[Evidence],
    targets: Sequence[LearningTarget],
    policy: Policies,
    converter: GradeConverter | None = None,
    *,
    names: Mapping[str, str] | None = None,
    roster: Iterable[str] = (),
    links: Mapping[str, str] | None = None,
    course: str | None = None,
    lang: str = "en",
    as_of: datetime | None = None,
    exempt: Mapping[str, Collection[str]] | None = None,
    generated: date | None = None,
) -> str:
    """Return the teacher's page: the class mastery map (see the module docs).

    Args:
        evidence: The class's evidence.
        targets: The learning targets, one column each.
        policy: The policy, or one per target id.
        converter: A grade converter, for a grade column.
        names: Student names by id.
        roster: Students to show even without evidence.
        links: The page of each student (a relative URL), linked from their name.
        course: The course name.
        lang: ``"en"`` or ``"es"`` (:data:`~mastery_grading.reports.LANGUAGES`).
        as_of: Only evidence observed at or before this moment counts.
        exempt: Per student id, the targets they are exempt from.
        generated: The date shown as "prepared on".

    Example:
        >>> from mastery_grading import LearningTarget, policies
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> page = class_report_html(scores_to_history([3.0], target_id="T", student_id="ana"),
        ...                          [LearningTarget(id="T", title="Ratios")], policies.Mean())
        >>> "class-map" in page and "script-src 'sha256-" in page
        True
    """
    words = Words.of(lang)
    items = list(evidence)
    students = [
        student_data(
            sid, items, targets, policy, converter, as_of=as_of, exempt=(exempt or {}).get(sid, ())
        )
        for sid in _students(items, roster)
    ]
    return teacher_page(
        students,
        targets,
        words,
        names=names or {},
        links=links or {},
        course=course,
        generated=generated,
    )


@attrs.frozen(kw_only=True)
class ReportFiles:
    """The files :func:`write_reports` wrote.

    Args:
        teacher: The teacher's page.
        students: Each student's page, by student id.
        pdfs: The PDFs, by student id (empty without ``pdf=True``).
    """

    teacher: Path
    students: Mapping[str, Path]
    pdfs: Mapping[str, Path]


def write_reports(
    folder: str | Path,
    evidence: Iterable[Evidence],
    targets: Sequence[LearningTarget],
    policy: Policies,
    converter: GradeConverter | None = None,
    *,
    key: str,
    names: Mapping[str, str] | None = None,
    roster: Iterable[str] = (),
    course: str | None = None,
    context: str | None = None,
    contexts: Mapping[str, str] | None = None,
    lang: str = "en",
    as_of: datetime | None = None,
    exempt: Mapping[str, Collection[str]] | None = None,
    generated: date | None = None,
    pdf: bool = False,
    browser: str | None = None,
) -> ReportFiles:
    """Write each student's page as ``<slug>.html`` and the class map as ``teacher.html``.

    The slug is :func:`report_slug` of the student id under ``key`` (keep the key secret and
    the same from one run to the next). With ``pdf=True`` each student's page is also printed
    to ``<slug>.pdf`` with headless Chromium (:func:`render_pdf`). The other arguments are those
    of :func:`student_report_html` and :func:`class_report_html`.

    Raises:
        ExternalToolError: With ``pdf=True``, if Chromium is missing or fails.

    Example:
        >>> import tempfile
        >>> from mastery_grading import LearningTarget, policies
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> files = write_reports(tempfile.mkdtemp(),
        ...                       scores_to_history([3.0], target_id="T", student_id="ana"),
        ...                       [LearningTarget(id="T", title="Ratios")], policies.Mean(),
        ...                       key="a secret")
        >>> slug = report_slug("ana", key="a secret")
        >>> files.teacher.name, files.students["ana"].name == f"{slug}.html"
        ('teacher.html', True)
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    words = Words.of(lang)
    items = list(evidence)
    students = {}
    pages: dict[str, Path] = {}
    for sid in _students(items, roster):
        data = student_data(
            sid, items, targets, policy, converter, as_of=as_of, exempt=(exempt or {}).get(sid, ())
        )
        students[sid] = data
        path = out / f"{report_slug(sid, key=key)}.html"
        text = student_page(
            data,
            policy,
            words,
            converter=converter,
            name=(names or {}).get(sid),
            course=course,
            context=context,
            contexts=contexts,
            generated=generated,
        )
        write_atomic(path, text)
        pages[sid] = path
    teacher = out / TEACHER_PAGE
    links = {sid: path.name for sid, path in pages.items()}
    write_atomic(
        teacher,
        teacher_page(
            list(students.values()),
            targets,
            words,
            names=names or {},
            links=links,
            course=course,
            generated=generated,
        ),
    )
    pdfs: dict[str, Path] = {}
    if pdf:
        for sid, path in pages.items():
            pdfs[sid] = path.with_suffix(".pdf")
            render_pdf(path, pdfs[sid], browser=browser)
    return ReportFiles(teacher=teacher, students=pages, pdfs=pdfs)
