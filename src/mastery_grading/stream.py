r"""Results of a gradebook too large for memory: an Arrow table at a time, or a Parquet dataset.

A gradebook's results need all of one student's evidence, and nothing of anyone else's. So a
dataset split into *buckets*, each holding whole students, is scored one bucket at a time by
the library's own vectorized engine (:meth:`Gradebook.from_frame
<mastery_grading.Gradebook.from_frame>`, then :meth:`~mastery_grading.Gradebook.results`), and
only one bucket is in memory at once.

- :func:`score_table` scores one ``pyarrow.Table`` of evidence (whole students) and returns the
  results as an Arrow table with the fixed columns :data:`OUTPUT_COLUMNS` (:func:`result_schema`).
  :mod:`mastery_grading.spark` runs it on every bucket of a Spark DataFrame.
- :func:`grade_table` gives the letters of one such table (:func:`mastery_grading.spark.grades`
  runs it on every bucket).
- :func:`results` reads a Parquet file or directory one bucket at a time, writes the results
  to one Parquet file (a row group per bucket), and refuses a dataset whose buckets split a
  student, naming the student and the two files.

The rows of each bucket are :class:`~mastery_grading.ResultTable`'s, in its order (students
sorted by id, then the targets in the order given); buckets follow each other in the sorted
order of their paths. ``policy`` holds the ``repr`` of the policy that scored the row.

Bad rows (``on_error``): ``"raise"`` (the default) raises
:class:`~mastery_grading.exceptions.BulkValidationError` listing the bad rows of the first bad
bucket, each named by its student and target (positions inside a bucket would mean nothing to
you); ``"column"`` scores the good rows and adds a column ``errors``: one more row for each bad
input row, with its ``student_id`` and ``target_id`` as given (text, or null), no result
(``value`` and ``level`` null, ``mastered`` false, ``evidence_count`` 0) and its problems in
``errors``; every result row has ``errors`` null. Filter on ``errors IS NULL`` for the results.

Requires pyarrow and polars (the ``fast`` extra).

Example:
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from pathlib import Path
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> from mastery_grading import LearningTarget, policies
    >>> from mastery_grading import stream
    >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
    >>> evidence = pa.table({"student_id": ["ana", "ben", "ana"], "target_id": ["T", "T", "T"],
    ...                      "score": [2.0, 3.0, 4.0], "observed_at": [when] * 3})
    >>> folder = Path(tempfile.mkdtemp())
    >>> pq.write_table(evidence, folder / "evidence.parquet")
    >>> done = stream.results(folder, [LearningTarget(id="T", title="Ratios")],
    ...                       policies.Mean(), out=folder / "results.parquet")
    >>> done.buckets, done.students, done.rows
    (1, 2, 2)
    >>> pq.read_table(done.path).column("value").to_pylist()
    [3.0, 3.0]
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from mastery_grading._extras import require
from mastery_grading._text import Decimal, MissingScores
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, InvalidValueError, Problem
from mastery_grading.gradebook import RESULT_COLUMNS, Duplicates, Gradebook
from mastery_grading.protocols import GradeConverter, Policy
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ERRORS_COLUMN",
    "GRADE_OUTPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "OnError",
    "StreamSummary",
    "buckets_of",
    "grade_table",
    "result_schema",
    "results",
    "score_table",
]

#: The columns of every output, in order (``RESULT_COLUMNS`` of the gradebook, then
#: ``policy``, the ``repr`` of the row's policy).
OUTPUT_COLUMNS: tuple[str, ...] = (*RESULT_COLUMNS, "policy")

#: The column added with ``on_error="column"``: the problems of a refused input row.
ERRORS_COLUMN = "errors"

#: What to do with bad input rows (fail, or return them in the ``errors`` column).
OnError = Literal["raise", "column"]

_FEATURE = "mastery_grading.stream"

#: The evidence columns read (the fields of :class:`~mastery_grading.Evidence`); others are not.
_EVIDENCE_COLUMNS = tuple(field.name for field in attrs.fields(Evidence))


def _arrow() -> Any:
    require("pyarrow", extra="fast", feature=_FEATURE)
    require("polars", extra="fast", feature=_FEATURE)
    import pyarrow as pa

    return pa


def result_schema(*, on_error: OnError = "raise") -> pa.Schema:
    """Return the Arrow schema of the results: :data:`OUTPUT_COLUMNS` and their types.

    ``student_id``, ``target_id``, ``level``, ``reason`` and ``policy`` are strings, ``value``
    a float64, ``mastered`` a bool and ``evidence_count`` an int64; ``on_error="column"`` adds
    ``errors`` (a string).

    Example:
        >>> result_schema().names == list(OUTPUT_COLUMNS)
        True
        >>> str(result_schema(on_error="column").field("errors").type)
        'string'
    """
    _check_on_error(on_error)
    pa = _arrow()
    fields = [
        pa.field("student_id", pa.string()),
        pa.field("target_id", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("level", pa.string()),
        pa.field("mastered", pa.bool_()),
        pa.field("evidence_count", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("policy", pa.string()),
    ]
    if on_error == "column":
        fields.append(pa.field(ERRORS_COLUMN, pa.string()))
    return pa.schema(fields)


def _check_on_error(on_error: object) -> None:
    if on_error not in ("raise", "column"):
        msg = f"on_error={on_error!r} is not an option; expected 'raise' or 'column'"
        raise InvalidValueError(msg)


def _policy_names(targets: Sequence[LearningTarget], policy: Any) -> list[str]:
    if isinstance(policy, Mapping):
        return [repr(policy[target.id]) for target in targets]
    return [repr(policy)] * len(targets)


def _named(problem: Problem, table: pa.Table, place: Callable[[int], str] | None = None) -> Problem:
    """The problem named by its row's student and target instead of its position in a bucket.

    ``place`` names the row's origin too (its file and row), put first.
    """
    row = problem.row
    if not isinstance(row, int):
        return problem
    student = table.column("student_id")[row].as_py()
    target = table.column("target_id")[row].as_py()
    named = f"student {student!r}, target {target!r}"
    if place is not None:
        named = f"{place(row)} ({named})"
    return attrs.evolve(problem, message=f"{named}: {problem.message}", row=None)


#: The text options of ``Gradebook.from_frame``, as it takes them by default.
_DEFAULT_TEXT: Mapping[str, Any] = {}


def _text_options(
    missing_scores: MissingScores, assume_tz: tzinfo | None, decimal: Decimal, strip_ids: bool
) -> dict[str, Any]:
    """The text options, as ``Gradebook.from_frame`` takes them."""
    return {
        "missing_scores": missing_scores,
        "assume_tz": assume_tz,
        "decimal": decimal,
        "strip_ids": strip_ids,
    }


def _book(
    table: pa.Table,
    targets: Sequence[LearningTarget],
    duplicates: Duplicates,
    text: Mapping[str, Any],
) -> Gradebook:
    require("polars", extra="fast", feature=_FEATURE)
    import polars as pl

    return Gradebook.from_frame(
        pl.from_arrow(table), targets=targets, duplicates=duplicates, **text
    )


def score_table(
    table: pa.Table,
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    as_of: datetime | None = None,
    duplicates: Duplicates = "error",
    on_error: OnError = "raise",
    missing_scores: MissingScores = "skip",
    assume_tz: tzinfo | None = None,
    decimal: Decimal = ".",
    strip_ids: bool = False,
) -> pa.Table:
    """Return the results of every student of ``table`` on every target, as an Arrow table.

    ``table`` holds the evidence of whole students, with the columns of
    :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>` (``student_id``,
    ``target_id``, ``score``, ``observed_at`` and any of the optional ones; other columns are
    left out). The results are those of :meth:`Gradebook.results
    <mastery_grading.Gradebook.results>` on a gradebook holding ``table``, in its row order,
    with the schema :func:`result_schema`.

    Args:
        table: A ``pyarrow.Table`` of evidence.
        targets: The learning targets, in the order of the results.
        policy: A policy, or a mapping of target id to policy (as for ``Gradebook.results``).
        as_of: See :meth:`Gradebook.results <mastery_grading.Gradebook.results>`.
        duplicates: See :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>`.
        on_error: ``"raise"`` or ``"column"`` (see the module's introduction).
        missing_scores: How a missing score is read, as for ``Gradebook.from_frame``.
        assume_tz: The time zone of times without an offset, as for ``Gradebook.from_frame``.
        decimal: The decimal mark of numbers written as text, ``"."`` or ``","``.
        strip_ids: Trim the spaces around ids (by default they are kept as written).

    Returns:
        The results, a ``pyarrow.Table`` with the columns of :func:`result_schema`.

    Raises:
        BulkValidationError: With ``on_error="raise"``, if any row is bad: every problem,
            each named by its student and target.
        InvalidValueError: If a required column is missing, or an argument is not an option.

    Example:
        >>> from datetime import datetime, timezone
        >>> import pyarrow as pa
        >>> from mastery_grading import LearningTarget, policies
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> evidence = pa.table({"student_id": ["ana", "ana"], "target_id": ["T", "T"],
        ...                      "score": [2.0, 9.0], "observed_at": [when] * 2})
        >>> targets = [LearningTarget(id="T", title="Ratios")]
        >>> score_table(evidence, targets, policies.Mean())
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.BulkValidationError: 1 invalid row: student 'ana', target 'T': score=9.0 for student 'ana' on target 'T' lies outside the scale [0.0, 4.0]
        >>> out = score_table(evidence, targets, policies.Mean(), on_error="column")
        >>> out.select(["student_id", "value", "evidence_count", "errors"]).to_pylist()[0]
        {'student_id': 'ana', 'value': 2.0, 'evidence_count': 1, 'errors': None}
        >>> out.column("errors")[1].as_py()
        "score=9.0 for student 'ana' on target 'T' lies outside the scale [0.0, 4.0]"
    """  # noqa: E501
    text = _text_options(missing_scores, assume_tz, decimal, strip_ids)
    return _score(table, list(targets), policy, as_of, duplicates, on_error, text, None)


def _score(
    table: pa.Table,
    targets: list[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    as_of: datetime | None,
    duplicates: Duplicates,
    on_error: OnError,
    text: Mapping[str, Any],
    place: Callable[[int], str] | None,
) -> pa.Table:
    """:func:`score_table`; ``place`` names a bad row's origin (see :func:`_named`)."""
    _check_on_error(on_error)
    pa = _arrow()
    schema = result_schema(on_error=on_error)
    kept = [name for name in _EVIDENCE_COLUMNS if name in table.column_names]
    table = table.select(kept)
    try:
        book = _book(table, targets, duplicates, text)
        refused = None
    except BulkValidationError as error:
        if on_error == "raise":
            named = [_named(p, table, place) for p in error.problems]
            raise BulkValidationError(named) from None
        refused = _refused(error.problems, table)
        mask = pa.array([i not in refused for i in range(table.num_rows)], pa.bool_())
        book = _book(table.filter(mask), targets, duplicates, text)
    found = book.results(policy, as_of=as_of)
    frame = found.to_polars().to_arrow()
    columns = [frame.column(name).cast(schema.field(name).type) for name in RESULT_COLUMNS]
    columns.append(_policy_column(columns[1], targets, policy))
    if on_error == "column":
        columns.append(pa.nulls(frame.num_rows, pa.string()))
    out = pa.Table.from_arrays(columns, schema=schema)
    if refused:
        out = pa.concat_tables([out, _error_rows(refused, table, schema)])
    return out


#: The columns of :func:`grade_table`.
GRADE_OUTPUT_COLUMNS: tuple[str, ...] = ("student_id", "letter", "reason")


def grade_table(
    table: pa.Table,
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    converter: GradeConverter,
    *,
    as_of: datetime | None = None,
    duplicates: Duplicates = "error",
) -> pa.Table:
    """Return every student's letter of ``table`` (whole students) as an Arrow table.

    The letters of :meth:`Gradebook.grades <mastery_grading.Gradebook.grades>` (with
    ``on_gap="ignore"``: a student in a gap of a rule set has no letter, and the reason says
    so), as :meth:`GradeTable.records <mastery_grading.GradeTable.records>` gives them, in
    the columns :data:`GRADE_OUTPUT_COLUMNS` (strings).

    Raises:
        BulkValidationError: If any row is bad: every problem, named by student and target.

    Example:
        >>> from datetime import datetime, timezone
        >>> import pyarrow as pa
        >>> from mastery_grading import LearningTarget, policies
        >>> from mastery_grading.grades import AverageCutoffs
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> evidence = pa.table({"student_id": ["ana", "ben"], "target_id": ["T", "T"],
        ...                      "score": [3.5, 1.0], "observed_at": [when] * 2})
        >>> out = grade_table(evidence, [LearningTarget(id="T", title="Ratios")],
        ...                   policies.Mean(), AverageCutoffs.marzano_2010())
        >>> out.column("letter").to_pylist()
        ['A', 'D']
    """
    pa = _arrow()
    targets = list(targets)
    table = table.select([name for name in _EVIDENCE_COLUMNS if name in table.column_names])
    try:
        book = _book(table, targets, duplicates, _DEFAULT_TEXT)
    except BulkValidationError as error:
        raise BulkValidationError([_named(p, table) for p in error.problems]) from None
    found = book.grades(converter, policy=policy, as_of=as_of, on_gap="ignore")
    rows = [{name: row[name] for name in GRADE_OUTPUT_COLUMNS} for row in found.records()]
    schema = pa.schema([(name, pa.string()) for name in GRADE_OUTPUT_COLUMNS])
    return pa.Table.from_pylist(rows, schema=schema)


def _policy_column(
    target_ids: Any, targets: Sequence[LearningTarget], policy: Policy | Mapping[str, Policy]
) -> Any:
    """The ``repr`` of each row's policy, found by its target (vectorized, as a dictionary)."""
    pa = _arrow()
    require("pyarrow.compute", extra="fast", feature=_FEATURE)
    import pyarrow.compute as pc

    ids = pa.array([target.id for target in targets], pa.string())
    names = pa.array(_policy_names(targets, policy), pa.string())
    indices = pc.index_in(target_ids, value_set=ids).combine_chunks().cast(pa.int32())
    return pa.DictionaryArray.from_arrays(indices, names).cast(pa.string())


def _refused(problems: Sequence[Problem], table: pa.Table) -> dict[int, list[str]]:
    """Each bad row's position and its problems; a problem without a row stops the bucket."""
    refused: dict[int, list[str]] = {}
    for problem in problems:
        if not isinstance(problem.row, int):
            raise BulkValidationError([_named(p, table) for p in problems])
        refused.setdefault(problem.row, []).append(problem.message)
    return refused


def _error_rows(refused: dict[int, list[str]], table: pa.Table, schema: pa.Schema) -> pa.Table:
    pa = _arrow()
    rows = sorted(refused)
    picked = table.take(pa.array(rows, pa.int64()))
    n = len(rows)
    return pa.Table.from_arrays(
        [
            picked.column("student_id").cast(pa.string()),
            picked.column("target_id").cast(pa.string()),
            pa.nulls(n, pa.float64()),
            pa.nulls(n, pa.string()),
            pa.array([False] * n, pa.bool_()),
            pa.array([0] * n, pa.int64()),
            pa.nulls(n, pa.string()),
            pa.nulls(n, pa.string()),
            pa.array(["; ".join(refused[row]) for row in rows], pa.string()),
        ],
        schema=schema,
    )


# -- Parquet datasets, one bucket at a time --------------------------------------------------


@attrs.frozen(kw_only=True)
class StreamSummary:
    """What :func:`results` wrote.

    Attributes:
        path: The Parquet file of results.
        buckets: How many buckets were read (one row group each).
        students: How many students were scored.
        rows: How many result rows were written (refused input rows included).
        errors: How many input rows were refused (``on_error="column"``).
    """

    path: Path
    buckets: int
    students: int
    rows: int
    errors: int = 0


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) for part in relative.parts)


