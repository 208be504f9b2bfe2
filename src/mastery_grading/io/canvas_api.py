"""Canvas REST API outcome results (``GET /api/v1/courses/:id/outcome_results``) as evidence.

The Outcome Results API returns ``{"outcome_results": [...], "linked": {...}}``; with
``include[]=outcomes`` and ``include[]=users``, ``linked`` describes the outcomes and students.
:func:`read_canvas_api_results` accepts that document as a JSON file, a parsed ``dict``, or the
list of results that ``canvasapi``'s ``Course.get_outcome_results()`` yields (dicts or objects
with the same attributes), without depending on ``canvasapi``.

How a result becomes :class:`~mastery_grading.Evidence`: ``links.user`` is the student,
``links.learning_outcome`` the target, ``score`` the score (``null`` is missing evidence, never
0), ``submitted_or_assessed_at`` the moment and ``links.alignment`` (``"assignment_881"``) the
source, written ``assignment:881`` as in the Outcome Results report. Linked outcomes become
targets whose scale comes from their ratings (as in the outcomes CSV); an outcome that is not
linked gets a scale from 0 to the result's ``possible`` points with mastery at 3/4 of them
(Canvas's default, 3 of 4), and a warning.

A result's ``score`` is on *its own* scale, ``possible`` points (a rubric of 5 points aligned to
a 4-point outcome, a quiz of 12 points). Canvas puts it on the outcome's scale before any
calculation (``RollupScoreAggregatorHelper#result_score`` in ``instructure/canvas-lms``): a
result with a ``percent`` counts ``percent x points_possible`` of the outcome (``percent x
mastery_points`` when the outcome's ``points_possible`` is 0), and Canvas stores ``percent =
score / possible``. So does the reader (``rescale=True``, the default):

- ``percent`` given and differing from ``score / possible`` (a quiz: ``score`` is quiz points;
  a custom mastery scale): ``percent x P``;
- otherwise ``possible`` given, positive and not ``P``: ``score / possible x P`` (2 of 5 on a
  4-point outcome is 1.6);
- otherwise the score as it is (already on the outcome's points),

where ``P`` is the outcome's ``points_possible`` (its top rating if not given; its
``mastery_points`` if ``points_possible`` is 0). One warning counts the rescaled results and
shows the first few. Canvas pools the question results of one quiz into one percent for its
time-based methods; the reader keeps one piece of evidence per result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.io._common import (
    Problems,
    Source,
    json_number,
    load_json,
    parse_timestamp,
    source_name,
)
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

__all__ = ["CanvasApiResults", "read_canvas_api_results", "read_canvas_sections"]

_ALIGNMENT = re.compile(r"([a-z_]+?)_(\d+)")
#: How many rescaled results the warning shows.
_SHOWN = 3


@attrs.frozen(kw_only=True)
class CanvasApiResults:
    """What :func:`read_canvas_api_results` found.

    Attributes:
        evidence: One piece of evidence per result with a score, in input order.
        targets: One target per outcome, linked outcomes first.
        students: Student names by id, from ``linked.users`` when included.
        warnings: Notes that did not stop reading (results without a score, skipped).

    Example:
        >>> found = read_canvas_api_results({"outcome_results": []})
        >>> found.evidence, found.targets
        ((), ())
    """

    evidence: tuple[Evidence, ...]
    targets: tuple[LearningTarget, ...]
    students: Mapping[str, str] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()


def _get(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        try:
            text = str(value).strip()
        except ValueError:  # an int longer than Python prints: no id is that long
            return None
        return text or None
    return None


def _number(value: Any, name: str, problems: Problems) -> tuple[bool, float | None]:
    """Return ``(ok, number)``: ``None`` stays ``None``; anything but a finite number is a problem.

    An int too large for a float is reported by ``name``, not left to overflow.
    """
    if value is None:
        return True, None
    try:
        return True, json_number(value, name)
    except ValueError as error:
        problems.add(str(error))
        return False, None


def _outcome_target(
    outcome: Any, where: str, problems: Problems
) -> tuple[LearningTarget, float] | None:
    """The target of a linked outcome and ``P``, the points a result's percent is taken of."""
    ident = _text(_get(outcome, "id"))
    title = _text(_get(outcome, "title")) or _text(_get(outcome, "display_name"))
    if ident is None:
        problems.add(f"{where}.id is missing")
        return None
    ratings: list[tuple[float, str]] = []
    found_ratings = _get(outcome, "ratings") or []
    if not isinstance(found_ratings, list):
        problems.add(f"{where}.ratings must be a list")
        return None
    for index, rating in enumerate(found_ratings):
        ok, points = _number(_get(rating, "points"), f"{where}.ratings[{index}].points", problems)
        name = _text(_get(rating, "description"))
        if not ok:
            return None
        if points is None or name is None:
            problems.add(f"{where}.ratings[{index}] needs numeric points and a description")
            return None
        ratings.append((points, name))
    ok_mastery, mastery = _number(
        _get(outcome, "mastery_points"), f"{where}.mastery_points", problems
    )
    ok_possible, possible = _number(
        _get(outcome, "points_possible"), f"{where}.points_possible", problems
    )
    if not (ok_mastery and ok_possible):
        return None
    try:
        if ratings:
            levels: list[Level] = []
            for points, name in sorted(ratings):
                if levels and points == levels[-1].minimum:
                    continue
                levels.append(Level(name=name, minimum=0.0 if not levels else points))
            top = max(points for points, _ in ratings)
            scale = Scale(
                min=0.0, max=top, mastery=mastery if mastery is not None else top, levels=levels
            )
        elif possible is not None and possible > 0:
            scale = Scale(
                min=0.0, max=possible, mastery=mastery if mastery is not None else possible
            )
        elif possible == 0 and mastery is not None and mastery > 0:
            # Canvas takes a percent of the mastery points when points possible is 0
            scale = Scale(min=0.0, max=mastery, mastery=mastery)
        elif possible is not None:
            problems.add(f"{where}.points_possible={possible!r} must be a positive number")
            return None
        else:
            scale = Scale.marzano()
        if possible is not None and possible > 0:
            base = possible
        elif possible == 0 and mastery is not None and mastery > 0:
            base = mastery
        else:
            base = scale.max
        return LearningTarget(id=ident, title=title or ident, scale=scale), base
    except (MasteryGradingError, TypeError) as error:
        problems.add(f"{where}: {error}")
        return None


