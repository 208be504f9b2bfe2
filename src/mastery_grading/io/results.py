"""Scoring a whole class, and writing the results as CSV or JSON (and reading the CSV back).

Every writer of this package takes a :class:`~mastery_grading.ResultTable` (what
:meth:`Gradebook.results <mastery_grading.Gradebook.results>` returns), or any iterable of
:class:`~mastery_grading.TargetResult` rows that carry their ``student_id``.
:func:`results_table` builds that table from evidence read from files: it puts the evidence in a
:class:`~mastery_grading.Gradebook` (the vectorized engine when numpy is installed), gives a
target its own policy when asked, and adds the students of a roster who have no evidence yet, so
that gaps are visible (``value=None``, reason ``"no evidence"``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Literal, TypeAlias

import attrs

from mastery_grading._extras import available
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, InvalidValueError, MasteryGradingError
from mastery_grading.gradebook import Duplicates, Gradebook, ResultTable
from mastery_grading.gradebook._arguments import check_threads
from mastery_grading.io._common import csv_text, format_number, write_text_atomic
from mastery_grading.io._output import contributions_in_order, id_order
from mastery_grading.io._results_columns import table_csv_text
from mastery_grading.io._results_read import RESULT_COLUMNS as _COLUMNS
from mastery_grading.io._results_read import ResultRecord, read_results_csv
from mastery_grading.io.columnar import EvidenceColumns
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = [
    "RESULT_COLUMNS",
    "Engine",
    "ResultRecord",
    "Results",
    "StudentResult",
    "compare_csv_text",
    "policy_spec_text",
    "read_results_csv",
    "results_csv_text",
    "results_json_text",
    "results_table",
    "score_evidence",
    "student_rows",
    "write_results_csv",
    "write_results_json",
]

#: The columns of a results CSV file, in order (a gradebook's result columns, then the policy).
RESULT_COLUMNS = _COLUMNS

#: The engine of :class:`~mastery_grading.Gradebook`: ``"auto"`` is the vectorized one when
#: numpy is installed.
Engine: TypeAlias = Literal["auto", "numpy", "python"]


@attrs.frozen(kw_only=True)
class StudentResult:
    """One student's result on one target (deprecated: use a ``ResultTable``'s rows).

    Creating one warns with :class:`DeprecationWarning`; the writers still accept it for one
    release.

    Attributes:
        student_id: The student.
        result: The policy's result (``result.value`` is ``None`` without evidence).

    Example:
        >>> import warnings
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     item = StudentResult(student_id="ana",
        ...                          result=Mean().evaluate([], LearningTarget(id="T", title="T")))
        >>> item.student_id, item.result.reason
        ('ana', 'no evidence')
    """

    student_id: str
    result: TargetResult

    def __attrs_post_init__(self) -> None:
        warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)


_DEPRECATED = (
    "StudentResult and score_evidence are deprecated; use results_table() or "
    "Gradebook.results(), whose ResultTable every writer takes"
)

#: Anything the writers take. A :class:`~mastery_grading.ResultTable`, or results that each carry
#: their ``student_id`` (the deprecated :class:`StudentResult` still works for one release).
Results: TypeAlias = ResultTable | Iterable[TargetResult | StudentResult]


def student_rows(results: Results) -> Iterator[tuple[str, TargetResult]]:
    """Yield ``(student_id, result)`` for every row of ``results``, by student then target.

    This is the order of every file the writers write: students by id, then targets by id,
    both in natural order (``LE.2`` before ``LE.10``, see
    :func:`~mastery_grading.io.id_order`), whatever the order of the input rows.

    Raises:
        InvalidValueError: If a result outside a ``ResultTable`` has no ``student_id``.

    Example:
        >>> from mastery_grading import Gradebook
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.policies import Mean
        >>> example = load_example_class()
        >>> table = Gradebook.from_evidence(example.evidence, targets=example.targets).results(
        ...     Mean())
        >>> student, result = next(student_rows(table))
        >>> student, result.target.id, result.value
        ('ana', 'LE.1', 3.375)
    """
    if isinstance(results, ResultTable) and _in_order(results):
        yield from _unordered_rows(results)  # the common case: nothing to sort
        return
    rows = list(_unordered_rows(results))
    students = sorted({student for student, _ in rows}, key=id_order)
    targets = sorted({result.target.id for _, result in rows}, key=id_order)
    student_rank = {student: rank for rank, student in enumerate(students)}
    target_rank = {target: rank for rank, target in enumerate(targets)}
    rows.sort(key=lambda row: (student_rank[row[0]], target_rank[row[1].target.id]))
    yield from rows


def _in_order(table: ResultTable) -> bool:
    """Whether a table's rows already run by student, then target, in :func:`id_order`."""
    students = list(table.students)
    targets = [target.id for target in table.targets]
    return students == sorted(students, key=id_order) and targets == sorted(targets, key=id_order)


