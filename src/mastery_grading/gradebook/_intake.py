"""How evidence enters a gradebook: a batch of records or a frame, read under its options.

:meth:`~mastery_grading.Gradebook.add`, :meth:`~mastery_grading.Gradebook.add_frame` and the
``from_*`` constructors take the same options: ``duplicates`` (:mod:`._duplicates`) and the
rules of every input path for missing scores, times, the decimal mark and ids
(``mastery_grading._text.TextRules``). Here a batch is read under them, every problem raised
once, and the missing scores skipped are counted in one
:class:`~mastery_grading.MissingScoreWarning` per batch.

Example:
    >>> from datetime import datetime, timezone
    >>> from mastery_grading import LearningTarget
    >>> from mastery_grading._text import TextRules
    >>> row = {"student_id": "s", "target_id": "T", "score": "3,5",
    ...        "observed_at": "2026-10-01T09:00:00+02:00"}
    >>> items, skipped = read_records([row, {**row, "score": ""}],
    ...                               {"T": LearningTarget(id="T", title="T")}, "error",
    ...                               rules=TextRules(decimal=","))
    >>> items[0].score, skipped
    (3.5, [1])
"""

from __future__ import annotations

import warnings
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading._text import MissingScoreWarning, TextRules, skipped_note
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError
from mastery_grading.gradebook._attributes import StudentAttributes
from mastery_grading.gradebook._duplicates import Duplicates
from mastery_grading.gradebook._problems import validate_evidence
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    from mastery_grading.gradebook._engine import Columns

__all__ = ["read_frame", "read_records", "warn_skipped"]


def read_records(
    evidence: Iterable[Any],
    targets: Mapping[str, LearningTarget],
    duplicates: Duplicates,
    known: Container[tuple[Any, ...]] = frozenset(),
    *,
    rules: TextRules,
    keys_out: list[tuple[Any, ...]] | None = None,
) -> tuple[list[Evidence], list[int]]:
    """Return the evidence of a batch of Evidence objects and dicts, and the skipped positions.

    ``keys_out`` receives the duplicate keys of the evidence (see ``validate_evidence``).

    Raises:
        BulkValidationError: Listing every problem of every kind, by position.
    """
    items, problems, skipped = validate_evidence(
        evidence, targets, duplicates, known, rules, keys_out
    )
    if problems:
        raise BulkValidationError(problems)
    return items, skipped


def read_frame(
    frame: Any,
    targets: Mapping[str, LearningTarget],
    columns: Mapping[str, str] | None,
    duplicates: Duplicates,
    *,
    rules: TextRules,
    stored: Columns | None = None,
    threads: int | None = None,
) -> tuple[Columns, StudentAttributes, list[Hashable]]:
    """Return the rows of a frame as columns, its per-student attributes and skipped rows.

    The frame's other columns with one value per student are its attributes (and a
    ``section`` column's every value); a skipped row is named by its index label. Copies of
    ``stored`` (the columns of the evidence already in the gradebook) are duplicates too.

    Raises:
        BulkValidationError: Listing every bad row of every kind, by index label.
        MissingExtraError: If numpy is not installed (the ``data`` extra).
    """
    require("numpy", extra="data", feature="Gradebook.from_frame()")
    from mastery_grading.gradebook._attributes import from_frame as attributes_from_frame
    from mastery_grading.gradebook._engine._frames import OPTIONAL, REQUIRED, columns_from_frame

    cols, skipped = columns_from_frame(
        frame,
        list(targets.values()),
        columns or {},
        duplicates=duplicates,
        rules=rules,
        stored=stored,
        threads=threads,
    )
    attributes = StudentAttributes.read(None)
    if len(cols):
        named = {field: (columns or {}).get(field, field) for field in REQUIRED + OPTIONAL}
        attributes = attributes_from_frame(frame, set(named.values()), named["student_id"])
    return cols, attributes, skipped


def warn_skipped(skipped: Sequence[Hashable], *, stacklevel: int) -> None:
    """Warn once for every missing score of a batch (rows by position or index label).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_skipped(["r1", "r7"], stacklevel=1)
        >>> print(caught[0].message)
        score is missing (None or NaN) on 2 rows (rows r1, r7): missing evidence, skipped (not counted as 0)
    """  # noqa: E501
    if skipped:
        note = skipped_note("score", "row", skipped, what="missing (None or NaN)")
        warnings.warn(note, MissingScoreWarning, stacklevel=stacklevel + 1)
