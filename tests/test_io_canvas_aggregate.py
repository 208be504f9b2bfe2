"""Canvas's section statistics: ``ResultTable.aggregate`` from a Canvas export (issue 14, #8)."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mastery_grading import Gradebook, LearningTarget, Scale
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.io import read_canvas_results, read_evidence, results_table
from mastery_grading.policies import Mean, from_canvas, ruby_round
from mastery_grading.testing.examples import scores_to_history

HEADER = (
    "student id,section id,learning outcome id,outcome score,submission date,"
    "learning outcome points possible,learning outcome mastery score\n"
)


def report(rows: list[tuple[str, str, str, float, int]]) -> io.StringIO:
    return io.StringIO(
        HEADER
        + "".join(
            f"{student},{section},{outcome},{score},2024-10-{day:02d}T09:00:00-05:00,4.0,3.0\n"
            for student, section, outcome, score, day in rows
        )
    )


ROWS = [
    # section 95: Rosa (2 then 3 -> 2.65), Ken (4), Ivy (no score on 310, 1 on 311)
    ("1042", "95", "310", 2.0, 1),
    ("1042", "95", "310", 3.0, 2),
    ("1043", "95", "310", 4.0, 1),
    ("1044", "95", "311", 1.0, 1),
    # section 96: Lee (1 then 2 -> 1.65); Rosa is in both sections
    ("1045", "96", "310", 1.0, 1),
    ("1045", "96", "310", 2.0, 2),
    ("1042", "96", "311", 3.0, 3),
]


def results() -> tuple[Any, Any]:
    found = read_canvas_results(report(ROWS))
    book = Gradebook.from_evidence(found.evidence, targets=found.targets)
    return book.results(from_canvas("decaying_average")), found


def test_section_mean_and_median_from_a_canvas_report() -> None:
    table, found = results()
    assert {"1042": ("95", "96"), "1043": ("95",), "1044": ("95",), "1045": ("96",)} == dict(
        found.sections
    )
    mean = table.aggregate(found.sections)
    assert ("95", "96") == mean.groups
    # 95 on 310: Rosa 2.65 and Ken 4.0 (Ivy has no score there and is left out)
    assert 3.33 == mean.value("95", "310")
    # 96 on 310: Rosa 2.65 (enrolled in both) and Lee 1.65
    assert 2.15 == mean.value("96", "310")
    assert 2.0 == mean.value("95", "311")  # Rosa 3 and Ivy 1
    records = {(r["group"], r["target_id"]): r for r in mean.records()}
    assert (2, 3) == (records["95", "310"]["students"], records["95", "310"]["group_size"])
    median = table.aggregate(found.sections, stat="median")
    assert 3.325 == median.value("95", "310")  # Canvas does not round the median
    assert 3.0 == median.value("96", "311")


def test_the_whole_class_and_empty_sections() -> None:
    table, _ = results()
    whole = table.aggregate()
    assert ("all",) == whole.groups
    assert ruby_round((2.65 + 4.0 + 1.65) / 3) == whole.value("all", "310")
    named = table.aggregate({"1042": "A", "9999": "B"})
    assert ("A", "B") == named.groups
    assert named.value("B", "310") is None
    assert ("1043", "1044", "1045") == named.ungrouped


def test_a_pandas_series_and_a_frame_out() -> None:
    pd = pytest.importorskip("pandas")
    table, _ = results()
    series = pd.Series({"1042": "95", "1043": "95", "1044": "95", "1045": "96"})
    frame = table.aggregate(series).to_pandas()
    assert ["group", "target_id", "stat", "value", "students", "group_size"] == list(frame.columns)
    assert 4 == len(frame)
    assert math.isnan(frame.set_index(["group", "target_id"]).loc[("96", "311"), "value"])


def test_bad_arguments_say_what_is_expected() -> None:
    table, _ = results()
    with pytest.raises(InvalidValueError, match="stat='mode' must be 'mean' or 'median'"):
        table.aggregate(stat="mode")
    # a table built without sections says where they come from (a string used to be refused)
    with pytest.raises(InvalidValueError, match=r"by='section' is not a student attribute.*none"):
        table.aggregate("section")
    with pytest.raises(InvalidTypeError, match=r"by=2.5 must be None .* or a mapping"):
        table.aggregate(2.5)
    with pytest.raises(InvalidTypeError, match=r"by\['1042'\]=2.5 must be a str"):
        table.aggregate({"1042": 2.5})


@given(
    st.lists(
        st.floats(min_value=0, max_value=4, allow_nan=False).map(lambda x: round(x, 2)),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_the_statistic_is_over_every_student_with_a_value(values: list[float], gap: int) -> None:
    assume(gap < len(values))
    target = LearningTarget(id="T", title="T", scale=Scale(min=0, max=4, mastery=3))
    evidence = [
        e
        for i, v in enumerate(values)
        if i != gap
        for e in scores_to_history([v], student_id=f"s{i:02d}", target_id="T")
    ]
    other = LearningTarget(id="U", title="U")
    evidence += scores_to_history([1.0], student_id=f"s{gap:02d}", target_id="U")
    table = Gradebook.from_evidence(evidence, targets=[target, other]).results(Mean())
    kept = sorted(v for i, v in enumerate(values) if i != gap)
    mean = table.aggregate().value("all", "T")
    median = table.aggregate(stat="median").value("all", "T")
    assume(kept)  # the one student left out was the only one
    assert ruby_round(math.fsum(kept) / len(kept)) == mean
    assert median is not None
    assert min(kept) <= median <= max(kept)
    assert sum(v < median for v in kept) <= len(kept) // 2
    assert sum(v > median for v in kept) <= len(kept) // 2


def test_nobody_with_a_value_gives_none() -> None:
    target = LearningTarget(id="T", title="T", scale=Scale(min=0, max=4, mastery=3))
    evidence = scores_to_history([1.0], student_id="a", target_id="U")
    table = Gradebook.from_evidence(evidence, targets=[target, LearningTarget(id="U", title="U")])
    for stat in ("mean", "median"):
        aggregated = table.results(Mean()).aggregate(stat=stat)
        assert aggregated.value("all", "T") is None
        assert 1.0 == aggregated.value("all", "U")


# -- by="section": the sections a gradebook carries (issue 14, #8) ---------------------------


def test_a_canvas_report_carries_its_sections_to_aggregate_by_section() -> None:
    found = read_canvas_results(report(ROWS))
    book = Gradebook.from_evidence(
        found.evidence, targets=found.targets, student_attributes=found.student_attributes
    )
    table = book.results(from_canvas("decaying_average"))
    assert {"section": dict(found.sections)} == {
        name: dict(groups) for name, groups in table.student_attributes.items()
    }
    for stat in ("mean", "median"):
        by_name = table.aggregate(by="section", stat=stat)
        assert by_name == table.aggregate(found.sections, stat=stat)
    assert 3.33 == table.aggregate(by="section").value("95", "310")
    assert 3.325 == table.aggregate(by="section", stat="median").value("95", "310")


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_a_canvas_file_read_as_class_evidence_scores_with_its_sections(
    tmp_path: Path, engine: Any
) -> None:
    path = tmp_path / "outcome_results.csv"
    path.write_text(report(ROWS).getvalue(), encoding="utf-8")
    found = read_evidence(path)
    assert {"section": dict(found.sections)} == found.student_attributes
    table = results_table(
        found.scoring_input(),
        found.targets,
        from_canvas("decaying_average"),
        students=found.roster(),
        engine=engine,
        student_attributes=found.student_attributes,
    )
    mean = table.aggregate(by="section")
    assert mean == table.aggregate(found.sections)
    assert (3.33, 2.15) == (mean.value("95", "310"), mean.value("96", "310"))


def test_the_vendor_section_numbers_from_a_report_with_a_section_column() -> None:
    # instructure/canvas-lms result_analytics_spec (as in tests/test_vendor_examples.py):
    # "highest" rollups 1, 2, 3, 40 on outcome 80 -> mean 11.5, median 2.5; 5, 6, 70 on 81
    header = HEADER
    rows = [
        ("a", "80", 0.0, 1),
        ("a", "80", 1.0, 2),
        ("a", "81", 5.0, 1),
        ("b", "80", 2.0, 1),
        ("b", "81", 6.0, 1),
        ("c", "80", 3.0, 1),
        ("d", "80", 40.0, 1),
        ("d", "81", 70.0, 1),
        ("e", "80", 4.0, 1),  # another section, not counted in S1
    ]
    text = header + "".join(
        f"{u},{'S2' if u == 'e' else 'S1'},{o},{s},2024-10-{d:02d}T09:00:00Z,100.0,3.0\n"
        for u, o, s, d in rows
    )
    found = read_canvas_results(io.StringIO(text))
    book = Gradebook.from_evidence(
        found.evidence, targets=found.targets, student_attributes=found.student_attributes
    )
    table = book.results(from_canvas("highest"))
    mean = table.aggregate(by="section")
    median = table.aggregate(by="section", stat="median")
    assert [11.5, 27.0] == [mean.value("S1", o) for o in ("80", "81")]
    assert [2.5, 6.0] == [median.value("S1", o) for o in ("80", "81")]
    assert (4.0, None) == (mean.value("S2", "80"), mean.value("S2", "81"))


def frame_rows() -> dict[str, list[Any]]:
    return {
        "student_id": ["ana", "ana", "ben", "cy", "cy", "dee"],
        "target_id": ["T"] * 6,
        "score": [2.0, 3.0, 4.0, 1.0, 2.0, 3.0],
        "section": ["P1", "P1", "P1", "P2", "P2", "P1"],
        "period": [2, 2, 2, 3, 3, None],  # one per student (dee has none)
        "task": ["quiz 1", "quiz 2", "quiz 1", "quiz 1", "quiz 2", "quiz 1"],  # per row
    }


TARGET = LearningTarget(id="T", title="Ratios", scale=Scale(min=0, max=4, mastery=3))


@pytest.mark.parametrize("engine", ["python", "numpy"])
def test_a_pandas_frame_with_a_section_column(engine: Any) -> None:
    pd = pytest.importorskip("pandas")
    rows = frame_rows()
    frame = pd.DataFrame(
        {**rows, "observed_at": pd.date_range("2026-10-01", periods=6, freq="D", tz="UTC")}
    )
    table = Gradebook.from_frame(frame, targets=[TARGET], engine=engine).results(Mean())
    by_section = table.aggregate(by="section")
    # ana 2.5, ben 4, dee 3 in P1; cy 1.5 in P2
    assert ("P1", "P2") == by_section.groups
    assert (ruby_round(9.5 / 3), 1.5) == (by_section.value("P1", "T"), by_section.value("P2", "T"))
    assert by_section == table.aggregate({"ana": "P1", "ben": "P1", "cy": "P2", "dee": "P1"})
    by_period = table.aggregate(by="period", stat="median")
    assert (("2", "3"), ("dee",)) == (by_period.groups, by_period.ungrouped)
    assert 3.25 == by_period.value("2", "T")  # ana 2.5 and ben 4.0
    # a column that changes within a student is not an attribute; the error names those there are
    with pytest.raises(InvalidValueError) as raised:
        table.aggregate(by="task")
    message = str(raised.value)
    assert "['period', 'section']" in message
    assert "student 'ana' has 'quiz 1', 'quiz 2'" in message


def test_a_student_in_two_sections_in_a_frame_counts_in_both() -> None:
    pd = pytest.importorskip("pandas")
    rows = frame_rows()
    rows["section"] = ["P1", "P2", "P1", "P2", "P2", "P1"]  # ana's rows name two sections
    frame = pd.DataFrame(
        {**rows, "observed_at": pd.date_range("2026-10-01", periods=6, freq="D", tz="UTC")}
    )
    table = Gradebook.from_frame(frame, targets=[TARGET]).results(Mean())
    assert ("P1", "P2") == table.student_attributes["section"]["ana"]
    aggregated = table.aggregate(by="section")
    assert (3, 2) == (aggregated.records()[0]["students"], aggregated.records()[1]["students"])
    assert 2.0 == aggregated.value("P2", "T")  # ana 2.5 and cy 1.5


def test_a_polars_frame_with_a_section_column() -> None:
    pl = pytest.importorskip("polars")
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 10, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {**frame_rows(), "observed_at": [start + timedelta(days=i) for i in range(6)]}
    )
    table = Gradebook.from_frame(frame, targets=[TARGET]).results(Mean())
    assert 1.5 == table.aggregate(by="section").value("P2", "T")
    assert ("2", "3") == table.aggregate(by="period").groups
    lazy = Gradebook.from_frame(frame.lazy(), targets=[TARGET]).results(Mean())
    assert lazy.aggregate(by="section") == table.aggregate(by="section")


def test_attributes_stay_with_a_live_gradebook_and_unknown_names_are_errors() -> None:
    book = Gradebook(
        targets=[TARGET], student_attributes={"section": {"ana": "P1", "ben": ["P1", "P2"]}}
    )
    book.add(scores_to_history([2.0], student_id="ana", target_id="T"))
    assert 2.0 == book.results(Mean()).aggregate(by="section").value("P1", "T")
    book.add(scores_to_history([4.0], student_id="ben", target_id="T"))  # patched live
    table = book.results(Mean())
    assert (3.0, 4.0) == (
        table.aggregate(by="section").value("P1", "T"),
        table.aggregate(by="section").value("P2", "T"),
    )
    with pytest.raises(InvalidValueError, match=r"by='period' .* its attributes are \['section'\]"):
        table.aggregate(by="period")
    with pytest.raises(InvalidTypeError, match=r"student_attributes\['section'\]\['ana'\]=2.5"):
        Gradebook(targets=[TARGET], student_attributes={"section": {"ana": 2.5}})
