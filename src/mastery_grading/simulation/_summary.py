"""The metrics of one policy on one group of students, with their coverage, under weights.

Every metric is computed from per-student columns (:class:`Columns`) and a matrix of student
weights, one row per replicate: a row of ones is the plain metric, a row of bootstrap counts
is the metric on a resample. All but two metrics are a ratio of weighted sums over the
students the metric covers; ``worst_drop`` is a weighted maximum and ``letter_kappa`` a kappa
of weighted counts. The coverage of a metric is the weight of the students it covers over
the weight of the group.

Undecided students (no result) are counted in ``undecided`` and left out of every other metric
(except ``n``), which is why most coverages are at most ``1 - undecided``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["BETTER", "BOUNDS", "METRICS", "Columns", "summarize"]

_RESULT = "students with a result"

#: The metric columns of ``ComparisonResult.table``, and what each one means.
METRICS: dict[str, str] = {
    "n": "number of students in the group",
    "decided": "share of students with a result (not 'no result yet')",
    "undecided": "share of students with no result; every other metric leaves them out",
    "rmse": f"root mean squared error against the truth (scale points), over {_RESULT}",
    "bias": (
        "mean of estimate \N{MINUS SIGN} truth (scale points): the result minus the truth "
        f"(by default the true level at the end of the term); below 0, too low; over {_RESULT}"
    ),
    "level_agreement": f"share whose result has the same level as the truth, of {_RESULT}",
    "mastery_agreement": (
        f"share classified the same way (mastered / not yet) as the truth, of {_RESULT}"
    ),
    "false_not_yet": (
        f"share of the truly mastered {_RESULT} whom the result calls 'not yet' "
        "(a truly mastered student with no result counts in 'undecided')"
    ),
    "false_mastered": f"share of the truly not-yet {_RESULT} whom the result calls mastered",
    "jitter": (
        "mean absolute change of the result when only the last score is re-drawn (scale "
        "points), over students with a result both ways"
    ),
    "monotonicity_violations": (
        f"share of the {_RESULT} and a score that can rise for whom raising one score "
        "lowers the result"
    ),
    "worst_drop": (
        "the most any result falls when one of the student's scores is raised (scale "
        "points; 0 when none falls)"
    ),
    "mean_drop": (
        "mean of each violating student's largest fall when one score is raised (scale "
        "points), over the students with a violation"
    ),
    "assessments_to_stable": (
        "mean number of pieces of evidence until the running result stays within half a "
        "level (or the given tolerance) of the current true level (students who get there)"
    ),
    "never_stable": (
        f"share of {_RESULT} whose final result is more than half a level (or the given "
        "tolerance) from the true level"
    ),
    "letter_agreement": (
        f"share whose letter equals the letter of the truth (converter), of {_RESULT}"
    ),
    "letter_kappa": f"Cohen's kappa between the letters of the result and of the truth, over {_RESULT}",  # noqa: E501
}

#: Which way is better for each metric: ``"lower"``, ``"higher"``, or ``"closer to 0"``.
BETTER: dict[str, str] = {
    "n": "higher",
    "decided": "higher",
    "undecided": "lower",
    "rmse": "lower",
    "bias": "closer to 0",
    "level_agreement": "higher",
    "mastery_agreement": "higher",
    "false_not_yet": "lower",
    "false_mastered": "lower",
    "jitter": "lower",
    "monotonicity_violations": "lower",
    "worst_drop": "lower",
    "mean_drop": "lower",
    "assessments_to_stable": "lower",
    "never_stable": "lower",
    "letter_agreement": "higher",
    "letter_kappa": "higher",
}

_SHARE = (0.0, 1.0)
_POSITIVE = (0.0, math.inf)

#: The range each metric can take; intervals are clipped to it.
BOUNDS: dict[str, tuple[float, float]] = {
    "n": _POSITIVE,
    "rmse": _POSITIVE,
    "bias": (-math.inf, math.inf),
    "jitter": _POSITIVE,
    "worst_drop": _POSITIVE,
    "mean_drop": _POSITIVE,
    "assessments_to_stable": (1.0, math.inf),
    "letter_kappa": (-1.0, 1.0),
    **dict.fromkeys(
        (
            "decided",
            "undecided",
            "level_agreement",
            "mastery_agreement",
            "false_not_yet",
            "false_mastered",
            "monotonicity_violations",
            "never_stable",
            "letter_agreement",
        ),
        _SHARE,
    ),
}

Array = np.ndarray[Any, Any]


def _codes(a: list[Any], b: list[Any]) -> tuple[Array, Array, int]:
    labels = {label: k for k, label in enumerate(dict.fromkeys([*a, *b]))}
    return (
        np.array([labels[x] for x in a], dtype=np.int64),
        np.array([labels[y] for y in b], dtype=np.int64),
        len(labels),
    )


@attrs.frozen(kw_only=True)
class Columns:
    """The per-student values of one policy that every metric is made of."""

    decided: Array
    error: Array  # estimate - truth, 0 where undecided
    level_match: Array
    mastery_match: Array
    truly_mastered: Array
    called_mastered: Array
    jitter: Array  # |jittered - estimate|, nan unless both decided
    drop: Array  # nan where not covered (no result, or no score can rise)
    stable: Array  # nan where never stable
    letters: tuple[Array, Array, int] | None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Columns:
        """Return the columns of one policy's rows of ``ComparisonResult.students``."""
        estimate = frame["estimate"].to_numpy(dtype=float)
        decided = ~np.isnan(estimate)
        error = np.where(decided, estimate - frame["truth"].to_numpy(dtype=float), 0.0)
        mastered = frame["mastered"].to_numpy(dtype=bool)
        truly = frame["truly_mastered"].to_numpy(dtype=bool)
        letters = None
        if "letter" in frame.columns:
            letters = _codes(list(frame["letter"]), list(frame["true_letter"]))
        return cls(
            decided=decided,
            error=error,
            level_match=decided
            & (frame["level"].to_numpy(dtype=object) == frame["true_level"].to_numpy(dtype=object)),
            mastery_match=decided & (mastered == truly),
            truly_mastered=truly,
            called_mastered=mastered,
            jitter=np.abs(frame["jittered"].to_numpy(dtype=float) - estimate),
            drop=frame["drop"].to_numpy(dtype=float),
            stable=frame["stable_after"].to_numpy(dtype=float),
            letters=letters,
        )

    def subset(self, index: Array) -> Columns:
        """Return the columns of the students at ``index``."""
        letters = None
        if self.letters is not None:
            a, b, size = self.letters
            letters = (a[index], b[index], size)
        fields = {
            f.name: getattr(self, f.name)[index]
            for f in attrs.fields(Columns)
            if f.name != "letters"
        }
        return Columns(**fields, letters=letters)


