"""The Canvas outcomes CSV format: its columns, default ratings and what a reader finds.

See :mod:`mastery_grading.io.canvas_outcomes`, which reads and writes it and re-exports these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from mastery_grading.targets import LearningTarget

#: The columns Canvas's outcome export writes, in order (``ratings`` spreads over the rest).
CANVAS_OUTCOME_COLUMNS = (
    "vendor_guid",
    "object_type",
    "title",
    "description",
    "display_name",
    "calculation_method",
    "calculation_int",
    "parent_guids",
    "workflow_state",
    "mastery_points",
    "ratings",
)
#: The columns read besides the required ones.
OPTIONAL_COLUMNS = (*CANVAS_OUTCOME_COLUMNS[3:], "friendly_description", "course_id", "canvas_id")

#: Canvas's default proficiency ratings, ``(points, description)``, best first (mastery at 3).
CANVAS_DEFAULT_RATINGS = (
    (4.0, "Exceeds Mastery"),
    (3.0, "Mastery"),
    (2.0, "Near Mastery"),
    (1.0, "Below Mastery"),
    (0.0, "No Evidence"),
)


@attrs.frozen(kw_only=True)
class OutcomeGroup:
    """An outcome group: its id (``vendor_guid``), title and parent group id.

    Example:
        >>> OutcomeGroup(id="g-pv", title="Place value", parent_id="g-ns").parent_id
        'g-ns'
    """

    id: str
    title: str
    parent_id: str | None = None


@attrs.frozen(kw_only=True)
class CanvasMethod:
    """An outcome's Canvas calculation method and its parameter, as written in the file.

    Example:
        >>> CanvasMethod(calculation_method="n_mastery", calculation_int=2)
        CanvasMethod(calculation_method='n_mastery', calculation_int=2)
    """

    calculation_method: str
    calculation_int: int | None = None


@attrs.frozen(kw_only=True)
class CanvasOutcomes:
    r"""What :func:`read_canvas_outcomes` found.

    Attributes:
        targets: One target per active outcome, in file order.
        policies: The policy of each target (by id) from its calculation method.
        methods: The calculation method and parameter of each target, as written.
        groups: The active outcome groups, in file order.
        paths: Each target's outcome path (``Group > Outcome``) as the gradebook export shows it.
        warnings: Notes that did not stop reading.

    Example:
        >>> import io
        >>> from mastery_grading.io import read_canvas_outcomes
        >>> text = "vendor_guid,object_type,title\nx1,outcome,X\n"
        >>> found = read_canvas_outcomes(io.StringIO(text))
        >>> [target.id for target in found.targets], found.paths
        (['x1'], {'x1': 'X'})
    """

    targets: tuple[LearningTarget, ...]
    policies: Mapping[str, Any] = attrs.field(factory=dict)
    methods: Mapping[str, CanvasMethod] = attrs.field(factory=dict)
    groups: tuple[OutcomeGroup, ...] = ()
    paths: Mapping[str, str] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()
