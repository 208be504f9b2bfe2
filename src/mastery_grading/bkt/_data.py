"""Reading answers into sequences: one per (target, student), rows in time order.

A frame (pandas or polars) or a :class:`~mastery_grading.Gradebook` becomes a
:class:`Sequences`: the answers sorted by target name, then student, then time, with the start
of each sequence. Every bad row is collected and raised once as a
:class:`~mastery_grading.exceptions.BulkValidationError`.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"student_id": ["b", "a", "b"], "target_id": ["T", "T", "T"],
    ...                       "correct": [0, 1, 1]})
    >>> seqs = read_answers(frame)
    >>> seqs.targets, seqs.correct.tolist(), seqs.starts.tolist()
    (('T',), [1, 0, 1], [0, 1, 3])
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.evidence import chronological_key
from mastery_grading.exceptions import BulkValidationError, InvalidTypeError, Problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from mastery_grading.gradebook import Gradebook
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")
    pd = require("pandas", extra="data", feature="mastery_grading.bkt")

__all__ = ["Sequences", "check_students", "read_answers"]

IntArray = "npt.NDArray[np.int64]"

#: The text values read as a correct (``1``) or an incorrect (``0``) answer.
_TEXT = {"1": 1, "0": 0, "true": 1, "false": 0, "1.0": 1, "0.0": 0}
#: How many rows a problem about a whole target names.
_NAMED = 5


@dataclass(frozen=True)
class Sequences:
    """Answers sorted by target, student and time, cut into one sequence per (target, student).

    Attributes:
        targets: The target names, sorted; a target's code is its position here.
        target: The target code of each row (sorted rows).
        correct: 1 for a correct answer, 0 for an incorrect one (sorted rows, int8).
        starts: Where each sequence starts, and the number of rows at the end.
        seq_target: The target code of each sequence.
        seq_student: The student of each sequence, as a string.
        rows: The input position of each sorted row.
        labels: The frame's index (row labels), or ``None`` to name rows by position.
    """

    targets: tuple[str, ...]
    target: npt.NDArray[np.int64]
    correct: npt.NDArray[np.int8]
    starts: npt.NDArray[np.int64]
    seq_target: npt.NDArray[np.int64]
    seq_student: npt.NDArray[np.object_]
    rows: npt.NDArray[np.int64]
    labels: Any = None

    @property
    def n_rows(self) -> int:
        """The number of answers."""
        return int(self.correct.shape[0])

    def students_per_target(self) -> npt.NDArray[np.int64]:
        """How many students (sequences) each target has."""
        return np.bincount(self.seq_target, minlength=len(self.targets)).astype(np.int64)

    def rows_per_target(self) -> npt.NDArray[np.int64]:
        """How many answers each target has."""
        return np.bincount(self.target, minlength=len(self.targets)).astype(np.int64)


def _labels(frame: Any) -> Any:
    index = getattr(frame, "index", None)
    return index if isinstance(index, pd.Index) else None


def _label(labels: Any, position: int) -> Hashable:
    return position if labels is None else labels[position]


def _py(values: npt.NDArray[Any], position: int) -> Any:
    """The value at ``position`` as a Python object (``inf``, not ``np.float64(inf)``)."""
    return values[position : position + 1].tolist()[0]


def _name_bad(
    values: npt.NDArray[Any],
    bad: npt.NDArray[np.bool_],
    field: str,
    labels: Any,
    problems: list[Problem],
    wrong: Callable[[Any], str],
    expected: str,
) -> None:
    """A problem for each of the first bad rows of a column: ``field=value`` and what is wrong."""
    for position in np.flatnonzero(bad)[: _NAMED * 4].tolist():
        value = _py(values, position)
        problems.append(
            Problem(
                message=f"{field}={value!r} {wrong(value)}",
                row=_label(labels, position),
                field=field,
                value=repr(value),
                expected=expected,
            )
        )


def _column(frame: Any, name: str) -> npt.NDArray[Any]:
    return np.asarray(frame[name].to_numpy())


def _ids(values: npt.NDArray[Any], field: str, labels: Any, problems: list[Problem]) -> Any:
    """Factorize an id column; empty or missing ids become problems."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = np.array([str(u) for u in uniques], dtype=object)
    bad_codes = [k for k, name in enumerate(names) if not name.strip() or name == "nan"]
    bad = codes < 0
    if bad_codes:
        bad |= np.isin(codes, bad_codes)
    _name_bad(
        values, bad, field, labels, problems, lambda _: "must be a non-empty id", "a non-empty id"
    )
    return codes, names


