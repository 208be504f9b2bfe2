"""Pandas columns taken as Arrow arrays without a copy read as ``pyarrow.array`` reads them.

Numbers without NaN and time-zone-aware times skip ``pyarrow.array`` (which copies, and looks
for NaN): the engine's readers (:func:`floats`, :func:`times`) must still give the same values,
nulls and problems.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

from mastery_grading.gradebook._engine._arrow_columns import (  # noqa: E402
    RowProblems,
    arrow_column,
    floats,
    times,
)

ZONES = [UTC, ZoneInfo("Europe/Paris"), timezone(timedelta(hours=-3, minutes=-30))]


def read_numbers(array: Any) -> tuple[list[str], list[bool]]:
    values, nulls = floats(array)
    return [repr(v) for v in values.tolist()], nulls.tolist()


def read_times(array: Any) -> tuple[list[int], list[tuple[int, ...]]]:
    problems = RowProblems(len(array), int)
    values = times(array, problems, "observed_at")
    return values.tolist(), [tuple(np.flatnonzero(mask).tolist()) for mask, _ in problems.checks]


@st.composite
def number_columns(draw: st.DrawFn) -> Any:
    dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32", "uint8"]))
    if dtype.startswith("float"):
        elements: Any = st.floats(width=64 if dtype == "float64" else 32)
    else:
        info = np.iinfo(dtype)  # within 2^53: numbers that are floats exactly, as scores are
        elements = st.integers(max(int(info.min), -(2**53)), min(int(info.max), 2**53))
    return pd.Series(draw(st.lists(elements, max_size=30)), dtype=dtype)


@settings(max_examples=100, deadline=None)
@given(column=number_columns())
def test_a_numpy_number_column_reads_as_pyarrow_array_reads_it(column: Any) -> None:
    # a column with a NaN is left to pyarrow.array (its NaN are nulls); the others are shared
    mine = arrow_column(pd.DataFrame({"score": column}), "score")
    theirs = pa.array(column)
    assert read_numbers(theirs) == read_numbers(mine)
    assert theirs.type == mine.type
    assert theirs.null_count == mine.null_count


@settings(max_examples=100, deadline=None)
@given(
    moments=st.lists(
        st.none() | st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
        max_size=20,
    ),
    zone=st.sampled_from(ZONES),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_an_aware_time_column_reads_as_pyarrow_array_reads_it(
    moments: list[datetime | None], zone: Any, unit: str
) -> None:
    column = pd.Series(
        [pd.NaT if m is None else pd.Timestamp(m, tz=UTC) for m in moments],
        dtype=f"datetime64[{unit}, UTC]",
    ).dt.tz_convert(zone)
    frame = pd.DataFrame({"observed_at": column})
    mine = arrow_column(frame, "observed_at")
    assert read_times(pa.array(column)) == read_times(mine)
    assert mine.null_count == int(column.isna().sum())
