r"""Results and grades of a Spark DataFrame of evidence: the same engine, bucket by bucket.

A state's gradebook (millions of students) lives in a cluster. :func:`results` and
:func:`grades` take a Spark DataFrame with the evidence columns of :meth:`Gradebook.from_frame
<mastery_grading.Gradebook.from_frame>` and return a Spark DataFrame, lazily, as Spark does:

1. a column ``bucket = pmod(xxhash64(student_id), buckets)`` gives every student one bucket;
2. ``groupBy("bucket").applyInArrow(...)`` hands each bucket, a ``pyarrow.Table``, to
   :func:`mastery_grading.stream.score_table`: one call per bucket (never one per student)
   running :meth:`Gradebook.results <mastery_grading.Gradebook.results>` on it. Where
   ``applyInArrow`` is missing (Spark before 4.0), ``applyInPandas`` does the same through
   pandas.

The output has a fixed schema, :data:`RESULTS_DDL` (the columns of
:data:`mastery_grading.stream.OUTPUT_COLUMNS`); ``on_error="column"`` adds ``errors``
(:data:`ERRORS_DDL`). Rows come in no particular order (sort with ``orderBy`` if you need one);
each student has one row per target, as in :class:`~mastery_grading.ResultTable`. Bad rows are
never dropped silently: ``on_error="raise"`` fails the job (Spark raises its
``PythonException``, whose message holds the library's
:class:`~mastery_grading.exceptions.BulkValidationError`: the bad rows of the first bad bucket,
each named by student and target); ``on_error="column"`` returns them in the ``errors`` column,
as :mod:`mastery_grading.stream` describes.

Only the evidence columns are read (``student_id``, ``target_id``, ``score``, ``observed_at``
and any of ``kind``, ``weight``, ``source_id``, ``context``, ``attempt``, ``independent``).
The library must be installed on the executors (``pip install "mastery_grading[spark]"``),
and the Python of the workers must be the same as the driver's.

Requires pyspark 4.0 or later, pyarrow and polars (the ``spark`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.gradebook import Duplicates, Gradebook
from mastery_grading.protocols import GradeConverter, Policy
from mastery_grading.stream import OnError, grade_table, result_schema, score_table
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BUCKET", "ERRORS_DDL", "GRADES_DDL", "RESULTS_DDL", "bucketed", "grades", "results"]

#: The schema of :func:`results`, in Spark's DDL.
RESULTS_DDL = (
    "student_id string, target_id string, value double, level string, mastered boolean, "
    "evidence_count bigint, reason string, policy string"
)
#: The schema of :func:`results` with ``on_error="column"``.
ERRORS_DDL = f"{RESULTS_DDL}, errors string"
#: The schema of :func:`grades` (the first three columns of ``GRADE_COLUMNS``).
GRADES_DDL = "student_id string, letter string, reason string"
#: The name of the bucket column added before grouping.
BUCKET = "bucket"

_FEATURE = "mastery_grading.spark"
_REQUIRED = ("student_id", "target_id", "score", "observed_at")
_OPTIONAL = ("kind", "weight", "source_id", "context", "attempt", "independent")


def _spark() -> Any:
    require("pyspark", extra="spark", feature=_FEATURE)
    require("pyarrow", extra="spark", feature=_FEATURE)
    require("polars", extra="spark", feature=_FEATURE)
    import pyspark.sql.functions as functions

    return functions


def bucketed(sdf: Any, buckets: int | None = None) -> Any:
    """Return the evidence columns of ``sdf`` and the column ``bucket``, grouped by bucket.

    ``bucket`` is ``pmod(xxhash64(student_id), buckets)``: every row of a student falls in
    one bucket. ``buckets`` defaults to the session's ``spark.sql.shuffle.partitions``.

    Args:
        sdf: A Spark DataFrame of evidence.
        buckets: The number of buckets, a positive int (see the how-to for a rule of thumb).

    Returns:
        A ``pyspark.sql.GroupedData``.

    Raises:
        InvalidValueError: If a required column is missing or ``buckets`` is not positive.

    Example (with a Spark session): the rows of each bucket, to choose ``buckets``::

        bucketed(evidence, 400).count().agg({"count": "max"}).show()
    """
    functions = _spark()
    missing = [name for name in _REQUIRED if name not in sdf.columns]
    if missing:
        msg = f"columns={sdf.columns!r} lacks {missing}; expected the evidence columns {_REQUIRED}"
        raise InvalidValueError(msg)
    if buckets is None:
        buckets = int(sdf.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        msg = f"buckets={buckets!r} is not a positive int; expected the number of buckets"
        raise InvalidValueError(msg)
    kept = [*_REQUIRED, *(name for name in _OPTIONAL if name in sdf.columns)]
    bucket = functions.pmod(functions.xxhash64("student_id"), functions.lit(buckets))
    return sdf.select(*kept).withColumn(BUCKET, bucket).groupBy(BUCKET)


def _apply(
    grouped: Any, scorer: Callable[[pa.Table], pa.Table], schema: str, time_zone: str
) -> Any:
    """``applyInArrow`` with ``scorer``, or ``applyInPandas`` where Spark has no Arrow groups."""
    if hasattr(grouped, "applyInArrow"):
        return grouped.applyInArrow(lambda table: scorer(table.drop_columns([BUCKET])), schema)

    def through_pandas(frame: Any) -> Any:
        require("pyarrow", extra="spark", feature=_FEATURE)
        import pyarrow as pa

        times = frame["observed_at"]
        if getattr(times.dt, "tz", None) is None:  # pandas groups get naive session-local times
            frame = frame.assign(observed_at=times.dt.tz_localize(time_zone))
        table = pa.Table.from_pandas(frame.drop(columns=[BUCKET]), preserve_index=False)
        out = scorer(table)
        # text as Python objects: pyspark converts pandas 3's Arrow-backed strings chunk-wise
        text = [field.name for field in out.schema if pa.types.is_string(field.type)]
        return out.to_pandas().astype(dict.fromkeys(text, object))

    return grouped.applyInPandas(through_pandas, schema)


def _time_zone(sdf: Any) -> str:
    return str(sdf.sparkSession.conf.get("spark.sql.session.timeZone"))


def results(
    sdf: Any,
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    *,
    as_of: datetime | None = None,
    buckets: int | None = None,
    duplicates: Duplicates = "error",
    on_error: OnError = "raise",
) -> Any:
    """Return the result of ``policy`` for every student on every target, as a Spark DataFrame.

    The same results as :meth:`Gradebook.results <mastery_grading.Gradebook.results>` on a
    gradebook of all of ``sdf``, row for row (in another order); see the module's introduction.

    Args:
        sdf: A Spark DataFrame of evidence (``observed_at`` a ``TIMESTAMP`` column: a
            ``TIMESTAMP_NTZ`` has no time zone, and its rows are refused as naive times).
        targets: The learning targets.
        policy: A policy, or a mapping of target id to policy (every target, and only those).
        as_of: See :meth:`Gradebook.results <mastery_grading.Gradebook.results>`.
        buckets: The number of buckets (the session's ``spark.sql.shuffle.partitions`` when
            not given). Each bucket is one Python call holding its evidence in memory.
        duplicates: See :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>`.
        on_error: ``"raise"`` (fail the job on a bad row) or ``"column"`` (an ``errors``
            column).

    Returns:
        A lazy Spark DataFrame with the schema :data:`RESULTS_DDL` (:data:`ERRORS_DDL` with
        ``on_error="column"``).

    Raises:
        InvalidValueError: At once, on the driver, if an argument is invalid (a mapping that
            leaves out a target, a naive ``as_of``, a missing column, ...).
        InvalidTypeError: If ``policy`` is not a policy.

    Example (with a Spark session; ``tests/test_spark.py`` runs the same)::

        evidence = spark.read.parquet("evidence/")  # observed_at a TIMESTAMP (not _NTZ)
        found = results(evidence, targets, policies.DecayingAverage(), buckets=400)
        found.filter("level = 'beginning'").groupBy("target_id").count().show()
    """
    _spark()
    targets = list(targets)
    result_schema(on_error=on_error)  # checks on_error
    Gradebook(targets=targets).results(policy, as_of=as_of)  # checks the rest, on the driver
    grouped = bucketed(sdf, buckets)

    def scorer(table: pa.Table) -> pa.Table:
        return score_table(
            table, targets, policy, as_of=as_of, duplicates=duplicates, on_error=on_error
        )

    schema = ERRORS_DDL if on_error == "column" else RESULTS_DDL
    return _apply(grouped, scorer, schema, _time_zone(sdf))


def grades(
    sdf: Any,
    targets: Iterable[LearningTarget],
    policy: Policy | Mapping[str, Policy],
    converter: GradeConverter,
    *,
    as_of: datetime | None = None,
    buckets: int | None = None,
    duplicates: Duplicates = "error",
) -> Any:
    """Return every student's letter, as a Spark DataFrame with the schema :data:`GRADES_DDL`.

    Each bucket runs :func:`mastery_grading.stream.grade_table`, that is
    :meth:`Gradebook.grades <mastery_grading.Gradebook.grades>` with ``on_gap="ignore"`` (a
    student in a gap of a rule set has no letter, and the reason says so). A bad row fails
    the job, named by student and target, as with ``results``.

    Args:
        sdf: A Spark DataFrame of evidence.
        targets: The learning targets.
        policy: A policy, or a mapping of target id to policy.
        converter: A grade converter (``mastery_grading.grades``).
        as_of: See :func:`results`.
        buckets: See :func:`results`.
        duplicates: See :func:`results`.

    Returns:
        A lazy Spark DataFrame with the columns ``student_id``, ``letter`` and ``reason``.

    Example (with a Spark session)::

        letters = grades(evidence, targets, policies.Mean(), AverageCutoffs.marzano_2010())
        letters.groupBy("letter").count().show()
    """
    _spark()
    targets = list(targets)
    Gradebook(targets=targets).grades(converter, policy=policy, as_of=as_of)
    grouped = bucketed(sdf, buckets)

    def grader(table: pa.Table) -> pa.Table:
        return grade_table(table, targets, policy, converter, as_of=as_of, duplicates=duplicates)

    return _apply(grouped, grader, GRADES_DDL, _time_zone(sdf))
