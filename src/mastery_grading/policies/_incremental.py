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

Without the history: the policy's ``fold_scores`` and ``fold_score`` keep
only a :class:`RunningTotals` (the totals, the count and the latest score), fed plain floats in
time order; a live gradebook keeps one per touched (student, target) group, started from the
engine's columns, and builds a group's evidence only when it needs the exact rule.

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
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, overload

from mastery_grading._numbers import near_threshold
from mastery_grading.evidence import Evidence, chronological_key, sort_chronologically
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, TargetMismatchError
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from fractions import Fraction

#: Scores and weights on the grid are multiples of ``2**-_GRID_BITS`` (as in the engine's
#: kernels, :data:`mastery_grading.policies.segments.GRID_BITS`).
_GRID_BITS = 4

__all__ = ["History", "Incremental", "RunningState", "RunningTotals"]


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


class RunningTotals(NamedTuple):
    """The running totals of an incremental policy on one group, without the evidence.

    What the policy's ``fold_scores`` and ``fold_score`` keep: a few floats,
    so that a live gradebook can start a group's state from the engine's columns without
    building one :class:`~mastery_grading.Evidence` per row.

    Attributes:
        totals: The policy's running totals (as in :class:`RunningState`).
        evidence_count: How many scores were folded in.
        latest_score: The score of the chronologically latest piece (``None`` before any).
        value: The current value (``None`` before any score, or while undecided).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> Mean().fold_scores(LearningTarget(id="T", title="Ratios"), [2.0, 3.0, 4.0])
        RunningTotals(totals=(9.0, 3.0), evidence_count=3, latest_score=4.0, value=3.0)
    """

    totals: tuple[float, ...]
    evidence_count: int = 0
    latest_score: float | None = None
    value: float | None = None


class _Piece:
    """What a policy's ``_fold`` and ``_value`` read of a piece of evidence: one, reused."""

    __slots__ = ("score", "weight")

    def __init__(self, score: float = 0.0, weight: float = 1.0) -> None:
        self.score = score
        self.weight = weight


