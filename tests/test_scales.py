from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import (
    InvalidTypeError,
    InvalidValueError,
    Level,
    MasteryGradingError,
    Scale,
    SpecError,
)
from mastery_grading.testing import strategies as mst


class TestMarzano:
    def test_has_four_named_levels_with_half_points_and_mastery_at_three(self) -> None:
        scale = Scale.marzano()
        assert (0.0, 4.0, 3.0, 0.5) == (scale.min, scale.max, scale.mastery, scale.step)
        assert ["not yet", "approaching", "meets", "exceeds"] == [lv.name for lv in scale.levels]

    @pytest.mark.parametrize(
        ("value", "name"),
        [
            (0.0, "not yet"),
            (1.99, "not yet"),
            (2.0, "approaching"),
            (2.9, "approaching"),
            (2.999999, "approaching"),
            (3.0, "meets"),
            (3.99, "meets"),
            (4.0, "exceeds"),
        ],
    )
    def test_level_of_is_a_floor_never_rounding(self, value: float, name: str) -> None:
        assert name == Scale.marzano().level_of(value).name

    def test_mastery_threshold_is_inclusive(self) -> None:
        scale = Scale.marzano()
        assert scale.is_mastered(3.0)
        assert not scale.is_mastered(2.9999)


class TestDefaults:
    def test_default_levels_split_at_mastery(self) -> None:
        scale = Scale(min=0, max=10, mastery=7)
        assert (Level(name="not yet", minimum=0), Level(name="mastered", minimum=7)) == scale.levels

    def test_threshold_at_min_gives_a_single_mastered_level(self) -> None:
        assert ("mastered",) == tuple(lv.name for lv in Scale(min=0, max=1, mastery=0).levels)

    def test_percent_scale(self) -> None:
        scale = Scale.percent()
        assert (0.0, 100.0, 80.0) == (scale.min, scale.max, scale.mastery)
        assert "not yet" == scale.level_of(79.99).name

    def test_levels_accept_name_minimum_pairs(self) -> None:
        scale = Scale(min=1, max=4, mastery=3, levels=[("low", 1), ("high", 3)])
        assert "high" == scale.level_of(3.5).name

    def test_value_outside_scale_gets_the_extreme_level(self) -> None:
        scale = Scale.marzano()
        assert "exceeds" == scale.level_of(9.0).name
        assert "not yet" == scale.level_of(-1.0).name


class TestValidation:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"min": 4, "max": 0, "mastery": 3}, "max=0.0 must be greater than min=4.0"),
            ({"min": 0, "max": 4, "mastery": 5}, "mastery=5.0 must lie within"),
            ({"min": 0, "max": 4, "mastery": 3, "step": 0}, "step=0.0 must be greater than 0"),
            ({"min": 0, "max": 4, "mastery": 3, "step": 0.3}, "step=0.3 must divide"),
            ({"min": 0, "max": 4, "mastery": 3, "levels": ()}, "levels=() must hold"),
            (
                {"min": 0, "max": 4, "mastery": 3, "levels": [("a", 1)]},
                "levels[0].minimum=1.0 must equal min=0.0",
            ),
            (
                {"min": 0, "max": 4, "mastery": 3, "levels": [("a", 0), ("a", 2)]},
                "must be unique",
            ),
            (
                {"min": 0, "max": 4, "mastery": 3, "levels": [("a", 0), ("b", 2), ("c", 2)]},
                "must increase strictly",
            ),
            (
                {"min": 0, "max": 4, "mastery": 3, "levels": [("a", 0), ("b", 5)]},
                "lies above max",
            ),
            ({"min": float("nan"), "max": 4, "mastery": 3}, "min=nan is not a finite number"),
        ],
    )
    def test_invalid_scale_names_the_field_and_value(
        self, kwargs: dict[str, object], message: str
    ) -> None:
        with pytest.raises(InvalidValueError, match=re.escape(message)):
            Scale(**kwargs)  # type: ignore[arg-type]

    def test_errors_are_also_builtin_value_errors(self) -> None:
        with pytest.raises(ValueError, match="max"):
            Scale(min=1, max=1, mastery=1)

    def test_wrong_type_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="max='4' must be a number, not str"):
            Scale(min=0, max="4", mastery=3)

    @pytest.mark.parametrize("field", ["min", "max", "mastery", "step"])
    def test_int_too_large_for_a_float_names_the_field_not_an_overflow(self, field: str) -> None:
        fields: dict[str, object] = {"min": 0, "max": 4, "mastery": 3, field: 10**400}
        message = f"{field}=1.000e+400 is too large; expected a finite number between"
        with pytest.raises(InvalidValueError, match=re.escape(message)):
            Scale(**fields)  # type: ignore[arg-type]

    def test_int_beyond_pythons_printing_limit_is_shown_shortened(self) -> None:
        with pytest.raises(InvalidValueError, match=re.escape("minimum=-1.000e+5000 is too")):
            Level(name="low", minimum=-(10**5000))

    @pytest.mark.parametrize("levels", [5, None, "not yet"])
    def test_levels_that_are_not_a_list_are_a_type_error_naming_them(self, levels: object) -> None:
        message = f"levels={levels!r} must be a list of Level objects or (name, minimum) pairs"
        with pytest.raises(InvalidTypeError, match=re.escape(message)):
            Scale(min=0, max=4, mastery=3, levels=levels)  # type: ignore[arg-type]

    def test_scales_are_frozen(self) -> None:
        with pytest.raises(AttributeError):
            Scale.marzano().mastery = 2.0  # type: ignore[misc]

    def test_score_outside_scale_raises_library_error(self) -> None:
        with pytest.raises(MasteryGradingError, match=r"score=-0.5 lies outside the scale"):
            Scale.marzano().check_score(-0.5)


@given(mst.scales(), st.data())
def test_every_value_in_scale_has_exactly_the_floor_level(
    scale: Scale, data: st.DataObject
) -> None:
    value = data.draw(mst.scores(scale))
    level = scale.level_of(value)
    assert level.minimum <= value
    later = [lv for lv in scale.levels if lv.minimum > level.minimum]
    assert all(value < lv.minimum for lv in later)


@given(mst.scales())
def test_spec_round_trip(scale: Scale) -> None:
    assert scale == Scale.from_spec(scale.to_spec())


class TestFromSpec:
    def test_spec_that_is_not_a_dict_is_a_spec_error(self) -> None:
        with pytest.raises(SpecError, match=r"scale spec=5 must be a dict with the keys 'min'"):
            Scale.from_spec(5)  # type: ignore[arg-type]

    def test_levels_that_are_not_a_list_are_a_type_error(self) -> None:
        with pytest.raises(InvalidTypeError, match=r"levels=5 must be a list of Level objects"):
            Scale.from_spec({"min": 0, "max": 4, "mastery": 3, "levels": 5})

    def test_levels_item_that_is_not_a_pair_names_the_item(self) -> None:
        with pytest.raises(InvalidTypeError, match=r"scale spec levels\[0\]=5 must be a level"):
            Scale.from_spec({"min": 0, "max": 4, "mastery": 3, "levels": [5]})

    def test_json_level_pairs_are_read(self) -> None:
        spec = {"min": 0, "max": 4, "mastery": 3, "levels": [["not yet", 0], ["mastered", 3]]}
        assert ["not yet", "mastered"] == [lv.name for lv in Scale.from_spec(spec).levels]
