"""The OneRoster 1.2 CSV gradebook format: its files, their columns and the records read.

See :mod:`mastery_grading.io.oneroster`, which reads and writes it and re-exports these names.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo

import attrs

from mastery_grading._text import (
    MissingScores,
    MissingScoreWarning,
    check_missing_scores,
    skipped_note,
)
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import DataFileError, Problem

#: A UUID, with or without the ``urn:uuid:`` prefix (CASE learning objective ids).
UUID = re.compile(r"(?:urn:uuid:)?[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

#: The columns every OneRoster file starts with.
BASE = ("sourcedId", "status", "dateLastModified")
#: The gradebook files we read and write, with their columns in spec order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "lineItems": (
        *BASE,
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "resultValueMin",
        "resultValueMax",
        "schoolSourcedId",
    ),
    "results": (
        *BASE,
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
        "scoreDate",
        "comment",
        "textScore",
        "classSourcedId",
        "inProgress",
        "incomplete",
        "late",
        "missing",
    ),
    "lineItemLearningObjectiveIds": (
        *BASE,
        "lineItemSourcedId",
        "source",
        "learningObjectiveId",
    ),
    "resultLearningObjectiveIds": (
        *BASE,
        "resultSourcedId",
        "source",
        "learningObjectiveId",
        "score",
        "textScore",
    ),
}
#: The columns each gradebook file must have.
REQUIRED: dict[str, tuple[str, ...]] = {
    "lineItems": (
        "sourcedId",
        "title",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "academicSessionSourcedId",
        "schoolSourcedId",
    ),
    "results": ("sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "scoreDate"),
    "lineItemLearningObjectiveIds": (
        "sourcedId",
        "lineItemSourcedId",
        "source",
        "learningObjectiveId",
    ),
    "resultLearningObjectiveIds": ("sourcedId", "resultSourcedId", "source", "learningObjectiveId"),
}
#: The files a gradebook package lists as absent in its manifest.
ABSENT = ("categories", "scoreScales", "lineItemScoreScales", "resultScoreScales")


@attrs.frozen(kw_only=True)
class LineItem:
    """A row of ``lineItems.csv``: something scored, here one learning target.

    Example:
        >>> LineItem(sourced_id="li:NS.1", title="Fractions", class_id="cls-1").result_value_max
    """

    sourced_id: str
    title: str
    class_id: str
    assign_date: date | None = None
    due_date: date | None = None
    category_id: str | None = None
    academic_session_id: str | None = None
    school_id: str | None = None
    result_value_min: float | None = None
    result_value_max: float | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class Result:
    """A row of ``results.csv``: one student's score on one line item.

    Example:
        >>> Result(sourced_id="r1", line_item_id="li:NS.1", student_id="stu-1",
        ...        score_status="fully graded", score=3.0, score_date=None).score
        3.0
    """

    sourced_id: str
    line_item_id: str
    student_id: str
    score_status: str
    score: float | None
    score_date: date | None
    text_score: str | None = None
    comment: str | None = None
    class_id: str | None = None
    missing: bool | None = None
    #: The line of ``results.csv`` it was read from (not compared; ``None`` when built).
    line: int | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def is_expected_blank(self) -> bool:
        """Whether the result explains a blank score (missing, not submitted or exempt).

        Example:
            >>> Result(sourced_id="r1", line_item_id="li", student_id="s",
            ...        score_status="not submitted", score=None, score_date=None).is_expected_blank
            True
        """
        status = self.score_status.strip().lower()
        return bool(self.missing) or status in ("not submitted", "exempt")


@attrs.frozen(kw_only=True)
class ObjectiveLink:
    """A row of ``lineItemLearningObjectiveIds.csv``: a line item assesses an objective.

    Example:
        >>> ObjectiveLink(sourced_id="l1", line_item_id="li:NS.1", source="unknown",
        ...               learning_objective_id="NS.1").source
        'unknown'
    """

    sourced_id: str
    line_item_id: str
    source: str
    learning_objective_id: str


@attrs.frozen(kw_only=True)
class ObjectiveResult:
    """A row of ``resultLearningObjectiveIds.csv``: a result's score on one objective.

    Example:
        >>> ObjectiveResult(sourced_id="o1", result_id="r1", source="unknown",
        ...                 learning_objective_id="NS.1", score=3.0, text_score="meets").text_score
        'meets'
    """

    sourced_id: str
    result_id: str
    source: str
    learning_objective_id: str
    score: float | None = None
    text_score: str | None = None
    #: The line of ``resultLearningObjectiveIds.csv`` it was read from (not compared).
    line: int | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class OneRosterGradebook:
    """What :func:`read_oneroster` found.

    Attributes:
        manifest: The ``manifest.csv`` properties (empty when there is none).
        line_items: Rows of ``lineItems.csv``.
        results: Rows of ``results.csv``.
        line_item_objectives: Rows of ``lineItemLearningObjectiveIds.csv``.
        result_objectives: Rows of ``resultLearningObjectiveIds.csv``.
        warnings: Notes that did not stop reading.
        source: The folder or zip file read (not compared): problems name its files.

    Example:
        >>> OneRosterGradebook(manifest={}).evidence()
        ()
    """

    manifest: Mapping[str, str]
    line_items: tuple[LineItem, ...] = ()
    results: tuple[Result, ...] = ()
    line_item_objectives: tuple[ObjectiveLink, ...] = ()
    result_objectives: tuple[ObjectiveResult, ...] = ()
    warnings: tuple[str, ...] = ()
    source: str = attrs.field(default="", eq=False, repr=False)

    def evidence(
        self, *, tz: tzinfo = UTC, missing_scores: MissingScores = "skip"
    ) -> tuple[Evidence, ...]:
        """Return one piece of evidence per scored objective of each result.

        A result's per-objective scores (``resultLearningObjectiveIds.csv``) are used when
        present; otherwise its overall score counts for every objective of its line item. The
        moment is the ``scoreDate`` at midnight in ``tz``, and the source is the line item.
        A blank score is no evidence. Where the result says why (``missing=true``, or the
        status ``not submitted`` or ``exempt``) it is skipped silently; otherwise it is a
        missing score, skipped and counted in one
        :class:`~mastery_grading.MissingScoreWarning`, or a problem with
        ``missing_scores="error"``.

        Raises:
            DataFileError: If a scored result has no ``scoreDate``, or a score is missing with
                ``missing_scores="error"``; every problem names its file and line.

        Example:
            >>> from datetime import date
            >>> book = OneRosterGradebook(manifest={}, results=(
            ...     Result(sourced_id="r1", line_item_id="li", student_id="s",
            ...            score_status="fully graded", score=3.0, score_date=date(2024, 10, 2)),),
            ...     line_item_objectives=(ObjectiveLink(sourced_id="l1", line_item_id="li",
            ...                                         source="unknown", learning_objective_id="T"),))
            >>> [(e.target_id, e.score) for e in book.evidence()]
            [('T', 3.0)]
        """  # noqa: E501
        found = self.evidence_with_lines(tz=tz, missing_scores=missing_scores)
        if found.skipped:
            warnings.warn(found.skipped_note(), MissingScoreWarning, stacklevel=2)
        return found.evidence

    def evidence_with_lines(
        self, *, tz: tzinfo = UTC, missing_scores: MissingScores = "skip"
    ) -> OneRosterEvidence:
        """Return the evidence of :meth:`evidence` with where each piece was read, warning-free.

        Raises:
            DataFileError: As :meth:`evidence`.

        Example:
            >>> OneRosterGradebook(manifest={}).evidence_with_lines().skipped
            ()
        """
        check_missing_scores(missing_scores)
        by_result: dict[str, list[ObjectiveResult]] = {}
        for item in self.result_objectives:
            by_result.setdefault(item.result_id, []).append(item)
        by_line_item: dict[str, list[ObjectiveLink]] = {}
        for link in self.line_item_objectives:
            by_line_item.setdefault(link.line_item_id, []).append(link)
        results_file = self._file("results.csv")
        objectives_file = self._file("resultLearningObjectiveIds.csv")
        found: list[Evidence] = []
        places: list[tuple[str, int | None]] = []
        problems: list[Problem] = []
        skipped: list[tuple[str, int | None]] = []
        for result in self.results:
            scores: list[tuple[str, float | None, str, int | None]] = [
                (item.learning_objective_id, item.score, objectives_file, item.line)
                for item in by_result.get(result.sourced_id, [])
            ]
            if not scores:
                scores = [
                    (link.learning_objective_id, result.score, results_file, result.line)
                    for link in by_line_item.get(result.line_item_id, [])
                ]
            blank = [(file, line) for _, score, file, line in scores if score is None]
            if blank and not result.is_expected_blank:
                if missing_scores == "error":
                    problems.extend(
                        Problem(
                            message=f"score of result {result.sourced_id!r} is blank",
                            source=file,
                            line=line,
                            field="score",
                            expected="a score (or missing=true, or status 'not submitted')",
                        )
                        for file, line in blank
                    )
                else:
                    skipped.extend(blank)
            scored = [(t, score, f, n) for t, score, f, n in scores if score is not None]
            if not scored:
                continue
            if result.score_date is None:
                message = f"result {result.sourced_id!r} has no scoreDate"
                problems.append(Problem(message=message, source=results_file, line=result.line))
                continue
            moment = datetime.combine(result.score_date, time(), tzinfo=tz)
            for objective, score, file, line in scored:
                assert score is not None
                found.append(
                    Evidence(
                        student_id=result.student_id,
                        target_id=objective,
                        score=score,
                        observed_at=moment,
                        source_id=result.line_item_id,
                        context=result.class_id,
                    )
                )
                places.append((file, line))
        if problems:
            raise DataFileError(problems)
        return OneRosterEvidence(
            evidence=tuple(found), places=tuple(places), skipped=tuple(skipped)
        )

    def _file(self, name: str) -> str:
        return f"{self.source}/{name}" if self.source else name


@attrs.frozen(kw_only=True)
class OneRosterEvidence:
    """The evidence of a OneRoster gradebook, where each piece was read, and the blank scores.

    Attributes:
        evidence: The evidence, in the order of ``results.csv``.
        places: The (file, line) each piece was read from (line ``None`` when not read).
        skipped: The (file, line) of each missing score skipped.

    Example:
        >>> OneRosterEvidence(evidence=(), places=(), skipped=(("results.csv", 3),)).skipped_note()
        'results.csv:3: score is blank: missing evidence, skipped (not counted as 0)'
    """

    evidence: tuple[Evidence, ...]
    places: tuple[tuple[str, int | None], ...]
    skipped: tuple[tuple[str, int | None], ...] = ()

    def skipped_note(self) -> str:
        """The one warning for every missing score skipped, naming the files and lines."""
        files = ", ".join(dict.fromkeys(file for file, _ in self.skipped))
        positions: list[object] = ["?" if line is None else line for _, line in self.skipped]
        note = skipped_note("score", "line", positions)
        if len(positions) == 1 and positions[0] != "?":  # file:line: as the CSV readers say
            return f"{files}:{positions[0]}: {note}"
        return f"{files}: {note}"
