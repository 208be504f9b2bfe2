"""Values written as text: the one rule every input path (CSV, JSON, frames) reads them by.

- A **number** has ``.`` as its decimal mark. A decimal comma (``3,5``) is an error naming the
  option that reads it, ``decimal=","``; with that option a lone comma is the decimal mark.
- A **time** is ISO 8601 (``2026-10-01T09:00:00+02:00``, ``Z`` for UTC, a date alone is
  midnight). One without a UTC offset needs ``assume_tz``, the time zone it was written in.
- A **missing score** (a blank cell, ``None``, ``NaN``) is missing evidence, never 0: skipped
  and counted in one warning per file or frame, or refused with ``missing_scores="error"``.
- An **id** is kept as written; ``strip_ids=True`` trims the spaces around it.

Example:
    >>> parse_number("3,5", decimal=","), parse_timestamp("2026-10-01T09:00:00Z").isoformat()
    (3.5, '2026-10-01T09:00:00+00:00')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Literal, TypeAlias

import attrs

from mastery_grading._validators import shown
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

__all__ = [
    "ID_FIELDS",
    "NUMBER",
    "Decimal",
    "MissingScoreWarning",
    "MissingScores",
    "TextRules",
    "check_decimal",
    "check_missing_scores",
    "is_missing",
    "parse_number",
    "parse_timestamp",
    "read_record",
    "skipped_note",
]

#: A number as the readers accept it (``.`` as the decimal mark).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

#: The decimal mark of numbers written as text: ``"."`` or ``","``.
Decimal: TypeAlias = Literal[".", ","]

#: What a missing score (blank, ``None``, ``NaN``) does: ``"skip"`` it (one warning for the
#: whole input) or ``"error"`` (a problem naming its row).
MissingScores: TypeAlias = Literal["skip", "error"]

#: The evidence fields that are ids, kept as written unless ``strip_ids=True``.
ID_FIELDS = ("student_id", "target_id", "source_id", "context")


def check_decimal(decimal: object) -> Decimal:
    """Return ``decimal`` if it is ``"."`` or ``","``.

    Raises:
        InvalidValueError: Naming the value and the two accepted.

    Example:
        >>> check_decimal(",")
        ','
    """
    if decimal == ".":
        return "."
    if decimal == ",":
        return ","
    msg = f"decimal={decimal!r} must be '.' or ','"
    raise InvalidValueError(msg)


def check_missing_scores(missing_scores: object) -> MissingScores:
    """Return ``missing_scores`` if it is ``"skip"`` or ``"error"``.

    Raises:
        InvalidValueError: Naming the value and the two accepted.

    Example:
        >>> check_missing_scores("error")
        'error'
    """
    if missing_scores == "skip":
        return "skip"
    if missing_scores == "error":
        return "error"
    msg = f"missing_scores={missing_scores!r} must be 'skip' or 'error'"
    raise InvalidValueError(msg)


def parse_number(text: str, *, decimal: Decimal = ".") -> float:
    """Return the finite number ``text`` holds, with ``decimal`` as its decimal mark.

    With ``decimal=","`` a lone comma is the decimal mark (``3,5`` is 3.5) and ``3.5`` still
    reads; with ``"."`` (the default) a decimal comma is an error that says how to read it.

    Raises:
        ValueError: If the text is not a finite number.

    Example:
        >>> parse_number(" -1.5e1"), parse_number("3,5", decimal=",")
        (-15.0, 3.5)
        >>> parse_number("3,5")
        Traceback (most recent call last):
        ...
        ValueError: '3,5' has a decimal comma; give decimal=',' (--decimal , on the command line) to read it as 3.5
    """  # noqa: E501
    cleaned = text.strip()
    comma = cleaned.count(",") == 1 and "." not in cleaned
    if comma and NUMBER.fullmatch(cleaned.replace(",", ".")):
        if decimal != ",":
            msg = (
                f"{shown(text)} has a decimal comma; give decimal=',' (--decimal , on the command "
                f"line) to read it as {cleaned.replace(',', '.')}"
            )
            raise ValueError(msg)
        cleaned = cleaned.replace(",", ".")
    if not NUMBER.fullmatch(cleaned):
        msg = f"{shown(text)} is not a number"
        raise ValueError(msg)
    value = float(cleaned)
    if not math.isfinite(value):
        msg = f"{shown(text)} is not a finite number"
        raise ValueError(msg)
    return value


def parse_timestamp(text: str, *, assume_tz: tzinfo | None = None) -> datetime:
    """Return the timezone-aware moment of an ISO 8601 timestamp (``Z`` and offsets accepted).

    A date alone means midnight. A timestamp without an offset takes ``assume_tz``.

    Raises:
        ValueError: If the text is not ISO 8601, or has no offset and no ``assume_tz``.

    Example:
        >>> parse_timestamp("2024-10-02T13:05:00-05:00").isoformat()
        '2024-10-02T13:05:00-05:00'
        >>> parse_timestamp("2024-10-02T13:05:00")
        Traceback (most recent call last):
        ...
        ValueError: '2024-10-02T13:05:00' has no UTC offset; add one (e.g. '+00:00') or give the time zone to assume (assume_tz=, --assume-tz on the command line)
    """  # noqa: E501
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        msg = f"{shown(text)} is not an ISO 8601 timestamp such as '2024-10-02T13:05:00-05:00'"
        raise ValueError(msg) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        if assume_tz is None:
            msg = (
                f"{shown(text)} has no UTC offset; add one (e.g. '+00:00') or give the time "
                "zone to assume (assume_tz=, --assume-tz on the command line)"
            )
            raise ValueError(msg)
        moment = moment.replace(tzinfo=assume_tz)
    return moment


def is_missing(value: Any) -> bool:
    """Whether a score is missing: ``None``, a float ``NaN`` (pandas' ``NA``) or blank text.

    Example:
        >>> [is_missing(v) for v in (None, float("nan"), " ", 0.0, "3")]
        [True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN, and pandas.NA (whose != is NA, not a bool)
    except TypeError:
        return True


def skipped_note(
    field: str, where: str, positions: Sequence[object], *, what: str = "blank"
) -> str:
    """Word the one warning for every missing score of an input.

    Args:
        field: The score column's name, as the input names it.
        where: What a position is (``"line"``, ``"row"``).
        positions: The position of each missing score, in input order.
        what: How the score is missing (``"blank"`` in files, ``"missing (None or NaN)"``).

    Example:
        >>> skipped_note("score", "row", [0, 3], what="missing (None or NaN)")
        'score is missing (None or NaN) on 2 rows (rows 0, 3): missing evidence, skipped (not counted as 0)'
        >>> skipped_note("score", "line", [3])
        'score is blank: missing evidence, skipped (not counted as 0)'
    """  # noqa: E501
    tail = "missing evidence, skipped (not counted as 0)"
    if len(positions) == 1 and where == "line":  # the warning already names the line
        return f"{field} is {what}: {tail}"
    shown = ", ".join(str(p) for p in positions[:10])
    more = f" and {len(positions) - 10} more" if len(positions) > 10 else ""
    s = "" if len(positions) == 1 else "s"
    return f"{field} is {what} on {len(positions)} row{s} ({where}{s} {shown}{more}): {tail}"


class MissingScoreWarning(UserWarning):
    """Scores were missing (``None``, ``NaN``, blank) and skipped as missing evidence, never 0.

    :class:`~mastery_grading.Gradebook` warns once per frame or batch of records, counting them;
    ``missing_scores="error"`` refuses them instead.

    Example:
        >>> import warnings
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Gradebook, LearningTarget
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     book = Gradebook.from_records(
        ...         [{"student_id": "s1", "target_id": "T", "score": None, "observed_at": when}],
        ...         targets=[LearningTarget(id="T", title="Ratios")])
        >>> len(book), caught[0].category.__name__
        (0, 'MissingScoreWarning')
    """


def _check_tz(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, tzinfo):
        msg = f"assume_tz={value!r} must be a tzinfo (such as timezone.utc) or None"
        raise InvalidTypeError(msg)


@attrs.frozen(kw_only=True)
class TextRules:
    """How an input path reads missing scores, numbers and times written as text, and ids.

    Attributes:
        missing_scores: ``"skip"`` a missing score (one warning) or refuse it (``"error"``).
        assume_tz: The time zone of times written without a UTC offset (``None``: an error).
        decimal: The decimal mark of numbers written as text.
        strip_ids: Trim the spaces around ids (by default they are kept as written).

    Example:
        >>> TextRules(decimal=",")
        TextRules(missing_scores='skip', assume_tz=None, decimal=',', strip_ids=False)
    """

    missing_scores: MissingScores = attrs.field(default="skip", converter=check_missing_scores)
    assume_tz: tzinfo | None = attrs.field(default=None, validator=_check_tz)
    decimal: Decimal = attrs.field(default=".", converter=check_decimal)
    strip_ids: bool = False

    @classmethod
    def of(
        cls,
        *,
        missing_scores: MissingScores = "skip",
        assume_tz: tzinfo | None = None,
        decimal: Decimal = ".",
        strip_ids: bool = False,
    ) -> TextRules:
        """Return the rules of these options; the defaults are one shared value.

        Example:
            >>> TextRules.of() is TextRules.of(), TextRules.of(decimal=",").decimal
            (True, ',')
        """
        if missing_scores == "skip" and assume_tz is None and decimal == "." and not strip_ids:
            return _DEFAULT_RULES
        return cls(
            missing_scores=missing_scores,
            assume_tz=assume_tz,
            decimal=decimal,
            strip_ids=strip_ids,
        )


#: The rules of the default options (every input path's, unless told otherwise).
_DEFAULT_RULES = TextRules()


def read_record(fields: Mapping[str, Any], rules: TextRules) -> dict[str, Any]:
    """Return the fields of one evidence record, its text values read by ``rules``.

    Scores, weights and attempts written as text become numbers, ISO 8601 text a datetime, a
    naive datetime takes ``rules.assume_tz`` (if given), and ids are trimmed with
    ``rules.strip_ids``. Everything else is left for :class:`~mastery_grading.Evidence` to check.

    Raises:
        ValueError: Naming the field, for text that is not a number or a time.

    Example:
        >>> fields = read_record({"student_id": " ana", "score": "3,5",
        ...                       "observed_at": "2026-10-01T09:00:00+02:00"},
        ...                      TextRules(decimal=",", strip_ids=True))
        >>> fields["student_id"], fields["score"], fields["observed_at"].isoformat()
        ('ana', 3.5, '2026-10-01T09:00:00+02:00')
    """
    out = dict(fields)
    where = "score"
    try:
        for name in ("score", "weight", "attempt"):
            if isinstance(out.get(name), str):
                where = name
                number = parse_number(out[name], decimal=rules.decimal)
                out[name] = int(number) if name == "attempt" and number.is_integer() else number
        moment = out.get("observed_at")
        where = "observed_at"
        if isinstance(moment, str):
            out["observed_at"] = parse_timestamp(moment, assume_tz=rules.assume_tz)
        elif isinstance(moment, datetime) and moment.utcoffset() is None and rules.assume_tz:
            out["observed_at"] = moment.replace(tzinfo=rules.assume_tz)
    except ValueError as error:
        msg = f"{where}: {error}"
        raise ValueError(msg) from None
    if rules.strip_ids:
        for name in ID_FIELDS:
            if isinstance(out.get(name), str):
                out[name] = out[name].strip()
    return out
