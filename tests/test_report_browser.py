"""The family reports in a real browser: axe-core's WCAG 2.1 A/AA rules, no horizontal overflow
at phone and desktop widths, the class map's sorting, the chart's numbers folded on screen, and
a PDF turned into a PNG and into text (the chart's numbers are printed).

The parts come from ``tools/ensure-browser-tests.sh`` (Debian's chromium and chromium-driver,
poppler-utils, axe-core from npm into ``tools/node_modules``); each test that lacks one skips and
names it. One Chromium session serves the whole module.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # one Chromium session, three PDFs: about 8 s for the module

DATA = Path(__file__).parent / "data"
TOOLS = Path(__file__).resolve().parents[1] / "tools"
SETUP = TOOLS / "ensure-browser-tests.sh"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(
            f"{program} (Debian's {package}) is not installed and could not be installed here "
            f"(needs root and apt-get; run {SETUP} as root)"
        )
    return found


def chromium() -> str:
    """Return the path of Debian's chromium, or skip saying why it is missing."""
    return shutil.which("chromium-browser") or _need("chromium", "chromium")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's report folder of the Canvas example, in Spanish, with PDFs if Chromium is here."""
    folder = tmp_path_factory.mktemp("reports")
    pdf = ["--pdf"] if shutil.which("chromium") or shutil.which("chromium-browser") else []
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
            "decaying_average",
            "--converter",
            "marzano_2010",
            "--lang",
            "es",
            "--slug-key",
            "test key",
            "-o",
            str(folder),
            "-q",
            *pdf,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert 0 == done.returncode, done.stderr
    return folder / "Grade-4-Math"


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium session driven by selenium, for the whole module."""
    browser = chromium()
    chromedriver = _need("chromedriver", "chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    service = pytest.importorskip("selenium.webdriver.chrome.service")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    session = webdriver.Chrome(options=options, service=service.Service(chromedriver))
    try:
        yield session
    finally:
        session.quit()


def _student_pages(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.html") if path.name != "teacher.html")


def _open(driver: Any, page: Path, width: int = 1280) -> None:
    driver.set_window_size(width, 900)
    driver.get(page.as_uri())


@pytest.mark.parametrize("which", ["student", "teacher"])
def test_axe_finds_no_wcag_21_a_or_aa_violation(driver: Any, pages: Path, which: str) -> None:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed in {AXE.parent} (run {SETUP}; it needs npm)")
    page = pages / "teacher.html" if which == "teacher" else _student_pages(pages)[0]
    _open(driver, page)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    violations = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(function (r) {"
        "  done(r.violations.map(function (v) { return v.id + ': ' + v.help + ' ' +"
        "    v.nodes.map(function (n) { return n.html; }).slice(0, 3).join(' | '); }));"
        "});",
        WCAG,
    )
    assert [] == violations


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_overflows_horizontally(
    driver: Any, pages: Path, width: int, tmp_path: Path
) -> None:
    for page in [pages / "teacher.html", *_student_pages(pages)]:
        _open(driver, page, width)
        assert width == driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width, page.name
        shot = tmp_path / f"{page.stem}-{width}.png"
        assert driver.save_screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_evidence_tables_fit_a_phone_without_splitting_a_word(driver: Any, pages: Path) -> None:
    # at 390 px the evidence that counted fits its box (no scrolling inside it), and no line
    # of a cell ends inside a word: ids wrap at their separators
    # a word split across lines: two word characters next to each other on two lines
    split = (
        "const range = document.createRange();"
        "return [...document.querySelectorAll('table.evidence td')].some(cell => {"
        "  const chars = [];"
        "  for (const text of cell.childNodes) {"
        "    if (text.nodeType !== 3) continue;"
        "    for (let i = 0; i < text.length; i++) {"
        "      range.setStart(text, i); range.setEnd(text, i + 1);"
        "      chars.push([text.data[i], range.getClientRects()[0]]);"
        "    }"
        "  }"
        "  return chars.some(([b, rb], i) => i > 0 && rb && chars[i - 1][1]"
        "    && rb.top > chars[i - 1][1].top + 1"
        "    && /\\w/.test(chars[i - 1][0]) && /\\w/.test(b));"
        "})"
    )
    for page in _student_pages(pages):
        _open(driver, page, 390)
        boxes = driver.execute_script(
            "return [...document.querySelectorAll('.scroll > table.evidence')]"
            ".map(t => t.parentElement.scrollWidth - t.parentElement.clientWidth)"
        )
        assert boxes, page.name
        assert all(extra <= 0 for extra in boxes), (page.name, boxes)
        assert not driver.execute_script(split), page.name


def test_the_class_map_sorts_by_a_column_and_back(driver: Any, pages: Path) -> None:
    _open(driver, pages / "teacher.html")
    names = "return [...document.querySelectorAll('.class-map tbody th')].map(c => c.textContent)"
    before = driver.execute_script(names)
    assert before == sorted(before, key=str.casefold)
    button = "document.querySelectorAll('.class-map thead button')[0].click()"
    driver.execute_script(button)  # already ascending by name: the first press sorts ascending
    driver.execute_script(button)
    assert list(reversed(before)) == driver.execute_script(names)
    header = "return document.querySelector('.class-map thead th').getAttribute('aria-sort')"
    assert "descending" == driver.execute_script(header)


def test_each_student_page_prints_to_a_pdf_that_renders(pages: Path, tmp_path: Path) -> None:
    chromium()
    pdftoppm = _need("pdftoppm", "poppler-utils")
    pdfs = sorted(pages.glob("*.pdf"))
    assert len(_student_pages(pages)) == len(pdfs)
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        [pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdfs[0]), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == done.returncode, done.stderr
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_size > 2000


def test_the_charts_numbers_fold_away_on_screen_and_open_without_a_script(
    driver: Any, pages: Path
) -> None:
    _open(driver, _student_pages(pages)[0])
    shown = "return [...document.querySelectorAll('div.numbers')].map(d => d.offsetHeight > 0)"
    before = driver.execute_script(shown)
    assert before
    assert not any(before)
    driver.execute_script("document.querySelector('details.numbers summary').click()")
    assert [True, *before[1:]] == driver.execute_script(shown)


def _chart_results(page: Path) -> list[str]:
    """The "result after it" column of every chart table of a page, as written."""
    tables = re.findall(r'<table class="chart-data">.*?</table>', page.read_text(encoding="utf-8"))
    return [
        html.unescape(row[-1])
        for table in tables
        for row in (re.findall(r"<td>([^<]*)</td>", tr) for tr in table.split("<tr>")[1:])
        if row
    ]


def test_the_charts_numbers_are_in_the_printed_pdf(pages: Path) -> None:
    chromium()
    pdftotext = _need("pdftotext", "poppler-utils")
    page = _student_pages(pages)[0]
    results = _chart_results(page)
    assert results
    done = subprocess.run(
        [pdftotext, "-layout", str(page.with_suffix(".pdf")), "-"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert 0 == done.returncode, done.stderr
    text = " ".join(done.stdout.split())
    assert text.count("Resultado después") == page.read_text(encoding="utf-8").count("chart-data")
    for value in results:
        assert value in text
