"""Copy-on-write result columns: every version reads as its own rows, whatever came after.

A live gradebook patches its newest table; these tests also patch older ones (a branch), and
grow the log past its fold, and check every version against a plain copy of its rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mastery_grading.gradebook._patch import PatchedColumns, Row

N_ROWS = 6

_rows = st.dictionaries(
    st.integers(0, N_ROWS - 1),
    st.one_of(
        st.tuples(st.floats(0, 4), st.integers(1, 9)).map(lambda vc: Row(*vc, None)),
        st.sampled_from(["no evidence", "too few"]).map(lambda why: Row(None, 0, why)),
    ),
    max_size=3,
)


def _plain(columns: PatchedColumns) -> list[tuple[Any, int, Any]]:
    """Every row as (value, count, reason), read one row at a time."""
    return [(r.value, r.evidence_count, r.reason) for r in map(columns.row, range(N_ROWS))]


def _whole(columns: PatchedColumns) -> list[tuple[Any, int, Any]]:
    """Every row as (value, count, reason), read from the built columns."""
    reasons = columns.reasons
    return [
        (value, int(count), reasons.get(i) if value is None else None)
        for i, (value, count) in enumerate(zip(columns.values, columns.counts, strict=True))
    ]


@settings(max_examples=80, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 10**6), _rows), max_size=12), read=st.booleans())
def test_every_version_keeps_its_rows_when_later_ones_are_patched_or_branched(
    steps: list[tuple[int, dict[int, Row]]], read: bool
) -> None:
    first = PatchedColumns([None] * N_ROWS, [0] * N_ROWS, dict.fromkeys(range(N_ROWS), "none"))
    versions = [first]
    expected = [_plain(first)]
    for pick, rows in steps:
        at = pick % len(versions)  # any earlier version, not only the newest: a branch
        if read:  # reading a version whole makes the next one start from the built columns
            assert expected[at] == _whole(versions[at])
        later = versions[at].patched(rows)
        model = list(expected[at])
        for row, found in rows.items():
            model[row] = (found.value, found.evidence_count, found.reason)
        versions.append(later)
        expected.append(model)
    for version, model in zip(versions, expected, strict=True):
        assert model == _plain(version)
        assert model == _whole(version)


def test_a_long_log_is_folded_into_new_columns_and_old_tables_still_read_theirs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mastery_grading.gradebook._patch as patch

    monkeypatch.setattr(patch, "_compaction_limit", lambda n_rows: 4)
    columns = PatchedColumns([1.0] * N_ROWS, [1] * N_ROWS, {})
    history = [columns]
    for step in range(1, 12):
        history.append(history[-1].patched({step % N_ROWS: Row(float(step), step, None)}))
    assert not history[-1].patch or len(history[-1].patch) <= 5  # folded on the way
    assert [1.0] * N_ROWS == history[0].values
    assert [6.0, 7.0, 2.0, 3.0, 4.0, 5.0] == history[7].values
    assert [6.0, 7.0, 8.0, 9.0, 10.0, 11.0] == history[-1].values
