"""Learning targets: the skills, standards or outcomes that evidence is gathered on."""

from __future__ import annotations

from typing import Any

import attrs

from mastery_grading import _validators as v
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale

__all__ = ["LearningTarget"]


def _check_dok(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        v.int_in_range(1, 4)(_instance, attribute, value)


@attrs.frozen(kw_only=True)
class LearningTarget:
    """A learning target (skill, standard, outcome) and the scale it is scored on.

    Args:
        id: A non-empty identifier, unique within a course.
        title: The teacher-facing name.
        statement: Optional student-friendly "I can ..." statement, used in next steps.
        scale: The scale evidence is scored on; Marzano's 0-4 by default.
        parent_id: Optional id of the parent target, when this one is a subskill.
        standard_codes: Codes of the standards it aligns to
            (e.g. ``"CCSS.MATH.CONTENT.HSA.REI.B.3"``).
        dok: Optional Webb depth-of-knowledge level, 1 to 4.
        weight: Relative weight in a course grade (e.g. 2 for a power standard); greater than 0.
        tags: Free labels, such as ``"core"``, that grade rules can select targets by.

    Raises:
        InvalidValueError: If the id or title is empty, ``dok`` is not 1-4, ``weight`` is not
            positive, or a code or tag is an empty string.
        InvalidTypeError: If a value has the wrong type, such as ``standard_codes=5``.

    Example:
        >>> target = LearningTarget(id="LE.1", title="Solve linear equations",
        ...                         statement="I can solve a linear equation in one variable.")
        >>> target.scale.mastery
        3.0
        >>> target.tags
        ()
    """

    id: str = attrs.field(validator=v.non_empty_str)
    title: str = attrs.field(validator=v.non_empty_str)
    statement: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    scale: Scale = attrs.field(factory=Scale.marzano, validator=v.instance_of(Scale, "a Scale"))
    parent_id: str | None = attrs.field(default=None, validator=v.optional_non_empty_str)
    standard_codes: tuple[str, ...] = attrs.field(
        default=(), converter=v.tuple_of_str, validator=v.str_items
    )
    dok: int | None = attrs.field(default=None, validator=_check_dok)
    weight: float = attrs.field(default=1.0, converter=v.to_float, validator=v.positive_number)
    tags: tuple[str, ...] = attrs.field(default=(), converter=v.tuple_of_str, validator=v.str_items)

    def __attrs_post_init__(self) -> None:
        if self.parent_id == self.id:
            msg = f"parent_id={self.parent_id!r} must differ from the target's own id"
            raise InvalidValueError(msg)

    @property
    def display_name(self) -> str:
        """The student-friendly statement when there is one, else the title.

        >>> LearningTarget(id="a", title="Fractions").display_name
        'Fractions'
        """
        return self.statement or self.title
