"""Whole gradebooks: many students, many targets, one policy, every result at once.

A :class:`Gradebook` holds the learning targets of a course and the evidence of all its
students. :meth:`~mastery_grading.Gradebook.results` applies a policy to every (student, target)
pair and returns a :class:`ResultTable`. When numpy is installed the vectorized
private engine computes the table (DataFrames of millions of rows in seconds);
otherwise, or with ``engine="python"``, every pair is evaluated by the policy itself. Both give
the same values (within 1e-9), the same ``None`` pattern and the same levels.

This module imports neither numpy nor pandas; they are imported when needed.

Example:
    >>> from datetime import datetime, timezone
    >>> from mastery_grading import Evidence, Gradebook, LearningTarget, policies
    >>> day = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
    >>> book = Gradebook.from_evidence(
    ...     [Evidence(student_id="ana", target_id="LE.1", score=2.0, observed_at=day(1)),
    ...      Evidence(student_id="ana", target_id="LE.1", score=3.5, observed_at=day(8)),
    ...      Evidence(student_id="ben", target_id="LE.2", score=3.0, observed_at=day(2))],
    ...     targets=[LearningTarget(id="LE.1", title="Linear equations"),
    ...              LearningTarget(id="LE.2", title="Inequalities")])
    >>> for row in book.results(policies.MostRecent()).records():
    ...     print(row["student_id"], row["target_id"], row["value"], row["level"])
    ana LE.1 3.5 meets
    ana LE.2 None None
    ben LE.1 None None
    ben LE.2 3.0 meets
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import (
    BulkValidationError,
    InvalidTypeError,
    InvalidValueError,
    MasteryGradingError,
)
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from typing import TypeAlias

    from mastery_grading.gradebook._engine import Columns, Sorted
    from mastery_grading.grades import GradeConverter, GradeReport

    #: A batch of evidence as added: evidence objects, the columns read from a frame, or (once
    #: the engine has merged a frame's columns into its sorted store) its rows' positions.
    _Batch: TypeAlias = tuple[Evidence, ...] | Columns | range

__all__ = ["Gradebook", "ResultTable"]

#: The column names of :meth:`ResultTable.records`, :meth:`ResultTable.to_pandas` and
#: :meth:`ResultTable.to_polars`.
RESULT_COLUMNS = (
    "student_id",
    "target_id",
    "value",
    "level",
    "mastered",
    "evidence_count",
    "reason",
)


def _numpy_available() -> bool:
    return importlib.util.find_spec("numpy") is not None


def _target_dict(
    targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
) -> dict[str, LearningTarget]:
    items = targets.values() if isinstance(targets, Mapping) else targets
    out: dict[str, LearningTarget] = {}
    for target in items:
        if not isinstance(target, LearningTarget):
            msg = f"targets item {target!r} must be a LearningTarget, not {type(target).__name__}"
            raise InvalidTypeError(msg)
        if target.id in out:
            msg = f"targets has the id {target.id!r} twice; target ids must be unique"
            raise InvalidValueError(msg)
        out[target.id] = target
    return out


class ResultTable:
    """Every (student, target) result of one policy over a gradebook.

    Rows are laid out student by student (students sorted by id), and within a student in the
    gradebook's target order. Every student with any evidence gets a row for every target;
    a target without evidence has ``value=None`` with a reason.

    Iterating yields :class:`~mastery_grading.TargetResult` objects. Those computed by the
    vectorized engine carry no ``contributions`` (listing millions of them would cost more
    than the computation); :meth:`explain` recomputes one with the reference policy.

    Example:
        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> table = book.results(policies.Mean())
        >>> len(table), table.records()
        (0, [])
    """

    def __init__(
        self,
        *,
        policy: Any,
        students: Sequence[str],
        targets: Sequence[LearningTarget],
        values: Sequence[float | None] | Any,
        counts: Sequence[int] | Any,
        reasons: Mapping[int, str],
        results: Sequence[TargetResult] | None = None,
        explain: Callable[[int], TargetResult] | None = None,
    ) -> None:
        self.policy = policy
        self.students: tuple[str, ...] = tuple(students)
        self.targets: tuple[LearningTarget, ...] = tuple(targets)
        self._values = values
        self._counts = counts
        # the engine's reasons are coded per group (a mapping of its own); copy only a dict
        self._reasons = dict(reasons) if isinstance(reasons, dict) else reasons
        self._results = None if results is None else list(results)
        self._explain = explain

    def __len__(self) -> int:
        return len(self.students) * len(self.targets)

    def __repr__(self) -> str:
        return (
            f"ResultTable(policy={self.policy!r}, students={len(self.students)}, "
            f"targets={len(self.targets)})"
        )

    def _value_list(self) -> list[float | None]:
        values = self._values
        if hasattr(values, "tolist"):
            return [None if v != v else v for v in values.tolist()]
        return list(values)

    def _count_list(self) -> list[int]:
        counts = self._counts
        return [int(c) for c in (counts.tolist() if hasattr(counts, "tolist") else counts)]

    def _ids(self, row: int) -> tuple[str, LearningTarget]:
        n_targets = len(self.targets)
        return self.students[row // n_targets], self.targets[row % n_targets]

    def __iter__(self) -> Iterator[TargetResult]:
        if self._results is not None:
            yield from self._results
            return
        for row, (value, count) in enumerate(
            zip(self._value_list(), self._count_list(), strict=True)
        ):
            _, target = self._ids(row)
            yield TargetResult(
                target=target,
                value=value,
                policy=self.policy,
                evidence_count=count,
                reason=self._reasons.get(row) if value is None else None,
            )

    def items(self) -> Iterator[tuple[tuple[str, str], TargetResult]]:
        """Yield ``((student_id, target_id), result)`` for every row.

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> list(Gradebook(targets=[LearningTarget(id="T", title="T")])
        ...      .results(policies.Mean()).items())
        []
        """
        for row, result in enumerate(self):
            student, target = self._ids(row)
            yield (student, target.id), result

    def explain(self, student_id: str, target_id: str) -> TargetResult:
        """Return the full reference result (with contributions) of one student on one target.

        Raises:
            KeyError: If the student or target is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> result = book.results(policies.Mean()).explain("devon", "LE.1")
            >>> result.value, [c.evidence.score for c in result.contributions]
            (2.4, [1.0, 1.5, 2.0, 3.5, 4.0])
        """
        try:
            row = self.students.index(student_id) * len(self.targets) + [
                t.id for t in self.targets
            ].index(target_id)
        except ValueError:
            raise KeyError((student_id, target_id)) from None
        if self._results is not None:
            return self._results[row]
        assert self._explain is not None
        return self._explain(row)

    def records(self) -> list[dict[str, Any]]:
        """Return one dict per row: ``student_id``, ``target_id``, ``value``, ``level``, ...

        The keys are ``student_id``, ``target_id``, ``value``, ``level``, ``mastered``,
        ``evidence_count`` and ``reason``.

        ``level`` is the level's name, ``value`` is ``None`` when undecided, and ``reason``
        says why (``None`` otherwise).

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.results(policies.MostRecent()).records()[0]  # doctest: +NORMALIZE_WHITESPACE
            {'student_id': 'ana', 'target_id': 'LE.1', 'value': 4.0, 'level': 'exceeds',
             'mastered': True, 'evidence_count': 4, 'reason': None}
        """
        out = []
        for row, (value, count) in enumerate(
            zip(self._value_list(), self._count_list(), strict=True)
        ):
            student, target = self._ids(row)
            scale = target.scale
            out.append(
                {
                    "student_id": student,
                    "target_id": target.id,
                    "value": value,
                    "level": None if value is None else scale.level_of(value).name,
                    "mastered": value is not None and scale.is_mastered(value),
                    "evidence_count": count,
                    "reason": self._reasons.get(row) if value is None else None,
                }
            )
        return out

    def _parts(self) -> dict[str, Any]:
        """The numeric columns, and each text column as a table of labels and an index into it.

        Text columns are built from small tables (the students, the targets, the level names,
        the distinct reasons) by one gather each, never from a Python object per row.
        """
        import numpy as np

        from mastery_grading.gradebook._engine import level_codes

        n_targets, n_students, n_rows = len(self.targets), len(self.students), len(self)
        values = np.asarray(
            [np.nan if v is None else v for v in self._values]
            if not hasattr(self._values, "dtype")
            else self._values,
            dtype=np.float64,
        )
        t_index = np.tile(np.arange(n_targets, dtype=np.int64), n_students)
        codes = level_codes(values, self.targets) if n_rows else np.zeros(0, np.int64)
        levels: list[str | None] = []
        offsets = []
        for target in self.targets:
            offsets.append(len(levels))
            levels.extend(level.name for level in target.scale.levels)
        levels.append(None)
        level_index = np.where(
            codes >= 0, np.asarray(offsets, dtype=np.int64)[t_index] + codes, len(levels) - 1
        )
        mastery = np.asarray([t.scale.mastery for t in self.targets], dtype=np.float64)
        reasons: list[str | None]
        coded = getattr(self._reasons, "codes", None)
        texts = getattr(self._reasons, "texts", None)
        if coded is not None and texts is not None:  # the engine's: codes into a few texts
            reasons = [*texts, None]
            reason_index = np.where((coded >= 0) & np.isnan(values), coded, len(reasons) - 1)
        else:
            reasons = []
            seen: dict[str, int] = {}
            reason_index = np.full(n_rows, -1, dtype=np.int64)
            for row, why in self._reasons.items():
                if np.isnan(values[row]):
                    reason_index[row] = seen.setdefault(why, len(seen))
                    if len(reasons) < len(seen):
                        reasons.append(why)
            reasons.append(None)
            reason_index[reason_index < 0] = len(reasons) - 1
        return {
            "student_id": (list(self.students), np.repeat(np.arange(n_students), n_targets)),
            "target_id": ([t.id for t in self.targets], t_index),
            "value": values,
            "level": (levels, level_index),
            "mastered": values >= mastery[t_index],
            "evidence_count": np.asarray(self._counts, dtype=np.int64),
            "reason": (reasons, reason_index),
        }

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame with the columns of :meth:`records` (``NaN`` for ``None``).

        Requires pandas.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> list(book.results(policies.Mean()).to_pandas().columns)
            ['student_id', 'target_id', 'value', 'level', 'mastered', 'evidence_count', 'reason']
        """
        import numpy as np
        import pandas as pd

        columns = {}
        for name, part in self._parts().items():
            if isinstance(part, tuple):
                labels, index = part
                part = np.asarray(labels, dtype=object)[index]
            columns[name] = part
        return pd.DataFrame(columns)

    def to_polars(self) -> Any:
        """Return a polars DataFrame with the columns of :meth:`records` (null for ``None``).

        Requires polars. Text columns are gathered from small tables of labels, so this takes
        about as long as building the numeric columns.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> book.results(policies.Mean()).to_polars().columns[:3]
            ['student_id', 'target_id', 'value']
        """
        import polars as pl

        parts = self._parts()
        dtypes = {"value": pl.Float64, "mastered": pl.Boolean, "evidence_count": pl.Int64}
        columns = []
        for name, part in parts.items():
            if isinstance(part, tuple):
                labels, index = part
                column = pl.Series(name, labels, dtype=pl.String).gather(index)
            else:
                column = pl.Series(name, part, dtype=dtypes[name], nan_to_null=name == "value")
            columns.append(column)
        return pl.DataFrame(columns)

    def by_student(self) -> dict[str, list[TargetResult]]:
        """Return each student's results, in target order.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> devon = book.results(policies.MostRecent()).by_student()["devon"]
            >>> [(r.target.id, r.value) for r in devon][:2]
            [('LE.1', 4.0), ('LE.2', 4.0)]
        """
        n_targets = len(self.targets)
        results = list(self)
        return {
            student: results[i * n_targets : (i + 1) * n_targets]
            for i, student in enumerate(self.students)
        }

    def grades(self, converter: GradeConverter) -> dict[str, GradeReport]:
        """Return each student's grade report from ``converter``, by student id.

        Calls :func:`mastery_grading.grades.grade` once per student on that student's results.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> reports = book.results(policies.Mean()).grades(AverageCutoffs.marzano_2010())
            >>> reports["devon"].letter, reports["emma"].letter
            ('C', 'A')
        """
        from mastery_grading.grades import grade

        return {
            student: grade(results, converter) for student, results in self.by_student().items()
        }


