"""Result tables: every (student, target) result of a gradebook, in columns.

A :class:`ResultTable` holds one row per (student, target): the values as a list (the
reference) or an array (the vectorized engine), the evidence counts and the reasons. Rows are
built into :class:`~mastery_grading.TargetResult` objects only when asked for; frames are built
from the columns directly. A live gradebook's tables are copy-on-write (``_patch``): a new
table shares the columns of the one before and holds the rows changed since, so a table handed
out earlier never changes.

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> table = book.results(policies.Mean())
    >>> row = next(iter(table))
    >>> row.student_id, row.target.id, row.value
    ('ana', 'LE.1', 3.375)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import attrs

from mastery_grading.gradebook._aggregate import AggregateStat, AggregateTable, aggregate
from mastery_grading.gradebook._attributes import StudentAttributes
from mastery_grading.gradebook._frame_columns import (
    TextForm,
    arrow_table,
    check_text,
    column_parts,
    pandas_frame,
    polars_frame,
    reason_part,
)
from mastery_grading.gradebook._grade_table import (
    Exemptions,
    GradeTable,
    exempt_by_student,
    grade_table,
)
from mastery_grading.gradebook._patch import PatchedColumns
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.grades import GradeReport, OnGap, ReportingConverter
    from mastery_grading.protocols import GradeConverter, GradeReportLike, Policy

__all__ = ["RESULT_COLUMNS", "ResultTable"]

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


class ResultTable:
    """Every (student, target) result of a policy (or one policy per target) over a gradebook.

    Rows are laid out student by student (students sorted by id), and within a student in the
    gradebook's target order. Every student with any evidence gets a row for every target;
    a target without evidence has ``value=None`` with a reason.

    Iterating yields :class:`~mastery_grading.TargetResult` objects, each with its
    ``student_id`` whichever engine computed it. Those computed by the vectorized engine carry
    no ``contributions`` (listing millions of them would cost more than the computation);
    :meth:`explain` recomputes one with the reference policy.

    ``policy`` is the policy given to :meth:`~mastery_grading.Gradebook.results`: one policy,
    or a mapping of target id to policy; :meth:`policy_of` gives the policy of one target.
    ``student_attributes`` are the gradebook's (attribute name -> student id -> values, such
    as each student's sections), which :meth:`aggregate` groups by.

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
        policy: Policy | Mapping[str, Policy],
        students: Sequence[str],
        targets: Sequence[LearningTarget],
        values: Sequence[float | None] | Any,
        counts: Sequence[int] | Any,
        reasons: Mapping[int, str],
        results: Sequence[TargetResult] | None = None,
        explain: Callable[[int], TargetResult] | None = None,
        student_attributes: Mapping[str, Any] | None = None,
    ) -> None:
        self.policy = policy
        self._attributes = StudentAttributes.read(student_attributes)
        self.students: tuple[str, ...] = tuple(students)
        self.targets: tuple[LearningTarget, ...] = tuple(targets)
        self._policies: tuple[Policy, ...] = (
            tuple(policy[t.id] for t in self.targets)
            if isinstance(policy, Mapping)
            else (policy,) * len(self.targets)
        )
        if isinstance(values, PatchedColumns):  # a live gradebook's (results carry students)
            self._columns = values
        else:  # the engine's reasons are coded per group (a mapping of its own); copy a dict
            self._columns = PatchedColumns(
                values,
                counts,
                dict(reasons) if isinstance(reasons, dict) else reasons,
                None if results is None else self._with_students(results),
            )
        self._explain = explain

    # The columns: shared and patched in a live gradebook, built on first read (see _patch).
    @property
    def _values(self) -> Any:
        return self._columns.values

    @property
    def _counts(self) -> Any:
        return self._columns.counts

    @property
    def _reasons(self) -> Mapping[int, str]:
        return self._columns.reasons

    @property
    def _results(self) -> list[TargetResult] | None:
        return self._columns.results

    def _with_students(self, results: Sequence[TargetResult]) -> list[TargetResult]:
        """The reference's results, each carrying its row's student (also with no evidence)."""
        out = []
        for row, result in enumerate(results):
            student, _ = self._ids(row)
            out.append(
                result if result.student_id == student else attrs.evolve(result, student_id=student)
            )
        return out

    @property
    def student_attributes(self) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        """The attributes of the students, by name, then student id (see :meth:`aggregate`).

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> Gradebook(targets=[LearningTarget(id="T", title="T")], student_attributes={"section": {
        ...     "ana": "P1"}}).results(policies.Mean()).student_attributes["section"]
        {'ana': ('P1',)}
        """
        return self._attributes

    def with_student_attributes(self, attributes: Mapping[str, Any]) -> ResultTable:
        """Return a copy (sharing the columns) with more student attributes, as ``aggregate`` takes.

        ``attributes``: name -> mapping (or pandas Series) of student id -> value or values; a
        name given replaces the table's. Raises ``InvalidTypeError`` if it is not so.

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> table = Gradebook(targets=[LearningTarget(id="T", title="T")]).results(policies.Mean())
        >>> list(table.with_student_attributes({"section": {"ana": "P1"}}).student_attributes)
        ['section']
        """
        copy = object.__new__(ResultTable)
        copy.__dict__.update(self.__dict__)
        copy._attributes = self._attributes.replaced(StudentAttributes.read(attributes))
        return copy

    def policy_of(self, target_id: str) -> Policy:
        """Return the policy that computed the results on ``target_id``.

        Raises:
            KeyError: If the target is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios"),
            ...                           LearningTarget(id="U", title="Rates")])
            >>> book.results({"T": policies.Mean(), "U": policies.MostRecent()}).policy_of("U")
            MostRecent()
        """
        for target, policy in zip(self.targets, self._policies, strict=True):
            if target.id == target_id:
                return policy
        raise KeyError(target_id)

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

    def _result(
        self, row: int, value: float | None, count: int, reason: str | None = None
    ) -> TargetResult:
        student, target = self._ids(row)
        if value is None and reason is None:
            reason = self._reasons.get(row)
        return TargetResult(
            target=target,
            value=value,
            policy=self._policies[row % len(self.targets)],
            evidence_count=count,
            reason=reason if value is None else None,
            student_id=student,
        )

    def __iter__(self) -> Iterator[TargetResult]:
        if self._results is not None:
            yield from self._results
            return
        for row, (value, count) in enumerate(
            zip(self._value_list(), self._count_list(), strict=True)
        ):
            yield self._result(row, value, count)

    def student_results(self, student_id: str) -> list[TargetResult]:
        """Return one student's results, in target order (what a grade converter takes).

        Raises:
            KeyError: If the student is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> [r.value for r in book.results(policies.MostRecent()).student_results("devon")]
            [4.0, 4.0, 4.0, 4.0, 4.0]
        """
        try:
            index = self.students.index(student_id)
        except ValueError:
            raise KeyError(student_id) from None
        return self._student_rows(index)

    def _student_rows(self, index: int) -> list[TargetResult]:
        n_targets = len(self.targets)
        out = []
        for row in range(index * n_targets, (index + 1) * n_targets):
            found = self._columns.row(row)
            if found.result is None:
                out.append(self._result(row, found.value, found.evidence_count, found.reason))
            else:
                out.append(found.result)
        return out

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
        found = self._columns.row(row)
        if found.result is not None:
            return found.result
        assert self._explain is not None
        result = self._explain(row)
        if result.student_id != student_id:
            result = attrs.evolve(result, student_id=student_id)
        return result

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
        return column_parts(
            values=self._values,
            counts=self._counts,
            reasons=self._reasons,
            students=self.students,
            targets=self.targets,
            distinct_students=self._students_distinct(),
        )

    def _students_distinct(self) -> bool:
        """Whether no student is named twice: known for a gradebook's tables, else found once."""
        known: bool | None = self.__dict__.get("_distinct_students")
        if known is None:
            known = len(set(self.students)) == len(self.students)
            self.__dict__["_distinct_students"] = known
        return known

    def to_pandas(self, *, text: TextForm = "str") -> Any:
        """Return a pandas DataFrame with the columns of :meth:`records` (``NaN`` for ``None``).

        Requires pandas. ``text`` chooses the four text columns (``student_id``,
        ``target_id``, ``level``, ``reason``):

        - ``"str"`` (the default): the dtype pandas gives Python strings (its ``str`` in
          pandas 3, gathered by Arrow from the few distinct labels; object columns where
          pandas infers object);
        - ``"category"``: pandas Categoricals, the distinct labels (of that same string dtype)
          and a small integer code per row; a level or reason of no value is ``NaN``. No
          string is copied per row, so this is the fastest form (less than half the time on
          10^6 rows, see the performance page); ``.astype(str)`` turns one into the default.

        Raises ``InvalidValueError`` if ``text`` is neither.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> list(book.results(policies.Mean()).to_pandas().columns)
            ['student_id', 'target_id', 'value', 'level', 'mastered', 'evidence_count', 'reason']
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> frame = book.results(policies.Mean()).to_pandas(text="category")
            >>> frame["level"].dtype.name, list(frame["level"].cat.categories)
            ('category', ['not yet', 'approaching', 'meets', 'exceeds'])
        """
        return pandas_frame(self._parts, check_text(text))

    def to_arrow(self, *, text: TextForm = "str") -> Any:
        """Return a pyarrow Table with the columns of :meth:`records` (null for ``None``).

        Requires pyarrow. Text columns are ``large_string``, gathered by Arrow from small
        tables of labels (no Python string per row); with ``text="category"`` they are
        dictionary arrays (a small integer code per row, ``large_string`` labels), which
        copy no string at all. Raises ``InvalidValueError`` for another ``text``.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> book.results(policies.Mean()).to_arrow().column_names[:3]
            ['student_id', 'target_id', 'value']
            >>> book.results(policies.Mean()).to_arrow(text="category").schema.field("level").type
            DictionaryType(dictionary<values=large_string, indices=int8, ordered=0>)
        """
        return arrow_table(self._parts, check_text(text))

    def to_polars(self) -> Any:
        """Return a polars DataFrame with the columns of :meth:`records` (null for ``None``).

        Requires polars. Text columns are ``String``, gathered by polars from small tables of
        labels (no Python string per row). For ``Categorical`` text columns,
        ``polars.from_arrow(table.to_arrow(text="category"))``.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> book.results(policies.Mean()).to_polars().columns[:3]
            ['student_id', 'target_id', 'value']
        """
        return polars_frame(self._parts)

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

    def aggregate(
        self,
        by: str | Mapping[str, str | Collection[str]] | Any | None = None,
        *,
        stat: AggregateStat = "mean",
    ) -> AggregateTable:
        """Return the mean or median of the students' values per section, as Canvas shows it.

        This is Canvas's section statistic (``aggregate_stat`` of the outcome rollups, the
        "course average" row of the Learning Mastery Gradebook): per target, over the values
        of the section's students, each student once. Students without a value (no evidence,
        or ``n_mastery`` not reached) are left out; a section where nobody has one gets
        ``None``. The mean is rounded to 2 decimals as Canvas rounds (Ruby's ``Float#round``,
        :func:`~mastery_grading.policies.ruby_round`); the median is the middle value, or the
        two middle values added and halved, unrounded as in Canvas. With a
        :class:`~mastery_grading.policies.CanvasRollup` policy the numbers are Canvas's.

        Args:
            by: The sections: ``None`` for the whole table (one group, ``"all"``); the name of
                a student attribute (:attr:`student_attributes`), such as ``"section"`` (a
                Canvas report's sections, passed on by ``student_attributes=``) or a frame
                column of :meth:`Gradebook.from_frame
                <mastery_grading.Gradebook.from_frame>`; or a mapping (or pandas Series) of
                student id -> section name, or -> several sections (a student enrolled in two
                counts in both, as in Canvas). Canvas's own enrolments come from
                :attr:`CanvasResults.sections <mastery_grading.io.CanvasResults.sections>` (the
                report's ``section id`` column) or
                :func:`~mastery_grading.io.read_canvas_sections` (the rollups API's
                ``links.section``). Students of the table in no section are listed in
                ``ungrouped``; students of the mapping with no row here (no evidence at all)
                have nothing to count, as in Canvas.
            stat: ``"mean"`` (the default) or ``"median"``.

        Returns:
            An :class:`~mastery_grading.gradebook.AggregateTable` with a row per (section,
            target), sections sorted by name; ``records()`` and ``to_pandas()`` give it as
            rows.

        Raises:
            InvalidValueError: If ``stat`` is not ``"mean"`` or ``"median"``, or ``by`` names
                no student attribute of the table (the message lists those it has).
            InvalidTypeError: If ``by`` is not a mapping, or a student or section is not a
                string (or an int id).

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, Scale
            >>> from mastery_grading.policies import from_canvas
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="310", title="Fractions",
            ...                         scale=Scale(min=0, max=4, mastery=3))
            >>> evidence = [*scores_to_history([2, 3], student_id="ana", target_id="310"),
            ...             *scores_to_history([4], student_id="ben", target_id="310"),
            ...             *scores_to_history([1, 2], student_id="cy", target_id="310")]
            >>> table = Gradebook.from_evidence(evidence, targets=[target]).results(
            ...     from_canvas("decaying_average"))
            >>> [r.value for r in table]
            [2.65, 4.0, 1.65]
            >>> sections = {"ana": "P1", "ben": "P1", "cy": "P2"}
            >>> [(r["group"], r["value"]) for r in table.aggregate(sections).records()]
            [('P1', 3.33), ('P2', 1.65)]
            >>> table.aggregate(stat="median").value("all", "310")
            2.65
        """
        if isinstance(by, str):
            by = self._attributes.groups(by)
        return aggregate(
            self._value_list(), students=self.students, targets=self.targets, by=by, stat=stat
        )

    @overload
    def grades(
        self,
        converter: ReportingConverter,
        *,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[GradeReport]: ...

    @overload
    def grades(
        self,
        converter: GradeConverter,
        *,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[GradeReportLike]: ...

    def grades(
        self,
        converter: GradeConverter,
        *,
        exempt: Exemptions | None = None,
        on_gap: OnGap = "warn",
    ) -> GradeTable[Any]:
        """Return every student's grade under ``converter``, as a :class:`GradeTable`.

        The letters are computed from the columns: one conversion per distinct profile of
        results (vectorized averages for :class:`~mastery_grading.grades.AverageCutoffs`), and
        equal to :func:`mastery_grading.grades.grade` of each student's results. A student's
        full :class:`~mastery_grading.grades.GradeReport` is built on demand.

        Every student gets a row. A student whose results no rule covers (a gap of a rule set,
        or an overlap of an unordered one) gets no letter and the reason, and the run warns
        once with the count (:class:`~mastery_grading.grades.GradeGapWarning`).

        Args:
            converter: The grade converter.
            exempt: Per-student exemptions: ``(student_id, target_id)`` pairs, or a dict of
                student id to target ids. An exempt target is left out of that student's
                grade whatever the converter's ``missing`` choice (a target with no evidence
                yet still follows ``missing``); the student's report marks it.
            on_gap: ``"warn"`` (default), ``"ignore"`` (no letter, no warning) or
                ``"raise"`` (the first such student's error, as before).

        Raises:
            GapError: With ``on_gap="raise"``, if a rule set gives some student no letter (the
                first such student).
            InvalidValueError: If ``exempt`` names a student or a target not in the table, or
                the converter refuses a target (a rule set's other scale).

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> from mastery_grading.grades import AverageCutoffs
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> table = book.results(policies.Mean()).grades(AverageCutoffs.marzano_2010())
            >>> table["devon"].letter, table["emma"].letter
            ('C', 'A')
        """
        values: Any = self._values
        reasons: Any
        if hasattr(values, "dtype"):  # the engine's columns
            reasons = reason_part(self._reasons, values)[1]
        else:
            reasons = [self._reasons.get(row) for row in range(len(self))]
        return grade_table(
            converter,
            students=self.students,
            targets=self.targets,
            values=values,
            reasons=reasons,
            student_results=self._student_rows,
            exempt=exempt_by_student(exempt, self.students, self.targets),
            on_gap=on_gap,
        )
