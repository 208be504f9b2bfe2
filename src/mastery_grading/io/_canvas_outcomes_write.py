"""Writing learning targets (and their groups) as a Canvas outcomes CSV that Canvas imports.

See :mod:`mastery_grading.io.canvas_outcomes`, which re-exports :func:`canvas_outcomes_text`
and :func:`write_canvas_outcomes`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from mastery_grading.exceptions import InvalidValueError
from mastery_grading.io._canvas_outcomes_format import (
    CANVAS_OUTCOME_COLUMNS,
    CanvasMethod,
    OutcomeGroup,
)
from mastery_grading.io._common import csv_text, format_number, write_text_atomic
from mastery_grading.io._output import id_order
from mastery_grading.targets import LearningTarget

__all__ = ["canvas_outcomes_text", "write_canvas_outcomes"]


#: Prefixes Canvas keeps for the ids it assigns on export; new rows may not use them.
_RESERVED = {"outcome": "canvas_outcome:", "group": "canvas_outcome_group:"}


def _check_vendor_guid(ident: str, kind: str, seen: dict[str, str]) -> None:
    """Refuse an id that Canvas's importer (or :func:`read_canvas_outcomes`) would reject.

    A ``vendor_guid`` is non-empty, has no whitespace and is unique in the file. The prefixes
    ``canvas_outcome:`` and ``canvas_outcome_group:`` are Canvas's own: they may only name an
    existing Canvas object of the matching kind by its number (``canvas_outcome_group:45``).
    """
    what = "target" if kind == "outcome" else "group"
    if not ident or any(ch.isspace() for ch in ident):
        msg = (
            f"{what} id={ident!r} cannot be a Canvas vendor_guid, which must be non-empty and "
            "contain no whitespace"
        )
        raise InvalidValueError(msg)
    for prefix_kind, prefix in _RESERVED.items():
        if ident.startswith(prefix):
            rest = ident[len(prefix) :]
            if prefix_kind != kind or not (rest.isascii() and rest.isdigit()):
                msg = (
                    f"{what} id={ident!r} uses Canvas's reserved prefix {prefix!r}, which only "
                    f"names an existing Canvas {prefix_kind} by its number (e.g. '{prefix}45'); "
                    "choose another id"
                )
                raise InvalidValueError(msg)
    if ident in seen:
        msg = (
            f"{what} id={ident!r} is also the id of a {seen[ident]}; every vendor_guid in the "
            "file must be unique"
        )
        raise InvalidValueError(msg)
    seen[ident] = "target" if kind == "outcome" else "group"


def _ratings_of(target: LearningTarget) -> list[object]:
    scale = target.scale
    if scale.min != 0:
        msg = f"target {target.id!r} has scale min={scale.min!r}; Canvas ratings start at 0"
        raise InvalidValueError(msg)
    top = scale.levels[-1]
    if top.minimum != scale.max:
        msg = (
            f"target {target.id!r}: the top level {top.name!r} starts at {top.minimum!r}, below "
            f"max={scale.max!r}; Canvas takes the points possible from the top rating, so the "
            "top level must start at max"
        )
        raise InvalidValueError(msg)
    cells: list[object] = []
    for level in reversed(scale.levels):
        cells += [format_number(level.minimum), level.name]
    return cells


def _groups_in_order(groups: list[OutcomeGroup]) -> list[OutcomeGroup]:
    """Return the groups parents first: by depth, then by id (natural order).

    Raises:
        InvalidValueError: If a group's parent is not among the groups, or a group is its
            own ancestor.
    """
    by_id = {group.id: group for group in groups}
    depth: dict[str, int] = {}
    for group in groups:
        chain: list[str] = []
        current: OutcomeGroup | None = group
        while current is not None and current.id not in depth:
            if current.id in chain:
                msg = f"group {current.id!r} is its own ancestor (parents: {' > '.join(chain)})"
                raise InvalidValueError(msg)
            chain.append(current.id)
            parent = current.parent_id
            if parent is not None and parent not in by_id:
                msg = (
                    f"group {current.id!r} has parent_id={parent!r}, which is not among the groups"
                )
                raise InvalidValueError(msg)
            current = None if parent is None else by_id[parent]
        base = -1 if current is None else depth[current.id]
        for offset, ident in enumerate(reversed(chain), start=1):
            depth[ident] = base + offset
    return sorted(groups, key=lambda group: (depth[group.id], id_order(group.id)))


def canvas_outcomes_text(
    targets: Iterable[LearningTarget],
    *,
    methods: Mapping[str, CanvasMethod] | None = None,
    groups: Iterable[OutcomeGroup] = (),
) -> str:
    """Return targets (and their groups) as a Canvas outcomes CSV that Canvas can import.

    Groups come first, parents before children (by depth, then id), then the targets by id,
    both in natural order (:func:`~mastery_grading.io.id_order`), whatever the order given.
    Each target's levels become ratings, best first. Writing is strict: a scale must start at 0
    and its top level must start at its maximum, because Canvas derives the points possible
    from the top rating.

    Args:
        targets: The targets (outcomes).
        methods: The Canvas calculation method per target id (blank, Canvas's default, if absent).
        groups: The outcome groups the targets' ``parent_id`` refer to.

    Raises:
        InvalidValueError: If a scale cannot be written as Canvas ratings; a group's parent
            is not among ``groups`` or a group is its own ancestor; a target's ``parent_id`` is
            not among ``groups``; or an id is not a
            valid ``vendor_guid`` (blank, with whitespace, used twice, or with Canvas's reserved
            ``canvas_outcome:`` / ``canvas_outcome_group:`` prefix other than as Canvas's own
            numbered id of an outcome or group).

    Example:
        >>> import io
        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.io import read_canvas_outcomes
        >>> target = LearningTarget(id="NS.1", title="Compare fractions", scale=Scale.marzano())
        >>> back = read_canvas_outcomes(io.StringIO(canvas_outcomes_text([target]))).targets[0]
        >>> back.scale.levels == target.scale.levels, back.scale.mastery
        (True, 3.0)
    """
    items = sorted(targets, key=lambda target: id_order(target.id))
    rows: list[list[object]] = []
    defined: set[str] = set()
    seen: dict[str, str] = {}
    for group in _groups_in_order(list(groups)):
        _check_vendor_guid(group.id, "group", seen)
        if not group.title.strip():
            msg = f"group {group.id!r} has title={group.title!r}; expected a non-blank title"
            raise InvalidValueError(msg)
        defined.add(group.id)
        rows.append(
            [
                group.id,
                "group",
                group.title,
                None,
                None,
                None,
                None,
                group.parent_id,
                "active",
                None,
            ]
        )
    width = 0
    for target in items:
        _check_vendor_guid(target.id, "outcome", seen)
        if target.parent_id is not None and target.parent_id not in defined:
            msg = (
                f"target {target.id!r} has parent_id={target.parent_id!r}, which is not among "
                "the groups given; pass its OutcomeGroup in groups="
            )
            raise InvalidValueError(msg)
        method = (methods or {}).get(target.id)
        ratings = _ratings_of(target)
        width = max(width, len(ratings))
        rows.append(
            [
                target.id,
                "outcome",
                target.title,
                target.statement,
                target.standard_codes[0] if target.standard_codes else None,
                None if method is None else method.calculation_method,
                None if method is None else method.calculation_int,
                target.parent_id,
                "active",
                format_number(target.scale.mastery),
                *ratings,
            ]
        )
    header = [*CANVAS_OUTCOME_COLUMNS, *([""] * max(width - 1, 0))]
    padded = [row + [None] * (len(header) - len(row)) for row in rows]
    return csv_text(header, padded)


def write_canvas_outcomes(
    path: str | os.PathLike[str],
    targets: Iterable[LearningTarget],
    *,
    methods: Mapping[str, CanvasMethod] | None = None,
    groups: Iterable[OutcomeGroup] = (),
) -> None:
    """Write targets to ``path`` as a Canvas outcomes CSV, atomically.

    See :func:`canvas_outcomes_text`; :func:`read_canvas_outcomes` reads it back.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.io import read_canvas_outcomes
        >>> path = Path(tempfile.mkdtemp()) / "outcomes.csv"
        >>> write_canvas_outcomes(path, [LearningTarget(id="x1", title="X", scale=Scale.marzano())])
        >>> read_canvas_outcomes(path).targets[0].scale.max
        4.0
    """
    write_text_atomic(path, canvas_outcomes_text(targets, methods=methods, groups=groups))
