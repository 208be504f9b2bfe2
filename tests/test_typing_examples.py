"""Uses the public API the way a user would; mypy --strict checks this file, pytest runs it.

A change that breaks the Policy protocol match or a public signature fails the type check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import attrs

from mastery_grading import (
    Contribution,
    Evidence,
    LearningTarget,
    Policy,
    Scale,
    TargetResult,
    policies,
    sort_chronologically,
)


@attrs.frozen(kw_only=True)
class LastSummative:
    """A user's own policy, matched to the protocol by shape."""

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        history = [e for e in sort_chronologically(evidence) if e.is_summative]
        if not history:
            return TargetResult(target=target, value=None, policy=self, reason="no summative")
        latest = history[-1]
        return TargetResult(
            target=target,
            value=latest.score,
            policy=self,
            evidence_count=len(history),
            contributions=[Contribution(evidence=latest, weight=1.0)],
        )


def test_user_policies_and_builtins_share_one_interface() -> None:
    target = LearningTarget(id="T", title="Target", scale=Scale.marzano())
    evidence = [
        Evidence(
            student_id="s", target_id="T", score=2.0, observed_at=datetime(2026, 9, 1, tzinfo=UTC)
        ),
        Evidence(
            student_id="s",
            target_id="T",
            score=4.0,
            observed_at=datetime(2026, 9, 2, tzinfo=UTC),
            kind="formative",
        ),
    ]
    rules: list[Policy] = [LastSummative(), policies.MostRecent(), policies.Mean()]
    values = [rule.evaluate(evidence, target).value for rule in rules]
    assert [2.0, 4.0, 3.0] == values
