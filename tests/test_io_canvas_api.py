"""Canvas REST API outcome results: the same evidence as the CSV report, from JSON or objects."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from mastery_grading import Evidence
from mastery_grading.exceptions import DataFileError
from mastery_grading.io import (
    read_canvas_api_results,
    read_canvas_outcomes,
    read_canvas_results,
    read_canvas_sections,
)

CANVAS = Path(__file__).parent / "data" / "canvas"


def test_api_results_give_the_same_evidence_scores_as_the_csv_report() -> None:
    api = read_canvas_api_results(CANVAS / "outcome_results_api.json")
    report = read_canvas_results(CANVAS / "outcome_results.csv")

    def key(e: Evidence) -> tuple[str, str, float, datetime]:
        return (e.student_id, e.target_id, e.score, e.observed_at)

    subset = [e for e in report.evidence if e.student_id in {"1042", "1043"}]
    assert sorted(map(key, subset)) == sorted(map(key, api.evidence))
    assert {"1042": "Rosa Diaz", "1043": "Ken Obi"} == dict(api.students)
    assert any("score is null" in warning for warning in api.warnings)


def test_linked_outcomes_give_the_same_scales_as_the_outcomes_csv() -> None:
    api = read_canvas_api_results(CANVAS / "outcome_results_api.json")
    outcomes = read_canvas_outcomes(CANVAS / "outcomes.csv")
    assert [t.scale for t in outcomes.targets] == [t.scale for t in api.targets]


def test_canvasapi_style_objects_are_read_without_canvasapi() -> None:
    document = json.loads((CANVAS / "outcome_results_api.json").read_text(encoding="utf-8"))
    objects = [
        SimpleNamespace(**{**item, "links": SimpleNamespace(**item["links"])})
        for item in document["outcome_results"]
    ]
    found = read_canvas_api_results(objects)
    assert 4 == len(found.evidence)
    assert "assignment:881" == found.evidence[0].source_id
    assert any("not in linked.outcomes" in warning for warning in found.warnings)


def test_every_bad_result_is_named() -> None:
    document = {
        "outcome_results": [
            {"score": 1.0, "links": {"user": "1"}},
            {
                "score": "x",
                "submitted_or_assessed_at": "2024-10-02T00:00:00Z",
                "links": {"user": "1", "learning_outcome": "9"},
            },
            {
                "score": 1.0,
                "submitted_or_assessed_at": "2024-10-02",
                "links": {"user": "1", "learning_outcome": "9"},
            },
            {
                "score": 9.0,
                "possible": 4.0,
                "submitted_or_assessed_at": "2024-10-02T00:00:00Z",
                "links": {"user": "1", "learning_outcome": "9"},
            },
        ]
    }
    with pytest.raises(DataFileError) as caught:
        read_canvas_api_results(document)
    messages = [message for _, _, _, message in caught.value.locations]
    assert [f"outcome_results[{i}]" for i in range(4)] == [
        m.split(".")[0].split(":")[0] for m in messages
    ]


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(DataFileError) as caught:
        read_canvas_api_results(io.StringIO('{"outcome_results": [\n  {"score": }]}'))
    assert (2, 13) == caught.value.locations[0][1:3]


def _result(**fields: object) -> dict[str, object]:
    return {
        "score": 3.0,
        "possible": 4.0,
        "submitted_or_assessed_at": "2024-10-02T00:00:00Z",
        "links": {"user": "1", "learning_outcome": "9"},
        **fields,
    }


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"outcome_results": [_result(score=10**400)]}, "outcome_results[0].score"),
        ({"outcome_results": [_result(possible=-(10**400))]}, "outcome_results[0].possible"),
        (
            {
                "outcome_results": [],
                "linked": {"outcomes": [{"id": 9, "points_possible": 10**400}]},
            },
            "linked.outcomes[0].points_possible",
        ),
        (
            {"outcome_results": [], "linked": {"outcomes": [{"id": 9, "mastery_points": 10**400}]}},
            "linked.outcomes[0].mastery_points",
        ),
        (
            {
                "outcome_results": [],
                "linked": {
                    "outcomes": [{"id": 9, "ratings": [{"points": 10**400, "description": "A"}]}]
                },
            },
            "linked.outcomes[0].ratings[0].points",
        ),
    ],
)
def test_an_integer_too_large_for_a_float_is_a_problem_naming_its_field(
    document: dict[str, object], field: str
) -> None:
    with pytest.raises(DataFileError) as caught:
        read_canvas_api_results(document)
    [(_, _, _, message)] = caught.value.locations
    assert message.startswith(f"{field}=")
    assert "is too large" in message


def test_an_integer_longer_than_python_reads_names_line_and_column() -> None:
    text = '{"outcome_results": [\n  {"score": ' + "7" * 5000 + "}]}"
    with pytest.raises(DataFileError) as caught:
        read_canvas_api_results(io.StringIO(text))
    [(_, line, column, message)] = caught.value.locations
    assert (2, 13) == (line, column)
    assert "an integer of 5000 digits" in message


def _linked(points: float = 4.0, mastery: float = 3.0) -> dict[str, object]:
    ratings = [{"points": p, "description": f"level {p}"} for p in (points, mastery, 0.0)]
    return {
        "outcomes": [
            {"id": 9, "title": "NS.1", "points_possible": points, "mastery_points": mastery}
            | ({"ratings": ratings} if points > 0 else {})
        ]
    }


class TestResultsOnTheOutcomesPoints:
    """Canvas puts each result on its outcome's points before any rollup (issue 14, #8)."""

    def test_two_of_five_on_a_four_point_outcome_is_one_point_six(self) -> None:
        found = read_canvas_api_results(
            {"outcome_results": [_result(score=2.0, possible=5.0)], "linked": _linked()}
        )
        assert [1.6] == [e.score for e in found.evidence]
        assert any(
            "1 result rescaled" in w and "score=2.0 / possible=5.0 x 4.0 = 1.6" in w
            for w in found.warnings
        )

    def test_a_quiz_percent_becomes_points(self) -> None:
        # Canvas's own spec: a quiz result of 7 quiz points at 40 % on a 5-point outcome is 2.0
        quiz = _result(
            score=7.0,
            possible=1.0,
            percent=0.4,
            links={"user": "1", "learning_outcome": "9", "alignment": "quiz_12"},
        )
        found = read_canvas_api_results({"outcome_results": [quiz], "linked": _linked(5.0)})
        assert [2.0] == [e.score for e in found.evidence]
        assert "quiz:12" == found.evidence[0].source_id

    def test_a_percent_of_the_mastery_points_when_points_possible_is_zero(self) -> None:
        quiz = _result(score=10.0, possible=1.0, percent=0.7)
        found = read_canvas_api_results({"outcome_results": [quiz], "linked": _linked(0.0, 3.0)})
        assert [0.7 * 3.0] == [e.score for e in found.evidence]
        assert (3.0, 3.0) == (found.targets[0].scale.max, found.targets[0].scale.mastery)

    def test_a_result_already_on_the_outcomes_points_is_kept_without_warning(self) -> None:
        found = read_canvas_api_results(
            {
                "outcome_results": [_result(score=3.0, possible=4.0, percent=0.75)],
                "linked": _linked(),
            }
        )
        assert [3.0] == [e.score for e in found.evidence]
        assert not any("rescaled" in w for w in found.warnings)

    def test_rescale_false_keeps_the_score_and_an_impossible_one_is_a_problem(self) -> None:
        document = {"outcome_results": [_result(score=5.0, possible=5.0)], "linked": _linked()}
        assert [4.0] == [e.score for e in read_canvas_api_results(document).evidence]
        with pytest.raises(DataFileError, match=r"outcome_results\[0\]\.score=5\.0 lies outside"):
            read_canvas_api_results(document, rescale=False)

    def test_a_rescaled_score_outside_the_points_names_how_it_was_found(self) -> None:
        document = {"outcome_results": [_result(score=2.0, percent=1.5)], "linked": _linked()}
        with pytest.raises(DataFileError, match=r"score=6\.0 \(= percent=1\.5 x 4\.0\) lies"):
            read_canvas_api_results(document)

    def test_the_sample_file_is_unchanged(self) -> None:
        found = read_canvas_api_results(CANVAS / "outcome_results_api.json")
        assert [3.0, 2.0, 2.0, 4.0] == [e.score for e in found.evidence]
        assert not any("rescaled" in w for w in found.warnings)


class TestSections:
    def test_sections_from_the_rollups_api(self) -> None:
        rollups = {
            "rollups": [
                {"scores": [], "links": {"user": "1042", "section": "95", "status": "active"}},
                {"scores": [], "links": {"user": "1042", "section": "96", "status": "active"}},
                {"scores": [], "links": {"user": 1043, "section": 95, "status": "active"}},
                {"scores": [], "links": {"course": "77"}},
            ]
        }
        assert {"1042": ("95", "96"), "1043": ("95",)} == read_canvas_sections(rollups)
        assert {"1042": ("95",)} == read_canvas_sections(
            io.StringIO(json.dumps({"rollups": rollups["rollups"][:1]}))
        )

    def test_a_rollup_without_user_or_section_is_named(self) -> None:
        with pytest.raises(DataFileError, match=r"rollups\[1\]\.links needs 'user' and 'section'"):
            read_canvas_sections(
                [{"links": {"user": "1", "section": "2"}}, {"links": {"user": "1"}}]
            )
