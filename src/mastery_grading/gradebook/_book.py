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

from collections.abc import Container, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Literal, overload

from mastery_grading._extras import available
from mastery_grading._text import Decimal, MissingScores, TextRules
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.gradebook._arguments import (
    check_engine,
    is_frame,
    policies_per_target,
    target_dict,
)
from mastery_grading.gradebook._attributes import StudentAttributes
from mastery_grading.gradebook._duplicates import Duplicates, check_duplicates_option
from mastery_grading.gradebook._grade_table import GradeTable
from mastery_grading.gradebook._intake import read_frame, read_records, warn_skipped
from mastery_grading.gradebook._live import (
    LiveTable,
    engine_live_table,
    live_key,
    python_live_table,
)
from mastery_grading.gradebook._needed import gradebook_needed
from mastery_grading.gradebook._store import EvidenceStore, StoredKeys
from mastery_grading.gradebook._table import ResultTable
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import Columns
    from mastery_grading.gradebook._grade_table import Exemptions
    from mastery_grading.grades import GradeReport, OnGap, ReportingConverter
    from mastery_grading.protocols import GradeConverter, GradeReportLike

__all__ = ["Gradebook"]


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
        student_attributes: Attribute name -> mapping (or pandas Series) of student id ->
            value or values, such as ``{"section": read_canvas_results(...).sections}``;
            every result table carries them, for ``aggregate(by="section")``.

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
        student_attributes: Mapping[str, Any] | None = None,
    ) -> None:
        check_engine(engine)
        self._attributes = StudentAttributes.read(student_attributes)
        self.targets: dict[str, LearningTarget] = target_dict(targets)
        self.engine: Literal["auto", "numpy", "python"] = engine
        self._store = EvidenceStore(self.targets)
        # the last table per (policy, as_of, engine), patched by results() after adds
        self._live: dict[Any, LiveTable] = {}
        # what the evidence in the book shares with its duplicates, read one group at a time
        self._keys = StoredKeys(self._store)

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
        student_attributes: Mapping[str, Any] | None = None,
        duplicates: Duplicates = "error",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> Gradebook:
        """Return a gradebook holding ``evidence`` (Evidence objects or dicts of its fields).

        Args:
            evidence: Evidence objects or dicts of their fields.
            targets: The learning targets (see :class:`Gradebook`).
            engine: See :class:`Gradebook`.
            student_attributes: See :class:`Gradebook` (``results(...).aggregate(by=name)``).
            duplicates: What to do with duplicates (same student, target, time, score, source
                and kind): ``"error"`` (default) lists every copy in the error, ``"drop"``
                keeps the first copy, ``"keep"`` counts every copy.
            missing_scores: How dicts are read, as for :meth:`from_records`.
            assume_tz: As for :meth:`from_records`.
            decimal: As for :meth:`from_records`.
            strip_ids: As for :meth:`from_records`.

        Raises:
            BulkValidationError: If any item is invalid, for an unknown target, has a score
                outside its target's scale, or (by default) is a duplicate; every problem of
                every kind is listed, each a :class:`~mastery_grading.Problem` whose ``row``
                is the item's position.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> Gradebook.from_evidence(example.evidence, targets=example.targets)
            Gradebook(targets=5, evidence=...)
        """
        book = cls(targets=targets, engine=engine, student_attributes=student_attributes)
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add(evidence, duplicates, rules, stacklevel=3)
        return book

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        engine: Literal["auto", "numpy", "python"] = "auto",
        student_attributes: Mapping[str, Any] | None = None,
        duplicates: Duplicates = "error",
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
            student_attributes: See :class:`Gradebook`.
            duplicates: As for :meth:`from_evidence`.
            missing_scores: ``"skip"`` (the default) or ``"error"``: a missing score is then
                a problem of its row.
            assume_tz: The time zone of times without a UTC offset (by default a problem).
            decimal: The decimal mark of numbers written as text, ``"."`` or ``","``.
            strip_ids: Trim the spaces around ids (by default they are kept as written).

        Raises:
            BulkValidationError: Listing every problem of every kind, each a
                :class:`~mastery_grading.Problem` whose ``row`` is the record's position.

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
        book = cls(targets=targets, engine=engine, student_attributes=student_attributes)
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add(records, duplicates, rules, stacklevel=3)
        return book

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
        columns: Mapping[str, str] | None = None,
        engine: Literal["auto", "numpy", "python"] = "auto",
        student_attributes: Mapping[str, Any] | None = None,
        duplicates: Duplicates = "error",
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
            student_attributes: See :class:`Gradebook`. The frame's other columns with one
                value per student are added, and a ``section`` column's every value (the
                student's sections): ``results(...).aggregate(by="section")``.
            duplicates: As for :meth:`from_evidence`; found vectorized, so that it stays fast
                on millions of rows.
            missing_scores: ``"skip"`` (the default) or ``"error"``, as for :meth:`from_records`.
            assume_tz: The time zone of naive times (text, or a naive datetime column).
            decimal: The decimal mark of numbers in text columns, ``"."`` or ``","``.
            strip_ids: Trim the spaces around ids (by default they are kept as written).

        Raises:
            BulkValidationError: Listing every bad row of every kind; each
                :class:`~mastery_grading.Problem` gives the row's index label as ``row``.
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
        book = cls(targets=targets, engine=engine, student_attributes=student_attributes)
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add_frame(frame, columns, duplicates, rules, stacklevel=3)
        return book

    def add(
        self,
        evidence: Evidence | Mapping[str, Any] | Iterable[Any],
        *,
        duplicates: Duplicates = "error",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> None:
        """Add one piece of evidence, a dict of its fields, or an iterable of either.

        Args:
            evidence: What to add.
            duplicates: What to do with duplicates (same student, target, time, score, source
                and kind), within the batch or of evidence already in the gradebook (a live
                book included): ``"error"`` (default), ``"drop"`` (keep the first copy) or
                ``"keep"`` (count every copy).
            missing_scores: How dicts are read, as for :meth:`from_records`.
            assume_tz: As for :meth:`from_records`.
            decimal: As for :meth:`from_records`.
            strip_ids: As for :meth:`from_records`.

        Raises:
            BulkValidationError: If any item is invalid; every problem of every kind is listed
                (each a :class:`~mastery_grading.Problem`, ``row`` its position); nothing is
                added then.

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
            mastery_grading.exceptions.BulkValidationError: 1 invalid row: row 1: target_id='X' is not a target of this gradebook; expected one of ['T']
            >>> len(book)  # nothing of the bad batch was added
            1
        """  # noqa: E501
        rules = TextRules(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        self._add(evidence, duplicates, rules, stacklevel=3)

    def _add(
        self, evidence: Any, duplicates: Duplicates, rules: TextRules, *, stacklevel: int
    ) -> None:
        """Add evidence; ``stacklevel`` points a missing-score warning at the user's call."""
        check_duplicates_option(duplicates)
        if isinstance(evidence, Evidence | Mapping):
            evidence = [evidence]
        if is_frame(evidence):
            self._add_frame(evidence, None, duplicates, rules, stacklevel=stacklevel + 1)
            return
        known: Container[tuple[Any, ...]] = frozenset()
        if duplicates != "keep" and len(self._store):
            known = self._keys
        items, skipped = read_records(evidence, self.targets, duplicates, known, rules=rules)
        if items:
            self._append(tuple(items))
        warn_skipped(skipped, stacklevel=stacklevel)

    def add_frame(
        self,
        frame: Any,
        *,
        columns: Mapping[str, str] | None = None,
        duplicates: Duplicates = "error",
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> None:
        """Add the rows of a pandas or polars DataFrame; see :meth:`from_frame` (and options).

        ``duplicates`` applies to copies within the frame and of evidence already in the
        gradebook (found vectorized, in one pass over the book).

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
        self._add_frame(frame, columns, duplicates, rules, stacklevel=3)

    def _add_frame(
        self,
        frame: Any,
        columns: Mapping[str, str] | None,
        duplicates: Duplicates,
        rules: TextRules,
        *,
        stacklevel: int,
    ) -> None:
        check_duplicates_option(duplicates)
        stored = None
        if duplicates != "keep" and len(self._store):
            stored = self._store.sorted_rows().columns
        cols, attributes, skipped = read_frame(
            frame, self.targets, columns, duplicates, rules=rules, stored=stored
        )
        if len(cols):
            self._attributes = self._attributes.merged(attributes)
            self._append(cols)
        warn_skipped(skipped, stacklevel=stacklevel)

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
        check_engine(engine)
        if engine == "python":
            return False
        if engine == "numpy" or available("numpy"):
            return True
        return self._store.has_columns()

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
        use_numpy = self._use_numpy(self.engine if engine is None else engine)
        key = live_key(policy, as_of, use_numpy)
        live = self._live.pop(key, None) if key is not None else None
        # patching costs about 10 us per piece, the engine about 0.3 us per row of the book
        if live is not None and (not use_numpy or len(live.pending) <= max(1000, len(self) // 32)):
            self._live[key] = live  # most recently used last; its policy was checked then
            return self._attributed(live.catch_up())
        policies = policies_per_target(self.targets, policy)
        targets = list(self.targets.values())
        if use_numpy:
            live = engine_live_table(policy, policies, targets, as_of, self._store.sorted_rows())
        else:
            live = python_live_table(policy, policies, targets, as_of, self.evidence())
        if key is not None:
            self._live[key] = live
            while len(self._live) > 4:  # keep the four most recently used
                del self._live[next(iter(self._live))]
        return self._attributed(live.table)

    def _attributed(self, table: ResultTable) -> ResultTable:
        return table.with_student_attributes(self._attributes) if self._attributes else table

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

    #: What every student needs next on every target (a thin delegation, documented there).
    needed = gradebook_needed
