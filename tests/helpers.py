"""Small builders for hand-written test histories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mastery_grading import Evidence, LearningTarget, Scale

START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
MARZANO_TARGET = LearningTarget(id="T", title="Target")
PERCENT_TARGET = LearningTarget(id="T", title="Target", scale=Scale.percent())


def history(
    scores: Sequence[float], *, target_id: str = "T", student_id: str = "s1", **fields: object
) -> list[Evidence]:
    """Evidence with the given scores one day apart, oldest first."""
    return [
        Evidence(
            student_id=student_id,
            target_id=target_id,
            score=score,
            observed_at=START + timedelta(days=day),
            **fields,  # type: ignore[arg-type]
        )
        for day, score in enumerate(scores)
    ]
