"""A results CSV written from a result table's columns, not from one result object per row.

The cells and rows are those of :func:`~mastery_grading.io.results_csv_text`'s row writer,
byte for byte: every distinct text (a student, a target, a level, a reason, a policy) and every
distinct value is formatted, made formula-safe and quoted as the csv module quotes (minimal
quoting) once, then gathered per row, the rows by student, then target, in
:func:`~mastery_grading.io.id_order` (whatever the table's own order: a gradebook keeps its
targets in the order they were given or first seen). The table's columns come from the same
place as :meth:`ResultTable.to_pandas <mastery_grading.ResultTable.to_pandas>` (levels by the
engine's ``small_level_codes``, which is :meth:`Scale.level_of <mastery_grading.Scale.level_of>`
vectorized). Requires numpy.

Example:
    >>> from mastery_grading import Gradebook, LearningTarget, policies
    >>> book = Gradebook(targets=[LearningTarget(id="T", title="T")])
    >>> print(table_csv_text(book.results(policies.Mean()), ["a"]), end="")
    a
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from typing import Any

from mastery_grading._extras import require
from mastery_grading.gradebook import ResultTable
from mastery_grading.io._common import format_number, neutralize
from mastery_grading.io._output import id_order

__all__ = ["table_csv_text"]


def table_csv_text(
    table: ResultTable, header: Sequence[str], policy_text: Sequence[str] = ()
) -> str:
    """CSV text of ``header`` then every row of ``table`` (CRLF line ends).

    The rows run by student, then target, in :func:`~mastery_grading.io.id_order`, as
    :func:`~mastery_grading.io.student_rows` yields them.

    Args:
        table: The result table.
        header: The column names.
        policy_text: The text of the policy column for each target, in target order.
    """
    require("numpy", extra="data", feature="writing results by columns")
    import numpy as np

    parts = table._parts()
    n_rows = len(table)
    order = _row_order(parts, n_rows)

    def gathered(name: str) -> list[str]:
        labels, index = parts[name]
        cells = np.asarray([_quoted(neutralize(label)) for label in labels], dtype=object)
        out: list[str] = cells[index if order is None else index[order]].tolist()
        return out

    def ordered(column: Any) -> Any:
        return column if order is None else column[order]

    values = ordered(parts["value"])
    known: dict[float, str] = {}
    value_cells = [
        "" if v != v else known.get(v) or known.setdefault(v, _quoted(neutralize(format_number(v))))
        for v in values.tolist()
    ]
    mastered = np.where(ordered(parts["mastered"]), "true", "false").tolist()
    counts = [str(c) for c in ordered(parts["evidence_count"]).tolist()]
    columns = [
        gathered("student_id"),
        gathered("target_id"),
        value_cells,
        gathered("level"),
        mastered,
        counts,
        gathered("reason"),
    ]
    if policy_text:
        per_target = np.asarray([_quoted(neutralize(text)) for text in policy_text], dtype=object)
        columns.append(per_target[ordered(parts["target_id"][1])].tolist())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(cell) for cell in header])
    if n_rows and len(columns) > 1:  # rows of one cell would write a blank one as ""
        lines = map(",".join, zip(*columns, strict=True))
        buffer.write("\r\n".join(lines))
        buffer.write("\r\n")
    else:
        writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


def _row_order(parts: dict[str, Any], n_rows: int) -> Any:
    """The rows' positions by student, then target, in id order; ``None`` if already so.

    A stable sort on each row's (student rank, target rank), as the row writer sorts its rows:
    rows of one student id given twice keep their order within each target.
    """
    require("numpy", extra="data", feature="writing results by columns")
    import numpy as np

    keys = []
    for name in ("student_id", "target_id"):
        labels, index = parts[name]
        ranked = sorted(range(len(labels)), key=lambda i: _label_order(labels[i]))
        rank = np.empty(len(labels), dtype=np.int64)
        rank[ranked] = np.arange(len(labels), dtype=np.int64)
        for previous, current in itertools.pairwise(ranked):  # one rank for one id
            if labels[previous] == labels[current]:
                rank[current] = rank[previous]
        keys.append(rank[index] if n_rows else np.zeros(0, np.int64))
    key = keys[0] * max(len(parts["target_id"][0]), 1) + keys[1]
    if n_rows < 2 or bool(np.all(key[1:] >= key[:-1])):
        return None
    return np.argsort(key, kind="stable")


def _label_order(label: str | None) -> tuple[bool, tuple[tuple[object, ...], str]]:
    """A label's place in the rows' order: ids in id order, a row without one (``None``) last."""
    return (True, ((), "")) if label is None else (False, id_order(label))


def _quoted(cell: str) -> str:
    """The cell as the csv module writes it (minimal quoting, ``,`` and CRLF)."""
    if any(special in cell for special in _SPECIAL):
        return '"' + cell.replace('"', '""') + '"'
    return cell


_SPECIAL = (",", '"', "\r", "\n")
