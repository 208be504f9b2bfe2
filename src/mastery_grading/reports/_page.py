"""The parts every report page shares: its head (CSP, styles), badges and the policy in words."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping

from mastery_grading._style import BASE_RULES, TONES, stylesheet
from mastery_grading.protocols import Policy
from mastery_grading.reports._i18n import Words
from mastery_grading.results import TargetResult

__all__ = ["NUMBERS", "badge", "page", "policy_words", "script_hash"]

_RULES = (
    *BASE_RULES,
    ("body", "margin:1rem auto;max-width:60rem;padding:0 1rem;line-height:1.45"),
    ("h2", "overflow-wrap:anywhere"),
    # a cell wraps at spaces (and an id at its separators) and splits a word only when it is
    # too long for any line; a table too wide for a phone scrolls in its own box (.scroll)
    ("th,td", "overflow-wrap:break-word"),
    (".tone-good", TONES["good"]),
    (".tone-caution", TONES["caution"]),
    (".tone-neutral", TONES["neutral"]),
    (".tone-info", TONES["info"]),
    (".letter", "font-size:2rem;font-weight:700;margin:.2rem 0"),
    (".chart", "display:block;width:100%;max-width:30rem;height:auto;margin:.5rem 0"),
    ("caption", "text-align:left;font-weight:600;padding:.3rem 0"),
    (".scroll", "overflow-x:auto;max-width:100%"),
    (".class-map th,.class-map td", "overflow-wrap:normal;min-width:7rem"),
    (
        ".class-map th button",
        "font:inherit;font-weight:600;background:none;border:0;padding:0;"
        "cursor:pointer;text-decoration:underline;color:#1b1b1b;text-align:left",
    ),
    ("a", "color:#173f8a"),
    ("details", "margin:.3rem 0 .8rem"),
    ("details[open]", "margin-bottom:.3rem"),
)

#: The chart's numbers: on screen a closed ``<details class="numbers">`` (no content of its own)
#: hides the ``<div class="numbers">`` right after it, and opening it shows the table, with no
#: script; in print the disclosure is left out and the table always shows (a closed
#: ``<details>`` would keep its content hidden on paper).
NUMBERS = (
    "@media screen{details.numbers:not([open])+div.numbers{display:none}}"
    "@media print{details.numbers{display:none}div.numbers{display:block}}"
)

_PRINT = (
    "@media print{body{margin:0;max-width:none;font-size:11pt}"
    ".target{break-inside:avoid}.chart{max-width:16cm;break-inside:avoid}"
    ".scroll{overflow:visible}"
    ".badge{border:1px solid currentColor}"
    "a{color:inherit;text-decoration:none}}"
    "@page{size:A4;margin:14mm}"
)

#: On a phone, table cells keep less padding, so that a four-column table (the evidence that
#: counted) fits the screen without a word split.
_NARROW = "@media screen and (max-width:30rem){th,td{padding:.3rem .25rem}}"

CSS = stylesheet(_RULES) + "\n" + NUMBERS + _NARROW + _PRINT


def script_hash(script: str) -> str:
    """Return the CSP source that allows exactly this inline script (``'sha256-…'``).

    Example:
        >>> script_hash("")
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page(title: str, body: str, words: Words, *, script: str = "") -> str:
    """Return a whole page: no remote resource, scripts only the one given (by its hash)."""
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    if script:
        policy += f"; script-src {script_hash(script)}"
    tail = f"<script>{script}</script>" if script else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(words.lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main>{tail}</body></html>\n"
    )


def tone(result: TargetResult) -> str:
    """The badge tone of a result: mastered, one level below, lower, or no value yet."""
    if result.value is None or result.level is None:
        return "info"
    if result.mastered:
        return "good"
    scale = result.target.scale
    index = scale.levels.index(result.level)
    below = scale.levels.index(scale.level_of(scale.mastery)) - 1
    return "caution" if index == below and index > 0 else "neutral"


def badge(result: TargetResult, words: Words) -> str:
    """The level of a result as a badge: its words carry the meaning, the colour only helps."""
    text = words("no evidence yet") if result.level is None else words.level(result.level.name)
    return f'<span class="badge tone-{tone(result)}">{html.escape(text)}</span>'


_POLICIES: Mapping[str, str] = {
    "mean": "the mean: the average of all your scores on the target",
    "median": "the median: the middle one of your scores on the target",
    "mode": "the mode: the score you got most often on the target",
    "most_recent": "the most recent score: your latest score on the target counts",
    "decaying_average": "a decaying average: every score counts, the latest ones the most",
    "weighted_average": "a decaying average: every score counts, the latest ones the most",
    "highest": "the highest score: your best score on the target counts",
    "mean_of_recent": "the average of your latest scores on the target",
    "n_times": "mastery shown enough times: enough scores at mastery make it mastered",
    "power_law": "a power-law trend: a curve fitted to your scores predicts where you are now",
    "linear_trend": "a straight-line trend fitted to your scores",
}


def policy_words(policy: Policy, words: Words) -> str:
    """Return how a policy computes a result, in plain words (its name when it has none)."""
    name = getattr(policy, "spec_name", None) or type(policy).__name__
    if name == "canvas_rollup":
        name = str(getattr(policy, "method", name))
    message = _POLICIES.get(name)
    if message is None:
        return words("the calculation “{name}”", name=name)
    return words(message)
