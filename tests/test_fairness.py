"""Fairness axioms and the audit kit: built-ins keep their claims, known violations stay found."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from random import Random
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given

from helpers import MARZANO_TARGET
from mastery_grading import (
    Contribution,
    Evidence,
    LearningTarget,
    Scale,
    TargetResult,
    available_policies,
    axioms,
    policy_from_spec,
    sort_chronologically,
)
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.fairness.axioms import AXIOMS, CONVERTER_AXIOMS, PolicyCase
from mastery_grading.grades import AverageCutoffs, RuleSet
from mastery_grading.grades import stock_converters as grades_stock_converters
from mastery_grading.policies import DecayingAverage, Mean, MostRecent, from_canvas
from mastery_grading.testing import (
    AuditReport,
    AuditTable,
    audit,
    audit_table,
    check_converter,
    check_policy,
    parametrize_with_checks,
    stock_converters,
)
from mastery_grading.testing import strategies as mst

AXIOM_NAMES = [
    "bounded",
    "within_observed_range",
    "unanimity",
    "monotone",
    "order_free",
    "time_shift_invariant",
    "no_retake_penalty",
    "improvement_credit",
    "recency",
    "recency_sensitive",
    "formative_neutral",
    "deterministic",
    "target_independent",
    "correct_never_lowers",
]

#: Parameter variants of the built-ins, besides the defaults from available_policies().
VARIANT_SPECS: list[dict[str, Any]] = [
    {"policy": "mean", "weighted": False},
    {"policy": "decaying_average", "rate": 0.2},
    {"policy": "decaying_average", "rate": 0.5},
    {"policy": "decaying_average", "rate": 1.0},
    {"policy": "mode", "tie_break": "lowest"},
    {"policy": "mode", "tie_break": "most_recent"},
    {"policy": "mode", "tie_break": "none"},
    {"policy": "mode_of_recent", "n": 5, "tie_break": "lowest"},
    {"policy": "mean_of_recent", "n": 1},
    {"policy": "mean_of_recent", "n": 5},
    {"policy": "median_of_recent", "n": 4},
    {"policy": "highest_of_recent", "n": 1},
    {"policy": "mean_of_highest", "n": 1},
    {"policy": "mean_of_highest", "n": 5},
    {"policy": "weighted_average", "weight": 0.5},
    {"policy": "weighted_average", "weight": 1.0},
    {"policy": "n_times", "n": 1},
    {"policy": "n_times", "n": 3},
    {"policy": "power_law", "zeros": "floor"},
    {"policy": "power_law", "clamp": True},
    {"policy": "linear_trend", "clamp": True},
    {"policy": "best_fit", "clamp": True},
    {"policy": "max_of", "policies": [{"policy": "most_recent"}, {"policy": "mean"}]},
    {"policy": "filtered", "inner": {"policy": "decaying_average"}, "min_evidence": 2},
    {"policy": "filtered", "inner": {"policy": "mean"}, "independent_only": True},
    {"policy": "at_bats", "inner": {"policy": "mean"}, "k": 2},
    {"policy": "rounded", "inner": {"policy": "most_recent"}, "places": 0},
    {"policy": "rounded", "inner": {"policy": "decaying_average"}, "places": 1},
]
#: Canvas's calculation methods, as from_canvas maps them: (method, calculation_int, new flag).
CANVAS_METHODS: list[tuple[str | None, int | None, bool]] = [
    ("decaying_average", None, False),
    ("weighted_average", 80, False),
    ("standard_decaying_average", 50, True),
    ("standard_decaying_average", None, False),
    ("n_mastery", 3, False),
    ("highest", None, False),
    (None, None, False),
    ("latest", None, False),
    ("average", None, False),
]


def canvas_policies() -> list[Any]:
    return [
        from_canvas(method, calculation_int=number, new_decaying_average=flag)
        for method, number, flag in CANVAS_METHODS
    ]


VARIANTS: list[Any] = [
    *(policy_from_spec(spec) for spec in VARIANT_SPECS if spec["policy"] in available_policies()),
    *canvas_policies(),
]


#: The default ``max_of``: a mean or a power law, whichever is higher.
MEAN_OR_POWER_LAW: dict[str, Any] = {
    "policy": "max_of",
    "policies": [{"policy": "mean"}, {"policy": "power_law"}],
}


def every_builtin() -> list[Any]:
    return [*available_policies().values(), *VARIANTS]


def case(scores: Sequence[float], **fields: Any) -> PolicyCase:
    return PolicyCase.from_scores(scores, target=MARZANO_TARGET, **fields)


# ---------------------------------------------------------------------------------------------
# Axioms as data
# ---------------------------------------------------------------------------------------------


class TestAxiomRegistry:
    def test_policy_axioms_are_named_and_ordered(self) -> None:
        assert AXIOM_NAMES == list(AXIOMS)
        assert [a.name for a in AXIOMS.values()] == list(AXIOMS)

    def test_converter_axioms_live_in_their_own_registry(self) -> None:
        assert ["monotone", "complete", "unambiguous"] == list(CONVERTER_AXIOMS)
        assert isinstance(CONVERTER_AXIOMS["monotone"], axioms.ConverterAxiom)
        assert not isinstance(AXIOMS["monotone"], axioms.ConverterAxiom)

    @pytest.mark.parametrize("axiom", [*AXIOMS.values(), *CONVERTER_AXIOMS.values()], ids=repr)
    def test_every_axiom_has_a_teacher_summary_and_a_precise_definition(self, axiom: Any) -> None:
        assert axiom.summary.endswith(".")
        assert axiom.summary.count(".") == 1  # one sentence
        doc = type(axiom).__doc__
        assert doc is not None
        assert f"**{axiom.name}**" in doc

    def test_claims_reads_the_claims_attribute_or_nothing(self) -> None:
        assert Mean.claims == axioms.claims(Mean())
        assert frozenset() == axioms.claims(object())
        declared = type("Claims", (), {"claims": ["bounded"]})()
        assert frozenset({"bounded"}) == axioms.claims(declared)
        by_property = type("Claims", (), {"claims": property(lambda self: frozenset({"a"}))})
        assert frozenset() == axioms.claims(by_property)
        assert frozenset({"a"}) == axioms.claims(by_property())

    @pytest.mark.parametrize("policy", every_builtin(), ids=repr)
    def test_builtins_claim_only_known_axioms(self, policy: Any) -> None:
        assert axioms.claims(policy) <= set(AXIOMS)
        assert axioms.claims(policy), "every built-in claims something"

    def test_claims_can_depend_on_parameters(self) -> None:
        assert "recency" in DecayingAverage(rate=0.5).claims
        assert "recency" not in DecayingAverage(rate=0.49).claims
        assert "recency" in DecayingAverage.claims  # the class shows the default's claims

    @pytest.mark.parametrize(
        ("spec", "claimed"),
        [
            ({"policy": "most_recent"}, True),
            ({"policy": "decaying_average", "rate": 0.51}, True),
            ({"policy": "decaying_average", "rate": 0.5}, False),  # 1, 4 and 4, 1 both give 2.5
            ({"policy": "weighted_average", "weight": 0.65}, True),
            ({"policy": "weighted_average", "weight": 0.5}, False),
            ({"policy": "power_law"}, True),
            ({"policy": "power_law", "zeros": "floor"}, False),  # 0, 0.5 count as 0.5, 0.5
            ({"policy": "linear_trend", "clamp": True}, True),
            ({"policy": "best_fit"}, False),  # it may take the mean both ways
            ({"policy": "at_bats", "inner": {"policy": "most_recent"}}, True),
            ({"policy": "filtered", "inner": {"policy": "most_recent"}, "min_evidence": 2}, True),
            (
                {"policy": "filtered", "inner": {"policy": "most_recent"}, "summative_only": True},
                False,
            ),
            (MEAN_OR_POWER_LAW, False),  # the mean in it ignores the order
            ({"policy": "highest"}, False),
        ],
        ids=lambda v: str(v) if isinstance(v, bool) else "-".join(map(str, v.values())),
    )
    def test_recency_sensitive_is_claimed_where_it_holds(
        self, spec: dict[str, Any], claimed: bool
    ) -> None:
        policy = policy_from_spec(spec)
        assert claimed == ("recency_sensitive" in axioms.claims(policy))
        assert claimed != ("recency_sensitive" in audit(policy, max_examples=30).violated)


# ---------------------------------------------------------------------------------------------
# The suite checks every built-in's claims (a wrong claim fails the build)
# ---------------------------------------------------------------------------------------------


@parametrize_with_checks(every_builtin(), tolerance=0)
def test_builtin_keeps_the_contract_and_every_claim_with_no_tolerance(
    policy: Any, check: Callable[[Any], None]
) -> None:
    # One case per (policy, check): the contract, then each claimed axiom on its own. The
    # built-ins compute exactly: they meet their axioms with no float tolerance at all.
    check(policy)


def random_builtins(count: int) -> list[Any]:
    """``count`` built-ins with generated parameters, the same on every run."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    drawn: list[Any] = []

    def keep(policy: Any) -> bool:
        drawn.append(policy)
        return False

    config = settings(
        max_examples=count,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    with contextlib.suppress(NoSuchExample):
        find(mst.policies(), keep, settings=config, random=Random(0))
    return list(dict.fromkeys(drawn))[:count]


@pytest.mark.parametrize("policy", random_builtins(40), ids=repr)
def test_builtin_with_generated_parameters_keeps_every_claim(policy: Any) -> None:
    # Claims that depend on parameters (a rate, a window, a wrapped policy) hide here.
    check_policy(policy, max_examples=15, tolerance=0)


@pytest.mark.slow
def test_full_audit_of_every_builtin_finds_no_wrong_claim() -> None:
    policies = {repr(p): p for p in every_builtin()}
    start = time.perf_counter()
    table = audit_table(policies)
    converters = audit_table(stock_converters())
    elapsed = time.perf_counter() - start
    assert {} == table.wrong_claims
    assert {} == converters.wrong_claims
    assert list(policies) == list(table.names)
    assert list(stock_converters()) == list(converters.names)
    for names, reports in [
        (AXIOM_NAMES, table.reports),
        (list(CONVERTER_AXIOMS), converters.reports),
    ]:
        for report in reports:
            assert names == [o.axiom for o in report.outcomes]
            for outcome in report.outcomes:
                assert outcome.tried >= 1
                assert (outcome.counterexample is None) == outcome.holds
    print(
        f"audit of {len(policies)} policies and {len(converters.names)} converters: {elapsed:.1f} s"
    )


# ---------------------------------------------------------------------------------------------
# Known violations, with their counterexamples
# ---------------------------------------------------------------------------------------------


class TestKnownViolations:
    def test_most_recent_is_not_order_free(self) -> None:
        problem = AXIOMS["order_free"].check(MostRecent(), case([1, 4], permutation=(1, 0)))
        assert "scores 1, 4 give 4.00; the same scores in the order 4, 1 give 1.00" == problem
        assert not audit(MostRecent(), max_examples=20)["order_free"].holds

    def test_decaying_average_is_not_order_free(self) -> None:
        problem = AXIOMS["order_free"].check(
            DecayingAverage(), case([1, 2, 3, 4], permutation=(3, 2, 1, 0))
        )
        assert "scores 1, 2, 3, 4 give 3.48; the same scores in the order 4, 3, 2, 1 give 1.52" == (
            problem
        )

    def test_mean_is_not_formative_neutral(self) -> None:
        practice = Evidence(
            student_id="s1",
            target_id="T",
            score=0.5,
            observed_at=case([3]).history[0].observed_at + timedelta(days=1),
            kind="formative",
        )
        problem = AXIOMS["formative_neutral"].check(Mean(), case([3], extra=(practice,)))
        assert (
            "score 3 gives 3.00; adding practice, as scores 3, 0.5 (formative), gives 1.75"
            == problem
        )

    def test_slow_decaying_average_is_not_recency_sensitive(self) -> None:
        problem = AXIOMS["recency"].check(DecayingAverage(rate=0.2), case([2, 0]))
        assert (
            "improving scores 0, 2 give 0.40; the same scores declining, 2, 0, give 1.60" == problem
        )

    @pytest.mark.parametrize(
        ("spec", "after"),
        [
            ({"policy": "power_law"}, "3.52"),
            ({"policy": "linear_trend"}, "3.80"),
            ({"policy": "best_fit"}, "3.80"),
            (
                {"policy": "max_of", "policies": [{"policy": "mean"}, {"policy": "power_law"}]},
                "3.52",
            ),
        ],
        ids=lambda v: v["policy"] if isinstance(v, dict) else v,
    )
    def test_fitted_trends_are_not_monotone(self, spec: dict[str, Any], after: str) -> None:
        # Raising an early score flattens the fitted learning curve and lowers its prediction.
        policy = policy_from_spec(spec)
        problem = AXIOMS["monotone"].check(policy, case([1, 2, 3, 4], index=0, share=17))
        assert f"scores 1, 2, 3, 4 give 4.00; raising the first to 2 gives {after}" == problem
        assert "monotone" not in axioms.claims(policy)
        assert "monotone" in audit(policy, max_examples=5, axioms=["monotone"]).violated

    def test_power_law_lets_one_low_score_stick(self) -> None:
        power_law = policy_from_spec({"policy": "power_law"})
        problem = AXIOMS["no_retake_penalty"].check(power_law, case([4, 3, 2, 1], share=0))
        assert problem is not None
        assert problem.startswith("scores 4, 3, 2, 1 give 1.28; a retake scoring about 1.2809")

    def test_mode_is_not_monotone(self) -> None:
        # A mode can fall by 2.5 points when a single score rises.
        mode = policy_from_spec({"policy": "mode"})
        problem = AXIOMS["monotone"].check(mode, case([1, 1, 3.5, 3.5], index=2, share=100))
        assert "scores 1, 1, 3.5, 3.5 give 3.50; raising the third to 4 gives 1.00" == problem
        assert "monotone" in audit(mode, max_examples=10).violated

    def test_mode_counterexample_is_the_smallest_hand_picked_one(self) -> None:
        # Not 1, 2, 3, 4 (raising the first to 2 gives 2): three scores from 0 show it.
        report = audit(policy_from_spec({"policy": "mode"}), max_examples=10, axioms=["monotone"])
        expected = "scores 0, 0.5, 1 give 1.00; raising the first to 0.5 gives 0.50"
        assert expected == report["monotone"].counterexample

    @pytest.mark.parametrize(
        ("spec", "axiom", "counterexample"),
        [
            (
                {"policy": "linear_trend"},
                "bounded",
                "scores 0, 3, 4 give 4.33, outside the scale from 0 to 4",
            ),
            (
                {"policy": "best_fit"},
                "bounded",
                "scores 0, 3, 4 give 4.33, outside the scale from 0 to 4",
            ),
            (
                {"policy": "power_law"},
                "bounded",
                "scores 0.5, 2, 4 give 4.12, outside the scale from 0 to 4",
            ),
            (
                MEAN_OR_POWER_LAW,
                "bounded",
                "scores 0.5, 2, 4 give 4.12, outside the scale from 0 to 4",
            ),
            (
                {"policy": "power_law"},
                "within_observed_range",
                "scores 0.5, 1, 1 give 1.11, above the highest score used (1)",
            ),
            (
                MEAN_OR_POWER_LAW,
                "within_observed_range",
                "scores 0.5, 1, 1 give 1.11, above the highest score used (1)",
            ),
            (
                {"policy": "best_fit"},
                "within_observed_range",
                "scores 0, 0.5, 0.5 give 0.58, above the highest score used (0.5)",
            ),
            (
                {"policy": "mode_of_recent"},
                "monotone",
                "scores 0, 0.5, 1 give 1.00; raising the first to 0.5 gives 0.50",
            ),
            (
                {"policy": "n_times"},
                "monotone",
                "scores 2, 4, 4, 4, 4, 4 give 4.00; raising the first to 3 gives 3.83",
            ),
            (
                {"policy": "at_bats"},
                "order_free",
                "scores 2, 4, 4, 4, 4, 4 give 4.00; the same scores in the order 4, 4, 4, 4, 4, 2 "
                "give 2.00",
            ),
        ],
        ids=lambda v: v["policy"] if isinstance(v, dict) else v if len(v) < 30 else "",
    )
    def test_audit_finds_short_violations_at_the_docs_build_size(
        self, spec: dict[str, Any], axiom: str, counterexample: str
    ) -> None:
        # These once read "holds" in the generated docs table (10 cases per axiom).
        policy = policy_from_spec(spec)
        assert axiom not in axioms.claims(policy)
        assert (
            counterexample == audit(policy, max_examples=10, axioms=[axiom])[axiom].counterexample
        )

    def test_canvas_weighted_average_penalizes_a_retake_at_the_current_level(self) -> None:
        legacy = policy_from_spec({"policy": "weighted_average"})
        problem = AXIOMS["no_retake_penalty"].check(legacy, case([1, 4], share=0))
        assert "scores 1, 4 give 2.95; a retake scoring 2.95 gives 2.79" == problem

    def test_mean_of_recent_penalizes_a_retake_at_the_current_level(self) -> None:
        window = policy_from_spec({"policy": "mean_of_recent", "n": 2})
        problem = AXIOMS["no_retake_penalty"].check(window, case([4, 2], share=0))
        assert "scores 4, 2 give 3.00; a retake scoring 3 gives 2.50" == problem

    @pytest.mark.parametrize(
        ("spec", "counterexample"),
        [
            (
                {"policy": "highest"},
                "improving scores 1, 4 give 4.00, and the same scores declining, 4, 1, "
                "give 4.00 too",
            ),
            (
                {"policy": "mean"},
                "improving scores 1, 4 give 2.50, and the same scores declining, 4, 1, "
                "give 2.50 too",
            ),
            (
                {"policy": "median"},
                "improving scores 1, 4 give 2.50, and the same scores declining, 4, 1, "
                "give 2.50 too",
            ),
            (
                {"policy": "n_times"},
                "improving scores 2, 4, 4, 4, 4, 4 give 4.00, and the same scores declining, "
                "4, 4, 4, 4, 4, 2, give 4.00 too",
            ),
        ],
        ids=lambda v: v["policy"] if isinstance(v, dict) else "",
    )
    def test_order_blind_rules_are_not_recency_sensitive(
        self, spec: dict[str, Any], counterexample: str
    ) -> None:
        # Improving and declining get the same: such a rule never tells where a student is now.
        policy = policy_from_spec(spec)
        assert "recency_sensitive" not in axioms.claims(policy)
        assert "recency" in axioms.claims(policy)  # the weak form holds: a tie is allowed
        report = audit(policy, max_examples=10, axioms=["recency", "recency_sensitive"])
        assert ("recency_sensitive",) == report.violated
        assert counterexample == report["recency_sensitive"].counterexample

    def test_a_rule_that_favours_decline_breaks_recency_sensitivity_too(self) -> None:
        problem = AXIOMS["recency_sensitive"].check(DecayingAverage(rate=0.2), case([2, 0]))
        assert (
            "improving scores 0, 2 give 0.40; the same scores declining, 2, 0, give 1.60" == problem
        )

    def test_recency_sensitivity_needs_scores_that_differ(self) -> None:
        # All equal: improving and declining are the same history, so there is nothing to tell.
        assert AXIOMS["recency_sensitive"].check(Mean(), case([3, 3, 3])) is None

    def test_recency_sensitivity_forbids_losing_the_result_by_improving(self) -> None:
        # Only declining histories get a value: improving must not end with no result.
        gloomy = ScorePolicy(
            lambda h, t: h[-1].score if h[-1].score < h[0].score else None, "gloomy"
        )
        problem = AXIOMS["recency_sensitive"].check(gloomy, case([4, 1]))
        assert (
            "improving scores 1, 4 give no result (no evidence); the same scores declining, 4, 1, "
            "give 1.00" == problem
        )

    def test_summative_only_filter_is_not_recency_sensitive(self) -> None:
        # Practice dropped, what is left may be all equal: 1 (practice), 2, 2 against 2, 2, 1.
        latest = policy_from_spec(
            {"policy": "filtered", "inner": {"policy": "most_recent"}, "summative_only": True}
        )
        first, *rest = case([1, 2, 2]).history
        history = (attrs.evolve(first, kind="formative"), *rest)
        problem = AXIOMS["recency_sensitive"].check(
            latest, attrs.evolve(case([1, 2, 2]), history=history)
        )
        assert (
            "improving scores 1 (formative), 2, 2 give 2.00, and the same scores declining, "
            "2, 2, 1 (formative), give 2.00 too" == problem
        )

    def test_most_recent_windows_are_not_order_free(self) -> None:
        highest_of_recent = policy_from_spec({"policy": "highest_of_recent"})
        problem = AXIOMS["order_free"].check(
            highest_of_recent, case([1, 2, 3, 4], permutation=(3, 2, 1, 0))
        )
        assert "scores 1, 2, 3, 4 give 4.00; the same scores in the order 4, 3, 2, 1 give 3.00" == (
            problem
        )

    @pytest.mark.parametrize(
        ("policy", "violated"),
        [
            (Mean(), {"formative_neutral", "recency_sensitive", "correct_never_lowers"}),
            (MostRecent(), {"order_free", "formative_neutral", "correct_never_lowers"}),
            (DecayingAverage(), {"order_free", "formative_neutral", "correct_never_lowers"}),
            (
                DecayingAverage(rate=0.2),
                {
                    "order_free",
                    "formative_neutral",
                    "recency",
                    "recency_sensitive",
                    "correct_never_lowers",
                },
            ),
        ],
        ids=repr,
    )
    def test_audit_finds_exactly_the_known_violations(
        self, policy: Any, violated: set[str]
    ) -> None:
        assert violated == set(audit(policy, max_examples=30).violated)


# ---------------------------------------------------------------------------------------------
# The kit can fail: one broken policy per axiom
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class ScorePolicy:
    """A hand-written policy: a function of the chronological summary of the evidence."""

    rule: Callable[[Sequence[Evidence], LearningTarget], float | None]
    name: str
    claims: frozenset[str] = frozenset()
    sort: bool = True

    def __repr__(self) -> str:
        return self.name

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        items = list(evidence)
        history = list(sort_chronologically(items)) if self.sort else items
        value = self.rule(history, target) if history else None
        return TargetResult(
            target=target,
            value=value,
            policy=self,
            evidence_count=len(items),
            contributions=[Contribution(evidence=e, weight=1 / len(history)) for e in history],
            reason=None if value is not None else "no evidence",
        )


def _mean(history: Sequence[Evidence]) -> float:
    return sum(e.score for e in history) / len(history)


class _Remembering:
    """Keeps the last value it computed, across targets: a hidden state."""

    def __init__(self) -> None:
        self.last: float | None = None

    def __call__(self, history: Sequence[Evidence], target: LearningTarget) -> float:
        value = history[-1].score if self.last is None else self.last
        self.last = history[-1].score
        return value


BROKEN: dict[str, ScorePolicy] = {
    "bounded": ScorePolicy(lambda h, t: t.scale.max + 1, "above the top"),
    "within_observed_range": ScorePolicy(lambda h, t: t.scale.max, "always the top"),
    "unanimity": ScorePolicy(lambda h, t: min(t.scale.max, _mean(h) + 0.25), "generous"),
    "monotone": ScorePolicy(lambda h, t: t.scale.max - h[0].score, "inverted first"),
    "order_free": ScorePolicy(lambda h, t: h[-1].score, "latest"),
    "time_shift_invariant": ScorePolicy(
        lambda h, t: h[-1].score if h[-1].observed_at.year < 2027 else t.scale.min, "not in 2027"
    ),
    "no_retake_penalty": ScorePolicy(
        lambda h, t: h[0].score if len(h) < 2 else max(t.scale.min, _mean(h) - 0.5),
        "retake tax",
    ),
    "improvement_credit": ScorePolicy(lambda h, t: h[0].score * 0.5 ** (len(h) - 1), "fading"),
    "recency": ScorePolicy(lambda h, t: h[0].score, "first impression"),
    "recency_sensitive": ScorePolicy(lambda h, t: max(e.score for e in h), "best ever"),
    "formative_neutral": ScorePolicy(lambda h, t: _mean(h), "mean of everything"),
    "deterministic": ScorePolicy(lambda h, t: h[-1].score, "input order", sort=False),
    "target_independent": ScorePolicy(_Remembering(), "remembering"),
    "correct_never_lowers": ScorePolicy(lambda h, t: h[-1].score, "latest"),
}


@pytest.mark.parametrize("name", AXIOM_NAMES)
def test_audit_finds_a_policy_that_breaks_the_axiom(name: str) -> None:
    report = audit(BROKEN[name], max_examples=40, axioms=[name])
    assert [name] == [o.axiom for o in report.outcomes]
    outcome = report[name]
    assert not outcome.holds
    assert outcome.counterexample
    assert 1 <= outcome.tried <= 40


@pytest.mark.parametrize("name", AXIOM_NAMES)
def test_check_policy_rejects_a_wrong_claim(name: str) -> None:
    liar = attrs.evolve(BROKEN[name], claims=frozenset({name}))
    with pytest.raises(AssertionError, match=f"claims '{name}', but "):
        check_policy(liar, max_examples=40)


def test_target_independence_catches_a_policy_that_mixes_targets() -> None:
    careless = ScorePolicy(lambda h, t: _mean(h), "careless", claims=frozenset())
    other = Evidence(
        student_id="s1", target_id="U", score=0, observed_at=case([4]).history[0].observed_at
    )
    other_target = LearningTarget(id="U", title="U")
    problem = AXIOMS["target_independent"].check(
        careless, case([4], other=(other,), other_target=other_target)
    )
    assert "score 4 gives 4.00; with score 0 on another target mixed in, the result is 2.00" == (
        problem
    )


def test_a_value_just_outside_the_scale_never_reads_as_the_bound() -> None:
    overshoot = ScorePolicy(lambda h, t: t.scale.max + 0.0042, "overshoot")
    problem = AXIOMS["bounded"].check(overshoot, case([1, 2]))
    assert "scores 1, 2 give 4.004, outside the scale from 0 to 4" == problem


def test_a_value_just_above_the_scores_never_reads_as_the_highest() -> None:
    nudged = ScorePolicy(lambda h, t: max(e.score for e in h) + 0.0003, "nudged")
    problem = AXIOMS["within_observed_range"].check(nudged, case([1, 2]))
    assert "scores 1, 2 give 2.0003, above the highest score used (2)" == problem


def test_hand_picked_cases_come_smallest_first() -> None:
    sizes = [(len(c.history), [e.score for e in c.history]) for c in mst.classic_policy_cases()]
    assert sorted(sizes) == sizes


def test_a_policy_that_raises_is_a_counterexample() -> None:
    def explode(history: Sequence[Evidence], target: LearningTarget) -> float:
        if len(history) > 1:
            raise ZeroDivisionError("boom")
        return history[0].score

    problem = AXIOMS["bounded"].check(ScorePolicy(explode, "fragile"), case([1, 2]))
    assert "scores 1, 2 makes it raise ZeroDivisionError: boom" == problem


def test_check_policy_rejects_unknown_axiom_names() -> None:
    with pytest.raises(InvalidValueError, match="axiom 'fair' of MostRecent"):
        check_policy(MostRecent(), axioms=["fair"])


def test_check_policy_without_claims_checks_nothing() -> None:
    check_policy(BROKEN["bounded"])


def test_check_policy_can_check_an_unclaimed_axiom() -> None:
    with pytest.raises(AssertionError, match="does not satisfy 'order_free': scores"):
        check_policy(MostRecent(), axioms=["order_free"], max_examples=20)


@pytest.mark.slow
def test_tolerance_forgives_float_rounding_in_hand_written_policies() -> None:
    floaty = ScorePolicy(lambda h, t: _mean(h), "float mean", claims=frozenset({"order_free"}))
    check_policy(floaty, max_examples=30)
    with pytest.raises(AssertionError):
        check_policy(floaty, max_examples=60, tolerance=0, scale=Scale.percent())


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> AuditReport:
    liar = attrs.evolve(BROKEN["order_free"], claims=frozenset({"order_free", "bounded"}))
    return audit(liar, max_examples=20)


@pytest.fixture(scope="module")
def table() -> Any:
    return audit_table([Mean(), MostRecent()], max_examples=10)


class TestAuditReport:
    def test_to_dict_has_exactly_the_documented_shape(self, report: AuditReport) -> None:
        data = report.to_dict()
        assert ["name", "policy", "next_score", "axioms"] == list(data)
        assert "latest" == data["name"] == data["policy"]
        assert ["promised", "note"] == list(data["next_score"])
        assert AXIOM_NAMES == list(data["axioms"])
        for entry in data["axioms"].values():
            assert ["summary", "claimed", "outcome", "holds", "tried", "counterexample"] == list(
                entry
            )
        tried = 20 + len(mst.classic_policy_cases())  # the hand-picked cases come first
        assert {
            "summary": "The result lies within the scale.",
            "claimed": True,
            "outcome": "keeps",
            "holds": True,
            "tried": tried,
            "counterexample": None,
        } == data["axioms"]["bounded"]
        assert data["axioms"]["order_free"]["holds"] is False
        assert isinstance(data["axioms"]["order_free"]["counterexample"], str)

    def test_to_dict_uses_the_spec_of_a_builtin(self) -> None:
        expected = {"policy": "decaying_average", "rate": 0.65}
        assert expected == audit(DecayingAverage(), max_examples=5).to_dict()["policy"]

    def test_wrong_claims_are_flagged(self, report: AuditReport) -> None:
        assert ("order_free",) == report.wrong_claims
        text = str(report)
        assert "breaks (counterexample)" in text
        assert "WRONG CLAIMS: order_free" in text
        assert "order_free: scores" in text

    def test_html_is_escaped(self) -> None:
        sneaky = ScorePolicy(lambda h, t: h[-1].score, "<script>alert(1)</script>")
        html = audit(sneaky, max_examples=5)._repr_html_()
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert html.startswith('<div class="mastery-grading-audit">')

    def test_an_audit_of_no_axioms_is_empty(self) -> None:
        report = audit(MostRecent(), axioms=[])
        assert {"policy": "most_recent"} == {
            k: v for k, v in report.to_dict()["policy"].items() if k == "policy"
        }
        assert {} == report.to_dict()["axioms"]
        assert str(report).startswith("Audit of most_recent (")

    def test_audit_is_reproducible(self) -> None:
        first = audit(MostRecent(), max_examples=15).to_dict()
        assert first == audit(MostRecent(), max_examples=15).to_dict()


class TestAuditTable:
    def test_rows_are_policies_and_columns_axioms(self, table: Any) -> None:
        records = table.records()
        assert ["mean", "most_recent"] == [r["policy"] for r in records]
        assert ["policy", *AXIOM_NAMES] == list(records[0])
        assert "keeps*" == records[0]["order_free"]
        assert "not claimed" == records[1]["order_free"]

    def test_renders_as_text_markdown_and_html(self, table: Any) -> None:
        text = str(table)
        assert text.splitlines()[0].startswith("policy")
        markdown = table.to_markdown()
        assert markdown.startswith("| policy | `bounded` |")
        assert "| most_recent | keeps\\* |" in markdown
        assert "<table>" in table._repr_html_()

    def test_counterexamples_list_every_violation(self, table: Any) -> None:
        found = {(policy, axiom) for policy, axiom, _ in table.counterexamples()}
        expected = {
            ("mean", "formative_neutral"),
            ("mean", "recency_sensitive"),
            ("mean", "correct_never_lowers"),
            ("most_recent", "order_free"),
            ("most_recent", "formative_neutral"),
            ("most_recent", "correct_never_lowers"),
        }
        assert expected == found

    def test_to_pandas_is_indexed_by_policy(self, table: Any) -> None:
        pytest.importorskip("pandas")
        frame = table.to_pandas()
        assert ["mean", "most_recent"] == list(frame.index)
        assert "not claimed" == frame.loc["most_recent", "order_free"]

    def test_a_wrong_claim_shows_in_the_table(self) -> None:
        liar = attrs.evolve(BROKEN["recency"], claims=frozenset({"recency"}))
        table = audit_table({"liar": liar}, max_examples=10)
        assert "BREAKS*" == table.records()[0]["recency"]
        assert {"liar": ("recency",)} == table.wrong_claims


# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------


@given(mst.policy_cases())
def test_policy_cases_are_valid_histories(generated: PolicyCase) -> None:
    history = generated.history
    moments = [e.observed_at for e in history]
    assert moments == sorted(set(moments))
    assert all(generated.target.scale.contains(e.score) for e in history)
    assert sorted(generated.permutation) == list(range(len(history)))
    assert sorted(generated.input_order) == list(range(len(history)))
    assert all(e.kind.value == "formative" for e in generated.extra)
    assert generated.other_target is not None
    assert all(e.target_id == generated.other_target.id for e in generated.other)
    assert generated.shift != timedelta(0)
    assert "s1" != generated.student_id


@given(mst.policy_cases(parts=frozenset({"index"}), scale=Scale.percent()))
def test_policy_cases_vary_only_the_requested_parts(generated: PolicyCase) -> None:
    assert (0, (), None) == (len(generated.extra), generated.permutation, generated.other_target)
    assert Scale.percent() == generated.target.scale


# ---------------------------------------------------------------------------------------------
# Converters (written against the contract of the grades issue)
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Report:
    letter: str


@attrs.frozen
class AverageLetters:
    """A, B, C or D by the mean of the results; Incomplete when one is missing."""

    cutoffs: tuple[float, ...] = (3.5, 3.0, 2.0)
    gaps: bool = False
    letters: tuple[str, ...] = ("A", "B", "C", "D")
    claims: ClassVar[frozenset[str]] = frozenset({"monotone", "complete", "unambiguous"})

    def convert(self, results: Iterable[TargetResult]) -> Report:
        values = [r.value for r in results]
        if any(v is None for v in values):
            return Report("Incomplete")
        mean = sum(v for v in values if v is not None) / len(values)
        for letter, cutoff in zip(self.letters, self.cutoffs, strict=False):
            if mean >= cutoff:
                return Report(letter)
        if self.gaps and mean < 1:
            raise ValueError(f"no letter for {mean}")
        return Report(self.letters[-1])


@attrs.frozen
class BestIsWorst:
    """Letter by distance of the mean from 2: not monotone."""

    letters: tuple[str, ...] = ("A", "B")
    claims: ClassVar[frozenset[str]] = frozenset({"monotone"})

    def convert(self, results: Iterable[TargetResult]) -> Report:
        values = [r.value or 0.0 for r in results]
        return Report("A" if abs(sum(values) / len(values) - 2) < 1 else "B")


@attrs.frozen
class FirstTargetDecides:
    """The letter of the first result listed: depends on the order of the results."""

    letters: tuple[str, ...] = ("M", "NY")
    claims: ClassVar[frozenset[str]] = frozenset({"unambiguous"})

    def convert(self, results: Iterable[TargetResult]) -> Report:
        return Report("M" if next(iter(results)).mastered else "NY")


class TestConverters:
    def test_a_sound_converter_passes(self) -> None:
        check_converter(AverageLetters())

    def test_a_converter_with_a_gap_is_not_complete(self) -> None:
        with pytest.raises(AssertionError, match=r"claims 'complete', but results T1: 0 .*raise"):
            check_converter(AverageLetters(gaps=True), axioms=["complete"], max_examples=100)

    def test_a_non_monotone_converter_is_caught(self) -> None:
        with pytest.raises(AssertionError, match="claims 'monotone', but results"):
            check_converter(BestIsWorst(), max_examples=20)

    def test_an_order_dependent_converter_is_ambiguous(self) -> None:
        with pytest.raises(AssertionError, match="claims 'unambiguous', but results"):
            check_converter(FirstTargetDecides(), max_examples=100)

    def test_converter_cases_are_profiles_of_distinct_targets(self) -> None:
        @given(mst.converter_cases())
        def distinct(generated: Any) -> None:
            ids = [r.target.id for r in generated.results]
            assert len(set(ids)) == len(ids)
            assert sorted(generated.input_order) == list(range(len(ids)))

        distinct()

    def test_unknown_converter_axiom_is_rejected(self) -> None:
        with pytest.raises(InvalidValueError, match="axiom 'order_free'"):
            check_converter(AverageLetters(), axioms=["order_free"])


# ---------------------------------------------------------------------------------------------
# Built-in grade converters (issue 5) keep their claims
# ---------------------------------------------------------------------------------------------


def builtin_converters() -> list[tuple[Any, Scale | None]]:
    cutoffs, rules = AverageCutoffs, RuleSet
    return [
        (cutoffs.marzano_2010(), None),
        (cutoffs.percent(), Scale.percent()),
        (cutoffs.rutland(), None),
        (rules.sbgrader2(), None),
        (rules.powerschool_forum(), None),
        (rules.talbert_mth201(), None),
    ]


@pytest.mark.parametrize(
    ("converter", "scale"), builtin_converters(), ids=lambda c: getattr(c, "name", repr(c))[:40]
)
def test_builtin_converter_keeps_every_claim(converter: Any, scale: Scale | None) -> None:
    assert axioms.claims(converter) <= set(CONVERTER_AXIOMS)
    check_converter(converter, scale=scale)


def test_powerschool_forum_rules_leave_a_gap() -> None:
    forum = RuleSet.powerschool_forum()
    assert "complete" not in axioms.claims(forum)
    with pytest.raises(AssertionError, match=r"does not satisfy .complete.: results .* gap"):
        check_converter(forum, axioms=["complete"])


# ---------------------------------------------------------------------------------------------
# Converters join the audit
# ---------------------------------------------------------------------------------------------


class TestConverterAudit:
    def test_a_converter_is_audited_against_the_converter_axioms(self) -> None:
        marzano = AverageCutoffs.marzano_2010()
        report = audit(marzano, max_examples=10)
        assert list(CONVERTER_AXIOMS) == [o.axiom for o in report.outcomes]
        assert () == report.violated
        assert all(o.claimed and o.tried >= 1 for o in report.outcomes)
        assert "converter" == report.kind

    def test_a_converter_report_has_the_documented_shapes(self) -> None:
        marzano = AverageCutoffs.marzano_2010()
        report = audit(marzano, max_examples=10)
        data = report.to_dict()
        assert ["name", "policy", "axioms"] == list(data)
        assert "AverageCutoffs.marzano_2010()" == data["name"]
        assert marzano.to_spec() == data["policy"]
        assert list(CONVERTER_AXIOMS) == list(data["axioms"])
        for entry in data["axioms"].values():
            assert ["summary", "claimed", "outcome", "holds", "tried", "counterexample"] == list(
                entry
            )
        assert str(report).startswith("Audit of AverageCutoffs.marzano_2010() (")
        assert "<caption>Audit of AverageCutoffs.marzano_2010()</caption>" in report._repr_html_()

    def test_a_converter_gap_is_a_counterexample_to_complete(self) -> None:
        report = audit(RuleSet.powerschool_forum(), max_examples=10)
        assert ("complete",) == report.violated
        assert () == report.wrong_claims
        counterexample = report["complete"].counterexample
        assert counterexample is not None
        assert counterexample.startswith("results T1: 4, T2: 2.5 ")

    def test_a_wrong_converter_claim_is_flagged(self) -> None:
        report = audit(BestIsWorst(), max_examples=20)
        assert ("monotone",) == report.wrong_claims
        counterexample = report["monotone"].counterexample
        assert counterexample is not None
        assert counterexample.startswith("results T1: ")

    def test_unknown_converter_axioms_are_rejected(self) -> None:
        with pytest.raises(InvalidValueError, match="axiom 'order_free'"):
            audit(AverageCutoffs.marzano_2010(), axioms=["order_free"])

    def test_an_object_that_is_neither_is_refused(self) -> None:
        with pytest.raises(InvalidTypeError, match="neither evaluate"):
            audit(object())  # type: ignore[arg-type]

    def test_percent_cutoffs_are_audited_on_the_percent_scale(self) -> None:
        seen: list[float] = []

        @attrs.frozen
        class Recording:
            """Passes at a mean of 60, on percent cutoffs; records every value it is given."""

            letters: tuple[str, ...] = ("P", "F")
            cutoffs: tuple[Any, ...] = (AverageCutoffs.percent().cutoffs[3],)
            claims: ClassVar[frozenset[str]] = frozenset({"monotone"})

            def convert(self, results: Iterable[TargetResult]) -> Report:
                values = [r.value or 0.0 for r in results]
                seen.extend(values)
                return Report("P" if sum(values) / len(values) >= 60 else "F")

        audit(Recording(), max_examples=10)
        assert max(seen) > 4  # not only Marzano's 0-4
        check_converter(Recording(), max_examples=10)

    def test_audit_table_of_converters(self) -> None:
        table = audit_table(stock_converters(), max_examples=5)
        assert ("monotone", "complete", "unambiguous") == table.axioms
        assert {
            "policy": "RuleSet.powerschool_forum()",
            "monotone": "keeps",
            "complete": "breaks",
            "unambiguous": "keeps*",
        } == table.records()[4]
        assert str(table).startswith("converter ")
        assert table.to_markdown().startswith("| converter | `monotone` |")
        assert "*: the converter claims it" in str(table)

    def test_audit_table_refuses_to_mix_policies_and_converters(self) -> None:
        with pytest.raises(InvalidValueError, match="mix policies and grade converters"):
            audit_table([Mean(), AverageCutoffs.marzano_2010()], max_examples=5)
        mean = audit(Mean(), max_examples=5)
        marzano = audit(AverageCutoffs.marzano_2010(), max_examples=5)
        with pytest.raises(InvalidValueError, match="mix the audits"):
            AuditTable(names=["a", "b"], reports=[mean, marzano])

    def test_the_kit_lists_the_stock_converters_of_grades(self) -> None:
        """The list itself is checked once, in tests/test_grades_properties.py."""
        assert grades_stock_converters() == stock_converters()
        assert AverageCutoffs.rutland() == stock_converters()["AverageCutoffs.rutland()"]


class TestConverterNames:
    def test_check_converter_names_a_stock_converter_by_its_call(self) -> None:
        with pytest.raises(AssertionError) as raised:
            check_converter(RuleSet.powerschool_forum(), axioms=["complete"], max_examples=10)
        message = str(raised.value)
        assert message.startswith("RuleSet.powerschool_forum() does not satisfy 'complete': ")
        assert "LetterRule" not in message

    def test_other_converters_go_by_their_spec_name(self) -> None:
        two_letters = AverageCutoffs(cutoffs=[("P", 2.0), ("N", 0.0)])
        assert str(audit(two_letters, max_examples=5)).startswith("Audit of average_cutoffs (")

    def test_a_converter_without_a_spec_name_goes_by_a_short_repr(self) -> None:
        assert str(audit(BestIsWorst(), max_examples=5)).startswith(
            "Audit of BestIsWorst(letters=('A', 'B')) ("
        )


# ---------------------------------------------------------------------------------------------
# The kit loads lazily: the examples work on a core install
# ---------------------------------------------------------------------------------------------


def test_examples_import_without_hypothesis() -> None:
    code = """
import sys
sys.modules["hypothesis"] = None  # as on a core install
from mastery_grading.testing.examples import scores_to_history
print([e.score for e in scores_to_history([1, 2.5])])
try:
    from mastery_grading.testing import audit
except ModuleNotFoundError as error:
    print(error)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert "" == done.stderr
    lines = done.stdout.splitlines()
    assert "[1.0, 2.5]" == lines[0]
    assert "mastery_grading.testing.audit needs hypothesis" in lines[1]
    assert 'pip install "mastery_grading[fairness]"' in lines[1]


def test_the_kit_lists_and_loads_every_public_name() -> None:
    import mastery_grading.testing as kit

    assert sorted(kit.__all__) == kit.__all__
    for name in kit.__all__:
        assert getattr(kit, name) is not None
        assert name in dir(kit)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kit.nothing  # noqa: B018


# ---------------------------------------------------------------------------------------------
# An audit a teacher can read: names, summaries, three outcomes, the progress report's look
# ---------------------------------------------------------------------------------------------

#: The axioms a rule may give up on purpose (docs/explanation/fairness.md, "Virtues and choices").
NOT_NEEDED = {"order_free", "recency_sensitive", "formative_neutral", "correct_never_lowers"}


def _best_two_of_three() -> Any:
    from mastery_grading.policies import custom_policy

    return custom_policy(
        lambda scores: sum(sorted(scores)[-2:]) / len(scores[-2:]),
        name="best two of three",
        claims={"monotone", "order_free"},
    )


def _renderings(report: AuditReport) -> dict[str, str]:
    return {
        "text": str(report),
        "markdown": report.to_markdown(),
        "html": report._repr_html_(),
        "page": report.to_html(),
        "json": json.dumps(report.to_dict()),
    }


def _style_rules(page: str) -> set[str]:
    """The ``selector{declarations}`` rules of every <style> element, selectors unscoped."""
    rules: set[str] = set()
    for css in re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL):
        for selector, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            for one in selector.split(","):
                bare = one.strip().removeprefix(".mastery-grading-audit").strip() or "body"
                rules.update(f"{bare}{{{d}}}" for d in declarations.split(";"))
    return rules


class TestAnAuditATeacherCanRead:
    def test_a_custom_policy_is_named_by_its_given_name_everywhere(self) -> None:
        report = audit(_best_two_of_three(), max_examples=10)
        assert "best two of three" == report.name
        for form, shown in _renderings(report).items():
            assert "best two of three" in shown, form
            assert "<function" not in shown, form
            assert "lambda" not in shown, form
            assert "CustomPolicy(" not in shown, form
        assert str(report).startswith("Audit of best two of three (")
        assert "<caption>Audit of best two of three</caption>" in report._repr_html_()

    def test_a_builtin_is_named_by_its_spec_name_and_parameters(self) -> None:
        report = audit(DecayingAverage(rate=0.8), axioms=["monotone"], max_examples=5)
        assert str(report).startswith("Audit of decaying_average(rate=0.8) (")
        assert str(audit(Mean(), axioms=[])).startswith("Audit of mean (")

    def test_a_table_of_unlabelled_policies_names_rows_the_same_way(self) -> None:
        table = audit_table([_best_two_of_three(), DecayingAverage(rate=0.8)], max_examples=5)
        assert ["best two of three", "decaying_average(rate=0.8)"] == list(table.names)

    def test_each_axiom_shows_its_summary_beside_its_outcome(self) -> None:
        report = audit(MostRecent(), max_examples=10)
        lines = str(report).splitlines()
        markdown = report.to_markdown().splitlines()
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", report._repr_html_())
        for name, axiom in AXIOMS.items():
            outcome = report[name].verdict
            [line] = [line for line in lines if line.startswith(f"{name} ")]
            assert outcome in line, line
            assert line.endswith(axiom.summary), line
            [row] = [row for row in markdown if row.startswith(f"| `{name}` |")]
            assert f"| {axiom.summary} |" in row, row
            assert f"| {outcome} |" in row, row
            [html_row] = [row for row in rows if f"<code>{name}</code>" in row]
            assert f"<td>{html.escape(axiom.summary)}</td>" in html_row
            assert f">{report[name].outcome.capitalize()}</span>" in html_row
        table = audit_table({"most_recent": MostRecent()}, max_examples=5)
        for axiom in AXIOMS.values():
            assert f"  {axiom.name}: {axiom.summary}" in str(table)
            assert f"- `{axiom.name}`: {axiom.summary}" in table.to_markdown()
            assert f'title="{html.escape(axiom.summary)}"' in table._repr_html_()

    def test_three_outcomes_and_never_violated(self) -> None:
        recent = audit(MostRecent(), max_examples=10)
        assert "not claimed" == recent["order_free"].verdict  # a choice, not a fault
        assert "keeps" == recent["monotone"].verdict
        power = audit(policy_from_spec({"policy": "power_law"}), max_examples=10)
        assert "breaks (counterexample)" == power["bounded"].verdict
        assert power["bounded"].counterexample is not None
        for report in (recent, power):
            assert {"keeps", "breaks (counterexample)", "not claimed"} >= {
                o.verdict for o in report.outcomes
            }
            for form, shown in _renderings(report).items():
                assert "violated" not in shown.lower(), form
        line = next(line for line in str(recent).splitlines() if line.startswith("order_free "))
        assert "not claimed" in line
        assert "WRONG CLAIMS" not in str(recent)

    def test_only_choices_can_be_not_claimed(self) -> None:
        assert NOT_NEEDED == {name for name, axiom in AXIOMS.items() if not axiom.needed}
        assert all(axiom.needed for axiom in CONVERTER_AXIOMS.values())
        # A choice that is claimed and fails is a broken promise, not "not claimed".
        liar = audit(
            attrs.evolve(BROKEN["order_free"], claims=frozenset({"order_free"})), max_examples=10
        )
        assert "breaks (counterexample)" == liar["order_free"].verdict
        assert ("order_free",) == liar.wrong_claims
        # A virtue nobody claims still breaks: the forum's rule set has a gap.
        forum = audit(RuleSet.powerschool_forum(), max_examples=10)
        assert ("complete",) == forum.breaks
        assert "breaks (counterexample)" == forum["complete"].verdict

    def test_the_table_shows_the_three_outcomes(self) -> None:
        table = audit_table({"mean": Mean(), "most_recent": MostRecent()}, max_examples=5)
        cells = {cell for row in table.records() for k, cell in row.items() if k != "policy"}
        assert {"keeps*", "not claimed"} <= cells
        assert cells <= {"keeps", "keeps*", "breaks", "BREAKS*", "not claimed"}
        for shown in (str(table), table.to_markdown(), table._repr_html_(), table.to_html()):
            assert "violated" not in shown.lower()
            assert "order_free" in shown
            assert "scores 1, 4 give 4.00" in shown

    def test_the_html_looks_like_the_progress_report(self) -> None:
        from mastery_grading.io.report import progress_report_html

        report = progress_report_html([], title="Period 2")
        shared = {
            rule
            for rule in _style_rules(report)
            if rule.split("{")[0] in {"body", "table", "th", "td", "h1", ".badge", "small"}
            and "margin:2rem" not in rule  # a page's margin, not a notebook fragment's
        }
        assert len(shared) >= 12  # fonts, colours, table borders and padding, badges
        audited = audit(Mean(), axioms=["monotone", "formative_neutral"], max_examples=5)
        table = audit_table([Mean()], max_examples=5)
        for shown in (audited._repr_html_(), audited.to_html(), table._repr_html_()):
            assert shared <= _style_rules(shown)
            assert 'class="badge keeps"' in shown
            assert 'class="badge not-claimed"' in shown
        for page in (audited.to_html(), table.to_html()):
            assert "margin:2rem" in page
            assert "default-src 'none'" in page
        # A notebook fragment styles only itself, never the notebook around it.
        fragment = audited._repr_html_()
        css = re.search(r"<style>(.*?)</style>", fragment, flags=re.DOTALL)
        assert css is not None
        for selector, _ in re.findall(r"([^{}]+)\{([^{}]*)\}", css.group(1)):
            assert all(s.strip().startswith(".mastery-grading-audit") for s in selector.split(","))


class TestTheAuditCommand:
    def run(self, *args: str) -> str:
        from mastery_grading.cli import main

        out, err = io.StringIO(), io.StringIO()
        assert 0 == main(
            ["audit", "--policy", "most_recent", "--max-examples", "5", *args],
            stdout=out,
            stderr=err,
        ), err.getvalue()
        return out.getvalue()

    def test_text_shows_outcomes_summaries_and_counterexamples(self) -> None:
        text = self.run()
        assert "violated" not in text.lower()
        row = next(line for line in text.splitlines() if line.startswith("most_recent "))
        assert "not claimed" in row
        assert "keeps*" in row
        assert f"  order_free: {AXIOMS['order_free'].summary}" in text
        assert "most_recent, order_free (not claimed): scores 1, 4 give 4.00" in text

    def test_markdown_and_html_read_the_same(self) -> None:
        markdown = self.run("--format", "markdown")
        assert "| most_recent | keeps\\* |" in markdown
        assert f"- `monotone`: {AXIOMS['monotone'].summary}" in markdown
        page = self.run("--format", "html")
        assert page.startswith("<!DOCTYPE html>")
        assert "<h1>Policy audit</h1>" in page
        assert 'class="badge not-claimed"' in page
        assert "border-collapse:collapse" in page
        assert "violated" not in (markdown + page).lower()

    def test_json_gives_each_outcome_and_summary(self) -> None:
        [entry] = json.loads(self.run("--format", "json"))["audits"]
        assert "most_recent" == entry["label"] == entry["name"]
        order_free = entry["axioms"]["order_free"]
        assert "not claimed" == order_free["outcome"]
        assert AXIOMS["order_free"].summary == order_free["summary"]