def _on_outcome_scale(
    score: float, possible: float | None, percent: float | None, base: float
) -> tuple[float, str | None]:
    """Canvas's points on the outcome's scale for a result, and how they were found.

    See the module docstring; the second item is ``None`` when the score is kept as it is.
    """
    if percent is not None and not (
        possible is not None and possible > 0 and math.isclose(percent, score / possible)
    ):
        return percent * base, f"percent={percent!r} x {base!r}"
    if possible is not None and possible > 0 and possible != base:
        return score / possible * base, f"score={score!r} / possible={possible!r} x {base!r}"
    return score, None


def read_canvas_api_results(
    source: Source | Mapping[str, Any] | Iterable[Any], *, rescale: bool = True
) -> CanvasApiResults:
    """Read Canvas Outcome Results API output into evidence and targets.

    Args:
        source: A path or open file holding the API's JSON, the parsed document (a ``dict``
            with ``outcome_results``), or an iterable of results (dicts or ``canvasapi``
            objects).
        rescale: Put each score on its outcome's points as Canvas does (the default): ``percent
            x points_possible`` for a result whose ``percent`` is not ``score / possible`` (a
            quiz), else ``score / possible x points_possible`` (2 of 5 on a 4-point outcome is
            1.6); see the module docstring. ``False`` keeps ``score`` as it is (a score above
            the outcome's points is then a problem).

    Raises:
        DataFileError: Listing every problem, each naming the result (``outcome_results[3]``)
            and what is wrong: a missing user or outcome link, a timestamp without an offset,
            a score outside the outcome's points, a number too large for a float (such as a
            400-digit integer) or invalid JSON (with its line and column).

    Example:
        >>> document = {
        ...     "outcome_results": [
        ...         {"id": 5501, "score": 3.0, "possible": 4.0,
        ...          "submitted_or_assessed_at": "2024-10-02T18:05:00Z",
        ...          "links": {"user": "1042", "learning_outcome": "310",
        ...                    "alignment": "assignment_881"}},
        ...         {"id": 5502, "score": None, "possible": 4.0,
        ...          "submitted_or_assessed_at": "2024-10-09T18:05:00Z",
        ...          "links": {"user": "1042", "learning_outcome": "310"}}],
        ...     "linked": {"outcomes": [
        ...         {"id": 310, "title": "NS.1 Compare fractions", "mastery_points": 3,
        ...          "ratings": [{"points": 4, "description": "Exceeds"},
        ...                      {"points": 3, "description": "Meets"},
        ...                      {"points": 0, "description": "Not yet"}]}]}}
        >>> found = read_canvas_api_results(document)
        >>> [(e.student_id, e.target_id, e.score, e.source_id) for e in found.evidence]
        [('1042', '310', 3.0, 'assignment:881')]
        >>> [level.name for level in found.targets[0].scale.levels]
        ['Not yet', 'Meets', 'Exceeds']

        A rubric result of 2 out of 5 points on this 4-point outcome counts 2 / 5 x 4 = 1.6,
        as in Canvas, and a quiz result counts its percent of the outcome's points:

        >>> document["outcome_results"] = [
        ...     {"score": 2.0, "possible": 5.0, "submitted_or_assessed_at": "2024-10-02T18:05:00Z",
        ...      "links": {"user": "1042", "learning_outcome": "310"}},
        ...     {"score": 9.0, "possible": 12.0, "percent": 0.75,
        ...      "submitted_or_assessed_at": "2024-10-09T18:05:00Z",
        ...      "links": {"user": "1042", "learning_outcome": "310", "alignment": "quiz_904"}}]
        >>> found = read_canvas_api_results(document)
        >>> [e.score for e in found.evidence]
        [1.6, 3.0]
        >>> print(found.warnings[0])
        <dict>: 2 results rescaled to their outcome's points as Canvas does (score / possible x points possible, or percent x points possible): outcome_results[0]: score=2.0 / possible=5.0 x 4.0 = 1.6; outcome_results[1]: score=9.0 / possible=12.0 x 4.0 = 3.0
    """  # noqa: E501
    problems = Problems(source_name(source) if not isinstance(source, Mapping) else "<dict>")
    document: Any
    if isinstance(source, Mapping) or (
        not isinstance(source, str) and isinstance(source, Iterable) and not hasattr(source, "read")
    ):
        document = source
    else:
        document = load_json(source, problems)
    if isinstance(document, Mapping):
        results = document.get("outcome_results")
        linked = document.get("linked") or {}
    else:
        results, linked = document, {}
    if isinstance(results, str | bytes | Mapping) or not isinstance(results, Iterable):
        problems.add("expected 'outcome_results', a list of results")
        problems.check()
        results = ()
    if not isinstance(linked, Mapping):
        problems.add("'linked' must be an object")
        linked = {}
    targets: dict[str, LearningTarget] = {}
    bases: dict[str, float] = {}
    rescaled: list[str] = []
    outcomes = linked.get("outcomes") or []
    users = linked.get("users") or []
    if not isinstance(outcomes, list) or not isinstance(users, list):
        problems.add("'linked.outcomes' and 'linked.users' must be lists")
        outcomes, users = [], []
    for index, outcome in enumerate(outcomes):
        found = _outcome_target(outcome, f"linked.outcomes[{index}]", problems)
        if found is not None and found[0].id not in targets:
            targets[found[0].id], bases[found[0].id] = found
    students: dict[str, str] = {}
    for user in users:
        ident, name = _text(_get(user, "id")), _text(_get(user, "name"))
        if ident is not None and name is not None:
            students[ident] = name
    evidence: list[Evidence] = []
    for index, result in enumerate(results):
        where = f"outcome_results[{index}]"
        links = _get(result, "links")
        student = _text(_get(links, "user")) if links is not None else None
        outcome = _text(_get(links, "learning_outcome")) if links is not None else None
        if student is None or outcome is None:
            problems.add(f"{where}.links needs 'user' and 'learning_outcome'")
            continue
        raw_score = _get(result, "score")
        if raw_score is None:
            problems.warn(f"{where}: score is null: missing evidence, skipped (not counted as 0)")
            continue
        ok, score = _number(raw_score, f"{where}.score", problems)
        if not ok or score is None:
            continue
        moment_text = _text(_get(result, "submitted_or_assessed_at"))
        try:
            moment = parse_timestamp(moment_text or "")
        except ValueError as error:
            problems.add(f"{where}.submitted_or_assessed_at: {error}")
            continue
        ok, possible = _number(_get(result, "possible"), f"{where}.possible", problems)
        ok_percent, percent = _number(_get(result, "percent"), f"{where}.percent", problems)
        if not (ok and ok_percent):
            continue
        if outcome not in targets:
            top = possible if possible is not None and possible > 0 else 4.0
            targets[outcome] = LearningTarget(
                id=outcome, title=outcome, scale=Scale(min=0.0, max=top, mastery=top * 3 / 4)
            )
            bases[outcome] = top
            problems.warn(
                f"{where}: outcome {outcome!r} is not in linked.outcomes (ask the API with "
                "include[]=outcomes); its mastery threshold is assumed at 3/4 of its points"
            )
        how = None
        if rescale:
            score, how = _on_outcome_scale(score, possible, percent, bases[outcome])
        if not targets[outcome].scale.contains(score):
            problems.add(
                f"{where}.score={score!r}{'' if how is None else f' (= {how})'} lies outside "
                f"the outcome's points [{targets[outcome].scale.min}, "
                f"{targets[outcome].scale.max}]"
            )
            continue
        if how is not None:
            rescaled.append(f"{where}: {how} = {score!r}")
        alignment = _text(_get(links, "alignment")) or _text(_get(links, "assignment"))
        match = _ALIGNMENT.fullmatch(alignment or "")
        source_id = f"{match.group(1)}:{match.group(2)}" if match else alignment
        evidence.append(
            Evidence(
                student_id=student,
                target_id=outcome,
                score=score,
                observed_at=moment,
                source_id=source_id,
            )
        )
    if rescaled:
        shown = "; ".join(rescaled[:_SHOWN])
        more = f"; and {len(rescaled) - _SHOWN} more" if len(rescaled) > _SHOWN else ""
        problems.warn(
            f"{len(rescaled)} result{'s' if len(rescaled) > 1 else ''} rescaled to their "
            "outcome's points as Canvas does (score / possible x points possible, or percent x "
            f"points possible): {shown}{more}"
        )
    problems.check()
    return CanvasApiResults(
        evidence=tuple(evidence),
        targets=tuple(targets.values()),
        students=students,
        warnings=tuple(problems.warnings),
    )


