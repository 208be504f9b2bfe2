"""Evidence as columns: integer-coded ids, float scores, integer times (microseconds, UTC).

The engine works on :class:`Columns`, never on :class:`~mastery_grading.Evidence` objects. Two
builders fill them: :func:`columns_from_evidence` (a Python loop over validated evidence, for
evidence added one piece or one list at a time) and the frame reader in
:mod:`mastery_grading.gradebook._engine._frames` (vectorized, for DataFrames).

Codes of string columns are ``int32`` and index a sorted list of labels, so comparing codes
compares the strings: this is what the chronological tie-breaks (``source_id``, ``context``)
need. Missing optional strings are coded -1, which sorts first, as in
:func:`~mastery_grading.chronological_key`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = require("numpy", extra="data", feature="the vectorized engine")
    npt = require("numpy.typing", extra="data", feature="the vectorized engine")

__all__ = [
    "EPOCH",
    "Columns",
    "columns_from_evidence",
    "concat_columns",
    "evidence_at",
    "micros",
    "select_rows",
    "sorted_codes",
]

#: Times are stored as microseconds since this instant.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

IntArray = npt.NDArray[np.int64]
#: Codes of string columns (ids, sources, contexts): half the memory of ``int64``.
CodeArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Optional columns and the value they take when a source does not give them.
OPTIONAL = ("summative", "weight", "attempt", "source", "context", "independent", "offset")


def micros(moment: datetime) -> int:
    """Return an aware datetime as whole microseconds since the Unix epoch (UTC)."""
    return (moment - EPOCH) // _MICRO


@dataclass(frozen=True)
class Columns:
    """Validated evidence in columns; every array has one item per evidence row.

    ``target`` codes index the gradebook's targets (in their order); ``student`` codes index
    ``student_labels``, which is sorted. Optional columns are ``None`` when every row has the
    default (summative, weight 1, no attempt, no source, no context, independent, UTC).
    ``offset`` is the UTC offset of each evidence's own time zone in microseconds, so that a
    rebuilt :class:`~mastery_grading.Evidence` has the calendar date of the original.
    """

    student: CodeArray
    student_labels: list[str]
    target: CodeArray
    score: FloatArray
    time: IntArray
    summative: BoolArray | None = None
    weight: FloatArray | None = None
    attempt: IntArray | None = None
    source: CodeArray | None = None
    source_labels: list[str] | None = None
    context: CodeArray | None = None
    context_labels: list[str] | None = None
    independent: BoolArray | None = None
    offset: IntArray | None = None

    def __len__(self) -> int:
        return int(self.score.shape[0])


def sorted_codes(
    codes: npt.NDArray[np.signedinteger[Any]], labels: Sequence[str]
) -> tuple[CodeArray, list[str]]:
    """Relabel ``codes`` so that their labels are sorted (code -1, missing, stays -1)."""
    order = sorted(range(len(labels)), key=labels.__getitem__)
    new_labels = [labels[i] for i in order]
    remap = np.empty(len(labels) + 1, dtype=np.int32)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(labels), dtype=np.int32)
    remap[-1] = -1  # so that code -1 maps to -1
    return remap[codes], new_labels


def _code_strings(values: Sequence[str | None]) -> tuple[CodeArray, list[str]]:
    index: dict[str, int] = {}
    codes = np.fromiter(
        (-1 if v is None else index.setdefault(v, len(index)) for v in values),
        dtype=np.int32,
        count=len(values),
    )
    return sorted_codes(codes, list(index))


def _offset(moment: datetime) -> int:
    offset = moment.utcoffset()
    return 0 if offset is None else offset // _MICRO


def columns_from_evidence(evidence: Sequence[Evidence], target_index: dict[str, int]) -> Columns:
    """Return validated evidence as columns (targets must all be in ``target_index``)."""
    n = len(evidence)
    student, student_labels = _code_strings([e.student_id for e in evidence])
    target = np.fromiter((target_index[e.target_id] for e in evidence), np.int32, count=n)
    score = np.fromiter((e.score for e in evidence), np.float64, count=n)
    time = np.fromiter((micros(e.observed_at) for e in evidence), np.int64, count=n)
    cols = Columns(
        student=student, student_labels=student_labels, target=target, score=score, time=time
    )
    extra: dict[str, Any] = {}
    if any(e.kind is not EvidenceKind.SUMMATIVE for e in evidence):
        extra["summative"] = np.fromiter((e.is_summative for e in evidence), np.bool_, count=n)
    if any(e.weight != 1.0 for e in evidence):
        extra["weight"] = np.fromiter((e.weight for e in evidence), np.float64, count=n)
    if any(e.attempt is not None for e in evidence):
        extra["attempt"] = np.fromiter((e.attempt or 0 for e in evidence), np.int64, count=n)
    if any(e.source_id is not None for e in evidence):
        extra["source"], extra["source_labels"] = _code_strings([e.source_id for e in evidence])
    if any(e.context is not None for e in evidence):
        extra["context"], extra["context_labels"] = _code_strings([e.context for e in evidence])
    if not all(e.independent for e in evidence):
        extra["independent"] = np.fromiter((e.independent for e in evidence), np.bool_, count=n)
    offsets = np.fromiter((_offset(e.observed_at) for e in evidence), np.int64, count=n)
    if offsets.any():
        extra["offset"] = offsets
    return replace(cols, **extra)


def _default(name: str, n: int) -> Any:
    if name in ("summative", "independent"):
        return np.ones(n, dtype=np.bool_)
    if name == "weight":
        return np.ones(n, dtype=np.float64)
    if name in ("attempt", "offset"):
        return np.zeros(n, dtype=np.int64)
    return np.full(n, -1, dtype=np.int32)


def _merge_labels(
    parts: Sequence[tuple[CodeArray, Sequence[str]]],
) -> tuple[CodeArray, list[str]]:
    index: dict[str, int] = {}
    remapped = []
    for codes, labels in parts:
        remap = np.array(
            [index.setdefault(label, len(index)) for label in labels] + [-1], dtype=np.int32
        )
        remapped.append(remap[codes] if len(labels) else codes)
    merged = np.concatenate(remapped) if remapped else np.empty(0, dtype=np.int32)
    return sorted_codes(merged, list(index))


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Concatenate columns of several batches, merging their labels."""
    if len(parts) == 1:
        return parts[0]
    student, student_labels = _merge_labels([(p.student, p.student_labels) for p in parts])
    out = Columns(
        student=student,
        student_labels=student_labels,
        target=np.concatenate([p.target for p in parts]),
        score=np.concatenate([p.score for p in parts]),
        time=np.concatenate([p.time for p in parts]),
    )
    extra: dict[str, Any] = {}
    for name in ("summative", "weight", "attempt", "independent", "offset"):
        if any(getattr(p, name) is not None for p in parts):
            extra[name] = np.concatenate(
                [
                    getattr(p, name) if getattr(p, name) is not None else _default(name, len(p))
                    for p in parts
                ]
            )
    for name in ("source", "context"):
        if any(getattr(p, name) is not None for p in parts):
            pairs = [
                (getattr(p, name), getattr(p, f"{name}_labels"))
                if getattr(p, name) is not None
                else (_default(name, len(p)), [])
                for p in parts
            ]
            extra[name], extra[f"{name}_labels"] = _merge_labels(pairs)
    return replace(out, **extra)


