"""Properties of every built-in converter: monotone, honest claims, spec round trips."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mastery_grading import InvalidValueError, Scale, SpecError
from mastery_grading.grades import (
    CLAIM_NAMES,
    AverageCutoffs,
    GradeConverter,
    RuleSet,
    converter_from_spec,
    stock_converters,
)
from mastery_grading.results import TargetResult
from mastery_grading.testing import strategies as mst

#: Every stock converter, and one weighted variant.
CONVERTERS: dict[str, GradeConverter] = {
    **stock_converters(),
    "AverageCutoffs.marzano_2010(weighted=True)": AverageCutoffs.marzano_2010(weighted=True),
}


def profile_scale(converter: GradeConverter) -> Scale:
    """The scale of the profiles to draw for ``converter``."""
    if isinstance(converter, RuleSet):
        return converter.scale
    if converter == AverageCutoffs.percent():
        return Scale(min=0, max=100, mastery=80, step=5)
    return Scale.marzano()


def test_every_stock_converter_is_listed() -> None:
    assert [
        "AverageCutoffs.marzano_2010()",
        "AverageCutoffs.percent()",
        "AverageCutoffs.rutland()",
        "RuleSet.sbgrader2()",
        "RuleSet.powerschool_forum()",
        "RuleSet.talbert_mth201()",
    ] == list(stock_converters())
    assert AverageCutoffs.rutland() == stock_converters()["AverageCutoffs.rutland()"]


def rank(converter: GradeConverter, results: list[TargetResult]) -> int | None:
    try:
        return converter.letters.index(converter.convert(results).letter)
    except InvalidValueError:  # a gap: no letter to compare
        return None


@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_claims_are_drawn_from_the_three_names(name: str) -> None:
    converter = CONVERTERS[name]
    assert converter.claims <= CLAIM_NAMES
    if name == "RuleSet.powerschool_forum()":  # not monotone by shape: checked for a size
        assert "monotone" not in converter.claims
        converter = RuleSet.powerschool_forum(checked_up_to=8)
    assert "monotone" in converter.claims


@settings(max_examples=25)
@given(mst.rule_sets(), st.integers(min_value=1, max_value=3))
def test_a_claim_checked_up_to_a_class_size_holds_for_every_class_to_that_size(
    rules: RuleSet, size: int
) -> None:
    declared = attrs.evolve(rules, checked_up_to=size)
    for n in range(1, size + 1):
        report = rules.check(n)
        if "complete" in declared.claims:
            assert report.complete
        if "unambiguous" in declared.claims:
            assert report.unambiguous
        if "monotone" in declared.claims:
            assert report.monotone


@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_raising_one_target_never_lowers_the_letter(name: str) -> None:
    converter = CONVERTERS[name]

    @given(mst.raised_profiles(profile_scale(converter), max_size=8, tags=("core",)))
    def check(pair: tuple[list[TargetResult], list[TargetResult]]) -> None:
        before, after = rank(converter, pair[0]), rank(converter, pair[1])
        if before is not None and after is not None:
            assert after <= before  # letters are listed best first

    check()


@settings(max_examples=25)
@given(mst.rule_sets(), mst.raised_profiles(max_size=5))
def test_a_rule_set_claiming_monotone_is_monotone(
    rules: RuleSet, pair: tuple[list[TargetResult], list[TargetResult]]
) -> None:
    assume("monotone" in rules.claims)
    before, after = rank(rules, pair[0]), rank(rules, pair[1])
    if before is not None and after is not None:
        assert after <= before


@settings(max_examples=25)
@given(mst.rule_sets(), mst.result_profiles(max_size=5))
def test_a_rule_set_claiming_complete_gives_every_profile_a_letter(
    rules: RuleSet, profile: list[TargetResult]
) -> None:
    if {"complete", "unambiguous"} <= rules.claims:
        assert rank(rules, profile) is not None


@given(mst.converters())
def test_specs_round_trip_through_json(converter: Any) -> None:
    spec = json.loads(json.dumps(converter.to_spec()))
    assert converter == converter_from_spec(spec)
    assert converter == type(converter).from_spec(spec)


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"cutoffs": [["A", 3.0]]}, "'converter'"),
        ({"converter": "letters"}, "converter='letters'"),
        ({"converter": "average_cutoffs"}, "'cutoffs'"),
        ({"converter": "average_cutoffs", "cutoffs": [["A", 3.0]], "weight": True}, "'weight'"),
        ({"converter": "average_cutoffs", "cutoffs": "A"}, "'cutoffs'"),
        ({"converter": "average_cutoffs", "cutoffs": [["A", 3.0]], "missing": "zero"}, "missing"),
        ({"converter": "rule_set", "rules": []}, "'semantics'"),
        ({"converter": "rule_set", "semantics": "first_match", "rules": "A"}, "'rules'"),
        (
            {"converter": "rule_set", "semantics": "first_match", "rules": [{"grade": "A"}]},
            "rules[0].grade",
        ),
        (
            {
                "converter": "rule_set",
                "semantics": "first_match",
                "rules": [{"letter": "A", "conditions": [{"condition": "tally", "lo": 3}]}],
            },
            "rules[0].conditions[0].lo",
        ),
        (
            {
                "converter": "rule_set",
                "semantics": "first_match",
                "rules": [{"letter": "A", "conditions": [{"condition": "tally", "low": 3}]}],
            },
            "rules[0].conditions[0]",
        ),
        (
            {"converter": "rule_set", "semantics": "first_match", "rules": [], "scale": {"x": 1}},
            "'scale'",
        ),
    ],
)
def test_a_bad_spec_raises_spec_error_naming_the_key(spec: dict[str, Any], key: str) -> None:
    with pytest.raises(SpecError) as caught:
        converter_from_spec(spec)
    assert key in str(caught.value)


def test_a_spec_that_is_not_a_dict_is_rejected() -> None:
    with pytest.raises(SpecError, match="must be a dict"):
        converter_from_spec(["average_cutoffs"])  # type: ignore[arg-type]


def test_stock_converters_round_trip() -> None:
    for converter in CONVERTERS.values():
        assert converter == converter_from_spec(converter.to_spec())


@given(st.sampled_from(sorted(CONVERTERS)))
def test_every_converter_follows_the_protocol(name: str) -> None:
    assert isinstance(CONVERTERS[name], GradeConverter)