def buckets_of(source: str | os.PathLike[str]) -> list[list[Path]]:
    """Return the buckets of a Parquet dataset: lists of files, each list read as one.

    A file is one bucket. In a directory, the ``.parquet`` files are grouped by the directory
    they are in (a dataset partitioned by a bucket column, ``bucket=3/part-0.parquet``): each
    directory is a bucket; when every file is at the top, each file is a bucket. Names that
    start with ``.`` or ``_`` (``_SUCCESS``, ``.crc``) are left out, as Spark and pyarrow do.

    Raises:
        InvalidValueError: If ``source`` does not exist or holds no Parquet file.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("bucket=0/a.parquet", "bucket=0/b.parquet", "bucket=1/a.parquet"):
        ...     (root / name).parent.mkdir(exist_ok=True)
        ...     _ = (root / name).write_bytes(b"")
        >>> [[str(p.relative_to(root)) for p in bucket] for bucket in buckets_of(root)]
        [['bucket=0/a.parquet', 'bucket=0/b.parquet'], ['bucket=1/a.parquet']]
    """
    path = Path(source)
    if path.is_file():
        return [[path]]
    if not path.is_dir():
        msg = f"source={str(path)!r} does not exist; expected a Parquet file or directory"
        raise InvalidValueError(msg)
    files = sorted(
        p for p in path.rglob("*.parquet") if p.is_file() and not _hidden(p.relative_to(path))
    )
    if not files:
        msg = f"source={str(path)!r} holds no .parquet file; expected a Parquet dataset"
        raise InvalidValueError(msg)
    if all(p.parent == path for p in files):
        return [[p] for p in files]
    grouped: dict[Path, list[Path]] = {}
    for p in files:
        grouped.setdefault(p.parent, []).append(p)
    return [grouped[parent] for parent in sorted(grouped)]


