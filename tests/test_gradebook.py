"""The Gradebook API: building, bulk validation, result tables, frames and grades."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpers import START
from mastery_grading import (
    BulkValidationError,
    Evidence,
    Gradebook,
    InvalidValueError,
    LearningTarget,
    MissingExtraError,
    Scale,
    TargetResult,
    policies,
)
from mastery_grading.examples import load_example_class
from mastery_grading.grades import AverageCutoffs, grade

TARGETS = [
    LearningTarget(id="LE.1", title="Linear equations"),
    LearningTarget(id="P.1", title="Percent", scale=Scale.percent()),
]


def rows() -> list[dict[str, Any]]:
    return [
        {"student_id": "ana", "target_id": "LE.1", "score": 2.0, "observed_at": START},
        {
            "student_id": "ana",
            "target_id": "LE.1",
            "score": 3.5,
            "observed_at": START + timedelta(1),
        },
        {"student_id": "ben", "target_id": "P.1", "score": 85.0, "observed_at": START},
        {"student_id": "ben", "target_id": "LE.1", "score": 1.0, "observed_at": START},
    ]


@pytest.fixture(params=["python", "numpy"])
def engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "numpy":
        pytest.importorskip("numpy")
    return request.param


def test_results_cover_every_student_on_every_target(engine: Any) -> None:
    book = Gradebook.from_records(rows(), targets=TARGETS, engine=engine)
    table = book.results(policies.MostRecent())
    assert 4 == len(table) == len(list(table))
    assert ("ana", "ben") == table.students
    assert [
        ("ana", "LE.1", 3.5, "meets", True, 2),
        ("ana", "P.1", None, None, False, 0),
        ("ben", "LE.1", 1.0, "not yet", False, 1),
        ("ben", "P.1", 85.0, "mastered", True, 1),
    ] == [
        (
            r["student_id"],
            r["target_id"],
            r["value"],
            r["level"],
            r["mastered"],
            r["evidence_count"],
        )
        for r in table.records()
    ]
    assert "no evidence" == table.records()[1]["reason"]


def test_iteration_yields_target_results(engine: Any) -> None:
    table = Gradebook.from_records(rows(), targets=TARGETS, engine=engine).results(policies.Mean())
    results = list(table)
    assert all(isinstance(r, TargetResult) for r in results)
    assert [2.75, None, 1.0, 85.0] == [r.value for r in results]
    keys = [key for key, _ in table.items()]
    assert ("ben", "P.1") == keys[-1]
    explained = table.explain("ana", "LE.1")
    assert 2 == len(explained.contributions)
    with pytest.raises(KeyError):
        table.explain("zoe", "LE.1")


def test_as_of_keeps_only_earlier_evidence(engine: Any) -> None:
    book = Gradebook.from_records(rows(), targets=TARGETS, engine=engine)
    [first, *_] = book.results(policies.MostRecent(), as_of=START).records()
    assert (2.0, 1) == (first["value"], first["evidence_count"])
    with pytest.raises(InvalidValueError, match="naive"):
        book.results(policies.MostRecent(), as_of=datetime(2026, 1, 1))


def test_add_one_by_one_equals_bulk(engine: Any) -> None:
    book = Gradebook(targets=TARGETS, engine=engine)
    for row in rows():
        book.add(Evidence(**row))
    bulk = Gradebook.from_evidence([Evidence(**r) for r in rows()], targets=TARGETS, engine=engine)
    assert 4 == len(book)
    policy = policies.DecayingAverage()
    assert bulk.results(policy).records() == book.results(policy).records()


def test_bulk_validation_lists_every_bad_row_and_adds_nothing() -> None:
    book = Gradebook.from_records(rows(), targets=TARGETS)
    bad = rows()
    bad[0]["target_id"] = "nope"
    bad[1]["score"] = 7.0
    bad[2]["score"] = float("inf")  # a NaN score is missing evidence, skipped (issue 14)
    bad[3]["observed_at"] = datetime(2026, 9, 1)
    bad.append({"student_id": " ", "target_id": "LE.1", "score": 1, "observed_at": START})
    with pytest.raises(BulkValidationError) as caught:
        book.add(bad)
    problems = {problem.row: problem.message for problem in caught.value.problems}
    assert [0, 1, 2, 3, 4] == list(problems)
    assert "not a target" in problems[0]
    assert "outside the scale" in problems[1]
    assert "finite" in problems[2]
    assert "naive" in problems[3]
    assert "non-empty" in problems[4]
    assert 4 == len(book)


def test_bulk_error_lists_twenty_and_counts_the_rest() -> None:
    bad = [
        {"student_id": "s", "target_id": "LE.1", "score": 9.0, "observed_at": START}
        for _ in range(25)
    ]
    with pytest.raises(BulkValidationError, match="and 5 more") as caught:
        Gradebook.from_records(bad, targets=TARGETS)
    assert 25 == len(caught.value.problems)
    assert str(caught.value).startswith("25 invalid rows")


def test_duplicate_target_ids_and_bad_engine_are_rejected() -> None:
    with pytest.raises(InvalidValueError, match="twice"):
        Gradebook(targets=[TARGETS[0], TARGETS[0]])
    with pytest.raises(InvalidValueError, match="engine"):
        Gradebook(targets=TARGETS, engine="gpu")  # type: ignore[arg-type]


def test_grades_are_the_converter_letters_of_each_students_results(engine: Any) -> None:
    example = load_example_class()
    book = Gradebook.from_evidence(example.evidence, targets=example.targets, engine=engine)
    converter = AverageCutoffs.marzano_2010()
    reports = book.grades(converter, policy=policies.MostRecent())
    expected = {
        student: grade(
            [
                policies.MostRecent().evaluate(example.evidence_of(student, t.id), t)
                for t in example.targets
            ],
            converter,
        ).letter
        for student in example.student_ids
    }
    assert expected == {student: report.letter for student, report in reports.items()}
    assert 1 < len(set(expected.values()))
    assert len(example.targets) == len(reports[example.student_ids[0]].results)


def assert_close(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    """Equal records, values within 1e-9 (the engine rounds differently from the reference)."""
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        if want["value"] is not None and got["value"] is not None:
            assert want["value"] == pytest.approx(got["value"], rel=1e-9)
            got = {**got, "value": want["value"]}
        assert want == got


def frame_rows(n_students: int = 3) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = {"student": [], "target_id": [], "score": [], "observed_at": []}
    for s in range(n_students):
        for day, score in enumerate([1.0, 2.5, 3.0]):
            data["student"].append(f"s{s}")
            data["target_id"].append("LE.1")
            data["score"].append(score + 0.5 * (s % 2))
            data["observed_at"].append(datetime(2026, 9, 1 + day, tzinfo=UTC))
    return data


def test_from_pandas_frame_equals_from_evidence() -> None:
    pd = pytest.importorskip("pandas")
    data = frame_rows()
    df = pd.DataFrame(data).sample(frac=1.0, random_state=0)
    book = Gradebook.from_frame(df, targets=TARGETS, columns={"student_id": "student"})
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=o)
        for s, t, x, o in zip(*data.values(), strict=True)
    ]
    reference = Gradebook.from_evidence(evidence, targets=TARGETS, engine="python")
    policy = policies.DecayingAverage()
    assert_close(reference.results(policy).records(), book.results(policy).records())
    assert sorted(evidence, key=repr) == sorted(book.evidence(), key=repr)


def test_to_pandas_and_to_polars_have_the_result_columns() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("polars")
    table = Gradebook.from_records(rows(), targets=TARGETS).results(policies.Mean())
    df = table.to_pandas()
    assert [
        "student_id",
        "target_id",
        "value",
        "level",
        "mastered",
        "evidence_count",
        "reason",
    ] == list(df.columns)
    assert [2.75, 1.0] == df["value"].dropna().tolist()[:2]
    levels = [None if pd.isna(level) else level for level in df["level"]]
    assert ["approaching", None, "not yet", "mastered"] == levels
    out = table.to_polars()
    assert 1 == out["value"].null_count()
    assert [False, False, False, True] == out["mastered"].to_list()
    assert df["evidence_count"].tolist() == out["evidence_count"].to_list()


def test_from_polars_frame_with_optional_columns() -> None:
    pl = pytest.importorskip("polars")
    data = frame_rows(2)
    n = len(data["score"])
    data["kind"] = ["formative", "Summative"] * (n // 2)
    data["weight"] = [1.0, 2.0] * (n // 2)
    data["source_id"] = [None, "quiz"] * (n // 2)
    data["attempt"] = [None, 2] * (n // 2)
    df = pl.DataFrame(data)
    book = Gradebook.from_frame(df, targets=TARGETS, columns={"student_id": "student"})
    reference = Gradebook.from_evidence(book.evidence(), targets=TARGETS, engine="python")
    for policy in (policies.Mean(), policies.MostRecent(), policies.DecayingAverage()):
        assert_close(reference.results(policy).records(), book.results(policy).records())
    assert {e.kind.value for e in book.evidence()} == {"formative", "summative"}


def test_frame_validation_collects_bad_rows_across_columns() -> None:
    pd = pytest.importorskip("pandas")
    data = frame_rows()
    data["score"][0] = float("inf")  # a NaN score is missing evidence, skipped (issue 14)
    data["score"][1] = 9.0
    data["target_id"][2] = "nope"
    data["student"][3] = ""
    df = pd.DataFrame(data)
    with pytest.raises(BulkValidationError) as caught:
        Gradebook.from_frame(df, targets=TARGETS, columns={"student_id": "student"})
    assert [0, 1, 2, 3] == [problem.row for problem in caught.value.problems]


def test_naive_frame_times_make_every_row_bad() -> None:
    pd = pytest.importorskip("pandas")
    data = frame_rows(1)
    data["observed_at"] = [d.replace(tzinfo=None) for d in data["observed_at"]]
    df = pd.DataFrame(data).rename(columns={"student": "student_id"})
    with pytest.raises(BulkValidationError, match="naive") as caught:
        Gradebook.from_frame(df, targets=TARGETS)
    assert 3 == len(caught.value.problems)


def test_missing_column_is_named() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(frame_rows(1))
    with pytest.raises(InvalidValueError, match="student_id"):
        Gradebook.from_frame(df, targets=TARGETS)


def hide_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make numpy look not installed to the gradebook (``find_spec`` finds no numpy)."""
    find_spec = importlib.util.find_spec

    def without_numpy(name: str, *args: Any) -> Any:
        return None if name == "numpy" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_numpy)


