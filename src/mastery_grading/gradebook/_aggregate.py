"""Group statistics of a result table: Canvas's section mean and median (``aggregate_stat``).

:meth:`ResultTable.aggregate <mastery_grading.gradebook.ResultTable.aggregate>` computes them;
this module holds the rule and the small table it returns, :class:`AggregateTable`.

Canvas's Learning Mastery Gradebook shows, per outcome, the mean or the median of the students'
rollup scores of a section (``GET /api/v1/courses/:id/outcome_rollups?aggregate=course&
aggregate_stat=mean|median`` with ``section_id``; ``RollupScoreAggregatorHelper`` in
``instructure/canvas-lms``):

- each student counts once, with their rollup score (the value in the result table);
- a student without a value (no evidence, or ``n_mastery`` not yet reached) is left out, and a
  section where nobody has a value has no statistic (``None``);
- the mean is the float sum over the count, rounded to 2 decimals as Ruby rounds
  (:func:`~mastery_grading.policies.ruby_round`);
- the median is the middle value, or for an even count the two middle values added and halved
  in floats; Canvas does not round it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, Literal, cast

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies import ruby_round
from mastery_grading.targets import LearningTarget

__all__ = ["AGGREGATE_COLUMNS", "ALL", "AggregateStat", "AggregateTable", "aggregate"]

#: The statistics :func:`aggregate` computes, named as Canvas's ``aggregate_stat``.
AggregateStat = Literal["mean", "median"]
_STATS: tuple[str, ...] = ("mean", "median")

#: The group name of the whole table (``by=None``), as Canvas's course row.
ALL = "all"

#: The column names of :meth:`AggregateTable.records` and :meth:`AggregateTable.to_pandas`.
AGGREGATE_COLUMNS = ("group", "target_id", "stat", "value", "students", "group_size")


@attrs.frozen(kw_only=True)
class AggregateTable:
    """The mean or median of the students' values, per group (section) and target.

    Groups are sorted by name; within a group, targets are in the table's order.

    Attributes:
        stat: ``"mean"`` or ``"median"``.
        groups: The group names, sorted (``("all",)`` for the whole table).
        targets: The targets, in the result table's order.
        values: The statistic of each (group, target), group by group; ``None`` where no
            student of the group has a value.
        counts: How many students' values each statistic is over.
        sizes: How many students of the result table each group has.
        ungrouped: Students of the result table that the grouping puts in no group.

    Example:
        >>> from mastery_grading import Gradebook, policies
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
        >>> table = book.results(policies.MostRecent()).aggregate(stat="median")
        >>> table.value("all", "LE.1"), table.records()[0]["students"]
        (3.25, 8)
    """

    stat: AggregateStat
    groups: tuple[str, ...]
    targets: tuple[LearningTarget, ...]
    values: tuple[float | None, ...]
    counts: tuple[int, ...]
    sizes: tuple[int, ...]
    ungrouped: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.values)

    def _row(self, group: str, target_id: str) -> int:
        try:
            g = self.groups.index(group)
            t = [target.id for target in self.targets].index(target_id)
        except ValueError:
            raise KeyError((group, target_id)) from None
        return g * len(self.targets) + t

    def value(self, group: str, target_id: str) -> float | None:
        """Return the statistic of one group on one target (``None``: nobody has a value).

        Raises:
            KeyError: If the group or the target is not in the table.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> table = book.results(policies.Mean()).aggregate(
            ...     {"ana": "P1", "ben": "P1", "chloe": "P2", "zoe": "P3"})
            >>> table.groups, table.value("P1", "LE.1"), table.value("P3", "LE.1")
            (('P1', 'P2', 'P3'), 2.99, None)
            >>> table.ungrouped
            ('devon', 'emma', 'farid', 'grace', 'hugo')
        """
        return self.values[self._row(group, target_id)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self.records()

    def records(self) -> list[dict[str, Any]]:
        """Return one dict per (group, target) with the keys of ``AGGREGATE_COLUMNS``.

        ``students`` is how many values the statistic is over, ``group_size`` how many
        students of the result table the group has.

        Example:
            >>> from mastery_grading import Gradebook, policies
            >>> from mastery_grading.examples import load_example_class
            >>> example = load_example_class()
            >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
            >>> book.results(policies.Mean()).aggregate().records()[0]
            {'group': 'all', 'target_id': 'LE.1', 'stat': 'mean', 'value': 2.53, 'students': 8, 'group_size': 8}
        """  # noqa: E501
        n_targets = len(self.targets)
        return [
            {
                "group": self.groups[row // n_targets],
                "target_id": self.targets[row % n_targets].id,
                "stat": self.stat,
                "value": value,
                "students": self.counts[row],
                "group_size": self.sizes[row // n_targets],
            }
            for row, value in enumerate(self.values)
        ]

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame with the columns of :meth:`records` (``NaN`` for ``None``).

        Requires pandas.

        Example:
            >>> from mastery_grading import Gradebook, LearningTarget, policies
            >>> book = Gradebook(targets=[LearningTarget(id="T", title="Ratios")])
            >>> list(book.results(policies.Mean()).aggregate().to_pandas().columns)
            ['group', 'target_id', 'stat', 'value', 'students', 'group_size']
        """
        require("pandas", extra="data", feature="AggregateTable.to_pandas()")
        import pandas as pd

        frame = pd.DataFrame(self.records(), columns=list(AGGREGATE_COLUMNS))
        frame["value"] = frame["value"].astype("float64")
        return frame


