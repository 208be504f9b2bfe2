"""How evidence enters a :class:`~mastery_grading.Gradebook`: its constructors and ``add``.

:class:`EvidenceIntake` is the part of the gradebook that takes evidence in: the ``from_*``
constructors, :meth:`~EvidenceIntake.add` and :meth:`~EvidenceIntake.add_frame`. Each batch is
read under the options of every input path (:mod:`._intake`), checked for duplicates against
itself and the book (:mod:`._duplicates`, :class:`._store.StoredKeys`), and appended to the
store; the live tables note the new evidence. :class:`~mastery_grading.Gradebook` builds on it.

Example:
    >>> from mastery_grading import Gradebook
    >>> issubclass(Gradebook, EvidenceIntake)
    True
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal, Self

from mastery_grading._text import Decimal, MissingScores, TextRules
from mastery_grading.evidence import Evidence
from mastery_grading.gradebook._arguments import (
    check_engine,
    check_threads,
    is_frame,
    target_dict,
)
from mastery_grading.gradebook._attributes import StudentAttributes
from mastery_grading.gradebook._duplicates import (
    Duplicates,
    check_duplicates_option,
    duplicate_key,
)
from mastery_grading.gradebook._intake import read_frame, read_records, warn_skipped
from mastery_grading.gradebook._store import EvidenceStore, StoredKeys
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import Columns
    from mastery_grading.gradebook._live import LiveTable

__all__ = ["EvidenceIntake"]


class EvidenceIntake:
    """The state, constructors and adders of a gradebook.

    :class:`~mastery_grading.Gradebook` is the class to use; its docstring gives the arguments.
    """

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
        # the last call that found its live table: (policy, as_of, engine, use_numpy, key, table)
        self._latest_call: tuple[Any, Any, str | None, bool, Any, LiveTable] | None = None
        # what the evidence in the book shares with its duplicates, read one group at a time
        self._keys = StoredKeys(self._store)

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
        threads: int | None = None,
    ) -> Self:
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
            threads: How many threads the vectorized engine sorts the rows on, as for
                :meth:`from_frame` (``None``: the environment variable
                ``MASTERY_GRADING_THREADS``, else 2); the results are the same for any number.

        Raises:
            BulkValidationError: If any item is invalid, for an unknown target, has a score
                outside its target's scale, or (by default) is a duplicate; every problem of
                every kind is listed, each a :class:`~mastery_grading.Problem` whose ``row``
                is the item's position.
            InvalidValueError: If ``threads`` is not ``None`` or a whole number of at least 1.

        Example:
            >>> from mastery_grading import Gradebook
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> Gradebook.from_evidence(example.evidence, targets=example.targets)
            Gradebook(targets=5, evidence=...)
        """
        check_threads(threads)
        book = cls(targets=targets, engine=engine, student_attributes=student_attributes)
        book._store.threads = threads
        rules = TextRules.of(
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
    ) -> Self:
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
        rules = TextRules.of(
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
        threads: int | None = None,
    ) -> Self:
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
            threads: How many threads read the frame (the students' ids are encoded while
                the targets, scores and times are read; the duplicate check hashes the rows
                in two halves) and sort its rows (in two parts, split between two (student,
                target) groups, from 2^18 rows): ``None`` (the default) is the environment
                variable ``MASTERY_GRADING_THREADS`` if set, else 2 (1 on a single CPU). The
                gradebook is the same for any number.

        Raises:
            BulkValidationError: Listing every bad row of every kind; each
                :class:`~mastery_grading.Problem` gives the row's index label as ``row``.
            InvalidValueError: If a required column is missing, or ``threads`` is not a whole
                number of at least 1.
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
        check_threads(threads)
        book = cls(targets=targets, engine=engine, student_attributes=student_attributes)
        book._store.threads = threads  # the rows are sorted on as many threads
        rules = TextRules.of(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        book._add_frame(frame, columns, duplicates, rules, stacklevel=3, threads=threads)
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
        rules = TextRules.of(
            missing_scores=missing_scores, assume_tz=assume_tz, decimal=decimal, strip_ids=strip_ids
        )
        self._add(evidence, duplicates, rules, stacklevel=3)

    def _add(
        self, evidence: Any, duplicates: Duplicates, rules: TextRules, *, stacklevel: int
    ) -> None:
        """Add evidence; ``stacklevel`` points a missing-score warning at the user's call."""
        check_duplicates_option(duplicates)
        if type(evidence) is list:  # the common case first: no ABC check
            if self._add_clean(evidence, duplicates):
                return
        elif isinstance(evidence, Evidence | Mapping):
            evidence = [evidence]
        elif is_frame(evidence):
            self._add_frame(evidence, None, duplicates, rules, stacklevel=stacklevel + 1)
            return
        known: Container[tuple[Any, ...]] = frozenset()
        if duplicates != "keep" and len(self._store):
            known = self._keys
        keys: list[tuple[Any, ...]] = []
        items, skipped = read_records(
            evidence, self.targets, duplicates, known, rules=rules, keys_out=keys
        )
        if items:
            self._append(tuple(items), keys or None)
        warn_skipped(skipped, stacklevel=stacklevel)

    def _add_clean(self, items: list[Any], duplicates: Duplicates) -> bool:
        """Add ``items`` if all are Evidence without a problem; else add nothing, return False.

        The live book's common case, checked in one pass: Evidence objects (nothing to read)
        on known targets, within their scales, and (unless ``duplicates="keep"``) copies of
        nothing in the batch or the book. Anything else goes through the full check, which
        lists every problem or drops the copies.
        """
        if not items:
            return False
        targets = self.targets
        for item in items:
            if type(item) is not Evidence:
                return False
            target = targets.get(item.target_id)
            if target is None or not target.scale.contains(item.score):
                return False
        keys = None
        if duplicates != "keep":
            keys = [duplicate_key(item) for item in items]
            if len(keys) > 1 and len(set(keys)) < len(keys):
                return False
            if len(self._store):
                known = self._keys
                for key in keys:
                    if key in known:
                        return False
        self._append(tuple(items), keys)
        return True

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
        rules = TextRules.of(
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
        threads: int | None = None,
    ) -> None:
        check_duplicates_option(duplicates)
        stored = None
        if duplicates != "keep" and len(self._store):
            stored = self._store.sorted_rows().columns
        cols, attributes, skipped = read_frame(
            frame, self.targets, columns, duplicates, rules=rules, stored=stored, threads=threads
        )
        if len(cols):
            self._attributes = self._attributes.merged(attributes)
            self._append(cols)
        warn_skipped(skipped, stacklevel=stacklevel)

    def _append(
        self, batch: tuple[Evidence, ...] | Columns, keys: list[tuple[Any, ...]] | None = None
    ) -> None:
        self._store.append(batch, keys)
        if isinstance(batch, tuple):  # the live tables patch their touched rows
            for live in self._live.values():
                live.pending.extend(batch)
        else:  # a frame is a bulk load: the next results() computes afresh
            self._live.clear()
            self._latest_call = None