def test_auto_engine_is_numpy_when_installed_and_the_reference_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("numpy")
    evidence = [Evidence(**row) for row in rows()]
    fast = Gradebook.from_evidence(evidence, targets=TARGETS).results(policies.Mean())
    # the engine's results carry no contributions; the reference's list the evidence
    assert [] == [r.contributions for r in fast if r.contributions]
    hide_numpy(monkeypatch)
    slow = Gradebook.from_evidence(evidence, targets=TARGETS).results(policies.Mean())
    assert 3 == len([r for r in slow if r.contributions])
    assert fast.records() == slow.records()


def test_numpy_engine_without_numpy_names_the_option_and_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hide_numpy(monkeypatch)
    with pytest.raises(MissingExtraError, match=r"engine='numpy'.*mastery_grading\[data\]"):
        Gradebook(targets=TARGETS, engine="numpy")


def test_evidence_keeps_the_order_added_across_objects_frames_and_merges() -> None:
    pd = pytest.importorskip("pandas")
    first = [Evidence(**row) for row in rows()[:2]]
    later = [Evidence(**row) for row in rows()[2:]]
    data = frame_rows(2)
    book = Gradebook(targets=TARGETS)
    book.add(first)
    book.add_frame(pd.DataFrame(data), columns={"student_id": "student"})
    before = book.results(policies.DecayingAverage()).records()
    book.add(later)
    framed = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=o)
        for s, t, x, o in zip(*data.values(), strict=True)
    ]
    assert [*first, *framed, *later] == book.evidence()
    reference = Gradebook.from_evidence(book.evidence(), targets=TARGETS, engine="python")
    policy = policies.DecayingAverage()
    assert_close(reference.results(policy).records(), book.results(policy).records())
    assert before != book.results(policy).records()


