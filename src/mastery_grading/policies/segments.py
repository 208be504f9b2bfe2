"""Tools for vectorized kernels: the segments a kernel reads, what it returns, segment helpers.

Requires numpy. A kernel (see :mod:`mastery_grading.policies.kernels`) gets the evidence of
every (student, target) group as :class:`Segments` (one array per column, sorted by group and
then chronologically, with each group's start and length) and returns a :class:`KernelOutput`:
one value per group (``NaN`` for ``None``) and a mask of the groups whose value is not known to
equal the exact reference bit for bit (those near a level threshold are recomputed by the
policy). No kernel loops over groups in Python.

**Exact sums.** The reference reads each score as the decimal it prints as and computes with
fractions. When every score (and weight) is a multiple of ``2**-GRID_BITS`` (halves, quarters,
sixteenths: any rubric) and small, the float is that decimal exactly and every float sum is
exact, so a plain ``np.add.reduceat`` and one division give the reference's value bit for bit.
Whether a column lies on that grid is checked once per gradebook (:class:`ColumnFacts`). Other
short decimals (``2.33``) are summed as integers ``k / 10**d`` (:func:`decimal_ints`), which
costs a few more passes.

Example:
    >>> import numpy as np
    >>> seg = Segments(score=np.array([1.0, 3.0, 2.5]), weight=None, summative=None,
    ...                group=np.array([0, 0, 1]), starts=np.array([0, 2]),
    ...                counts=np.array([2, 1]))
    >>> sums(seg.score, seg), back_positions(seg).tolist()
    (array([4. , 2.5]), [1, 0, 0])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from mastery_grading._extras import require

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = require("numpy", extra="data", feature="the vectorized engine")
    npt = require("numpy.typing", extra="data", feature="the vectorized engine")

__all__ = [
    "EXACT_INT",
    "GRID_BITS",
    "BoolArray",
    "ColumnFacts",
    "FloatArray",
    "GroupReasons",
    "IntArray",
    "KernelOutput",
    "Segments",
    "back_positions",
    "by_score",
    "compress",
    "decimal_ints",
    "empty_values",
    "grid_largest",
    "largest_magnitude",
    "micros",
    "read_only",
    "score_ints",
    "segment_ratio_exact",
    "sums",
    "unanimous",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Return an aware datetime as whole microseconds since the Unix epoch (UTC).

    The unit of the engine's ``time`` column, which kernels compare with a policy's dates.

    Example:
        >>> micros(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
        1000000
    """
    return (moment - _EPOCH) // _MICRO


#: Largest integer below which float64 holds every integer exactly.
EXACT_INT = 2**53

#: Values on the grid are multiples of ``2**-GRID_BITS``.
GRID_BITS = 4
#: Values on the grid are below this in magnitude, so ``repr`` prints them exactly.
_GRID_LIMIT = 2.0**30
#: Rows per chunk of the grid check: small enough to stay in the processor's cache.
_CHECK_CHUNK = 1 << 16


def _grid_largest(x: FloatArray) -> float | None:
    """``max |x|`` when every value is a multiple of ``2**-GRID_BITS`` below 2**30, else ``None``.

    Such a float prints as the decimal it equals (at most 14 significant digits), so the exact
    reference reads it as its own binary value, and sums of them are exact floats while they
    stay below ``2**(53 - GRID_BITS)``.
    """
    if x.size == 0:
        return 0.0
    largest = max(float(x.max()), -float(x.min()))
    if not largest < _GRID_LIMIT:  # also catches NaN
        return None
    scale = float(2**GRID_BITS)
    scaled = np.empty(min(x.size, _CHECK_CHUNK))
    rounded = np.empty_like(scaled)
    for begin in range(0, x.size, _CHECK_CHUNK):
        chunk = x[begin : begin + _CHECK_CHUNK]
        a, b = scaled[: chunk.size], rounded[: chunk.size]
        np.multiply(chunk, scale, out=a)
        np.rint(a, out=b)
        if not np.array_equal(a, b):
            return None
    return largest


