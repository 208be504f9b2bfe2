"""The columns of a result table for frames: numbers, and text as labels plus an index.

Text columns are built from small tables (the students, the targets, the level names, the
distinct reasons) by one gather each, never from a Python object per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mastery_grading._extras import available, require
from mastery_grading.targets import LearningTarget

__all__ = ["arrow_table", "column_parts", "pandas_text", "reason_part"]


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


def _pandas_string_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (``str`` in pandas 3, else object).

    Asked each time (a few microseconds): ``pandas.options.future.infer_string`` may change.
    """
    require("pandas", extra="data", feature="ResultTable.to_pandas()")
    import pandas as pd

    return pd.Series(["a"]).dtype


def pandas_text(labels: Sequence[str | None], index: Any) -> Any:
    """A text column of pandas, ``labels[index]``, of the dtype pandas gives Python strings.

    When that dtype is Arrow-backed (pandas' ``str``), the column is gathered by Arrow from
    the labels: no Python string per row. Otherwise an object array of the labels.
    """
    require("numpy", extra="data", feature="ResultTable.to_pandas()")
    import numpy as np

    dtype = _pandas_string_dtype()
    if getattr(dtype, "storage", None) == "pyarrow" and available("pyarrow"):
        require("pandas", extra="data", feature="ResultTable.to_pandas()")
        require("pyarrow", extra="fast", feature="Arrow-backed text columns")
        import pandas as pd
        import pyarrow as pa

        gathered = pa.array(labels, type=pa.large_string()).take(pa.array(index))
        return pd.array(gathered, dtype=dtype)
    return np.asarray(labels, dtype=object)[index]


def arrow_table(parts: Mapping[str, Any]) -> Any:
    """The columns of :func:`column_parts` as a pyarrow Table (null for ``None`` and ``NaN``).

    Text columns are gathered from their labels by Arrow (``large_string``).
    """
    require("pyarrow", extra="fast", feature="ResultTable.to_arrow()")
    require("numpy", extra="data", feature="ResultTable.to_arrow()")
    import numpy as np
    import pyarrow as pa

    columns = {}
    for name, part in parts.items():
        if isinstance(part, tuple):
            labels, index = part
            columns[name] = pa.array(labels, type=pa.large_string()).take(pa.array(index))
        elif name == "value":
            columns[name] = pa.array(part, type=pa.float64(), mask=np.isnan(part))
        else:
            columns[name] = pa.array(part)
    return pa.table(columns)
