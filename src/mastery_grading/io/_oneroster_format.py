"""The OneRoster 1.2 CSV gradebook format: its files, their columns and the records read.

See :mod:`mastery_grading.io.oneroster`, which reads and writes it and re-exports these names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError

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

    def evidence(self, *, tz: tzinfo = UTC) -> tuple[Evidence, ...]:
        """Return one piece of evidence per scored objective of each result.

        A result's per-objective scores (``resultLearningObjectiveIds.csv``) are used when
        present; otherwise its overall score counts for every objective of its line item. The
        moment is the ``scoreDate`` at midnight in ``tz``, and the source is the line item.

        Raises:
            BulkValidationError: If a result has no ``scoreDate``.
        """
        by_result: dict[str, list[ObjectiveResult]] = {}
        for item in self.result_objectives:
            by_result.setdefault(item.result_id, []).append(item)
        by_line_item: dict[str, list[ObjectiveLink]] = {}
        for link in self.line_item_objectives:
            by_line_item.setdefault(link.line_item_id, []).append(link)
        found: list[Evidence] = []
        problems: list[tuple[int, str]] = []
        for position, result in enumerate(self.results):
            scores = [
                (item.learning_objective_id, item.score)
                for item in by_result.get(result.sourced_id, [])
            ]
            if not scores:
                scores = [
                    (link.learning_objective_id, result.score)
                    for link in by_line_item.get(result.line_item_id, [])
                ]
            scores = [(objective, score) for objective, score in scores if score is not None]
            if not scores:
                continue
            if result.score_date is None:
                problems.append((position, f"result {result.sourced_id!r} has no scoreDate"))
                continue
            moment = datetime.combine(result.score_date, time(), tzinfo=tz)
            for objective, score in scores:
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
        if problems:
            raise BulkValidationError(problems)
        return tuple(found)
