"""The cells of a policy diff: each (student, target)'s value and level before and after.

:class:`DiffColumns` holds them as numpy columns, student-major (students sorted, then the
gradebook's targets), as the result tables do; this module turns them into what a
:class:`~mastery_grading.PolicyDiff` shows: the level names of each cell, the targets that
moved a student, the rows, and count matrices (:func:`count_matrix`).

A cell's **level** is the level its value reaches on its target's scale (the floor: a value
reaches a level from its minimum on); a cell without a value has none, labelled ``"no value"``
(:data:`~mastery_grading.gradebook._diff_letters.NO_VALUE`). A **value change** is after minus
before (one float subtraction); a **level change** the levels gained. Both exist only where both
sides have a value.

Example:
    >>> import numpy as np
    >>> from mastery_grading import LearningTarget
    >>> cells = DiffColumns(
    ...     students=("ana",), targets=(LearningTarget(id="T", title="T"),),
    ...     values_before=np.array([2.5]), values_after=np.array([3.0]),
    ...     levels_before=np.array([1]), levels_after=np.array([2]))
    >>> cells.records()[0]["level_after"], cells.moved(np.array([0]))
    ('meets', {'ana': ('T',)})
"""

from __future__ import annotations

from typing import Any

import attrs

from mastery_grading._extras import require
from mastery_grading._numbers import fmt
from mastery_grading.gradebook._diff_letters import NO_VALUE
from mastery_grading.targets import LearningTarget

__all__ = ["DiffColumns", "count_matrix"]


def count_matrix(rows: Any, codes: tuple[Any, Any], labels: tuple[Any, Any]) -> Any:
    """Count the ``rows`` by their code before (rows of the frame) and after (its columns).

    Example:
        >>> import numpy as np
        >>> count_matrix(np.arange(3), (np.array([0, 0, 1]), np.array([0, 1, 1])),
        ...              (("A", "B"), ("A", "B"))).to_numpy().tolist()
        [[1, 1], [0, 1]]
    """
    require("numpy", extra="data", feature="PolicyDiff")
    require("pandas", extra="data", feature="PolicyDiff transitions")
    import numpy as np
    import pandas as pd

    n_rows, n_cols = len(labels[0]), len(labels[1])
    flat = codes[0][rows] * n_cols + codes[1][rows]
    counts = np.bincount(flat, minlength=n_rows * n_cols).reshape(n_rows, n_cols)
    return pd.DataFrame(
        counts,
        index=pd.Index(list(labels[0]), name="before"),
        columns=pd.Index(list(labels[1]), name="after"),
    )


