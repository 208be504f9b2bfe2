"""Hand-written example histories for docs, doctests and golden data.

Example:
    >>> from mastery_grading.testing.examples import LATE_BLOOMER, scores_to_history
    >>> [e.score for e in scores_to_history(LATE_BLOOMER)]
    [1.0, 1.5, 2.0, 3.5, 4.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mastery_grading._numbers import fmt_fixed
from mastery_grading.evidence import Evidence
from mastery_grading.targets import LearningTarget

__all__ = ["LATE_BLOOMER", "START", "policy_table", "scores_to_history"]

#: The moment the first score of :func:`scores_to_history` is observed.
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

#: The scores of a student who struggles and then masters the target (shown on every policy page).
LATE_BLOOMER = (1.0, 1.5, 2.0, 3.5, 4.0)


def scores_to_history(
    scores: Sequence[float],
    *,
    target_id: str = "T",
    student_id: str = "s1",
    start: datetime = START,
    spacing: timedelta = timedelta(days=1),
) -> list[Evidence]:
    """Return summative evidence with the given scores, oldest first, ``spacing`` apart.

    Args:
        scores: The scores, oldest first.
        target_id: The target of every piece of evidence.
        student_id: The student of every piece of evidence.
        start: When the first score is observed (timezone-aware).
        spacing: The time between two consecutive scores.

    Example:
        >>> history = scores_to_history([2, 3], target_id="LE.1")
        >>> [(e.target_id, e.score, e.observed_at.day) for e in history]
        [('LE.1', 2.0, 1), ('LE.1', 3.0, 2)]
    """
    return [
        Evidence(
            student_id=student_id,
            target_id=target_id,
            score=score,
            observed_at=start + i * spacing,
        )
        for i, score in enumerate(scores)
    ]


def policy_table(
    policies: Mapping[str, Any],
    scores: Sequence[float] = LATE_BLOOMER,
    *,
    target: LearningTarget | None = None,
) -> str:
    """Return a plain-text table of each policy's result on one history of ``scores``.

    Values are shown to 2 decimals (half-up); a ``None`` result shows its reason. The docs
    print these tables in doctests, so they can never drift from the code.

    Args:
        policies: Policies by the name to show.
        scores: The history, oldest first (default :data:`LATE_BLOOMER`).
        target: The target (default: Marzano's 0-4 scale, mastery at 3).

    Example:
        >>> from mastery_grading.policies import Mean, MostRecent
        >>> print(policy_table({"mean": Mean(), "most recent": MostRecent()}))
        mean         2.40
        most recent  4.00
    """
    chosen = target or LearningTarget(id="T", title="Target")
    history = scores_to_history(scores, target_id=chosen.id)
    width = max(len(name) for name in policies) + 2
    lines = []
    for name, policy in policies.items():
        result = policy.evaluate(history, chosen)
        shown = f"none ({result.reason})" if result.value is None else fmt_fixed(result.value)
        lines.append(f"{name:<{width}}{shown}")
    return "\n".join(lines)
