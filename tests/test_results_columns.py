"""A results CSV written by columns equals the one written row by row, byte for byte."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import Evidence, Gradebook, LearningTarget, Scale, policies
from mastery_grading.io import results_csv_text
from mastery_grading.io._common import csv_text
from mastery_grading.io.results import RESULT_COLUMNS, _result_row, student_rows

pytest.importorskip("numpy")

#: Ids a spreadsheet would run as formulas, or that look like numbers, beside plain ones.
IDS = ["ana", "=cmd", "-1", "+b", "@x", "'=q", "z", "a,b", 'say "hi"', "two\nlines"]
POLICIES = [
    policies.Mean(),
    policies.NTimes(n=2),
    policies.MostRecent(),
    policies.PowerLaw(),
    policies.DecayingAverage(),
]


def row_by_row(table: Any) -> str:
    labels: dict[int, str] = {}
    return csv_text(RESULT_COLUMNS, (_result_row(s, r, labels) for s, r in student_rows(table)))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(IDS),
            st.sampled_from(["A", "B"]),
            st.sampled_from([0.0, 1.0, 2.5, 3.0, 2.33, 4.0]),
            st.integers(0, 5),
        ),
        max_size=25,
    ),
    policy=st.sampled_from(POLICIES),
    engine=st.sampled_from(["numpy", "python"]),
    mixed=st.booleans(),
)
def test_columns_and_rows_write_the_same_results_csv(
    rows: list[tuple[str, str, float, int]], policy: Any, engine: Any, mixed: bool
) -> None:
    targets = [
        LearningTarget(id="A", title="A"),
        LearningTarget(id="B", title="B", scale=Scale.percent(mastery=2.5)),
    ]
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=START + timedelta(days=d))
        for s, t, x, d in rows
    ]
    book = Gradebook.from_evidence(evidence, targets=targets, engine=engine, duplicates="keep")
    chosen = {"A": policy, "B": policies.Highest()} if mixed else policy
    table = book.results(chosen)
    assert row_by_row(table) == results_csv_text(table)


def test_to_pandas_keeps_the_dtypes_pandas_gives_python_strings() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    np = pytest.importorskip("numpy")
    targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
    evidence = [
        Evidence(student_id=s, target_id="A", score=x, observed_at=START + timedelta(days=d))
        for d, (s, x) in enumerate([("ana", 3.0), ("=b", 1.0), ("ana", 4.0)])
    ]
    table = Gradebook.from_evidence(evidence, targets=targets).results(policies.NTimes(n=2))
    frame = table.to_pandas()
    # what pandas makes of the same columns given as Python objects
    expected = pd.DataFrame(
        {
            name: np.asarray(part[0], dtype=object)[part[1]] if isinstance(part, tuple) else part
            for name, part in table._parts().items()
        }
    )
    pd.testing.assert_frame_equal(expected, frame)


def test_to_arrow_holds_the_records() -> None:
    pytest.importorskip("pyarrow")
    targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=START + timedelta(days=d))
        for d, (s, t, x) in enumerate([("ana", "A", 3.0), ("ben", "B", 1.0), ("ana", "A", 4.0)])
    ]
    table = Gradebook.from_evidence(evidence, targets=targets).results(policies.Mean())
    assert table.records() == table.to_arrow().to_pylist()