def _unordered_rows(results: Results) -> Iterator[tuple[str, TargetResult]]:
    if isinstance(results, ResultTable):
        for (student, _), result in results.items():
            yield student, result
        return
    for item in results:
        if isinstance(item, StudentResult):
            yield item.student_id, item.result
            continue
        student_id = item.student_id
        if student_id is None:
            msg = (
                f"result for target {item.target.id!r} has student_id=None; expected the rows "
                "of a ResultTable or results that name their student"
            )
            raise InvalidValueError(msg)
        yield student_id, item


def policy_spec_text(policy: Any) -> str:
    """Return the text of a policy in a results file: its spec as compact JSON, or its repr.

    This is the ``policy`` column of a results CSV: the full spec, so the file says exactly
    which rule computed it. For a short human label use
    :func:`mastery_grading.policies.policy_label`.

    >>> from mastery_grading.policies import DecayingAverage
    >>> policy_spec_text(DecayingAverage(rate=0.75))
    '{"policy":"decaying_average","rate":0.75}'
    """
    to_spec = getattr(policy, "to_spec", None)
    if callable(to_spec):
        try:
            return json.dumps(to_spec(), separators=(",", ":"), sort_keys=False)
        except (MasteryGradingError, TypeError, ValueError):
            pass
    return repr(policy)


def _policy_problems(
    targets: Sequence[LearningTarget], policy: Policy | Mapping[str, Policy] | None = None
) -> list[tuple[int, str]]:
    """The targets a per-target policy mapping leaves out, as problems."""
    if not isinstance(policy, Mapping):
        return []
    return [(0, f"target {t.id!r} has no policy") for t in targets if t.id not in policy]


def _book(
    build: Callable[[], Gradebook],
    targets: Sequence[LearningTarget],
    policy: Policy | Mapping[str, Policy] | None,
) -> Gradebook:
    """Build a gradebook; its problems and the policy's, if any, in one error."""
    problems: list[Any] = _policy_problems(targets, policy)
    try:
        book = build()
    except BulkValidationError as error:
        raise BulkValidationError([*error.problems, *problems]) from None
    if problems:
        raise BulkValidationError(problems)
    return book


