r"""Timestamps of one common ISO 8601 form, read by the million with numpy.

The columnar CSV reader reads every distinct ``observed_at`` cell of a file. Read one by one
(:func:`~mastery_grading._text.parse_timestamp`, then the checks of
:class:`~mastery_grading.Evidence`), a cell costs a few microseconds: seconds for a file where
nearly every row has its own time. :func:`iso_times` reads the cells of one strict form at
once, to the same instant and the same UTC offset, and leaves every other cell, and every cell
that Python's :class:`~datetime.datetime` would refuse, to the one-by-one reading:

``YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}](Z|±HH:MM)``, and, when the time zone to assume is a fixed
offset, the same without the offset, or a date alone (midnight).

The ranges are checked as :class:`~datetime.datetime` checks them (a year from 1, a month
from 1 to 12, a day of that month, leap years included, an hour to 23, a minute and a second
to 59, an offset under 24 hours); a cell out of range is left to the one-by-one reading, which
words the problem.

Example:
    >>> import pyarrow as pa
    >>> cells = pa.array(["2026-10-01T09:00:00Z", "2026-10-01 11:00:00.5+02:00", "soon"])
    >>> times = iso_times(cells, assume_tz=None)
    >>> times.read.tolist(), times.micros[:2].tolist() == [1790845200000000, 1790845200500000]
    ([True, True, False], True)
    >>> [t.isoformat() for t in times.datetimes()[:2]]
    ['2026-10-01T09:00:00+00:00', '2026-10-01T11:00:00.500000+02:00']
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from mastery_grading._extras import require

__all__ = ["PATTERN", "IsoTimes", "iso_times", "read_times", "vectorizable"]

#: The form read vectorized (after it, Python's own reading decides).
PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
#: The most characters a cell of the form has (a fraction of 6 digits and an offset).
_WIDTH = 32
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def vectorizable(assume_tz: tzinfo | None) -> bool:
    """Whether the cells of a column may be read vectorized with this ``assume_tz``.

    Cells read one by one and cells read vectorized must give values that cannot be told
    apart, even where the one-by-one reading gives one value for two equal cells (the first
    one's): so the time zone to assume is none, a zone (never equal to an offset) or a fixed
    offset without a name of its own.

    Example:
        >>> from datetime import timezone, timedelta
        >>> vectorizable(None), vectorizable(timezone(timedelta(hours=2)))
        (True, True)
        >>> vectorizable(timezone(timedelta(0), "GMT"))
        False
    """
    if assume_tz is None or type(assume_tz) is ZoneInfo:
        return True
    if type(assume_tz) is not timezone:
        return False
    plain = timezone(assume_tz.utcoffset(None))
    return repr(assume_tz) == repr(plain) and assume_tz.tzname(None) == plain.tzname(None)


class IsoTimes:
    """The cells of an Arrow string array read as times, where they are of the strict form.

    Attributes:
        read: Per cell, whether it was read (of the form and in range).
        micros: Per cell, its instant in microseconds since 1970-01-01 UTC (0 where not read).
        offsets: Per cell, its UTC offset in microseconds (0 where not read).
        assumed: Per cell, whether it had no offset and took the time zone to assume.
    """

    def __init__(
        self, read: Any, micros: Any, offsets: Any, assumed: Any, assume_tz: tzinfo | None
    ) -> None:
        self.read = read
        self.micros = micros
        self.offsets = offsets
        self.assumed = assumed
        self._assume_tz = assume_tz

    def datetimes(self, positions: Any = None) -> list[datetime]:
        """The datetimes of the cells at ``positions`` (all by default), as Python reads them.

        Each keeps its own offset, as :func:`datetime.fromisoformat` gives it (``Z`` and
        ``+00:00`` are :data:`datetime.UTC`), or the time zone to assume.
        """
        require("numpy", extra="fast", feature="the columnar evidence reader")
        import numpy as np

        if positions is None:
            positions = np.arange(len(self.read))
        offsets = self.offsets[positions]
        local = (self.micros[positions] + offsets).astype("datetime64[us]").tolist()
        zones: dict[int, tzinfo] = {0: UTC}
        out: list[datetime] = []
        for moment, offset, assumed in zip(
            local, offsets.tolist(), self.assumed[positions].tolist(), strict=True
        ):
            zone = self._assume_tz if assumed else zones.get(offset)
            if zone is None:
                zone = zones[offset] = timezone(timedelta(microseconds=offset))
            out.append(moment.replace(tzinfo=zone))
        return out


def iso_times(cells: Any, *, assume_tz: tzinfo | None) -> IsoTimes:
    """Read the cells of the strict form (see the module) of an Arrow string array.

    A cell without an offset is read only when ``assume_tz`` is a fixed offset
    (:class:`datetime.timezone`); it then takes that offset, as Python's reading does.
    """
    require("numpy", extra="fast", feature="the columnar evidence reader")
    require("pyarrow", extra="fast", feature="the columnar evidence reader")
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(cells)
    read = pc.match_substring_regex(cells, PATTERN).to_numpy(zero_copy_only=False)
    micros = np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n, dtype=np.int64)
    assumed = np.zeros(n, dtype=np.bool_)
    which = np.flatnonzero(read)
    if not len(which):
        return IsoTimes(read, micros, offsets, assumed, assume_tz)
    matched = cells.take(pa.array(which))
    length = pc.binary_length(matched).to_numpy(zero_copy_only=False).astype(np.int32)
    # every cell of the form has at most 32 characters: padded to 32, the cells are the rows of
    # a matrix of bytes, their first 26 (a date, a time, a fraction) and their last 6 (an offset)
    head = _rows(pc.utf8_rpad(matched, _WIDTH, " "), np)
    tail = _rows(pc.utf8_lpad(matched, _WIDTH, " "), np)[:, _WIDTH - 6 :]

    def number(rows: Any, at: int, count: int) -> Any:
        """The number written in ``count`` digits from byte ``at`` of each cell."""
        value = rows[:, at].astype(np.int32) - 48
        for k in range(1, count):
            value = value * 10 + (rows[:, at + k].astype(np.int32) - 48)
        return value

    year, month, day = number(head, 0, 4), number(head, 5, 2), number(head, 8, 2)
    timed = length > 10  # else a date alone
    hour = np.where(timed, number(head, 11, 2), 0)
    minute = np.where(timed, number(head, 14, 2), 0)
    second = np.where(timed, number(head, 17, 2), 0)
    zulu = tail[:, 5] == ord("Z")
    # an offset's sign: never at that place in a cell of the form without one (it holds a
    # digit or the decimal point there, or lies before the time)
    plus, minus = tail[:, 0] == ord("+"), tail[:, 0] == ord("-")
    signed = timed & ~zulu & (length >= 25) & (plus | minus)
    body = length - np.where(zulu, 1, np.where(signed, 6, 0))
    places = body - 20  # digits of the fraction of a second, when positive
    fraction = np.zeros(len(which), dtype=np.int64)
    for k in range(6):
        fraction += np.where(places > k, head[:, 20 + k].astype(np.int64) - 48, 0) * 10 ** (5 - k)
    offset_hours = np.where(signed, number(tail, 1, 2), 0)
    offset_minutes = np.where(signed, number(tail, 4, 2), 0)
    offset = np.where(minus, -60_000_000, 60_000_000) * (offset_hours * 60 + offset_minutes)
    offset = np.where(signed, offset, 0)

    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.asarray(_DAYS_IN_MONTH)[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    good = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    good &= (hour <= 23) & (minute <= 59) & (second <= 59)
    good &= (offset_hours <= 23) & (offset_minutes <= 59)
    naive = ~zulu & ~signed
    if assume_tz is not None and type(assume_tz) is timezone:
        fixed = assume_tz.utcoffset(None) // timedelta(microseconds=1)
        offset = np.where(naive, fixed, offset)
    else:
        good &= ~naive  # the time zone to assume gives each day its own offset, or there is none

    days = _days_from_civil(year.astype(np.int64), month, day)
    seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
    read[which] = good
    micros[which] = np.where(good, seconds * 1_000_000 + fraction - offset, 0)
    offsets[which] = np.where(good, offset, 0)
    assumed[which] = good & naive
    return IsoTimes(read, micros, offsets, assumed, assume_tz)


#: What a reader of the other cells gives: their distinct datetimes and each cell's code among
#: them, or ``None`` when it cannot read them all.
OthersRead = tuple[list[datetime], Any] | None


def read_times(
    cells: Any, assume_tz: tzinfo | None, others: Callable[[Any], OthersRead]
) -> tuple[Any, Any, Callable[[], list[datetime]]] | None:
    """Read distinct time cells: those of the strict form vectorized, the others by ``others``.

    ``others`` is given the positions of the cells :func:`iso_times` does not read, and reads
    them one by one (as the file's own reader reads a cell, wording what it cannot read).
    Two cells of the form that read alike (``Z`` and ``+00:00``) keep a value each: equal
    values that cannot be told apart. ``None`` when ``others`` gives ``None``.

    Returns the code of each cell among the values, their instants (microseconds since the
    epoch) and the function that makes their datetimes, each in the offset it was written in.

    Example:
        >>> import pyarrow as pa
        >>> cells = pa.array(["2026-10-01T09:00:00Z", "soon"])
        >>> codes, micros, made = read_times(cells, None, lambda at: ([_EPOCH], [0] * len(at)))
        >>> codes.tolist(), micros.tolist() == [1790845200000000, 0]
        ([0, 1], True)
    """
    require("numpy", extra="fast", feature="the columnar evidence reader")
    import numpy as np

    read = iso_times(cells, assume_tz=assume_tz)
    fast = np.flatnonzero(read.read)
    slow = np.flatnonzero(~read.read)
    codes = np.empty(len(cells), dtype=np.int32)
    codes[fast] = np.arange(len(fast), dtype=np.int32)
    values: list[datetime] = []
    if len(slow):
        found = others(slow)
        if found is None:
            return None
        values, slow_codes = found
        codes[slow] = len(fast) + np.asarray(slow_codes, dtype=np.int32)
    micros = np.concatenate(
        [read.micros[fast], np.asarray([(t - _EPOCH) // _MICRO for t in values], np.int64)]
    )

    def datetimes() -> list[datetime]:
        return [*read.datetimes(fast), *values]

    return codes, micros, datetimes


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _rows(cells: Any, np: Any) -> Any:
    """The bytes of cells of one length (:data:`_WIDTH`) as the rows of a matrix, not copied."""
    wide = str(cells.type) == "large_string"
    _, offset_buffer, data_buffer = cells.buffers()
    ends = np.frombuffer(offset_buffer, dtype=np.int64 if wide else np.int32)
    first, last = int(ends[cells.offset]), int(ends[cells.offset + len(cells)])
    return np.frombuffer(data_buffer, dtype=np.uint8)[first:last].reshape(len(cells), _WIDTH)


def _days_from_civil(year: Any, month: Any, day: Any) -> Any:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = of_era * 365 + of_era // 4 - of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468
