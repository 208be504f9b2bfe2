r"""Reading a results CSV file back: one :class:`ResultRecord` per row.

:func:`~mastery_grading.io.results.write_results_csv` writes the :data:`RESULT_COLUMNS`;
:func:`read_results_csv` reads them back, every problem with its file, line and column. Both
are re-exported by :mod:`mastery_grading.io.results` (and :mod:`mastery_grading.io`).

Example:
    >>> import io
    >>> text = ",".join(RESULT_COLUMNS) + "\nana,T,,,false,0,no evidence,{}\n"
    >>> read_results_csv(io.StringIO(text))[0].reason
    'no evidence'
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from mastery_grading.gradebook import RESULT_COLUMNS as GRADEBOOK_COLUMNS
from mastery_grading.io._common import (
    Problems,
    Source,
    cell_problem,
    map_columns,
    parse_bool,
    parse_csv,
    parse_int,
    parse_number,
    read_text,
    source_name,
)

__all__ = ["RESULT_COLUMNS", "ResultRecord", "read_results_csv"]

#: The columns of a results CSV file, in order (a gradebook's result columns, then the policy).
RESULT_COLUMNS = (*GRADEBOOK_COLUMNS, "policy")


@attrs.frozen(kw_only=True)
class ResultRecord:
    """One row of a results CSV file, as :func:`read_results_csv` reads it back.

    The policy is kept as its label (spec JSON), and the target as its id.

    Example:
        >>> ResultRecord(student_id="ana", target_id="T", value=None, level=None, mastered=False,
        ...              evidence_count=0, reason="no evidence", policy='{"policy":"mean"}').reason
        'no evidence'
    """

    student_id: str
    target_id: str
    value: float | None
    level: str | None
    mastered: bool
    evidence_count: int
    reason: str | None
    policy: str


def read_results_csv(source: Source) -> tuple[ResultRecord, ...]:
    """Read a results CSV file written by :func:`~mastery_grading.io.results.write_results_csv`.

    Raises:
        DataFileError: Listing every problem with its file, line and column.

    Example:
        >>> import io
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.io.results import results_csv_text, results_table
        >>> from mastery_grading.policies import Mean
        >>> table = results_table([], [LearningTarget(id="A", title="A")], Mean(),
        ...                       students=["ana"])
        >>> text = results_csv_text(table)
        >>> read_results_csv(io.StringIO(text))[0].reason
        'no evidence'
    """
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems)
    columns = map_columns(table, problems, required=RESULT_COLUMNS)
    problems.check()
    records: list[ResultRecord] = []
    for row in table.rows:
        fields = {
            "student_id": cell_problem(problems, row, columns, "student_id", str),
            "target_id": cell_problem(problems, row, columns, "target_id", str),
            "value": cell_problem(problems, row, columns, "value", parse_number, required=False),
            "level": row.get(columns["level"]) or None,
            "mastered": cell_problem(problems, row, columns, "mastered", parse_bool),
            "evidence_count": cell_problem(
                problems, row, columns, "evidence_count", lambda t: parse_int(t, minimum=0)
            ),
            "reason": row.get(columns["reason"]) or None,
            "policy": row.get(columns["policy"]),
        }
        required: Sequence[str] = ("student_id", "target_id", "mastered", "evidence_count")
        if all(fields[name] is not None for name in required):
            records.append(ResultRecord(**fields))
    problems.check()
    return tuple(records)
