"""Live result tables: the last table of a policy, patched when evidence is added.

:meth:`~mastery_grading.Gradebook.results` keeps, per (policy, ``as_of``, engine), the last
:class:`~mastery_grading.ResultTable` it returned and the evidence it was computed from. Evidence
added since then waits in :attr:`LiveTable.pending`; the next call groups it by (student,
target) and recomputes those rows only:

- for an **incremental** policy (:class:`~mastery_grading.IncrementalPolicy`), through one
  running state per touched group, made on first touch from the group's earlier evidence and
  then updated in O(1) per in-order piece;
- for **any other** policy, by evaluating the touched group again on all its evidence.

The rows are written into copies of the table's columns, so a table handed out earlier never
changes; a new student makes room for its rows (students stay sorted). Values equal a fresh
gradebook's within 1e-9, as the two engines do (running totals are floats; a value within 1e-9
of a level threshold is recomputed exactly); the students, counts, reasons, levels and mastery
are the same.

Example:
    >>> from mastery_grading import Gradebook, LearningTarget, policies
    >>> from mastery_grading.testing.examples import scores_to_history
    >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")], engine="python")
    >>> book.add(scores_to_history([2, 3], target_id="T"))
    >>> book.results(policies.Mean()).records()[0]["value"]
    2.5
    >>> book.add(scores_to_history([0, 0, 4], target_id="T")[2])  # one more, later score
    >>> book.results(policies.Mean()).records()[0]["value"]  # one group recomputed
    3.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading._numbers import near_threshold
from mastery_grading.evidence import Evidence, sort_chronologically
from mastery_grading.gradebook._table import ResultTable
from mastery_grading.policies import RunningState
from mastery_grading.protocols import IncrementalPolicy, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import Sorted

__all__ = ["LiveTable", "TableColumns", "engine_live_table", "live_key", "python_live_table"]

#: The evidence a table was computed from, for one (student, target index): oldest first.
BaseEvidence = Callable[[str, int], list[Evidence]]


def live_key(
    policy: Any, policies: Sequence[Policy], as_of: datetime | None, use_numpy: bool
) -> tuple[Any, ...] | None:
    """The key of a live table, or ``None`` when a policy cannot be hashed (no live table).

    Example:
        >>> from mastery_grading.policies import Mean
        >>> live_key(Mean(), [Mean()], None, True) == live_key(Mean(), [Mean()], None, True)
        True
    """
    key = (isinstance(policy, Mapping), tuple(policies), as_of, use_numpy)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class TableColumns:
    """The columns of a result table: lists (the reference) or arrays (the engine).

    Args:
        students: The students, sorted.
        values: One value per row (``None``, or ``NaN`` in an array, when undecided).
        counts: One evidence count per row.
        reasons: The reasons of undecided rows, by row.
        results: The reference's full results, one per row (``None`` for the engine's).
    """

    def __init__(
        self,
        students: Sequence[str],
        values: Any,
        counts: Any,
        reasons: Any,
        results: list[TargetResult] | None = None,
    ) -> None:
        self.students: tuple[str, ...] = tuple(students)
        self.values = values
        self.counts = counts
        self.reasons = reasons
        self.results = results
        #: Whether the columns are the engine's arrays.
        self.is_array = hasattr(values, "dtype")

    def regrown(self, students: tuple[str, ...], n_targets: int) -> TableColumns:
        """Return copies laid out for ``students`` (a sorted superset); new rows are empty."""
        position = {student: i for i, student in enumerate(self.students)}
        index = [
            position[student] * n_targets + t if student in position else -1
            for student in students
            for t in range(n_targets)
        ]
        if self.is_array:
            require("numpy", extra="data", feature="the vectorized engine")
            import numpy as np

            take = np.asarray(index, dtype=np.int64)
            safe = np.maximum(take, 0)
            old = take >= 0
            values = np.where(old, self.values[safe] if len(self.values) else np.nan, np.nan)
            counts = np.where(old, self.counts[safe] if len(self.counts) else 0, 0)
            return TableColumns(students, values, counts.astype(np.int64), self.reasons.take(take))
        reasons = {new: self.reasons[i] for new, i in enumerate(index) if i in self.reasons}
        results = None
        if self.results is not None:  # a new row holds a placeholder until it is filled
            results = [self.results[max(i, 0)] if self.results else None for i in index]
        return TableColumns(
            students,
            [None if i < 0 else self.values[i] for i in index],
            [0 if i < 0 else self.counts[i] for i in index],
            reasons,
            results,  # type: ignore[arg-type]
        )

    def copy(self) -> TableColumns:
        """Return copies of the columns (the students are shared: a tuple)."""
        if self.is_array:
            require("numpy", extra="data", feature="the vectorized engine")
            import numpy as np

            n = len(self.values)
            reasons = self.reasons.take(np.arange(n, dtype=np.int64))
            return TableColumns(self.students, self.values.copy(), self.counts.copy(), reasons)
        return TableColumns(
            self.students,
            list(self.values),
            list(self.counts),
            dict(self.reasons),
            None if self.results is None else list(self.results),
        )

    def put(self, row: int, value: float | None, count: int, reason: str | None) -> None:
        """Write one row."""
        if self.is_array:
            self.values[row] = float("nan") if value is None else value
        else:
            self.values[row] = value
        self.counts[row] = count
        if value is None:
            self.reasons[row] = reason or "no value"
        elif row in self.reasons:
            del self.reasons[row]


class LiveTable:
    """The last result table of one (policy, ``as_of``, engine), and how to patch it.

    Args:
        policy: The policy given to ``results`` (one, or one per target id).
        policies: The policy of each target, in target order.
        targets: The gradebook's targets, in order.
        as_of: Only evidence observed at or before it counts.
        columns: The columns of the table computed from every piece of evidence so far.
        base: The evidence the table was computed from, per (student, target index).
        explain: How the first table explains a row (``None`` when it lists full results).
    """

    def __init__(
        self,
        *,
        policy: Policy | Any,
        policies: Sequence[Policy],
        targets: Sequence[LearningTarget],
        as_of: datetime | None,
        columns: TableColumns,
        base: BaseEvidence,
        explain: Callable[[int], TargetResult] | None,
    ) -> None:
        self.policy = policy
        self.policies = tuple(policies)
        self.targets = tuple(targets)
        self.as_of = as_of
        self.columns = columns
        self.base = base
        self.pending: list[Evidence] = []
        self.incremental = [isinstance(p, IncrementalPolicy) for p in self.policies]
        self.thresholds = [
            sorted({t.scale.mastery, *(level.minimum for level in t.scale.levels[1:])})
            for t in self.targets
        ]
        self.table = self._table(columns, explain)
        self._row_of = {student: i for i, student in enumerate(columns.students)}
        self._states: dict[tuple[str, int], Any] = {}
        # evidence added since the first table, per group, each with its sequence number
        self._added: dict[tuple[str, int], list[tuple[int, Evidence]]] = {}
        self._seen = 0

    def _table(
        self, columns: TableColumns, explain: Callable[[int], TargetResult] | None
    ) -> ResultTable:
        return ResultTable(
            policy=self.policy,
            students=columns.students,
            targets=self.targets,
            values=columns.values,
            counts=columns.counts,
            reasons=columns.reasons,
            results=columns.results,
            explain=explain,
        )

    def _counts(self, evidence: Evidence) -> bool:
        return self.as_of is None or evidence.observed_at <= self.as_of

    def _evidence(self, student: str, t: int, limit: int | None = None) -> list[Evidence]:
        """The group's evidence that counts: the first table's, then that added (< ``limit``)."""
        added = [e for seq, e in self._added.get((student, t), ()) if limit is None or seq < limit]
        return [*self.base(student, t), *(e for e in added if self._counts(e))]

    def catch_up(self) -> ResultTable:
        """Fold the pending evidence into the touched rows; return the table, new if changed."""
        if not self.pending:
            return self.table
        pending, self.pending = self.pending, []
        touched: dict[tuple[str, int], list[Evidence]] = {}
        index = {target.id: t for t, target in enumerate(self.targets)}
        for evidence in pending:
            touched.setdefault((evidence.student_id, index[evidence.target_id]), []).append(
                evidence
            )
        n_targets = len(self.targets)
        newcomers = {student for student, _ in touched if student not in self._row_of}
        if newcomers:
            students = tuple(sorted({*self.columns.students, *newcomers}))
            columns = self.columns.regrown(students, n_targets)
            self._row_of = {student: i for i, student in enumerate(students)}
            self._fill_empty(columns, newcomers)
        else:
            columns = self.columns.copy()
        for (student, t), items in touched.items():
            self._patch(columns, student, t, items)
        self.columns = columns
        limit = self._seen
        self.table = self._table(
            columns, None if columns.results is not None else self._explainer(columns, limit)
        )
        return self.table

    def _fill_empty(self, columns: TableColumns, newcomers: set[str]) -> None:
        """Give every row of the new students the result of no evidence."""
        n_targets = len(self.targets)
        empty = [p.evaluate([], t) for p, t in zip(self.policies, self.targets, strict=True)]
        for student in newcomers:
            first = self._row_of[student] * n_targets
            for t, result in enumerate(empty):
                if columns.results is not None:
                    columns.results[first + t] = result
                columns.put(first + t, result.value, result.evidence_count, result.reason)

    def _patch(self, columns: TableColumns, student: str, t: int, items: list[Evidence]) -> None:
        """Recompute the row of ``student`` on target ``t`` with ``items`` added."""
        key = (student, t)
        due = [e for e in items if self._counts(e)]
        state = None
        if due and self.incremental[t]:
            state = self._states.get(key)
            if state is None:  # first touch: fold the group's earlier evidence
                start = self.policies[t].start(self.targets[t])  # type: ignore[attr-defined]
                state = self._fold(t, start, self._evidence(*key))
            state = self._states[key] = self._fold(t, state, due)
        added = self._added.setdefault(key, [])
        for evidence in items:
            added.append((self._seen, evidence))
            self._seen += 1
        if not due:  # nothing that counts at as_of: the row is unchanged
            return
        row = self._row_of[student] * len(self.targets) + t
        policy, target = self.policies[t], self.targets[t]
        if state is not None and columns.results is None and isinstance(state, RunningState):
            value = state.value
            exact = getattr(policy, "value_is_a_score", False)  # a score compares exactly
            if value is None or (
                not exact and any(near_threshold(value, x) for x in self.thresholds[t])
            ):
                result = policy.result(state)  # type: ignore[attr-defined]
                value, reason = result.value, result.reason
            else:
                reason = None
            columns.put(row, value, state.evidence_count, reason)
            return
        if state is not None:
            result = policy.result(state)  # type: ignore[attr-defined]
        else:
            result = policy.evaluate(self._evidence(*key), target)
        if columns.results is not None:
            columns.results[row] = result
            count = result.evidence_count
        else:  # the engine counts the rows that count
            count = len(self._evidence(*key))
        columns.put(row, result.value, count, result.reason)

    def _fold(self, t: int, state: Any, evidence: list[Evidence]) -> Any:
        """Update ``state`` with ``evidence`` in time order (O(1) a piece)."""
        policy: Any = self.policies[t]
        for item in sort_chronologically(evidence) if len(evidence) > 1 else evidence:
            state = policy.update(state, item)
        return state

    def _explainer(self, columns: TableColumns, limit: int) -> Callable[[int], TargetResult]:
        """Explain a row of a patched engine table from the evidence it was computed from."""
        students, n_targets = columns.students, len(self.targets)

        def explain(row: int) -> TargetResult:
            student, t = students[row // n_targets], row % n_targets
            evidence = self._evidence(student, t, limit)
            return self.policies[t].evaluate(evidence, self.targets[t])

        return explain


def engine_live_table(
    policy: Any,
    policies: Sequence[Policy],
    targets: Sequence[LearningTarget],
    as_of: datetime | None,
    srt: Sorted,
) -> LiveTable:
    """The live table of the engine's results over the sorted rows ``srt`` (every row)."""
    from mastery_grading.gradebook._engine import compute_per_target, evidence_at
    from mastery_grading.gradebook._engine._columns import micros

    limit = None if as_of is None else micros(as_of)
    out = compute_per_target(policies, srt, list(targets), as_of=limit)
    target_ids = [t.id for t in targets]
    n_targets = len(targets)

    def rows_of(row: int) -> list[Evidence]:
        rows = range(int(srt.bounds[row]), int(srt.bounds[row + 1]))
        evidence = evidence_at(srt.columns, rows, target_ids)
        if as_of is not None:
            evidence = [e for e in evidence if e.observed_at <= as_of]
        return evidence

    def explain(row: int) -> TargetResult:
        t = row % n_targets
        return policies[t].evaluate(rows_of(row), targets[t])

    student_row = {student: i for i, student in enumerate(srt.columns.student_labels)}

    def base(student: str, t: int) -> list[Evidence]:
        row = student_row.get(student)
        return [] if row is None else rows_of(row * n_targets + t)

    return LiveTable(
        policy=policy,
        policies=policies,
        targets=targets,
        as_of=as_of,
        columns=TableColumns(srt.columns.student_labels, out.values, out.counts, out.reasons),
        base=base,
        explain=explain,
    )


def python_live_table(
    policy: Any,
    policies: Sequence[Policy],
    targets: Sequence[LearningTarget],
    as_of: datetime | None,
    evidence: Iterable[Evidence],
) -> LiveTable:
    """The live table of the reference path: every (student, target) group evaluated.

    ``evidence`` is every piece of the book (``as_of`` is applied here).
    """
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for item in evidence:
        groups.setdefault((item.student_id, item.target_id), [])
        if as_of is None or item.observed_at <= as_of:
            groups[(item.student_id, item.target_id)].append(item)
    students = sorted({student for student, _ in groups})
    results = [
        chosen.evaluate(groups.get((student, target.id), []), target)
        for student in students
        for target, chosen in zip(targets, policies, strict=True)
    ]
    target_ids = [t.id for t in targets]
    return LiveTable(
        policy=policy,
        policies=policies,
        targets=targets,
        as_of=as_of,
        columns=TableColumns(
            students,
            [r.value for r in results],
            [r.evidence_count for r in results],
            {i: r.reason for i, r in enumerate(results) if r.reason is not None},
            results,
        ),
        base=lambda student, t: groups.get((student, target_ids[t]), []),
        explain=None,
    )
