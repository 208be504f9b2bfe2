"""``mastery-grading grade``: a letter per student from a grade converter."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from mastery_grading import io as mio
from mastery_grading.cli._common import (
    Progress,
    choose_policy,
    emit,
    parse_converter,
    read_inputs,
    warn,
)


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Score EVIDENCE, convert each student's results to a letter, write CSV or JSON.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(
        ...     ["grade", "x.csv", "--policy", "mean", "--converter", "no_such"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: --converter 'no_such': ...
    """
    converter = parse_converter(args.converter)
    found, targets = read_inputs(args, stderr)
    policy = choose_policy(args, found, targets)
    progress = Progress("scoring students", args=args, stream=stderr)
    table = mio.results_table(
        found.scoring_input(),
        found.targets,
        policy,
        students=found.roster(),
        progress=progress,
        duplicates="keep",  # decided when the file was read (--duplicates)
    )
    warn(found.warnings, args, stderr)
    reports = table.grades(converter)
    rows = []
    for student in table.students:
        report = reports[student]
        rows.append(
            {
                "student_id": student,
                "student_name": found.students.get(student),
                "letter": report.letter,
                "decided_by": report.decided_by,
                "next_steps": str(report.next_steps()),
            }
        )
    if args.format == "json":
        text = json.dumps({"grades": rows}, indent=2, ensure_ascii=False) + "\n"
    else:
        header = ("student_id", "student_name", "letter", "decided_by")
        text = mio.csv_text(header, [[row[key] for key in header] for row in rows])
    emit(text, args.output, stdout)
    return 0