def check_next_evidence(target: LearningTarget, student: str | None, evidence: Any) -> None:
    """Check the evidence a running state of ``student`` on ``target`` is updated with.

    ``student`` is ``None`` before the state's first evidence.

    Raises:
        InvalidTypeError: If ``evidence`` is not an Evidence.
        TargetMismatchError: If it is for another target, or for another student.
        ScoreOutOfScaleError: If its score lies outside the target's scale.
    """
    if type(evidence) is not Evidence and not isinstance(evidence, Evidence):
        msg = f"evidence {evidence!r} must be an Evidence, not {type(evidence).__name__}"
        raise InvalidTypeError(msg)
    if evidence.target_id != target.id:
        msg = (
            f"target_id={evidence.target_id!r} of evidence for student "
            f"{evidence.student_id!r} does not match the target being evaluated, {target.id!r}"
        )
        raise TargetMismatchError(msg)
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

    #: Whether the running value is one division of two running totals, as a mean is. When every
    #: score and weight is a multiple of ``2**-4`` (as on any rubric; see
    #: ``sums_are_exact``), those totals are exact floats and the division rounds once,
    #: as the exact rule does, so the value is the exact rule's bit for bit.
    value_is_a_ratio: ClassVar[bool] = False

    def fold_scores(
        self,
        target: LearningTarget,
        scores: Sequence[float],
        weights: Sequence[float] | None = None,
    ) -> RunningTotals:
        """Return the totals of ``scores`` (with ``weights``, default 1), oldest first.

        The same totals :meth:`update` would keep for evidence with these scores and weights
        in this (chronological) order, with no evidence built and no check made: the scores
        come from validated evidence. O(1) a score.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import DecayingAverage
            >>> totals = DecayingAverage(rate=0.5).fold_scores(
            ...     LearningTarget(id="T", title="Ratios"), [2.0, 4.0])
            >>> totals.value, totals.evidence_count
            (3.0, 2)
        """
        totals = self._fold_run(self._initial(target), scores, weights)
        if not scores:
            return RunningTotals(totals)
        latest = scores[-1]
        piece: Any = _Piece(latest)
        return RunningTotals(totals, len(scores), latest, self._value(totals, piece))

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        """Fold ``scores`` (``weights``, default 1) into ``totals`` from the first, in order.

        What :meth:`_fold` gives one score at a time; a policy may do it in one tight loop
        (a live gradebook folds a group's earlier scores on its first touch), provided the
        floats are the same, operation for operation.
        """
        fold = self._fold
        piece: Any = _Piece()
        if weights is None:
            for count, score in enumerate(scores):
                piece.score = score
                totals = fold(totals, piece, count)
        else:
            for count, (score, weight) in enumerate(zip(scores, weights, strict=True)):
                piece.score, piece.weight = score, weight
                totals = fold(totals, piece, count)
        return totals

    def fold_score(
        self, state: RunningTotals, score: float, weight: float = 1.0, *, latest: bool = True
    ) -> RunningTotals:
        """Return ``state`` with one more score, the newest so far unless ``latest=False``.

        An older score (``latest=False``) is folded only by an :attr:`order_free` policy: the
        others need the history.

        Raises:
            InvalidValueError: If ``latest`` is false and the policy is not order-free.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import MostRecent
            >>> policy, target = MostRecent(), LearningTarget(id="T", title="Ratios")
            >>> state = policy.fold_scores(target, [2.0, 3.0])
            >>> policy.fold_score(state, 1.0, latest=False).value  # an older 1 arrives late
            3.0
            >>> policy.fold_score(state, 1.0).value
            1.0
        """
        if not latest and not self.order_free:
            msg = (
                f"latest=False: {self!r} is not order-free, so an older score needs the "
                "history; expected latest=True"
            )
            raise InvalidValueError(msg)
        piece: Any = _Piece(score, weight)
        totals = self._fold(state.totals, piece, state.evidence_count)
        newest = score if latest or state.latest_score is None else state.latest_score
        piece.score = newest
        value = self._value(totals, piece)
        return RunningTotals(totals, state.evidence_count + 1, newest, value)

    def sums_are_exact(self, largest_score: float, largest_weight: float, count: int) -> bool:
        """Whether running sums of ``count`` scores and weights on the grid are exact floats.

        Scores and weights that are multiples of ``2**-4`` (as on any rubric), at most
        ``largest_score`` and ``largest_weight`` in magnitude, make products that are
        multiples of ``2**-8``; their sums are exact while below ``2**53`` of those units. The
        caller checks that the scores and weights lie on the grid. Then a policy whose value is
        a ratio of such sums (:attr:`value_is_a_ratio`) gives the exact rule's value bit for
        bit, and :meth:`exact_value` can read the exact value off the totals.

        Example:
            >>> from mastery_grading.policies import Mean
            >>> Mean().sums_are_exact(4.0, 1.0, 10**6), Mean().sums_are_exact(4.0, 1.0, 10**13)
            (True, False)
        """
        grid = float(2**_GRID_BITS)
        bound = (abs(largest_score) + 1.0) * max(abs(largest_weight), 1.0) * grid * grid
        return bound * count < 2.0**53

    def exact_value(self, totals: RunningTotals) -> Fraction | None:
        """The exact rule's value from totals whose sums are exact, or ``None``.

        ``None`` when only the history gives it (as for the decaying average, whose totals
        are rounded products). Only called when ``sums_are_exact`` holds for scores on the
        grid, for a value near a level threshold; a policy that can say overrides it.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import DecayingAverage
            >>> policy, target = DecayingAverage(), LearningTarget(id="T", title="T")
            >>> policy.exact_value(policy.fold_scores(target, [3.0])) is None
            True
        """
        return None

    def undecided_reason(self, totals: RunningTotals) -> str | None:
        """Why ``totals`` give no value, in the exact rule's words.

        ``None`` when only the rule can say (then it is asked on the history); a policy whose
        reasons follow from its totals (such as :class:`~mastery_grading.policies.NTimes`)
        words them here.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean
            >>> target = LearningTarget(id="T", title="T")
            >>> Mean().undecided_reason(Mean().fold_scores(target, [])) is None
            True
        """
        return None

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
        check_next_evidence(target, state.student_id, evidence)
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