@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize("column", ["source_id", "context", "weight", "kind", "attempt"])
def test_an_optional_column_of_nulls_reads_as_absent(library: str, column: str) -> None:
    lib = pytest.importorskip(library)
    data: dict[str, list[Any]] = {**frame_rows(1), column: [None] * 3}
    book = Gradebook.from_frame(
        lib.DataFrame(data), targets=TARGETS, columns={"student_id": "student"}
    )
    plain = Gradebook.from_frame(
        lib.DataFrame(frame_rows(1)), targets=TARGETS, columns={"student_id": "student"}
    )
    assert plain.evidence() == book.evidence()


@pytest.mark.parametrize("lazy", [False, True])
def test_polars_frames_are_read_without_pyarrow_too(
    monkeypatch: pytest.MonkeyPatch, lazy: bool
) -> None:
    pl = pytest.importorskip("polars")
    data = frame_rows()
    data["weight"] = [1.0, None, 2.0] * 3
    frame = pl.DataFrame(data).lazy() if lazy else pl.DataFrame(data)
    names = {"student_id": "student"}
    with_arrow = Gradebook.from_frame(frame, targets=TARGETS, columns=names)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyarrow" else find_spec(name, *args),
    )
    without = Gradebook.from_frame(frame, targets=TARGETS, columns=names)
    assert with_arrow.evidence() == without.evidence()
    assert 9 == len(without)


