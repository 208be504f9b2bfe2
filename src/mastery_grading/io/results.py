"""Scoring a whole class, and writing the results as CSV or JSON (and reading the CSV back).

:func:`score_evidence` runs a policy (or one policy per target) over every student and target;
each :class:`StudentResult` pairs a student id with a :class:`~mastery_grading.TargetResult`.
A student without evidence on a target still gets a result, with ``value=None`` and the reason
``"no evidence"``, so that gaps are visible.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, MasteryGradingError
from mastery_grading.gradebook import RESULT_COLUMNS as GRADEBOOK_COLUMNS
from mastery_grading.io._common import (
    Problems,
    Source,
    cell_problem,
    csv_text,
    format_number,
    map_columns,
    parse_bool,
    parse_csv,
    parse_int,
    parse_number,
    read_text,
    source_name,
    write_text_atomic,
)
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "RESULT_COLUMNS",
    "ResultRecord",
    "StudentResult",
    "compare_csv_text",
    "policy_label",
    "read_results_csv",
    "results_csv_text",
    "results_json_text",
    "score_evidence",
    "write_results_csv",
    "write_results_json",
]

#: The columns of a results CSV file, in order (a gradebook's result columns, then the policy).
RESULT_COLUMNS = (*GRADEBOOK_COLUMNS, "policy")


@attrs.frozen(kw_only=True)
class StudentResult:
    """One student's result on one target.

    Attributes:
        student_id: The student.
        result: The policy's result (``result.value`` is ``None`` without evidence).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> item = StudentResult(student_id="ana",
        ...                      result=Mean().evaluate([], LearningTarget(id="T", title="T")))
        >>> item.student_id, item.result.reason
        ('ana', 'no evidence')
    """

    student_id: str
    result: TargetResult


def policy_label(policy: Any) -> str:
    """Return a short, stable label for a policy: its spec as compact JSON, or its repr.

    >>> from mastery_grading.policies import DecayingAverage
    >>> policy_label(DecayingAverage(rate=0.75))
    '{"policy":"decaying_average","rate":0.75}'
    """
    to_spec = getattr(policy, "to_spec", None)
    if callable(to_spec):
        try:
            return json.dumps(to_spec(), separators=(",", ":"), sort_keys=False)
        except (MasteryGradingError, TypeError, ValueError):
            pass
    return repr(policy)


def score_evidence(
    evidence: Iterable[Evidence],
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    students: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StudentResult, ...]:
    """Score every student on every target: one :class:`StudentResult` per pair.

    Args:
        evidence: Evidence of any number of students and targets.
        targets: The targets to score on; every evidence target must be among them.
        policy: One policy for all targets, or a policy per target id.
        students: Students to include even without any evidence (a class roster).
        progress: Called as ``progress(done, total)`` after each student.

    Returns:
        Results ordered by student id, then by the order of ``targets``.

    Raises:
        BulkValidationError: Listing evidence for unknown targets, targets without a policy, and
            scores a policy rejects (such as a score outside the target's scale).

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
        >>> evidence = [Evidence(student_id="ana", target_id="A", score=3, observed_at=when)]
        >>> [(r.student_id, r.result.target.id, r.result.value)
        ...  for r in score_evidence(evidence, targets, Mean())]
        [('ana', 'A', 3.0), ('ana', 'B', None)]
    """
    target_list = list(targets)
    by_id = {target.id: target for target in target_list}
    grouped: dict[str, dict[str, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    problems: list[tuple[int, str]] = []
    unknown: set[str] = set()
    for position, item in enumerate(evidence):
        if item.target_id not in by_id:
            if item.target_id not in unknown:
                unknown.add(item.target_id)
                problems.append(
                    (position, f"evidence names target {item.target_id!r}, which is not defined")
                )
            continue
        grouped[item.student_id][item.target_id].append(item)
    per_target: dict[str, Policy] = {}
    for target in target_list:
        if isinstance(policy, Mapping):
            chosen = policy.get(target.id)
            if chosen is None:
                problems.append((0, f"target {target.id!r} has no policy"))
                continue
            per_target[target.id] = chosen
        else:
            per_target[target.id] = policy
    if problems:
        raise BulkValidationError(problems)
    results: list[StudentResult] = []
    for student_id in students:
        grouped.setdefault(student_id, defaultdict(list))
    roster = sorted(grouped)
    for done, student in enumerate(roster, start=1):
        for target in target_list:
            history = grouped[student].get(target.id, [])
            try:
                result = per_target[target.id].evaluate(history, target)
            except MasteryGradingError as error:
                problems.append((done, f"student {student!r}, target {target.id!r}: {error}"))
                continue
            results.append(StudentResult(student_id=student, result=result))
        if progress is not None:
            progress(done, len(roster))
    if problems:
        raise BulkValidationError(problems)
    return tuple(results)


def _result_row(item: StudentResult) -> tuple[object, ...]:
    result = item.result
    return (
        item.student_id,
        result.target.id,
        None if result.value is None else format_number(result.value),
        None if result.level is None else result.level.name,
        result.mastered,
        result.evidence_count,
        result.reason,
        policy_label(result.policy),
    )


def results_csv_text(results: Iterable[StudentResult]) -> str:
    """Return results as CSV text with the :data:`RESULT_COLUMNS` (formula-safe cells).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> empty = Mean().evaluate([], LearningTarget(id="A", title="A"))
        >>> print(results_csv_text([StudentResult(student_id="ana", result=empty)]), end="")
        student_id,target_id,value,level,mastered,evidence_count,reason,policy
        ana,A,,,false,0,no evidence,"{""policy"":""mean"",""weighted"":true}"
    """
    return csv_text(RESULT_COLUMNS, (_result_row(item) for item in results))


def write_results_csv(path: str | os.PathLike[str], results: Iterable[StudentResult]) -> None:
    """Write results to ``path`` as CSV, atomically (see :func:`results_csv_text`).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "results.csv"
        >>> write_results_csv(path, [])
        >>> path.read_text().strip()
        'student_id,target_id,value,level,mastered,evidence_count,reason,policy'
    """
    write_text_atomic(path, results_csv_text(results))


def _result_json(item: StudentResult) -> dict[str, Any]:
    result = item.result
    spec = getattr(result.policy, "to_spec", None)
    return {
        "student_id": item.student_id,
        "target_id": result.target.id,
        "value": result.value,
        "level": None if result.level is None else result.level.name,
        "mastered": result.mastered,
        "evidence_count": result.evidence_count,
        "reason": result.reason,
        "policy": spec() if callable(spec) else repr(result.policy),
        "contributions": [
            {
                "source_id": c.evidence.source_id,
                "observed_at": c.evidence.observed_at.isoformat(),
                "score": c.evidence.score,
                "weight": c.weight,
            }
            for c in result.contributions
        ],
    }


def results_json_text(results: Iterable[StudentResult]) -> str:
    """Return results as JSON text, with the evidence that counted for each.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> empty = Mean().evaluate([], LearningTarget(id="A", title="A"))
        >>> json.loads(results_json_text([StudentResult(student_id="ana", result=empty)]))[
        ...     "results"][0]["reason"]
        'no evidence'
    """
    document = {"results": [_result_json(item) for item in results]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_results_json(path: str | os.PathLike[str], results: Iterable[StudentResult]) -> None:
    """Write results to ``path`` as JSON, atomically (see :func:`results_json_text`).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "results.json"
        >>> write_results_json(path, [])
        >>> json.loads(path.read_text())
        {'results': []}
    """
    write_text_atomic(path, results_json_text(results))


@attrs.frozen(kw_only=True)
class ResultRecord:
    """One row of a results CSV file, as :func:`read_results_csv` reads it back.

    The policy is kept as its label (spec JSON), and the target as its id.

    Example:
        >>> ResultRecord(student_id="ana", target_id="T", value=None, level=None, mastered=False,
        ...              evidence_count=0, reason="no evidence", policy='{"policy":"mean"}').reason
        'no evidence'
    """

    student_id: str
    target_id: str
    value: float | None
    level: str | None
    mastered: bool
    evidence_count: int
    reason: str | None
    policy: str


def read_results_csv(source: Source) -> tuple[ResultRecord, ...]:
    """Read a results CSV file written by :func:`write_results_csv`.

    Raises:
        DataFileError: Listing every problem with its file, line and column.

    Example:
        >>> import io
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> empty = Mean().evaluate([], LearningTarget(id="A", title="A"))
        >>> text = results_csv_text([StudentResult(student_id="ana", result=empty)])
        >>> read_results_csv(io.StringIO(text))[0].reason
        'no evidence'
    """
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems)
    columns = map_columns(table, problems, required=RESULT_COLUMNS)
    problems.check()
    records: list[ResultRecord] = []
    for row in table.rows:
        fields = {
            "student_id": cell_problem(problems, row, columns, "student_id", str),
            "target_id": cell_problem(problems, row, columns, "target_id", str),
            "value": cell_problem(problems, row, columns, "value", parse_number, required=False),
            "level": row.get(columns["level"]) or None,
            "mastered": cell_problem(problems, row, columns, "mastered", parse_bool),
            "evidence_count": cell_problem(
                problems, row, columns, "evidence_count", lambda t: parse_int(t, minimum=0)
            ),
            "reason": row.get(columns["reason"]) or None,
            "policy": row.get(columns["policy"]),
        }
        required: Sequence[str] = ("student_id", "target_id", "mastered", "evidence_count")
        if all(fields[name] is not None for name in required):
            records.append(ResultRecord(**fields))
    problems.check()
    return tuple(records)


def compare_csv_text(
    evidence: Sequence[Evidence],
    targets: Sequence[LearningTarget],
    policies: Mapping[str, Policy],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Return one CSV table with a value column per policy, side by side.

    Args:
        evidence: The evidence of a class.
        targets: The targets to score on.
        policies: Policies by column label.
        progress: Called as ``progress(done, total)`` after each policy.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.policies import Mean, MostRecent
        >>> day = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
        >>> evidence = [Evidence(student_id="ana", target_id="A", score=s, observed_at=day(d))
        ...             for d, s in [(1, 1.0), (2, 4.0)]]
        >>> print(compare_csv_text(evidence, [LearningTarget(id="A", title="A")],
        ...                        {"mean": Mean(), "latest": MostRecent()}), end="")
        student_id,target_id,mean,latest
        ana,A,2.5,4.0
    """
    table: dict[tuple[str, str], list[float | None]] = {}
    for index, chosen in enumerate(policies.values()):
        for item in score_evidence(evidence, targets, chosen):
            key = (item.student_id, item.result.target.id)
            table.setdefault(key, [None] * len(policies))[index] = item.result.value
        if progress is not None:
            progress(index + 1, len(policies))
    rows = [
        (student, target, *(None if v is None else format_number(v) for v in values))
        for (student, target), values in table.items()
    ]
    return csv_text(("student_id", "target_id", *policies), rows)
