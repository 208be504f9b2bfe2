"""Build target results from plain scores, for examples, tests and values computed elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError
from mastery_grading.policies import MostRecent
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["results_from_scores"]

#: The moment the evidence built by :func:`results_from_scores` is dated.
OBSERVED_AT = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def results_from_scores(
    scores: Mapping[LearningTarget | str, float | None],
    *,
    policy: Policy | None = None,
    student_id: str = "s1",
) -> tuple[TargetResult, ...]:
    """Return one result per target from one score each (``None``: no evidence yet).

    Each score becomes one piece of evidence that ``policy`` (most recent by default) evaluates,
    so the results are honest results with their contributions. A plain string key makes a
    target with that id and title on Marzano's 0-4 scale.

    Args:
        scores: The score of each target, or ``None`` when there is no evidence.
        policy: The policy that evaluates each single piece of evidence.
        student_id: The student the evidence belongs to.

    Returns:
        The results, in the order of ``scores``.

    Raises:
        InvalidTypeError: If a key is neither a target nor a string.

    Example:
        >>> results = results_from_scores({"LE.1": 2.5, "LE.2": None})
        >>> [(r.target.id, r.value, r.reason) for r in results]
        [('LE.1', 2.5, None), ('LE.2', None, 'no evidence')]
    """
    chosen: Policy = policy if policy is not None else MostRecent()
    results = []
    for key, score in scores.items():
        if isinstance(key, str):
            target = LearningTarget(id=key, title=key)
        elif isinstance(key, LearningTarget):
            target = key
        else:
            msg = f"scores key {key!r} must be a LearningTarget or a str, not {type(key).__name__}"
            raise InvalidTypeError(msg)
        evidence = (
            []
            if score is None
            else [
                Evidence(
                    student_id=student_id, target_id=target.id, score=score, observed_at=OBSERVED_AT
                )
            ]
        )
        results.append(chosen.evaluate(evidence, target))
    return tuple(results)
