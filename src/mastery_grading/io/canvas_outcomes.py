"""Canvas outcomes CSV (import/export): learning targets, their scales and their policies.

Canvas imports and exports outcomes as CSV with the columns ``vendor_guid, object_type, title,
description, display_name, calculation_method, calculation_int, parent_guids, workflow_state,
mastery_points, ratings`` in any order; ``ratings`` comes last and spreads over the following
(blank-headed) columns as ``points, description`` pairs with decreasing points.

How a row becomes a :class:`~mastery_grading.LearningTarget`:

- the id is the ``vendor_guid``, except that Canvas's own ``canvas_outcome:310`` becomes ``310``,
  the id that the "Outcome Results" report uses, so that both files join;
- the ratings become the scale's levels (the lowest rating starts at 0), the highest rating's
  points its maximum, and ``mastery_points`` its mastery threshold; an outcome without ratings
  gets Canvas's default scale (4 Exceeds Mastery, 3 Mastery, 2 Near Mastery, 1 Below Mastery,
  0 No Evidence, mastery at 3);
- ``calculation_method`` and ``calculation_int`` become a policy through
  ``mastery_grading.policies.from_canvas``;
- groups (``object_type=group``) are not targets; they give the ``parent_id`` and the outcome
  paths (``Group > Subgroup > Outcome``) that the Learning Mastery Gradebook uses.
"""

from __future__ import annotations

import html.parser
from typing import Any

import attrs

from mastery_grading._text import Decimal
from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.io._canvas_outcomes_format import (
    CANVAS_DEFAULT_RATINGS,
    CANVAS_OUTCOME_COLUMNS,
    OPTIONAL_COLUMNS,
    CanvasMethod,
    CanvasOutcomes,
    OutcomeGroup,
)
from mastery_grading.io._canvas_outcomes_write import canvas_outcomes_text, write_canvas_outcomes
from mastery_grading.io._common import (
    Problems,
    Row,
    Source,
    map_columns,
    normalize_header,
    parse_csv,
    parse_int,
    parse_number,
    read_text,
    source_name,
)
from mastery_grading.policies import from_canvas
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "CANVAS_DEFAULT_RATINGS",
    "CANVAS_OUTCOME_COLUMNS",
    "CanvasMethod",
    "CanvasOutcomes",
    "OutcomeGroup",
    "canvas_outcomes_text",
    "read_canvas_outcomes",
    "write_canvas_outcomes",
]


class _TextOnly(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _target_id(vendor_guid: str) -> str:
    prefix = "canvas_outcome:"
    rest = vendor_guid[len(prefix) :]
    if vendor_guid.startswith(prefix) and rest.isdigit():
        return rest
    return vendor_guid


def _ratings(
    row: Row, start: int | None, problems: Problems, decimal: Decimal = "."
) -> list[tuple[float, str]] | None:
    if start is None:
        return []
    cells = [cell.strip() for cell in row.cells[start:]]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) % 2 == 1:
        problems.add(
            "ratings must be 'points, description' pairs; the last one has no description",
            line=row.line,
            column=start + len(cells),
        )
        return None
    ratings: list[tuple[float, str]] = []
    for offset in range(0, len(cells), 2):
        column = start + offset + 1
        try:
            points = parse_number(cells[offset], decimal=decimal)
        except ValueError as error:
            problems.add(f"ratings points: {error}", line=row.line, column=column)
            return None
        description = cells[offset + 1]
        if not description:
            problems.add("ratings description is blank", line=row.line, column=column + 1)
            return None
        if ratings and points > ratings[-1][0]:
            problems.add(
                f"ratings points must decrease, but {points!r} follows {ratings[-1][0]!r}",
                line=row.line,
                column=column,
            )
            return None
        ratings.append((points, description))
    return ratings


