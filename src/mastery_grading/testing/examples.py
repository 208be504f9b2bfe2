"""Hand-written example histories for docs, doctests and golden data.

Example:
    >>> from mastery_grading.testing.examples import LATE_BLOOMER, scores_to_history
    >>> [e.score for e in scores_to_history(LATE_BLOOMER)]
    [1.0, 1.5, 2.0, 3.5, 4.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mastery_grading.evidence import Evidence

__all__ = ["LATE_BLOOMER", "START", "scores_to_history"]

#: The moment the first score of :func:`scores_to_history` is observed.
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

#: A student who struggles, then masters the target: the history every policy page tabulates.
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
