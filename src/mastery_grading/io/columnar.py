r"""Reading a plain evidence CSV file by columns, for a class of a million rows.

:func:`read_evidence_columns` reads the same files as
:func:`~mastery_grading.io.read_evidence_csv`, with the same rules, but by columns: Arrow's CSV
reader (the ``fast`` extra: pyarrow and pandas) splits the file, each column is
dictionary-encoded, and every *distinct* cell is read by the very functions the row reader uses
(the same number and timestamp rules, the same :class:`~mastery_grading.Evidence` checks).
A million rows with a few thousand distinct timestamps cost a few thousand timestamp parses.
Timestamps of the common ISO 8601 form (``2026-10-01T09:00:00+02:00``) are read vectorized to
the same values, a million of them in a fraction of a second; the others one by one.

It never words a problem itself. When anything in the file is not plain (a quote character,
a ragged or blank row, a blank or bad cell, an unknown or repeated column, bytes that are not
UTF-8, the extra not installed) it returns ``None`` and the caller reads the file with the row
reader, so that every warning and every message is exactly the row reader's.

:class:`EvidenceColumns` gives the evidence both ways: :meth:`~EvidenceColumns.frame`, a pandas
DataFrame for :meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>` (the
vectorized engine), and :meth:`~EvidenceColumns.evidence`, the same ``Evidence`` objects the
row reader gives.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "evidence.csv"
    >>> _ = path.write_text("student_id,target_id,score,observed_at\n"
    ...                     "ana,LE.1,3,2026-10-01T09:00:00Z\n"
    ...                     "ben,LE.1,2.5,2026-10-01T09:00:00Z\n")
    >>> found = read_evidence_columns(path)
    >>> len(found), found.target_ids, found.evidence()[1].score
    (2, ('LE.1',), 2.5)
    >>> read_evidence_columns(path, assume_tz=None) is not None  # a blank score would give None
    True
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from mastery_grading._extras import available, require
from mastery_grading._text import ID_FIELDS, Decimal, MissingScores, check_missing_scores
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import DataFileError, MasteryGradingError
from mastery_grading.gradebook import DUPLICATE_FIELDS, Duplicates, duplicate_rows
from mastery_grading.io._common import (
    Problems,
    Table,
    clean_cell,
    detect_delimiter,
    map_columns,
    source_name,
)
from mastery_grading.io._iso_times import read_times, vectorizable
from mastery_grading.io.native import EVIDENCE_COLUMNS, evidence_parsers
from mastery_grading.targets import LearningTarget

__all__ = ["EvidenceColumns", "columnar_available", "read_evidence_columns"]

_REQUIRED = EVIDENCE_COLUMNS[:4]
#: Fields that Evidence keeps as given and only checks to be a non-blank string.
_PLAIN_IDS = frozenset({"student_id", "target_id"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
#: The first rows of a column of times that tell whether its times are nearly all distinct.
_SAMPLE = 4096
_PROBE: dict[str, Any] = {
    "student_id": "s",
    "target_id": "t",
    "score": 0.0,
    "observed_at": _EPOCH,
}


def columnar_available() -> bool:
    """Whether the columnar reader can run: pyarrow, pandas and numpy are installed.

    Example:
        >>> isinstance(columnar_available(), bool)
        True
    """
    return all(available(name) for name in ("pyarrow", "pandas", "numpy"))


class EvidenceColumns:
    r"""Evidence read by columns: one code per row and column into that column's distinct values.

    Every value is the one an :class:`~mastery_grading.Evidence` built from the row holds (the
    row reader's parsing and the class's own conversion), so :meth:`evidence` equals what
    :func:`~mastery_grading.io.read_evidence_csv` returns for the same file.

    Example:
        >>> import io
        >>> found = read_evidence_columns(io.BytesIO(
        ...     b"student_id,target_id,score,observed_at\nana,T,3,2026-10-01T09:00:00Z\n"))
        >>> found is None  # only files (a path) are read by columns
        True
    """

    def __init__(
        self,
        n: int,
        codes: dict[str, Any],
        values: dict[str, list[Any]],
        warnings: tuple[str, ...] = (),
        lines: Any = None,
        micros: Any = None,
        datetimes: Callable[[], list[datetime]] | None = None,
    ) -> None:
        self._n = n
        self._codes = codes
        self._values = values
        self._lines = lines
        # the distinct times as microseconds since the epoch, when the reader has them (Parquet):
        # then their datetimes are made only when asked for (:meth:`evidence`): in UTC, or
        # by ``datetimes``, each in the offset it was written in (CSV)
        self._micros = micros
        self._datetimes = datetimes
        #: Notes that did not stop reading (unknown columns), as the row reader words them.
        self.warnings = warnings

    def line(self, position: int) -> int:
        r"""The line in the file of the piece of evidence at ``position`` (the header is line 1).

        Example:
            >>> import tempfile
            >>> from pathlib import Path
            >>> path = Path(tempfile.mkdtemp()) / "e.csv"
            >>> _ = path.write_text("student_id,target_id,score,observed_at\n"
            ...                     "ana,T,3,2026-10-01T09:00:00Z\n")
            >>> read_evidence_columns(path).line(0)
            2
        """
        return int(position + 2 if self._lines is None else self._lines[position])

    def duplicate_copies(self) -> Any:
        r"""The mask of rows that copy an earlier row, found vectorized.

        A copy has the same student, target, time, score, source and kind.

        Example:
            >>> import tempfile
            >>> from pathlib import Path
            >>> path = Path(tempfile.mkdtemp()) / "e.csv"
            >>> row = "ana,T,3,2026-10-01T09:00:00Z\n"
            >>> _ = path.write_text("student_id,target_id,score,observed_at\n" + row * 2)
            >>> read_evidence_columns(path, duplicates="keep").duplicate_copies().tolist()
            [False, True]
        """
        require("numpy", extra="fast", feature="the columnar evidence reader")
        import numpy as np

        keys = []
        for name in DUPLICATE_FIELDS:
            if name not in self._codes:
                continue  # an absent column is one value for every row: it tells none apart
            if name == "observed_at" and self._micros is not None:
                keys.append(self._micros[self._codes[name]])
                continue
            canonical = [_canonical(name, value) for value in self._values[name]]
            index: dict[Any, int] = {}
            remap = np.asarray([index.setdefault(key, len(index)) for key in canonical])
            keys.append(remap[self._codes[name]])
        first = duplicate_rows(keys)
        return first != np.arange(self._n)

    def without(self, mask: Any) -> EvidenceColumns:
        """The same evidence without the rows where ``mask`` (their lines are kept)."""
        require("numpy", extra="fast", feature="the columnar evidence reader")
        import numpy as np

        keep = np.flatnonzero(~mask)
        lines = (keep + 2) if self._lines is None else self._lines[keep]
        codes = {name: column[keep] for name, column in self._codes.items()}
        return EvidenceColumns(
            len(keep), codes, self._values, self.warnings, lines, self._micros, self._datetimes
        )

    def __len__(self) -> int:
        """The number of pieces of evidence."""
        return self._n

    def __repr__(self) -> str:
        return f"EvidenceColumns(rows={self._n}, columns={list(self._codes)})"

    @property
    def target_ids(self) -> tuple[str, ...]:
        """The distinct target ids, in order of first appearance."""
        return tuple(self._values["target_id"])

    def fits(self, targets: Iterable[LearningTarget]) -> bool:
        r"""Whether every row names one of ``targets`` with a score inside its scale.

        Example:
            >>> from mastery_grading import LearningTarget, Scale
            >>> import tempfile
            >>> from pathlib import Path
            >>> path = Path(tempfile.mkdtemp()) / "e.csv"
            >>> _ = path.write_text("student_id,target_id,score,observed_at\n"
            ...                     "ana,T,9,2026-10-01T09:00:00Z\n")
            >>> found = read_evidence_columns(path)
            >>> found.fits([LearningTarget(id="T", title="T", scale=Scale.marzano())])
            False
        """
        require("numpy", extra="fast", feature="the columnar evidence reader")
        import numpy as np

        by_id = {target.id: target for target in targets}
        if any(target_id not in by_id for target_id in self._values["target_id"]):
            return False
        scores = np.asarray(self._values["score"], dtype=np.float64)[self._codes["score"]]
        lows = np.asarray([by_id[t].scale.min for t in self._values["target_id"]])
        highs = np.asarray([by_id[t].scale.max for t in self._values["target_id"]])
        codes = self._codes["target_id"]
        return bool(np.all((scores >= lows[codes]) & (scores <= highs[codes])))

    def frame(self) -> Any:
        """Return the evidence as a pandas DataFrame for ``Gradebook.from_frame``.

        Times are UTC instants to the microsecond; blank optional cells are missing values
        (the defaults of :class:`~mastery_grading.Evidence`).
        """
        require("numpy", extra="fast", feature="the columnar evidence reader")
        require("pandas", extra="fast", feature="the columnar evidence reader")
        require("pyarrow", extra="fast", feature="the columnar evidence reader")
        import numpy as np
        import pandas as pd
        import pyarrow as pa

        arrays: dict[str, Any] = {}
        for name, codes in self._codes.items():
            values = self._values.get(name, [])  # the times may be in self._micros only
            indices = pa.array(codes, type=pa.int32())
            if name in ("student_id", "target_id", "source_id", "context", "kind"):
                labels = [None if v is None else getattr(v, "value", v) for v in values]
                dictionary = pa.array(labels, pa.string())
                arrays[name] = pa.DictionaryArray.from_arrays(indices, dictionary)
            elif name == "observed_at":
                micros = self._micros
                if micros is None:
                    micros = np.asarray([(v - _EPOCH) // _MICRO for v in values], dtype=np.int64)
                arrays[name] = pa.array(micros[codes], type=pa.timestamp("us", tz="UTC"))
            elif name == "independent":  # blank: True, Evidence's default
                flags = np.asarray([v is None or bool(v) for v in values], dtype=np.bool_)
                arrays[name] = pa.array(flags[codes])
            else:  # score, weight, attempt: numbers, missing where blank
                numbers = [np.nan if v is None else float(v) for v in values]
                column = np.asarray(numbers, dtype=np.float64)[codes]
                arrays[name] = pa.array(column, from_pandas=True)
        return pa.table(arrays).to_pandas(types_mapper=pd.ArrowDtype)

    def evidence(self) -> tuple[Evidence, ...]:
        """Return one :class:`~mastery_grading.Evidence` per row, in file order."""
        if "observed_at" not in self._values and self._datetimes is not None:
            self._values["observed_at"] = self._datetimes()
        elif "observed_at" not in self._values and self._micros is not None:
            self._values["observed_at"] = [_EPOCH + m * _MICRO for m in self._micros.tolist()]
        names = list(self._codes)
        columns = [
            [self._values[name][code] for code in self._codes[name].tolist()] for name in names
        ]
        out: list[Evidence] = []
        for row in zip(*columns, strict=True):
            fields = dict(zip(names, row, strict=True))
            for name in names[4:]:
                if fields[name] is None:
                    del fields[name]
            out.append(Evidence(**fields))
        return tuple(out)


def _canonical(name: str, value: Any) -> Any:
    """What a duplicate compares of a distinct value: the instant, the number, the kind."""
    if name == "observed_at":
        return (value - _EPOCH) // _MICRO
    if name == "score":
        return float(value) + 0.0
    if name == "kind":
        return "summative" if value is None else getattr(value, "value", value)
    return value


def _plain_text(path: Path) -> bytes | None:
    """The bytes of a file that Arrow splits exactly as the row reader does, else ``None``."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data or b'"' in data:
        return None
    if data.count(b"\r") != data.count(b"\r\n"):
        return None
    if b"\n\n" in data or b"\n\r\n" in data:
        return None  # a blank line: the row reader numbers lines around it
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return data