def test_frame_errors_word_only_the_rows_shown_and_read_like_the_records_ones() -> None:
    pd = pytest.importorskip("pandas")
    bad = [
        {"student_id": f"s{i}", "target_id": "LE.1", "score": 9.0, "observed_at": START}
        for i in range(25)
    ]
    bad[3]["target_id"] = "nope"
    with pytest.raises(BulkValidationError) as from_records:
        Gradebook.from_records(bad, targets=TARGETS)
    with pytest.raises(BulkValidationError) as from_frame:
        Gradebook.from_frame(pd.DataFrame(bad), targets=TARGETS)
    assert str(from_records.value) == str(from_frame.value)
    problems = from_frame.value.problems
    assert 25 == len(problems)
    assert list(from_records.value.problems) == list(problems)
    assert 24 == problems[-1].row
    assert problems[24] == problems[-1]
    assert "'nope' is not a target" in problems[3].message


def test_to_polars_has_the_values_of_to_pandas() -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    table = Gradebook.from_records(rows(), targets=TARGETS).results(policies.NTimes(n=2))
    expected = table.to_pandas().astype(object).where(lambda df: df.notna(), None)
    assert expected.to_dict("records") == table.to_polars().to_dicts()
    assert [r["reason"] for r in table.records()] == table.to_polars()["reason"].to_list()


# -- issue 14: every problem once, where it is; duplicates are a decision -------------------


def test_problems_are_values_with_field_value_and_expectation() -> None:
    bad = rows()
    bad[1]["score"] = 7.0
    bad[2]["target_id"] = "nope"
    with pytest.raises(BulkValidationError) as caught:
        Gradebook.from_records(bad, targets=TARGETS)
    first, second = caught.value.problems
    assert (1, "score", "7.0", "a score in [0.0, 4.0]") == (
        first.row,
        first.field,
        first.value,
        first.expected,
    )
    assert (2, "target_id", "'nope'") == (second.row, second.field, second.value)


def test_frame_problems_name_the_index_label() -> None:
    pd = pytest.importorskip("pandas")
    data = frame_rows()
    data["score"][1] = 9.0
    df = pd.DataFrame(data, index=[f"r{i}" for i in range(len(data["score"]))])
    with pytest.raises(BulkValidationError, match=r"row 'r1': score=9\.0") as caught:
        Gradebook.from_frame(df, targets=TARGETS, columns={"student_id": "student"})
    assert ["r1"] == [problem.row for problem in caught.value.problems]


def test_a_long_value_is_cut_to_80_characters_in_messages() -> None:
    bad = [{"student_id": "s", "target_id": "x" * 100_000, "score": 1.0, "observed_at": START}]
    with pytest.raises(BulkValidationError) as caught:
        Gradebook.from_records(bad, targets=TARGETS)
    assert len(str(caught.value)) < 500
    assert "more characters" in str(caught.value)


def _doubled() -> list[dict[str, Any]]:
    one = {"student_id": "ana", "target_id": "LE.1", "score": 3.0, "observed_at": START}
    other = {**one, "student_id": "ben"}
    return [one, other, dict(one)]


def test_duplicates_are_refused_by_default_on_every_path_naming_every_copy() -> None:
    with pytest.raises(BulkValidationError, match="at row 0 and row 2") as caught:
        Gradebook.from_records(_doubled(), targets=TARGETS)
    assert [2] == [problem.row for problem in caught.value.problems]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_doubled(), index=["a", "b", "c"])
    with pytest.raises(BulkValidationError, match="at row 'a' and row 'c'") as caught:
        Gradebook.from_frame(frame, targets=TARGETS)
    assert ["c"] == [problem.row for problem in caught.value.problems]