class ColumnFacts:
    """Facts about whole evidence columns, each computed on first use and then cached.

    A fact about a column (every score is on the grid, and the largest one) holds for any
    subset or reordering of its rows, so every kernel on segments of these columns, filtered
    by ``as_of`` or by a window, may use it. Segments of other values must not share it.

    Example:
        >>> import numpy as np
        >>> from types import SimpleNamespace
        >>> cols = SimpleNamespace(score=np.array([2.5, 3.25]), weight=None)
        >>> ColumnFacts(cols).grid_largest("score"), ColumnFacts(cols).grid_largest("weight")
        (3.25, 1.0)
    """

    def __init__(self, columns: Any) -> None:
        self._columns = columns
        self._largest: dict[str, float | None] = {}

    def grid_largest(self, name: str) -> float | None:
        """``max |value|`` of the named column when it lies on the grid, else ``None``.

        A missing optional column counts as its default (a weight of 1).
        """
        if name not in self._largest:
            values = getattr(self._columns, name)
            self._largest[name] = 1.0 if values is None else _grid_largest(values)
        return self._largest[name]


_Array = TypeVar("_Array", bound=np.ndarray)


def read_only(array: _Array) -> _Array:
    """``array``, made read-only: shared arrays must not be changed by a kernel."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Segments:
    """Evidence of every group, sorted; group ``g`` is ``starts[g]:starts[g] + counts[g]``.

    The layout of the groups (which are non-empty, where each starts and ends) is computed on
    first use and kept, read-only: the engine keeps the segments of a gradebook's sorted
    columns, so that every policy computed on them shares it.

    Example:
        >>> import numpy as np
        >>> seg = Segments(score=np.array([1.0, 2.0, 4.0]), weight=None, summative=None,
        ...                group=np.array([0, 0, 2]), starts=np.array([0, 2, 2]),
        ...                counts=np.array([2, 0, 1]))
        >>> seg.firsts.tolist(), seg.lasts.tolist(), seg.per_group(np.array([1.5, 4.0]))
        ([0, 2], [1, 2], array([1.5, nan, 4. ]))
    """

    score: FloatArray
    #: The weight of each piece of evidence; every weight is 1 when this is ``None``.
    weight: FloatArray | None
    #: Whether each piece of evidence is summative; all are when this is ``None``.
    summative: BoolArray | None
    group: IntArray
    starts: IntArray
    counts: IntArray
    #: The mastery threshold of each group's target.
    mastery: FloatArray | None = None
    #: The scale bounds of each group's target.
    scale_min: FloatArray | None = None
    scale_max: FloatArray | None = None
    #: The evidence columns, to read other columns lazily (see :meth:`column`). Segments of
    #: bare scores have none, and a kernel that needs a column then returns ``None``.
    columns: Any = None
    #: The row of ``columns`` at each position, as an index array or a mask over the rows;
    #: position ``i`` is row ``i`` when this is ``None``.
    rows: np.ndarray | None = None
    #: Facts about the columns these segments hold a subset of (see :class:`ColumnFacts`).
    facts: ColumnFacts | None = None

    def column(self, name: str) -> Any:
        """Return the evidence column ``name`` in position order (``None`` if it is absent)."""
        values = getattr(self.columns, name, None)
        if values is None:
            return None
        return values if self.rows is None else values[self.rows]

    @cached_property
    def nonempty(self) -> BoolArray:
        """Groups with at least one piece of evidence."""
        return read_only(self.counts > 0)

    @cached_property
    def all_nonempty(self) -> bool:
        """Whether every group has evidence (then per-group arrays need no mask)."""
        return bool(self.nonempty.all())

    @cached_property
    def ends(self) -> IntArray:
        """One past the last position of each group."""
        return read_only(self.starts + self.counts)

    @cached_property
    def filled_counts(self) -> IntArray:
        """The counts of the non-empty groups."""
        return self.counts if self.all_nonempty else read_only(self.counts[self.nonempty])

    @cached_property
    def firsts(self) -> IntArray:
        """The first position of each non-empty group."""
        return self.starts if self.all_nonempty else read_only(self.starts[self.nonempty])

    @cached_property
    def lasts(self) -> IntArray:
        """The last position of each non-empty group."""
        return read_only(self.firsts + self.filled_counts - 1)

    def per_group(self, values: np.ndarray, fill: float = math.nan) -> np.ndarray:
        """Values of the non-empty groups, spread to every group (``fill`` for empty ones).

        ``values`` is returned itself when every group has evidence.
        """
        if self.all_nonempty:
            return values
        out = np.full(self.counts.shape[0], fill, dtype=np.result_type(values, fill))
        out[self.nonempty] = values
        return out


class GroupReasons(Mapping[int, str]):
    """Why each undecided group has no value: one small code per group into a few texts.

    Reasons repeat (``"no evidence"``, ``"mastery shown 2 of 5 times; 3 more needed"``), so a
    code array keeps them for a million groups without a Python string per group; it reads as
    a mapping from group to reason, for the groups that have one.

    Example:
        >>> import numpy as np
        >>> reasons = GroupReasons(4)
        >>> reasons.fill(np.array([True, False, True, False]), "no evidence")
        >>> reasons[3] = "too few scores"
        >>> dict(reasons)
        {0: 'no evidence', 2: 'no evidence', 3: 'too few scores'}
    """

    def __init__(self, n_groups: int) -> None:
        self._n_groups = n_groups
        self._codes: np.ndarray | None = None
        #: The distinct reasons, each once; a group's code is its index here.
        self.texts: list[str] = []
        self._index: dict[str, int] = {}

    @property
    def codes(self) -> np.ndarray:
        """The code of each group's reason in :attr:`texts` (-1: no reason).

        Made on first use: most policies give no reason at all.
        """
        if self._codes is None:
            self._codes = np.full(self._n_groups, -1, dtype=np.int32)
        return self._codes

    def _code(self, text: str) -> int:
        code = self._index.get(text)
        if code is None:
            code = self._index[text] = len(self.texts)
            self.texts.append(text)
        return code

    def fill(self, where: np.ndarray, text: str, *, keep: bool = False) -> None:
        """Give ``text`` to the groups ``where`` (a mask or group numbers).

        With ``keep``, groups that already have a reason keep it.
        """
        if keep and self._codes is not None:
            if where.dtype == np.bool_:
                where = where & (self._codes < 0)
            else:
                where = where[self._codes[where] < 0]
        self.codes[where] = self._code(text)

    def fill_coded(self, where: np.ndarray, codes: np.ndarray, texts: list[str]) -> None:
        """Give the groups ``where`` (a mask) the reasons ``texts[codes]``, codes per group."""
        remap = np.asarray([self._code(text) for text in texts] + [-1], dtype=np.int32)
        self.codes[where] = remap[codes[where]]

    def update(self, other: Mapping[int, str] | None) -> None:
        """Take every reason of ``other``."""
        if isinstance(other, GroupReasons):
            if other._codes is not None:
                self.fill_coded(other._codes >= 0, other._codes, other.texts)
        elif other:
            for group, text in other.items():
                self[group] = text

    def take(self, index: np.ndarray) -> GroupReasons:
        """Return new reasons where group ``i`` has the reason of group ``index[i]`` (-1: none).

        ``take(np.arange(n))`` is a copy; a live gradebook uses it to make room for new
        students' rows without changing the reasons of a table already handed out.

        Example:
            >>> import numpy as np
            >>> reasons = GroupReasons(2)
            >>> reasons[1] = "no evidence"
            >>> dict(reasons.take(np.array([-1, 1, 0, 1])))
            {1: 'no evidence', 3: 'no evidence'}
        """
        out = GroupReasons(int(index.shape[0]))
        out.texts = list(self.texts)
        out._index = dict(self._index)
        if self._codes is not None and self._codes.shape[0]:
            picked = self._codes[np.maximum(index, 0)]
            out._codes = np.where(index >= 0, picked, -1).astype(np.int32)
        return out

    def __setitem__(self, group: int, text: str) -> None:
        self.codes[group] = self._code(text)

    def __delitem__(self, group: int) -> None:
        if self._codes is not None:
            self._codes[group] = -1

    def __getitem__(self, group: int) -> str:
        codes = self._codes
        code = -1 if codes is None or not 0 <= group < codes.shape[0] else int(codes[group])
        if code < 0:
            raise KeyError(group)
        return self.texts[code]

    def __iter__(self) -> Iterator[int]:
        if self._codes is None:
            return iter(())
        return iter(np.flatnonzero(self._codes >= 0).tolist())

    def __len__(self) -> int:
        return 0 if self._codes is None else int(np.count_nonzero(self._codes >= 0))


@dataclass(frozen=True)
class KernelOutput:
    """Values per group (``NaN`` for ``None``), inexact groups, reasons for ``None`` values."""

    values: FloatArray
    inexact: BoolArray | None = None
    reasons: Mapping[int, str] | None = None
    #: Groups to recompute with the reference whatever their value (e.g. to word a reason).
    force: BoolArray | None = None


def decimal_ints(
    x: FloatArray, places: tuple[int, ...] = (0, 1, 2, 4, 6)
) -> tuple[FloatArray, int]:
    """Return ``(k, d)`` with ``x == k / 10**d`` exactly as decimals, or ``(empty, -1)``.

    ``k`` holds integers (as floats, below 2**40). When ``k / 10**d`` rounds to ``x`` and
    10^-d is far coarser than the float spacing, the decimal ``x`` prints as is exactly
    ``k / 10**d``, which is what :func:`~mastery_grading.grades.read_value` reads; sums of ``k``
    below 2**53 are then exact. The number of places is chosen on the first chunk, then checked
    on every row in chunks to keep the peak memory low.

    Example:
        >>> import numpy as np
        >>> decimal_ints(np.array([2.33, 1.5]))
        (array([233., 150.]), 2)
    """
    if x.size == 0:
        return np.zeros(0), 0
    big = max(float(x.max()), -float(x.min()))
    head = x[:_CHUNK]
    for d in places:
        scale = 10.0**d
        if not big * scale < 2**40:
            break
        if not np.array_equal(np.rint(head * scale) / scale, head):
            continue
        k = x * scale
        np.rint(k, out=k)
        if all(
            np.array_equal(k[i : i + _CHUNK] / scale, x[i : i + _CHUNK])
            for i in range(_CHUNK, x.size, _CHUNK)
        ):
            return k, d
        del k
    return np.zeros(0), -1


def grid_largest(seg: Segments, name: str) -> float | None:
    """``max |value|`` of the segments' ``score`` or ``weight`` when on the grid, else ``None``.

    Read from the segments' :class:`ColumnFacts` when they have them (checked once per
    gradebook), else checked on the segments' own values.
    """
    if seg.facts is not None:
        return seg.facts.grid_largest(name)
    values = getattr(seg, name)
    return 1.0 if values is None else _grid_largest(values)


def largest_magnitude(x: np.ndarray) -> float:
    """``max |x|`` (0 for an empty array).

    Example:
        >>> largest_magnitude(np.array([1.5, -4.0]))
        4.0
    """
    return max(float(x.max()), -float(x.min())) if x.size else 0.0


#: Rows per chunk for checks that would otherwise need a full-size temporary array.
_CHUNK = 1 << 20


def empty_values(seg: Segments) -> FloatArray:
    """One ``NaN`` per group: the values of a kernel that decides nothing."""
    return np.full(seg.counts.shape[0], np.nan)


def sums(x: np.ndarray, seg: Segments) -> np.ndarray:
    """The sum of ``x`` (one item per position) over each non-empty group."""
    if x.size == 0:
        return x[:0]
    return np.add.reduceat(x, seg.firsts)


def segment_ratio_exact(
    numerator: FloatArray | IntArray, denominator: FloatArray | IntArray, scale: int
) -> tuple[FloatArray, BoolArray]:
    """Return ``numerator / (denominator * scale)`` and where it is correctly rounded.

    Both operands converted to float are exact below 2**53, and IEEE division rounds correctly,
    so there the float equals ``float(Fraction(numerator, denominator * scale))``.
    """
    den = denominator * scale
    ok = (np.abs(numerator) < EXACT_INT) & (np.abs(den) < EXACT_INT) & (den != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = numerator.astype(np.float64) / den.astype(np.float64)
    return values, ok


# -- helpers shared by the kernels -------------------------------------------------------------


def compress(seg: Segments, mask: BoolArray) -> Segments:
    """Keep only the positions where ``mask`` holds; groups keep their order."""
    group = seg.group[mask]
    counts = np.bincount(group, minlength=seg.counts.shape[0]).astype(np.int64)
    starts = np.zeros_like(counts)
    if counts.size:
        np.cumsum(counts[:-1], out=starts[1:])
    rows = None
    if seg.columns is not None:
        if seg.rows is None:
            rows = mask
        elif seg.rows.dtype == np.bool_:
            rows = np.zeros(seg.rows.shape[0], dtype=np.bool_)
            rows[seg.rows] = mask
        else:
            rows = seg.rows[mask]
    return Segments(
        score=seg.score[mask],
        weight=None if seg.weight is None else seg.weight[mask],
        summative=None if seg.summative is None else seg.summative[mask],
        group=group,
        starts=starts,
        counts=counts,
        mastery=seg.mastery,
        scale_min=seg.scale_min,
        scale_max=seg.scale_max,
        columns=seg.columns,
        rows=rows,
        facts=seg.facts,
    )


def back_positions(seg: Segments) -> IntArray:
    """For each position, how many positions of its group come after it (0 for the newest)."""
    return seg.ends[seg.group] - 1 - np.arange(seg.score.size)


def score_ints(seg: Segments) -> FloatArray | None:
    """Integers (as floats) ordered and equal as the scores are, or ``None``.

    Scores on the grid are scaled by ``2**GRID_BITS`` (exact, no check needed); other short
    decimals give their :func:`decimal_ints`.
    """
    if grid_largest(seg, "score") is not None:
        return seg.score * float(2**GRID_BITS)
    ks, ds = decimal_ints(seg.score)
    return ks if ds >= 0 else None


def by_score(seg: Segments) -> tuple[IntArray, FloatArray]:
    """Positions sorted by (group, score), and the scores in that order.

    Scores are ranked through their grid or short-decimal integers when possible, so that one
    ``argsort`` of a packed ``int64`` key suffices; otherwise ``lexsort`` is used.
    """
    ks = score_ints(seg)
    n_groups = seg.counts.shape[0]
    if ks is not None and ks.size:
        low = int(ks.min())
        span = int(ks.max()) - low + 1
        if n_groups * span < 2**62:
            key = seg.group * span
            ks -= low
            np.add(key, ks, out=key, casting="unsafe")
            del ks
            # Equal (group, score) pairs may come in any order: no caller depends on it.
            order = np.argsort(key)
            del key
            return order, seg.score[order]
    order = np.lexsort((seg.score, seg.group))
    return order, seg.score[order]


def unanimous(seg: Segments) -> tuple[BoolArray, FloatArray]:
    """Groups whose scores are all equal (among non-empty ones), and their minimum score."""
    low = np.minimum.reduceat(seg.score, seg.firsts)
    high = np.maximum.reduceat(seg.score, seg.firsts)
    return low == high, low