def read_evidence_columns(
    source: Any,
    *,
    assume_tz: tzinfo | None = None,
    strict: bool = False,
    duplicates: Duplicates = "error",
    missing_scores: MissingScores = "skip",
    decimal: Decimal | None = None,
    strip_ids: bool = False,
) -> EvidenceColumns | None:
    """Read a plain evidence CSV file by columns, or return ``None`` to leave it to the row reader.

    Args:
        source: A path (an open stream gives ``None``).
        assume_tz: Time zone for timestamps without a UTC offset, as for the row reader.
        strict: Make unknown columns a problem (here: ``None``) instead of a warning.
        duplicates: As for the row reader: with ``"error"`` a file with duplicates gives
            ``None`` (the row reader lists them); ``"drop"`` keeps the first copy of each.
        missing_scores: As for the row reader; a blank score always gives ``None`` here (the
            row reader words its warning or problem).
        decimal: The decimal mark of numbers, as for the row reader.
        strip_ids: Trim the spaces around ids, as for the row reader.

    Returns:
        The evidence, or ``None`` when the file is anything but plain and valid (a blank score,
        a bad cell, an unknown column with ``strict``, a quote character, a ragged row...) or
        pyarrow and pandas are not installed: then :func:`~mastery_grading.io.read_evidence_csv`
        gives the same evidence, or the same warnings and problems.

    Example:
        >>> read_evidence_columns("no-such-file.csv") is None
        True
    """
    check_missing_scores(missing_scores)
    if not isinstance(source, str | os.PathLike) or not columnar_available():
        return None
    data = _plain_text(Path(source))
    if data is None:
        return None
    first_line = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    delimiter = detect_delimiter(first_line)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    problems = Problems(source_name(source))
    try:
        columns = map_columns(
            Table(header=tuple(header), rows=(), delimiter=delimiter),
            problems,
            required=_REQUIRED,
            optional=EVIDENCE_COLUMNS[4:],
            strict=strict,
        )
    except DataFileError:
        return None
    if problems.items or not header or not all(cell.strip() for cell in header):
        return None
    parsers = evidence_parsers(
        assume_tz=assume_tz,
        decimal=Table(header=(), rows=(), delimiter=delimiter).decimal(decimal),
        strip_ids=strip_ids,
    )
    found = _read(
        data, delimiter, len(header), columns, parsers, tuple(problems.warnings), assume_tz
    )
    if found is None or duplicates == "keep":
        return found
    copies = found.duplicate_copies()
    if not copies.any():
        return found
    return None if duplicates == "error" else found.without(copies)


