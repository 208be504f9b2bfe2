"""A result table's frames: the level codes, and text columns as categories or as strings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import START
from mastery_grading import Evidence, Gradebook, LearningTarget, Scale, policies
from mastery_grading.exceptions import InvalidValueError

np = pytest.importorskip("numpy")

from mastery_grading.gradebook._engine import level_codes, small_level_codes  # noqa: E402

TEXT_COLUMNS = ["student_id", "target_id", "level", "reason"]
ENGINES = ["numpy", "python"]


def searchsorted_codes(values: Any, targets: list[LearningTarget]) -> Any:
    """The level codes as they were computed before: one ``searchsorted`` per target."""
    grid = values.reshape(-1, len(targets))
    codes = np.full(grid.shape, -1, dtype=np.int64)
    for t, target in enumerate(targets):
        column = grid[:, t]
        minimums = np.array([level.minimum for level in target.scale.levels])
        found = np.searchsorted(minimums, column, side="right") - 1
        codes[:, t] = np.where(np.isnan(column), -1, np.maximum(found, 0))
    return codes.reshape(-1)


@st.composite
def scales(draw: st.DrawFn) -> Scale:
    low = draw(st.sampled_from([0.0, 1.0, -2.5]))
    steps = draw(st.lists(st.sampled_from([0.25, 0.5, 1.0, 2.5, 40.0]), max_size=6))
    minimums = [low]
    for step in steps:
        minimums.append(minimums[-1] + step)
    top = minimums[-1] + draw(st.sampled_from([0.0, 1.0])) if steps else low + 1
    names = draw(st.permutations(["not yet", "approaching", "meets", "exceeds", "a", "b", "c"]))
    return Scale(
        min=low,
        max=top,
        mastery=draw(st.sampled_from(minimums)),
        levels=list(zip(names, minimums, strict=False)),
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data(), target_scales=st.lists(scales(), min_size=1, max_size=4))
def test_level_codes_are_those_of_a_searchsorted_per_target(
    data: st.DataObject, target_scales: list[Scale]
) -> None:
    """Values at, just below and just above every minimum, NaN, infinities, beyond the scale."""
    if data.draw(st.booleans()):  # every target on one scale: the one-pass path
        target_scales = [target_scales[0]] * len(target_scales)
    targets = [LearningTarget(id=f"T{i}", title="T", scale=s) for i, s in enumerate(target_scales)]
    edges = [lv.minimum for s in target_scales for lv in s.levels]
    near = [np.nextafter(x, d) for x in edges for d in (-np.inf, np.inf)]
    special = [np.nan, np.inf, -np.inf, -100.0, 1e9, -0.0, 0.0]
    value = st.one_of(st.sampled_from(edges + near + special), st.floats(-50, 150, allow_nan=False))
    n_students = data.draw(st.integers(0, 6))
    values = np.asarray(
        data.draw(
            st.lists(value, min_size=n_students * len(targets), max_size=n_students * len(targets))
        ),
        dtype=np.float64,
    )
    expected = searchsorted_codes(values, targets)
    small = small_level_codes(values, targets)
    assert small.dtype == np.int8
    assert small.tolist() == expected.tolist()
    found = level_codes(values, targets)
    assert found.dtype == np.int64
    assert found.tolist() == expected.tolist()


def test_level_codes_of_many_levels_are_wider_than_int8() -> None:
    wide = Scale(min=0, max=300, mastery=150, levels=[(f"L{i}", 2.0 * i) for i in range(140)])
    targets = [LearningTarget(id="W", title="W", scale=wide), LearningTarget(id="T", title="T")]
    values = np.asarray([0.0, 4.0, 279.9, np.nan, 278.0, 2.9, 500.0, -1.0, 3.0, 3.0])
    small = small_level_codes(values, targets)
    assert small.dtype == np.int16
    assert small.tolist() == searchsorted_codes(values, targets).tolist()
    assert small.tolist() == [0, 3, 139, -1, 139, 1, 139, 0, 1, 2]


def book(engine: str = "numpy") -> Gradebook:
    """Three students on a Marzano and a percent target (shared and own level names); one
    student has no evidence on the percent target (no level, a reason)."""
    targets = [
        LearningTarget(id="A", title="A"),
        LearningTarget(id="P", title="P", scale=Scale.percent(mastery=80)),
    ]
    rows = [("ana", "A", 3.0), ("ana", "P", 85.0), ("ben", "A", 1.0), ("=cy", "A", 4.0)]
    rows += [("=cy", "P", 10.0), ("=cy", "A", 2.0)]
    evidence = [
        Evidence(student_id=s, target_id=t, score=x, observed_at=START + timedelta(days=d))
        for d, (s, t, x) in enumerate(rows)
    ]
    return Gradebook.from_evidence(evidence, targets=targets, engine=engine)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["numpy", "python"])
@pytest.mark.parametrize("policy", [policies.Mean(), policies.NTimes(n=2)])
def test_category_frame_holds_the_default_frames_values(engine: str, policy: Any) -> None:
    pd = pytest.importorskip("pandas")
    table = book(engine).results(policy)
    default = table.to_pandas()
    frame = table.to_pandas(text="category")
    assert list(frame.columns) == list(default.columns)
    for name in TEXT_COLUMNS:
        column = frame[name]
        assert isinstance(column.dtype, pd.CategoricalDtype)
        assert column.cat.categories.dtype == default[name].dtype  # pandas' string dtype
        assert column.cat.codes.dtype == np.int8
        assert column.cat.categories.is_unique
    back = frame.astype({name: default[name].dtype for name in TEXT_COLUMNS})
    pd.testing.assert_frame_equal(back, default)
    # None as NaN, the rest as the records have them
    records = table.records()
    for name in TEXT_COLUMNS:
        assert [None if pd.isna(x) else x for x in frame[name]] == [r[name] for r in records]
    assert list(frame["level"].cat.categories) == [
        "not yet",
        "approaching",
        "meets",
        "exceeds",
        "mastered",
    ]
    if isinstance(policy, policies.Mean):
        assert frame["reason"].isna().sum() == len(frame) - 1  # ben has no evidence on P


def test_category_dtype_is_the_one_pandas_makes_with_its_checks() -> None:
    """The categories' dtype is made without pandas' check that they are distinct: the same."""
    pd = pytest.importorskip("pandas")
    table = book().results(policies.Mean())
    frame = table.to_pandas(text="category")
    for name in TEXT_COLUMNS:
        made = frame[name].dtype
        checked = pd.CategoricalDtype(pd.Index(list(made.categories), dtype=made.categories.dtype))
        assert made == checked
        assert hash(made) == hash(checked)
    assert list(frame["student_id"].cat.categories) == list(table.students)


@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")
def test_category_frame_with_pandas_object_strings() -> None:
    """Where pandas infers object for Python strings, the default and the categories follow."""
    pd = pytest.importorskip("pandas")
    if "infer_string" not in dir(pd.options.future):  # pragma: no cover
        pytest.skip("this pandas has no future.infer_string")
    table = book().results(policies.Mean())
    with pd.option_context("future.infer_string", False):
        default = table.to_pandas()
        frame = table.to_pandas(text="category")
    for name in TEXT_COLUMNS:
        assert default[name].dtype == object
        assert frame[name].cat.categories.dtype == object
    for name in TEXT_COLUMNS:  # a Categorical's missing entry is NaN, an object column's None
        assert [None if pd.isna(x) else x for x in frame[name]] == default[name].tolist()
    numbers = [name for name in default.columns if name not in TEXT_COLUMNS]
    pd.testing.assert_frame_equal(frame[numbers], default[numbers])


def test_dictionary_arrow_table_holds_the_default_tables_values() -> None:
    pa = pytest.importorskip("pyarrow")
    table = book().results(policies.Mean())
    default = table.to_arrow()
    found = table.to_arrow(text="category")
    assert found.column_names == default.column_names
    for name in found.column_names:
        column = found.column(name)
        if name in TEXT_COLUMNS:
            assert column.type == pa.dictionary(pa.int8(), pa.large_string())
            column = column.cast(pa.large_string())
        assert column.equals(default.column(name))
    assert found.to_pylist() == table.records()
    assert found.column("level").null_count == 1


def test_frames_are_the_same_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large tables' students are gathered on a second thread: the same frame on one."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from mastery_grading.gradebook import _frame_columns

    table = book().results(policies.Mean())
    monkeypatch.setattr(_frame_columns, "_THREADED_ROWS", 0)  # this small table as a large one
    monkeypatch.setenv("MASTERY_GRADING_THREADS", "2")
    two, arrow = table.to_pandas(), table.to_arrow()
    monkeypatch.setenv("MASTERY_GRADING_THREADS", "1")
    pd.testing.assert_frame_equal(table.to_pandas(), two)
    assert table.to_arrow().equals(arrow)
    assert arrow.to_pylist() == table.records()


def test_an_empty_table_has_the_columns_and_dtypes() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    table = Gradebook(targets=[LearningTarget(id="T", title="T")]).results(policies.Mean())
    frame = table.to_pandas(text="category")
    assert len(frame) == 0
    assert all(isinstance(frame[name].dtype, pd.CategoricalDtype) for name in TEXT_COLUMNS)
    assert list(frame["level"].cat.categories) == ["not yet", "approaching", "meets", "exceeds"]
    assert len(table.to_pandas()) == 0
    arrow = table.to_arrow(text="category")
    assert arrow.num_rows == 0
    assert arrow.schema.field("reason").type == pa.dictionary(pa.int8(), pa.large_string())
    none = Gradebook(targets=[]).results(policies.Mean())  # no target at all
    for form in ("str", "category"):
        assert none.to_pandas(text=form).shape == (0, 7)
        assert none.to_arrow(text=form).num_rows == 0


def test_a_table_without_values_has_null_levels_and_reasons() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    targets = [LearningTarget(id="A", title="A"), LearningTarget(id="B", title="B")]
    evidence = [Evidence(student_id="ana", target_id="A", score=2.0, observed_at=START)]
    table = Gradebook.from_evidence(evidence, targets=targets).results(policies.NTimes(n=3))
    frame = table.to_pandas(text="category")
    assert frame["level"].isna().all()
    assert frame["value"].isna().all()
    assert [str(x) for x in frame["reason"]] == [r["reason"] for r in table.records()]
    default = table.to_pandas()
    assert default["level"].isna().all()
    pd.testing.assert_frame_equal(
        frame.astype({name: default[name].dtype for name in TEXT_COLUMNS}), default
    )
    assert table.to_arrow(text="category").to_pylist() == table.records()


@pytest.mark.parametrize("method", ["to_pandas", "to_arrow"])
def test_an_unknown_text_form_is_refused(method: str) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    table = book().results(policies.Mean())
    with pytest.raises(InvalidValueError, match=r"text='categorical' must be one of 'str', "):
        getattr(table, method)(text="categorical")


def test_polars_categoricals_from_the_dictionary_table_hold_the_default_values() -> None:
    """``to_polars`` documents this route to Categorical text columns."""
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    table = book().results(policies.Mean())
    found = pl.from_arrow(table.to_arrow(text="category"))
    assert all(found.schema[name] == pl.Categorical for name in TEXT_COLUMNS)
    assert found.with_columns(pl.col(TEXT_COLUMNS).cast(pl.String)).equals(table.to_polars())
    assert table.to_polars()["level"].null_count() == 1


@pytest.mark.parametrize("policy", [policies.Mean(), policies.NTimes(n=3)])
def test_both_engines_give_the_same_categories(policy: Any) -> None:
    # The vectorized engine knows every wording a policy can give (each count of n-times); the
    # categories hold only the reasons some row has, in the order rows first have them.
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    frames = [book(engine).results(policy).to_pandas(text="category") for engine in ENGINES]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    reasons = frames[0]["reason"]
    assert set(reasons.cat.categories) == set(reasons.dropna())
    tables = [book(engine).results(policy).to_arrow(text="category") for engine in ENGINES]
    assert tables[0].equals(tables[1])
    assert isinstance(tables[0]["reason"].type, pa.DictionaryType)


def test_a_hand_made_table_naming_a_student_twice_has_each_category_once() -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from mastery_grading import ResultTable

    targets = [LearningTarget(id="T", title="T"), LearningTarget(id="T", title="again")]
    students = ["b", "a", "b", *(f"s{i}" for i in range(70))]  # many: the Arrow order check
    n = len(students) * len(targets)
    table = ResultTable(
        policy=policies.Mean(),
        students=students,
        targets=targets,
        values=[float(i % 5) for i in range(n)],
        counts=[1] * n,
        reasons={},
    )
    default = table.to_pandas()
    frame = table.to_pandas(text="category")
    for name in ("student_id", "target_id"):
        assert frame[name].cat.categories.is_unique
        assert frame[name].astype(default[name].dtype).tolist() == default[name].tolist()
    assert (frame["student_id"] == "b").sum() == 4
    arrow = table.to_arrow(text="category")
    assert arrow["student_id"].to_pylist() == default["student_id"].tolist()
    assert len(arrow["student_id"].chunk(0).dictionary) == len(students) - 1


def test_a_pandas_without_the_private_fast_path_gets_the_checked_dtype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pd = pytest.importorskip("pandas")
    table = book().results(policies.Mean())
    expected = table.to_pandas(text="category")

    def changed(*args: Any) -> Any:
        raise TypeError("a different signature")

    monkeypatch.setattr(pd.CategoricalDtype, "_from_fastpath", changed, raising=False)
    pd.testing.assert_frame_equal(table.to_pandas(text="category"), expected)
    monkeypatch.delattr(pd.CategoricalDtype, "_from_fastpath", raising=False)
    pd.testing.assert_frame_equal(table.to_pandas(text="category"), expected)


@settings(max_examples=150, deadline=None)
@given(
    labels=st.lists(st.text(min_size=0, max_size=4), min_size=1, max_size=6, unique=True),
    picks=st.lists(st.integers(-1, 5), max_size=40),
    sliced=st.booleans(),
)
def test_a_text_column_gathered_by_width_is_arrows_take(
    labels: list[str], picks: list[int], sliced: bool
) -> None:
    """Labels of one byte length (ASCII or not) are gathered by numpy, others by Arrow: the
    same strings and nulls either way, from a sliced array of labels too."""
    pa = pytest.importorskip("pyarrow")
    from mastery_grading.gradebook._frame_columns import _fixed_width, _take

    array = pa.array(["x", *labels] if sliced else labels, type=pa.large_string())
    if sliced:
        array = array.slice(1)
    codes = np.asarray([p if p < 0 else p % len(labels) for p in picks], dtype=np.int8)
    expected = [None if c < 0 else labels[c] for c in codes.tolist()]
    assert _take(array, codes).to_pylist() == expected
    widths = {len(label.encode()) for label in labels}
    by_width = _fixed_width(array, codes)
    if len(widths) == 1 and 0 not in widths and (codes >= 0).all():
        assert by_width is not None
        by_width.validate(full=True)
        assert by_width.to_pylist() == expected
    else:
        assert by_width is None
