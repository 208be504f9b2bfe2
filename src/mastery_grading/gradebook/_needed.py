"""What every student needs next on every target: :func:`~mastery_grading.needed` for a class.

:meth:`Gradebook.needed <mastery_grading.Gradebook.needed>` gives, for every (student, target)
row of the gradebook's result table, the smallest next score that brings the result to a level
(or the number of top scores, or why there is none), as a
:class:`~mastery_grading.gradebook.NeededTable`. Each row equals
:func:`~mastery_grading.needed` of that student's evidence on that target.

With numpy, the policies whose value after one more score is a linear function of that score
(the mean, the decaying average, Canvas's weighted average, the most recent score, and the
highest score, piecewise) are solved for everyone at once in closed form and snapped to the
scale's grid, and so is the number of top scores when one score is not enough
(:mod:`~mastery_grading.gradebook._needed_engine`). A row whose answer lies so near the goal
that floats could decide it wrongly, or whose policy is another one, is answered by
:func:`~mastery_grading.needed` itself, one group at a time. Without numpy (or with the
gradebook's ``engine="python"``) every row is.

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> table = book.needed(policies.Mean())
    >>> answer = table["devon", "LE.1"]
    >>> answer.value, answer.score, answer.count
    (2.4, None, 3)
    >>> print(answer.reason)
    one score cannot bring it to meets (3.0), not even a 4.0; 3 scores of 4.0 in a row do
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.gradebook._arguments import policies_per_target
from mastery_grading.policies._goal import goal_of
from mastery_grading.policies._needed import Needed, needed
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._store import EvidenceStore

__all__ = ["NEEDED_COLUMNS", "NeededTable", "gradebook_needed", "table_goals"]

#: The columns of :meth:`NeededTable.records` and :meth:`NeededTable.to_pandas`: the fields of
#: :class:`~mastery_grading.Needed`. ``value`` is the result now; ``level`` and ``goal`` are
#: the level aimed at and its value.
NEEDED_COLUMNS = (
    "student_id",
    "target_id",
    "value",
    "level",
    "goal",
    "reached",
    "score",
    "count",
    "reason",
)


def _plain(values: Any) -> list[Any]:
    """A column as a list: numpy arrays through ``tolist``, ``NaN`` as ``None``."""
    if hasattr(values, "tolist"):
        return [None if v != v else v for v in values.tolist()]
    return list(values)


class NeededTable:
    """What every student needs next on every target: one :class:`~mastery_grading.Needed` per row.

    Rows are laid out as in the gradebook's :class:`~mastery_grading.ResultTable`: student by
    student (sorted ids), then in target order. ``table[student_id, target_id]`` is one
    row's :class:`~mastery_grading.Needed`; iterating yields every row's; :meth:`records` and
    :meth:`to_pandas` give the columns of :data:`~mastery_grading.gradebook.NEEDED_COLUMNS`.
    A row without evidence has no answer (``score`` and ``count`` are ``None``) and its reason
    says why.

    Example:
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> table = book.needed(policies.MostRecent(), level="exceeds")
        >>> table
        NeededTable(policy=MostRecent(), level='exceeds', students=8, targets=5)
        >>> {row["score"] for row in table.records()}
        {4.0}
    """

    def __init__(
        self,
        *,
        policy: Policy | Mapping[str, Policy],
        level: str | float | None,
        students: Sequence[str],
        targets: Sequence[LearningTarget],
        goals: Sequence[tuple[float, str]],
        values: Any,
        reached: Any,
        scores: Any,
        counts: Any,
        reason_codes: Any,
        reason_texts: Sequence[str],
    ) -> None:
        self.policy = policy
        self.level = level
        self.students: tuple[str, ...] = tuple(students)
        self.targets: tuple[LearningTarget, ...] = tuple(targets)
        self._goals = tuple(goals)
        self._values = values
        self._reached = reached
        self._scores = scores
        self._counts = counts  # 0 where there is no count
        self._codes = reason_codes  # the reason of row i is reason_texts[reason_codes[i]]
        self._texts = tuple(reason_texts)

    def __len__(self) -> int:
        return len(self.students) * len(self.targets)

    def __repr__(self) -> str:
        return (
            f"NeededTable(policy={self.policy!r}, level={self.level!r}, "
            f"students={len(self.students)}, targets={len(self.targets)})"
        )

    def _row(self, row: int) -> Needed:
        n_targets = len(self.targets)
        goal, level = self._goals[row % n_targets]
        value, score, count = self._values[row], self._scores[row], int(self._counts[row])
        return Needed(
            target_id=self.targets[row % n_targets].id,
            student_id=self.students[row // n_targets],
            level=level,
            goal=goal,
            value=None if value is None or value != value else float(value),
            reached=bool(self._reached[row]),
            score=None if score is None or score != score else float(score),
            count=count or None,
            reason=self._texts[int(self._codes[row])],
        )

    def __getitem__(self, key: tuple[str, str]) -> Needed:
        """The answer of one student on one target: ``table[student_id, target_id]``.

        Raises:
            KeyError: If the student or the target is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.needed(policies.DecayingAverage())["devon", "LE.1"].reached
            True
        """
        student, target_id = key
        try:
            s = self.students.index(student)
            t = [target.id for target in self.targets].index(target_id)
        except ValueError:
            raise KeyError(key) from None
        return self._row(s * len(self.targets) + t)

    def __iter__(self) -> Iterator[Needed]:
        for row in range(len(self)):
            yield self._row(row)

    def records(self) -> list[dict[str, Any]]:
        """Return one dict per row with the keys of ``NEEDED_COLUMNS``.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.needed(policies.MostRecent()).records()[0]  # doctest: +NORMALIZE_WHITESPACE
            {'student_id': 'ana', 'target_id': 'LE.1', 'value': 4.0, 'level': 'meets',
             'goal': 3.0, 'reached': True, 'score': 3.0, 'count': 1,
             'reason': 'already at meets (3.0) or above; a 3.0 or more on the next assessment
                        keeps it there'}
        """
        values, scores = _plain(self._values), _plain(self._scores)
        reached, counts = _plain(self._reached), _plain(self._counts)
        codes = _plain(self._codes)
        n_targets = len(self.targets)
        out = []
        for row in range(len(self)):
            goal, level = self._goals[row % n_targets]
            out.append(
                {
                    "student_id": self.students[row // n_targets],
                    "target_id": self.targets[row % n_targets].id,
                    "value": values[row],
                    "level": level,
                    "goal": goal,
                    "reached": bool(reached[row]),
                    "score": scores[row],
                    "count": int(counts[row]) or None,
                    "reason": self._texts[codes[row]],
                }
            )
        return out

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame with the columns of :meth:`records`.

        ``NaN`` stands for a missing value or score and ``<NA>`` for a missing count (an
        integer column that allows it). Requires pandas.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> frame = book.needed(policies.Mean()).to_pandas()
            >>> list(frame.columns) == list(NEEDED_COLUMNS), frame["count"].dtype
            (True, Int64Dtype())
        """
        require("pandas", extra="data", feature="NeededTable.to_pandas()")
        require("numpy", extra="data", feature="NeededTable.to_pandas()")
        import numpy as np
        import pandas as pd

        n_targets = len(self.targets)
        counts = np.asarray(_plain(self._counts), dtype=np.int64)
        goals = np.asarray([goal for goal, _ in self._goals], dtype=np.float64)
        levels = np.asarray([level for _, level in self._goals], dtype=object)
        ids = np.asarray([target.id for target in self.targets], dtype=object)
        texts = np.asarray(self._texts, dtype=object)
        return pd.DataFrame(
            {
                "student_id": np.repeat(np.asarray(self.students, dtype=object), n_targets),
                "target_id": np.tile(ids, len(self.students)),
                "value": np.asarray(self._values, dtype=np.float64),
                "level": np.tile(levels, len(self.students)),
                "goal": np.tile(goals, len(self.students)),
                "reached": np.asarray(self._reached, dtype=np.bool_),
                "score": np.asarray(self._scores, dtype=np.float64),
                "count": pd.arrays.IntegerArray(counts, counts == 0),
                "reason": texts[np.asarray(self._codes, dtype=np.int64)]
                if len(texts)
                else np.asarray([], dtype=object),
            },
            columns=list(NEEDED_COLUMNS),
        )


def table_goals(
    targets: Sequence[LearningTarget], level: str | float | None
) -> list[tuple[float, str]]:
    """The goal and its level's name on each target, for ``level`` (see :func:`needed`).

    Raises:
        InvalidValueError: If a target's scale has no level of that name, or the value lies
            outside it; the message names the target.

    Example:
        >>> from mastery_grading import LearningTarget, Scale
        >>> table_goals([LearningTarget(id="T", title="T"),
        ...              LearningTarget(id="P", title="P", scale=Scale.percent())], None)
        [(3.0, 'meets'), (80.0, 'mastered')]
    """
    goals = []
    for target in targets:
        try:
            goals.append(goal_of(target.scale, level))
        except InvalidValueError as error:
            msg = f"target {target.id!r}: {error}"
            raise InvalidValueError(msg) from error
    return goals


class _Book(Protocol):
    """What :func:`gradebook_needed` reads of a :class:`~mastery_grading.Gradebook`."""

    targets: dict[str, LearningTarget]
    engine: Literal["auto", "numpy", "python"]
    _store: EvidenceStore

    def _use_numpy(self, engine: Literal["auto", "numpy", "python"]) -> bool: ...


def _python_table(
    book: _Book,
    policies: Sequence[Policy],
    level: str | float | None,
    when: datetime | None,
) -> dict[str, Any]:
    """Every row by :func:`~mastery_grading.needed`, from the book's evidence objects."""
    targets = list(book.targets.values())
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for item in book._store.evidence():
        groups.setdefault((item.student_id, item.target_id), []).append(item)
    students = sorted({student for student, _ in groups})
    answers = []
    for student in students:
        for target, policy in zip(targets, policies, strict=True):
            history = groups.get((student, target.id), [])
            answers.append(needed(history, target, policy, level=level, when=when))
    texts: dict[str, int] = {}
    return {
        "students": students,
        "values": [a.value for a in answers],
        "reached": [a.reached for a in answers],
        "scores": [a.score for a in answers],
        "counts": [a.count or 0 for a in answers],
        "reason_codes": [texts.setdefault(a.reason, len(texts)) for a in answers],
        "reason_texts": list(texts),
    }


def gradebook_needed(
    book: _Book,
    policy: Policy | Mapping[str, Policy],
    *,
    level: str | float | None = None,
    when: datetime | None = None,
) -> NeededTable:
    """The table of :meth:`Gradebook.needed <mastery_grading.Gradebook.needed>` for ``book``.

    Example:
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> len(gradebook_needed(book, policies.Mean()))
        40
    """
    policies = policies_per_target(book.targets, policy)
    targets = list(book.targets.values())
    goals = table_goals(targets, level)
    if book._use_numpy(book.engine):
        from mastery_grading.gradebook._needed_engine import engine_needed

        columns = engine_needed(
            book._store.sorted_rows(), targets, policies, goals, level=level, when=when
        )
    else:
        columns = _python_table(book, policies, level, when)
    return NeededTable(policy=policy, level=level, targets=targets, goals=goals, **columns)