def read_canvas_sections(
    source: Source | Mapping[str, Any] | Iterable[Any],
) -> dict[str, tuple[str, ...]]:
    """Read each student's sections from Canvas's outcome rollups API.

    ``GET /api/v1/courses/:id/outcome_rollups`` returns ``{"rollups": [...]}`` with one rollup
    per student *and section*: its ``links`` give ``user`` and ``section`` ids. The result maps
    each student to their section ids (in order of first appearance), the grouping Canvas's
    section statistics use: pass it to
    :meth:`ResultTable.aggregate <mastery_grading.gradebook.ResultTable.aggregate>`. Rollups
    aggregated over the course (``links.course``, no user) are skipped. Pages of the API can be
    given as one list of rollups.

    Args:
        source: A path or open file holding the API's JSON, the parsed document (a ``dict``
            with ``rollups``), or an iterable of rollups (dicts or objects).

    Raises:
        DataFileError: Listing every rollup without a user or section id (``rollups[3]``), and
            invalid JSON with its line and column.

    Example:
        >>> read_canvas_sections({"rollups": [
        ...     {"scores": [], "links": {"user": "1042", "section": "95", "status": "active"}},
        ...     {"scores": [], "links": {"user": "1042", "section": "96", "status": "active"}},
        ...     {"scores": [], "links": {"user": "1043", "section": "95", "status": "active"}}]})
        {'1042': ('95', '96'), '1043': ('95',)}
    """
    problems = Problems(source_name(source) if not isinstance(source, Mapping) else "<dict>")
    document: Any
    if isinstance(source, Mapping) or (
        not isinstance(source, str) and isinstance(source, Iterable) and not hasattr(source, "read")
    ):
        document = source
    else:
        document = load_json(source, problems)
    rollups = document.get("rollups") if isinstance(document, Mapping) else document
    if isinstance(rollups, str | bytes | Mapping) or not isinstance(rollups, Iterable):
        problems.add("expected 'rollups', a list of rollups")
        problems.check()
        rollups = ()
    found: dict[str, dict[str, None]] = {}
    for index, rollup in enumerate(rollups):
        links = _get(rollup, "links")
        if links is not None and _get(links, "user") is None and _get(links, "course") is not None:
            continue  # the course aggregate row
        student = _text(_get(links, "user")) if links is not None else None
        section = _text(_get(links, "section")) if links is not None else None
        if student is None or section is None:
            problems.add(f"rollups[{index}].links needs 'user' and 'section'")
            continue
        found.setdefault(student, {})[section] = None
    problems.check()
    return {student: tuple(sections) for student, sections in found.items()}
