"""Whole gradebooks: many students, many targets, every result and grade at once.

A :class:`Gradebook` holds the learning targets of a course and the evidence of all its
students. :meth:`~mastery_grading.Gradebook.results` applies a policy (or one policy per target)
to every (student, target) pair and returns a :class:`~mastery_grading.ResultTable`;
:meth:`~mastery_grading.Gradebook.grades` converts those results into letters, a
:class:`~mastery_grading.GradeTable`. When numpy is installed the vectorized
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

# Long because: Gradebook is one public class; its four constructors each document the same
# input options (missing scores, times, decimal mark, ids), as users read them there.
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Literal, overload

from mastery_grading._extras import available, require
from mastery_grading._text import (
    Decimal,
    MissingScores,
    MissingScoreWarning,
    TextRules,
    is_missing,
    read_record,
    skipped_note,
)
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import (
    BulkValidationError,
    InvalidTypeError,
    InvalidValueError,
    MasteryGradingError,
    MissingExtraError,
)
from mastery_grading.gradebook._grade_table import GradeTable
from mastery_grading.gradebook._live import (
    LiveTable,
    TableColumns,
    engine_live_table,
    live_key,
)
from mastery_grading.gradebook._store import EvidenceStore
from mastery_grading.gradebook._table import ResultTable
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import Columns, Sorted
    from mastery_grading.gradebook._grade_table import Exemptions
    from mastery_grading.grades import GradeReport, OnGap, ReportingConverter
    from mastery_grading.protocols import GradeConverter, GradeReportLike

__all__ = ["Gradebook"]


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
        InvalidValueError: If ``engine`` is not one of those.
        MissingExtraError: If ``engine`` is ``"numpy"`` and numpy is not installed.

    Example:
        >>> from mastery_grading import Gradebook, LearningTarget
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> book.add({"student_id": "s1", "target_id": "T", "score": 9.0,
        ...           "observed_at": "2026-10-01"})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.BulkValidationError: 1 invalid row: row 0: observed_at: '2026-10-01' has no UTC offset; add one (e.g. '+00:00') or give the time zone to assume (assume_tz=, --assume-tz on the command line)
    """  # noqa: E501

    def __init__(
        self,
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
    ) -> None:
        _check_engine(engine)
        self.targets: dict[str, LearningTarget] = _target_dict(targets)
        self.engine: Literal["auto", "numpy", "python"] = engine
        self._store = EvidenceStore(self.targets)
        # the last table per (policy, as_of, engine), patched by results() after adds
        self._live: dict[Any, LiveTable] = {}

    def __len__(self) -> int:
        """The number of pieces of evidence."""
        return len(self._store)

    def __repr__(self) -> str:
        return f"Gradebook(targets={len(self.targets)}, evidence={len(self._store)})"

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_evidence(
        cls,
        evidence: Iterable[Evidence | Mapping[str, Any]],
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> Gradebook:
        """Return a gradebook holding ``evidence`` (Evidence objects or dicts of its fields).

        The options read dicts as :meth:`from_records` does.

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
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add(evidence, rules, stacklevel=3)
        return book

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> Gradebook:
        """Return a gradebook from dicts with the fields of :class:`~mastery_grading.Evidence`.

        Values read as in every input path (``docs/concepts.md``, "Missing values and text"):
        a missing score (``None``, ``NaN``, blank text) is skipped as missing evidence, all
        counted in one :class:`~mastery_grading.MissingScoreWarning`; a number may be written
        as text (``decimal`` is its decimal mark); a time may be ISO 8601 text with a UTC
        offset; ids are kept as written.

        Args:
            records: Dicts of evidence fields, such as the objects of a JSON list.
            targets: The learning targets.
            engine: See :class:`Gradebook`.
            missing_scores: ``"skip"`` (the default) or ``"error"``: a missing score is then
                a problem of its row.
            assume_tz: The time zone of times without a UTC offset (text or naive datetimes);
                by default they are a problem.
            decimal: The decimal mark of numbers written as text, ``"."`` or ``","``.
            strip_ids: Trim the spaces around ids (``student_id``, ``target_id``,
                ``source_id``, ``context``).

        Raises:
            BulkValidationError: Listing every bad record (position and reason).

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
        book = cls(targets=targets, engine=engine)
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add(records, rules, stacklevel=3)
        return book

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        columns: Mapping[str, str] | None = None,
        engine: Literal["auto", "numpy", "python"] = "auto",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> Gradebook:
        """Return a gradebook from a pandas or polars DataFrame with one row per evidence.

        Required columns: ``student_id``, ``target_id``, ``score`` and ``observed_at`` (a
        timezone-aware datetime column, or ISO 8601 text); optional: ``kind``, ``weight``,
        ``source_id``, ``context``, ``attempt``, ``independent``. Integer ids are read as
        strings, kept as written. Times are kept as UTC instants to the microsecond. A missing
        score (null or ``NaN``) is missing evidence: skipped, all counted in one
        :class:`~mastery_grading.MissingScoreWarning`. Number columns may be text.

        Args:
            frame: A pandas or polars DataFrame.
            targets: The learning targets.
            columns: Maps evidence field names to the frame's column names, for the columns
                named differently (``{"student_id": "Student"}``).
            engine: See :class:`Gradebook`.
            missing_scores: ``"skip"`` (the default) or ``"error"``: a missing score is then
                a problem of its row.
            assume_tz: The time zone of times without a UTC offset (text without one, or a
                naive datetime column); by default they are a problem.
            decimal: The decimal mark of numbers in text columns, ``"."`` or ``","``.
            strip_ids: Trim the spaces around ids (``student_id``, ``target_id``,
                ``source_id``, ``context``).

        Raises:
            BulkValidationError: Listing every bad row (row position and reason).
            InvalidValueError: If a required column is missing.
            MissingExtraError: If numpy is not installed (the ``data`` extra).

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
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add_frame(frame, columns, rules, stacklevel=3)
        return book

    def add(
        self,
        evidence: Evidence | Mapping[str, Any] | Iterable[Any],
        *,
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> None:
        """Add one piece of evidence, a dict of its fields, or an iterable of either.

        Dicts are read as :meth:`from_records` reads them, with the same options.

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
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        self._add(evidence, rules, stacklevel=3)

    def _add(self, evidence: Any, rules: TextRules, *, stacklevel: int) -> None:
        """Add evidence; ``stacklevel`` points a missing-score warning at the user's call."""
        if isinstance(evidence, Evidence | Mapping):
            evidence = [evidence]
        if _is_frame(evidence):
            self._add_frame(evidence, None, rules, stacklevel=stacklevel + 1)
            return
        items: list[Evidence] = []
        problems: list[tuple[int, str]] = []
        skipped: list[int] = []
        for pos, item in enumerate(evidence):
            if isinstance(item, Mapping):
                if "score" in item and is_missing(item["score"]):
                    if rules.missing_scores == "skip":
                        skipped.append(pos)
                    else:
                        problems.append((pos, _missing(item["score"])))
                    continue
                try:
                    item = Evidence(**read_record(item, rules))
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
        _warn_skipped(skipped, stacklevel)

    def add_frame(
        self,
        frame: Any,
        *,
        columns: Mapping[str, str] | None = None,
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> None:
        """Add the rows of a pandas or polars DataFrame; see :meth:`from_frame` (and options).

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
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        self._add_frame(frame, columns, rules, stacklevel=3)

    def _add_frame(
        self, frame: Any, columns: Mapping[str, str] | None, rules: TextRules, *, stacklevel: int
    ) -> None:
        require("numpy", extra="data", feature="Gradebook.from_frame()")
        from mastery_grading.gradebook._engine._frames import columns_from_frame

        cols, skipped = columns_from_frame(frame, list(self.targets.values()), columns or {}, rules)
        if len(cols):
            self._append(cols)
        _warn_skipped(skipped, stacklevel)

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
        self._store.append(batch)
        if isinstance(batch, tuple):  # the live tables patch their touched rows
            for live in self._live.values():
                live.pending.extend(batch)
        else:  # a frame is a bulk load: the next results() computes afresh
            self._live.clear()

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
        return self._store.evidence()

    def _use_numpy(self, engine: Literal["auto", "numpy", "python"]) -> bool:
        _check_engine(engine)
        if engine == "python":
            return False
        if engine == "numpy" or available("numpy"):
            return True
        return self._store.has_columns()

    def _engine_inputs(self) -> Sorted:
        """Every row, sorted by (student, target, time), for the engine."""
        return self._store.sorted_rows()

    def results(
        self,
        policy: Policy | Mapping[str, Policy],
        *,
        as_of: datetime | None = None,
        engine: Literal["auto", "numpy", "python"] | None = None,
    ) -> ResultTable:
        """Return the result of ``policy`` for every student on every target.

        Args:
            policy: Any :class:`~mastery_grading.Policy`, or a mapping of target id to policy
                that gives every target its own (every target of the gradebook, and only
                those). With numpy the targets are grouped by policy and each group is
                computed by the vectorized engine.
            as_of: Only evidence observed at or before this aware datetime counts.
            engine: ``"auto"``, ``"numpy"`` or ``"python"`` for this call; the gradebook's
                ``engine`` when not given.

        Kept live: the last table of each (policy, ``as_of``, engine) is kept (the four most
        recently used), and evidence added since with :meth:`add` recomputes only the (student,
        target) rows it touches: through running states for an
        :class:`~mastery_grading.IncrementalPolicy`, by evaluating the group again otherwise.
        The table equals a fresh gradebook's (values within 1e-9, as between the engines);
        tables handed out earlier never change. A frame added with :meth:`add_frame`, or more
        new rows than a thirty-second of the book with the engine, makes the next call
        compute afresh.

        Returns:
            A :class:`~mastery_grading.ResultTable`, one row per (student, target).

        Raises:
            InvalidValueError: If ``as_of`` is naive, a mapping leaves out a target or names
                an unknown one, or ``engine`` is not one of the three.
            InvalidTypeError: If ``policy`` (or a value of the mapping) is not a policy.

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
            >>> rules = {t.id: policies.Mean() for t in example.targets}
            >>> rules["LE.1"] = policies.MostRecent()
            >>> mixed = book.results(rules)
            >>> [r.value for r in mixed.student_results("devon")][:2]
            [4.0, 2.4]
            >>> book.results({"LE.1": policies.Mean()})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.InvalidValueError: policy has no policy for the targets ['LE.2', 'LE.3', 'LE.4', 'LE.5']; give one policy for every target of the gradebook
        """  # noqa: E501
        if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
            msg = f"as_of={as_of.isoformat()!r} is a naive datetime; expected a timezone-aware one"
            raise InvalidValueError(msg)
        policies = self._policies_per_target(policy)
        use_numpy = self._use_numpy(self.engine if engine is None else engine)
        key = live_key(policy, policies, as_of, use_numpy)
        live = self._live.pop(key, None) if key is not None else None
        # patching costs about 10 us per piece, the engine about 0.3 us per row of the book
        if live is not None and (not use_numpy or len(live.pending) <= max(1000, len(self) // 32)):
            self._live[key] = live  # most recently used last
            return live.catch_up()
        if use_numpy:
            live = self._numpy_results(policy, policies, as_of)
        else:
            live = self._python_results(policy, policies, as_of)
        if key is not None:
            self._live[key] = live
            while len(self._live) > 4:  # keep the four most recently used
                del self._live[next(iter(self._live))]
        return live.table

    def _policies_per_target(self, policy: Policy | Mapping[str, Policy]) -> list[Policy]:
        """The policy of each target, in target order; a mapping must name every target."""
        if isinstance(policy, Mapping):
            unknown = [key for key in policy if key not in self.targets]
            if unknown:
                msg = (
                    f"policy names targets {unknown!r} that are not targets of this gradebook; "
                    f"expected ids among {list(self.targets)!r}"
                )
                raise InvalidValueError(msg)
            left_out = [target_id for target_id in self.targets if target_id not in policy]
            if left_out:
                msg = (
                    f"policy has no policy for the targets {left_out!r}; give one policy for "
                    "every target of the gradebook"
                )
                raise InvalidValueError(msg)
            chosen = [policy[target_id] for target_id in self.targets]
        else:
            chosen = [policy] * len(self.targets)
        for target_id, item in zip(self.targets, chosen, strict=True):
            if not isinstance(item, Policy):
                where = f"policy[{target_id!r}]" if isinstance(policy, Mapping) else "policy"
                msg = (
                    f"{where}={item!r} must be a Policy (an object with evaluate), "
                    f"not {type(item).__name__}"
                )
                raise InvalidTypeError(msg)
        return chosen

    def _python_results(
        self,
        policy: Policy | Mapping[str, Policy],
        policies: list[Policy],
        as_of: datetime | None,
    ) -> LiveTable:
        groups: dict[tuple[str, str], list[Evidence]] = {}
        for item in self.evidence():
            groups.setdefault((item.student_id, item.target_id), [])
            if as_of is None or item.observed_at <= as_of:
                groups[(item.student_id, item.target_id)].append(item)
        students = sorted({student for student, _ in groups})
        targets = list(self.targets.values())
        results = [
            chosen.evaluate(groups.get((student, target.id), []), target)
            for student in students
            for target, chosen in zip(targets, policies, strict=True)
        ]
        target_ids = list(self.targets)
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

    def _numpy_results(
        self,
        policy: Policy | Mapping[str, Policy],
        policies: list[Policy],
        as_of: datetime | None,
    ) -> LiveTable:
        from mastery_grading.gradebook._engine import compute_per_target
        from mastery_grading.gradebook._engine._columns import micros

        srt = self._engine_inputs()
        targets = list(self.targets.values())
        limit = None if as_of is None else micros(as_of)
        out = compute_per_target(policies, srt, targets, as_of=limit)

        return engine_live_table(policy, policies, targets, as_of, srt, out)

    @overload
    def grades(
        self,
        converter: ReportingConverter,
        *,
        policy: Policy | Mapping[str, Policy] | None = None,
        as_of: datetime | None = None,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[GradeReport]: ...

    @overload
    def grades(
        self,
        converter: GradeConverter,
        *,
        policy: Policy | Mapping[str, Policy] | None = None,
        as_of: datetime | None = None,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[GradeReportLike]: ...

    def grades(
        self,
        converter: GradeConverter,
        *,
        policy: Policy | Mapping[str, Policy] | None = None,
        as_of: datetime | None = None,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[Any]:
        """Return every student's grade: :meth:`results`, then the converter, as a table.

        Args:
            converter: A grade converter (see ``mastery_grading.grades``).
            policy: The policy for the target results (or one per target, see
                :meth:`results`); the decaying average (rate 0.65, as Canvas) when not given.
            as_of: See :meth:`results`.
            exempt: Per-student exemptions, ``(student_id, target_id)`` pairs or a dict of
                student id to target ids: left out of that student's grade whatever the
                converter's ``missing`` choice (see :meth:`ResultTable.grades`).
            on_gap: What a student in a gap of a rule set gets: no letter with the reason
                and one warning for the run (``"warn"``, the default), the same silently
                (``"ignore"``), or the old :class:`~mastery_grading.exceptions.GapError`
                (``"raise"``).

        Returns:
            A :class:`~mastery_grading.GradeTable`: one row per student, letters computed from
            the result columns, each student's :class:`~mastery_grading.GradeReport` on
            demand (``table[student_id]``).

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
        return self.results(policy, as_of=as_of).grades(converter, exempt=exempt, on_gap=on_gap)


def _missing(score: Any) -> str:
    return f"score={score!r} is missing; expected a number (missing_scores='error')"


def _warn_skipped(positions: list[int], stacklevel: int) -> None:
    """Warn once for every missing score skipped (their rows, from 0)."""
    if positions:
        note = skipped_note("score", "row", positions, what="missing (None or NaN)")
        warnings.warn(note, MissingScoreWarning, stacklevel=stacklevel + 1)


def _check_engine(engine: str) -> None:
    if engine not in ("auto", "numpy", "python"):
        msg = f"engine={engine!r} must be 'auto', 'numpy' or 'python'"
        raise InvalidValueError(msg)
    if engine == "numpy" and not available("numpy"):
        feature = "engine='numpy'"
        raise MissingExtraError(
            feature, module="numpy", extra="data", alternative="use engine='auto'"
        )


def _is_frame(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("pandas", "polars")) and hasattr(value, "columns")
