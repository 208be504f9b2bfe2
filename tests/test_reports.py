"""Per-student family reports: contents, one display rule, languages, privacy, slugs, escaping."""

from __future__ import annotations

import ast
import fnmatch
import gettext
import io
import re
import string
import sys
import tomllib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mastery_grading import (
    AverageCutoffs,
    Evidence,
    Gradebook,
    LearningTarget,
    Level,
    MissingExtraError,
    Scale,
    policies,
)
from mastery_grading.exceptions import ExternalToolError, InvalidValueError
from mastery_grading.grades import RULE_MESSAGES, LetterRule, RuleSet
from mastery_grading.reports import (
    LANGUAGES,
    class_report_html,
    render_pdf,
    report_slug,
    student_report_html,
    write_reports,
)
from mastery_grading.reports._i18n import LEVEL_NAMES, Words, catalogue, read_po
from mastery_grading.reports._page import _POLICIES, NUMBERS, script_hash
from mastery_grading.reports._teacher import SORT_SCRIPT
from mastery_grading.testing.examples import scores_to_history

REPORTS = Path(__file__).resolve().parents[1] / "src" / "mastery_grading" / "reports"
DAY = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
TARGETS = [
    LearningTarget(id="LE.1", title="Solve equations", statement="I can solve an equation."),
    LearningTarget(id="LE.2", title="Graph lines"),
]
NAMES = {
    "stu-ana-4401": "Ana Quintero",
    "stu-ben-7702": "Benedikt Wolff",
    "stu-cleo-9903": "Cleo Hart",
}
#: Each student's own scores, chosen so that no score is another student's.
SCORES = {
    "stu-ana-4401": {"LE.1": [2.0, 2.5], "LE.2": [3.0, 3.5]},
    "stu-ben-7702": {"LE.1": [0.75, 1.75]},
    "stu-cleo-9903": {"LE.1": [3.75], "LE.2": [3.25]},
}


def _evidence() -> list[Evidence]:
    items = []
    for student, by_target in SCORES.items():
        for target, scores in by_target.items():
            for index, score in enumerate(scores):
                items.append(
                    Evidence(
                        student_id=student,
                        target_id=target,
                        score=score,
                        observed_at=DAY + timedelta(days=7 * index),
                        source_id=f"quiz-{index + 1}",
                        context="sci-dept" if student == "stu-cleo-9903" else "math-7",
                    )
                )
    return items


EVIDENCE = _evidence()
#: The decaying average of each student's results (besides their scores).
RESULTS = {"stu-ana-4401": (2.325, 3.325), "stu-ben-7702": (1.4,), "stu-cleo-9903": ()}


