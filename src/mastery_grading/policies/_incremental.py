"""Incremental updates: fold one new piece of evidence into a small state in O(1).

A policy that supports them (see :class:`~mastery_grading.protocols.IncrementalPolicy`) has
``start(target)``, ``update(state, evidence)`` and ``result(state)``. The state is a frozen
:class:`RunningState` (a named tuple: cheap to build, safe to share). It keeps the running
totals of the policy, the chronologically latest evidence, the student, and the whole history
as a :class:`History`: an append-only list shared by successive states, each of which sees
only its own first ``n`` items (appending is O(1); updating an old state a second time copies
its items first, so no state ever changes). Nothing nests, so a state of any length prints,
compares, pickles and deep-copies. Then:

- evidence arriving in time order costs O(1): a few float operations;
- evidence arriving out of order is folded in O(1) by order-free policies (mean, highest) and
  by most recent (an older score never replaces the latest), and otherwise makes the policy
  recompute its totals from the retained history, which it keeps sorted from then on, so the
  value is always correct.

Running totals are floats (no fractions on the hot path). The value differs from
:meth:`evaluate`'s exact one by rounding only (far below 1e-9); :meth:`result` recomputes
exactly whenever the running value lies within 1e-9 of a level threshold, so levels and mastery
are always those of :meth:`evaluate`.

Reading: ``state.value`` is the O(1) read. :meth:`result` builds a full
:class:`~mastery_grading.TargetResult`, whose contributions list every piece of evidence, so it
costs O(n) while the history is in time order (every piece arrived in order, or the policy
re-sorted it for late evidence); after late evidence folded in by an order-free policy it is
sorted again, O(n log n). Policies whose
contribution weights are exact fractions of growing size (the decaying average) cost more, a
few milliseconds per thousand pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple, overload

from mastery_grading._numbers import near_threshold
from mastery_grading.evidence import Evidence, chronological_key, sort_chronologically
from mastery_grading.exceptions import InvalidTypeError, TargetMismatchError
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["History", "Incremental", "RunningState"]


class History(Sequence[Evidence]):
    """The evidence of a running state, oldest first: a frozen view of a shared buffer.

    A history is a Python list shared by every state of one line of updates, and a length: the
    history is the first ``len(history)`` items of the list. :meth:`appended` adds an item in
    O(1) when the history ends the list (the usual case: each state is updated once) and
    otherwise, when an older state is updated a second time, copies its own items first, so an
    old history never changes: what a state sees is fixed by its length. Appending is safe
    across threads without a lock: after ``list.append`` it checks that the item it added is
    the one right after its own items, and copies otherwise.

    Unlike a linked list, nothing here nests, so ``repr``, ``==``, ``pickle`` and
    ``copy.deepcopy`` work on any length (a history pickles as the tuple of its items). The
    ``repr`` is short: the length and the newest item's time.

    Example:
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> first, second, third = scores_to_history([1, 2, 3])
        >>> one = History().appended(first)
        >>> two, other = one.appended(second), one.appended(third)  # ``other`` copies
        >>> [e.score for e in two], [e.score for e in other], len(one)
        ([1.0, 2.0], [1.0, 3.0], 1)
        >>> two == History([first, second]), two
        (True, History(2 pieces of evidence, newest observed 2026-09-02T08:00:00+00:00))
    """

    __slots__ = ("_items", "_size")

    def __init__(self, items: Iterable[Evidence] = ()) -> None:
        self._items: list[Evidence] = list(items)
        self._size = len(self._items)

    @classmethod
    def _view(cls, items: list[Evidence], size: int) -> History:
        view = cls.__new__(cls)
        view._items = items
        view._size = size
        return view

    def appended(self, evidence: Evidence) -> History:
        """Return this history with ``evidence`` at its end, in O(1) unless it is shared.

        Example:
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> first, second = scores_to_history([2, 3])
            >>> history = History([first])
            >>> len(history.appended(second)), len(history)
            (2, 1)
        """
        items, size = self._items, self._size
        if not size:  # never write into a shared empty list (such as the default)
            return History._view([evidence], 1)
        if len(items) == size:
            items.append(evidence)
            if items[size] is evidence:  # no other state appended first
                return History._view(items, size + 1)
        copied = items[:size]
        copied.append(evidence)
        return History._view(copied, size + 1)

    def to_list(self) -> list[Evidence]:
        """Return the evidence as a new list, oldest first.

        Example:
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> [e.score for e in History(scores_to_history([2, 3])).to_list()]
            [2.0, 3.0]
        """
        return self._items[: self._size]

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Evidence: ...

    @overload
    def __getitem__(self, index: slice) -> list[Evidence]: ...

    def __getitem__(self, index: int | slice) -> Evidence | list[Evidence]:
        if isinstance(index, slice):
            return self.to_list()[index]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self._items[index]

    def __iter__(self) -> Iterator[Evidence]:
        return iter(self._items[: self._size])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return self._size == other._size and (
            self._items is other._items or self.to_list() == other.to_list()
        )

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        if not self._size:
            return "History()"
        newest = self._items[self._size - 1].observed_at.isoformat()
        noun = "piece" if self._size == 1 else "pieces"
        return f"History({self._size} {noun} of evidence, newest observed {newest})"

    def __reduce__(self) -> tuple[type[History], tuple[tuple[Evidence, ...]]]:
        return (History, (tuple(self._items[: self._size]),))


class RunningState(NamedTuple):
    """The state of an incremental policy for one student on one target.

    A frozen value: :meth:`~mastery_grading.protocols.IncrementalPolicy.update` returns a new
    state and leaves the old one as it was. Its history is a :class:`History`, so states of any
    length compare, print, pickle and deep-copy (a state of 10^5 scores too).

    Attributes:
        target: The target the evidence is for.
        evidence_count: How many pieces of evidence were folded in.
        value: The current value (``None`` before any evidence), read in O(1).
        totals: The policy's running totals.
        latest: The chronologically latest evidence.
        history: Every piece of evidence so far, oldest first: in chronological order when
            ``in_order``, else in order of arrival.
        in_order: Whether ``history`` is in chronological order: every piece arrived in time
            order, or late evidence made the policy re-sort its history.
        student_id: The student of the evidence: ``None`` until the first piece, whose student
            every later piece must share.

    Example:
        >>> import pickle
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> policy = Mean()
        >>> state = policy.start(LearningTarget(id="T", title="Ratios"))
        >>> for evidence in scores_to_history([2, 3, 4] * 1000):
        ...     state = policy.update(state, evidence)
        >>> state.evidence_count, state.value, state.student_id, len(state.history)
        (3000, 3.0, 's1', 3000)
        >>> pickle.loads(pickle.dumps(state)) == state
        True
    """

    target: LearningTarget
    evidence_count: int = 0
    value: float | None = None
    totals: tuple[float, ...] = ()
    latest: Evidence | None = None
    history: History = History()
    in_order: bool = True
    student_id: str | None = None


def is_after(evidence: Evidence, latest: Evidence | None) -> bool:
    """Return whether ``evidence`` comes at or after ``latest`` in chronological order."""
    if latest is None:
        return True
    new, old = evidence.observed_at, latest.observed_at
    if new != old:
        return new > old
    return chronological_key(evidence) >= chronological_key(latest)


class Incremental:
    """Mixin giving a history policy ``start``, ``update`` and ``result``.

    Subclasses implement :meth:`_fold` (add one evidence that is the newest so far to the
    totals), :meth:`_value` (the value from the totals) and :meth:`_weights` (contribution
    weights of a sorted history). Order-free policies set :attr:`order_free` to ``True``:
    their totals do not depend on order, so late evidence is folded like any other.
    """

    __slots__ = ()

    #: Whether the totals do not depend on the order of the evidence.
    order_free: ClassVar[bool] = False
    #: Whether the running value is always one of the scores, as a float (most recent, highest):
    #: then it compares with a threshold exactly as the exact value does, and is never
    #: recomputed near one.
    value_is_a_score: ClassVar[bool] = False

    def start(self, target: LearningTarget) -> RunningState:
        """Return the state before any evidence on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean
            >>> Mean().start(LearningTarget(id="T", title="Ratios")).value is None
            True
        """
        return RunningState(target=target, totals=self._initial(target), history=History())

    def update(self, state: RunningState, evidence: Evidence) -> RunningState:
        """Return the state with ``evidence`` folded in; O(1) for evidence in time order.

        Raises:
            TargetMismatchError: If the evidence is for another target than the state's, or
                for another student than the evidence already folded in.
            ScoreOutOfScaleError: If its score lies outside the target's scale.

        Example:
            >>> from datetime import datetime, timezone
            >>> from mastery_grading import Evidence, LearningTarget
            >>> from mastery_grading.policies import DecayingAverage
            >>> target, policy = LearningTarget(id="T", title="Ratios"), DecayingAverage()
            >>> state = policy.start(target)
            >>> for day, score in [(1, 2.0), (2, 3.0), (3, 4.0)]:
            ...     state = policy.update(state, Evidence(
            ...         student_id="s", target_id="T", score=score,
            ...         observed_at=datetime(2026, 10, day, tzinfo=timezone.utc)))
            >>> round(state.value, 4), policy.result(state).level.name
            (3.5275, 'meets')
            >>> policy.update(state, Evidence(
            ...     student_id="ben", target_id="T", score=1.0,
            ...     observed_at=datetime(2026, 10, 4, tzinfo=timezone.utc)))
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.TargetMismatchError: student_id='ben' of evidence on target 'T' does not match the student of this state, 's'; keep one state per (student, target)
        """  # noqa: E501
        target = state.target
        if not isinstance(evidence, Evidence):
            msg = f"evidence {evidence!r} must be an Evidence, not {type(evidence).__name__}"
            raise InvalidTypeError(msg)
        if evidence.target_id != target.id:
            msg = (
                f"target_id={evidence.target_id!r} of evidence for student "
                f"{evidence.student_id!r} does not match the target being evaluated, {target.id!r}"
            )
            raise TargetMismatchError(msg)
        student = state.student_id
        if student is not None and evidence.student_id != student:
            msg = (
                f"student_id={evidence.student_id!r} of evidence on target {target.id!r} does "
                f"not match the student of this state, {student!r}; keep one state per "
                "(student, target)"
            )
            raise TargetMismatchError(msg)
        scale = target.scale
        if not scale.min <= evidence.score <= scale.max:
            scale.check_score(
                evidence.score,
                where=f" for student {evidence.student_id!r} on target {target.id!r}",
            )
        history = state.history.appended(evidence)
        latest = state.latest
        in_order = state.in_order
        if is_after(evidence, latest):
            totals = self._fold(state.totals, evidence, state.evidence_count)
            latest = evidence
        elif self.order_free:
            in_order = False
            totals = self._fold(state.totals, evidence, state.evidence_count)
        else:
            # recompute from the sorted history, and keep the history in that order
            totals = self._initial(target)
            ordered = sort_chronologically(history.to_list())
            for count, item in enumerate(ordered):
                totals = self._fold(totals, item, count)
            history = History(ordered)
        return RunningState(
            target,
            state.evidence_count + 1,
            self._value(totals, latest),
            totals,
            latest,
            history,
            in_order,
            evidence.student_id,
        )

    def result(self, state: RunningState) -> TargetResult:
        """Return the :class:`~mastery_grading.TargetResult` of the state.

        It equals :meth:`evaluate` on the same evidence (value within 1e-9, same level). The
        value is the running one; listing the contributions costs O(n log n).

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import NTimes
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target, policy = LearningTarget(id="T", title="Ratios"), NTimes(n=2)
            >>> state = policy.start(target)
            >>> for evidence in scores_to_history([3, 1, 4]):
            ...     state = policy.update(state, evidence)
            >>> result = policy.result(state)
            >>> result.value, [c.evidence.score for c in result.contributions]
            (3.5, [3.0, 4.0])
        """
        from mastery_grading.policies._base import make_result, no_result

        target = state.target
        if not state.history:
            return no_result(target, self)
        if state.value is None:  # undecided (e.g. too few scores): the reference words why
            return self.evaluate(state.history.to_list(), target)  # type: ignore[attr-defined,no-any-return]
        arrived = state.history.to_list()
        history = arrived if state.in_order else sort_chronologically(arrived)
        scale = target.scale
        value = state.value
        thresholds: list[float] = []
        if not self.value_is_a_score:
            thresholds = [scale.mastery, *(level.minimum for level in scale.levels[1:])]
        for threshold in thresholds:
            if near_threshold(value, threshold):
                return self.evaluate(history, target)  # type: ignore[attr-defined,no-any-return]
        used, weights = self._weights(history, state.totals)
        return make_result(target, self, value, used, weights, evidence_count=state.evidence_count)

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return ()

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        raise NotImplementedError  # pragma: no cover - every subclass implements it

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        raise NotImplementedError  # pragma: no cover

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        raise NotImplementedError  # pragma: no cover
