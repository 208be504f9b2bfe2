"""Fuzzing every reader: random bytes and random rows raise nothing but the library's errors."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.io import (
    read_canvas_api_results,
    read_canvas_gradebook,
    read_canvas_outcomes,
    read_canvas_results,
    read_case_package,
    read_evidence_csv,
    read_oneroster,
    read_results_csv,
    read_targets_json,
)
from mastery_grading.io.canvas_outcomes import CANVAS_OUTCOME_COLUMNS
from mastery_grading.io.canvas_results import CANVAS_RESULTS_COLUMNS
from mastery_grading.io.native import EVIDENCE_COLUMNS
from mastery_grading.io.oneroster import COLUMNS as ONEROSTER_COLUMNS
from mastery_grading.io.results import RESULT_COLUMNS

READERS: dict[str, Callable[[Any], object]] = {
    "evidence csv": read_evidence_csv,
    "targets json": read_targets_json,
    "canvas results": read_canvas_results,
    "canvas api results": read_canvas_api_results,
    "canvas gradebook": read_canvas_gradebook,
    "canvas outcomes": read_canvas_outcomes,
    "case package": read_case_package,
    "results csv": read_results_csv,
}

CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "evidence csv": EVIDENCE_COLUMNS,
    "canvas results": CANVAS_RESULTS_COLUMNS,
    "canvas gradebook": (
        "Student name",
        "Student ID",
        "Student SIS ID",
        "A result",
        "A mastery points",
    ),
    "canvas outcomes": (*CANVAS_OUTCOME_COLUMNS, "", "", ""),
    "results csv": RESULT_COLUMNS,
}

# Cells that look like what the readers expect, and plenty that do not.
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "3.0",
            "-1.5",
            "nan",
            "inf",
            "1e309",
            "4",
            "0",
            "outcome",
            "group",
            "active",
            "deleted",
            "true",
            "2024-10-02T13:05:00-05:00",
            "2024-10-02",
            "2024-13-45T99:00",
            "decaying_average",
            "n_mastery",
            "N/A",
            "=1+1",
            "'=cmd",
            "a b",
            "s1",
            "T",
        ]
    ),
)


def _rows_to_text(header: tuple[str, ...], rows: list[list[str]], sep: str) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    lines = [sep.join(quote(cell) for cell in header)]
    lines += [sep.join(quote(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def _only_library_errors(reader: Callable[[Any], object], source: Any) -> None:
    with contextlib.suppress(MasteryGradingError):
        reader(source)


@pytest.mark.parametrize("name", sorted(READERS))
@given(data=st.binary(max_size=300))
def test_random_bytes_raise_only_library_errors(name: str, data: bytes) -> None:
    _only_library_errors(READERS[name], io.BytesIO(data))


@pytest.mark.parametrize("name", sorted(CSV_HEADERS))
@given(data=st.data())
def test_random_rows_raise_only_library_errors(name: str, data: st.DataObject) -> None:
    header = CSV_HEADERS[name]
    width = st.integers(min_value=max(len(header) - 2, 0), max_value=len(header) + 2)
    rows = data.draw(
        st.lists(width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), max_size=4)
    )
    sep = data.draw(st.sampled_from([",", ";"]))
    _only_library_errors(READERS[name], io.StringIO(_rows_to_text(header, rows, sep)))


# Integers that no float can hold (beyond about 1.8e308) next to ordinary ones.
giant_integers = st.sampled_from([10**400, -(10**400), 2**1024, 10**4000])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | giant_integers
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "identifier",
                    "title",
                    "fullStatement",
                    "humanCodingScheme",
                    "id",
                    "scale",
                    "policy",
                    "min",
                    "max",
                    "mastery",
                    "associationType",
                    "originNodeURI",
                    "destinationNodeURI",
                    "levels",
                    "sequenceNumber",
                    "score",
                    "possible",
                    "points_possible",
                    "mastery_points",
                    "points",
                    "rate",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(
    document=st.fixed_dictionaries(
        {"CFDocument": json_values, "CFItems": json_values, "CFAssociations": json_values}
    )
)
def test_random_case_packages_raise_only_library_errors(document: dict[str, Any]) -> None:
    _only_library_errors(read_case_package, io.StringIO(json.dumps(document)))


@given(document=json_values)
def test_random_canvas_api_documents_raise_only_library_errors(document: Any) -> None:
    _only_library_errors(read_canvas_api_results, io.StringIO(json.dumps(document)))
    if isinstance(document, dict | list):
        _only_library_errors(read_canvas_api_results, document)


@given(
    association=st.fixed_dictionaries(
        {
            "associationType": st.just("isChildOf"),
            "sequenceNumber": giant_integers | json_values,
            "originNodeURI": st.just({"identifier": "a"}),
            "destinationNodeURI": st.sampled_from([{"identifier": "b"}, {"identifier": "d"}]),
        }
    )
)
def test_random_sequence_numbers_raise_only_library_errors(association: dict[str, Any]) -> None:
    document = {
        "CFDocument": {"identifier": "d", "title": "F"},
        "CFItems": [
            {"identifier": "a", "fullStatement": "A"},
            {"identifier": "b", "fullStatement": "B"},
        ],
        "CFAssociations": [association],
    }
    _only_library_errors(read_case_package, io.StringIO(json.dumps(document)))


@given(
    results=st.lists(
        st.fixed_dictionaries(
            {
                "score": giant_integers | json_values,
                "possible": giant_integers | json_values,
                "submitted_or_assessed_at": st.just("2024-10-02T00:00:00Z") | json_values,
                "links": st.just({"user": "1", "learning_outcome": "9"}) | json_values,
            }
        ),
        max_size=3,
    ),
    linked=json_values,
)
def test_random_canvas_api_results_raise_only_library_errors(
    results: list[Any], linked: Any
) -> None:
    document = {"outcome_results": results, "linked": linked}
    _only_library_errors(read_canvas_api_results, document)


@given(document=st.fixed_dictionaries({"targets": st.lists(json_values, max_size=3)}))
def test_random_targets_documents_raise_only_library_errors(document: dict[str, Any]) -> None:
    _only_library_errors(read_targets_json, io.StringIO(json.dumps(document)))


@given(data=st.data())
def test_random_oneroster_packages_raise_only_library_errors(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if data.draw(st.booleans()):
            manifest = [["manifest.version", "1.0"]]
            manifest += [
                [f"file.{name}", data.draw(st.sampled_from(["bulk", "absent", "x"]))]
                for name in ONEROSTER_COLUMNS
            ]
            (root / "manifest.csv").write_text(
                _rows_to_text(("propertyName", "value"), manifest, ","), encoding="utf-8"
            )
        for name, header in ONEROSTER_COLUMNS.items():
            if data.draw(st.booleans()):
                width = st.integers(min_value=len(header) - 1, max_value=len(header) + 1)
                rows = data.draw(
                    st.lists(
                        width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), max_size=3
                    )
                )
                (root / f"{name}.csv").write_text(
                    _rows_to_text(header, rows, ","), encoding="utf-8"
                )
        _only_library_errors(read_oneroster, root)


@pytest.mark.parametrize("name", ["targets json", "canvas api results", "case package"])
@given(digits=st.integers(min_value=4301, max_value=6000), where=st.sampled_from([0, 1, 2]))
def test_integers_longer_than_python_reads_raise_only_library_errors(
    name: str, digits: int, where: int
) -> None:
    number = "9" * digits
    text = [
        f'{{"targets": [{{"id": "a", "title": "A", "dok": {number}}}]}}',
        f'{{"outcome_results": [{{"score": {number}}}], "x": 1}}',
        f"[{number}]",
    ][where]
    _only_library_errors(READERS[name], io.StringIO(text))


@given(data=st.binary(max_size=300))
def test_random_zip_files_raise_only_library_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "package.zip"
        path.write_bytes(b"PK\x03\x04" + data)
        _only_library_errors(read_oneroster, path)
