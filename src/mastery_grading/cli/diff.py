"""``mastery-grading diff``: whose level and letter change when a policy gives way to another.

``--before`` and ``--after`` are two policy specs (letters with ``--converter``) or two
converter specs (under the decaying average). ``--by COLUMN`` compares groups: ``section`` of a
Canvas report, the evidence's ``context`` (a Canvas course, a plain file's ``context``
column), or any other column of a plain evidence CSV (a student with several values is in
each group; one with none is counted in ``(missing)``). The output is an HTML page (``-o
diff.html``: the transition matrix, the groups, every student who changes) or CSV (``-o
diff.csv`` or standard output: one row per student with letters, else one row per student and
target).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any, TextIO

from mastery_grading import Gradebook
from mastery_grading import io as mio
from mastery_grading.cli._common import (
    UsageError,
    emit,
    parse_converter,
    parse_policy,
    read_inputs,
    short,
    warn,
)
from mastery_grading.gradebook import PolicyDiff
from mastery_grading.grades import ReportingConverter
from mastery_grading.io import ClassEvidence
from mastery_grading.protocols import Policy

#: The evidence fields ``--by`` reads from the evidence itself (every value of a student).
EVIDENCE_FIELDS = ("context", "source_id", "kind")

#: The header of the CSV with letters: one row per student.
STUDENT_COLUMNS = (
    "student_id",
    "letter_before",
    "letter_after",
    "letter_change",
    "changed",
    "moved_by",
    "reason_before",
    "reason_after",
)


def parse_rule(text: str, option: str) -> Policy | ReportingConverter:
    """Read ``--before`` or ``--after``: a policy spec, else a converter spec.

    Example:
        >>> parse_rule("mean", "--before")
        Mean(weighted=True)
        >>> type(parse_rule("marzano_2010", "--after")).__name__
        'AverageCutoffs'
        >>> parse_rule("no_such", "--before")
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: --before 'no_such' is neither a policy nor a converter: ...
    """  # noqa: E501
    try:
        return parse_policy(text)
    except UsageError as policy_error:
        try:
            return parse_converter(text)
        except UsageError:
            reason = str(policy_error).partition(": ")[2]
            msg = f"{option} {short(text)} is neither a policy nor a converter: {reason}"
            raise UsageError(msg) from None


def _output_kind(output: str | None) -> str:
    if output is None or output == "-" or output.lower().endswith(".csv"):
        return "csv"
    if output.lower().endswith((".html", ".htm")):
        return "html"
    msg = f"-o {short(output)} must end in .html (a page) or .csv (a table)"
    raise UsageError(msg)


def _plain_column(path: str, column: str) -> dict[str, list[str]] | None:
    """Each student's values of a plain evidence CSV's ``column`` (``None``: no such column)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
        delimiter = max(counts, key=lambda sep: (counts[sep], sep == ","))
        reader = csv.reader(handle, delimiter=delimiter)
        header = [cell.strip().lower() for cell in next(reader, [])]
        wanted = column.strip().lower()
        if wanted not in header or "student_id" not in header:
            return None
        at, student_at = header.index(wanted), header.index("student_id")
        found: dict[str, list[str]] = {}
        for row in reader:
            if len(row) <= max(at, student_at):
                continue
            values = found.setdefault(row[student_at], [])
            value = row[at].strip()
            if value and value not in values:
                values.append(value)
    return found


def student_groups(found: ClassEvidence, column: str, path: str) -> dict[str, Any]:
    """Read ``--by COLUMN``: each student's groups (see the module).

    Raises:
        UsageError: If the evidence has no such column.

    Example:
        >>> found = ClassEvidence(evidence=(), targets=(), format="canvas",
        ...                       sections={"1042": ("95",)})
        >>> student_groups(found, "section", "report.csv")
        {'1042': ('95',)}
    """
    name = column.strip().lower()
    if name in {"section", "sections", "section id", "section_id"} and found.sections:
        return dict(found.sections)
    if name in EVIDENCE_FIELDS:
        groups: dict[str, dict[str, None]] = {}
        for evidence in found.evidence:
            value = getattr(evidence, name)
            value = getattr(value, "value", value)  # an EvidenceKind
            if name == "context" and value is not None:
                value = found.contexts.get(value, value)
            student = groups.setdefault(evidence.student_id, {})
            if value is not None:
                student[str(value)] = None
        return {student: tuple(values) for student, values in groups.items()}
    read = _plain_column(path, column) if found.format == "plain" else None
    if read is None:
        msg = (
            f"--by {short(column)}: the evidence has no such column; give 'section' (a Canvas "
            f"report), one of {list(EVIDENCE_FIELDS)}, or a column of a plain evidence CSV"
        )
        raise UsageError(msg)
    return {student: tuple(values) for student, values in read.items()}


def _book(found: ClassEvidence, threads: int | None) -> Gradebook:
    columns = found.columns
    if columns is not None and columns.fits(found.targets):
        return Gradebook.from_frame(
            columns.frame(), targets=found.targets, duplicates="keep", threads=threads
        )
    return Gradebook.from_evidence(
        found.evidence, targets=found.targets, duplicates="keep", threads=threads
    )


def csv_rows(diff: PolicyDiff) -> tuple[list[str], list[list[Any]]]:
    """The CSV of a diff: one row per student with letters, else per student and target.

    A ``group`` column follows ``student_id`` when groups were given (``by``).

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> header, rows = csv_rows(book.diff(policies.Mean(), policies.MostRecent()))
        >>> header[:4], len(rows)
        (['student_id', 'target_id', 'value_before', 'value_after'], 40)
    """
    if diff.has_letters:
        records = diff.student_records()
        header = list(STUDENT_COLUMNS)
        if records and "group" in records[0]:
            header.insert(1, "group")
        return header, [[row[key] for key in header] for row in records]
    records = diff.records()
    header = list(records[0]) if records else ["student_id", "target_id"]
    groups = {row["student_id"]: row.get("group") for row in diff.student_records()}
    if any(group is not None for group in groups.values()):
        header.insert(1, "group")
        for row in records:
            row["group"] = groups[row["student_id"]]
    return header, [[row[key] for key in header] for row in records]


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Compare ``--before`` with ``--after`` over EVIDENCE; write HTML or CSV; return 0.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(
        ...     ["diff", "x.csv", "--before", "mean", "--after", "most_recent", "-o", "d.pdf"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: -o 'd.pdf' must end in .html (a page) or .csv (a table)
    """  # noqa: E501
    before, after = parse_rule(args.before, "--before"), parse_rule(args.after, "--after")
    converter = parse_converter(args.converter) if args.converter else None
    kind = _output_kind(args.output)
    found, _ = read_inputs(args, stderr)
    by = None
    notes = list(found.warnings)
    if args.by:
        by = student_groups(found, args.by, args.evidence)
        ignored = f"unknown column {args.by.strip()!r} is ignored"
        notes = [note for note in notes if not note.lower().endswith(ignored.lower())]
    warn(notes, args, stderr)
    diff = _book(found, args.threads).diff(before, after, converter, by=by)
    if kind == "html":
        text = diff.to_html(f"Switching from {diff.before} to {diff.after}")
    else:
        header, rows = csv_rows(diff)
        text = mio.csv_text(header, rows)
    emit(text, args.output, stdout)
    return 0
