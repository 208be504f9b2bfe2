"""The HTML progress report: statuses, friendly next steps, and escaping of every data string."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import Evidence, LearningTarget, Scale
from mastery_grading import io as mio
from mastery_grading.io.report import mastery_status, next_step, progress_report_html
from mastery_grading.policies import MostRecent


def StudentResult(**kwargs: Any) -> mio.StudentResult:  # noqa: N802 - stands in for the class
    """The deprecated pair, which the writers still take for one release; it warns."""
    with pytest.warns(DeprecationWarning, match="deprecated"):
        return mio.StudentResult(**kwargs)


WHEN = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "p",
    "span",
    "nav",
    "ul",
    "li",
    "a",
    "section",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "small",
    "strong",
    "br",
}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def result_for(
    score: float | None, target: LearningTarget, source_id: str | None = None
) -> mio.StudentResult:
    evidence = (
        []
        if score is None
        else [
            Evidence(
                student_id="s1",
                target_id=target.id,
                score=score,
                observed_at=WHEN,
                source_id=source_id,
            )
        ]
    )
    return StudentResult(student_id="s1", result=MostRecent().evaluate(evidence, target))


def test_status_follows_the_levels_around_mastery() -> None:
    target = LearningTarget(id="T", title="T", scale=Scale.marzano())
    statuses = [mastery_status(result_for(s, target).result) for s in (None, 1.5, 2.0, 3.0, 4.0)]
    assert ["no evidence yet", "not yet", "approaching", "mastered", "mastered"] == statuses


def test_a_two_level_scale_has_no_approaching_band() -> None:
    target = LearningTarget(id="T", title="T", scale=Scale(min=0, max=4, mastery=3))
    assert "not yet" == mastery_status(result_for(2.9, target).result)


def test_next_steps_are_friendly_and_never_say_fail() -> None:
    target = LearningTarget(id="T", title="Fractions", statement="I can compare fractions.")
    for score in (None, 1.0, 2.5, 3.5):
        step = next_step(result_for(score, target).result)
        assert "I can compare fractions" in step
        assert "fail" not in step.lower()


texts = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@given(name=texts, title=texts, statement=texts, source=texts, level=texts)
def test_every_data_string_is_escaped(
    name: str, title: str, statement: str, source: str, level: str
) -> None:
    scale = Scale(min=0, max=4, mastery=3, levels=[("below", 0), (level + "!", 3)])
    target = LearningTarget(id=title, title=title, statement=statement, scale=scale)
    page = progress_report_html(
        [result_for(3.0, target, source_id=source), result_for(None, target)],
        title=name,
        students={"s1": name},
        letters={"s1": name},
        steps={"s1": [statement]},
    )
    parser = Page()
    parser.feed(page)
    assert parser.tags <= TAGS
    assert set(parser.attributes) <= {
        "lang",
        "charset",
        "http-equiv",
        "content",
        "name",
        "class",
        "id",
        "href",
        "data-student-id",
        "data-target-id",
    }
    text = "".join(parser.text)
    for value in (name, title, statement, source, level):
        assert " ".join(value.split()) in " ".join(text.split())


def test_the_page_loads_nothing_and_runs_nothing() -> None:
    target = LearningTarget(id="T", title="T")
    page = progress_report_html([result_for(3.0, target)], title="Class")
    assert "default-src 'none'" in page
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
