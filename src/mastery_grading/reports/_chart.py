"""A target's progress over time as inline SVG, and the same numbers as a table.

The chart has no external files and no script, so the reports' Content Security Policy needs
nothing for it. One step along the x axis per piece of evidence, oldest first (ties by the
order given); the y axis is the target's scale. It shows

- each score, as a dot;
- the policy's value after each score (the policy evaluated on the evidence up to and
  including it), as a line; where the policy gives no value yet the line has a gap;
- the mastery threshold, as a dashed line.

Its text alternative is a table of the same numbers
(:func:`~mastery_grading.reports._chart.progress_table`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.protocols import Policy
from mastery_grading.reports._i18n import Words
from mastery_grading.targets import LearningTarget

__all__ = ["Point", "progress_points", "progress_svg", "progress_table"]

_WIDTH, _HEIGHT = 480, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 12, 28

SCORE_COLOUR = "#173f8a"
VALUE_COLOUR = "#11551f"
MASTERY_COLOUR = "#6a4d00"


@attrs.frozen(kw_only=True)
class Point:
    """One piece of evidence on the chart: its score and the policy's value after it.

    Example:
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> from mastery_grading.policies import Mean
        >>> history = scores_to_history([2.0, 3.0], target_id="T")
        >>> [p.value for p in progress_points(history, LearningTarget(id="T", title="T"), Mean())]
        [2.0, 2.5]
    """

    evidence: Evidence
    value: float | None


def progress_points(
    evidence: Sequence[Evidence], target: LearningTarget, policy: Policy
) -> list[Point]:
    """Return one point per piece of ``evidence`` on ``target``, oldest first."""
    ordered = sorted((e for e in evidence if e.target_id == target.id), key=lambda e: e.observed_at)
    return [
        Point(evidence=item, value=policy.evaluate(ordered[: index + 1], target).value)
        for index, item in enumerate(ordered)
    ]


def _segments(coords: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for coord in coords:
        if coord is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(coord)
    return [run for run in runs if run]


def progress_svg(points: Sequence[Point], target: LearningTarget, words: Words, *, key: str) -> str:
    """Return the chart as an ``<svg>`` element, labelled for assistive technology.

    ``key`` makes the element ids unique on the page.
    """
    scale = target.scale
    span = (scale.max - scale.min) or 1.0
    inner_w, inner_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(_LEFT + (index * step if len(points) > 1 else inner_w / 2), 1)

    def y(value: float) -> float:
        return round(_TOP + inner_h * (1 - (value - scale.min) / span), 1)

    esc = html.escape
    title = words("Progress on {target}", target=target.title)
    desc = words(
        "Dots: each score. Line: the result after each score. Dashed line: mastery at {mastery}.",
        mastery=words.number(scale.mastery),
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-labelledby="t-{key} d-{key}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="t-{key}">{esc(title)}</title><desc id="d-{key}">{esc(desc)}</desc>'
    ]
    for value in (scale.min, scale.max):
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y(value) + 4}" text-anchor="end" font-size="14" '
            f'fill="#1b1b1b">{esc(words.number(value))}</text>'
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{y(scale.min)}" x2="{_WIDTH - _RIGHT}" y2="{y(scale.min)}" '
        'stroke="#555" stroke-width="1"/>'
    )
    mastery_y = y(scale.mastery)
    parts.append(
        f'<line class="mastery" x1="{_LEFT}" y1="{mastery_y}" x2="{_WIDTH - _RIGHT}" '
        f'y2="{mastery_y}" stroke="{MASTERY_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    coords = [None if p.value is None else (x(i), y(p.value)) for i, p in enumerate(points)]
    for run in _segments(coords):
        if len(run) == 1:
            cx, cy = run[0]
            parts.append(
                f'<rect class="value" x="{cx - 4}" y="{cy - 1.5}" width="8" height="3" '
                f'fill="{VALUE_COLOUR}"/>'
            )
        else:
            line = " ".join(f"{cx},{cy}" for cx, cy in run)
            parts.append(
                f'<polyline class="value" points="{line}" fill="none" stroke="{VALUE_COLOUR}" '
                'stroke-width="2.5"/>'
            )
    for index, point in enumerate(points):
        parts.append(
            f'<circle class="score" cx="{x(index)}" cy="{y(point.evidence.score)}" r="4.5" '
            f'fill="{SCORE_COLOUR}"/>'
        )
    if points:
        first, last = points[0].evidence, points[-1].evidence
        parts.append(
            f'<text x="{_LEFT}" y="{_HEIGHT - 8}" font-size="14" fill="#1b1b1b">'
            f"{esc(words.date(first.observed_at.date()))}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 8}" text-anchor="end" '
                f'font-size="14" fill="#1b1b1b">{esc(words.date(last.observed_at.date()))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def progress_table(points: Sequence[Point], words: Words) -> str:
    """Return the chart's numbers as a table: date, score and the result after it."""
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(words.date(p.evidence.observed_at.date()))}</td>"
        f"<td>{esc(words.number(p.evidence.score))}</td>"
        f"<td>{esc(words('not decided yet') if p.value is None else words.number(p.value))}</td>"
        "</tr>"
        for p in points
    )
    return (
        f'<table class="chart-data"><caption>{esc(words("The numbers of the chart"))}</caption>'
        f'<thead><tr><th scope="col">{esc(words("Date"))}</th>'
        f'<th scope="col">{esc(words("Score"))}</th>'
        f'<th scope="col">{esc(words("Result after it"))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