def _scale(
    ratings: list[tuple[float, str]], mastery: float | None, row: Row, problems: Problems
) -> Scale | None:
    if not ratings:
        ratings = list(CANVAS_DEFAULT_RATINGS)
        if mastery is None:
            mastery = 3.0
    if mastery is None:
        problems.add("mastery_points is blank but the outcome has ratings", line=row.line)
        return None
    levels: list[Level] = []
    for points, description in sorted(ratings, key=lambda pair: pair[0]):
        if levels and points == levels[-1].minimum:
            problems.warn(
                f"ratings {description!r} and {levels[-1].name!r} have the same points "
                f"{points!r}; {levels[-1].name!r} is kept",
                line=row.line,
            )
            continue
        levels.append(Level(name=description, minimum=0.0 if not levels else points))
    try:
        return Scale(
            min=0.0, max=max(points for points, _ in ratings), mastery=mastery, levels=levels
        )
    except MasteryGradingError as error:
        problems.add(f"ratings and mastery_points do not make a scale: {error}", line=row.line)
        return None


def _policy(
    method: CanvasMethod,
    new_decaying_average: bool,
    row: Row,
    column: int | None,
    problems: Problems,
) -> Any:
    try:
        return from_canvas(
            method.calculation_method or None,
            method.calculation_int,
            new_decaying_average=new_decaying_average,
        )
    except (MasteryGradingError, ValueError, TypeError) as error:
        problems.add(f"calculation_method: {error}", line=row.line, column=column)
        return None


