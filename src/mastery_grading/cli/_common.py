"""What the commands share: options, progress lines, reading the inputs, writing the output."""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Literal, TextIO

import attrs

from mastery_grading import grades
from mastery_grading._extras import available, require
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, DataFileError, MasteryGradingError
from mastery_grading.gradebook import Duplicates
from mastery_grading.grades import ReportingConverter
from mastery_grading.io import (
    ClassEvidence,
    ClassTargets,
    atomic_writer,
    duplicate_json_keys,
    read_evidence,
    read_targets,
)
from mastery_grading.policies import policy_from_spec
from mastery_grading.protocols import Policy


class UsageError(Exception):
    """A bad option value: reported like an argparse error, with exit code 2."""


def progress_mode(
    *, progress: bool, quiet: bool, stream: TextIO
) -> Literal["always", "auto", "off"]:
    """Decide how progress is shown: ``"always"``, ``"auto"`` or ``"off"``.

    ``--progress`` gives ``"always"``: every step (at most five lines a second), even with
    ``--quiet``. Without it, progress is automatic (``"auto"``) when ``stream`` is a terminal:
    it appears once a run has taken more than a second, so that short runs stay quiet.
    ``--quiet``, or a stream that is not a terminal (a file, a pipe), gives ``"off"``.

    Example:
        >>> import io
        >>> progress_mode(progress=False, quiet=False, stream=io.StringIO())
        'off'
        >>> progress_mode(progress=True, quiet=True, stream=io.StringIO())
        'always'
    """
    if progress:
        return "always"
    isatty = getattr(stream, "isatty", None)
    if quiet or not callable(isatty):
        return "off"
    try:
        return "auto" if isatty() else "off"
    except (OSError, ValueError):  # a closed or detached stream
        return "off"


class Progress:
    """Progress lines on stderr for long runs; :func:`progress_mode` decides when they show.

    With ``--progress`` every step is shown (at most five lines a second). Otherwise, when
    stderr is a terminal, progress appears once a run has taken more than a second, so that
    short runs stay quiet. ``--quiet`` turns that automatic progress off.
    """

    def __init__(self, label: str, *, args: argparse.Namespace, stream: TextIO) -> None:
        self.label = label
        self.mode = progress_mode(progress=bool(args.progress), quiet=args.quiet, stream=stream)
        self.forced = self.mode == "always"
        self.enabled = self.mode != "off"
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.forced and now - self.started < 1.0:
            return
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        self.stream.write(f"{self.label}: {done}/{total}\n")
        self.stream.flush()


def parse_tz(text: str) -> tzinfo:
    if text.upper() in {"UTC", "Z"}:
        return UTC
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(sign * offset)
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(text)
    except (KeyError, ValueError, OSError) as error:
        msg = f"--assume-tz {text!r} is not UTC, an offset like +02:00 or a zone like Europe/Paris"
        raise UsageError(msg) from error


def load_spec(text: str, key: str, option: str) -> dict[str, Any]:
    raw = text.strip()
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8-sig")
        except OSError as error:
            msg = f"{option} {text!r}: cannot read the file: {error.strerror or error}"
            raise UsageError(msg) from error
    if raw.lstrip().startswith("{"):
        try:
            spec = json.loads(raw)
        except json.JSONDecodeError as error:
            msg = f"{option} {text!r} is not valid JSON: {error.msg} (column {error.colno})"
            raise UsageError(msg) from error
        except (ValueError, RecursionError) as error:  # e.g. an integer of 5000 digits
            msg = f"{option} {short(text)} is not valid JSON: {error}"
            raise UsageError(msg) from error
        if not isinstance(spec, dict):
            msg = f"{option} {text!r} must be a JSON object"
            raise UsageError(msg)
        for key, first, again in duplicate_json_keys(raw):
            msg = (
                f"{option} {short(text)}: key {short(key)} appears twice in one object, at "
                f"{first[0]}:{first[1]} and at {again[0]}:{again[1]}; expected each key once"
            )
            raise UsageError(msg)
        return spec
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
        msg = f"{option} {text!r} must be a name, a JSON object or @file.json"
        raise UsageError(msg)
    return {key: raw}


def short(text: str, limit: int = 80) -> str:
    """Return ``repr(text)``, cut to ``limit`` characters for a readable message."""
    return (
        repr(text)
        if len(text) <= limit
        else repr(text[:limit]) + f" (and {len(text) - limit} more characters)"
    )


