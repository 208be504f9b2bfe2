"""Copy-on-write columns of a result table: shared base columns and a log of changed rows.

A live gradebook hands out a new :class:`~mastery_grading.ResultTable` after each ``add``; a
table handed out earlier must never change, and copying 10^5-row columns for each new table
would cost far more than recomputing the few rows that changed. So a table's columns are
:class:`PatchedColumns`: the base columns, shared with the tables before it and never written
to, and a *version* of a log of changed rows shared by every table of that base. Each new
table appends its changed rows to the log under the next version and sees only the entries
up to its own, so a new table costs O(its changed rows), whatever the size of the log; a table
patched again after a newer one was made from it (a branch) copies its own rows to a new log.
The full columns are built on first read of the whole table, and the log is folded into new
base columns once it holds more entries than an eighth of the rows (O(rows) once every
rows/8 changed rows: O(1) a changed row).

Example:
    >>> columns = PatchedColumns([1.0, 2.0, None], [1, 1, 0], {2: "no evidence"})
    >>> later = columns.patched({2: Row(4.0, 1, None)})
    >>> later.values, later.reasons, columns.values, columns.reasons
    ([1.0, 2.0, 4.0], {}, [1.0, 2.0, None], {2: 'no evidence'})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from mastery_grading._extras import require
from mastery_grading.results import TargetResult

__all__ = ["PatchedColumns", "Row"]


class Row(NamedTuple):
    """One row of a patch: its value, evidence count, reason, and full result (reference only).

    Example:
        >>> Row(None, 0, "no evidence").value is None
        True
    """

    value: float | None
    evidence_count: int
    reason: str | None
    result: TargetResult | None = None


def _compaction_limit(n_rows: int) -> int:
    """How many log entries columns may hold before the log is folded into new columns."""
    return max(1024, n_rows // 8)


#: A log entry: the version, then the fields of the :class:`Row` written under it. A plain
#: tuple of numbers and text, which the garbage collector stops tracking (a NamedTuple it
#: tracks for good): a long-lived book keeps one per changed row.
_Entry = tuple[int, float | None, int, str | None, TargetResult | None]


class _Log:
    """Changed rows by version, shared by the tables of one base: row -> [entry, ...]."""

    __slots__ = ("entries", "size", "version")

    def __init__(self) -> None:
        self.entries: dict[int, list[_Entry]] = {}
        self.size = 0  # entries in all
        self.version = 0  # the newest version written

    def write(self, rows: Mapping[int, Row]) -> int:
        """Append ``rows`` under the next version; return it."""
        version = self.version = self.version + 1
        entries = self.entries
        for row, found in rows.items():
            history = entries.get(row)
            entry = (version, *found)
            if history is None:
                entries[row] = [entry]
            else:
                history.append(entry)
        self.size += len(rows)
        return version


class PatchedColumns:
    """Columns of a result table: base columns (never written to) and its changed rows.

    Args:
        values: One value per row: a list (``None`` when undecided) or an array (``NaN``).
        counts: One evidence count per row: a list or an array.
        reasons: The reasons of undecided rows: a dict, or the engine's coded reasons.
        results: The reference's full results, one per row, or ``None``.
        patch: Rows that replace those of the base columns.

    Example:
        >>> PatchedColumns([None], [0], {0: "no evidence"}).row(0)
        Row(value=None, evidence_count=0, reason='no evidence', result=None)
    """

    __slots__ = ("_built", "_log", "_version", "base")

    def __init__(
        self,
        values: Any,
        counts: Any,
        reasons: Mapping[int, str],
        results: list[TargetResult] | None = None,
        patch: Mapping[int, Row] | None = None,
    ) -> None:
        self.base: tuple[Any, Any, Mapping[int, str], list[TargetResult] | None] = (
            values,
            counts,
            reasons,
            results,
        )
        self._log = _Log()
        self._version = self._log.write(patch) if patch else 0
        self._built: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.base[1])

    @property
    def patch(self) -> dict[int, Row]:
        """The rows changed from the base columns, as this table sees them.

        Example:
            >>> PatchedColumns([1.0, 2.0], [1, 1], {}).patched({1: Row(3.0, 2, None)}).patch
            {1: Row(value=3.0, evidence_count=2, reason=None, result=None)}
        """
        built = self._built.get("patch")
        if built is None:
            built = {row: Row(*entry[1:]) for row, entry in self._entries().items()}
            self._built["patch"] = built
        return built

    def _entries(self) -> dict[int, _Entry]:
        """The newest log entry of each changed row up to this table's version (made once)."""
        built: dict[int, _Entry] | None = self._built.get("entries")
        if built is None:
            built = self._built["entries"] = {}
            version = self._version
            if version:
                for row, history in self._log.entries.items():
                    for entry in reversed(history):
                        if entry[0] <= version:
                            built[row] = entry
                            break
        return built

    def _find(self, row: int) -> Row | None:
        """The row's newest entry up to this table's version, or ``None``."""
        history = self._log.entries.get(row)
        if history is None:
            return None
        version = self._version
        for entry in reversed(history):
            if entry[0] <= version:
                return Row(*entry[1:])
        return None

    def row(self, row: int) -> Row:
        """One row, read from the log or the base columns (no column is built).

        Example:
            >>> PatchedColumns([1.5], [2], {}).patched({}).row(0)
            Row(value=1.5, evidence_count=2, reason=None, result=None)
        """
        if self._version:
            found = self._find(row)
            if found is not None:
                return found
        values, counts, reasons, results = self.base
        value = values[row]
        value = None if value is None or value != value else float(value)
        reason = reasons.get(row) if value is None else None
        return Row(value, int(counts[row]), reason, None if results is None else results[row])

    def patched(self, rows: Mapping[int, Row]) -> PatchedColumns:
        """Return these columns with ``rows`` changed; these are left as they are.

        Starts from the built columns when they were built (read whole); else shares the base
        columns and appends ``rows`` to the log (a branch from an older table copies its own
        rows to a new log first); folds a log grown past the limit into new columns.

        Example:
            >>> columns = PatchedColumns([1.0, 2.0], [1, 1], {})
            >>> columns.patched({0: Row(3.0, 2, None)}).values, columns.values
            ([3.0, 2.0], [1.0, 2.0])
        """
        if not rows:
            return self
        if self._version and "values" in self._built:
            return PatchedColumns(self.values, self.counts, self.reasons, self.results, rows)
        out = PatchedColumns.__new__(PatchedColumns)
        out.base = self.base
        out._built = {}
        log = self._log
        if log.version != self._version:  # a branch: a log of its own
            log = _Log()
            log.write(self.patch)
        out._log = log
        out._version = log.write(rows)
        if log.size > _compaction_limit(len(out)):
            return PatchedColumns(out.values, out.counts, out.reasons, out.results)
        return out

    def _arrays(self) -> tuple[Any, Any, Any]:
        """The patch as arrays: its rows, their values (``NaN`` for ``None``) and counts."""
        require("numpy", extra="data", feature="the vectorized engine")
        import numpy as np

        built = self._built.get("arrays")
        if built is not None:
            return built  # type: ignore[no-any-return]
        entries = self._entries()
        nan = float("nan")
        n = len(entries)
        rows = np.fromiter(entries, dtype=np.int64, count=n)
        values = np.fromiter(
            (nan if e[1] is None else e[1] for e in entries.values()), dtype=np.float64, count=n
        )
        counts = np.fromiter((e[2] for e in entries.values()), dtype=np.int64, count=n)
        self._built["arrays"] = (rows, values, counts)
        return rows, values, counts

    @property
    def values(self) -> Any:
        """The values of every row (built on first use when patched)."""
        values = self.base[0]
        if not self._version:
            return values
        built = self._built.get("values")
        if built is None:
            if hasattr(values, "dtype"):
                rows, patched, _ = self._arrays()
                built = values.copy()
                built[rows] = patched
            else:
                built = list(values)
                for row, entry in self._entries().items():
                    built[row] = entry[1]
            self._built["values"] = built
        return built

    @property
    def counts(self) -> Any:
        """The evidence count of every row (built on first use when patched)."""
        counts = self.base[1]
        if not self._version:
            return counts
        built = self._built.get("counts")
        if built is None:
            if hasattr(counts, "dtype"):
                rows, _, patched = self._arrays()
                built = counts.copy()
                built[rows] = patched
            else:
                built = list(counts)
                for row, entry in self._entries().items():
                    built[row] = entry[2]
            self._built["counts"] = built
        return built

    @property
    def reasons(self) -> Mapping[int, str]:
        """The reasons of undecided rows (built on first use when patched)."""
        reasons: Any = self.base[2]
        if not self._version:
            return reasons  # type: ignore[no-any-return]
        built = self._built.get("reasons")
        if built is None:
            if isinstance(reasons, dict):
                built = dict(reasons)
                for row, entry in self._entries().items():
                    if entry[1] is None:
                        built[row] = entry[3] or "no value"
                    else:
                        built.pop(row, None)
            else:  # the engine's coded reasons: a copy, patched by whole arrays
                built = self._coded_reasons(reasons)
            self._built["reasons"] = built
        return built

    def _coded_reasons(self, reasons: Any) -> Any:
        require("numpy", extra="data", feature="the vectorized engine")
        import numpy as np

        built = reasons.take(np.arange(len(self), dtype=np.int64))
        entries = self._entries()
        decided = [row for row, entry in entries.items() if entry[1] is not None]
        if decided:
            built.codes[np.asarray(decided, dtype=np.int64)] = -1
        by_text: dict[str, list[int]] = {}
        for row, entry in entries.items():
            if entry[1] is None:
                by_text.setdefault(entry[3] or "no value", []).append(row)
        for text, rows in by_text.items():
            built.fill(np.asarray(rows, dtype=np.int64), text)
        return built

    @property
    def results(self) -> list[TargetResult] | None:
        """The reference's full results of every row, or ``None`` (built on first use)."""
        results = self.base[3]
        if results is None or not self._version:
            return results
        built = self._built.get("results")
        if built is None:
            built = list(results)
            for row, entry in self._entries().items():
                assert entry[4] is not None, "a reference table's row needs its result"
                built[row] = entry[4]
            self._built["results"] = built
        return built