def _read(
    data: bytes,
    delimiter: str,
    width: int,
    columns: dict[str, int],
    parsers: dict[str, Callable[[str], Any]],
    warnings: tuple[str, ...],
    assume_tz: tzinfo | None,
) -> EvidenceColumns | None:
    import io

    require("pyarrow", extra="fast", feature="the columnar evidence reader")
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                include_columns=[names[i] for i in columns.values()],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a ragged row, among others
    if not len(table):
        return None  # no rows: nothing to gain; the row reader's answer is the reference
    codes: dict[str, Any] = {}
    values: dict[str, list[Any]] = {}
    micros = datetimes = None
    for name in EVIDENCE_COLUMNS:
        if name not in columns:
            continue
        column = table.column(names[columns[name]]).combine_chunks()
        if name == "observed_at" and vectorizable(assume_tz):
            # times nearly all distinct are read as they come: finding the distinct ones would
            # cost more than reading them all
            sample = column.slice(0, _SAMPLE)
            encoded = (
                None if 2 * len(pc.unique(sample)) > len(sample) else pc.dictionary_encode(column)
            )
            times = _times(
                column if encoded is None else encoded.dictionary, parsers[name], assume_tz
            )
            if times is None:
                return None
            remap, micros, datetimes = times
            codes[name] = remap if encoded is None else remap[_numpy(encoded.indices)]
            continue
        encoded = pc.dictionary_encode(column)
        strip = name not in ID_FIELDS  # ids: as written, or as the parser strips them
        read = _distinct(name, encoded.dictionary.to_pylist(), parsers[name], strip=strip)
        if read is None:
            return None
        remap, distinct = read
        codes[name] = remap[encoded.indices.to_numpy(zero_copy_only=False)]
        values[name] = distinct
    return EvidenceColumns(len(table), codes, values, warnings, micros=micros, datetimes=datetimes)


