"""``mastery-grading compare``: one evidence file under several policies, side by side."""

from __future__ import annotations

import argparse
from typing import TextIO

from mastery_grading import io as mio
from mastery_grading.cli._common import Progress, emit, labelled_policies, read_inputs, warn


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write a CSV table with one value column per ``--policy``; return the exit code.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> args = build_parser().parse_args(["compare", "x.csv", "--policy", "no_such"])
        >>> command(args, io.StringIO(), io.StringIO())
        Traceback (most recent call last):
        ...
        mastery_grading.cli._common.UsageError: --policy 'no_such': ...
    """
    policies = labelled_policies(args.policy)
    found, _ = read_inputs(args, stderr)
    warn(found.warnings, args, stderr)
    progress = Progress("scoring policies", args=args, stream=stderr)
    text = mio.compare_csv_text(
        found.scoring_input(),
        found.targets,
        policies,
        progress=progress,
        duplicates="keep",  # decided when the file was read (--duplicates)
        threads=args.threads,
    )
    emit(text, args.output, stdout)
    return 0
