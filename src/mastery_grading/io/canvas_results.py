"""Canvas "Outcome Results" report CSV: one row per piece of evidence.

An admin runs this report from Account > Settings > Reports in Canvas LMS. Columns are matched by
header name (case and spacing do not matter), never by position, because Canvas versions order
them differently. The "Student Competency" variant (``assignment title``/``assignment id``
instead of ``assessment ...``) is read too.

How a row becomes :class:`~mastery_grading.Evidence`:

- ``student id`` is the student (or ``student sis id`` with ``student_key="sis_id"``);
- ``learning outcome id`` is the target;
- ``outcome score`` is the score; **a blank score is missing evidence and is skipped, never 0**;
- ``submission date`` (ISO 8601 with a UTC offset) is the moment. Canvas leaves it blank for
  some results, and orders a result without a time before every other (it counts as the
  oldest); by default such a row is read that way, dated :data:`UNDATED` (1970-01-01 UTC), with
  a warning. ``missing_dates="skip"`` skips such rows instead, and ``"error"`` makes them a
  problem;
- ``assessment type:assessment id`` (plus ``:question:<id>`` for quiz questions) is the source;
- ``attempt`` is the attempt and ``course id`` the context.

Each outcome also gives a :class:`~mastery_grading.LearningTarget` whose scale runs from 0 to
``learning outcome points possible`` with mastery at ``learning outcome mastery score``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

import attrs

from mastery_grading._text import Decimal, MissingScores, check_missing_scores, skipped_note
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError, MasteryGradingError
from mastery_grading.gradebook import Duplicates, check_duplicates_option
from mastery_grading.io._common import (
    Problems,
    Row,
    Source,
    cell_problem,
    csv_text,
    format_number,
    map_columns,
    parse_csv,
    parse_int,
    parse_number,
    parse_timestamp,
    read_text,
    source_name,
    write_text_atomic,
)
from mastery_grading.io.native import EvidenceFile, drop_duplicates
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "CANVAS_RESULTS_COLUMNS",
    "UNDATED",
    "CanvasResults",
    "canvas_results_text",
    "read_canvas_results",
    "write_canvas_results",
]

#: The columns of the report, in the order Canvas writes them (and :func:`write_canvas_results`).
CANVAS_RESULTS_COLUMNS = (
    "student name",
    "student id",
    "student sis id",
    "assessment title",
    "assessment id",
    "assessment type",
    "submission date",
    "submission score",
    "learning outcome name",
    "learning outcome id",
    "attempt",
    "outcome score",
    "assessment question",
    "assessment question id",
    "course name",
    "course id",
    "course sis id",
    "section name",
    "section id",
    "section sis id",
    "assignment url",
    "learning outcome friendly name",
    "learning outcome points possible",
    "learning outcome mastery score",
    "learning outcome mastered",
    "learning outcome rating",
    "learning outcome rating points",
    "account id",
    "account name",
    "enrollment state",
)
#: The moment given to a result whose ``submission date`` is blank (``missing_dates="oldest"``):
#: the Unix epoch, the time Canvas orders such a result at, so that it counts as the oldest.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)

_MISSING_DATES = ("oldest", "skip", "error")
_VARIANT_COLUMNS = ("assignment title", "assignment id", "assignment type")
_REQUIRED = ("student id", "learning outcome id", "outcome score", "submission date")
_SOURCE = re.compile(r"(assignment|quiz|assessment):([^:]+)(?::question:(.+))?")


@attrs.frozen(kw_only=True)
class CanvasResults:
    r"""What :func:`read_canvas_results` found.

    Attributes:
        evidence: One piece of evidence per row with a score, in file order.
        targets: One target per outcome, in order of first appearance.
        students: Student names by student id.
        sis_ids: Student SIS ids by student id (rows whose ``student sis id`` is filled in).
        contexts: Course names by course id (the evidence ``context``).
        rosters: The students of each course id (``""`` for rows without one), including students
            whose every score is blank, so that they still appear with "no evidence".
        sections: The sections of each student (``section id``, or ``section name`` where the
            report has no ids), in order of first appearance; students of rows without a
            section are not listed. Pass it to
            :meth:`ResultTable.aggregate <mastery_grading.gradebook.ResultTable.aggregate>`
            for Canvas's section mean or median.
        warnings: Notes that did not stop reading (unknown columns, blank scores skipped,
            outcome settings that differ between rows), each naming file and line.

    Example:
        >>> import io
        >>> text = "student id,learning outcome id,outcome score,submission date\n"
        >>> text += "1042,310,3.0,2024-10-02T13:05:00-05:00\n"
        >>> found = read_canvas_results(io.StringIO(text))
        >>> len(found.evidence), found.targets[0].id, found.rosters
        (1, '310', {'': ('1042',)})
    """

    evidence: tuple[Evidence, ...]
    targets: tuple[LearningTarget, ...]
    students: Mapping[str, str] = attrs.field(factory=dict)
    contexts: Mapping[str, str] = attrs.field(factory=dict)
    rosters: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    sis_ids: Mapping[str, str] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()
    sections: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: The line of each piece of evidence in the report (for messages about it).
    lines: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)
    #: The column (1-based) of each evidence field in the report.
    field_columns: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def student_attributes(self) -> dict[str, Mapping[str, tuple[str, ...]]]:
        r"""What to give a gradebook as ``student_attributes=``: ``{"section": sections}``.

        Then ``results(...).aggregate(by="section")`` is Canvas's section statistic. Empty
        when the report has no section column.

        Example:
            >>> import io
            >>> text = "student id,section id,learning outcome id,outcome score,submission date\n"
            >>> text += "1042,95,310,3.0,2024-10-02T13:05:00-05:00\n"
            >>> read_canvas_results(io.StringIO(text)).student_attributes
            {'section': {'1042': ('95',)}}
        """
        return {"section": self.sections} if self.sections else {}


def _source_id(row: Row, columns: Mapping[str, int]) -> str | None:
    kind = row.get(columns.get("assessment type"))
    ident = row.get(columns.get("assessment id")) or row.get(columns.get("assignment id"))
    question = row.get(columns.get("assessment question id"))
    if not ident:
        return None
    source = f"{kind}:{ident}" if kind else ident
    if question:
        source += f":question:{question}"
    return source


def _outcome_scale(
    row: Row,
    columns: Mapping[str, int],
    problems: Problems,
    default: Scale,
    number: Callable[[str], float],
) -> Scale | None:
    possible = cell_problem(
        problems, row, columns, "learning outcome points possible", number, required=False
    )
    mastery = cell_problem(
        problems, row, columns, "learning outcome mastery score", number, required=False
    )
    if possible is None and mastery is None:
        return default
    if possible is None or mastery is None:
        given = "points possible" if mastery is None else "mastery score"
        problems.add(
            f"learning outcome {given} is given without the other; give both or neither",
            line=row.line,
        )
        return None
    try:
        return Scale(min=0.0, max=possible, mastery=mastery)
    except MasteryGradingError as error:
        problems.add(f"learning outcome scale: {error}", line=row.line)
        return None


def read_canvas_results(
    source: Source,
    *,
    student_key: str = "id",
    assume_tz: tzinfo | None = None,
    default_scale: Scale | None = None,
    missing_dates: Literal["oldest", "skip", "error"] = "oldest",
    strict: bool = False,
    duplicates: Duplicates = "error",
    missing_scores: MissingScores = "skip",
    decimal: Decimal | None = None,
) -> CanvasResults:
    r"""Read a Canvas "Outcome Results" report into evidence and targets.

    Args:
        source: A path or an open file. UTF-8 with or without a byte order mark; ``,`` or ``;``
            separated.
        student_key: ``"id"`` (Canvas user id, the default) or ``"sis_id"`` (the SIS id).
        assume_tz: Time zone for submission dates without a UTC offset (by default a problem).
        default_scale: The scale of outcomes whose rows give neither points possible nor a mastery
            score (Marzano's 0-4 by default).
        missing_dates: What a scored row with a blank ``submission date`` becomes. ``"oldest"``
            (the default, Canvas's own rule): evidence dated :data:`UNDATED`, so that it counts
            before every dated result, with a warning. ``"skip"``: skipped, with a warning.
            ``"error"``: a problem.
        strict: Make unknown columns a problem instead of a warning.
        duplicates: What to do with duplicate results (same student, outcome, time, score,
            source and kind): ``"error"`` (default: every copy listed by line), ``"drop"``
            (keep the first) or ``"keep"`` (count each).
        missing_scores: ``"skip"`` (the default) skips a blank score as missing evidence, with
            one warning for the file; ``"error"`` makes it a problem.
        decimal: The decimal mark of numbers, ``"."`` or ``","``; by default ``,`` in a
            ``;``-separated file (Canvas's "use semicolon separators") and ``.`` otherwise.

    Returns:
        Evidence, targets, student and course names, and warnings.

    Raises:
        DataFileError: Listing every problem (file, line, column, what is wrong), such as a
            missing required column, a score that is not a number or lies outside the outcome's
            points, or a date without a UTC offset.
        InvalidValueError: If ``student_key`` or ``missing_dates`` is not one of its choices.

    Example:
        >>> import io
        >>> header = ("student name,student id,submission date,learning outcome name,"
        ...           "learning outcome id,outcome score,learning outcome points possible,"
        ...           "learning outcome mastery score")
        >>> rows = ['"Diaz, Rosa",1042,2024-10-02T13:05:00-05:00,NS.1 Fractions,310,3.0,4.0,3.0',
        ...         '"Diaz, Rosa",1042,2024-10-20T09:40:00-05:00,NS.1 Fractions,310,,4.0,3.0']
        >>> found = read_canvas_results(io.StringIO("\n".join([header, *rows])))
        >>> [(e.student_id, e.target_id, e.score) for e in found.evidence]
        [('1042', '310', 3.0)]
        >>> found.targets[0].title, found.targets[0].scale.max
        ('NS.1 Fractions', 4.0)
        >>> len(found.warnings)  # the blank score was skipped, not counted as 0
        1
    """
    if student_key not in {"id", "sis_id"}:
        msg = f"student_key={student_key!r} must be 'id' or 'sis_id'"
        raise InvalidValueError(msg)
    if missing_dates not in _MISSING_DATES:
        msg = f"missing_dates={missing_dates!r} must be one of 'oldest', 'skip' or 'error'"
        raise InvalidValueError(msg)
    check_duplicates_option(duplicates)
    missing_scores = check_missing_scores(missing_scores)
    default = default_scale if default_scale is not None else Scale.marzano()
    student_column = "student id" if student_key == "id" else "student sis id"
    required = tuple(student_column if c == "student id" else c for c in _REQUIRED)
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems)
    columns = map_columns(
        table,
        problems,
        required=required,
        optional=(*CANVAS_RESULTS_COLUMNS, *_VARIANT_COLUMNS),
        strict=strict,
    )
    if any(name not in columns for name in required):
        problems.check()
    evidence: list[Evidence] = []
    lines: list[int] = []
    targets: dict[str, LearningTarget] = {}
    first_line: dict[str, int] = {}
    students: dict[str, str] = {}
    sis_ids: dict[str, str] = {}
    rosters: dict[str, dict[str, None]] = {}
    contexts: dict[str, str] = {}
    sections: dict[str, dict[str, None]] = {}
    blank: list[int] = []
    mark = table.decimal(decimal)

    def number(text: str) -> float:
        return parse_number(text, decimal=mark)

    for row in table.rows:
        outcome = cell_problem(problems, row, columns, "learning outcome id", str)
        if outcome is not None and outcome not in targets:
            scale = _outcome_scale(row, columns, problems, default, number)
            title = (
                row.get(columns.get("learning outcome name"))
                or row.get(columns.get("learning outcome friendly name"))
                or outcome
            )
            if scale is not None:
                targets[outcome] = LearningTarget(id=outcome, title=title, scale=scale)
                first_line[outcome] = row.line
        elif outcome is not None:
            scale = _outcome_scale(row, columns, problems, default, number)
            if scale is not None and scale != targets[outcome].scale:
                problems.warn(
                    f"outcome {outcome!r} has points possible/mastery score {scale.max}/"
                    f"{scale.mastery} here but {targets[outcome].scale.max}/"
                    f"{targets[outcome].scale.mastery} on line {first_line[outcome]}; "
                    "the first is used",
                    line=row.line,
                )
        student = cell_problem(problems, row, columns, student_column, str)
        name = row.get(columns.get("student name"))
        if student is not None and name:
            students.setdefault(student, name)
        sis = row.get(columns.get("student sis id"))
        if student is not None and sis and sis != "N/A":
            sis_ids.setdefault(student, sis)
        context = row.get(columns.get("course id")) or None
        course_name = row.get(columns.get("course name"))
        if context is not None and course_name:
            contexts.setdefault(context, course_name)
        if student is not None:
            rosters.setdefault(context or "", {})[student] = None
            section = row.get(columns.get("section id")) or row.get(columns.get("section name"))
            if section:
                sections.setdefault(student, {})[section] = None
        score_index = columns["outcome score"]
        if missing_scores == "skip" and not row.get(score_index):
            blank.append(row.line)
            continue
        score = cell_problem(problems, row, columns, "outcome score", number)
        date_index = columns["submission date"]
        if not row.get(date_index) and missing_dates != "error":
            if missing_dates == "skip":
                problems.warn(
                    "submission date is blank: skipped (missing_dates='skip')",
                    line=row.line,
                    column=date_index + 1,
                )
                continue
            problems.warn(
                "submission date is blank: counted as the oldest evidence, dated "
                f"{UNDATED.isoformat()} (Canvas orders results without a time first)",
                line=row.line,
                column=date_index + 1,
            )
            observed_at = UNDATED
        else:
            observed_at = cell_problem(
                problems,
                row,
                columns,
                "submission date",
                lambda text: parse_timestamp(text, assume_tz=assume_tz),
            )
        attempt = cell_problem(
            problems, row, columns, "attempt", lambda t: parse_int(t, minimum=1), required=False
        )
        if student is None or outcome is None or score is None or observed_at is None:
            continue
        target = targets.get(outcome)
        if target is not None and not target.scale.contains(score):
            problems.add(
                f"outcome score={score!r} lies outside the outcome's points "
                f"[{target.scale.min}, {target.scale.max}]",
                line=row.line,
                column=score_index + 1,
            )
            continue
        evidence.append(
            Evidence(
                student_id=student,
                target_id=outcome,
                score=score,
                observed_at=observed_at,
                source_id=_source_id(row, columns),
                context=context,
                attempt=attempt,
            )
        )
        lines.append(row.line)
    if duplicates != "keep":
        found = drop_duplicates(
            EvidenceFile(evidence=tuple(evidence), lines=tuple(lines)), problems, duplicates
        )
        evidence, lines = list(found.evidence), list(found.lines)
    if blank:
        note = skipped_note("outcome score", "line", blank)
        problems.warn(note, line=blank[0], column=columns["outcome score"] + 1)
    problems.check()
    return CanvasResults(
        evidence=tuple(evidence),
        targets=tuple(targets.values()),
        students=students,
        contexts=contexts,
        rosters={context: tuple(ids) for context, ids in rosters.items()},
        sis_ids=sis_ids,
        warnings=tuple(problems.warnings),
        sections={student: tuple(ids) for student, ids in sections.items()},
        lines=tuple(lines),
        field_columns={
            field: columns[name] + 1
            for field, name in (
                ("student_id", student_column),
                ("target_id", "learning outcome id"),
                ("score", "outcome score"),
                ("observed_at", "submission date"),
            )
            if name in columns
        },
    )


def _row_for(
    item: Evidence,
    target: LearningTarget | None,
    students: Mapping[str, str],
    contexts: Mapping[str, str],
) -> list[Any]:
    values: dict[str, Any] = {
        "student name": students.get(item.student_id),
        "student id": item.student_id,
        "submission date": item.observed_at.isoformat(),
        "learning outcome id": item.target_id,
        "attempt": item.attempt,
        "outcome score": format_number(item.score),
        "course id": item.context,
        "course name": None if item.context is None else contexts.get(item.context),
    }
    if item.source_id is not None:
        match = _SOURCE.fullmatch(item.source_id)
        if match:
            values["assessment type"] = match.group(1)
            values["assessment id"] = match.group(2)
            values["assessment question id"] = match.group(3)
        else:
            values["assessment id"] = item.source_id
    if target is not None:
        scale = target.scale
        values["learning outcome name"] = target.title
        values["learning outcome points possible"] = format_number(scale.max)
        values["learning outcome mastery score"] = format_number(scale.mastery)
        values["learning outcome mastered"] = 1 if scale.is_mastered(item.score) else 0
        values["learning outcome rating"] = scale.level_of(item.score).name
    return [values.get(column) for column in CANVAS_RESULTS_COLUMNS]


def canvas_results_text(
    evidence: Iterable[Evidence],
    targets: Iterable[LearningTarget],
    *,
    students: Mapping[str, str] | None = None,
    contexts: Mapping[str, str] | None = None,
) -> str:
    """Return evidence as an "Outcome Results" report (all 30 columns; unknown ones blank).

    Canvas has no field for an evidence weight, kind or independence, so only evidence with the
    defaults reads back equal. Targets must have a scale starting at 0 (Canvas points).

    Raises:
        InvalidValueError: If evidence names a target not given, or a target's scale does not
            start at 0.

    Example:
        >>> import io
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> target = LearningTarget(id="310", title="Compare fractions")
        >>> e = Evidence(student_id="1042", target_id="310", score=3.0, source_id="quiz:904",
        ...              observed_at=datetime(2024, 10, 2, 18, 5, tzinfo=timezone.utc))
        >>> text = canvas_results_text([e], [target], students={"1042": "Diaz, Rosa"})
        >>> read_canvas_results(io.StringIO(text)).evidence == (e,)
        True
    """
    by_id = {target.id: target for target in targets}
    for target in by_id.values():
        if target.scale.min != 0:
            msg = (
                f"target {target.id!r} has scale min={target.scale.min!r}; Canvas outcome "
                "points start at 0"
            )
            raise InvalidValueError(msg)
    items = list(evidence)
    for item in items:
        if item.target_id not in by_id:
            msg = f"evidence names target {item.target_id!r}, which is not among the targets"
            raise InvalidValueError(msg)
    rows = [_row_for(item, by_id[item.target_id], students or {}, contexts or {}) for item in items]
    return csv_text(CANVAS_RESULTS_COLUMNS, rows)


def write_canvas_results(
    path: str | os.PathLike[str],
    evidence: Iterable[Evidence],
    targets: Iterable[LearningTarget],
    *,
    students: Mapping[str, str] | None = None,
    contexts: Mapping[str, str] | None = None,
) -> None:
    """Write evidence to ``path`` as an "Outcome Results" report, atomically.

    See :func:`canvas_results_text`; :func:`read_canvas_results` reads it back.

    Example:
        >>> import tempfile
        >>> from datetime import datetime, timezone
        >>> from pathlib import Path
        >>> from mastery_grading import Evidence, LearningTarget
        >>> e = Evidence(student_id="1042", target_id="310", score=3.0,
        ...              observed_at=datetime(2024, 10, 2, tzinfo=timezone.utc))
        >>> path = Path(tempfile.mkdtemp()) / "outcome_results.csv"
        >>> write_canvas_results(path, [e], [LearningTarget(id="310", title="NS.1")])
        >>> read_canvas_results(path).evidence == (e,)
        True
    """
    text = canvas_results_text(evidence, targets, students=students, contexts=contexts)
    write_text_atomic(path, text)