@pytest.mark.parametrize(("duplicates", "count"), [("drop", 1), ("keep", 2)])
def test_duplicates_drop_keeps_one_copy_and_keep_counts_each(duplicates: Any, count: int) -> None:
    policy = policies.Mean()
    book = Gradebook.from_records(_doubled(), targets=TARGETS, duplicates=duplicates)
    assert count == book.results(policy).explain("ana", "LE.1").evidence_count
    pd = pytest.importorskip("pandas")
    frame = Gradebook.from_frame(pd.DataFrame(_doubled()), targets=TARGETS, duplicates=duplicates)
    assert count == frame.results(policy).records()[0]["evidence_count"]


def test_a_bad_duplicates_choice_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="duplicates='twice'"):
        Gradebook.from_records(_doubled(), targets=TARGETS, duplicates="twice")  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["python", "numpy"])
def test_a_live_book_refuses_evidence_it_already_holds_and_drop_skips_it(engine: Any) -> None:
    """Duplicates across add() calls, on a book kept live by results(): the same decision."""
    if engine == "numpy":
        pytest.importorskip("numpy")
    one, other, _ = _doubled()
    book = Gradebook.from_records([one], targets=TARGETS, engine=engine)
    policy = policies.Mean()
    assert 1 == book.results(policy).explain("ana", "LE.1").evidence_count  # now live
    later = {**one, "score": 1.0, "observed_at": START + timedelta(days=1)}
    with pytest.raises(BulkValidationError, match="is already in the gradebook") as caught:
        book.add([other, dict(one), later])
    assert [1] == [problem.row for problem in caught.value.problems]
    assert 1 == len(book)  # nothing of the bad batch was added
    book.add([other, dict(one), later], duplicates="drop")
    assert 3 == len(book)
    table = book.results(policy)  # patched live: the copy is not counted
    assert (2, 2.0) == (
        table.explain("ana", "LE.1").evidence_count,
        table.explain("ana", "LE.1").value,
    )
    book.add(later, duplicates="keep")
    assert 3 == book.results(policy).explain("ana", "LE.1").evidence_count
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(Evidence(**later))  # an object, as a dict before: the same evidence


def test_a_live_book_finds_copies_of_rows_added_from_a_frame() -> None:
    pd = pytest.importorskip("pandas")
    book = Gradebook(targets=TARGETS)
    book.add_frame(pd.DataFrame(_doubled()[:2]))
    book.results(policies.Mean())
    with pytest.raises(BulkValidationError, match="is already in the gradebook"):
        book.add(_doubled()[2])
    book.add(_doubled()[2], duplicates="drop")
    assert 2 == len(book)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("target_type", ["string", "large_string", "category", "strip"])
def test_a_row_bad_several_ways_gets_the_first_checks_reason_on_any_thread(
    threads: int, target_type: str
) -> None:
    # the students' ids are encoded on one thread while the other checks targets, scores and
    # times: each row still gets the reason the records give it (the student, then the target,
    # the time, the score), whatever the target column is
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    bad = [
        {"student_id": f"s{i}", "target_id": "LE.1", "score": 3.0, "observed_at": START}
        for i in range(6)
    ]
    bad[0].update(student_id="", target_id="nope", score=9.0)
    bad[1].update(target_id="nope", score=9.0)
    bad[2].update(score=9.0)
    bad[3].update(target_id="P.1", score=101.0)
    bad[4].update(target_id="", observed_at=None)
    with pytest.raises(BulkValidationError) as from_records:
        Gradebook.from_records(bad, targets=TARGETS)
    frame = pd.DataFrame(bad)
    strip = target_type == "strip"
    if target_type == "category":
        frame["target_id"] = frame["target_id"].astype("category")
    elif target_type in ("string", "large_string"):
        frame["target_id"] = pd.array(
            frame["target_id"], dtype=pd.ArrowDtype(getattr(pa, target_type)())
        )
    with pytest.raises(BulkValidationError) as from_frame:
        Gradebook.from_frame(frame, targets=TARGETS, threads=threads, strip_ids=strip)
    assert [p.row for p in from_records.value.problems] == [
        p.row for p in from_frame.value.problems
    ]
    assert [p.field for p in from_records.value.problems] == [
        p.field for p in from_frame.value.problems
    ]
    assert ["student_id", "target_id", "score", "score", "target_id"] == [
        p.field for p in from_frame.value.problems
    ]
    assert str(from_records.value) == str(from_frame.value)
