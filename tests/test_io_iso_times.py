"""Times of the common ISO 8601 form read vectorized are exactly the times read one by one.

:func:`mastery_grading.io._iso_times.iso_times` reads ``observed_at`` cells by the million; a
cell it reads must give the very datetime (instant, offset, time zone object) that
:func:`~mastery_grading._text.parse_timestamp` and :class:`~mastery_grading.Evidence` give, and
a cell they refuse must be left to them.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mastery_grading import Evidence
from mastery_grading import io as mio
from mastery_grading._text import parse_timestamp
from mastery_grading.exceptions import DataFileError, MasteryGradingError

pa = pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

from mastery_grading.io._iso_times import iso_times, vectorizable  # noqa: E402

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZONES: list[tzinfo | None] = [
    None,
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-1, microseconds=1)),
    timezone(timedelta(0), "GMT"),  # named: equal to UTC but told apart, never vectorized
    ZoneInfo("Europe/Paris"),
]


def _number(draw: st.DrawFn, low: int, high: int, width: int) -> str:
    return f"{draw(st.integers(low, high)):0{width}d}"


@st.composite
def stamps(draw: st.DrawFn, *, valid: bool = False) -> str:
    """Text of a time: mostly of the common form, often just outside it or out of range."""
    if valid:
        moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
        date = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"  # %Y: 999, not 0999
        time = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    else:
        date = "-".join(
            [_number(draw, 0, 9999, 4), _number(draw, 0, 13, 2), _number(draw, 0, 32, 2)]
        )
        time = ":".join([_number(draw, 0, 24, 2), _number(draw, 0, 60, 2), _number(draw, 0, 61, 2)])
    if draw(st.integers(0, 9)) == 0:
        return date  # a date alone: midnight, with no offset
    places = draw(st.integers(0, 6 if valid else 7))
    fraction = "." + _number(draw, 0, 10**places - 1, places) if places else ""
    offset = draw(st.sampled_from(["Z", "", "+00:00", "-00:00", "+14:00", "-00:30", "sign"]))
    if offset == "sign":
        hours = _number(draw, 0, 23 if valid else 25, 2)
        offset = (
            draw(st.sampled_from("+-")) + hours + ":" + _number(draw, 0, 59 if valid else 60, 2)
        )
    text = date + draw(st.sampled_from("T ")) + time + fraction + offset
    if not valid and draw(st.integers(0, 4)) == 0:  # a near miss of another kind
        at = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from(["x", " ", "\u0663", "0", ":", "+0200", "\u00a0"]))
        text = text[:at] + junk + text[at:]
    return text


def _one_by_one(text: str, assume_tz: tzinfo | None) -> datetime | None:
    """What the per-cell path makes of a cell: its datetime, or None for a refused one."""
    try:
        moment = parse_timestamp(text, assume_tz=assume_tz)
        return Evidence(student_id="s", target_id="t", score=0, observed_at=moment).observed_at
    except (ValueError, MasteryGradingError):
        return None


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(st.one_of(stamps(), stamps(valid=True)), min_size=1, max_size=30),
    zone=st.sampled_from(ZONES),
)
def test_a_cell_read_vectorized_is_the_cell_read_one_by_one(
    cells: list[str], zone: tzinfo | None
) -> None:
    times = iso_times(pa.array(cells, pa.string()), assume_tz=zone)
    made = times.datetimes()
    for i, text in enumerate(cells):
        expected = _one_by_one(text, zone)
        event(f"read vectorized: {bool(times.read[i])}, valid: {expected is not None}")
        if not times.read[i]:
            continue  # left to the per-cell path
        assert expected is not None, text
        assert (expected - EPOCH) // timedelta(microseconds=1) == times.micros[i], text
        assert expected.utcoffset() == timedelta(microseconds=int(times.offsets[i])), text
        assert repr(expected) == repr(made[i]), text  # fields, and the time zone object
        assert expected.tzinfo == made[i].tzinfo, text


@given(cells=st.lists(stamps(valid=True), min_size=1, max_size=10))
def test_every_time_of_the_form_with_an_offset_is_read_vectorized(cells: list[str]) -> None:
    cells = [t for t in cells if len(t) > 10 and (t.endswith("Z") or t[-6:-5] in ("+", "-"))]
    assert iso_times(pa.array(cells, pa.string()), assume_tz=None).read.all()


def test_the_named_forms_are_read_and_near_misses_left_alone() -> None:
    cells = [
        "2024-02-29T23:59:59.999999+14:00",
        "2024-02-29 00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "2023-02-29T00:00:00Z",  # not a leap year
        "2026-13-01T00:00:00Z",
        "2026-10-01T24:00:00Z",
        "2026-10-01T23:59:60Z",
        "2026-10-01T09:00:00+24:00",
        "2026-10-01T09:00:00-02:60",
        "2026-10-01T09:00:00",  # no offset, none to assume
        "2026-10-01T09:00:00Zx",
        "2026-10-01T09:00:0\u0663Z",
        " 2026-10-01T09:00:00Z",  # read one by one (stripped) all the same
    ]
    read = iso_times(pa.array(cells), assume_tz=None).read.tolist()
    assert [True] * 3 + [False] * 10 == read


def test_a_fixed_offset_without_a_name_is_the_only_zone_assumed_vectorized() -> None:
    assert [True, True, True, False] == [
        vectorizable(zone) for zone in (None, UTC, ZoneInfo("Europe/Paris"), ZONES[4])
    ]
    cells = pa.array(["2026-10-01", "2026-10-01T09:00:00"])
    assert iso_times(cells, assume_tz=ZONES[2]).read.all()
    assert not iso_times(cells, assume_tz=ZONES[5]).read.any()


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.one_of(stamps(valid=True), st.sampled_from(["2026-10-01T09:00+0200"])),
        min_size=1,
        max_size=12,
    ),
    repeat=st.sampled_from([1, 1000]),
    bad=st.one_of(st.none(), stamps()),
    zone=st.sampled_from(ZONES),
)
def test_the_columnar_reader_gives_the_row_readers_times(
    cells: list[str], repeat: int, bad: str | None, zone: tzinfo | None
) -> None:
    # repeated cells are read as distinct values; cells of a file with few distinct times
    # through the dictionary of its column; equal instants in two offsets stay two values
    cells = cells * repeat + ([] if bad is None else [bad])
    rows = [f"s{i % 7},T,{i % 4},{text}" for i, text in enumerate(cells)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evidence.csv"
        path.write_text("student_id,target_id,score,observed_at\n" + "\n".join(rows) + "\n")
        found = mio.read_evidence_columns(path, assume_tz=zone, duplicates="keep")
        try:
            expected = mio.read_evidence_csv(path, assume_tz=zone, duplicates="keep").evidence
        except DataFileError:
            assert found is None
            return
        event(f"read by columns: {found is not None}")
        assert found is not None
        evidence = found.evidence()
        assert [repr(e) for e in expected] == [repr(e) for e in evidence]
        assert [e.observed_at.tzinfo for e in expected] == [e.observed_at.tzinfo for e in evidence]
        frame = found.frame()
        assert [e.observed_at for e in expected] == list(frame["observed_at"])
        dropped = mio.read_evidence_columns(path, assume_tz=zone, duplicates="drop")
        kept = mio.read_evidence_csv(path, assume_tz=zone, duplicates="drop").evidence
        assert dropped is not None
        assert [repr(e) for e in kept] == [repr(e) for e in dropped.evidence()]


def test_the_same_instant_in_two_offsets_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text(
        "student_id,target_id,score,observed_at\n"
        "ana,T,3,2026-10-01T09:00:00Z\nana,T,3,2026-10-01T11:00:00+02:00\n"
    )
    found = mio.read_evidence_columns(path, duplicates="keep")
    assert found is not None
    assert ["09:00:00+00:00", "11:00:00+02:00"] == [
        e.observed_at.isoformat()[11:] for e in found.evidence()
    ]
    assert [False, True] == found.duplicate_copies().tolist()  # the same instant: a copy


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(stamps() | stamps(valid=True), min_size=1, max_size=12),
    repeat=st.integers(1, 2),
    blanks=st.lists(st.sampled_from([None, "", " 2026-10-01T09:00:00Z", "soon"]), max_size=2),
    zone=st.sampled_from(ZONES),
)
def test_a_parquet_column_of_text_times_reads_as_one_by_one(
    cells: list[str], repeat: int, blanks: list[str | None], zone: tzinfo | None
) -> None:
    # the common form read vectorized; everything else (padded, bad, missing) one by one,
    # with the same problems at the same rows
    from unittest import mock

    from mastery_grading.io import _parquet
    from mastery_grading.io._sources import Problems

    pq = pytest.importorskip("pyarrow.parquet")
    texts = [*cells * repeat, *blanks]
    n = len(texts)
    table = pa.table(
        {
            "student_id": [f"s{i % 5}" for i in range(n)],
            "target_id": ["T"] * n,
            "score": [float(i % 4) for i in range(n)],
            "observed_at": pa.array(texts, type=pa.string()),
        }
    )

    def read(path: Path, vectorized: bool) -> tuple[object, ...]:
        problems = Problems(str(path))
        with mock.patch.object(
            _parquet, "vectorizable", side_effect=lambda tz: vectorized and vectorizable(tz)
        ):
            try:
                found, rows = _parquet.read_parquet_columns(
                    path, problems, assume_tz=zone, duplicates="keep"
                )
            except DataFileError as error:  # more problems than are listed
                return (str(error),)
        evidence = found.evidence()
        return (
            [repr(e) for e in evidence],
            [e.observed_at.tzinfo for e in evidence],
            [str(p) for p in problems.items],
            problems.warnings,
            rows.tolist(),
        )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evidence.parquet"
        pq.write_table(table, path)
        assert read(path, vectorized=False) == read(path, vectorized=True)
