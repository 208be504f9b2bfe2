"""The words and number formats of the reports: gettext catalogues and the locale's formats.

Every word of a report comes from a message catalogue: ``locale/<lang>/LC_MESSAGES/
mastery_grading.po`` inside this package, shipped as package data (English and Spanish). The
``.po`` files are read at run time by
:func:`~mastery_grading.reports._i18n.read_po`, a small reader of the gettext text format
(``msgid`` / ``msgstr``, continued lines, C escapes), so a fresh clone and an installed wheel
both work without a compile step; the tests check that Babel reads the same catalogue and
that its compiled ``.mo`` gives the same translations through the stdlib ``gettext``.

Messages use named ``{placeholders}``, filled after translation. An empty ``msgstr`` falls
back to the English ``msgid``.

Numbers are shown by one display rule, ``mastery_grading._numbers.fmt`` (the exact
decimal when short, else cut, never reading higher than the value), then written with the
locale's decimal sign. Dates use the locale's medium format. Both come from Babel (the
``report`` extra) for any language; English works without Babel too, with the same text.

Example:
    >>> words = Words.of("es")
    >>> words("Course grade")
    'Nota del curso'
    >>> words.number(2.325), Words.of("en").number(2.325)
    ('2,325', '2.325')
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from mastery_grading._extras import require
from mastery_grading._numbers import fmt
from mastery_grading.exceptions import InvalidValueError

__all__ = ["LANGUAGES", "LEVEL_NAMES", "Words", "catalogue", "read_po"]

#: The languages the reports are shipped in.
LANGUAGES: tuple[str, ...] = ("en", "es")

#: The library's own level names (of :meth:`Scale.marzano` and the default two levels): these
#: are translated; any other level name is the scale author's own and is shown as written.
LEVEL_NAMES: frozenset[str] = frozenset({"not yet", "approaching", "meets", "exceeds", "mastered"})

_FOLDER = Path(__file__).parent / "locale"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _po_string(text: str, where: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as error:
        msg = f"{where}: {text!r} is not a quoted string"
        raise InvalidValueError(msg) from error
    if not isinstance(value, str):
        msg = f"{where}: {text!r} is not a quoted string"
        raise InvalidValueError(msg)
    return value


def read_po(text: str, *, name: str = "<po>") -> dict[str, str]:
    r"""Return the translations of a gettext ``.po`` text, msgid -> msgstr (header left out).

    Entries whose ``msgstr`` is empty are left out (the msgid is used). Comments, ``#,`` flags
    and obsolete (``#~``) entries are skipped.

    Example:
        >>> lines = ['msgid ""', 'msgstr "Language: es"', "", 'msgid "Grade"', 'msgstr "Nota"']
        >>> read_po("\n".join(lines))
        {'Grade': 'Nota'}
    """
    entries: dict[str, str] = {}
    key: str | None = None
    parts: dict[str, list[str]] = {}

    def flush() -> None:
        if "msgid" in parts:
            msgid, msgstr = "".join(parts["msgid"]), "".join(parts.get("msgstr", []))
            if msgid and msgstr:
                entries[msgid] = msgstr
        parts.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name} line {number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is None:
                msg = f"{where}: a continued string must follow msgid or msgstr"
                raise InvalidValueError(msg)
            parts[key].append(_po_string(line, where))
            continue
        word, _, rest = line.partition(" ")
        if word not in {"msgid", "msgstr"}:
            msg = f"{where}: {word!r} is not supported; expected msgid or msgstr"
            raise InvalidValueError(msg)
        if word == "msgid":
            flush()
        key = word
        parts[key] = [_po_string(rest.strip(), where)]
    flush()
    return entries


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Return the shipped catalogue of ``lang`` (one of :data:`LANGUAGES`).

    Raises:
        InvalidValueError: If ``lang`` is not one of them.

    Example:
        >>> catalogue("es")["Grade"]
        'Nota'
    """
    if lang not in LANGUAGES:
        msg = f"lang={lang!r} is not a language of the reports; expected one of {list(LANGUAGES)}"
        raise InvalidValueError(msg)
    path = _FOLDER / lang / "LC_MESSAGES" / "mastery_grading.po"
    return read_po(path.read_text(encoding="utf-8"), name=str(path))


def _babel(module: str) -> Any:
    return require(
        f"babel.{module}", extra="report", feature="reports in a language other than English"
    )


def _english_date(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


@attrs.frozen
class Words:
    """The words and formats of one language: call it with a message to translate it.

    Build it with :meth:`of`. Any language but English needs Babel (the ``report`` extra).

    Example:
        >>> words = Words.of("en")
        >>> words("{count} of {total} learning targets mastered", count=2, total=3)
        '2 of 3 learning targets mastered'
        >>> words.date(date(2026, 10, 1)), words.level("meets"), words.level("Got it!")
        ('Oct 1, 2026', 'meets', 'Got it!')
    """

    lang: str
    messages: Mapping[str, str] = attrs.field(repr=False)
    decimal: str = "."

    @classmethod
    def of(cls, lang: str) -> Words:
        """Return the words of ``lang``, one of :data:`LANGUAGES`."""
        messages = catalogue(lang)
        if lang == "en":
            return cls(lang, messages)
        numbers = _babel("numbers")
        return cls(lang, messages, numbers.get_decimal_symbol(lang))

    def __call__(self, message: str, /, **values: object) -> str:
        """Return ``message`` translated, its ``{placeholders}`` filled with ``values``."""
        text = self.messages.get(message, message)
        return text.format(**values) if values else text

    def level(self, name: str) -> str:
        """Return a level name: the library's own are translated, a scale's custom ones kept."""
        return self(name) if name in LEVEL_NAMES else name

    def number(self, value: float) -> str:
        """Return ``value`` by the one display rule, with the locale's decimal sign."""
        return fmt(value).replace(".", self.decimal)

    def percent(self, share: float) -> str:
        """Return a share (0.35) as a percentage ("35%"), by the display rule."""
        whole = round(share * 100, 9)
        text = fmt(whole)
        text = text[:-2] if text.endswith(".0") else text
        return self("{value}%", value=text.replace(".", self.decimal))

    def date(self, day: date) -> str:
        """Return a date in the locale's medium format (``Oct 1, 2026``; ``1 oct 2026``)."""
        if self.lang == "en":
            return _english_date(day)
        text: str = _babel("dates").format_date(day, format="medium", locale=self.lang)
        return text