def _correct(values: npt.NDArray[Any], field: str, labels: Any, problems: list[Problem]) -> Any:
    """Read a correct column as int8 0/1; other values become problems."""
    if values.dtype == np.bool_:
        return values.astype(np.int8)
    if values.dtype.kind in "iuf":
        ok = (values == 0) | (values == 1)
        out = np.where(ok, values, 0).astype(np.int8)
    else:
        out = np.zeros(values.shape[0], dtype=np.int8)
        ok = np.zeros(values.shape[0], dtype=np.bool_)
        for position, value in enumerate(values.tolist()):
            read = _TEXT.get(value.strip().lower()) if isinstance(value, str) else None
            if isinstance(value, bool | int | float) and value in (0, 1):
                read = int(value)
            if read is not None:
                out[position], ok[position] = read, True
    _name_bad(values, ~ok, field, labels, problems, _not_binary, "0, 1, true or false")
    return out


def _not_binary(value: Any) -> str:
    kind = "is not a finite number" if isinstance(value, float) else "is not 0/1"
    return f"{kind}; expected 0, 1, true or false"


def _order(values: npt.NDArray[Any], field: str, labels: Any, problems: list[Problem]) -> Any:
    if values.dtype.kind in "iub" or values.dtype.kind == "M":
        return values
    if values.dtype.kind == "f":
        finite = "a finite number"
        _name_bad(
            values,
            ~np.isfinite(values),
            field,
            labels,
            problems,
            lambda _: f"is not {finite}",
            finite,
        )
        return values
    codes, _ = pd.factorize(values, sort=True)
    return codes


def read_answers(
    data: Any,
    *,
    student: str = "student_id",
    target: str = "target_id",
    correct: str = "correct",
    order: str | None = None,
) -> Sequences:
    """Read a frame (pandas or polars) or a Gradebook into :class:`Sequences`.

    Rows are in time order within a student when ``order`` is ``None``; otherwise they are
    sorted by the column ``order`` (ties keep the input order). A Gradebook's evidence is read
    in chronological order, and a score counts as correct when it reaches its target's mastery
    threshold.

    Raises:
        BulkValidationError: Naming the rows: a missing column, an empty id, a correct value
            other than 0/1/true/false (or non-finite), a non-finite order, a target answered
            by one student only.
        InvalidTypeError: If ``data`` is neither a frame nor a Gradebook.
    """
    if hasattr(data, "evidence") and hasattr(data, "targets"):
        return _from_gradebook(data)
    columns = getattr(data, "columns", None)
    if columns is None:
        kind = type(data).__name__
        msg = f"data of type {kind} must be a pandas or polars DataFrame or a Gradebook"
        raise InvalidTypeError(msg)
    names = [student, target, correct] + ([order] if order is not None else [])
    missing = [name for name in names if name not in list(columns)]
    if missing:
        raise BulkValidationError(
            [
                Problem(
                    message=f"column {name!r} is missing; the frame has {list(columns)!r}",
                    field=name,
                    expected="a column of that name",
                )
                for name in missing
            ]
        )
    labels = _labels(data)
    problems: list[Problem] = []
    s_codes, s_names = _ids(_column(data, student), student, labels, problems)
    t_codes, t_names = _ids(_column(data, target), target, labels, problems)
    is_correct = _correct(_column(data, correct), correct, labels, problems)
    keys = None if order is None else _order(_column(data, order), order, labels, problems)
    if problems:
        raise BulkValidationError(problems)
    return _build(s_codes, s_names, t_codes, t_names, is_correct, keys, labels)


