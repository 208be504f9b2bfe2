"""``mastery-grading score``: every student on every target, as CSV, JSON, Canvas or OneRoster."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TextIO

from mastery_grading import io as mio
from mastery_grading.cli._common import (
    Progress,
    UsageError,
    choose_policy,
    emit,
    read_inputs,
    warn,
)


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Score EVIDENCE and write the results in ``--format``; return the exit code.

    The scores come from :meth:`Gradebook.results <mastery_grading.Gradebook.results>`:
    the vectorized engine when numpy is installed (``--engine auto``). JSON lists the
    evidence that counted for each result, which only the reference policies give, so
    ``--format json`` scores with ``--engine python`` unless told otherwise.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(["score", "missing.csv", "--policy", "mean"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.DataFileError: 1 problem in input:
        missing.csv: cannot be read: No such file or directory
    """
    found, targets = read_inputs(args, stderr)
    policy = choose_policy(args, found, targets)
    warn(found.warnings, args, stderr)
    engine = args.engine
    if engine == "auto" and args.format == "json":
        engine = "python"
    progress = Progress("scoring students", args=args, stream=stderr)
    table = mio.results_table(
        found.evidence if engine == "python" else found.scoring_input(),
        found.targets,
        policy,
        students=found.roster(),
        engine=engine,
        progress=progress,
        duplicates="keep",  # decided when the file was read (--duplicates)
        threads=args.threads,
    )
    if args.format == "json":
        emit(mio.results_json_text(table), args.output, stdout)
    elif args.format == "canvas-gradebook":
        paths = {} if targets is None else targets.paths
        text = mio.canvas_gradebook_text(
            table, paths=paths, students=found.students, sis_ids=found.sis_ids
        )
        emit(text, args.output, stdout)
    elif args.format == "oneroster":
        if not args.output or args.output == "-":
            msg = "--format oneroster needs -o FOLDER or -o FILE.zip"
            raise UsageError(msg)
        mio.write_oneroster(
            args.output,
            table,
            class_id=args.class_id,
            school_id=args.school_id,
            category_id=args.category_id,
            academic_session_id=args.session_id,
            score_date=args.score_date or datetime.now(UTC).date(),
            modified=args.modified,
        )
    else:
        emit(mio.results_csv_text(table), args.output, stdout)
    return 0