class _Owners:
    """The file each student was first seen in; refuses a student seen in a second bucket."""

    def __init__(self) -> None:
        self._file: dict[str, Path] = {}
        self._bucket: dict[str, int] = {}

    def claim(self, students: list[str], file: Path, bucket: int) -> None:
        for student in students:
            first = self._bucket.setdefault(student, bucket)
            if first != bucket:
                msg = (
                    f"student_id={student!r} is in two buckets: {str(self._file[student])!r} "
                    f"and {str(file)!r}; expected each student's evidence in one bucket "
                    "(partition or hash the dataset by student_id)"
                )
                raise InvalidValueError(msg)
            self._file.setdefault(student, file)

    def __len__(self) -> int:
        return len(self._bucket)


def _read_bucket(
    files: list[Path], owners: _Owners, bucket: int
) -> tuple[pa.Table, Callable[[int], str]]:
    """The bucket's evidence, and what names a row of it: its file and row there (from 0)."""
    pa = _arrow()
    require("pyarrow.parquet", extra="fast", feature=_FEATURE)
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = []
    for file in files:
        names = pq.read_schema(file).names
        part = pq.read_table(file, columns=[n for n in _EVIDENCE_COLUMNS if n in names])
        if "student_id" in part.column_names:
            ids = pc.unique(part.column("student_id")).drop_null().cast(pa.string())
            owners.claim(ids.to_pylist(), file, bucket)
        parts.append(part)
    starts = list(accumulate((part.num_rows for part in parts[:-1]), initial=0))

    def place(row: int) -> str:
        i = bisect_right(starts, row) - 1
        return f"{files[i]}: row {row - starts[i]}"

    return pa.concat_tables(parts, promote_options="default"), place


