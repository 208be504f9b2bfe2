"""The evidence of a gradebook: batches in the order added, merged into one sorted store.

Evidence added as objects is kept as is; a frame's rows are kept as columns. The vectorized
engine needs every row sorted by (student, target, time): :meth:`EvidenceStore.sorted_rows`
merges the batches added since the last call into the sorted store and sorts again. A frame's
columns then move into the store, and its batch keeps only its rows' positions, so that the
unsorted columns are released.

:class:`StoredKeys` tells whether the store holds a copy of a piece of evidence, reading only
the piece's (student, target) group of the sorted store, and the keys of the evidence added
since the last sort.

This module imports numpy only when the sorted store is asked for.

Example:
    >>> from mastery_grading import LearningTarget
    >>> from mastery_grading.examples import load_example_class
    >>> example = load_example_class()
    >>> store = EvidenceStore({t.id: t for t in example.targets})
    >>> store.append(tuple(example.evidence))
    >>> len(store) == len(example.evidence), store.evidence() == list(example.evidence)
    (True, True)
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence
from mastery_grading.gradebook._duplicates import duplicate_key
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from typing import TypeAlias

    from mastery_grading.gradebook._engine import Columns, Sorted

    #: A batch of evidence as added: evidence objects, the columns read from a frame, or (once
    #: the engine has merged a frame's columns into its sorted store) its rows' positions.
    Batch: TypeAlias = tuple[Evidence, ...] | Columns | range

__all__ = ["EvidenceStore", "StoredKeys"]


class EvidenceStore:
    """Every batch of evidence of a gradebook, and the engine's sorted store of them.

    Args:
        targets: The gradebook's targets by id, in order (target codes index this order).
        threads: How many threads sort the rows (``None``: see ``gradebook._threads``).
    """

    def __init__(self, targets: dict[str, LearningTarget], threads: int | None = None) -> None:
        self.targets = targets
        self.threads = threads
        # Every batch in the order added. The engine merges them into one sorted store: the
        # first `_stored` batches are in `_store`, whose `order` gives each row's position
        # among all rows added.
        self._batches: list[Batch] = []
        self._store: Sorted | None = None
        self._stored = 0
        self._size = 0
        # The duplicate keys of the evidence added since the last sort: made when first asked
        # for (None until then), from batch `_unsorted_from` up to batch `_unsorted_to`.
        self._unsorted: set[tuple[Any, ...]] | None = None
        self._unsorted_from = self._unsorted_to = 0
        self._codes = {target_id: i for i, target_id in enumerate(targets)}
        self._frames_unsorted = False  # whether a frame was added since the last sort

    def __len__(self) -> int:
        return self._size

    def append(
        self, batch: tuple[Evidence, ...] | Columns, keys: list[tuple[Any, ...]] | None = None
    ) -> None:
        """Add a validated batch: evidence objects or a frame's columns.

        ``keys``: the duplicate keys of the evidence, when the caller made them already.
        """
        # an index that is up to date takes the batch's keys now; one not made stays lazy
        current = self._unsorted_to == len(self._batches) and self._unsorted_from == self._stored
        self._batches.append(batch)
        self._size += len(batch)
        if not isinstance(batch, tuple):
            self._frames_unsorted = True
        elif keys is not None and current and self._unsorted is not None:
            self._unsorted.update(keys)
            self._unsorted_to = len(self._batches)

    def has_columns(self) -> bool:
        """Whether any batch came from a frame (so that only the engine can read it)."""
        return any(not isinstance(batch, tuple) for batch in self._batches)

    def evidence(self) -> list[Evidence]:
        """Every piece of evidence in the order added; rows of frames are rebuilt (UTC times)."""
        out: list[Evidence] = []
        target_ids = list(self.targets)
        where = None
        for batch in self._batches:
            if isinstance(batch, tuple):
                out.extend(batch)
                continue
            from mastery_grading.gradebook._engine import evidence_at

            if isinstance(batch, range):
                assert self._store is not None
                if where is None:  # the sorted row of each position
                    require("numpy", extra="data", feature="the vectorized engine")
                    import numpy as np

                    where = np.empty(self._size, dtype=np.int64)
                    where[self._store.order] = np.arange(self._store.order.shape[0])
                out.extend(
                    evidence_at(self._store.columns, where[batch.start : batch.stop], target_ids)
                )
            else:
                out.extend(evidence_at(batch, range(len(batch)), target_ids))
        return out

    def holds_copy(self, key: tuple[Any, ...]) -> bool:
        """Whether the store holds evidence whose duplicate key is ``key``.

        Reads the sorted store's rows of the key's (student, target) group and the keys of the
        evidence added since the last sort (a frame added since is merged into the sorted store
        first), indexed once.
        """
        if self._frames_unsorted:
            self.sorted_rows()
        if self._unsorted is None or self._unsorted_from != self._stored:  # (sorted since)
            self._unsorted = set()
            self._unsorted_from = self._unsorted_to = self._stored
        unsorted = self._unsorted
        if self._unsorted_to < len(self._batches):
            for batch in self._batches[self._unsorted_to :]:
                assert isinstance(batch, tuple)
                unsorted.update(map(duplicate_key, batch))
            self._unsorted_to = len(self._batches)
        if key in unsorted:
            return True
        if self._store is None:
            return False
        return bool(_holds_copy()(self._store, key, self._codes[key[1]]))

    def sorted_rows(self) -> Sorted:
        """Every row, sorted by (student, target, time); merged and sorted again after adds."""
        if self._store is None or self._stored < len(self._batches):
            require("numpy", extra="data", feature="the vectorized engine")
            import numpy as np

            from mastery_grading.gradebook._engine import sort_rows

            earlier = [] if self._store is None else [self._store.order]
            done = sum(len(order) for order in earlier)
            positions = np.concatenate([*earlier, np.arange(done, self._size, dtype=np.int64)])
            # The merged columns go straight into the sort, which releases each unsorted
            # column once its sorted copy is made: no reference to them is kept here.
            self._store = sort_rows(
                self._merge_batches(), len(self.targets), positions=positions, threads=self.threads
            )
            self._stored = len(self._batches)
            self._frames_unsorted = False
        return self._store

    def unsorted_columns(self) -> Columns | None:
        """Every row as columns without a sort, when that costs nothing, else ``None``.

        That is when the store was never sorted and holds one frame's columns: order-free
        policies are then computed from them (see ``_engine._order_free``).
        """
        if self._store is None and len(self._batches) == 1:
            batch = self._batches[0]
            if not isinstance(batch, tuple | range):
                return batch
        return None

    def first_rows(self, n_rows: int, students: list[str]) -> Sorted:
        """The sorted rows among the first ``n_rows`` added, laid out for ``students``.

        Sorts the store (every row added so far) if it is not sorted yet.
        """
        from mastery_grading.gradebook._engine._sort import first_rows

        return first_rows(self.sorted_rows(), n_rows, students)

    def _merge_batches(self) -> Columns:
        """The columns of the store and of every batch added since, in that order.

        A frame's columns move into the store: its batch keeps only its rows' positions, so
        that the unsorted columns are released once sorted. The old store is released too.
        """
        from mastery_grading.gradebook._engine import columns_from_evidence, concat_columns

        index = {target_id: i for i, target_id in enumerate(self.targets)}
        parts = [] if self._store is None else [self._store.columns]
        self._store = None
        start = sum(len(part) for part in parts)
        for i in range(self._stored, len(self._batches)):
            batch = self._batches[i]
            assert not isinstance(batch, range)
            if isinstance(batch, tuple):
                parts.append(columns_from_evidence(batch, index))
            else:
                parts.append(batch)
                self._batches[i] = range(start, start + len(batch))
            start += len(batch)
        if not parts:
            parts.append(columns_from_evidence((), index))
        return concat_columns(parts)


@cache
def _holds_copy() -> Any:
    """The engine's group-wise check, imported once (with numpy) when first needed."""
    from mastery_grading.gradebook._engine._copies import holds_copy

    return holds_copy


class StoredKeys:
    """Whether a store holds a copy of a piece of evidence: a container of duplicate keys.

    ``duplicate_key(item) in keys`` reads only the item's (student, target) group (see
    :meth:`EvidenceStore.holds_copy`), so a batch added to a big gradebook is checked against
    what it touches, not against every row.

    Example:
        >>> from mastery_grading.examples import load_example_class
        >>> example = load_example_class()
        >>> store = EvidenceStore({t.id: t for t in example.targets})
        >>> store.append(tuple(example.evidence))
        >>> duplicate_key(example.evidence[0]) in StoredKeys(store)
        True
    """

    def __init__(self, store: EvidenceStore) -> None:
        self._store = store

    def __contains__(self, key: object) -> bool:
        assert isinstance(key, tuple)
        return self._store.holds_copy(key)