class Gradebook:
    """The targets of a course and the evidence of all its students.

    Build one with :meth:`from_evidence`, :meth:`from_records` or :meth:`from_frame`, or empty
    from its targets; :meth:`add` adds more evidence. Every batch is validated as a whole: if
    any row is bad, :class:`~mastery_grading.exceptions.BulkValidationError` lists every bad row
    (position and reason) and nothing of the batch is added.

    Args:
        targets: The learning targets, as an iterable or a dict by id; ids must be unique.
        engine: ``"auto"`` (default: the vectorized engine when numpy is installed, else the
            reference), ``"numpy"`` (requires numpy, the ``data`` extra) or ``"python"``.

    Raises:
        InvalidValueError: If ``engine`` is not one of those, or is ``"numpy"`` without numpy.

    Example:
        >>> from mastery_grading import Gradebook, LearningTarget
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> book.add({"student_id": "s1", "target_id": "T", "score": 9.0,
        ...           "observed_at": "2026-10-01"})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.BulkValidationError: 1 invalid row: row 0: observed_at='2026-10-01' must be a datetime, not str
    """  # noqa: E501

    def __init__(
        self,
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
    ) -> None:
        if engine not in ("auto", "numpy", "python"):
            msg = f"engine={engine!r} must be 'auto', 'numpy' or 'python'"
            raise InvalidValueError(msg)
        if engine == "numpy" and not _numpy_available():
            msg = (
                "engine='numpy' needs numpy, which is not installed; install the 'data' extra "
                "(pip install 'mastery_grading[data]') or use engine='auto'"
            )
            raise InvalidValueError(msg)
        self.targets: dict[str, LearningTarget] = _target_dict(targets)
        self.engine: Literal["auto", "numpy", "python"] = engine
        # Every batch in the order added. The engine merges them into one sorted store: the
        # first `_stored` batches are in `_store`, whose `order` gives each row's position
        # among all rows added.
        self._batches: list[_Batch] = []
        self._store: Sorted | None = None
        self._stored = 0
        self._size = 0

    def __len__(self) -> int:
        """The number of pieces of evidence."""
        return self._size

    def __repr__(self) -> str:
        return f"Gradebook(targets={len(self.targets)}, evidence={self._size})"

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_evidence(
        cls,
        evidence: Iterable[Evidence | Mapping[str, Any]],
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
    ) -> Gradebook:
        """Return a gradebook holding ``evidence`` (Evidence objects or dicts of its fields).

        Raises:
            BulkValidationError: If any item is invalid, for an unknown target, or has a score
                outside its target's scale; every bad item is listed.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> Gradebook.from_evidence(example.evidence, targets=example.targets)
            Gradebook(targets=5, evidence=...)
        """
        book = cls(targets=targets, engine=engine)
        book.add(evidence)
        return book

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
    ) -> Gradebook:
        """Return a gradebook from dicts with the fields of :class:`~mastery_grading.Evidence`.

        Example:
            >>> from datetime import datetime, timezone
            >>> from mastery_grading import Gradebook, LearningTarget
            >>> book = Gradebook.from_records(
            ...     [{"student_id": "s1", "target_id": "T", "score": 3,
            ...       "observed_at": datetime(2026, 10, 1, tzinfo=timezone.utc)}],
            ...     targets=[LearningTarget(id="T", title="Ratios")])
            >>> len(book)
            1
        """
        return cls.from_evidence(records, targets=targets, engine=engine)

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        columns: Mapping[str, str] | None = None,
        engine: Literal["auto", "numpy", "python"] = "auto",
    ) -> Gradebook:
        """Return a gradebook from a pandas or polars DataFrame with one row per evidence.

        Required columns: ``student_id``, ``target_id``, ``score`` and ``observed_at`` (a
        timezone-aware datetime column); optional: ``kind``, ``weight``, ``source_id``,
        ``context``, ``attempt``, ``independent``. Integer ids are read as strings. Times are
        kept as UTC instants to the microsecond.

        Args:
            frame: A pandas or polars DataFrame.
            targets: The learning targets.
            columns: Maps evidence field names to the frame's column names, for the columns
                named differently (``{"student_id": "Student"}``).
            engine: See :class:`Gradebook`.

        Raises:
            BulkValidationError: Listing every bad row (row position and reason).
            InvalidValueError: If a required column is missing.

        Example:
            >>> import pandas as pd
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> frame = pd.DataFrame({
            ...     "Student": ["s1", "s1"], "target_id": ["T", "T"], "score": [2.0, 3.5],
            ...     "observed_at": pd.to_datetime(["2026-10-01", "2026-10-08"], utc=True)})
            >>> book = Gradebook.from_frame(frame, targets=[LearningTarget(id="T", title="Ratios")],
            ...                             columns={"student_id": "Student"})
            >>> book.results(policies.MostRecent()).records()[0]["value"]
            3.5
        """
        book = cls(targets=targets, engine=engine)
        book.add_frame(frame, columns=columns)
        return book

    def add(self, evidence: Evidence | Mapping[str, Any] | Iterable[Any]) -> None:
        """Add one piece of evidence, a dict of its fields, or an iterable of either.

        Raises:
            BulkValidationError: If any item is invalid; nothing is added then.

        Example:
            >>> from datetime import datetime, timezone
            >>> from mastery_grading import Evidence, Gradebook, LearningTarget
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
            >>> book.add(Evidence(student_id="s1", target_id="T", score=3, observed_at=when))
            >>> book.add([{"student_id": "s2", "target_id": "T", "score": 2, "observed_at": when},
            ...           {"student_id": "s3", "target_id": "X", "score": 2, "observed_at": when}])
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.BulkValidationError: 1 invalid row: row 1: target_id='X' is not a target of this gradebook
            >>> len(book)  # nothing of the bad batch was added
            1
        """  # noqa: E501
        if isinstance(evidence, Evidence | Mapping):
            evidence = [evidence]
        if _is_frame(evidence):
            self.add_frame(evidence)
            return
        items: list[Evidence] = []
        problems: list[tuple[int, str]] = []
        for pos, item in enumerate(evidence):
            if isinstance(item, Mapping):
                try:
                    item = Evidence(**item)
                except (MasteryGradingError, TypeError, ValueError) as error:
                    problems.append((pos, str(error)))
                    continue
            if not isinstance(item, Evidence):
                problems.append((pos, f"{item!r} must be an Evidence or a dict of its fields"))
                continue
            why = self._check(item)
            if why is not None:
                problems.append((pos, why))
                continue
            items.append(item)
        if problems:
            raise BulkValidationError(problems)
        if items:
            self._append(tuple(items))

    def add_frame(self, frame: Any, *, columns: Mapping[str, str] | None = None) -> None:
        """Add the rows of a pandas or polars DataFrame; see :meth:`from_frame`.

        Example:
            >>> import pandas as pd
            >>> from mastery_grading import Gradebook, LearningTarget
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> book.add_frame(pd.DataFrame({
            ...     "student_id": ["s1"], "target_id": ["T"], "score": [3.0],
            ...     "observed_at": pd.to_datetime(["2026-10-01"], utc=True)}))
            >>> len(book)
            1
        """
        from mastery_grading.gradebook._engine._frames import columns_from_frame

        cols = columns_from_frame(frame, list(self.targets.values()), columns or {})
        if len(cols):
            self._append(cols)

    def _check(self, item: Evidence) -> str | None:
        target = self.targets.get(item.target_id)
        if target is None:
            return f"target_id={item.target_id!r} is not a target of this gradebook"
        if not target.scale.contains(item.score):
            return (
                f"score={item.score!r} for student {item.student_id!r} on target "
                f"{target.id!r} lies outside the scale [{target.scale.min}, {target.scale.max}]"
            )
        return None

    def _append(self, batch: tuple[Evidence, ...] | Columns) -> None:
        self._batches.append(batch)
        self._size += len(batch)

    # -- reading ----------------------------------------------------------------------------

    def evidence(self) -> list[Evidence]:
        """Return every piece of evidence, in the order added.

        Evidence added as objects or dicts is returned as is; rows read from frames are
        rebuilt, with times in UTC.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.evidence() == list(example.evidence)
            True
        """
        out: list[Evidence] = []
        target_ids = list(self.targets)
        where = None
        for batch in self._batches:
            if isinstance(batch, tuple):
                out.extend(batch)
                continue
            from mastery_grading.gradebook._engine import evidence_at

            if isinstance(batch, range):
                assert self._store is not None
                if where is None:  # the sorted row of each position
                    import numpy as np

                    where = np.empty(self._size, dtype=np.int64)
                    where[self._store.order] = np.arange(self._store.order.shape[0])
                out.extend(
                    evidence_at(self._store.columns, where[batch.start : batch.stop], target_ids)
                )
            else:
                out.extend(evidence_at(batch, range(len(batch)), target_ids))
        return out

    def _use_numpy(self) -> bool:
        if self.engine == "python":
            return False
        if self.engine == "numpy" or _numpy_available():
            return True
        return any(not isinstance(batch, tuple) for batch in self._batches)

    def _engine_inputs(self) -> Sorted:
        """Every row, sorted by (student, target, time); merged and sorted again after adds."""
        if self._store is None or self._stored < len(self._batches):
            import numpy as np

            from mastery_grading.gradebook._engine import sort_rows

            earlier = [] if self._store is None else [self._store.order]
            done = sum(len(order) for order in earlier)
            positions = np.concatenate([*earlier, np.arange(done, self._size, dtype=np.int64)])
            # The merged columns go straight into the sort, which releases each unsorted
            # column once its sorted copy is made: no reference to them is kept here.
            self._store = sort_rows(self._merge_batches(), len(self.targets), positions=positions)
            self._stored = len(self._batches)
        return self._store

    def _merge_batches(self) -> Columns:
        """The columns of the store and of every batch added since, in that order.

        A frame's columns move into the store: its batch keeps only its rows' positions, so
        that the unsorted columns are released once sorted. The old store is released too.
        """
        from mastery_grading.gradebook._engine import columns_from_evidence, concat_columns

        index = {target_id: i for i, target_id in enumerate(self.targets)}
        parts = [] if self._store is None else [self._store.columns]
        self._store = None
        start = sum(len(part) for part in parts)
        for i in range(self._stored, len(self._batches)):
            batch = self._batches[i]
            assert not isinstance(batch, range)
            if isinstance(batch, tuple):
                parts.append(columns_from_evidence(batch, index))
            else:
                parts.append(batch)
                self._batches[i] = range(start, start + len(batch))
            start += len(batch)
        if not parts:
            parts.append(columns_from_evidence((), index))
        return concat_columns(parts)

    def results(self, policy: Any, *, as_of: datetime | None = None) -> ResultTable:
        """Return the result of ``policy`` for every student on every target.

        Args:
            policy: Any :class:`~mastery_grading.Policy`.
            as_of: Only evidence observed at or before this aware datetime counts.

        Returns:
            A :class:`ResultTable`, one row per (student, target).

        Example:
            >>> from datetime import datetime, timezone
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> table = book.results(policies.DecayingAverage())
            >>> table
            ResultTable(policy=DecayingAverage(rate=0.65), students=8, targets=5)
            >>> early = book.results(policies.MostRecent(),
            ...                      as_of=datetime(2026, 9, 1, tzinfo=timezone.utc))
            >>> early.explain("devon", "LE.1").reason
            'no evidence'
        """
        if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
            msg = f"as_of={as_of.isoformat()!r} is a naive datetime; expected a timezone-aware one"
            raise InvalidValueError(msg)
        if self._use_numpy():
            return self._numpy_results(policy, as_of)
        return self._python_results(policy, as_of)

    def _python_results(self, policy: Any, as_of: datetime | None) -> ResultTable:
        groups: dict[tuple[str, str], list[Evidence]] = {}
        for item in self.evidence():
            groups.setdefault((item.student_id, item.target_id), [])
            if as_of is None or item.observed_at <= as_of:
                groups[(item.student_id, item.target_id)].append(item)
        students = sorted({student for student, _ in groups})
        targets = list(self.targets.values())
        results = [
            policy.evaluate(groups.get((student, target.id), []), target)
            for student in students
            for target in targets
        ]
        return ResultTable(
            policy=policy,
            students=students,
            targets=targets,
            values=[r.value for r in results],
            counts=[r.evidence_count for r in results],
            reasons={i: r.reason for i, r in enumerate(results) if r.reason is not None},
            results=results,
        )

    def _numpy_results(self, policy: Any, as_of: datetime | None) -> ResultTable:
        from mastery_grading.gradebook._engine import compute, evidence_at
        from mastery_grading.gradebook._engine._columns import micros

        srt = self._engine_inputs()
        targets = list(self.targets.values())
        target_ids = list(self.targets)
        limit = None if as_of is None else micros(as_of)
        out = compute(policy, srt, targets, as_of=limit)

        def explain(row: int) -> TargetResult:
            rows = range(int(srt.bounds[row]), int(srt.bounds[row + 1]))
            evidence = evidence_at(srt.columns, rows, target_ids)
            if as_of is not None:
                evidence = [e for e in evidence if e.observed_at <= as_of]
            return policy.evaluate(evidence, targets[row % len(targets)])  # type: ignore[no-any-return]

        return ResultTable(
            policy=policy,
            students=srt.columns.student_labels,
            targets=targets,
            values=out.values,
            counts=out.counts,
            reasons=out.reasons,
            explain=explain,
        )

    def grades(
        self, converter: GradeConverter, *, policy: Any = None, as_of: datetime | None = None
    ) -> dict[str, GradeReport]:
        """Return each student's grade report: :meth:`results` then the grades converter.

        Args:
            converter: A grade converter (see ``mastery_grading.grades``).
            policy: The policy for the target results; the decaying average (rate 0.65, as
                Canvas) when not given.
            as_of: See :meth:`results`.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.grades(AverageCutoffs.marzano_2010())["devon"].letter
            'A'
        """
        if policy is None:
            from mastery_grading.policies import DecayingAverage

            policy = DecayingAverage()
        return self.results(policy, as_of=as_of).grades(converter)


def _is_frame(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("pandas", "polars")) and hasattr(value, "columns")
