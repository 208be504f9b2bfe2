"""Policy diffs: whose level and letter change when a school switches policy or converter.

:class:`PolicyDiff` is what :meth:`Gradebook.diff <mastery_grading.Gradebook.diff>` returns;
``_diff_compute`` builds it, ``_diff_cells`` holds the cells, ``_diff_groups`` reads the groups,
``_diff_letters`` codes the letters and ``_diff_render`` draws it (HTML and plots).

What changes, precisely:

- **A cell** (one student on one target) changes its value (after minus before, one float
  subtraction) and its level (the level each value reaches on the target's scale; a step is one
  level up or down). A target without a value on a side has no level there (``"no value"``) and
  no change.
- **A student's letter** changes when its label differs: another letter, or a letter to or
  from a state without one (``"Incomplete"``, ``"No letter"``; see ``_diff_letters``).
- **Changed students** (:attr:`PolicyDiff.changed`): those whose letter changes; without a
  converter, those with a level change on some target.
- **The targets that moved a changed student** (:attr:`PolicyDiff.moved_by`): the targets
  whose level changed; when none did (an average that crossed a cutoff on values alone), the
  targets whose value changed; none when only the converter changed (two converters under
  one policy).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.gradebook import _diff_render as render
from mastery_grading.gradebook._diff_cells import DiffColumns, count_matrix
from mastery_grading.gradebook._diff_groups import Groups, group_rows
from mastery_grading.gradebook._diff_letters import LetterColumns
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DIFF_COLUMNS", "PolicyDiff"]

#: The columns of :meth:`PolicyDiff.records` and :meth:`PolicyDiff.to_pandas`.
DIFF_COLUMNS = (
    "student_id",
    "target_id",
    "value_before",
    "value_after",
    "value_change",
    "level_before",
    "level_after",
    "level_change",
)


class PolicyDiff:
    """Who changes, and how, when ``before`` gives way to ``after``: cells, letters, groups.

    Build it with :meth:`Gradebook.diff <mastery_grading.Gradebook.diff>`. Students are
    sorted by id (every student with evidence); targets follow the gradebook.

    What it shows (the definitions are those of :mod:`mastery_grading.gradebook`'s "Policy
    diffs"):

    - :meth:`records` / :meth:`to_pandas`: per (student, target), the value and level under
      each, and the change;
    - :attr:`transitions`: with a converter, the counts of students by letter before (rows)
      and after (columns); a student without a letter is counted under ``"Incomplete"`` (no
      letter yet) or ``"No letter"`` (a gap of a rule set), each its own row and column;
      :attr:`level_transitions`: the same for the levels of the cells;
    - :attr:`changed`, :attr:`moved_by`: the students whose letter changes and the targets
      that moved them; :meth:`student_records` / :meth:`by_student`: one row per student;
    - :attr:`by_group`: per group of ``by=`` (``"all"`` without), the students, how many
      change, up and down, and the mean change; :meth:`transitions_of` a group's matrix;
    - ``notes``: what the reader should know (an empty diff, students without a letter or
      a group);
    - ``_repr_html_`` (a notebook), :meth:`to_html` (a page) and :meth:`plot`.

    Attributes:
        before: The rule before, named: a policy's repr, or a converter's description.
        after: The rule after, named the same way.
        converter: The converter of the letters of two policies, named; ``None`` without
            (or when ``before`` and ``after`` are the converters).
        policy: The policy under two converters, named; ``None`` for two policies.
        notes: What the reader should know, one sentence each.

    Example:
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import AverageCutoffs
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(),
        ...                  AverageCutoffs.marzano_2010())
        >>> diff  # doctest: +NORMALIZE_WHITESPACE
        PolicyDiff(before=Mean(weighted=True), after=DecayingAverage(rate=0.65), students=8,
                   changed=3)
        >>> diff.changed, diff.moved_by["chloe"]
        (('chloe', 'devon', 'farid'), ('LE.3',))
        >>> diff.transitions  # doctest: +NORMALIZE_WHITESPACE
        after   A  B  C  D  F
        before
        A       2  0  0  0  0
        B       1  1  0  0  0
        C       1  1  1  0  0
        D       0  0  0  1  0
        F       0  0  0  0  0
    """

    def __init__(
        self,
        *,
        before: str,
        after: str,
        converter: str | None,
        policy: str | None,
        columns: DiffColumns,
        letters: LetterColumns | None,
        groups: Groups,
        notes: tuple[str, ...],
    ) -> None:
        self.before = before
        self.after = after
        self.converter = converter
        self.policy = policy
        self._columns = columns
        self._letters = letters
        self._groups = groups
        self.notes = notes

    @property
    def student_ids(self) -> tuple[str, ...]:
        """The students, sorted by id.

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="T")])
        >>> book.diff(policies.Mean(), policies.MostRecent()).student_ids
        ()
        """
        return self._columns.students

    @property
    def targets(self) -> tuple[LearningTarget, ...]:
        """The targets, in the gradebook's order.

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> [t.id for t in book.diff(policies.Mean(), policies.MostRecent()).targets]
        ['T']
        """
        return self._columns.targets

    @property
    def has_letters(self) -> bool:
        """Whether the diff has letters (a converter was given, or two converters compared).

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> from mastery_grading.grades import AverageCutoffs
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> book.diff(policies.Mean(), policies.MostRecent()).has_letters
        False
        >>> book.diff(AverageCutoffs.marzano_2010(), AverageCutoffs.percent()).has_letters
        True
        """
        return self._letters is not None

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups of ``by=``, sorted, ``"(missing)"`` last; ``("all",)`` without ``by``.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> book.diff(policies.Mean(), policies.MostRecent(), by={"ana": "P1"}).groups
        ('P1', '(missing)')
        """
        return self._groups.names

    def __len__(self) -> int:
        return len(self._columns.students)

    def __repr__(self) -> str:
        def short(label: str) -> str:
            return label if len(label) <= 60 else label[:59] + "\N{HORIZONTAL ELLIPSIS}"

        return (
            f"PolicyDiff(before={short(self.before)}, after={short(self.after)}, "
            f"students={len(self)}, changed={len(self.changed)})"
        )

    # -- the changes ------------------------------------------------------------------------

    @cached_property
    def _changed_rows(self) -> Any:
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        if self._letters is not None:
            return np.asarray(self._letters.changed, dtype=np.bool_)
        return self._columns.level_moved()

    @cached_property
    def changed(self) -> tuple[str, ...]:
        """The students whose letter changes (without a converter, some level), sorted.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> book.diff(policies.Mean(), policies.DecayingAverage()).changed
        ('ben', 'chloe', 'devon', 'farid', 'hugo')
        """
        students = self._columns.students
        return tuple(students[i] for i in self._changed_rows.nonzero()[0].tolist())

    @cached_property
    def moved_by(self) -> dict[str, tuple[str, ...]]:
        """The targets that moved each changed student, in target order.

        The targets whose level changed; when none did, those whose value changed; none when
        only the converter changed.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> book.diff(policies.Mean(), policies.DecayingAverage()).moved_by["ben"]
        ('LE.1',)
        """
        return self._columns.moved(self._changed_rows.nonzero()[0])

    # -- matrices ---------------------------------------------------------------------------

    @property
    def transitions(self) -> Any:
        """A pandas DataFrame counting the students by letter before (rows) and after (columns).

        Rows are the letters before, best first, then ``"Incomplete"`` and ``"No letter"``
        when a student is in one of them (before or after); columns the same after. The counts
        sum to the number of students. ``None`` without letters (see
        :attr:`level_transitions`). Requires pandas.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import RuleSet
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(), RuleSet.sbgrader2())
        >>> int(diff.transitions.loc["F", "B"]), int(diff.transitions.to_numpy().sum())
        (2, 8)
        """
        return None if self._letters is None else self.transitions_of(None)

    def transitions_of(self, group: str | None) -> Any:
        """The letter transitions of one group's students (``None``: of every student).

        ``None`` without letters. Requires pandas.

        Raises:
            KeyError: If the diff has no such group.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import AverageCutoffs
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(),
        ...                  AverageCutoffs.marzano_2010(), by={"devon": "P1", "ana": "P1"})
        >>> diff.groups, int(diff.transitions_of("P1").loc["C", "A"])
        (('P1', '(missing)'), 1)
        """
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        letters = self._letters
        if group is None:
            rows = np.arange(len(self), dtype=np.int64)
        elif group in self._groups.names:
            g = self._groups.names.index(group)
            rows = np.asarray(self._groups.members()[g], dtype=np.int64)
        else:
            raise KeyError(group)
        if letters is None:
            return None
        return count_matrix(
            rows,
            (letters.codes_before, letters.codes_after),
            (letters.labels_before, letters.labels_after),
        )

    @property
    def level_transitions(self) -> Any:
        """A pandas DataFrame counting the cells by level before (rows) and after (columns).

        A cell is one student on one target.

        Levels are named as on the targets' scales, highest first, then ``"no value"``; the
        counts sum to students times targets. Requires pandas.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> moves = book.diff(policies.Mean(), policies.DecayingAverage()).level_transitions
        >>> list(moves.index), int(moves.loc["approaching", "meets"])
        (['exceeds', 'meets', 'approaching', 'not yet', 'no value'], 9)
        """
        require("numpy", extra="data", feature="PolicyDiff")
        import numpy as np

        names, codes = self._columns.level_codes()
        rows = np.arange(len(codes[0]), dtype=np.int64)
        return count_matrix(rows, codes, (names, names))

    # -- rows -------------------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """Return one dict per (student, target) with the keys of ``DIFF_COLUMNS``.

        ``value_change`` is after minus before and ``level_change`` the levels gained (up is
        positive); both ``None`` where a side has no value, as are that side's value and level.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.MostRecent())
        >>> diff.records()[15]  # doctest: +NORMALIZE_WHITESPACE
        {'student_id': 'devon', 'target_id': 'LE.1', 'value_before': 2.4, 'value_after': 4.0,
         'value_change': 1.6, 'level_before': 'approaching', 'level_after': 'exceeds',
         'level_change': 2}
        """
        return self._columns.records()

    def to_pandas(self) -> Any:
        """Return :meth:`records` as a pandas DataFrame. Requires pandas.

        ``NaN`` stands for ``None``; ``level_change`` is a nullable integer column.

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> list(book.diff(policies.Mean(), policies.MostRecent()).to_pandas().columns)
        ['student_id', 'target_id', 'value_before', 'value_after', 'value_change', 'level_before', 'level_after', 'level_change']
        """  # noqa: E501
        return self._columns.frame()

    def student_records(self) -> list[dict[str, Any]]:
        """Return one dict per student: what changes for that student.

        The keys: ``student_id``; ``group`` (with ``by=``: the student's groups, joined by
        ``"; "``); with letters ``letter_before``, ``letter_after``, ``letter_change`` (letters
        gained, ``None`` where not counted in steps), ``reason_before`` and ``reason_after``
        (what decided each letter); then ``changed`` and ``moved_by`` (the targets that moved
        the student, each with its level or value before and after).

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import AverageCutoffs
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(),
        ...                  AverageCutoffs.marzano_2010())
        >>> row = diff.student_records()[2]
        >>> row["letter_before"], row["letter_after"], row["letter_change"], row["moved_by"]
        ('C', 'B', 1, 'LE.3: not yet → approaching')
        """
        return self._rows(reasons=True, only_changed=False)

    def _rows(
        self, *, reasons: bool, only_changed: bool, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The student records, the first ``limit`` of them; reasons only if asked.

        A reason takes exact arithmetic per student: the HTML, which does not show them, skips
        them.
        """
        letters = self._letters
        moved = self.moved_by
        changed = self._changed_rows.tolist()
        why: list[tuple[Any, Any]] = []
        if letters is not None and reasons:
            why = [
                (b["reason"], a["reason"])
                for b, a in zip(
                    letters.tables[0].records(), letters.tables[1].records(), strict=True
                )
            ]
        groups = self._groups.by_student(len(changed)) if self._groups.grouped else []
        out: list[dict[str, Any]] = []
        for s, student in enumerate(self._columns.students):
            if only_changed and not changed[s]:
                continue
            if limit is not None and len(out) == limit:
                break
            row: dict[str, Any] = {"student_id": student}
            if groups:
                row["group"] = "; ".join(groups[s])
            if letters is not None:
                step = None if letters.steps is None else letters.steps[s]
                row["letter_before"] = letters.labels_before[letters.codes_before[s]]
                row["letter_after"] = letters.labels_after[letters.codes_after[s]]
                row["letter_change"] = None if step is None or step != step else int(step)
                if reasons:
                    row["reason_before"], row["reason_after"] = why[s]
            row["changed"] = changed[s]
            row["moved_by"] = self._columns.moved_text(s, moved.get(student, ()))
            out.append(row)
        return out

    def by_student(self) -> Any:
        """Return :meth:`student_records` as a pandas DataFrame. Requires pandas.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> frame = book.diff(policies.Mean(), policies.DecayingAverage()).by_student()
        >>> frame[frame["changed"]]["moved_by"].tolist()[0]
        'LE.1: approaching → meets'
        """
        require("pandas", extra="data", feature="PolicyDiff.by_student()")
        import pandas as pd

        return pd.DataFrame(self.student_records())

    @cached_property
    def by_group(self) -> Any:
        """Each group's figures, a pandas DataFrame with one row per group (see :attr:`groups`).

        Columns: ``group``; ``students``; ``changed`` (how many change, as :attr:`changed`)
        and ``share_changed`` (of the group's students); with letters ``up`` and ``down``
        (students whose letter rises or falls along the converter's letters) and
        ``mean_letter_change`` (letters gained, over the students counted in steps); then
        ``mean_value_change`` (after minus before, over the group's cells with a value on both
        sides: the correctly rounded sum over their count) and ``levels_up``, ``levels_down``
        (cells whose level rises or falls). A mean over nobody is ``NaN``. A student in
        several groups counts in each. Requires pandas.

        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> from mastery_grading.grades import AverageCutoffs
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> diff = book.diff(policies.Mean(), policies.DecayingAverage(),
        ...                  AverageCutoffs.marzano_2010())
        >>> diff.by_group[["group", "students", "changed", "up", "down"]].to_dict("records")
        [{'group': 'all', 'students': 8, 'changed': 3, 'up': 3, 'down': 0}]
        """
        require("numpy", extra="data", feature="PolicyDiff.by_group")
        require("pandas", extra="data", feature="PolicyDiff.by_group")
        import numpy as np
        import pandas as pd

        cols = self._columns
        both = (cols.levels_before >= 0) & (cols.levels_after >= 0)
        rows = group_rows(
            self._groups,
            changed=self._changed_rows,
            steps=None if self._letters is None else self._letters.steps,
            letters=self._letters is not None,
            value_change=np.where(both, cols.values_after - cols.values_before, np.nan),
            level_change=np.where(both, cols.levels_after - cols.levels_before, 0),
        )
        if self._letters is not None and self._letters.steps is None:
            for row in rows:
                row["mean_letter_change"] = float("nan")
        return pd.DataFrame(rows)

    # -- views ------------------------------------------------------------------------------

    def to_html(self, title: str | None = None) -> str:
        """Return the diff as a whole self-contained HTML page (for a file or an e-mail).

        >>> from mastery_grading import Gradebook, LearningTarget, policies
        >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
        >>> book.diff(policies.Mean(), policies.MostRecent()).to_html().startswith("<!DOCTYPE")
        True
        """
        return render.page(self._view(), title)

    def _repr_html_(self) -> str:
        return render.fragment(self._view())

    def _view(self) -> render.View:
        steps = None if self._letters is None else self._letters.steps
        return render.View(
            before=self.before,
            after=self.after,
            converter=self.converter,
            policy=self.policy,
            students=len(self),
            notes=self.notes,
            transitions=self.transitions,
            level_transitions=self.level_transitions,
            by_group=self.by_group,
            grouped=self._groups.grouped,
            changed=len(self.changed),
            up=0 if steps is None else int((steps > 0).sum()),
            down=0 if steps is None else int((steps < 0).sum()),
            rows=self._rows(reasons=False, only_changed=True, limit=render.SHOWN_STUDENTS),
            ranked=self._letters is not None and self._letters.steps is not None,
        )

    def plot(self) -> Figure:
        """Draw the transition heat map and the mean change per group, side by side.

        With letters the heat map counts students by letter and the bars are each group's
        mean letter change (the mean value change when the letters are not one scale);
        without, the heat map counts cells by level and the bars are the mean value change.
        Needs matplotlib (the ``plot`` extra).

        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> figure = book.diff(policies.Mean(), policies.DecayingAverage()).plot()
        >>> [ax.get_title() for ax in figure.axes][:2]
        ['Levels of the cells (student, target)', 'Mean change per group']
        >>> import matplotlib.pyplot as plt
        >>> plt.close(figure)
        """
        return render.plot(self._view())