def parse_policy(text: str) -> Policy:
    spec = load_spec(text, "policy", "--policy")
    try:
        policy: Policy = policy_from_spec(spec)
    except (MasteryGradingError, ArithmeticError, TypeError, ValueError) as error:
        # SpecError for a bad name; a bad parameter (such as an integer too large for a
        # float) may surface as another error: every one is a bad option, exit code 2.
        msg = f"--policy {short(text)}: {error}"
        raise UsageError(msg) from error
    return policy


def labelled_policies(values: Sequence[str]) -> dict[str, Policy]:
    """Parse ``[LABEL=]SPEC`` options into policies by label (a repeated label gets ``#n``)."""
    found: dict[str, Policy] = {}
    for text in values:
        label, spec = None, text
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)=(.+)", text, flags=re.DOTALL)
        if match:
            label, spec = match.group(1), match.group(2)
        policy = parse_policy(spec)
        label = label or getattr(policy, "spec_name", None) or spec
        if label in found:
            label = f"{label}#{len(found) + 1}"
        found[label] = policy
    return found


#: Class methods of the converters that are not presets.
_NOT_PRESETS = frozenset({"from_spec", "first_match", "unordered", "example"})


def parse_converter(text: str) -> ReportingConverter:
    """Parse ``--converter``: a preset name, a JSON spec or ``@file.json``."""
    spec = load_spec(text, "converter", "--converter")
    name = str(spec.get("converter"))
    if len(spec) == 1 and not text.lstrip().startswith(("{", "@")):
        # A named preset such as marzano_2010, percent or sbgrader2 (a classmethod that takes
        # no arguments); anything else is looked up as a converter spec name.
        for kind in ("AverageCutoffs", "RuleSet"):
            preset = getattr(getattr(grades, kind, None), name, None)
            if callable(preset) and not name.startswith("_") and name not in _NOT_PRESETS:
                try:
                    found: ReportingConverter = preset()
                    return found
                except TypeError:
                    continue
    try:
        return grades.converter_from_spec(spec)
    except (MasteryGradingError, ArithmeticError, TypeError, ValueError) as error:
        msg = f"--converter {short(text)}: {error}"
        raise UsageError(msg) from error


def read_inputs(
    args: argparse.Namespace, stderr: TextIO
) -> tuple[ClassEvidence, ClassTargets | None]:
    """Read EVIDENCE (and ``--targets``), joined; every problem of both files in one error.

    Options are checked before any file is read, so that a usage error is never hidden
    behind (or mistaken for) a problem in the data.
    """
    if isinstance(getattr(args, "policy", None), str):
        args.parsed_policy = parse_policy(args.policy)
    assume_tz = parse_tz(args.assume_tz) if args.assume_tz else None
    duplicates: Duplicates = getattr(args, "duplicates", "error")
    progress = Progress("reading input files", args=args, stream=stderr)
    errors: list[DataFileError] = []
    targets: ClassTargets | None = None
    if args.targets:
        try:
            targets = read_targets(args.targets, args.targets_format, strict=args.strict)
        except DataFileError as error:
            errors.append(error)
        progress(1, 2)
    try:
        found = read_evidence(
            args.evidence,
            args.evidence_format,
            assume_tz=assume_tz,
            strict=args.strict,
            targets=targets,
            duplicates=duplicates,
            missing_scores=args.missing_scores,
            decimal=args.decimal,
            strip_ids=args.strip_ids,
            check=not args.targets or targets is not None,  # not against targets that failed
        )
    except DataFileError as error:
        errors.append(error)
        found = ClassEvidence(evidence=(), targets=(), format="plain")
    progress(2 if args.targets else 1, 2 if args.targets else 1)
    plain = found.format in ("plain", "parquet")
    if targets is None and not args.targets and plain and found.targets:
        note = (
            f"{Path(args.evidence)}: no --targets given; every target is scored on Marzano's "
            "0-4 scale"
        )
        found = attrs.evolve(found, warnings=(*found.warnings, note))
    if errors:
        raise DataFileError(
            [problem for error in errors for problem in error.problems],
            truncated=any(error.truncated for error in errors),
            warnings=[warning for error in errors for warning in error.warnings],
        )
    return found, targets


#: How many problems the command prints before it only counts the rest.
SHOWN_PROBLEMS = 20


