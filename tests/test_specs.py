"""Scale specs that read like the docs: preset names, level objects and default level names.

These tests use the library as a user does: a targets JSON file through ``mastery-grading
score``, and the public ``Scale.from_spec`` / ``read_targets_json`` API.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import InvalidTypeError, LearningTarget, Level, Scale, SpecError
from mastery_grading.cli import main
from mastery_grading.io import read_targets_json, targets_json_text

EVIDENCE = """student_id,target_id,score,observed_at
ana,LE.1,2.5,2026-10-01T09:00:00Z
ana,LE.2,2.5,2026-10-01T09:00:00Z
ana,LE.3,75,2026-10-01T09:00:00Z
ana,LE.4,2.5,2026-10-01T09:00:00Z
"""

MARZANO_NAMES = ["not yet", "approaching", "meets", "exceeds"]


def _score(tmp_path: Path, targets: list[dict[str, Any]]) -> tuple[int, str, str]:
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(EVIDENCE, encoding="utf-8")
    targets_file = tmp_path / "targets.json"
    targets_file.write_text(json.dumps({"targets": targets}), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["score", str(evidence), "--targets", str(targets_file), "--policy", "most_recent", "-q"],
        stdout=out,
        stderr=err,
    )
    return code, out.getvalue(), err.getvalue()


def _spec(text: str) -> Scale:
    return read_targets_json(io.StringIO(text)).targets[0].scale


class TestTargetsFileThroughTheCommand:
    def test_preset_names_level_objects_and_bare_ranges_give_the_documented_levels(
        self, tmp_path: Path
    ) -> None:
        code, out, err = _score(
            tmp_path,
            [
                {"id": "LE.1", "title": "Omitted scale"},
                {"id": "LE.2", "title": "Bare range", "scale": {"min": 0, "max": 4, "mastery": 3}},
                {"id": "LE.3", "title": "Percent", "scale": "percent"},
                {
                    "id": "LE.4",
                    "title": "Level objects",
                    "scale": {
                        "min": 0,
                        "max": 4,
                        "mastery": 3,
                        "levels": [
                            {"name": "beginning", "minimum": 0},
                            {"name": "developing", "minimum": 2},
                            {"name": "secure", "minimum": 3},
                        ],
                    },
                },
            ],
        )
        assert 0 == code, err
        levels = {row["target_id"]: row["level"] for row in csv.DictReader(io.StringIO(out))}
        assert {
            "LE.1": "approaching",
            "LE.2": "approaching",
            "LE.3": "not yet",
            "LE.4": "developing",
        } == levels

    def test_a_level_object_without_minimum_is_refused_naming_the_field_and_value(
        self, tmp_path: Path
    ) -> None:
        code, _, err = _score(
            tmp_path,
            [
                {
                    "id": "LE.1",
                    "title": "T",
                    "scale": {
                        "min": 0,
                        "max": 4,
                        "mastery": 3,
                        "levels": [{"name": "low", "minimum": 0}, {"name": "high"}],
                    },
                }
            ],
        )
        assert 0 != code
        assert "targets[0]" in err
        assert "levels[1]={'name': 'high'} is missing the key 'minimum'" in err
        assert "Traceback" not in err

    def test_an_unknown_preset_name_is_refused_listing_the_names(self, tmp_path: Path) -> None:
        code, _, err = _score(tmp_path, [{"id": "LE.1", "title": "T", "scale": "marzanno"}])
        assert 0 != code
        expected = "scale spec='marzanno' is not a preset; expected one of ['marzano', 'percent']"
        assert expected in err


class TestFromSpec:
    @pytest.mark.parametrize(
        ("spec", "preset"), [("marzano", Scale.marzano()), ("percent", Scale.percent())]
    )
    def test_a_preset_name_is_the_preset(self, spec: str, preset: Scale) -> None:
        assert preset == Scale.from_spec(spec)

    @pytest.mark.parametrize("preset", [Scale.marzano(), Scale.percent(), Scale.percent(65)])
    def test_to_spec_of_a_preset_round_trips_through_json(self, preset: Scale) -> None:
        assert preset == Scale.from_spec(json.loads(json.dumps(preset.to_spec())))

    def test_level_objects_read_like_level_pairs(self) -> None:
        pairs = Scale.from_spec(
            {"min": 0, "max": 4, "mastery": 3, "levels": [["low", 0], ["high", 3]]}
        )
        objects = Scale.from_spec(
            {
                "min": 0,
                "max": 4,
                "mastery": 3,
                "levels": [{"name": "low", "minimum": 0}, {"name": "high", "minimum": 3}],
            }
        )
        assert pairs == objects
        assert (Level(name="low", minimum=0), Level(name="high", minimum=3)) == objects.levels

    def test_a_bare_range_on_marzanos_range_has_marzanos_levels(self) -> None:
        scale = Scale.from_spec({"min": 0, "max": 4, "mastery": 3})
        assert Scale.marzano().levels == scale.levels
        assert LearningTarget(id="T", title="T").scale.levels == scale.levels

    def test_a_bare_range_places_marzanos_names_proportionally(self) -> None:
        scale = Scale.from_spec({"min": 1, "max": 7, "mastery": 4})
        assert [("not yet", 1.0), ("approaching", 3.0), ("meets", 4.0), ("exceeds", 7.0)] == [
            (level.name, level.minimum) for level in scale.levels
        ]

    def test_a_bare_range_with_mastery_at_an_end_drops_the_empty_levels(self) -> None:
        at_top = Scale.from_spec({"min": 0, "max": 2, "mastery": 2})
        at_bottom = Scale.from_spec({"min": 0, "max": 2, "mastery": 0})
        assert ["not yet", "approaching", "meets"] == [level.name for level in at_top.levels]
        assert ["meets", "exceeds"] == [level.name for level in at_bottom.levels]

    def test_explicit_levels_read_exactly_as_written(self) -> None:
        spec = {"min": 0, "max": 4, "mastery": 3, "levels": [["not yet", 0], ["mastered", 3]]}
        assert Scale(min=0, max=4, mastery=3) == Scale.from_spec(spec)

    @pytest.mark.parametrize(
        ("levels", "message"),
        [
            (
                [{"name": "low", "minimum": 0}, {"name": "high"}],
                "scale spec levels[1]={'name': 'high'} is missing the key 'minimum'; expected "
                'a level object {"name": ..., "minimum": ...} or a [name, minimum] pair',
            ),
            (
                [{"minimum": 0}],
                "scale spec levels[0]={'minimum': 0} is missing the key 'name'",
            ),
            (
                [{"name": "low", "minimum": 0, "colour": "red"}],
                "scale spec levels[0] has unknown key 'colour'; expected keys ['minimum', 'name']",
            ),
            (
                [["low", 0, 1]],
                "scale spec levels[0]=['low', 0, 1] must be a level object "
                '{"name": ..., "minimum": ...} or a [name, minimum] pair',
            ),
            (
                [{"name": "low", "minimum": "zero"}],
                "scale spec levels[0].minimum='zero' must be a number, not str",
            ),
        ],
    )
    def test_bad_levels_name_the_item_the_value_and_what_was_expected(
        self, levels: list[Any], message: str
    ) -> None:
        with pytest.raises(SpecError) as caught:
            Scale.from_spec({"min": 0, "max": 4, "mastery": 3, "levels": levels})
        assert message in str(caught.value)

    def test_a_level_item_of_the_wrong_type_is_also_a_type_error(self) -> None:
        with pytest.raises(InvalidTypeError, match=r"scale spec levels\[0\]=5 must be a level"):
            Scale.from_spec({"min": 0, "max": 4, "mastery": 3, "levels": [5]})

    @pytest.mark.parametrize("spec", [5, None, ["marzano"]])
    def test_a_spec_that_is_neither_an_object_nor_a_name_says_what_is_expected(
        self, spec: object
    ) -> None:
        with pytest.raises(SpecError, match=r"must be a dict with the keys 'min', 'max' and "):
            Scale.from_spec(spec)  # type: ignore[arg-type]


class TestTargetsJson:
    def test_a_preset_name_in_a_targets_file(self) -> None:
        text = '{"targets": [{"id": "T", "title": "T", "scale": "marzano"}]}'
        assert Scale.marzano() == _spec(text)

    def test_a_targets_file_written_by_the_library_reads_back_unchanged(self) -> None:
        targets = [
            LearningTarget(id="a", title="A", scale=Scale(min=0, max=4, mastery=3)),
            LearningTarget(id="b", title="B", scale=Scale.percent(70)),
            LearningTarget(id="c", title="C"),
        ]
        back = read_targets_json(io.StringIO(targets_json_text(targets))).targets
        assert tuple(targets) == back


@given(
    low=st.integers(-50, 50),
    span=st.integers(1, 100),
    at=st.fractions(0, 1),
)
def test_bare_range_levels_keep_marzanos_order_and_meet_at_mastery(
    low: int, span: int, at: Any
) -> None:
    mastery = float(low + span * at)
    scale = Scale.from_spec({"min": low, "max": low + span, "mastery": mastery})
    names = [level.name for level in scale.levels]
    assert names == [name for name in MARZANO_NAMES if name in names]
    assert "meets" == scale.level_of(mastery).name
    assert scale.levels[0].minimum == scale.min


def test_a_rule_set_spec_takes_a_preset_scale_name_too() -> None:
    from mastery_grading.grades import RuleSet

    spec = RuleSet.sbgrader2().to_spec()
    spec["scale"] = "marzano"
    assert RuleSet.sbgrader2() == RuleSet.from_spec(spec)