def select_rows(cols: Columns, rows: npt.NDArray[Any]) -> Columns:
    """Return the given rows (an index array or a boolean mask) of every column, labels kept."""
    picked = {
        f.name: value[rows] if isinstance(value := getattr(cols, f.name), np.ndarray) else value
        for f in fields(Columns)
    }
    return Columns(**picked)


def evidence_at(cols: Columns, rows: Iterable[Any], target_ids: Sequence[str]) -> list[Evidence]:
    """Rebuild the :class:`~mastery_grading.Evidence` of the given rows.

    Times are in the evidence's own UTC offset when the columns keep one, else in UTC.
    """
    zones: dict[int, timezone] = {}
    out = []
    for row in rows:
        r = int(row)
        kw: dict[str, Any] = {}
        if cols.summative is not None and not cols.summative[r]:
            kw["kind"] = EvidenceKind.FORMATIVE
        if cols.weight is not None:
            kw["weight"] = float(cols.weight[r])
        if cols.attempt is not None and cols.attempt[r] > 0:
            kw["attempt"] = int(cols.attempt[r])
        if cols.source is not None and cols.source[r] >= 0:
            assert cols.source_labels is not None
            kw["source_id"] = cols.source_labels[cols.source[r]]
        if cols.context is not None and cols.context[r] >= 0:
            assert cols.context_labels is not None
            kw["context"] = cols.context_labels[cols.context[r]]
        if cols.independent is not None:
            kw["independent"] = bool(cols.independent[r])
        observed_at = EPOCH + timedelta(microseconds=int(cols.time[r]))
        if cols.offset is not None and cols.offset[r]:
            offset = int(cols.offset[r])
            zone = zones.get(offset)
            if zone is None:
                zone = zones[offset] = timezone(timedelta(microseconds=offset))
            observed_at = observed_at.astimezone(zone)
        out.append(
            Evidence(
                student_id=cols.student_labels[cols.student[r]],
                target_id=target_ids[cols.target[r]],
                score=float(cols.score[r]),
                observed_at=observed_at,
                **kw,
            )
        )
    return out