def print_problems(error: BulkValidationError, stderr: TextIO) -> None:
    """Print the problems of ``error``: the first 20, one per line, then how many more.

    Example:
        >>> import io
        >>> from mastery_grading.exceptions import DataFileError
        >>> out = io.StringIO()
        >>> print_problems(DataFileError([("ev.csv", 7, 3, "score=5.0 lies outside [0, 4]")]
        ...                              * 22), out)
        >>> print(out.getvalue().splitlines()[1], "|", out.getvalue().splitlines()[-1])
          ev.csv:7:3: score=5.0 lies outside [0, 4] | error: ... and 2 more problems
    """
    problems = error.problems
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    head = f"error: {count} {noun} in input"
    if getattr(error, "truncated", False):
        head += f" (stopped after {count}; there may be more)"
    stderr.write(head + ":\n")
    for problem in problems[:SHOWN_PROBLEMS]:
        stderr.write(f"  {problem}\n")
    if count > SHOWN_PROBLEMS:
        stderr.write(f"error: ... and {count - SHOWN_PROBLEMS} more problems\n")
    for note in getattr(error, "warnings", ()):
        stderr.write(f"warning: {note}\n")


def choose_policy(
    args: argparse.Namespace, found: ClassEvidence, targets: ClassTargets | None
) -> Policy | Mapping[str, Policy]:
    """Return ``--policy``, or else the policy of each target from the targets file."""
    if args.policy:
        chosen: Policy = args.parsed_policy
        return chosen
    policies = {} if targets is None else dict(targets.policies)
    missing = [t.id for t in found.targets if t.id not in policies]
    if found.targets and not missing:
        return policies
    msg = (
        "--policy is required (e.g. --policy most_recent) unless --targets gives every target a "
        "policy"
    )
    if policies:
        msg += f"; targets without one: {', '.join(missing[:5])}"
    raise UsageError(msg)


def by_student(evidence: Sequence[Evidence]) -> dict[str, list[Evidence]]:
    """Group evidence by student, for each student's next steps.

    Example:
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> {s: len(items) for s, items in by_student(scores_to_history([1, 2])).items()}
        {'s1': 2}
    """
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(item.student_id, []).append(item)
    return groups


def emit(text: str, output: str | None, stdout: TextIO) -> None:
    """Write ``text`` to standard output, or atomically to the ``-o`` file."""
    if output is None or output == "-":
        stdout.write(text)
    else:
        with atomic_writer(output) as handle:
            handle.write(text)


def warn(warnings: Sequence[str], args: argparse.Namespace, stderr: TextIO) -> None:
    """Print the first 20 warnings (and how many more) unless ``--quiet``."""
    if args.quiet:
        return
    shown = 20
    for message in warnings[:shown]:
        stderr.write(f"warning: {message}\n")
    if len(warnings) > shown:
        stderr.write(f"warning: ... and {len(warnings) - shown} more warnings\n")


@contextlib.contextmanager
def arrow_threads(threads: int | None) -> Iterator[None]:
    """Within the block, Arrow's pool of threads (which reads CSV files) has ``threads``.

    ``--threads N`` is then the number of threads of the whole run, the file's reading
    included; the pool's size is put back after, as :func:`~mastery_grading.cli.main` may run
    inside a program with its own use of Arrow. Commands run at once on several threads share
    the pool (the last one to start sizes it) and the size it had before the first is put back
    when the last ends. Nothing changes for ``None`` or without pyarrow.

    Example:
        >>> with arrow_threads(None):
        ...     pass
    """
    if threads is None or not available("pyarrow"):
        yield
        return
    pa = require("pyarrow", extra="fast", feature="--threads")
    with _ARROW_POOL.lock:
        if _ARROW_POOL.running == 0:
            _ARROW_POOL.before = pa.cpu_count()
        _ARROW_POOL.running += 1
        pa.set_cpu_count(threads)
    try:
        yield
    finally:
        with _ARROW_POOL.lock:
            _ARROW_POOL.running -= 1
            if _ARROW_POOL.running == 0:
                pa.set_cpu_count(_ARROW_POOL.before)


@attrs.define
class _PoolSize:
    """Arrow's pool size before the first of the commands running at once, and their count."""

    lock: threading.Lock = attrs.field(factory=threading.Lock)
    running: int = 0
    before: int = 0


_ARROW_POOL = _PoolSize()
