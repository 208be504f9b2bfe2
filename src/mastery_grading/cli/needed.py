"""``mastery-grading needed``: what every student needs next on every target."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, TextIO

from mastery_grading import io as mio
from mastery_grading._numbers import fmt
from mastery_grading.cli._common import UsageError, choose_policy, emit, read_inputs, warn
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.gradebook import NEEDED_COLUMNS, Gradebook


def parse_level(text: str | None) -> str | float | None:
    """Read ``--level``: a number is a value on the scale, anything else a level's name.

    Example:
        >>> parse_level("meets"), parse_level("2.5"), parse_level(None)
        ('meets', 2.5, None)
    """
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _next(row: dict[str, Any]) -> str:
    """The answer in a cell: the score, ``3 x 4.0``, or ``-``."""
    if row["score"] is not None:
        return fmt(row["score"])
    if row["count"] is not None:
        return f"{row['count']} x top"
    return "-"


def table_text(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as an aligned text table: who, where they are, the goal, the answer, why.

    Example:
        >>> print(table_text([{"student_id": "ana", "target_id": "LE.1", "value": 2.5,
        ...                    "level": "meets", "goal": 3.0, "score": 3.5, "count": 1,
        ...                    "reason": "a 3.5 or more on the next assessment brings it to meets (3.0)"}]))
        student_id  target_id  value  goal         next  reason
        ana         LE.1       2.5    meets (3.0)  3.5   a 3.5 or more on the next assessment brings it to meets (3.0)
    """  # noqa: E501
    grid = [["student_id", "target_id", "value", "goal", "next", "reason"]]
    for row in rows:
        value = "-" if row["value"] is None else fmt(row["value"])
        goal = f"{row['level']} ({fmt(row['goal'])})"
        grid.append([row["student_id"], row["target_id"], value, goal, _next(row), row["reason"]])
    widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(line, widths, strict=False)), line[-1]])
        for line in grid
    )


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write what every student needs next on every target; return the exit code.

    The answers come from :meth:`Gradebook.needed <mastery_grading.Gradebook.needed>`, each
    row equal to :func:`mastery_grading.needed` of that student's evidence on that target.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(["needed", "x.csv", "--policy", "no_such"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: --policy 'no_such': ...
    """
    found, targets = read_inputs(args, stderr)
    policy = choose_policy(args, found, targets)
    warn(found.warnings, args, stderr)
    book = Gradebook.from_evidence(found.evidence, targets=found.targets, duplicates="keep")
    try:
        table = book.needed(policy, level=parse_level(args.level), when=args.when)
    except InvalidValueError as error:
        if args.level is None:
            raise
        msg = f"--level {args.level!r}: {error}"
        raise UsageError(msg) from error
    rows = table.records()
    if args.student:
        unknown = [s for s in args.student if s not in table.students]
        if unknown:
            msg = f"--student {unknown[0]!r} has no evidence in {args.evidence}"
            raise UsageError(msg)
        chosen = set(args.student)
        rows = [row for row in rows if row["student_id"] in chosen]
    rows.sort(key=lambda row: mio.id_order(row["student_id"]))  # stable: targets keep order
    if args.format == "json":
        text = json.dumps({"needed": rows}, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "text":
        text = table_text(rows) + "\n"
    else:
        text = mio.csv_text(NEEDED_COLUMNS, [[row[key] for key in NEEDED_COLUMNS] for row in rows])
    emit(text, args.output, stdout)
    return 0
