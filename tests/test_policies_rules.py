"""Evidence rules (Filtered, AtBats) composed with other policies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest

from helpers import MARZANO_TARGET, START, history
from mastery_grading import Evidence, SpecError, policy_from_spec
from mastery_grading.policies import AtBats, Filtered, Mean, MostRecent, PowerLaw


def evidence(score: float, day: int, **fields: object) -> Evidence:
    return Evidence(
        student_id="s1",
        target_id="T",
        score=score,
        observed_at=START + timedelta(days=day),
        **fields,  # type: ignore[arg-type]
    )


MIXED = [
    evidence(1.0, 0, kind="formative"),
    evidence(2.0, 1, context="math"),
    evidence(4.0, 2, kind="formative", context="science"),
    evidence(3.0, 3, independent=False, context="science"),
    evidence(2.5, 4, context="science"),
]


class TestFiltered:
    def test_summative_only_drops_practice(self) -> None:
        result = Filtered(inner=Mean(), summative_only=True).evaluate(MIXED, MARZANO_TARGET)
        assert 2.5 == result.value
        assert 5 == result.evidence_count
        assert 3 == len(result.contributions)

    def test_independent_only(self) -> None:
        rule = Filtered(inner=MostRecent(), independent_only=True)
        assert 2.5 == rule.evaluate(MIXED, MARZANO_TARGET).value
        assert 4.0 == rule.evaluate(MIXED[:4], MARZANO_TARGET).value

    def test_contexts(self) -> None:
        rule = Filtered(inner=Mean(), contexts="science")
        assert ("science",) == rule.contexts
        assert 3.1666666666666665 == rule.evaluate(MIXED, MARZANO_TARGET).value
        assert Filtered(inner=Mean(), contexts=["b", "a", "a"]).contexts == ("a", "b")

    def test_as_of_date_uses_each_observation_date(self) -> None:
        rule = Filtered(inner=MostRecent(), as_of=date(2026, 9, 3))
        assert 4.0 == rule.evaluate(MIXED, MARZANO_TARGET).value

    def test_as_of_instant(self) -> None:
        moment = START + timedelta(days=1, hours=1)
        assert (
            2.0 == Filtered(inner=MostRecent(), as_of=moment).evaluate(MIXED, MARZANO_TARGET).value
        )

    def test_as_of_iso_string_is_parsed(self) -> None:
        assert date(2026, 9, 3) == Filtered(inner=Mean(), as_of="2026-09-03").as_of
        parsed = Filtered(inner=Mean(), as_of="2026-09-03T10:00:00+02:00").as_of
        assert datetime(2026, 9, 3, 8, tzinfo=UTC) == parsed

    def test_window(self) -> None:
        rule = Filtered(inner=Mean(), start="2026-09-02", end="2026-09-04")
        assert 3.0 == rule.evaluate(MIXED, MARZANO_TARGET).value

    def test_window_must_not_be_reversed(self) -> None:
        with pytest.raises(ValueError, match="start='2026-09-04' must not be after end"):
            Filtered(inner=Mean(), start="2026-09-04", end="2026-09-02")

    def test_naive_datetime_rejected(self) -> None:
        with pytest.raises(ValueError, match="naive datetime"):
            Filtered(inner=Mean(), as_of=datetime(2026, 9, 3))

    def test_min_evidence(self) -> None:
        rule = Filtered(inner=Mean(), summative_only=True, min_evidence=4)
        result = rule.evaluate(MIXED, MARZANO_TARGET)
        assert None is result.value
        assert "insufficient evidence: 3 pieces pass the rules, 4 needed" == result.reason
        assert 5 == result.evidence_count

    def test_nothing_kept(self) -> None:
        result = Filtered(inner=Mean(), contexts=["art"]).evaluate(MIXED, MARZANO_TARGET)
        assert "no evidence passes the rules (contexts art)" == result.reason

    def test_no_evidence(self) -> None:
        assert "no evidence" == Filtered(inner=Mean()).evaluate([], MARZANO_TARGET).reason

    def test_result_names_the_wrapper(self) -> None:
        rule = Filtered(inner=Mean())
        assert rule is rule.evaluate(MIXED, MARZANO_TARGET).policy

    def test_claims_follow_the_rules(self) -> None:
        assert "formative_neutral" in Filtered(inner=Mean(), summative_only=True).claims
        assert "formative_neutral" not in Filtered(inner=Mean()).claims
        dated = Filtered(inner=Mean(), as_of="2026-09-03")
        assert {"time_shift_invariant", "order_free", "recency"}.isdisjoint(dated.claims)
        assert "monotone" in dated.claims
        assert Filtered(inner=PowerLaw()).claims == PowerLaw.claims

    def test_counterexample_as_of_is_not_time_shift_invariant(self) -> None:
        rule = Filtered(inner=Mean(), as_of="2026-09-02")
        moved = [attrs.evolve(e, observed_at=e.observed_at - timedelta(days=5)) for e in MIXED]
        assert 1.5 == rule.evaluate(MIXED, MARZANO_TARGET).value
        assert 2.5 == rule.evaluate(moved, MARZANO_TARGET).value

    def test_spec_round_trip_with_dates_and_nested_policy(self) -> None:
        rule = Filtered(
            inner=AtBats(inner=Mean(), k=2),
            summative_only=True,
            as_of=datetime(2026, 9, 3, 10, tzinfo=timezone(timedelta(hours=2))),
            start=date(2026, 9, 1),
            contexts=["math", "science"],
            min_evidence=2,
        )
        spec = rule.to_spec()
        assert "2026-09-03T10:00:00+02:00" == spec["as_of"]
        assert {
            "policy": "at_bats",
            "inner": {"policy": "mean", "weighted": True},
            "k": 2,
            "contexts": 1,
        } == spec["inner"]
        assert rule == policy_from_spec(spec)

    def test_bad_date_in_spec_names_the_key(self) -> None:
        with pytest.raises(SpecError, match="as_of='yesterday'"):
            policy_from_spec(
                {"policy": "filtered", "inner": {"policy": "mean"}, "as_of": "yesterday"}
            )


class TestAtBats:
    def test_remaining_at_bats_are_explained(self) -> None:
        result = AtBats(k=3).evaluate(history([3, 2, 3.5]), MARZANO_TARGET)
        assert None is result.value
        assert "1 more at-bat needed: 2 of 3 independent summative scores at mastery" == (
            result.reason
        )

    def test_formative_and_assisted_scores_are_not_at_bats(self) -> None:
        evidence_ = [
            evidence(4, 0, kind="formative"),
            evidence(4, 1, independent=False),
            evidence(3, 2),
        ]
        result = AtBats(k=2).evaluate(evidence_, MARZANO_TARGET)
        assert "1 more at-bat needed: 1 of 2 independent summative scores at mastery" == (
            result.reason
        )

    def test_contexts_required(self) -> None:
        evidence_ = [evidence(3, 0, context="math"), evidence(4, 1, context="math")]
        rule = AtBats(k=2, contexts=2)
        result = rule.evaluate(evidence_, MARZANO_TARGET)
        assert (
            "1 more at-bat needed: 2 of 2 independent summative scores at mastery, "
            "in 1 of 2 contexts"
        ) == result.reason
        done = rule.evaluate([*evidence_, evidence(3.5, 2, context="science")], MARZANO_TARGET)
        assert (3.5, "mastery confirmed by 3 at-bats in 2 contexts") == (done.value, done.reason)

    def test_confirmed_result_is_the_inner_policy_on_all_evidence(self) -> None:
        result = AtBats(inner=Mean(), k=2).evaluate(history([1, 3, 4]), MARZANO_TARGET)
        assert (8 / 3, 3, 3) == (result.value, result.evidence_count, len(result.contributions))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"k": 0}, "k=0 must be at least 1"),
            ({"contexts": 0}, "contexts=0 must be at least 1"),
            ({"k": 2, "contexts": 3}, "contexts=3 must not exceed k=2"),
        ],
    )
    def test_invalid_parameters(self, kwargs: dict[str, int], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            AtBats(**kwargs)  # type: ignore[arg-type]

    def test_spec_round_trip(self) -> None:
        rule = AtBats(inner=PowerLaw(zeros="floor"), k=4, contexts=2)
        assert rule == policy_from_spec(rule.to_spec())