class Text(HTMLParser):
    """The visible text of a page and the tags used (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.classes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.classes += [value or "" for name, value in attrs if name == "class"]
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in {"script", "style"}

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> Text:
        parser = cls()
        parser.feed(page)
        return parser

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _page(student: str = "stu-ana-4401", lang: str = "en", **kwargs: object) -> str:
    return student_report_html(
        student,
        EVIDENCE,
        TARGETS,
        policies.DecayingAverage(),
        AverageCutoffs.marzano_2010(),
        name=NAMES[student],
        course="Math 7",
        context="math-7",
        contexts={"sci-dept": "Science department"},
        lang=lang,
        **kwargs,  # type: ignore[arg-type]
    )


# -- what a student page shows ---------------------------------------------------------------


def test_a_student_page_shows_the_grade_how_it_was_decided_and_each_target() -> None:
    page = Text.of(_page())
    assert "Course grade" in page.text
    assert (
        "The grade comes from the average of your learning targets, 2.825; the cutoffs are: "
        "A from 3.0, B from 2.5, C from 2.0, D from 1.0, F from 0.0." in page.text
    )
    assert 2 == page.classes.count("target")
    assert 2 == page.classes.count("next-step")  # one next step per target
    assert 2 == page.tags.count("svg")
    assert (
        "Each result is a decaying average: every score counts, the latest ones the most."
        in page.text
    )
    assert (
        "For example, on “Solve equations”: 35% \u00d7 2.0 + 65% \u00d7 2.5 = 2.325." in page.text
    )


def test_one_display_rule_the_value_reads_the_same_everywhere() -> None:
    text = Text.of(_page()).text
    assert "2.325 of 4.0" in text  # the result
    assert "2.33" not in text.replace("2.325", "")


def test_the_words_are_levels_only_and_each_step_is_one_sentence_starting_upper_case() -> None:
    page = _page()
    steps = re.findall(r'<p class="next-step"><strong>Next step:</strong> ([^<]*)</p>', page)
    assert 2 == len(steps)
    for step in steps:
        assert step[0].isupper()
        assert 1 == step.count(". ") + step.endswith(".")
    assert "Mastered" not in page.split("<main>")[1].replace("Mastered:", "")
    assert "approaching" in Text.of(page).text


def test_a_step_says_what_the_next_assessment_must_give_and_what_it_does_to_the_grade() -> None:
    text = Text.of(_page()).text
    assert "A 3.5 on your next assessment brings it to meets (3.0), and the grade to A." in text


def test_evidence_from_another_course_is_marked_with_its_source() -> None:
    text = Text.of(_page("stu-cleo-9903")).text
    assert "other course: Science department; assessment quiz-1" in text
    assert "this course" not in text
    assert "assessment quiz-1" in Text.of(_page()).text
    assert "other course" not in Text.of(_page()).text


def test_undecided_points_are_gaps_in_the_line_and_say_so_in_the_table() -> None:
    history = scores_to_history([1.0, 3.0, 3.5, 2.0], target_id="LE.1", student_id="s")
    page = student_report_html("s", history, TARGETS[:1], policies.AtBats(k=2))
    assert 1 == page.count("<polyline")
    assert 2 == re.search(r'<polyline[^>]*points="([^"]*)"', page).group(1).count(",")  # type: ignore[union-attr]
    assert 4 == page.count('<circle class="score"')
    assert "not decided yet" in Text.of(page).text


def test_a_student_without_evidence_is_asked_to_show_what_they_know() -> None:
    text = Text.of(_page("stu-ben-7702")).text
    assert "Show what you know on this target: there is no evidence on it yet." in text
    assert "Incomplete" in text


def test_the_gradebook_gives_the_same_page() -> None:
    book = Gradebook.from_evidence(EVIDENCE, targets=TARGETS)
    assert _page(name_free := "stu-ana-4401").split("<main>")[1] != ""
    assert student_report_html(
        name_free, EVIDENCE, TARGETS, policies.Mean(), lang="es"
    ) == book.report(policies.Mean(), student_id=name_free, lang="es")


# -- privacy, slugs, files -------------------------------------------------------------------


def test_no_student_page_holds_another_students_name_id_slug_or_numbers(tmp_path: Path) -> None:
    key = "a teacher's secret"
    files = write_reports(
        tmp_path,
        EVIDENCE,
        TARGETS,
        policies.DecayingAverage(),
        AverageCutoffs.marzano_2010(),
        key=key,
        names=NAMES,
        roster=["stu-dev-1104"],
        course="Math 7",
    )
    assert set(NAMES) | {"stu-dev-1104"} == set(files.students)
    public = {k / 2 for k in range(9)}  # the scale's grid, its levels and cutoffs
    numbers = {
        student: {
            *(x for xs in SCORES.get(student, {}).values() for x in xs),
            *RESULTS.get(student, ()),
        }
        - public
        for student in files.students
    }
    for student, path in files.students.items():
        page = path.read_text(encoding="utf-8")
        text = Text.of(page).text
        for other in set(files.students) - {student}:
            assert other not in page
            assert report_slug(other, key=key) not in page
            if other in NAMES:
                assert NAMES[other] not in page
            for number in numbers[other] - numbers[student]:
                assert not re.search(rf"(?<![\d.,]){re.escape(str(number))}(?!\d)", text)
    teacher = files.teacher.read_text(encoding="utf-8")
    for path in files.students.values():
        assert f'href="{path.name}"' in teacher


def test_the_slug_is_stable_keyed_and_says_nothing_of_the_id() -> None:
    assert report_slug("stu-ana-4401", key="k1") == report_slug("stu-ana-4401", key="k1")
    assert report_slug("stu-ana-4401", key="k1") != report_slug("stu-ana-4401", key="k2")
    assert report_slug("stu-ana-4401", key="k1") != report_slug("stu-ben-7702", key="k1")
    with pytest.raises(InvalidValueError, match="key=''"):
        report_slug("stu-ana-4401", key="")


@given(student=st.text(min_size=1, max_size=30), key=st.text(min_size=1, max_size=20))
def test_a_slug_is_twenty_hex_digits(student: str, key: str) -> None:
    slug = report_slug(student, key=key)
    assert 20 == len(slug)
    assert set(slug) <= set(string.hexdigits.lower())


# -- security ---------------------------------------------------------------------------------


def test_data_is_escaped_and_pages_load_nothing(tmp_path: Path) -> None:
    target = LearningTarget(id="X", title="<script>alert(1)</script>", statement="a & b")
    history = [
        Evidence(student_id="<b>s</b>", target_id="X", score=3.0, observed_at=DAY, source_id='"q"')
    ]
    page = student_report_html("<b>s</b>", history, [target], policies.Mean(), name="<i>Al</i>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>Al" not in page
    assert "&lt;i&gt;Al&lt;/i&gt;" in page
    assert "default-src 'none'; style-src 'unsafe-inline'\"" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    teacher = class_report_html(history, [target], policies.Mean(), names={"<b>s</b>": "<i>Al</i>"})
    assert f'script-src {script_hash(SORT_SCRIPT)}"' in teacher
    assert 1 == teacher.count("<script>")
    assert "&lt;i&gt;Al&lt;/i&gt;" in teacher


# -- languages --------------------------------------------------------------------------------


def test_the_page_is_in_spanish_with_the_locales_numbers_and_dates() -> None:
    page = _page(lang="es", generated=date(2026, 10, 1))
    text = Text.of(page).text
    assert page.startswith('<!DOCTYPE html>\n<html lang="es">')
    assert "Nota del curso" in text
    assert "Próximo paso" in text
    assert "2,325 de 4,0" in text
    assert "Preparado el 1 oct 2026" in text
    assert "en progreso" in text  # the library's level name, translated
    for english in ("Next step", "Course grade", "Evidence that counted", "approaching"):
        assert english not in text


#: Every rule of the shipped rule sets.
PRESET_RULES: list[LetterRule] = [
    rule
    for rule_set in (RuleSet.sbgrader2(), RuleSet.powerschool_forum(), RuleSet.talbert_mth201())
    for rule in rule_set.rules
]


def _words_of(messages: Iterable[str]) -> set[str]:
    """The words (runs of letters) of messages, placeholders left out."""
    text = " ".join(
        literal for message in messages for literal, *_ in string.Formatter().parse(message)
    )
    return set(re.findall(r"[^\W\d_]+", text.casefold()))


def _grade_section(page: str) -> str:
    found = re.search(r'<section class="grade">.*?</section>', page)
    assert found is not None
    return Text.of(found.group(0)).text


def test_rules_worded_through_the_english_catalogue_read_as_the_rules_own_words() -> None:
    english = Words.of("en")
    assert len(PRESET_RULES) > 10
    for rule in PRESET_RULES:
        assert rule.describe() == rule.describe(english)


def test_rules_worded_in_spanish_keep_no_english_word_of_the_templates() -> None:
    spanish, english_words = Words.of("es"), _words_of(RULE_MESSAGES)
    assert {"least", "targets", "above", "below", "otherwise", "and", "among"} <= english_words
    for rule in PRESET_RULES:
        worded = set(re.findall(r"[^\W\d_]+", rule.describe(spanish).casefold()))
        assert set() == worded & english_words, rule.describe(spanish)
    talbert_b = RuleSet.talbert_mth201().rules[1].describe(spanish)
    assert (
        "B: 8 dominados (2,0 o más) y 2 más en progreso (1,0 o más) entre los objetivos core y "
        "4 dominados (2,0 o más) y 6 más en progreso (1,0 o más) entre los objetivos sin la "
        "etiqueta 'core'" == talbert_b
    )


def test_a_rule_set_grade_is_decided_in_words_of_the_pages_language() -> None:
    def page(student: str, lang: str) -> str:
        return student_report_html(
            student, EVIDENCE, TARGETS, policies.DecayingAverage(), RuleSet.sbgrader2(), lang=lang
        )

    assert (
        "Course grade D The grade comes from this rule: rule D: at least 50% of targets at 3.0 "
        "or above." == _grade_section(page("stu-ana-4401", "en"))
    )
    spanish = _grade_section(page("stu-cleo-9903", "es"))
    assert (
        "Nota del curso B La nota sale de esta regla: regla B: al menos el 80 % de los "
        "objetivos con 3,0 o más y ningún objetivo por debajo de 2,0." == spanish
    )
    english_words = _words_of(RULE_MESSAGES) | {"rule", "grade", "comes", "from", "this"}
    assert set() == set(re.findall(r"[^\W\d_]+", spanish.casefold())) & english_words


def test_the_charts_numbers_print_and_fold_away_on_screen_without_a_script() -> None:
    page = _page()
    tables = re.findall(
        r'<details class="numbers"><summary>The numbers of the chart</summary></details>'
        r'<div class="numbers"><table class="chart-data">',
        page,
    )
    assert 2 == len(tables)  # one per chart, each table outside its (empty) disclosure
    assert NUMBERS in page
    screen, printed = re.findall(r"@media (\w+)\{(.*?\})\}", NUMBERS)
    assert ("screen", "details.numbers:not([open])+div.numbers{display:none}") == screen
    assert ("print", "details.numbers{display:none}div.numbers{display:block}") == printed
    assert "default-src 'none'; style-src 'unsafe-inline'\"" in page  # no script to do it


def test_custom_level_names_win_over_the_catalogue() -> None:
    scale = Scale(
        min=0.0,
        max=4.0,
        mastery=3.0,
        levels=(Level(name="Beginning", minimum=0.0), Level(name="Got it", minimum=3.0)),
    )
    target = LearningTarget(id="T", title="Ratios", scale=scale)
    history = [Evidence(student_id="s", target_id="T", score=3.0, observed_at=DAY)]
    text = Text.of(student_report_html("s", history, [target], policies.Mean(), lang="es")).text
    assert "Got it" in text
    assert "cumple" not in text
    assert "dominado" not in text.replace("dominados", "")


def _used_messages() -> set[str]:
    found: set[str] = set()
    for path in REPORTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first, func = node.args[0], node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in {"words", "self"} and isinstance(first, ast.Constant):
                assert isinstance(first.value, str)
                found.add(first.value)
    return found | set(_POLICIES.values()) | LEVEL_NAMES | RULE_MESSAGES


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_of_the_reports_is_in_each_catalogue_with_its_placeholders(lang: str) -> None:
    messages = catalogue(lang)
    used = _used_messages()
    assert len(used) > 60
    assert set() == used - set(messages)
    assert set() == set(messages) - used  # no stale entries
    for message in used:
        assert _fields(message) == _fields(messages[message]), message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_babel_reads_the_catalogue_alike_and_its_mo_works_with_stdlib_gettext(lang: str) -> None:
    from babel.messages import mofile, pofile

    path = REPORTS / "locale" / lang / "LC_MESSAGES" / "mastery_grading.po"
    with path.open("rb") as file:
        babel_catalogue = pofile.read_po(file)
    assert {m.id: m.string for m in babel_catalogue if m.id} == dict(catalogue(lang))
    compiled = io.BytesIO()
    mofile.write_mo(compiled, babel_catalogue)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    for message, translated in catalogue(lang).items():
        assert translated == translations.gettext(message)


def test_the_po_reader_joins_continued_lines_and_reads_escapes() -> None:
    text = (
        '# c\nmsgid ""\nmsgstr "h"\n\n'
        'msgid "a "\n"b"\nmsgstr "x \\"y\\"\\n"\n\n'
        'msgid "u"\nmsgstr ""\n'
    )
    assert {"a b": 'x "y"\n'} == read_po(text)
    with pytest.raises(InvalidValueError, match="line 1: 'msgctxt' is not supported"):
        read_po('msgctxt "x"\n')


def test_an_unknown_language_is_refused_naming_the_choices() -> None:
    with pytest.raises(
        InvalidValueError,
        match=r"lang='fr' is not a language of the reports; expected one of \['en', 'es'\]",
    ):
        _page(lang="fr")


def test_spanish_without_babel_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "babel" or m.startswith("babel.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "babel", None)
    with pytest.raises(MissingExtraError, match=r'pip install "mastery_grading\[report\]"'):
        Words.of("es")
    assert "2.325" in Words.of("en").number(2.325)


@settings(max_examples=40)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_english_dates_without_babel_read_as_babels(day: date) -> None:
    from babel.dates import format_date

    assert format_date(day, format="medium", locale="en") == Words.of("en").date(day)


@given(value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_numbers_keep_the_display_rule_in_every_language(value: float) -> None:
    english, spanish = Words.of("en").number(value), Words.of("es").number(value)
    assert english.replace(".", ",") == spanish


# -- PDF ---------------------------------------------------------------------------------------


def test_a_failing_browser_is_reported_with_what_it_said(tmp_path: Path) -> None:
    browser = tmp_path / "broken-chromium"
    browser.write_text("#!/bin/sh\necho 'no display here' >&2\nexit 3\n", encoding="utf-8")
    browser.chmod(0o755)
    page = tmp_path / "page.html"
    page.write_text(_page(), encoding="utf-8")
    with pytest.raises(ExternalToolError, match=r"could not print .*\(exit 3\): no display here"):
        render_pdf(page, tmp_path / "page.pdf", browser=str(browser))


def test_without_chromium_pdf_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExternalToolError, match=r"chromium is not installed.*leave out --pdf"):
        write_reports(tmp_path, EVIDENCE, TARGETS, policies.Mean(), key="k", pdf=True)
    assert (tmp_path / "teacher.html").is_file()  # the HTML pages are written first


def test_the_catalogues_are_package_data_of_the_wheel() -> None:
    with (REPORTS.parents[2] / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"]["mastery_grading"]
    package = REPORTS.parent
    for lang in LANGUAGES:
        path = (REPORTS / "locale" / lang / "LC_MESSAGES" / "mastery_grading.po").relative_to(
            package
        )
        assert any(fnmatch.fnmatch(str(path), pattern) for pattern in patterns), path


def test_a_worked_example_with_a_cut_value_ends_with_one_mark() -> None:
    history = scores_to_history([1.0, 1.5, 2.0], target_id="LE.1", student_id="s")
    text = Text.of(student_report_html("s", history, TARGETS[:1], policies.DecayingAverage())).text
    assert "= 1.76375." in text
    history = scores_to_history([1.0, 1.5, 2.0, 3.5, 4.0], target_id="LE.1", student_id="s")
    text = Text.of(student_report_html("s", history, TARGETS[:1], policies.DecayingAverage())).text
    assert "= 3.6123\u2026 " in text + " "
    assert "\u2026." not in text