def results(
    source: str | os.PathLike[str],
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    out: str | os.PathLike[str],
    as_of: datetime | None = None,
    duplicates: Duplicates = "error",
    on_error: OnError = "raise",
    missing_scores: MissingScores = "skip",
    assume_tz: tzinfo | None = None,
    decimal: Decimal = ".",
    strip_ids: bool = False,
) -> StreamSummary:
    """Score a Parquet dataset bucket by bucket and write the results to a Parquet file.

    Each bucket (see :func:`buckets_of`) must hold whole students; it is read, scored by
    :func:`score_table` and written as one row group, so memory holds one bucket (its evidence
    and its results) at a time. The file is written under a temporary name and renamed when
    done, so ``out`` is never a partial file.

    Args:
        source: A Parquet file, or a directory of them (partitioned or hash-bucketed by
            student).
        targets: The learning targets, in the order of the results.
        policy: A policy, or a mapping of target id to policy.
        out: The Parquet file to write (replaced if it exists).
        as_of: See :meth:`Gradebook.results <mastery_grading.Gradebook.results>`.
        duplicates: See :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>`.
        on_error: ``"raise"`` or ``"column"`` (see the module's introduction).
        missing_scores: How a missing score is read, as for ``Gradebook.from_frame``.
        assume_tz: The time zone of times without an offset, as for ``Gradebook.from_frame``.
        decimal: The decimal mark of numbers written as text, ``"."`` or ``","``.
        strip_ids: Trim the spaces around ids (by default they are kept as written).

    Returns:
        A :class:`StreamSummary`.

    Raises:
        InvalidValueError: If two buckets hold evidence of one student (naming the student
            and both files), or ``source`` holds no Parquet file.
        BulkValidationError: With ``on_error="raise"``, for the first bucket with bad rows:
            each problem named by its file and its row there (counted from 0, as pyarrow
            does), then its student and target.
    """
    _check_on_error(on_error)
    text = _text_options(missing_scores, assume_tz, decimal, strip_ids)
    _arrow()
    require("pyarrow.parquet", extra="fast", feature=_FEATURE)
    import pyarrow.parquet as pq

    targets = list(targets)
    buckets = buckets_of(source)
    target_path = Path(out)
    partial = target_path.with_name(f".{target_path.name}.partial")
    owners = _Owners()
    rows = errors = 0
    schema = result_schema(on_error=on_error)
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for index, files in enumerate(buckets):
                table, place = _read_bucket(files, owners, index)
                scored = _score(table, targets, policy, as_of, duplicates, on_error, text, place)
                del table
                writer.write_table(scored, row_group_size=max(1, scored.num_rows))
                rows += scored.num_rows
                if on_error == "column":
                    errors += scored.num_rows - scored.column(ERRORS_COLUMN).null_count
        partial.replace(target_path)
    finally:
        partial.unlink(missing_ok=True)
    return StreamSummary(
        path=target_path, buckets=len(buckets), students=len(owners), rows=rows, errors=errors
    )
