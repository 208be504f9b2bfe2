"""Canvas's section statistics: ``ResultTable.aggregate`` from a Canvas export (issue 14, #8)."""

from __future__ import annotations

import io
import math
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mastery_grading import Gradebook, LearningTarget, Scale
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.io import read_canvas_results
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
    with pytest.raises(InvalidValueError, match=r"by='section' must be None .* or a mapping"):
        table.aggregate("section")
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
