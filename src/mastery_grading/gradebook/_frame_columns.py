"""The columns of a result table for frames: numbers, and text as labels plus an index.

Text columns are built from small tables (the students, the targets, the level names, the
distinct reasons) by one gather each, never from a Python object per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mastery_grading._extras import require
from mastery_grading.targets import LearningTarget

__all__ = ["column_parts", "reason_part"]


def column_parts(
    *,
    values: Any,
    counts: Any,
    reasons: Mapping[int, str],
    students: Sequence[str],
    targets: Sequence[LearningTarget],
) -> dict[str, Any]:
    """The numeric columns, and each text column as a table of labels and an index into it.

    Text columns are built from small tables (the students, the targets, the level names,
    the distinct reasons) by one gather each, never from a Python object per row.
    """
    require("numpy", extra="data", feature="ResultTable columns")
    import numpy as np

    from mastery_grading.gradebook._engine import level_codes

    n_targets, n_students = len(targets), len(students)
    n_rows = n_targets * n_students
    values = np.asarray(
        [np.nan if v is None else v for v in values] if not hasattr(values, "dtype") else values,
        dtype=np.float64,
    )
    t_index = np.tile(np.arange(n_targets, dtype=np.int64), n_students)
    codes = level_codes(values, targets) if n_rows else np.zeros(0, np.int64)
    levels: list[str | None] = []
    offsets = []
    for target in targets:
        offsets.append(len(levels))
        levels.extend(level.name for level in target.scale.levels)
    levels.append(None)
    level_index = np.where(
        codes >= 0, np.asarray(offsets, dtype=np.int64)[t_index] + codes, len(levels) - 1
    )
    mastery = np.asarray([t.scale.mastery for t in targets], dtype=np.float64)
    labels, reason_index = reason_part(reasons, values)
    return {
        "student_id": (list(students), np.repeat(np.arange(n_students), n_targets)),
        "target_id": ([t.id for t in targets], t_index),
        "value": values,
        "level": (levels, level_index),
        "mastered": values >= mastery[t_index],
        "evidence_count": np.asarray(counts, dtype=np.int64),
        "reason": (labels, reason_index),
    }


def reason_part(reasons_of: Mapping[int, str], values: Any) -> tuple[list[str | None], Any]:
    """The distinct reasons (``None`` last) and each row's index into them."""
    require("numpy", extra="data", feature="ResultTable columns")
    import numpy as np

    reasons: list[str | None]
    n_rows = len(values)
    coded = getattr(reasons_of, "codes", None)
    texts = getattr(reasons_of, "texts", None)
    if coded is not None and texts is not None:  # the engine's: codes into a few texts
        reasons = [*texts, None]
        reason_index = np.where((coded >= 0) & np.isnan(values), coded, len(reasons) - 1)
    else:
        reasons = []
        seen: dict[str, int] = {}
        reason_index = np.full(n_rows, -1, dtype=np.int64)
        for row, why in reasons_of.items():
            if np.isnan(values[row]):
                reason_index[row] = seen.setdefault(why, len(seen))
                if len(reasons) < len(seen):
                    reasons.append(why)
        reasons.append(None)
        reason_index[reason_index < 0] = len(reasons) - 1
    return reasons, reason_index
