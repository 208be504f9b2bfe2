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

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from mastery_grading._extras import available
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.gradebook._arguments import (
    check_engine,
    policies_per_target,
)
from mastery_grading.gradebook._book_intake import EvidenceIntake
from mastery_grading.gradebook._diff_compute import DiffRule, policy_diff
from mastery_grading.gradebook._grade_table import GradeTable
from mastery_grading.gradebook._live import (
    LiveTable,
    engine_live_table,
    live_key,
    python_live_table,
)
from mastery_grading.gradebook._needed import gradebook_needed
from mastery_grading.gradebook._table import ResultTable
from mastery_grading.protocols import Policy
from mastery_grading.reports import student_report_html

if TYPE_CHECKING:
    from mastery_grading.gradebook._diff import PolicyDiff
    from mastery_grading.gradebook._grade_table import Exemptions
    from mastery_grading.gradebook._needed import NeededTable
    from mastery_grading.grades import GradeReport, OnGap, ReportingConverter
    from mastery_grading.protocols import GradeConverter, GradeReportLike
    from mastery_grading.targets import LearningTarget

__all__ = ["Gradebook"]


class Gradebook(EvidenceIntake):
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

    def __len__(self) -> int:
        """The number of pieces of evidence."""
        return len(self._store)

    def __repr__(self) -> str:
        return f"Gradebook(targets={len(self.targets)}, evidence={len(self._store)})"

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
        latest = self._latest_call
        live: LiveTable | None
        if (
            latest is not None
            and latest[0] is policy
            and latest[1] == as_of
            and latest[2] == engine
            and next(reversed(self._live.values()), None) is latest[5]
        ):  # the policy object of the last call, whose table is still the most recent
            use_numpy, key, live = latest[3], latest[4], latest[5]
        else:
            use_numpy = self._use_numpy(self.engine if engine is None else engine)
            key = live_key(policy, as_of, use_numpy)
            live = self._live.pop(key, None) if key is not None else None
            if live is not None:
                self._live[key] = live  # most recently used last; its policy was checked then
        # patching costs about 10 us per piece, the engine about 0.3 us per row of the book
        if live is not None and (
            not use_numpy or len(live.pending) <= 1000 or len(live.pending) <= len(self) // 32
        ):
            if latest is None or live is not latest[5]:
                self._remember_call(policy, as_of, engine, use_numpy, key, live)
            return self._attributed(live.catch_up())
        policies = policies_per_target(self.targets, policy)
        targets = list(self.targets.values())
        if use_numpy:
            live = self._engine_table(policy, policies, targets, as_of)
        else:
            live = python_live_table(policy, policies, targets, as_of, self.evidence())
        if key is not None:
            self._live[key] = live
            while len(self._live) > 4:  # keep the four most recently used
                del self._live[next(iter(self._live))]
            self._remember_call(policy, as_of, engine, use_numpy, key, live)
        return self._attributed(live.table)

    def _remember_call(
        self,
        policy: Policy | Mapping[str, Policy],
        as_of: datetime | None,
        engine: str | None,
        use_numpy: bool,
        key: Any,
        live: LiveTable,
    ) -> None:
        """Remember the call that gave ``live``: the same policy object next finds it at once.

        Not for a mapping, which may have changed since (its items are its key).
        """
        if not isinstance(policy, Mapping):
            self._latest_call = (policy, as_of, engine, use_numpy, key, live)

    def _engine_table(
        self,
        policy: Policy | Mapping[str, Policy],
        policies: list[Policy],
        targets: list[LearningTarget],
        as_of: datetime | None,
    ) -> LiveTable:
        """The engine's live table: order-free policies without a sort when they can be."""
        store = self._store
        cols = store.unsorted_columns()
        if cols is not None:
            from mastery_grading.gradebook._engine._columns import micros
            from mastery_grading.gradebook._engine._order_free import order_free

            limit = None if as_of is None else micros(as_of)
            out = order_free(policies, cols, targets, as_of=limit)
            if out is not None:
                n_rows, students = len(store), cols.student_labels
                return engine_live_table(
                    policy,
                    policies,
                    targets,
                    as_of,
                    lambda: store.first_rows(n_rows, students),
                    (out, students),
                )
        return engine_live_table(policy, policies, targets, as_of, store.sorted_rows())

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

    def diff(
        self,
        before: DiffRule,
        after: DiffRule,
        converter: GradeConverter | None = None,
        *,
        by: str | Mapping[str, Any] | Any | None = None,
    ) -> PolicyDiff:
        """Return who changes, and how, when ``before`` gives way to ``after``.

        ``before`` and ``after`` are two policies (or a policy per target id, as
        :meth:`results` takes): the diff compares every (student, target) result, value and level,
        and with ``converter`` every student's letter. Or they are two converters: the letters of
        each under one policy, the gradebook's default for :meth:`grades` (the decaying average).
        Each policy is computed once, from the gradebook's sorted columns; the comparison is
        vectorized. A student without a letter (a gap of a rule set, or "Incomplete") never
        stops the diff: it is a row and a column of the transition matrix of its own.

        Args:
            before: A policy, a mapping of target id to policy, or a grade converter.
            after: The same kind as ``before``; equal to it gives an empty diff with a note.
            converter: The converter that gives letters to two policies (``None``: levels only).
            by: Groups to compare: the name of a student attribute of the gradebook (such as
                ``"section"``, or a frame column with one value per student), or a mapping (or
                pandas Series) of student id -> group or groups. A student it leaves out is
                counted in the group ``"(missing)"``.

        Returns:
            A :class:`~mastery_grading.gradebook.PolicyDiff`.

        Raises:
            InvalidTypeError: If a rule is neither a policy nor a converter, or one is a policy
                and the other a converter.
            InvalidValueError: If ``converter`` is given with two converters, a mapping of
                policies leaves out a target, or ``by`` names no student attribute.
            MissingExtraError: If numpy is not installed (the ``data`` extra).

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(),
            ...                  AverageCutoffs.marzano_2010())
            >>> diff.changed, diff.moved_by["devon"]
            (('chloe', 'devon', 'farid'), ('LE.1', 'LE.2', 'LE.3', 'LE.4', 'LE.5'))
            >>> book.diff(policies.Mean(), policies.Mean()).notes
            ('before and after are the same (Mean(weighted=True)): nothing changes',)
        """
        return policy_diff(self.results, before, after, converter, by=by)

    def needed(
        self,
        policy: Policy | Mapping[str, Policy],
        *,
        level: str | float | None = None,
        when: datetime | None = None,
    ) -> NeededTable:
        """Return what every student needs next on every target, as a table.

        Each row is :func:`mastery_grading.needed` of the student's evidence on the target (its
        rules: the next assessment, the grid of scores, the goal, what happens when one score
        is not enough or the goal is reached already). With numpy the linear policies (mean,
        decaying average, weighted average, most recent, highest) are solved for every row at
        once, exactly; other policies, and rows a float could decide wrongly, are searched
        group by group.

        Args:
            policy: Any policy, or a mapping of target id to policy (as for :meth:`results`).
            level: The goal on every target: ``None`` for each target's mastery threshold, a
                level's name (every target's scale must have it), or a value.
            when: When the next assessment is observed (timezone-aware); one day after each
                student's latest evidence on the target by default.

        Returns:
            A :class:`~mastery_grading.gradebook.NeededTable`, one row per (student, target)
            of :meth:`results`; rows without evidence have no answer and say why.

        Raises:
            InvalidValueError: If a target's scale has no level named ``level`` (or the value
                lies outside it), or a policy mapping leaves out a target.
            InvalidTypeError: If a policy is not a policy.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> table = book.needed(policies.DecayingAverage(), level="approaching")
            >>> table["devon", "LE.2"].score, len(table)
            (1.5, 40)
        """
        return gradebook_needed(self, policy, level=level, when=when)

    def report(
        self,
        policy: Policy | Mapping[str, Policy],
        converter: GradeConverter | None = None,
        *,
        student_id: str,
        name: str | None = None,
        course: str | None = None,
        lang: str = "en",
        as_of: datetime | None = None,
        exempt: Collection[str] = (),
    ) -> str:
        """Return one student's self-contained HTML report, a page a family can read.

        The page (:func:`mastery_grading.reports.student_report_html`) shows the grade and how
        it was decided, each target's level, evidence, progress chart and next step, and how
        the results were calculated; it holds no other student's name, id or numbers.
        :func:`mastery_grading.reports.write_reports` writes every student's page and the
        teacher's class map.

        Args:
            policy: The policy, or one per target id.
            converter: A grade converter; without one the page has no course grade.
            student_id: The student.
            name: The student's name, shown instead of the id.
            course: The course name.
            lang: ``"en"`` or ``"es"`` (Spanish needs Babel, the ``report`` extra).
            as_of: Only evidence observed at or before this moment counts.
            exempt: Targets the student is exempt from.

        Example:
            >>> from mastery_grading import AverageCutoffs, Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> page = book.report(policies.DecayingAverage(), AverageCutoffs.marzano_2010(),
            ...                    student_id="devon", lang="es")
            >>> page.startswith("<!DOCTYPE html>"), '<html lang="es">' in page
            (True, True)
        """
        return student_report_html(
            student_id,
            self._store.evidence(),
            list(self.targets.values()),
            policy,
            converter,
            name=name,
            course=course,
            lang=lang,
            as_of=as_of,
            exempt=exempt,
        )