def _times(
    cells: Any, parse: Callable[[str], Any], assume_tz: tzinfo | None
) -> tuple[Any, Any, Callable[[], list[datetime]]] | None:
    """Read the distinct cells of ``observed_at``; ``None`` if any cell is blank or bad.

    :func:`~mastery_grading.io._iso_times.read_times`, the cells it leaves read one by one by
    :func:`_distinct` (each distinct one once).
    """
    require("pyarrow", extra="fast", feature="the columnar evidence reader")
    import pyarrow.compute as pc

    def one_by_one(positions: Any) -> tuple[list[datetime], Any] | None:
        encoded = pc.dictionary_encode(cells.take(positions))
        found = _distinct("observed_at", encoded.dictionary.to_pylist(), parse, strip=True)
        if found is None:
            return None
        remap, distinct = found
        return distinct, remap[_numpy(encoded.indices)]

    return read_times(cells, assume_tz, one_by_one)


def _numpy(array: Any) -> Any:
    """An Arrow array of numbers as a numpy array."""
    return array.to_numpy(zero_copy_only=False)


def _distinct(
    name: str, cells: list[str], parse: Callable[[str], Any], *, strip: bool
) -> tuple[Any, list[Any]] | None:
    """Read each distinct cell as an Evidence field; ``None`` if any cell is blank or bad.

    Cells are stripped first unless ``strip=False`` (ids, kept as written), as the row
    reader reads them.

    Returns the code of each cell among the distinct *values* (cells that read alike, such as
    ``"3"`` and ``"3.0"``, share one) and those values.
    """
    require("numpy", extra="fast", feature="the columnar evidence reader")
    import numpy as np

    optional = name not in _REQUIRED
    index: dict[Any, int] = {}
    distinct: list[Any] = []
    remap = np.empty(len(cells), dtype=np.int32)
    for i, cell in enumerate(cells):
        text = clean_cell(cell, strip=strip)
        if not text.strip():
            if not optional:
                return None  # a blank required cell: a warning or a problem to word
            value = None
        else:
            try:
                parsed = parse(text)
                if name in _PLAIN_IDS:  # a non-blank str, as Evidence keeps it: no check left
                    value = parsed
                else:
                    value = getattr(Evidence(**{**_PROBE, name: parsed}), name)
            except (ValueError, MasteryGradingError):
                return None
        # -0.0 and 0.0, or 09:00Z and 11:00+02:00, are equal but read back differently
        detail = repr(value) if isinstance(value, float) else getattr(value, "tzinfo", None)
        key = (type(value), value, detail)
        if key not in index:
            index[key] = len(distinct)
            distinct.append(value)
        remap[i] = index[key]
    return remap, distinct
