"""The HTML progress report, opened in headless Chromium: the DOM a browser builds is checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SETUP = Path(__file__).parent.parent / "tools" / "ensure-chromium.sh"


def chromium() -> str:
    """Return the path of Debian's chromium, or skip saying why it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "chromium is not installed and could not be installed here (needs root and apt-get; "
            f"run {SETUP} as root), so the report cannot be checked in a browser"
        )
    return found


class Elements(HTMLParser):
    """Collects the tags, classes and text of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.classes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.classes += [value or "" for name, value in attrs if name == "class"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def dom(tmp_path_factory: pytest.TempPathFactory) -> Elements:
    browser = chromium()
    folder = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mastery_grading.cli",
            "report",
            str(DATA / "canvas" / "outcome_results.csv"),
            "--targets",
            str(DATA / "canvas" / "outcomes.csv"),
            "--policy",
            "most_recent",
            "-o",
            str(folder),
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == done.returncode, done.stderr
    page = folder / "Grade-4-Math.html"
    profile = tmp_path_factory.mktemp("chromium-profile")
    dumped = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert 0 == dumped.returncode, dumped.stderr[-2000:]
    parser = Elements()
    parser.feed(dumped.stdout)
    return parser


def test_every_student_has_a_section_with_a_mastery_map(dom: Elements) -> None:
    assert 3 == dom.classes.count("student")
    assert 3 == dom.classes.count("mastery-map")
    assert 3 == dom.classes.count("next-steps")


def test_the_map_shows_mastered_approaching_and_not_yet(dom: Elements) -> None:
    statuses = [c for c in dom.classes if c.startswith("status-")]
    assert {
        "status-mastered",
        "status-approaching",
        "status-not-yet",
        "status-no-evidence-yet",
    } == set(statuses)


def test_data_is_shown_as_text_never_run_as_markup(dom: Elements) -> None:
    text = "".join(dom.text)
    assert "script" not in dom.tags
    assert "<script>alert('x')</script> Lee, Sam" in text


def test_the_words_are_student_friendly(dom: Elements) -> None:
    text = "".join(dom.text)
    assert "Not yet" in text
    assert "Evidence that counted" in text
    assert "fail" not in text.lower()
