"""Duplicates across adds: a batch is checked against what the gradebook already holds.

Whatever the book's state (never scored, sorted by the engine, live with evidence added since,
loaded from a frame), the same rule holds: a copy (same student, target, instant, score,
source and kind) of evidence already in the book is refused by default and skipped with
``duplicates="drop"``; and the check reads only the groups the batch touches.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import BulkValidationError, Evidence, Gradebook, LearningTarget, policies
from mastery_grading.gradebook._duplicates import duplicate_key
from mastery_grading.gradebook._store import EvidenceStore

TARGETS = [LearningTarget(id="T1", title="One"), LearningTarget(id="T2", title="Two")]


def _row(student: str = "ana", score: float = 3.0, day: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "student_id": student,
        "target_id": "T1",
        "score": score,
        "observed_at": START + timedelta(days=day),
        **extra,
    }


def _hide_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyarrow" else find_spec(name, *args),
    )


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "no-pyarrow"])
def test_add_frame_refuses_copies_of_evidence_already_in_the_book(
    monkeypatch: pytest.MonkeyPatch, arrow: bool
) -> None:
    pd = pytest.importorskip("pandas")
    if arrow:
        pytest.importorskip("pyarrow")
    else:
        _hide_pyarrow(monkeypatch)
    book = Gradebook.from_records([_row(), _row("ben")], targets=TARGETS)
    frame = pd.DataFrame([_row("cy"), _row(), _row("ana", score=9.0)], index=["new", "copy", "bad"])
    with pytest.raises(BulkValidationError) as caught:
        book.add_frame(frame)
    problems = caught.value.problems
    assert ["copy", "bad"] == [p.row for p in problems]  # both kinds, in one error
    assert "is already in the gradebook" in problems[0].message
    assert 2 == len(book)
    book.add_frame(frame.drop(index="bad"), duplicates="drop")
    assert ["ana", "ben", "cy"] == [e.student_id for e in book.evidence()]
    book.add_frame(frame.drop(index="bad"), duplicates="keep")
    assert 5 == len(book)


def test_a_copy_written_in_another_time_zone_is_found_in_the_sorted_store() -> None:
    pytest.importorskip("numpy")
    book = Gradebook.from_records([_row(), _row(day=1, score=2.0)], targets=TARGETS)
    book.results(policies.Mean())  # the engine sorts the book
    later = START.astimezone(timezone(timedelta(hours=2))) + timedelta(days=1)
    again = Evidence(student_id="ana", target_id="T1", score=2.0, observed_at=later)
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(again)
    book.add(Evidence(student_id="ana", target_id="T1", score=-0.0, observed_at=later))
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(_row(day=1, score=0.0))  # -0.0 is 0.0


def test_the_first_add_to_a_big_book_does_not_read_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check reads the groups a batch touches (the old code rebuilt every row first)."""
    pd = pytest.importorskip("pandas")
    rows = [_row(f"s{i}", day=i % 7) for i in range(2000)]
    book = Gradebook.from_frame(pd.DataFrame(rows), targets=TARGETS)
    book.results(policies.MostRecent())

    def every_row(self: EvidenceStore) -> list[Evidence]:
        raise AssertionError("the duplicate check read every row of the book")

    monkeypatch.setattr(EvidenceStore, "evidence", every_row)
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(_row("s8", day=1))
    book.add(_row("s8", day=2))
    assert 2001 == len(book)


# -- one rule, whatever the book's state ----------------------------------------------------

_pieces = st.builds(
    Evidence,
    student_id=st.sampled_from(["ana", "ben"]),
    target_id=st.sampled_from(["T1", "T2"]),
    score=st.sampled_from([0.0, -0.0, 2.0, 3.0]),
    observed_at=st.sampled_from(
        [
            START,
            START.astimezone(timezone(timedelta(hours=-5))),  # the same instant
            START + timedelta(hours=1),
        ]
    ),
    source_id=st.sampled_from([None, "quiz"]),
    kind=st.sampled_from(["summative", "formative"]),
)
# each step: a batch and how it is added, or a call of results() (which sorts the book)
_steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["add", "frame"]), st.lists(_pieces, max_size=4)),
        st.just(("results", [])),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_steps, engine=st.sampled_from(["python", "numpy"]))
def test_drop_keeps_exactly_the_first_copy_of_each_piece_whatever_the_state(
    steps: list[tuple[str, list[Evidence]]], engine: Any
) -> None:
    pd = pytest.importorskip("pandas")
    book = Gradebook(targets=TARGETS, engine=engine)
    expected: dict[tuple[Any, ...], Evidence] = {}
    for how, batch in steps:
        if how == "results":
            book.results(policies.Mean())
            continue
        if how == "add":
            book.add(batch, duplicates="drop")
        else:
            if not batch:
                continue
            records = [
                {
                    "student_id": e.student_id,
                    "target_id": e.target_id,
                    "score": e.score,
                    "observed_at": e.observed_at.astimezone(UTC),
                    "source_id": e.source_id,
                    "kind": e.kind.value,
                }
                for e in batch
            ]
            book.add_frame(pd.DataFrame(records), duplicates="drop")
        for item in batch:
            expected.setdefault(duplicate_key(item), item)
        held = [duplicate_key(e) for e in book.evidence()]
        assert (len(expected), set(expected)) == (len(held), set(held))  # instants compare
        for item in batch:  # each is now a copy of what the book holds
            with pytest.raises(BulkValidationError, match="is already in the gradebook"):
                book.add(item)