def results_table(
    evidence: Iterable[Evidence] | EvidenceColumns,
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    students: Iterable[str] = (),
    engine: Engine = "auto",
    progress: Callable[[int, int], None] | None = None,
    student_attributes: Mapping[str, Any] | None = None,
    duplicates: Duplicates = "error",
    threads: int | None = None,
) -> ResultTable:
    """Score every student on every target through a :class:`~mastery_grading.Gradebook`.

    With one policy and no student missing from the evidence this is exactly
    ``Gradebook.from_evidence(evidence, targets=targets, engine=engine).results(policy)``:
    the vectorized engine when numpy is installed. A policy per target, or roster students
    without any evidence, are then filled in from the same gradebook's results.

    Args:
        evidence: Evidence of any number of students and targets, or the same read by columns
            (:attr:`ClassEvidence.columns <mastery_grading.io.ClassEvidence.columns>`): those
            go to :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>` when the
            vectorized engine scores them and every row fits its target, else are read as
            ``Evidence`` objects (the same results, the same messages).
        targets: The targets to score on; every evidence target must be among them.
        policy: One policy for all targets, or a policy per target id.
        students: Students to include even without any evidence (a class roster).
        engine: The gradebook's engine; ``"python"`` gives every row its ``contributions``.
        progress: Called as ``progress(done, total)`` as students are scored.
        student_attributes: Carried by the table, as :class:`~mastery_grading.Gradebook`'s.
        duplicates: What the gradebook does with duplicate evidence: ``"error"`` (default),
            ``"drop"`` or ``"keep"`` (see :meth:`Gradebook.from_evidence
            <mastery_grading.Gradebook.from_evidence>`).
        threads: How many threads read evidence given by columns and sort the rows, as
            :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>`'s ``threads``
            (``None``: ``MASTERY_GRADING_THREADS``, else 2); the results are the same for any
            number.

    Returns:
        A :class:`~mastery_grading.ResultTable`: rows by student id, then in ``targets`` order.

    Raises:
        BulkValidationError: Listing targets without a policy; or every bad piece of
            evidence (an unknown target, a score outside its target's scale, a duplicate),
            all kinds in one error.
        InvalidValueError: If ``threads`` is not ``None`` or a whole number of at least 1.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget, policies
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
        >>> evidence = [Evidence(student_id="ana", target_id="A", score=3, observed_at=when)]
        >>> table = results_table(evidence, targets, policies.Mean(), students=["ben"])
        >>> [(student, target, r.value) for (student, target), r in table.items()]
        [('ana', 'A', 3.0), ('ana', 'B', None), ('ben', 'A', None), ('ben', 'B', None)]
    """
    check_threads(threads)
    # the same call on other evidence (or without the attributes): every other choice kept
    again = partial(
        results_table,
        policy=policy,
        students=students,
        engine=engine,
        progress=progress,
        duplicates=duplicates,
        threads=threads,
    )
    if student_attributes:  # the same table, carrying them
        return again(evidence, targets).with_student_attributes(student_attributes)
    target_list = list(targets)
    if isinstance(evidence, EvidenceColumns):
        if engine != "python" and available("numpy") and evidence.fits(target_list):
            frame = evidence.frame()
            book = _book(
                lambda: Gradebook.from_frame(
                    frame,
                    targets=target_list,
                    engine=engine,
                    duplicates=duplicates,
                    threads=threads,
                ),
                target_list,
                policy,
            )
        else:  # the same evidence as objects: the same results, the same messages
            return again(evidence.evidence(), target_list)
    else:
        items = list(evidence)
        book = _book(
            lambda: Gradebook.from_evidence(
                items,
                targets=target_list,
                engine=engine,
                duplicates=duplicates,
                threads=threads,
            ),
            target_list,
            policy,
        )
    roster = set(students)
    if not isinstance(policy, Mapping):
        table = book.results(policy)
        if roster <= set(table.students):
            if progress is not None:
                progress(len(table.students), len(table.students))
            return table
        chosen = {target.id: policy for target in target_list}
    else:
        chosen = dict(policy)
    # One gradebook result per distinct policy; each target takes its rows from its policy's.
    tables: dict[object, ResultTable] = {}
    for found in chosen.values():
        key = _policy_key(found)
        if key not in tables:
            tables[key] = book.results(found)
    by_target: dict[str, dict[str, TargetResult]] = {target.id: {} for target in target_list}
    for table in tables.values():
        wanted = {t.id for t in target_list if tables[_policy_key(chosen[t.id])] is table}
        for (student, target_id), result in table.items():
            if target_id in wanted:
                by_target[target_id][student] = result
    everyone = sorted(roster.union(*(table.students for table in tables.values())))
    results: list[TargetResult] = []
    for done, student in enumerate(everyone, start=1):
        for target in target_list:
            found_result = by_target[target.id].get(student)
            if found_result is None:
                found_result = chosen[target.id].evaluate([], target)
            results.append(found_result)
        if progress is not None:
            progress(done, len(everyone))
    return ResultTable(
        policy=policy,
        students=everyone,
        targets=target_list,
        values=[r.value for r in results],
        counts=[r.evidence_count for r in results],
        reasons={i: r.reason for i, r in enumerate(results) if r.reason is not None},
        results=results,
    )


def _policy_key(policy: Policy) -> object:
    """Equal policies share one computation; an unhashable one is keyed by identity."""
    try:
        hash(policy)
    except TypeError:
        return id(policy)
    return policy


