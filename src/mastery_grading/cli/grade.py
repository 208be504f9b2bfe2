"""``mastery-grading grade``: a letter per student from a grade converter."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from mastery_grading import io as mio
from mastery_grading.cli._common import (
    Progress,
    by_student,
    choose_policy,
    emit,
    parse_converter,
    read_inputs,
    warn,
)
from mastery_grading.grades import NO_LETTER


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
        threads=args.threads,
    )
    warn(found.warnings, args, stderr)
    reports = table.grades(converter, on_gap="ignore")  # a gap never stops the class
    if reports.no_letter:
        warn([no_letter_message(len(reports.no_letter))], args, stderr)
    # A column with no data is left out: names only when the input gave some.
    names = found.students if any(found.students.get(s) for s in table.students) else None
    # JSON's next steps say what the next assessment must give: they need the evidence
    evidence = by_student(found.evidence) if args.format == "json" else {}
    rows: list[dict[str, object]] = []
    for student in sorted(table.students, key=mio.id_order):
        report = reports[student]
        row: dict[str, object] = {"student_id": student}
        if names is not None:
            row["student_name"] = names.get(student)
        row |= {
            "letter": None if report.letter == NO_LETTER else report.letter,
            "decided_by": report.decided_by,
            "next_steps": str(report.next_steps(evidence=evidence.get(student, ()))),
        }
        rows.append(row)
    if args.format == "json":
        text = json.dumps({"grades": rows}, indent=2, ensure_ascii=False) + "\n"
    else:
        header = ("student_id", *(("student_name",) * (names is not None)), "letter", "decided_by")
        text = mio.csv_text(header, [[row[key] for key in header] for row in rows])
    emit(text, args.output, stdout)
    return 0


def no_letter_message(count: int) -> str:
    """The warning of a run in which ``count`` students fall in a gap of the rule set.

    Example:
        >>> no_letter_message(2)
        '2 students got no letter: no rule of the rule set covers their results (see decided_by; RuleSet.check() lists every gap)'
    """  # noqa: E501
    plural = "student" if count == 1 else "students"
    return (
        f"{count} {plural} got no letter: no rule of the rule set covers their results "
        "(see decided_by; RuleSet.check() lists every gap)"
    )