def _canvas_mean(values: Sequence[float]) -> float:
    return ruby_round(math.fsum(values) / len(values))


def _canvas_median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2.0


_COMPUTE: dict[str, Callable[[Sequence[float]], float]] = {
    "mean": _canvas_mean,
    "median": _canvas_median,
}


def _name(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    msg = f"{what}={value!r} must be a str (or an int id), not {type(value).__name__}"
    raise InvalidTypeError(msg)


def _memberships(by: Any) -> dict[str, tuple[str, ...]]:
    """Read ``by`` (a mapping or a pandas Series of student -> group or groups)."""
    items = getattr(by, "items", None)
    if isinstance(by, str | bytes) or not callable(items):
        msg = (
            f"by={by!r} must be None (the whole table) or a mapping of student id -> section "
            "(or several sections), such as read_canvas_results(...).sections, "
            "read_canvas_sections(rollups) or {'ana': 'Period 2'}"
        )
        if isinstance(by, str):
            raise InvalidValueError(msg)
        raise InvalidTypeError(msg)
    found: dict[str, tuple[str, ...]] = {}
    for key, value in cast(Callable[[], Any], items)():
        student = _name(key, "by: a student id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            groups: tuple[str, ...] = (_name(value, f"by[{student!r}]"),)
        elif isinstance(value, Collection):
            groups = tuple(_name(item, f"by[{student!r}]: a section") for item in value)
        else:
            groups = (_name(value, f"by[{student!r}]"),)
        found[student] = tuple(dict.fromkeys(found.get(student, ()) + groups))
    return found


def aggregate(
    values: Sequence[float | None],
    *,
    students: Sequence[str],
    targets: Sequence[LearningTarget],
    by: Mapping[str, str | Collection[str]] | Any | None,
    stat: str,
) -> AggregateTable:
    """Compute the statistic of ``values`` (student by student, in target order) per group.

    See :meth:`ResultTable.aggregate <mastery_grading.gradebook.ResultTable.aggregate>`.

    Raises:
        InvalidValueError: If ``stat`` is not ``"mean"`` or ``"median"``, or ``by`` is a string.
        InvalidTypeError: If ``by`` is not a mapping, or names a student or section by
            something other than a string (or an int id).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> table = aggregate([1.0, 2.0, 4.0], students=["a", "b", "c"],
        ...                   targets=[LearningTarget(id="T", title="T")], by=None, stat="median")
        >>> table.values
        (2.0,)
    """
    if stat not in _STATS:
        msg = f"stat={stat!r} must be 'mean' or 'median' (Canvas's aggregate_stat)"
        raise InvalidValueError(msg)
    n_targets = len(targets)
    members: dict[str, list[int]] = {}
    ungrouped: list[str] = []
    if by is None:
        members[ALL] = list(range(len(students)))
    else:
        memberships = _memberships(by)
        for groups in memberships.values():  # every section named appears, even if empty
            for group in groups:
                members.setdefault(group, [])
        for index, student in enumerate(students):
            groups = memberships.get(student, ())
            if not groups:
                ungrouped.append(student)
            for group in groups:
                members.setdefault(group, []).append(index)
    compute = _COMPUTE[stat]
    out: list[float | None] = []
    counts: list[int] = []
    names = tuple(sorted(members))
    for group in names:
        for t in range(n_targets):
            present = [
                value
                for index in members[group]
                if (value := values[index * n_targets + t]) is not None
            ]
            out.append(compute(present) if present else None)
            counts.append(len(present))
    return AggregateTable(
        stat=cast(AggregateStat, stat),
        groups=names,
        targets=tuple(targets),
        values=tuple(out),
        counts=tuple(counts),
        sizes=tuple(len(members[group]) for group in names),
        ungrouped=tuple(ungrouped),
    )