def _build(
    s_codes: Any, s_names: Any, t_codes: Any, t_names: Any, is_correct: Any, keys: Any, labels: Any
) -> Sequences:
    # target codes in the order of their names, so the result does not depend on row order
    t_rank = np.empty(len(t_names), dtype=np.int64)
    t_sorted = sorted(range(len(t_names)), key=lambda k: t_names[k])
    t_rank[t_sorted] = np.arange(len(t_names))
    targets = tuple(t_names[k] for k in t_sorted)
    tcode = t_rank[t_codes] if len(t_names) else t_codes.astype(np.int64)
    # students too, so that the sequences' order (and every sum over them) is fixed
    s_order = np.argsort(np.asarray(s_names, dtype=str), kind="stable")
    s_rank = np.empty(len(s_names), dtype=np.int64)
    s_rank[s_order] = np.arange(len(s_names))
    scode = s_rank[s_codes] if len(s_names) else s_codes.astype(np.int64)
    s_names = np.asarray(s_names, dtype=object)[s_order]
    n = tcode.shape[0]
    if keys is None:
        rows = np.argsort(tcode * max(len(s_names), 1) + scode, kind="stable")
    else:
        rows = np.lexsort((np.arange(n), keys, scode, tcode))
    rows = rows.astype(np.int64)
    t_sorted_rows = tcode[rows]
    s_sorted_rows = scode[rows]
    if n:
        change = np.flatnonzero(
            (t_sorted_rows[1:] != t_sorted_rows[:-1]) | (s_sorted_rows[1:] != s_sorted_rows[:-1])
        )
        starts = np.concatenate(([0], change + 1, [n])).astype(np.int64)
    else:
        starts = np.zeros(1, dtype=np.int64)
    seq_target = t_sorted_rows[starts[:-1]]
    seq_student = s_names[s_sorted_rows[starts[:-1]]] if n else np.array([], dtype=object)
    return Sequences(
        targets=targets,
        target=t_sorted_rows,
        correct=is_correct[rows],
        starts=starts,
        seq_target=seq_target,
        seq_student=seq_student,
        rows=rows,
        labels=labels,
    )


def check_students(seqs: Sequences) -> None:
    """Refuse to fit a target answered by a single student: name its rows.

    Raises:
        BulkValidationError: Naming up to five rows of each such target.
    """
    labels = seqs.labels
    per = seqs.students_per_target()
    problems: list[Problem] = []
    for code in np.flatnonzero(per == 1).tolist():
        where = np.flatnonzero(seqs.target == code)
        positions = sorted(seqs.rows[where].tolist())
        for position in positions[:_NAMED]:
            problems.append(
                Problem(
                    message=(
                        f"target {seqs.targets[code]!r} is answered by one student only "
                        f"({len(positions)} rows); expected at least two students"
                    ),
                    row=_label(labels, position),
                    field="target",
                    value=repr(seqs.targets[code]),
                    expected="a target answered by two students or more",
                )
            )
    if problems:
        raise BulkValidationError(problems)


def _from_gradebook(book: Gradebook) -> Sequences:
    targets = book.targets
    evidence = sorted(book.evidence(), key=chronological_key)
    s_codes, s_names = pd.factorize(np.array([e.student_id for e in evidence], dtype=object))
    t_codes, t_names = pd.factorize(np.array([e.target_id for e in evidence], dtype=object))
    hits = [1 if targets[e.target_id].scale.is_mastered(e.score) else 0 for e in evidence]
    return _build(
        s_codes,
        np.asarray(s_names, dtype=object),
        t_codes,
        np.asarray(t_names, dtype=object),
        np.array(hits, dtype=np.int8),
        None,
        None,
    )
