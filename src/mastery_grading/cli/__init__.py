"""The ``mastery-grading`` command: score, grade, report, compare, diff, needed and audit.

Run ``mastery-grading --help`` (or ``python -m mastery_grading --help``) for the subcommands
and examples. Exit codes: 0 success, 2 bad input (problems in the data, each named with its
file, line and column, the first 20 printed; or a usage error: a bad option or spec), 1 any
other error.

One module per command (``score``, ``grade``, ``report``, ``compare``, ``diff``, ``needed``,
``audit``), each with a ``command(args, stdout, stderr)``; the parser lives in ``_parser`` and
what they share (options, progress, reading the inputs with
:func:`mastery_grading.io.read_evidence`) in ``_common``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from mastery_grading.cli._common import (
    Progress,
    UsageError,
    arrow_threads,
    print_problems,
    progress_mode,
)
from mastery_grading.cli._parser import build_parser
from mastery_grading.exceptions import BulkValidationError, MasteryGradingError

__all__ = ["Progress", "build_parser", "main", "progress_mode", "run"]


def _parse(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, out: TextIO, err: TextIO
) -> argparse.Namespace:
    """Parse ``argv``, sending argparse's help to ``out`` and its errors to ``err``."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        return parser.parse_args(argv)
    finally:
        sys.stdout, sys.stderr = saved


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``) and return its exit code.

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> main(["compare", "missing.csv", "--policy", "mean"], stderr=out)
        2
        >>> print(out.getvalue().strip())
        error: 1 problem in input:
          missing.csv: cannot be read: No such file or directory
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = _parse(parser, argv, out, err)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
    try:
        with arrow_threads(getattr(args, "threads", None)):
            return handler(args, out, err)
    except UsageError as error:
        parser.print_usage(err)
        err.write(f"{parser.prog}: error: {error}\n")
        return 2
    except BrokenPipeError:
        # Whoever read our output stopped early (``| head``): stop quietly, like Unix tools.
        if out is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except BulkValidationError as error:
        # Problems in the data: every one listed where it is (the first 20), no traceback.
        print_problems(error, err)
        return 2
    except (MasteryGradingError, OSError) as error:
        text = str(error)
        if isinstance(error, OSError) and error.filename is not None:
            text = f"{error.filename}: {error.strerror or error}"
        err.write(f"error: {text}\n")
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive
        err.write("interrupted\n")
        return 130


def run() -> None:
    """Run the command with ``sys.argv`` and exit with its code (the console script).

    Example:
        >>> import sys
        >>> saved, sys.argv = sys.argv, ["mastery-grading", "--version"]
        >>> try:
        ...     run()
        ... except SystemExit as exit_:
        ...     print("exit code", exit_.code)  # doctest: +ELLIPSIS
        mastery-grading ...
        exit code 0
        >>> sys.argv = saved
    """
    sys.exit(main())
