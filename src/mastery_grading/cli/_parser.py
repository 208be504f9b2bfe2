"""The argument parser of the ``mastery-grading`` command: the subcommands and their options."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Literal, TypeAlias, get_args

from mastery_grading import __version__
from mastery_grading.cli.audit import command as audit_command
from mastery_grading.cli.compare import command as compare_command
from mastery_grading.cli.diff import command as diff_command
from mastery_grading.cli.grade import command as grade_command
from mastery_grading.cli.needed import command as needed_command
from mastery_grading.cli.report import command as report_command
from mastery_grading.cli.score import command as score_command
from mastery_grading.reports import LANGUAGES

#: The choices of each option that picks a format or an engine.
EvidenceOption: TypeAlias = Literal["auto", "canvas", "plain", "oneroster", "parquet"]
TargetsOption: TypeAlias = Literal["auto", "canvas-outcomes", "case", "json"]
ScoreFormat: TypeAlias = Literal["csv", "json", "canvas-gradebook", "oneroster"]
GradeFormat: TypeAlias = Literal["csv", "json"]
NeededFormat: TypeAlias = Literal["csv", "json", "text"]
AuditFormat: TypeAlias = Literal["text", "markdown", "json", "html"]
EngineOption: TypeAlias = Literal["auto", "numpy", "python"]

EVIDENCE_FORMATS: tuple[str, ...] = get_args(EvidenceOption)
TARGETS_FORMATS: tuple[str, ...] = get_args(TargetsOption)
SCORE_FORMATS: tuple[str, ...] = get_args(ScoreFormat)
GRADE_FORMATS: tuple[str, ...] = get_args(GradeFormat)
NEEDED_FORMATS: tuple[str, ...] = get_args(NeededFormat)
AUDIT_FORMATS: tuple[str, ...] = get_args(AuditFormat)
ENGINES: tuple[str, ...] = get_args(EngineOption)

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

  # whose letter changes if the school moves from the mean to a decaying average, by section
  mastery-grading diff evidence.csv --before mean --after decaying_average \
      --converter marzano_2010 --by section -o diff.html
  # what every student needs on the next assessment to reach "meets", as a table
  mastery-grading needed evidence.csv --policy decaying_average --level meets --format text

  # the fairness axioms each policy satisfies
  mastery-grading audit --policy mean --policy most_recent

Evidence files: a Canvas "Outcome Results" report CSV, a plain evidence CSV
(student_id,target_id,score,observed_at,...), or a OneRoster 1.2 gradebook folder or zip.
Target files: a Canvas outcomes CSV, a CASE 1.0/1.1 JSON package, or a targets JSON file.
A policy or converter spec is a name (most_recent), JSON ({"policy": "mean"}) or @file.json.

exit codes: 0 success, 2 bad input (problems in the data, each listed with file, line and
column; or a usage error), 1 any other error (such as an output that cannot be written).
"""


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


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        msg = f"{text!r} is not a time with a UTC offset such as 2024-10-02T08:00:00Z"
        raise argparse.ArgumentTypeError(msg)
    return moment


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
        choices=EVIDENCE_FORMATS,
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
        choices=TARGETS_FORMATS,
        default="auto",
        help="format of --targets (default: detected from the file)",
    )
    parser.add_argument(
        "--assume-tz",
        metavar="TZ",
        help="time zone for timestamps without a UTC offset (UTC, +02:00, Europe/Paris)",
    )
    parser.add_argument(
        "--missing-scores",
        choices=("skip", "error"),
        default="skip",
        help="a blank score: skip it as missing evidence, with one warning (default), or refuse "
        "it as an error",
    )
    parser.add_argument(
        "--decimal",
        choices=(".", ","),
        default=None,
        help="decimal mark of numbers (default: ',' in a ';'-separated file, else '.', where "
        "3,5 is an error)",
    )
    parser.add_argument(
        "--strip-ids",
        action="store_true",
        help="trim spaces around ids (by default ids are kept as written)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat unknown columns as errors, not warnings"
    )
    parser.add_argument(
        "--duplicates",
        choices=("error", "drop", "keep"),
        default="error",
        help=(
            "duplicate evidence (same student, target, time, score, source and kind): "
            "error lists every copy (default), drop keeps the first, keep counts each"
        ),
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


def _threads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="threads of the run: Arrow's reading of a CSV file and the vectorized engine, "
        "which reads the evidence's columns into the gradebook (default: Arrow's own count "
        "for the file, $MASTERY_GRADING_THREADS, else 2, or 1 on a single CPU, for the "
        "engine); the results are the same for any number",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mastery-grading`` command.

    Example:
        >>> build_parser().parse_args(["compare", "evidence.csv", "--policy", "mean"]).policy
        ['mean']
    """
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
        choices=SCORE_FORMATS,
        default="csv",
        help="output format (default: csv)",
    )
    score.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="how results are computed: auto (the vectorized engine when numpy is installed; "
        "the reference policies for --format json, which lists the evidence that counted), "
        "numpy, or python (default: auto)",
    )
    _threads(score)
    score.add_argument("--class-id", default="class", help="OneRoster classSourcedId")
    score.add_argument("--school-id", default="school", help="OneRoster schoolSourcedId")
    score.add_argument("--category-id", default="standards", help="OneRoster categorySourcedId")
    score.add_argument("--session-id", default="term", help="OneRoster academicSessionSourcedId")
    score.add_argument(
        "--score-date", type=_score_date, help="OneRoster scoreDate (default: today)"
    )
    score.add_argument(
        "--modified",
        type=_moment,
        help="OneRoster dateLastModified, a time with a UTC offset (default: now); fix it to "
        "write the same files from the same data",
    )
    score.set_defaults(handler=score_command)

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
    grade.add_argument("--format", choices=GRADE_FORMATS, default="csv")
    _threads(grade)
    grade.set_defaults(handler=grade_command)

    report = sub.add_parser(
        "report",
        help="per class: one HTML page per student and the teacher's mastery map",
        description=(
            "Write, per class (evidence context, e.g. the Canvas course), a folder with one"
            " self-contained HTML page per student (grade, levels, evidence, progress charts,"
            " next steps), named by a keyed slug of the student id, and teacher.html, the class"
            " mastery map."
        ),
        epilog="example:\n  mastery-grading report outcome_results.csv --targets outcomes.csv "
        "-o reports/ --lang es --pdf",
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
    report.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the pages (default: en)"
    )
    report.add_argument(
        "--pdf", action="store_true", help="also print each student's page to PDF (Chromium)"
    )
    report.add_argument(
        "--slug-key",
        metavar="SECRET",
        help="key of the students' file names (default: $MASTERY_GRADING_SLUG_KEY, else the "
        "key kept in FOLDER/.slug-key, made on the first run)",
    )
    report.set_defaults(handler=report_command)

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
    _threads(compare)
    compare.set_defaults(handler=compare_command)

    diff = sub.add_parser(
        "diff",
        help="whose level and letter change when one policy gives way to another",
        description=(
            "Compare two policies (letters with --converter) or two converters over one "
            "evidence file: the letters before and after, the students who change and the "
            "targets that moved them, the transition matrix, and the groups of --by."
        ),
        epilog="example:\n  mastery-grading diff evidence.csv --before mean --after "
        "decaying_average --converter marzano_2010 --by section -o diff.html",
        formatter_class=formatter,
    )
    _common(
        diff,
        outputs="output file: .html (a page: matrix, groups, students) or .csv (default: CSV on "
        "standard output)",
    )
    diff.add_argument(
        "--before",
        metavar="SPEC",
        required=True,
        help="the policy now (name, JSON or @file), or a converter preset or spec",
    )
    diff.add_argument(
        "--after",
        metavar="SPEC",
        required=True,
        help="the policy (or converter) to switch to; the same kind as --before",
    )
    diff.add_argument(
        "--converter",
        metavar="SPEC",
        help="converter for the letters of two policies (preset, JSON spec or @file)",
    )
    diff.add_argument(
        "--by",
        metavar="COLUMN",
        help="compare groups: 'section' (Canvas), 'context', or a column of a plain evidence "
        "CSV; students without a value are counted in '(missing)'",
    )
    _threads(diff)
    diff.set_defaults(handler=diff_command)
    needed = sub.add_parser(
        "needed",
        help="the smallest next score each student needs on each target",
        description=(
            "For every student and target: the smallest score on the next assessment that "
            "brings the result to mastery (or --level), or how many top scores it takes."
        ),
        epilog="example:\n  mastery-grading needed evidence.csv --policy decaying_average "
        "--level meets --student ana --format text",
        formatter_class=formatter,
    )
    _common(needed, outputs="output file (default: standard output)")
    needed.add_argument("--policy", metavar="SPEC", help="policy spec: name, JSON or @file")
    needed.add_argument(
        "--level",
        metavar="NAME|VALUE",
        help="the goal: a level's name (meets) or a value on the scale (default: mastery)",
    )
    needed.add_argument(
        "--student",
        metavar="ID",
        action="append",
        help="only this student (repeat for several; default: every student)",
    )
    needed.add_argument(
        "--when",
        type=_moment,
        help="when the next assessment is observed, a time with a UTC offset (default: one "
        "day after each student's latest evidence on the target)",
    )
    needed.add_argument(
        "--format",
        choices=NEEDED_FORMATS,
        default="csv",
        help="output format: csv, json or an aligned text table (default: csv)",
    )
    needed.set_defaults(handler=needed_command)

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
        choices=AUDIT_FORMATS,
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
    audit.set_defaults(handler=audit_command)
    return parser