def read_canvas_outcomes(
    source: Source, *, new_decaying_average: bool = False, strict: bool = False
) -> CanvasOutcomes:
    """Read a Canvas outcomes CSV into targets with scales and policies.

    Args:
        source: A path or an open file; ``,`` or ``;`` separated, with or without a BOM.
        new_decaying_average: Whether the account has Canvas's "new decaying average" feature on
            (it changes the default method to ``weighted_average``).
        strict: Make unknown columns a problem instead of a warning.

    Raises:
        DataFileError: Listing every problem (missing columns, unknown object types, parent
            groups not defined on an earlier row, bad ratings) with file, line and column.

    Example:
        >>> import io
        >>> text = '''vendor_guid,object_type,title,parent_guids,mastery_points,ratings,,,,,,,
        ... g-ns,group,Number Sense,,,,,,,,,,
        ... lt-ns1,outcome,NS.1 Compare fractions,g-ns,3,4,Exceeds,3,Meets,2,Approaching,1,Beginning
        ... '''
        >>> found = read_canvas_outcomes(io.StringIO(text))
        >>> target = found.targets[0]
        >>> target.id, target.parent_id, found.paths["lt-ns1"]
        ('lt-ns1', 'g-ns', 'Number Sense > NS.1 Compare fractions')
        >>> [(level.name, level.minimum) for level in target.scale.levels]
        [('Beginning', 0.0), ('Approaching', 2.0), ('Meets', 3.0), ('Exceeds', 4.0)]
    """
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems, extra_cells=True)
    required = ("vendor_guid", "object_type", "title")
    ratings_start: int | None = None
    names = [normalize_header(cell) for cell in table.header]
    if "ratings" in names:
        ratings_start = names.index("ratings")
        trailing = [
            (index, cell) for index, cell in enumerate(table.header) if index > ratings_start
        ]
        for index, header_cell in trailing:
            if header_cell.strip():
                problems.add(
                    f"column {header_cell.strip()!r} follows 'ratings'; "
                    "ratings must be the last column",
                    line=1,
                    column=index + 1,
                )
        table = attrs.evolve(table, header=table.header[: ratings_start + 1])
        # rows keep their rating cells beyond the header; map_columns sees the trimmed header
    columns = map_columns(
        table, problems, required=required, optional=OPTIONAL_COLUMNS, strict=strict
    )
    if any(name not in columns for name in required):
        problems.check()
    groups: dict[str, OutcomeGroup] = {}
    targets: list[LearningTarget] = []
    found_policies: dict[str, Any] = {}
    methods: dict[str, CanvasMethod] = {}
    paths: dict[str, str] = {}
    seen: dict[str, int] = {}

    def cell(row: Row, name: str) -> str:
        return row.get(columns.get(name))

    def column_of(name: str) -> int | None:
        index = columns.get(name)
        return None if index is None else index + 1

    def group_path(group_id: str | None) -> list[str]:
        titles: list[str] = []
        while group_id is not None and group_id in groups and len(titles) <= len(groups):
            titles.append(groups[group_id].title)
            group_id = groups[group_id].parent_id
        return titles[::-1]

    for row in table.rows:
        guid = cell(row, "vendor_guid")
        kind = cell(row, "object_type").lower()
        title = cell(row, "title")
        if not guid or any(ch.isspace() for ch in guid):
            problems.add(
                f"vendor_guid={guid!r} must be non-empty and contain no spaces",
                line=row.line,
                column=column_of("vendor_guid"),
            )
            continue
        if guid in seen:
            problems.add(
                f"vendor_guid={guid!r} appears again (first on line {seen[guid]})",
                line=row.line,
                column=column_of("vendor_guid"),
            )
            continue
        seen[guid] = row.line
        if kind not in {"outcome", "group"}:
            problems.add(
                f"object_type={kind!r} must be 'outcome' or 'group'",
                line=row.line,
                column=column_of("object_type"),
            )
            continue
        if not title:
            problems.add("title is blank", line=row.line, column=column_of("title"))
            continue
        state = cell(row, "workflow_state").lower() or "active"
        if state not in {"active", "deleted"}:
            problems.add(
                f"workflow_state={state!r} must be 'active' or 'deleted'",
                line=row.line,
                column=column_of("workflow_state"),
            )
            continue
        parents = cell(row, "parent_guids").split()
        for parent in parents:
            if parent not in groups:
                problems.add(
                    f"parent_guids names {parent!r}, which is not a group defined on an earlier "
                    "row",
                    line=row.line,
                    column=column_of("parent_guids"),
                )
        parent_id = parents[0] if parents and parents[0] in groups else None
        if state == "deleted":
            problems.warn(f"{kind} {guid!r} is deleted; it is skipped", line=row.line)
            continue
        if kind == "group":
            if len(parents) > 1:
                problems.add(
                    "a group has at most one parent",
                    line=row.line,
                    column=column_of("parent_guids"),
                )
            for name in ("calculation_method", "calculation_int", "mastery_points"):
                if cell(row, name):
                    problems.add(
                        f"{name} must be blank for a group", line=row.line, column=column_of(name)
                    )
            groups[guid] = OutcomeGroup(id=guid, title=title, parent_id=parent_id)
            continue
        ratings = _ratings(row, ratings_start, problems, table.decimal())
        mastery: float | None = None
        if cell(row, "mastery_points"):
            try:
                mastery = parse_number(cell(row, "mastery_points"), decimal=table.decimal())
            except ValueError as error:
                problems.add(
                    f"mastery_points: {error}", line=row.line, column=column_of("mastery_points")
                )
                continue
        if ratings is None:
            continue
        scale = _scale(ratings, mastery, row, problems)
        method_name = cell(row, "calculation_method").lower()
        calc_int: int | None = None
        if cell(row, "calculation_int"):
            try:
                calc_int = parse_int(cell(row, "calculation_int"))
            except ValueError as error:
                problems.add(
                    f"calculation_int: {error}", line=row.line, column=column_of("calculation_int")
                )
                continue
        if scale is None:
            continue
        description = cell(row, "description")
        statement = cell(row, "friendly_description") or (
            _plain_text(description) if description else ""
        )
        target_id = _target_id(guid)
        display = cell(row, "display_name")
        try:
            target = LearningTarget(
                id=target_id,
                title=title,
                statement=statement or None,
                scale=scale,
                parent_id=parent_id,
                standard_codes=(display,) if display else (),
            )
        except MasteryGradingError as error:
            problems.add(str(error), line=row.line)
            continue
        targets.append(target)
        paths[target_id] = " > ".join([*group_path(parent_id), title])
        if method_name:
            method = CanvasMethod(calculation_method=method_name, calculation_int=calc_int)
        else:
            default = "weighted_average" if new_decaying_average else "decaying_average"
            method = CanvasMethod(calculation_method=default, calculation_int=calc_int)
        methods[target_id] = method
        policy = _policy(
            method, new_decaying_average, row, column_of("calculation_method"), problems
        )
        if policy is not None:
            found_policies[target_id] = policy
    problems.check()
    return CanvasOutcomes(
        targets=tuple(targets),
        policies=found_policies,
        methods=methods,
        groups=tuple(groups.values()),
        paths=paths,
        warnings=tuple(problems.warnings),
    )
