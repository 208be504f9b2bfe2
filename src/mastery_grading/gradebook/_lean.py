"""What a live gradebook keeps of an engine table's touched groups: running totals, no evidence.

On the vectorized engine's tables, a built-in incremental policy (one that keeps running totals
of plain floats, :class:`FoldsScores`) starts a touched group from the engine's sorted columns:
:class:`EngineRows` gives the group's rows as floats, and :class:`Lean` keeps the group's
:class:`~mastery_grading.policies.RunningTotals`, its newest piece, and whether its sums are
still exact (every score and weight on the grid of sixteenths).

Example:
    >>> on_grid(2.5), on_grid(2.33)
    (True, False)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from mastery_grading.evidence import Evidence
from mastery_grading.policies import RunningTotals
from mastery_grading.protocols import IncrementalPolicy, Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from fractions import Fraction

    from mastery_grading.gradebook._engine import Columns, Sorted
    from mastery_grading.gradebook._engine._columns import FloatArray, IntArray

__all__ = ["EngineRows", "FoldsScores", "Lean", "keeps_totals", "on_grid"]


@runtime_checkable
class FoldsScores(Protocol):
    """An incremental policy that keeps running totals of plain floats (the built-in ones)."""

    order_free: bool
    value_is_a_score: bool

    def fold_scores(
        self, target: LearningTarget, scores: Sequence[float], weights: Sequence[float] | None
    ) -> RunningTotals: ...  # pragma: no cover - a protocol

    def fold_score(
        self, state: RunningTotals, score: float, weight: float = 1.0, *, latest: bool = True
    ) -> RunningTotals: ...  # pragma: no cover

    def sums_are_exact(
        self, largest_score: float, largest_weight: float, count: int
    ) -> bool: ...  # pragma: no cover

    def exact_value(self, totals: RunningTotals) -> Fraction | None: ...  # pragma: no cover

    def undecided_reason(self, totals: RunningTotals) -> str | None: ...  # pragma: no cover


class EngineRows:
    """The engine's sorted rows of each (student, target) group, read as plain floats.

    Args:
        srt: The sorted evidence columns the first table was computed from, or how to get
            them: a table computed without a sort sorts only when a touched group is read.
        as_of: Only rows observed at or before it (microseconds since the epoch) count.
    """

    def __init__(
        self, srt: Sorted | Callable[[], Sorted], target_ids: Sequence[str], as_of: int | None
    ) -> None:
        self._source = srt
        self.target_ids = target_ids
        self.as_of = as_of
        from mastery_grading.gradebook._engine._columns import micros

        #: An aware datetime as microseconds since the epoch, as the columns' times.
        self.micros = micros

    @cached_property
    def _sorted(self) -> Sorted:
        source = self._source
        srt = source() if callable(source) else source
        del self._source
        return srt

    @property
    def columns(self) -> Columns:
        return self._sorted.columns

    @property
    def scores(self) -> FloatArray:
        return self._sorted.columns.score

    @property
    def weights(self) -> FloatArray | None:
        return self._sorted.columns.weight

    @property
    def times(self) -> IntArray:
        return self._sorted.columns.time

    @property
    def n_targets(self) -> int:
        return self._sorted.n_targets

    @cached_property
    def _row_of(self) -> dict[str, int]:
        return {student: i for i, student in enumerate(self.columns.student_labels)}

    @cached_property
    def _bounds(self) -> list[int]:
        # read per touched group, so made once (O(groups)) when a group is first touched
        bounds: list[int] = self._sorted.bounds.tolist()
        return bounds

    def span(self, student: str, t: int) -> tuple[int, int]:
        """The sorted rows of the group that count (a range: rows are in time order)."""
        row = self._row_of.get(student)
        if row is None:
            return 0, 0
        group = row * self.n_targets + t
        first, last = self._bounds[group], self._bounds[group + 1]
        if self.as_of is not None and last > first:
            last = first + bisect_right(self.times[first:last].tolist(), self.as_of)
        return first, last

    def evidence(self, row: int) -> Evidence:
        """The evidence of one sorted row, rebuilt."""
        from mastery_grading.gradebook._engine import evidence_at

        return evidence_at(self.columns, [row], self.target_ids)[0]

    def grid_weight(self) -> float | None:
        """``max |weight|`` (1 without weights) when every score and weight is on the grid.

        ``None`` when a score or weight is off the grid (multiples of ``2**-4``): then running
        sums of them may be inexact.
        """
        facts = self._sorted.facts
        return facts.grid_largest("weight") if facts.grid_largest("score") is not None else None


class Lean(NamedTuple):
    """A touched group's state on an engine table: running totals, no evidence.

    A tuple of plain numbers, replaced on each update: once the garbage collector has seen it
    it is no longer tracked, so the many groups of a long-lived book add nothing to the cost of
    a full collection.

    Attributes:
        totals: The group's running totals.
        latest_time: When the newest piece was observed (microseconds since the epoch), or
            ``None`` before any.
        latest_row: The engine's sorted row of the newest piece, while it is one.
        latest_seq: The sequence number of the newest piece among those added to the live
            table, or ``-1`` while the newest is the engine's row ``latest_row``.
        largest_weight: ``None`` once a score or weight off the grid was folded in (the
            totals may be inexact), else the largest weight so far.

    Example:
        >>> Lean(RunningTotals((2.0, 1.0), 1, 2.0, 2.0), None, -1, -1, 1.0).latest_seq
        -1
    """

    totals: RunningTotals
    latest_time: int | None
    latest_row: int
    latest_seq: int
    largest_weight: float | None


def keeps_totals(policy: Policy) -> bool:
    """Whether ``policy`` is incremental and keeps running totals of plain floats."""
    return isinstance(policy, IncrementalPolicy) and isinstance(policy, FoldsScores)


def on_grid(x: float) -> bool:
    """Whether ``x`` is a multiple of ``2**-4`` below ``2**30`` (the engine's grid)."""
    scaled = x * 16.0
    return abs(x) < 2.0**30 and scaled == int(scaled)
