"""``mastery-grading report``: one self-contained HTML progress report per class."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from mastery_grading import io as mio
from mastery_grading.cli._common import (
    Progress,
    UsageError,
    by_student,
    choose_policy,
    parse_converter,
    read_inputs,
    warn,
)
from mastery_grading.evidence import Evidence
from mastery_grading.io.report import write_progress_report


def safe_name(text: str) -> str:
    """Return ``text`` as a file name: letters, digits, ``.``, ``_`` and ``-`` only.

    Example:
        >>> safe_name("Grade 4: Math"), safe_name("///")
        ('Grade-4-Math', 'class')
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "class"


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write one HTML progress report per class (evidence context) into ``-o FOLDER``.

    The reports show the evidence that counted, which only the reference policies give, so
    each class is scored with the gradebook's ``engine="python"``.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(["report", "x.csv", "--policy", "mean", "-o", "-"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: report writes one HTML file per class: ...
    """
    if args.output == "-":
        msg = "report writes one HTML file per class: -o must be a folder, not '-'"
        raise UsageError(msg)
    converter = parse_converter(args.converter) if args.converter else None
    found, targets = read_inputs(args, stderr)
    policy = choose_policy(args, found, targets)
    warn(found.warnings, args, stderr)
    classes: dict[str, list[Evidence]] = {context: [] for context in found.rosters}
    for item in found.evidence:
        classes.setdefault(item.context or "", []).append(item)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress("writing class reports", args=args, stream=stderr)
    used_names: set[str] = set()
    for done, (context, evidence) in enumerate(sorted(classes.items()), start=1):
        title = args.title or found.contexts.get(context) or context or "Class"
        if args.title and len(classes) > 1:
            title = f"{args.title}: {found.contexts.get(context) or context}"
        table = mio.results_table(
            evidence,
            found.targets,
            policy,
            students=found.roster(context),
            engine="python",
            duplicates="keep",  # decided when the file was read (--duplicates)
        )
        letters: dict[str, str] = {}
        steps: dict[str, list[str]] = {}
        if converter is not None:
            reports = table.grades(converter, on_gap="ignore")
            histories = by_student(evidence)  # a step says what the next assessment must give
            for student in table.students:
                report = reports[student]
                letters[student] = report.letter
                plan = str(report.next_steps(evidence=histories.get(student, ()))).strip()
                steps[student] = [plan] if plan else []
        name = safe_name(found.contexts.get(context) or context or "class")
        while name in used_names:
            name += "-" + str(done)
        used_names.add(name)
        write_progress_report(
            out / f"{name}.html",
            table,
            title=title,
            students=found.students,
            letters=letters,
            steps=steps,
            generated=datetime.now(UTC),
        )
        progress(done, len(classes))
        if not args.quiet:
            stderr.write(f"wrote {out / (name + '.html')}\n")
    return 0
