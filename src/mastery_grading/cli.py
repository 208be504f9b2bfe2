"""The ``mastery-grading`` command: score, grade, report, compare and audit from the shell.

Run ``mastery-grading --help`` (or ``python -m mastery_grading --help``) for the subcommands
and examples. Exit codes: 0 success, 1 a problem with the data (each problem named with its
file, line and column), 2 a usage error (a bad option or spec).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, TextIO

from mastery_grading import grades
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import DataFileError, MasteryGradingError
from mastery_grading.targets import LearningTarget

__all__ = ["build_parser", "main", "progress_mode", "run"]

EXAMPLES = """\
examples:
  # results of every student on every outcome of a Canvas "Outcome Results" report
  mastery-grading score outcome_results.csv --policy most_recent -o results.csv

  # the same with the calculation methods and rating scales of a Canvas outcomes export
  mastery-grading score outcome_results.csv --targets outcomes.csv -o results.json --format json

  # three policies side by side on one evidence file
  mastery-grading compare evidence.csv --policy mean --policy most_recent \\
      --policy 'decay={"policy": "decaying_average", "rate": 0.65}'

  # letters with a grade converter spec, and one HTML progress report per class
  mastery-grading grade evidence.csv --policy most_recent --converter @converter.json
  mastery-grading report evidence.csv --targets targets.json --policy most_recent -o reports/

  # the fairness axioms each policy satisfies
  mastery-grading audit --policy mean --policy most_recent

Evidence files: a Canvas "Outcome Results" report CSV, a plain evidence CSV
(student_id,target_id,score,observed_at,...), or a OneRoster 1.2 gradebook folder or zip.
Target files: a Canvas outcomes CSV, a CASE 1.0/1.1 JSON package, or a targets JSON file.
A policy or converter spec is a name (most_recent), JSON ({"policy": "mean"}) or @file.json.

