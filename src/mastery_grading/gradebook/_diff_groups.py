"""The groups of a policy diff: who is in which group (``by=``), and each group's figures.

:meth:`Gradebook.diff(..., by=...) <mastery_grading.Gradebook.diff>` reads ``by`` as
:meth:`ResultTable.aggregate <mastery_grading.ResultTable.aggregate>` does: ``None`` for the
whole class (one group, ``"all"``), the name of a student attribute of the gradebook (such as
``"section"``, or a frame column with one value per student), or a mapping (or pandas Series)
of student id -> group, or -> several groups (a student in two sections counts in both).

Unlike ``aggregate``, nobody is left out: a student of the diff whom ``by`` puts in no group
is counted in the group ``"(missing)"`` (:data:`MISSING`), listed last; the other groups are
sorted by name. Groups that ``by`` names but where no student of the diff is are left out
(they have nothing to show).

Example:
    >>> groups = read_groups({"ana": "P1", "ben": ["P1", "P2"]}, ("ana", "ben", "cy"), {})
    >>> groups.names, groups.student.tolist(), groups.group.tolist(), groups.missing
    (('P1', 'P2', '(missing)'), [0, 1, 1, 2], [0, 0, 1, 2], 1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError
from mastery_grading.gradebook._aggregate import ALL
from mastery_grading.gradebook._attributes import StudentAttributes, memberships

__all__ = ["MISSING", "Groups", "group_rows", "read_groups"]

#: The group of the students that ``by`` puts in no group.
MISSING = "(missing)"


@attrs.frozen(kw_only=True, eq=False)
class Groups:
    """Who is in which group: one membership per (student, group), by student then group.

    Attributes:
        names: The group names: sorted, ``"(missing)"`` last.
        student: The student index of each membership (a numpy array).
        group: The group index of each membership (a numpy array).
        missing: How many students are in ``"(missing)"``.
        grouped: Whether ``by`` was given (``False``: the one group ``"all"``).
    """

    names: tuple[str, ...]
    student: Any = attrs.field(repr=False)
    group: Any = attrs.field(repr=False)
    missing: int = 0
    grouped: bool = False

    def by_student(self, n_students: int) -> list[tuple[str, ...]]:
        """The names of each student's groups, by student index.

        >>> read_groups({"ben": ["P2", "P1"]}, ("ana", "ben"), {}).by_student(2)
        [('(missing)',), ('P1', 'P2')]
        """
        out: list[list[str]] = [[] for _ in range(n_students)]
        for s, g in zip(self.student.tolist(), self.group.tolist(), strict=True):
            out[s].append(self.names[g])
        return [tuple(names) for names in out]

    def members(self) -> list[Any]:
        """The student indices of each group (numpy arrays), in :attr:`names` order.

        >>> [m.tolist() for m in read_groups({"ana": "P1"}, ("ana", "ben"), {}).members()]
        [[0], [1]]
        """
        require("numpy", extra="data", feature="Gradebook.diff()")
        import numpy as np

        order = np.argsort(self.group, kind="stable")
        counts = np.bincount(self.group, minlength=len(self.names))
        return list(np.split(self.student[order], np.cumsum(counts)[:-1]))


def read_groups(
    by: str | Mapping[str, Any] | Any | None,
    students: Sequence[str],
    attributes: Mapping[str, Any],
) -> Groups:
    """Put every student of the diff in its groups (see the module).

    Args:
        by: ``None``, a student attribute's name, or a mapping (or Series) of student id ->
            group or groups.
        students: The students of the diff, sorted.
        attributes: The gradebook's student attributes (what a result table carries).

    Raises:
        InvalidValueError: If ``by`` names no student attribute (the message lists those there
            are).
        InvalidTypeError: If ``by`` is not a name or a mapping, or a student or group is not a
            string (or an int id).

    Example:
        >>> read_groups("period", ("ana",), {"period": {"ana": "2"}}).names
        ('2',)
        >>> read_groups(3, ("ana",), {})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidTypeError: by=3 must be None (the whole class), a student attribute's name such as 'section', or a mapping of student id -> group (or several groups), such as {'ana': 'Period 2'}
    """  # noqa: E501
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    n = len(students)
    if by is None:
        return Groups(names=(ALL,), student=np.arange(n), group=np.zeros(n, dtype=np.int64))
    if isinstance(by, str):
        found = StudentAttributes.read(attributes).groups(by)
    elif isinstance(by, bytes) or not callable(getattr(by, "items", None)):
        msg = (
            f"by={by!r} must be None (the whole class), a student attribute's name such as "
            "'section', or a mapping of student id -> group (or several groups), such as "
            "{'ana': 'Period 2'}"
        )
        raise InvalidTypeError(msg)
    else:
        found = memberships(by, "by")
    of_student = [found.get(student) or (MISSING,) for student in students]
    names = sorted({group for groups in of_student for group in groups} - {MISSING})
    missing = sum(1 for groups in of_student if groups == (MISSING,))
    if any(MISSING in groups for groups in of_student):
        names.append(MISSING)
    index = {name: g for g, name in enumerate(names)}
    members: list[int] = []
    codes: list[int] = []
    for s, groups in enumerate(of_student):
        if len(groups) == 1:
            members.append(s)
            codes.append(index[groups[0]])
            continue
        for g in sorted({index[group] for group in groups}):
            members.append(s)
            codes.append(g)
    return Groups(
        names=tuple(names),
        student=np.asarray(members, dtype=np.int64),
        group=np.asarray(codes, dtype=np.int64),
        missing=missing,
        grouped=True,
    )


def group_rows(
    groups: Groups,
    *,
    changed: Any,
    steps: Any | None,
    letters: bool,
    value_change: Any,
    level_change: Any,
) -> list[dict[str, Any]]:
    """Each group's figures, one dict per group in :attr:`Groups.names` order.

    Args:
        groups: The groups.
        changed: Per student, whether the letter (without letters: some level) changed.
        steps: Per student, letters gained (positive: a better letter), ``NaN`` where not
            comparable; ``None`` when the letters before and after are not one scale.
        letters: Whether the diff has letters (then ``up``, ``down`` and
            ``mean_letter_change`` are given).
        value_change: Per (student, target) cell, student-major, after minus before (``NaN``
            where either has no value).
        level_change: Per cell, the level steps gained (``0`` where either has no value).

    Returns:
        Dicts with ``group``, ``students``, ``changed``, ``share_changed`` (letters:
        ``up``, ``down``, ``mean_letter_change``), ``mean_value_change``, ``levels_up`` and
        ``levels_down``. A mean over nobody is ``NaN``.
    """
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    n_targets = value_change.shape[0] // max(1, changed.shape[0])
    grid = value_change.reshape(-1, n_targets) if n_targets else value_change.reshape(0, 0)
    levels = level_change.reshape(grid.shape)
    rows: list[dict[str, Any]] = []
    for name, who in zip(groups.names, groups.members(), strict=True):
        row: dict[str, Any] = {
            "group": name,
            "students": len(who),
            "changed": int(changed[who].sum()),
        }
        row["share_changed"] = row["changed"] / len(who) if len(who) else math.nan
        if letters:
            moved = steps[who] if steps is not None else np.zeros(0)
            comparable = moved[~np.isnan(moved)].astype(np.int64)
            row["up"] = int((comparable > 0).sum())
            row["down"] = int((comparable < 0).sum())
            row["mean_letter_change"] = (
                int(comparable.sum()) / len(comparable) if len(comparable) else math.nan
            )
        cells = grid[who].reshape(-1)
        present = cells[~np.isnan(cells)]
        row["mean_value_change"] = (
            math.fsum(present.tolist()) / len(present) if len(present) else math.nan
        )
        moves = levels[who].reshape(-1)
        row["levels_up"] = int((moves > 0).sum())
        row["levels_down"] = int((moves < 0).sum())
        rows.append(row)
    return rows
