"""Mastery-count policies: a result only after mastery has been shown several times."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.policies._base import HistoryPolicy, no_result
from mastery_grading.policies._incremental import Incremental, RunningTotals
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies._summaries import finish, mean
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["NTimes"]


@register_policy
@attrs.frozen(kw_only=True)
class NTimes(Incremental, HistoryPolicy):
    r"""Canvas's "n Number of Times": no result until mastery is shown ``n`` times.

    With :math:`M` the target's mastery threshold and :math:`K = \{i : s_i \ge M\}`,

    .. math::

        \text{NTimes}_n(s_1, \dots, s_m) = \begin{cases}
            \frac{1}{|K|} \sum_{i \in K} s_i & |K| \ge n \\
            \text{None} & \text{otherwise}
        \end{cases}

    the mean of *every* score at or above mastery, not only the first or last ``n``
    (Canvas ``n_mastery``; "Scores above mastery will be averaged"). Below ``n`` the value
    is ``None`` with a reason that says how many more are needed, never 0. Evidence weights are
    ignored, as in Canvas.

    Pitfall: it is not monotone. With ``n=1`` and mastery 3, scores 4, 2 give 4; raising the
    2 to 3 adds a mastery score and the mean falls to 3.5.

    With no evidence the value is ``None``; one score gives that score when ``n=1`` and it
    reaches mastery, else ``None``. The mastery-level evidence contributes equally.

    Args:
        n: How many scores must reach mastery, 1 to 10 (Canvas's range; default 5).

    Raises:
        InvalidValueError: If ``n`` lies outside 1 to 10.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")  # mastery at 3
        >>> NTimes(n=2).evaluate(scores_to_history([3, 1, 4, 2]), target).value
        3.5
        >>> NTimes(n=3).evaluate(scores_to_history([3, 1, 4, 2]), target).reason
        'mastery shown 2 of 3 times; 1 more needed'
    """

    spec_name: ClassVar[str] = "n_times"
    order_free: ClassVar[bool] = True
    value_is_a_ratio: ClassVar[bool] = True
    claims: ClassVar[frozenset[Claim]] = frozenset(
        {
            "bounded",
            "within_observed_range",
            "unanimity",
            "order_free",
            "time_shift_invariant",
            "no_retake_penalty",
            "improvement_credit",
            "recency",
            "deterministic",
            "target_independent",
        }
    )

    n: int = attrs.field(default=5, validator=v.int_in_range(1, 10))

    def _rollup(self, history: tuple[Evidence, ...], target: LearningTarget) -> TargetResult:
        threshold = exact(target.scale.mastery)
        kept = tuple(e for e in history if exact(e.score) >= threshold)
        if len(kept) < self.n:
            reason = self._shortfall(len(kept))
            return no_result(target, self, reason=reason, evidence_count=len(history))
        return finish(mean(kept), target, self, len(history))

    def _shortfall(self, kept: int) -> str:
        return f"mastery shown {kept} of {self.n} times; {self.n - kept} more needed"

    def undecided_reason(self, totals: RunningTotals) -> str | None:
        """The reason of too few scores at mastery, from the running count of them.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> policy = NTimes(n=3)
            >>> policy.undecided_reason(
            ...     policy.fold_scores(LearningTarget(id="T", title="T"), [3.0, 1.0]))
            'mastery shown 1 of 3 times; 2 more needed'
        """
        kept = int(totals.totals[2]) if totals.totals else 0
        return self._shortfall(kept) if totals.evidence_count and kept < self.n else None

    def _initial(self, target: LearningTarget) -> tuple[float, ...]:
        return (target.scale.mastery, 0.0, 0.0)

    def _fold(self, totals: tuple[float, ...], evidence: Evidence, count: int) -> tuple[float, ...]:
        mastery, total, kept = totals
        if evidence.score >= mastery:
            return (mastery, total + evidence.score, kept + 1.0)
        return totals

    def _fold_run(
        self, totals: tuple[float, ...], scores: Sequence[float], weights: Sequence[float] | None
    ) -> tuple[float, ...]:
        mastery, total, kept = totals
        for score in scores:
            if score >= mastery:
                total += score
                kept += 1.0
        return (mastery, total, kept)

    def _value(self, totals: tuple[float, ...], latest: Evidence | None) -> float | None:
        _, total, kept = totals
        return None if kept < self.n else total / kept

    def _weights(
        self, history: Sequence[Evidence], totals: tuple[float, ...]
    ) -> tuple[Sequence[Evidence], Sequence[Fraction | float]]:
        mastery = totals[0]
        summary = mean([e for e in history if e.score >= mastery])
        return summary.used, summary.weights


# Vectorized kernels (numpy, imported on first use): count.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.count"
register_kernel(NTimes, f"{_KERNELS}:n_times_kernel")