def score_evidence(
    evidence: Iterable[Evidence],
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    students: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StudentResult, ...]:
    """Score every student on every target (deprecated: use :func:`results_table`).

    Warns with :class:`DeprecationWarning`; the same as :func:`results_table` with the
    reference engine, each row paired with its student.

    Example:
        >>> import warnings
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     found = score_evidence([], [LearningTarget(id="A", title="A")], Mean(),
        ...                            students=["ana"])
        >>> [(r.student_id, r.result.reason) for r in found]
        [('ana', 'no evidence')]
    """
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=2)
    table = results_table(
        evidence, targets, policy, students=students, engine="python", progress=progress
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return tuple(StudentResult(student_id=s, result=r) for s, r in student_rows(table))


def _result_row(
    student_id: str, result: TargetResult, labels: dict[int, str]
) -> tuple[object, ...]:
    # one label per policy object: a table's rows share a handful of policies
    label = labels.get(id(result.policy))
    if label is None:
        label = labels[id(result.policy)] = policy_spec_text(result.policy)
    return (
        student_id,
        result.target.id,
        None if result.value is None else format_number(result.value),
        None if result.level is None else result.level.name,
        result.mastered,
        result.evidence_count,
        result.reason,
        label,
    )


def results_csv_text(results: Results) -> str:
    """Return results as CSV text with the :data:`RESULT_COLUMNS` (formula-safe cells).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> table = results_table([], [LearningTarget(id="A", title="A")], Mean(),
        ...                       students=["ana"])
        >>> print(results_csv_text(table), end="")
        student_id,target_id,value,level,mastered,evidence_count,reason,policy
        ana,A,,,false,0,no evidence,"{""policy"":""mean"",""weighted"":true}"
    """
    labels: dict[int, str] = {}
    if (
        isinstance(results, ResultTable)
        and results._results is None  # the engine's (the reference's rows keep every reason)
        and available("numpy")
    ):
        # by columns: each distinct text formatted once, no result object per row, the rows
        # put in id order by one stable sort when the table's students or targets are not
        texts = [
            labels.get(id(policy)) or labels.setdefault(id(policy), policy_spec_text(policy))
            for policy in (results.policy_of(target.id) for target in results.targets)
        ]
        return table_csv_text(results, RESULT_COLUMNS, texts)
    rows = (_result_row(s, r, labels) for s, r in student_rows(results))
    return csv_text(RESULT_COLUMNS, rows)


def write_results_csv(path: str | os.PathLike[str], results: Results) -> None:
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


def _result_json(student_id: str, result: TargetResult) -> dict[str, Any]:
    spec = getattr(result.policy, "to_spec", None)
    return {
        "student_id": student_id,
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
            for c in contributions_in_order(result)
        ],
    }


def results_json_text(results: Results) -> str:
    """Return results as JSON text, with the evidence that counted for each.

    Rows computed by the vectorized engine carry no ``contributions`` (an empty list here):
    score with ``engine="python"`` (as ``mastery-grading score --format json`` does) to list
    them.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> table = results_table([], [LearningTarget(id="A", title="A")], Mean(),
        ...                       students=["ana"])
        >>> json.loads(results_json_text(table))["results"][0]["reason"]
        'no evidence'
    """
    document = {"results": [_result_json(s, r) for s, r in student_rows(results)]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_results_json(path: str | os.PathLike[str], results: Results) -> None:
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


def compare_csv_text(
    evidence: Sequence[Evidence] | EvidenceColumns,
    targets: Sequence[LearningTarget],
    policies: Mapping[str, Policy],
    *,
    engine: Engine = "auto",
    progress: Callable[[int, int], None] | None = None,
    duplicates: Duplicates = "error",
    threads: int | None = None,
) -> str:
    """Return one CSV table with a value column per policy, side by side.

    The evidence goes into one :class:`~mastery_grading.Gradebook`, whose
    :meth:`~mastery_grading.Gradebook.results` gives each policy's column.

    Args:
        evidence: The evidence of a class, or the same read by columns (see
            :func:`results_table`).
        targets: The targets to score on.
        policies: Policies by column label.
        engine: The gradebook's engine (see :class:`~mastery_grading.Gradebook`).
        progress: Called as ``progress(done, total)`` after each policy.
        duplicates: As for :func:`results_table`.
        threads: As for :func:`results_table`.

    Raises:
        BulkValidationError: Listing evidence for unknown targets and scores outside their
            target's scale.
        InvalidValueError: If ``threads`` is not ``None`` or a whole number of at least 1.

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
    check_threads(threads)
    if isinstance(evidence, EvidenceColumns):
        if engine != "python" and available("numpy") and evidence.fits(targets):
            book = Gradebook.from_frame(
                evidence.frame(),
                targets=targets,
                engine=engine,
                duplicates=duplicates,
                threads=threads,
            )
        else:
            book = Gradebook.from_evidence(
                evidence.evidence(),
                targets=targets,
                engine=engine,
                duplicates=duplicates,
                threads=threads,
            )
    else:
        book = Gradebook.from_evidence(
            evidence, targets=targets, engine=engine, duplicates=duplicates, threads=threads
        )
    table: dict[tuple[str, str], list[float | None]] = {}
    for index, chosen in enumerate(policies.values()):
        for key, result in book.results(chosen).items():
            table.setdefault(key, [None] * len(policies))[index] = result.value
        if progress is not None:
            progress(index + 1, len(policies))
    rows = [
        (student, target, *(None if v is None else format_number(v) for v in values))
        for (student, target), values in sorted(
            table.items(), key=lambda item: (id_order(item[0][0]), id_order(item[0][1]))
        )
    ]
    return csv_text(("student_id", "target_id", *policies), rows)
