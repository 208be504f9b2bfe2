"""A results CSV written by columns equals the one written row by row, byte for byte."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import Evidence, Gradebook, LearningTarget, ResultTable, Scale, policies
from mastery_grading.io import results_csv_text
from mastery_grading.io._common import csv_text
from mastery_grading.io.results import RESULT_COLUMNS, _result_row, student_rows

pytest.importorskip("numpy")

#: Ids a spreadsheet would run as formulas, or that look like numbers, beside plain ones, and
#: ids whose natural order (``s9`` before ``s10``) is not their text's order.
IDS = ["ana", "=cmd", "-1", "+b", "@x", "'=q", "z", "a,b", 'say "hi"', "two\nlines"]
IDS += ["s9", "s10", "s01", "s1"]
#: Targets: ``T2`` before ``T10`` in id order, and another scale.
TARGETS = [
    LearningTarget(id="A", title="A"),
    LearningTarget(id="B", title="B", scale=Scale.percent(mastery=2.5)),
    LearningTarget(id="T10", title="T10"),
    LearningTarget(id="T2", title="T2"),
]
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
            st.sampled_from([target.id for target in TARGETS]),
            st.sampled_from([0.0, 1.0, 2.5, 3.0, 2.33, 4.0]),
            st.integers(0, 5),
        ),
        max_size=25,
    ),
    policy=st.sampled_from(POLICIES),
    engine=st.sampled_from(["numpy", "python"]),
    mixed=st.booleans(),
    targets=st.permutations(TARGETS),
)
def test_columns_and_rows_write_the_same_results_csv(
    rows: list[tuple[str, str, float, int]],
    policy: Any,
    engine: Any,
    mixed: bool,
    targets: list[LearningTarget],
) -> None:
    # the gradebook keeps the targets in the order given (a file's order of first appearance)
    # and its students in text order: both writers put them in id order
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=START + timedelta(days=d))
        for s, t, x, d in rows
    ]
    book = Gradebook.from_evidence(evidence, targets=targets, engine=engine, duplicates="keep")
    chosen = {t.id: policies.Highest() if t.id == "B" else policy for t in targets}
    table = book.results(chosen if mixed else policy)
    assert [t.id for t in targets] == [t.id for t in table.targets]
    assert row_by_row(table) == results_csv_text(table)


def test_a_table_with_a_student_twice_is_written_as_the_row_writer_sorts_it() -> None:
    # a table built by hand may name a student twice: both writers sort the rows stably by
    # (student, target), so the two rows of one student and target stay in the table's order
    targets = [LearningTarget(id="T10", title="T10"), LearningTarget(id="T2", title="T2")]
    table = ResultTable(
        policy=policies.Mean(),
        students=["s10", "s9", "s10"],
        targets=targets,
        values=[1.0, 2.0, 3.0, None, 0.5, 4.0],
        counts=[1, 1, 1, 0, 1, 1],
        reasons={3: "no evidence"},
    )
    text = results_csv_text(table)
    assert row_by_row(table) == text
    assert ["s9,T2", "s9,T10", "s10,T2", "s10,T2", "s10,T10", "s10,T10"] == [
        ",".join(line.split(",")[:2]) for line in text.splitlines()[1:]
    ]


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
