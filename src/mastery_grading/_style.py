r"""The look of the HTML the library writes: one set of style rules for pages and fragments.

A private core helper, so that every layer can share it: the progress report
(:mod:`mastery_grading.io.report`) and the fairness audit
(:mod:`mastery_grading.fairness.render`) read alike. Rules are data, ``(selector,
declarations)`` pairs; :func:`stylesheet` writes them for a whole page, or scoped under one
class for a fragment shown inside someone else's page (a notebook), where rules on ``body`` or
on every ``table`` would restyle the notebook itself.

Badges come in a few tones (:data:`TONES`); each page maps its own classes to them with
:func:`badge_rules` (the progress report's ``mastered`` is ``good``, the audit's ``keeps`` too).

Example:
    >>> stylesheet([("body", "color:#1b1b1b"), ("th,td", "padding:0")])
    'body{color:#1b1b1b}\nth,td{padding:0}'
    >>> stylesheet([("body", "color:#1b1b1b"), ("th,td", "padding:0")], scope="audit")
    '.audit{color:#1b1b1b}\n.audit th,.audit td{padding:0}'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "BASE_RULES",
    "PAGE_RULES",
    "REPORT_CSS",
    "TONES",
    "Rule",
    "badge_rules",
    "stylesheet",
]

#: One style rule: its selector (a comma-separated list) and its declarations.
Rule = tuple[str, str]

#: The shared look: type, headings, tables, badges, small print.
BASE_RULES: tuple[Rule, ...] = (
    ("body", 'font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b'),
    ("h1", "font-size:1.6rem"),
    ("h2", "font-size:1.3rem;margin-top:2.5rem;border-top:2px solid #ddd;padding-top:1rem"),
    ("table", "border-collapse:collapse;width:100%;margin:.5rem 0 1rem"),
    ("th,td", "border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top"),
    ("th", "background:#f3f3f3"),
    (
        ".badge",
        "display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-weight:600;"
        "white-space:nowrap",
    ),
    ("small", "color:#555"),
    ("ul", "margin:.2rem 0;padding-left:1.2rem"),
    (".legend span", "margin-right:.8rem"),
    (".meta", "color:#555"),
)

#: Rules for a whole page only (never for a fragment inside another page).
PAGE_RULES: tuple[Rule, ...] = (("body", "margin:2rem"),)

#: Badge tones: background and text colour, readable in print and by colour-blind readers
#: (the words carry the meaning; the colour only helps).
TONES: Mapping[str, str] = {
    "good": "background:#d7f5dc;color:#11551f",
    "caution": "background:#fff1c2;color:#6a4d00",
    "info": "background:#e6eefc;color:#173f8a",
    "neutral": "background:#eee;color:#444",
    "alert": "background:#fde2e1;color:#8a1c1c",
}


def badge_rules(classes: Mapping[str, str]) -> tuple[Rule, ...]:
    """Return a rule per badge class, in the tone named for it (a key of :data:`TONES`).

    Example:
        >>> badge_rules({"mastered": "good"})
        (('.mastered', 'background:#d7f5dc;color:#11551f'),)
    """
    return tuple((f".{css_class}", TONES[tone]) for css_class, tone in classes.items())


def _scoped(selector: str, scope: str) -> str:
    parts = []
    for part in selector.split(","):
        part = part.strip()
        parts.append(f".{scope}" if part == "body" else f".{scope} {part}")
    return ",".join(parts)


def stylesheet(rules: Iterable[Rule], *, scope: str | None = None) -> str:
    """Write ``rules`` as CSS, one rule a line; with ``scope``, only inside ``class=scope``.

    Scoped, a ``body`` rule applies to the element of class ``scope`` itself, and every other
    selector to what lies inside it.

    Example:
        >>> print(stylesheet(badge_rules({"keeps": "good"}), scope="mg"))
        .mg .keeps{background:#d7f5dc;color:#11551f}
    """
    lines = []
    for selector, declarations in rules:
        shown = selector if scope is None else _scoped(selector, scope)
        lines.append(f"{shown}{{{declarations}}}")
    return "\n".join(lines)


#: The progress report's stylesheet (:mod:`mastery_grading.io.report`): the shared look, its
#: four status badges, and a page break before each student when printed.
REPORT_CSS = (
    stylesheet(
        [
            *BASE_RULES,
            *PAGE_RULES,
            *badge_rules(
                {
                    "mastered": "good",
                    "approaching": "caution",
                    "not-yet": "info",
                    "no-evidence-yet": "neutral",
                }
            ),
        ]
    )
    + "\n@media print{section.student{break-before:page}nav{display:none}}\n"
)