@attrs.frozen(kw_only=True, eq=False)
class DiffColumns:
    """The cells of a diff, student-major (students sorted, then the gradebook's targets).

    Attributes:
        students: The students, sorted by id.
        targets: The targets, in the gradebook's order.
        values_before: The value of each cell before (``NaN``: no value).
        values_after: The same after.
        levels_before: The index of each value's level in its target's scale (``-1``: none).
        levels_after: The same after.
    """

    students: tuple[str, ...]
    targets: tuple[LearningTarget, ...]
    values_before: Any = attrs.field(repr=False)
    values_after: Any = attrs.field(repr=False)
    levels_before: Any = attrs.field(repr=False)
    levels_after: Any = attrs.field(repr=False)

    def grid(self, column: Any) -> Any:
        """A per-cell column as one row per student."""
        return column.reshape(len(self.students), len(self.targets))

    def level_moved(self) -> Any:
        """Per student, whether some cell changed level."""
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        moved = self.grid(self.levels_before != self.levels_after)
        return moved.any(axis=1) if moved.size else np.zeros(len(self.students), np.bool_)

    def moved(self, rows: Any) -> dict[str, tuple[str, ...]]:
        """The targets that moved each student of ``rows`` (indices), in target order.

        The targets whose level changed; when none did, those whose value changed.
        """
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        if not len(rows):
            return {}
        levels = self.grid(self.levels_before != self.levels_after)[rows]
        before, after = self.grid(self.values_before)[rows], self.grid(self.values_after)[rows]
        values = ~((before == after) | (np.isnan(before) & np.isnan(after)))
        chosen = np.where(levels.any(axis=1)[:, None], levels, values)
        ids = [t.id for t in self.targets]
        return {
            self.students[row]: tuple(ids[t] for t in chosen[i].nonzero()[0].tolist())
            for i, row in enumerate(rows.tolist())
        }

    def moved_text(self, student: int, targets: tuple[str, ...]) -> str:
        """The targets that moved a student, with their change: ``LE.1: approaching → meets``.

        A level that changed is shown by name; otherwise the values (as a student reads them,
        never higher than they are).
        """
        n_targets = len(self.targets)
        where = {target.id: t for t, target in enumerate(self.targets)}
        parts = []
        for target_id in targets:
            t = where[target_id]
            cell = student * n_targets + t
            scale = self.targets[t].scale
            codes = (int(self.levels_before[cell]), int(self.levels_after[cell]))
            values = (float(self.values_before[cell]), float(self.values_after[cell]))
            if codes[0] != codes[1]:
                shown = [NO_VALUE if c < 0 else scale.levels[c].name for c in codes]
            else:
                shown = [NO_VALUE if v != v else fmt(v) for v in values]
            parts.append(f"{target_id}: {shown[0]} \N{RIGHTWARDS ARROW} {shown[1]}")
        return "; ".join(parts)

    def level_codes(self) -> tuple[tuple[str, ...], tuple[Any, Any]]:
        """Every level name (highest first, then ``"no value"``) and each cell's index in them.

        Targets on several scales share a name's row: the names come in the order of the
        first scale that has them.
        """
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        order: dict[str, None] = {}
        for target in self.targets:
            for level in reversed(target.scale.levels):
                order.setdefault(level.name, None)
        names = (*order, NO_VALUE)
        index = {name: i for i, name in enumerate(names)}
        n_targets = len(self.targets)
        widest = max((len(t.scale.levels) for t in self.targets), default=0)
        lookup = np.full((max(1, n_targets), widest + 1), len(names) - 1, dtype=np.int64)
        for t, target in enumerate(self.targets):
            for code, level in enumerate(target.scale.levels):
                lookup[t, code] = index[level.name]
        column = np.tile(np.arange(n_targets, dtype=np.int64), len(self.students))

        def coded(levels: Any) -> Any:
            return lookup[column, np.where(levels >= 0, levels, widest)]

        return names, (coded(self.levels_before), coded(self.levels_after))

    def records(self) -> list[dict[str, Any]]:
        """One dict per cell with the keys of ``DIFF_COLUMNS`` (``None`` where not given)."""
        n_targets = len(self.targets)
        before, after = self.values_before.tolist(), self.values_after.tolist()
        low, high = self.levels_before.tolist(), self.levels_after.tolist()
        out = []
        for i, (b, a, lb, la) in enumerate(zip(before, after, low, high, strict=True)):
            target = self.targets[i % n_targets]
            both = lb >= 0 and la >= 0
            out.append(
                {
                    "student_id": self.students[i // n_targets],
                    "target_id": target.id,
                    "value_before": None if lb < 0 else b,
                    "value_after": None if la < 0 else a,
                    "value_change": a - b if both else None,
                    "level_before": None if lb < 0 else target.scale.levels[lb].name,
                    "level_after": None if la < 0 else target.scale.levels[la].name,
                    "level_change": la - lb if both else None,
                }
            )
        return out

    def frame(self) -> Any:
        """The records as a pandas DataFrame, built from the columns (``NaN`` for ``None``)."""
        require("numpy", extra="data", feature="PolicyDiff.to_pandas()")
        require("pandas", extra="data", feature="PolicyDiff.to_pandas()")
        import numpy as np
        import pandas as pd

        n_targets, n_students = len(self.targets), len(self.students)
        both = (self.levels_before >= 0) & (self.levels_after >= 0)
        names, (level_before, level_after) = self.level_codes()
        labels = np.asarray([*names[:-1], None], dtype=object)
        level_change = pd.array(self.levels_after - self.levels_before, dtype="Int64")
        level_change[~both] = pd.NA
        return pd.DataFrame(
            {
                "student_id": np.repeat(np.asarray(self.students, dtype=object), n_targets),
                "target_id": np.tile(np.asarray([t.id for t in self.targets], object), n_students),
                "value_before": self.values_before,
                "value_after": self.values_after,
                "value_change": np.where(both, self.values_after - self.values_before, np.nan),
                "level_before": labels[level_before],
                "level_after": labels[level_after],
                "level_change": level_change,
            }
        )