def _ratio(weights: Array, numerator: Array, covered: Array, total: Array) -> tuple[Array, Array]:
    """Weighted mean of ``numerator`` over the covered students, and their weight share."""
    mask = covered.astype(float)
    den = weights @ mask
    num = weights @ np.where(covered, numerator, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1.0), math.nan)
        coverage = den / total
    return value, coverage


def _kappa(weights: Array, letters: tuple[Array, Array, int], covered: Array) -> Array:
    """Cohen's kappa of weighted counts over the covered students (nan where undefined)."""
    a, b, size = letters
    eye = np.eye(size)
    keep = covered.astype(float)[:, None]
    counts_a = weights @ (eye[a] * keep)
    counts_b = weights @ (eye[b] * keep)
    den = counts_a.sum(axis=1)
    agree = weights @ ((a == b) & covered).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = agree / den
        expected = (counts_a * counts_b).sum(axis=1) / den**2
        kappa = (observed - expected) / (1.0 - expected)
    # chance agreement of 1 (one shared label) leaves kappa undefined, as in metrics.cohens_kappa
    undefined = (den <= 0) | np.isclose(expected, 1.0, rtol=0.0, atol=1e-12)
    result: Array = np.where(undefined, math.nan, kappa)
    return result


def summarize(cols: Columns, weights: Array) -> dict[str, tuple[Array, Array]]:
    """Return every metric as ``(values, coverage)``, one entry per row of ``weights``.

    ``weights`` has one row per replicate and one column per student of ``cols``.
    """
    total = weights.sum(axis=1)
    ones = np.ones(len(total))
    decided = cols.decided
    out: dict[str, tuple[Array, Array]] = {"n": (total, ones)}
    share_decided, _ = _ratio(weights, decided.astype(float), np.ones_like(decided), total)
    out["decided"] = (share_decided, ones)
    out["undecided"] = (1.0 - share_decided, ones)
    squared, coverage = _ratio(weights, cols.error**2, decided, total)
    out["rmse"] = (np.sqrt(squared), coverage)
    out["bias"] = _ratio(weights, cols.error, decided, total)
    out["level_agreement"] = _ratio(weights, cols.level_match.astype(float), decided, total)
    out["mastery_agreement"] = _ratio(weights, cols.mastery_match.astype(float), decided, total)
    called = cols.called_mastered.astype(float)
    truly = cols.truly_mastered
    out["false_not_yet"] = _ratio(weights, 1.0 - called, decided & truly, total)
    out["false_mastered"] = _ratio(weights, called, decided & ~truly, total)
    both = ~np.isnan(cols.jitter)
    out["jitter"] = _ratio(weights, np.nan_to_num(cols.jitter), both, total)
    covered = ~np.isnan(cols.drop)
    drop = np.nan_to_num(cols.drop)
    violated = covered & (drop > 0)
    out["monotonicity_violations"] = _ratio(weights, violated.astype(float), covered, total)
    present = (weights > 0) & covered[None, :]
    worst = np.where(present, drop[None, :], -math.inf).max(axis=1, initial=-math.inf)
    out["worst_drop"] = (
        np.where(np.isinf(worst), math.nan, worst),
        _ratio(weights, drop, covered, total)[1],
    )
    out["mean_drop"] = _ratio(weights, drop, violated, total)
    reached = ~np.isnan(cols.stable)
    out["assessments_to_stable"] = _ratio(weights, np.nan_to_num(cols.stable), reached, total)
    out["never_stable"] = _ratio(weights, (~reached).astype(float), decided, total)
    if cols.letters is not None:
        a, b, _ = cols.letters
        out["letter_agreement"] = _ratio(weights, (a == b).astype(float), decided, total)
        out["letter_kappa"] = (
            _kappa(weights, cols.letters, decided),
            out["letter_agreement"][1],
        )
    return out