exit codes: 0 success, 1 problems in the data (listed with file, line and column), 2 usage error.
"""


class UsageError(Exception):
    """A bad option value: reported like an argparse error, with exit code 2."""


@dataclass
class Inputs:
    """Evidence, targets and names gathered from the input files."""

    evidence: list[Evidence]
    targets: list[LearningTarget]
    policies: dict[str, Any] = field(default_factory=dict)
    students: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    rosters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def roster(self, context: str | None = None) -> tuple[str, ...]:
        """Return the students of a class (``None``: of every class) known from the input."""
        if context is None:
            return tuple(dict.fromkeys(s for ids in self.rosters.values() for s in ids))
        return self.rosters.get(context, ())


def progress_mode(*, progress: bool, quiet: bool, stream: TextIO) -> str:
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


# --------------------------------------------------------------------------------------------
# Option parsing helpers


def _parse_tz(text: str) -> tzinfo:
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


def _load_spec(text: str, key: str, option: str) -> dict[str, Any]:
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
            msg = f"{option} {_short(text)} is not valid JSON: {error}"
            raise UsageError(msg) from error
        if not isinstance(spec, dict):
            msg = f"{option} {text!r} must be a JSON object"
            raise UsageError(msg)
        return spec
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
        msg = f"{option} {text!r} must be a name, a JSON object or @file.json"
        raise UsageError(msg)
    return {key: raw}


def _short(text: str, limit: int = 80) -> str:
    """Return ``repr(text)``, cut to ``limit`` characters for a readable message."""
    return (
        repr(text)
        if len(text) <= limit
        else repr(text[:limit]) + f" (and {len(text) - limit} more characters)"
    )


def _policy(text: str) -> Any:
    from mastery_grading.policies import policy_from_spec

    spec = _load_spec(text, "policy", "--policy")
    try:
        return policy_from_spec(spec)
    except (MasteryGradingError, ArithmeticError, TypeError, ValueError) as error:
        # SpecError for a bad name; a bad parameter (such as an integer too large for a
        # float) may surface as another error: every one is a bad option, exit code 2.
        msg = f"--policy {_short(text)}: {error}"
        raise UsageError(msg) from error


def _labelled_policies(values: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for text in values:
        label, spec = None, text
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)=(.+)", text, flags=re.DOTALL)
        if match:
            label, spec = match.group(1), match.group(2)
        policy = _policy(spec)
        label = label or getattr(policy, "spec_name", None) or spec
        if label in found:
            label = f"{label}#{len(found) + 1}"
        found[label] = policy
    return found


#: Class methods of the converters that are not presets.
_NOT_PRESETS = frozenset({"from_spec", "first_match", "unordered", "example"})


def _converter(text: str) -> Any:
    spec = _load_spec(text, "converter", "--converter")
    name = str(spec.get("converter"))
    if len(spec) == 1 and not text.lstrip().startswith(("{", "@")):
        # A named preset such as marzano_2010, percent or sbgrader2 (a classmethod that takes
        # no arguments); anything else is looked up as a converter spec name.
        for kind in ("AverageCutoffs", "RuleSet"):
            preset = getattr(getattr(grades, kind, None), name, None)
            if callable(preset) and not name.startswith("_") and name not in _NOT_PRESETS:
                try:
                    return preset()
                except TypeError:
                    continue
    try:
        return grades.converter_from_spec(spec)
    except (MasteryGradingError, ArithmeticError, TypeError, ValueError) as error:
        msg = f"--converter {_short(text)}: {error}"
        raise UsageError(msg) from error


# --------------------------------------------------------------------------------------------
# Reading inputs


def _sniff_header(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.decode("utf-8-sig", errors="replace").split("\n", 1)[0].lower()


def _evidence_format(path: Path, given: str) -> str:
    if given != "auto":
        return given
    if path.is_dir() or path.suffix.lower() == ".zip" or path.name == "manifest.csv":
        return "oneroster"
    if not path.exists():
        return "plain"  # reading reports the missing file
    header = _sniff_header(path)
    if "learning outcome id" in header:
        return "canvas"
    return "plain"


def _targets_format(path: Path, given: str) -> str:
    if given != "auto":
        return given
    if path.suffix.lower() == ".csv":
        return "canvas-outcomes"
    if path.exists() and path.suffix.lower() == ".json":
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8-sig", errors="replace")
        if "CFDocument" in head:
            return "case"
    return "json"


def _read_inputs(args: argparse.Namespace, stderr: TextIO) -> Inputs:
    # Options are checked before any file is read, so that a usage error is never hidden
    # behind (or mistaken for) a problem in the data.
    if isinstance(getattr(args, "policy", None), str):
        args.parsed_policy = _policy(args.policy)

    assume_tz = _parse_tz(args.assume_tz) if args.assume_tz else None
    progress = Progress("reading input files", args=args, stream=stderr)
    # Both files are read before failing, so that one run lists the problems of both.
    errors: list[DataFileError] = []
    try:
        inputs = _read_evidence(args, assume_tz)
    except DataFileError as error:
        errors.append(error)
        inputs = Inputs(evidence=[], targets=[])
    progress(1, 2 if args.targets else 1)
    if args.targets:
        from_evidence = list(inputs.targets)
        try:
            _read_targets(Path(args.targets), args, inputs)
        except DataFileError as error:
            errors.append(error)
        else:
            _join_by_title(inputs, from_evidence, Path(args.targets))
        progress(2, 2)
    if errors:
        raise DataFileError(
            [location for error in errors for location in error.locations],
            truncated=any(error.truncated for error in errors),
            warnings=[warning for error in errors for warning in error.warnings],
        )
    return inputs


def _join_by_title(inputs: Inputs, from_evidence: list[LearningTarget], path: Path) -> None:
    """Point evidence at the --targets target with the same title when the ids differ.

    A Canvas report names outcomes by Canvas id, while an outcomes CSV may use the school's own
    vendor_guid; the title then joins them. Each join is reported as a warning.
    """
    import attrs

    known = {target.id for target in inputs.targets}
    by_title: dict[str, list[LearningTarget]] = {}
    for target in inputs.targets:
        by_title.setdefault(target.title, []).append(target)
    renamed: dict[str, str] = {}
    for target in from_evidence:
        matches = by_title.get(target.title, [])
        if target.id not in known and len(matches) == 1:
            renamed[target.id] = matches[0].id
            inputs.warnings.append(
                f"{path}: evidence target {target.id!r} has no target with that id; it is "
                f"joined by its title {target.title!r} to {matches[0].id!r}"
            )
    if renamed:
        inputs.evidence = [
            attrs.evolve(e, target_id=renamed[e.target_id]) if e.target_id in renamed else e
            for e in inputs.evidence
        ]


def _read_evidence(args: argparse.Namespace, assume_tz: tzinfo | None) -> Inputs:
    from mastery_grading import io as mio
    from mastery_grading.scales import Scale

    path = Path(args.evidence)
    kind = _evidence_format(path, args.evidence_format)
    inputs: Inputs
    if kind == "canvas":
        canvas = mio.read_canvas_results(path, assume_tz=assume_tz, strict=args.strict)
        inputs = Inputs(
            evidence=list(canvas.evidence),
            targets=list(canvas.targets),
            students=dict(canvas.students),
            contexts=dict(canvas.contexts),
            rosters=dict(canvas.rosters),
            warnings=list(canvas.warnings),
        )
    elif kind == "oneroster":
        root = path.parent if path.name == "manifest.csv" else path
        book = mio.read_oneroster(root, strict=args.strict)
        evidence = list(book.evidence(tz=assume_tz or UTC))
        titles = {
            link.learning_objective_id: link.learning_objective_id
            for link in book.line_item_objectives
        }
        ids = list(dict.fromkeys([*titles, *(e.target_id for e in evidence)]))
        inputs = Inputs(
            evidence=evidence,
            targets=[LearningTarget(id=i, title=i) for i in ids],
            warnings=list(book.warnings),
        )
    else:
        plain = mio.read_evidence_csv(path, assume_tz=assume_tz, strict=args.strict)
        ids = list(dict.fromkeys(e.target_id for e in plain.evidence))
        inputs = Inputs(
            evidence=list(plain.evidence),
            targets=[LearningTarget(id=i, title=i, scale=Scale.marzano()) for i in ids],
            warnings=list(plain.warnings),
        )
        if not args.targets and ids:
            inputs.warnings.append(
                f"{path}: no --targets given; every target is scored on Marzano's 0-4 scale"
            )
    return inputs


def _read_targets(path: Path, args: argparse.Namespace, inputs: Inputs) -> None:
    from mastery_grading import io as mio

    kind = _targets_format(path, args.targets_format)
    if kind == "canvas-outcomes":
        outcomes = mio.read_canvas_outcomes(path, strict=args.strict)
        inputs.targets = list(outcomes.targets)
        inputs.policies = dict(outcomes.policies)
        inputs.paths = dict(outcomes.paths)
        inputs.warnings += outcomes.warnings
    elif kind == "case":
        framework = mio.read_case_package(path, strict=args.strict)
        inputs.targets = list(framework.targets)
        inputs.warnings += framework.warnings
    else:
        found = mio.read_targets_json(path, strict=args.strict)
        inputs.targets = list(found.targets)
        inputs.policies = dict(found.policies)
        inputs.warnings += found.warnings


def _choose_policy(args: argparse.Namespace, inputs: Inputs) -> Any:
    if args.policy:
        return args.parsed_policy
    missing = [t.id for t in inputs.targets if t.id not in inputs.policies]
    if inputs.targets and not missing:
        return inputs.policies
    msg = (
        "--policy is required (e.g. --policy most_recent) unless --targets gives every target a "
        "policy"
    )
    if inputs.policies:
        msg += f"; targets without one: {', '.join(missing[:5])}"
    raise UsageError(msg)


# --------------------------------------------------------------------------------------------
# Output


def _emit(text: str, output: str | None, stdout: TextIO) -> None:
    from mastery_grading.io._common import write_text_atomic

    if output is None or output == "-":
        stdout.write(text)
    else:
        write_text_atomic(output, text)


def _warn(warnings: Sequence[str], args: argparse.Namespace, stderr: TextIO) -> None:
    if args.quiet:
        return
    shown = 20
    for message in warnings[:shown]:
        stderr.write(f"warning: {message}\n")
    if len(warnings) > shown:
        stderr.write(f"warning: ... and {len(warnings) - shown} more warnings\n")


# --------------------------------------------------------------------------------------------
# Subcommands


def _cmd_score(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mastery_grading import io as mio

    inputs = _read_inputs(args, stderr)
    policy = _choose_policy(args, inputs)
    _warn(inputs.warnings, args, stderr)
    progress = Progress("scoring students", args=args, stream=stderr)
    results = mio.score_evidence(
        inputs.evidence, inputs.targets, policy, students=inputs.roster(), progress=progress
    )
    if args.format == "json":
        _emit(mio.results_json_text(results), args.output, stdout)
    elif args.format == "canvas-gradebook":
        text = mio.canvas_gradebook_text(results, paths=inputs.paths, students=inputs.students)
        _emit(text, args.output, stdout)
    elif args.format == "oneroster":
        if not args.output or args.output == "-":
            msg = "--format oneroster needs -o FOLDER or -o FILE.zip"
            raise UsageError(msg)
        mio.write_oneroster(
            args.output,
            results,
            class_id=args.class_id,
            school_id=args.school_id,
            category_id=args.category_id,
            academic_session_id=args.session_id,
            score_date=args.score_date or datetime.now(UTC).date(),
        )
    else:
        _emit(mio.results_csv_text(results), args.output, stdout)
    return 0


def _cmd_compare(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mastery_grading import io as mio

    policies = _labelled_policies(args.policy)
    inputs = _read_inputs(args, stderr)
    _warn(inputs.warnings, args, stderr)
    progress = Progress("scoring policies", args=args, stream=stderr)
    text = mio.compare_csv_text(inputs.evidence, inputs.targets, policies, progress=progress)
    _emit(text, args.output, stdout)
    return 0


def _by_student(args: argparse.Namespace, inputs: Inputs, stderr: TextIO) -> dict[str, list[Any]]:
    from mastery_grading import io as mio

    policy = _choose_policy(args, inputs)
    progress = Progress("scoring students", args=args, stream=stderr)
    results = mio.score_evidence(
        inputs.evidence, inputs.targets, policy, students=inputs.roster(), progress=progress
    )
    by_student: dict[str, list[Any]] = {}
    for item in results:
        by_student.setdefault(item.student_id, []).append(item.result)
    return by_student


def _cmd_grade(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mastery_grading.io._common import csv_text

    converter = _converter(args.converter)
    inputs = _read_inputs(args, stderr)
    by_student = _by_student(args, inputs, stderr)
    _warn(inputs.warnings, args, stderr)
    rows = []
    no_letter = 0
    for student, found in by_student.items():
        report = grades.grade(found, converter, on_gap="ignore")  # a gap never stops the class
        no_letter += report.letter == grades.NO_LETTER
        rows.append(
            {
                "student_id": student,
                "student_name": inputs.students.get(student),
                "letter": None if report.letter == grades.NO_LETTER else report.letter,
                "decided_by": report.decided_by,
                "next_steps": str(report.next_steps()),
            }
        )
    if no_letter:
        _warn([_no_letter_message(no_letter)], args, stderr)
    if args.format == "json":
        text = json.dumps({"grades": rows}, indent=2, ensure_ascii=False) + "\n"
    else:
        header = ("student_id", "student_name", "letter", "decided_by")
        text = csv_text(header, [[row[key] for key in header] for row in rows])
    _emit(text, args.output, stdout)
    return 0


def _no_letter_message(count: int) -> str:
    plural = "student" if count == 1 else "students"
    return (
        f"{count} {plural} got no letter: no rule of the rule set covers their results "
        "(see decided_by; RuleSet.check() lists every gap)"
    )


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "class"


def _cmd_report(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from mastery_grading import io as mio
    from mastery_grading.io.report import write_progress_report

    if args.output == "-":
        msg = "report writes one HTML file per class: -o must be a folder, not '-'"
        raise UsageError(msg)
    converter = _converter(args.converter) if args.converter else None
    inputs = _read_inputs(args, stderr)
    policy = _choose_policy(args, inputs)
    _warn(inputs.warnings, args, stderr)
    classes: dict[str, list[Evidence]] = {context: [] for context in inputs.rosters}
    for item in inputs.evidence:
        classes.setdefault(item.context or "", []).append(item)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    progress = Progress("writing class reports", args=args, stream=stderr)
    used_names: set[str] = set()
    for done, (context, evidence) in enumerate(sorted(classes.items()), start=1):
        title = args.title or inputs.contexts.get(context) or context or "Class"
        if args.title and len(classes) > 1:
            title = f"{args.title}: {inputs.contexts.get(context) or context}"
        results = mio.score_evidence(
            evidence, inputs.targets, policy, students=inputs.roster(context)
        )
        letters: dict[str, str] = {}
        steps: dict[str, list[str]] = {}
        if converter is not None:
            by_student: dict[str, list[Any]] = {}
            for scored in results:
                by_student.setdefault(scored.student_id, []).append(scored.result)
            for student, found in by_student.items():
                report = grades.grade(found, converter, on_gap="ignore")
                letters[student] = report.letter
                plan = str(report.next_steps()).strip()
                steps[student] = [plan] if plan else []
        name = _safe_name(inputs.contexts.get(context) or context or "class")
        while name in used_names:
            name += "-" + str(done)
        used_names.add(name)
        write_progress_report(
            out / f"{name}.html",
            results,
            title=title,
            students=inputs.students,
            letters=letters,
            steps=steps,
            generated=datetime.now(UTC),
        )
        progress(done, len(classes))
        if not args.quiet:
            stderr.write(f"wrote {out / (name + '.html')}\n")
    return 0


def _cmd_audit(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from mastery_grading.testing import AuditTable, audit
    except ImportError as error:  # pragma: no cover - hypothesis missing
        msg = f"audit needs the 'test' extra (pip install 'mastery_grading[test]'): {error}"
        raise MasteryGradingError(msg) from error
    if args.policy:
        policies = _labelled_policies(args.policy)
    else:
        from mastery_grading.policies import available_policies

        policies = available_policies()
    progress = Progress("auditing policies", args=args, stream=stderr)
    reports = []
    for done, policy in enumerate(policies.values(), start=1):
        reports.append(audit(policy, max_examples=args.max_examples))
        progress(done, len(policies))
    table = AuditTable(names=list(policies), reports=reports)
    if args.format == "json":
        document = {
            "audits": [
                {"label": label, **report.to_dict()}
                for label, report in zip(policies, reports, strict=True)
            ]
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    elif args.format == "markdown":
        text = table.to_markdown() + "\n"
    elif args.format == "html":
        text = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'\"><title>Policy audit</title></head><body>"
            f"<h1>Policy audit</h1>{table._repr_html_()}</body></html>\n"
        )
    else:
        text = str(table) + "\n"
    _emit(text, args.output, stdout)
    return 0


# --------------------------------------------------------------------------------------------
# The parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"{text!r} is not a whole number of at least 1"
        raise argparse.ArgumentTypeError(msg)
    return value


def _score_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        msg = f"{text!r} is not a date such as 2024-10-02"
        raise argparse.ArgumentTypeError(msg) from error


def _common(
    parser: argparse.ArgumentParser, *, outputs: str, output_required: bool = False
) -> None:
    parser.add_argument(
        "evidence",
        metavar="EVIDENCE",
        help="evidence: Canvas Outcome Results CSV, plain evidence CSV, or OneRoster folder/zip",
    )
    parser.add_argument(
        "--evidence-format",
        choices=("auto", "canvas", "plain", "oneroster"),
        default="auto",
        help="format of EVIDENCE (default: detected from the file)",
    )
    parser.add_argument(
        "--targets",
        metavar="FILE",
        help="targets: Canvas outcomes CSV, CASE JSON package, or targets JSON",
    )
    parser.add_argument(
        "--targets-format",
        choices=("auto", "canvas-outcomes", "case", "json"),
        default="auto",
        help="format of --targets (default: detected from the file)",
    )
    parser.add_argument(
        "--assume-tz",
        metavar="TZ",
        help="time zone for timestamps without a UTC offset (UTC, +02:00, Europe/Paris)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat unknown columns as errors, not warnings"
    )
    parser.add_argument("-o", "--output", metavar="PATH", required=output_required, help=outputs)
    _flags(parser)


def _flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report every step on stderr (default: automatic, only when stderr is a terminal "
        "and the run takes over a second; --quiet turns the automatic progress off)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not print warnings or automatic progress"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mastery-grading`` command.

    Example:
        >>> build_parser().parse_args(["compare", "evidence.csv", "--policy", "mean"]).policy
        ['mean']
    """
    from mastery_grading import __version__

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mastery-grading",
        description="Turn evidence of learning into mastery levels, grades and reports.",
        epilog=EXAMPLES,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    score = sub.add_parser(
        "score",
        help="results per student and target, as CSV or JSON",
        description="Score every student on every target with a policy.",
        epilog="example:\n  mastery-grading score outcome_results.csv --policy most_recent "
        "-o results.csv",
        formatter_class=formatter,
    )
    _common(score, outputs="output file (default: standard output); a folder for oneroster")
    score.add_argument("--policy", metavar="SPEC", help="policy spec: name, JSON or @file")
    score.add_argument(
        "--format",
        choices=("csv", "json", "canvas-gradebook", "oneroster"),
        default="csv",
        help="output format (default: csv)",
    )
    score.add_argument("--class-id", default="class", help="OneRoster classSourcedId")
    score.add_argument("--school-id", default="school", help="OneRoster schoolSourcedId")
    score.add_argument("--category-id", default="standards", help="OneRoster categorySourcedId")
    score.add_argument("--session-id", default="term", help="OneRoster academicSessionSourcedId")
    score.add_argument(
        "--score-date", type=_score_date, help="OneRoster scoreDate (default: today)"
    )
    score.set_defaults(handler=_cmd_score)

    grade = sub.add_parser(
        "grade",
        help="a letter per student from a grade converter",
        description="Score every student, then convert their results to a letter.",
        epilog="example:\n  mastery-grading grade evidence.csv --policy most_recent "
        "--converter @converter.json",
        formatter_class=formatter,
    )
    _common(grade, outputs="output file (default: standard output)")
    grade.add_argument("--policy", metavar="SPEC", help="policy spec: name, JSON or @file")
    grade.add_argument(
        "--converter",
        metavar="SPEC",
        required=True,
        help="converter: a preset (marzano_2010, percent, sbgrader2, ...), JSON spec or @file",
    )
    grade.add_argument("--format", choices=("csv", "json"), default="csv")
    grade.set_defaults(handler=_cmd_grade)

    report = sub.add_parser(
        "report",
        help="one self-contained HTML progress report per class",
        description=(
            "Write one HTML progress report per class (evidence context, e.g. the Canvas course)"
            " into a folder: a mastery map per student, the evidence that counted, next steps."
        ),
        epilog="example:\n  mastery-grading report outcome_results.csv --targets outcomes.csv "
        "-o reports/",
        formatter_class=formatter,
    )
    _common(report, outputs="output folder (created if missing; required)", output_required=True)
    report.add_argument("--policy", metavar="SPEC", help="policy spec: name, JSON or @file")
    report.add_argument(
        "--converter",
        metavar="SPEC",
        help="optional converter (preset, JSON spec or @file) for letters",
    )
    report.add_argument("--title", help="report title (default: the class name)")
    report.set_defaults(handler=_cmd_report)

    compare = sub.add_parser(
        "compare",
        help="one evidence file under several policies, side by side",
        description="Score one evidence file under several policies; one column per policy.",
        epilog="example:\n  mastery-grading compare evidence.csv --policy mean "
        "--policy latest=most_recent",
        formatter_class=formatter,
    )
    _common(compare, outputs="output file (default: standard output)")
    compare.add_argument(
        "--policy",
        metavar="[LABEL=]SPEC",
        action="append",
        required=True,
        help="a policy to compare (repeat); LABEL names its column",
    )
    compare.set_defaults(handler=_cmd_compare)

    audit = sub.add_parser(
        "audit",
        help="the fairness axioms each policy satisfies",
        description="Check policies against the fairness axioms and print the table.",
        epilog="example:\n  mastery-grading audit --policy mean --policy most_recent",
        formatter_class=formatter,
    )
    audit.add_argument(
        "--policy",
        metavar="[LABEL=]SPEC",
        action="append",
        help="a policy to audit (repeat; default: every built-in policy)",
    )
    audit.add_argument(
        "--format",
        choices=("text", "markdown", "json", "html"),
        default="text",
        help="output format (default: text)",
    )
    audit.add_argument(
        "--max-examples",
        type=_positive_int,
        metavar="N",
        help="cases to try per axiom and policy (default: the Hypothesis profile's)",
    )
    audit.add_argument("-o", "--output", metavar="PATH", help="output file (default: stdout)")
    _flags(audit)
    audit.set_defaults(handler=_cmd_audit)
    return parser


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
        1
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


if __name__ == "__main__":
    run()
