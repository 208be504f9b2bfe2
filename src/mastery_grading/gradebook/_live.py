"""Live result tables: the last table of a policy, patched when evidence is added.

:meth:`~mastery_grading.Gradebook.results` keeps, per (policy, ``as_of``, engine), the last
:class:`~mastery_grading.ResultTable` it returned and the evidence it was computed from. Evidence
added since then waits in :attr:`LiveTable.pending`; the next call groups it by (student,
target) and recomputes those rows only:

- for an **incremental** policy (:class:`~mastery_grading.IncrementalPolicy`), through one
  running state per touched group, made on first touch from the group's earlier evidence and
  then updated in O(1) per in-order piece;
- for **any other** policy, by evaluating the touched group again on all its evidence.

On the engine's tables, a built-in incremental policy keeps no evidence at all: a touched
group's :class:`~mastery_grading.policies.RunningTotals` start from the engine's score and
weight columns (no :class:`~mastery_grading.Evidence` is built), and a group's evidence is
built only when the exact rule must decide (a value within 1e-9 of a level threshold that is
not known exact, a reason only the rule can word, or late evidence for an order-dependent
policy).

The new rows go into a copy-on-write patch (``_patch``): the next table shares the columns of
the one before, so a table handed out earlier never changes and making the next one costs
O(changed rows); a new student makes room for its rows (students stay sorted), which copies
the columns. Values equal a fresh gradebook's within 1e-9, as the two engines do (running
totals are floats; a value within 1e-9 of a level threshold is recomputed exactly unless it
is exact: a mean of scores on the engine's grid, or a score); the students, counts, reasons,
levels and mastery are the same.

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

import attrs

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE, near_threshold
from mastery_grading.evidence import Evidence, chronological_key, sort_chronologically
from mastery_grading.gradebook._lean import EngineRows, Lean, keeps_totals, on_grid
from mastery_grading.gradebook._patch import PatchedColumns, Row
from mastery_grading.gradebook._table import ResultTable
from mastery_grading.policies import RunningState
from mastery_grading.protocols import IncrementalPolicy, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import EngineResult, Sorted

__all__ = ["LiveTable", "TableColumns", "engine_live_table", "live_key", "python_live_table"]

#: The evidence a table was computed from, for one (student, target index): oldest first.
BaseEvidence = Callable[[str, int], list[Evidence]]


def live_key(policy: Any, as_of: datetime | None, use_numpy: bool) -> tuple[Any, ...] | None:
    """The key of a live table, or ``None`` when a policy cannot be hashed (no live table).

    One policy is hashed once (not once per target); a mapping of target id to policy by its
    items, so that a dict changed since is another key.

    Example:
        >>> from mastery_grading.policies import Mean
        >>> live_key(Mean(), None, True) == live_key(Mean(), None, True)
        True
    """
    if isinstance(policy, Mapping):
        key: tuple[Any, ...] = (True, tuple(policy.items()), as_of, use_numpy)
    else:
        key = (False, policy, as_of, use_numpy)
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
        rows: The engine's rows the table was computed from (engine tables).
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
        rows: EngineRows | None = None,
    ) -> None:
        self.policy = policy
        self.policies = tuple(policies)
        self.targets = tuple(targets)
        self.as_of = as_of
        self.base = base
        self.rows = rows
        self.pending: list[Evidence] = []
        # protocol checks cost tens of microseconds: made once per distinct policy object
        distinct = {id(p): p for p in self.policies}
        incremental = {key: isinstance(p, IncrementalPolicy) for key, p in distinct.items()}
        lean = {key: rows is not None and keeps_totals(p) for key, p in distinct.items()}
        self.incremental = [incremental[id(p)] for p in self.policies]
        # on engine tables, the built-in incremental policies keep running totals only
        self.lean = [lean[id(p)] for p in self.policies]
        # a value that is a score compares exactly: no need to know whether sums are exact
        self._tracks_grid = [
            lean and not getattr(p, "value_is_a_score", False)
            for lean, p in zip(self.lean, self.policies, strict=True)
        ]
        self.thresholds = [
            sorted({t.scale.mastery, *(level.minimum for level in t.scale.levels[1:])})
            for t in self.targets
        ]
        # a value within these bounds is near a threshold (see near_threshold)
        self._near = [
            [
                (x - NEAR_TOLERANCE * max(1.0, abs(x)), x + NEAR_TOLERANCE * max(1.0, abs(x)))
                for x in thresholds
            ]
            for thresholds in self.thresholds
        ]
        self._largest_score = [max(abs(t.scale.min), abs(t.scale.max)) for t in self.targets]
        self._target_index = {target.id: t for t, target in enumerate(self.targets)}
        self.table = ResultTable(
            policy=self.policy,
            students=columns.students,
            targets=self.targets,
            values=columns.values,
            counts=columns.counts,
            reasons=columns.reasons,
            results=columns.results,
            explain=explain,
        )
        self.table._distinct_students = True  # type: ignore[attr-defined]  # a gradebook's
        self.students = columns.students
        # the columns of the latest table, shared copy-on-write (results carry their student)
        self.columns = PatchedColumns(
            columns.values,
            columns.counts,
            dict(columns.reasons) if isinstance(columns.reasons, dict) else columns.reasons,
            None if columns.results is None else list(self.table),
        )
        self._row_of = {student: i for i, student in enumerate(columns.students)}
        self._states: dict[tuple[str, int], Any] = {}
        # evidence added since the first table, in order (a piece's sequence number is its
        # place here), and the sequence numbers of each group's: tuples of ints, which the
        # garbage collector stops tracking, so a long-lived book stays cheaper to collect
        self._log: list[Evidence] = []
        self._added: dict[tuple[str, int], tuple[int, ...]] = {}

    def _counts(self, evidence: Evidence) -> bool:
        return self.as_of is None or evidence.observed_at <= self.as_of

    def _evidence(self, student: str, t: int, limit: int | None = None) -> list[Evidence]:
        """The group's evidence that counts: the first table's, then that added (< ``limit``)."""
        log = self._log
        added = [
            log[seq] for seq in self._added.get((student, t), ()) if limit is None or seq < limit
        ]
        return [*self.base(student, t), *(e for e in added if self._counts(e))]

    def catch_up(self) -> ResultTable:
        """Fold the pending evidence into the touched rows; return the table, new if changed."""
        if not self.pending:
            return self.table
        pending, self.pending = self.pending, []
        touched: dict[tuple[str, int], list[Evidence]] = {}
        index = self._target_index
        for evidence in pending:
            key = (evidence.student_id, index[evidence.target_id])
            group = touched.get(key)
            if group is None:
                touched[key] = [evidence]
            else:
                group.append(evidence)
        newcomers = {student for student, _ in touched if student not in self._row_of}
        if newcomers:
            self._make_room(newcomers)
        rows: dict[int, Row] = {}
        for (student, t), items in touched.items():
            row = self._patch(student, t, items)
            if row is not None:
                rows[self._row_of[student] * len(self.targets) + t] = row
        self.columns = self.columns.patched(rows)
        is_engine = self.columns.base[3] is None
        self.table = _next_table(
            self.table,
            self.students,
            self.columns,
            self._explainer(len(self._log)) if is_engine else None,
        )
        return self.table

    def _make_room(self, newcomers: set[str]) -> None:
        """Lay the columns out again with rows for the new students, each without evidence."""
        n_targets = len(self.targets)
        built = self.columns
        current = TableColumns(
            self.students, built.values, built.counts, built.reasons, built.results
        )
        students = tuple(sorted({*self.students, *newcomers}))
        columns = current.regrown(students, n_targets)  # new copies: written below
        self._row_of = {student: i for i, student in enumerate(students)}
        self.students = students
        empty = [p.evaluate([], t) for p, t in zip(self.policies, self.targets, strict=True)]
        for student in newcomers:
            first = self._row_of[student] * n_targets
            for t, result in enumerate(empty):
                if columns.results is not None:
                    columns.results[first + t] = attrs.evolve(result, student_id=student)
                columns.put(first + t, result.value, result.evidence_count, result.reason)
        self.columns = PatchedColumns(
            columns.values, columns.counts, columns.reasons, columns.results
        )

    def _patch(self, student: str, t: int, items: list[Evidence]) -> Row | None:
        """The row of ``student`` on target ``t`` with ``items`` added (``None``: unchanged)."""
        key = (student, t)
        log = self._log
        earlier = len(log)  # the group's evidence added before ``items``
        added = self._added.get(key, ())
        if len(items) == 1:
            self._added[key] = (*added, earlier)
        else:
            self._added[key] = (*added, *range(earlier, earlier + len(items)))
        log.extend(items)
        due = items if self.as_of is None else [e for e in items if self._counts(e)]
        if not due:  # nothing that counts at as_of: the row is unchanged
            return None
        if len(due) > 1:
            due = list(sort_chronologically(due))
        if self.lean[t]:
            state = self._states.get(key)
            if state is None or isinstance(state, Lean):
                lean = self._fold_lean(t, key, state, due, earlier)
                if lean is not None:
                    self._states[key] = lean
                    return self._lean_row(t, key, lean)
                self._states.pop(key, None)  # late or tied evidence: keep the evidence
        policy, target = self.policies[t], self.targets[t]
        state = None
        if self.incremental[t]:
            state = self._states.get(key)
            if state is None:  # first touch: fold the group's earlier evidence
                start = policy.start(target)  # type: ignore[attr-defined]
                state = self._fold(t, start, self._evidence(*key, limit=earlier))
            state = self._states[key] = self._fold(t, state, due)
        if state is not None and self.columns.base[3] is None and isinstance(state, RunningState):
            value = state.value
            exact = getattr(policy, "value_is_a_score", False)  # a score compares exactly
            if value is None or (
                not exact and any(near_threshold(value, x) for x in self.thresholds[t])
            ):
                result = policy.result(state)  # type: ignore[attr-defined]
                return Row(result.value, state.evidence_count, result.reason)
            return Row(value, state.evidence_count, None)
        if state is not None:
            result = policy.result(state)  # type: ignore[attr-defined]
        else:
            result = policy.evaluate(self._evidence(*key), target)
        if self.columns.base[3] is not None:  # the reference's table: full results
            if result.student_id != student:
                result = attrs.evolve(result, student_id=student)
            return Row(result.value, result.evidence_count, result.reason, result)
        # the engine counts the rows that count
        return Row(result.value, len(self._evidence(*key)), result.reason)

    def _fold_lean(
        self,
        t: int,
        key: tuple[str, int],
        state: Lean | None,
        due: list[Evidence],
        first_seq: int,
    ) -> Lean | None:
        """Fold ``due`` (in time order) into the group's totals: a new :class:`Lean`.

        ``due`` was added to the log from sequence number ``first_seq`` on (in the order of
        arrival). Returns ``None`` when they need the evidence: a piece late for a policy that
        depends on order.
        """
        policy: Any = self.policies[t]
        rows = self.rows
        assert rows is not None
        if state is None:  # first touch: start from the engine's rows of the group
            first, last = rows.span(*key)
            weights = rows.weights
            totals = policy.fold_scores(
                self.targets[t],
                rows.scores[first:last].tolist(),
                None if weights is None else weights[first:last].tolist(),
            )
            latest_time = int(rows.times[last - 1]) if last > first else None
            state = Lean(totals, latest_time, last - 1, -1, rows.grid_weight())
        totals, latest_time, latest_row, latest_seq, largest = state
        log = self._log
        latest: Evidence | None = None if latest_seq < 0 else log[latest_seq]
        newest: Evidence | None = None  # the newest of ``due`` when it is the group's newest
        tracks_grid = self._tracks_grid[t]
        for evidence in due:
            when = rows.micros(evidence.observed_at)
            if latest is None and when == latest_time:  # a tie: the row's tie key decides
                latest = rows.evidence(latest_row)
            if latest is not None:
                after = evidence.observed_at > latest.observed_at or (
                    evidence.observed_at == latest.observed_at
                    and chronological_key(evidence) >= chronological_key(latest)
                )
            else:
                after = latest_time is None or when > latest_time
            if not after and not policy.order_free:
                return None
            score, weight = evidence.score, evidence.weight
            totals = policy.fold_score(totals, score, weight, latest=after)
            if after:
                latest = newest = evidence
                latest_time = when
            if largest is not None and tracks_grid:
                if on_grid(score) and (weight == 1.0 or on_grid(weight)):
                    largest = largest if weight <= largest else weight
                else:
                    largest = None
        if newest is not None:  # its place in the log (the pieces from first_seq on)
            latest_seq = first_seq
            while log[latest_seq] is not newest:
                latest_seq += 1
        return Lean(totals, latest_time, latest_row, latest_seq, largest)

    def _lean_row(self, t: int, key: tuple[str, int], state: Lean) -> Row:
        """The row of a group kept as running totals; the exact rule decides only when needed."""
        policy: Any = self.policies[t]
        totals = state.totals
        value, count = totals.value, totals.evidence_count
        if value is None:
            reason = policy.undecided_reason(totals)
            if reason is not None:
                return Row(None, count, reason)
        elif policy.value_is_a_score:
            return Row(value, count, None)
        else:
            for low, high in self._near[t]:
                if low <= value <= high:
                    break
            else:  # near no threshold
                return Row(value, count, None)
        if (
            value is not None
            and state.largest_weight is not None
            and policy.sums_are_exact(self._largest_score[t], state.largest_weight, count)
        ):
            if policy.value_is_a_ratio:  # the exact rule's value bit for bit
                return Row(value, count, None)
            exact = policy.exact_value(totals)
            if exact is not None:
                return Row(float(exact), count, None)
        result = policy.evaluate(self._evidence(*key), self.targets[t])
        return Row(result.value, count, result.reason)

    def _fold(self, t: int, state: Any, evidence: list[Evidence]) -> Any:
        """Update ``state`` with ``evidence`` in time order (O(1) a piece)."""
        policy: Any = self.policies[t]
        for item in sort_chronologically(evidence) if len(evidence) > 1 else evidence:
            state = policy.update(state, item)
        return state

    def _explainer(self, limit: int) -> Callable[[int], TargetResult]:
        """Explain a row of a patched engine table from the evidence it was computed from."""
        students, n_targets = self.students, len(self.targets)

        def explain(row: int) -> TargetResult:
            student, t = students[row // n_targets], row % n_targets
            evidence = self._evidence(student, t, limit)
            return self.policies[t].evaluate(evidence, self.targets[t])

        return explain


def _next_table(
    table: ResultTable,
    students: tuple[str, ...],
    columns: PatchedColumns,
    explain: Callable[[int], TargetResult] | None,
) -> ResultTable:
    """The next table of a live gradebook: ``table``'s policy and targets, other rows.

    ``columns`` are laid out for ``students``; nothing of ``table`` changes. Its fields are
    copied, not checked again as the constructor would (a few microseconds a table).
    """
    successor = object.__new__(ResultTable)
    successor.__dict__.update(table.__dict__)
    successor.students = students
    successor._columns = columns
    successor._explain = explain
    return successor


def engine_live_table(
    policy: Any,
    policies: Sequence[Policy],
    targets: Sequence[LearningTarget],
    as_of: datetime | None,
    srt: Sorted | Callable[[], Sorted],
    computed: tuple[EngineResult, list[str]] | None = None,
) -> LiveTable:
    """The live table of the engine's results over the sorted rows ``srt`` (every row).

    ``computed``: the results and the students when they were computed without a sort; ``srt``
    is then how to get the sorted rows, called only when a row is explained or patched.
    """
    from mastery_grading.gradebook._engine import compute_per_target, evidence_at
    from mastery_grading.gradebook._engine._columns import micros

    limit = None if as_of is None else micros(as_of)
    if computed is None:
        assert not callable(srt)
        out = compute_per_target(policies, srt, list(targets), as_of=limit)
        students = srt.columns.student_labels
    else:
        out, students = computed
    source: list[Sorted | Callable[[], Sorted]] = [srt]

    def rows() -> Sorted:
        found = source[0]
        if callable(found):
            found = source[0] = found()
        return found

    target_ids = [t.id for t in targets]
    n_targets = len(targets)

    def rows_of(row: int) -> list[Evidence]:
        srt = rows()
        evidence = evidence_at(
            srt.columns, range(int(srt.bounds[row]), int(srt.bounds[row + 1])), target_ids
        )
        if as_of is not None:
            evidence = [e for e in evidence if e.observed_at <= as_of]
        return evidence

    def explain(row: int) -> TargetResult:
        t = row % n_targets
        return policies[t].evaluate(rows_of(row), targets[t])

    student_row = {student: i for i, student in enumerate(students)}

    def base(student: str, t: int) -> list[Evidence]:
        row = student_row.get(student)
        return [] if row is None else rows_of(row * n_targets + t)

    return LiveTable(
        policy=policy,
        policies=policies,
        targets=targets,
        as_of=as_of,
        columns=TableColumns(students, out.values, out.counts, out.reasons),
        base=base,
        explain=explain,
        rows=EngineRows(rows, target_ids, limit)
        if any(keeps_totals(p) for p in {id(p): p for p in policies}.values())
        else None,
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
