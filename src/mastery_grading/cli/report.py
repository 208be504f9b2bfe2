"""``mastery-grading report``: per class, one page per student and the teacher's mastery map.

For each class (evidence context, e.g. the Canvas course) the command writes a folder
``-o FOLDER/<class>/`` with ``teacher.html`` (the class mastery map) and one self-contained
page per student, named by a keyed slug of the student id (see
:func:`mastery_grading.reports.report_slug`): ``--slug-key``, else the environment variable
``MASTERY_GRADING_SLUG_KEY``, else the key kept in ``FOLDER/.slug-key`` (made at random on the
first run, readable by its owner only), so that a rerun overwrites the same files. ``--pdf``
also prints each student's page to PDF with headless Chromium; ``--lang es`` writes Spanish.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from mastery_grading.cli._common import (
    Progress,
    UsageError,
    choose_policy,
    parse_converter,
    read_inputs,
    warn,
)
from mastery_grading.evidence import Evidence
from mastery_grading.reports import write_reports

#: The environment variable that may hold the key of the students' file names.
KEY_VARIABLE = "MASTERY_GRADING_SLUG_KEY"
#: The file, in the output folder, that keeps the key when none is given.
KEY_FILE = ".slug-key"


def safe_name(text: str) -> str:
    """Return ``text`` as a file name: letters, digits, ``.``, ``_`` and ``-`` only.

    Example:
        >>> safe_name("Grade 4: Math"), safe_name("///")
        ('Grade-4-Math', 'class')
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "class"


def slug_key(args: argparse.Namespace, out: Path) -> str:
    """Return the key of the file names: the option, the environment, or ``out/.slug-key``.

    Example:
        >>> import argparse, tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> first = slug_key(argparse.Namespace(slug_key=None), folder)
        >>> first == slug_key(argparse.Namespace(slug_key=None), folder), len(first)
        (True, 32)
    """
    given = args.slug_key or os.environ.get(KEY_VARIABLE)
    if given:
        return str(given)
    kept = out / KEY_FILE
    if kept.is_file():
        text = kept.read_text(encoding="utf-8").strip()
        if text:
            return text
    key = secrets.token_hex(16)
    descriptor = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write each class's teacher page and student pages into ``-o FOLDER/<class>/``.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(["report", "x.csv", "--policy", "mean", "-o", "-"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: report writes a folder of HTML pages per class: ...
    """
    if args.output == "-":
        msg = "report writes a folder of HTML pages per class: -o must be a folder, not '-'"
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
    key = slug_key(args, out)
    progress = Progress("writing class reports", args=args, stream=stderr)
    used_names: set[str] = set()
    today = datetime.now(UTC).date()
    for done, (context, evidence) in enumerate(sorted(classes.items()), start=1):
        course = args.title or found.contexts.get(context) or context or None
        if args.title and len(classes) > 1:
            course = f"{args.title}: {found.contexts.get(context) or context}"
        name = safe_name(found.contexts.get(context) or context or "class")
        while name in used_names:
            name += "-" + str(done)
        used_names.add(name)
        files = write_reports(
            out / name,
            evidence,
            list(found.targets),
            policy,
            converter,
            key=key,
            names=found.students,
            roster=found.roster(context),
            course=course,
            context=context or None,
            contexts=found.contexts,
            lang=args.lang,
            generated=today,
            pdf=args.pdf,
        )
        progress(done, len(classes))
        if not args.quiet:
            stderr.write(
                f"wrote {files.teacher} and {_count(len(files.students), 'student page')}"
                + (f" (and {_count(len(files.pdfs), 'PDF')})" if files.pdfs else "")
                + "\n"
            )
    return 0


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: ``_count(1, "PDF")`` is ``"1 PDF"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
