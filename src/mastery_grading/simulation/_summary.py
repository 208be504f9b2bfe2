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

__all__ = ["BETTER", "BOUNDS", "METRICS", "Columns", "Sums", "finish", "summarize", "sums"]

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


#: The metrics that are a weighted mean over the students they cover, in the order of Sums.
_RATIOS = (
    "decided",
    "rmse",  # the mean square, rooted in finish()
    "bias",
    "level_agreement",
    "mastery_agreement",
    "false_not_yet",
    "false_mastered",
    "jitter",
    "monotonicity_violations",
    "mean_drop",
    "assessments_to_stable",
    "never_stable",
    "letter_agreement",
)


@attrs.frozen(kw_only=True)
class Sums:
    """Weighted sums over a group of students, one row per replicate; groups add up.

    ``num`` and ``den`` hold, for each metric of ``_RATIOS``, the weighted sum of its
    numerator and the weight of the students it covers; ``worst`` the largest drop (``-inf``
    for none); ``letters`` the weighted counts of each letter of the result and of the truth,
    and of agreeing letters, over the students with a result.
    """

    total: Array
    num: Array
    den: Array
    worst: Array
    letters: tuple[Array, Array, Array] | None

    def __add__(self, other: Sums) -> Sums:
        letters = None
        if self.letters is not None and other.letters is not None:
            letters = (
                self.letters[0] + other.letters[0],
                self.letters[1] + other.letters[1],
                self.letters[2] + other.letters[2],
            )
        return Sums(
            total=self.total + other.total,
            num=self.num + other.num,
            den=self.den + other.den,
            worst=np.maximum(self.worst, other.worst),
            letters=letters,
        )


def sums(cols: Columns, weights: Array) -> Sums:
    """Return the weighted sums of every metric: ``weights`` has a row per replicate."""
    decided = cols.decided
    called = cols.called_mastered.astype(float)
    truly = cols.truly_mastered
    both = ~np.isnan(cols.jitter)
    covered = ~np.isnan(cols.drop)
    drop = np.nan_to_num(cols.drop)
    violated = covered & (drop > 0)
    reached = ~np.isnan(cols.stable)
    agree = np.zeros(decided.shape) if cols.letters is None else cols.letters[0] == cols.letters[1]
    parts = {
        "decided": (decided.astype(float), np.ones_like(decided)),
        "rmse": (cols.error**2, decided),
        "bias": (cols.error, decided),
        "level_agreement": (cols.level_match.astype(float), decided),
        "mastery_agreement": (cols.mastery_match.astype(float), decided),
        "false_not_yet": (1.0 - called, decided & truly),
        "false_mastered": (called, decided & ~truly),
        "jitter": (np.nan_to_num(cols.jitter), both),
        "monotonicity_violations": (violated.astype(float), covered),
        "mean_drop": (drop, violated),
        "assessments_to_stable": (np.nan_to_num(cols.stable), reached),
        "never_stable": ((~reached).astype(float), decided),
        "letter_agreement": (agree.astype(float), decided),
    }
    numerators = np.column_stack([np.where(parts[n][1], parts[n][0], 0.0) for n in _RATIOS])
    masks = np.column_stack([parts[n][1].astype(float) for n in _RATIOS])
    present = (weights > 0) & covered[None, :]
    letters = None
    if cols.letters is not None:
        a, b, size = cols.letters
        eye = np.eye(size)
        keep = decided.astype(float)[:, None]
        letters = (
            weights @ (eye[a] * keep),
            weights @ (eye[b] * keep),
            weights @ (agree & decided).astype(float),
        )
    return Sums(
        total=weights.sum(axis=1),
        num=weights @ numerators,
        den=weights @ masks,
        worst=np.where(present, drop[None, :], -math.inf).max(axis=1, initial=-math.inf),
        letters=letters,
    )


def _kappa(letters: tuple[Array, Array, Array]) -> Array:
    """Cohen's kappa of weighted letter counts (nan where undefined)."""
    counts_a, counts_b, agree = letters
    den = counts_a.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = agree / den
        expected = (counts_a * counts_b).sum(axis=1) / den**2
        kappa = (observed - expected) / (1.0 - expected)
    # chance agreement of 1 (one shared label) leaves kappa undefined, as in metrics.cohens_kappa
    undefined = (den <= 0) | np.isclose(expected, 1.0, rtol=0.0, atol=1e-12)
    result: Array = np.where(undefined, math.nan, kappa)
    return result


def finish(found: Sums) -> dict[str, tuple[Array, Array]]:
    """Return every metric as ``(values, coverage)`` from its sums, one entry per replicate."""
    total = found.total
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(
            found.den > 0, found.num / np.where(found.den > 0, found.den, 1.0), math.nan
        )
        coverage = found.den / total[:, None]
    ratio = {name: (value[:, k], coverage[:, k]) for k, name in enumerate(_RATIOS)}
    ones = np.ones(len(total))
    out: dict[str, tuple[Array, Array]] = {"n": (total, ones)}
    out["decided"] = (ratio["decided"][0], ones)
    out["undecided"] = (1.0 - ratio["decided"][0], ones)
    out["rmse"] = (np.sqrt(ratio["rmse"][0]), ratio["rmse"][1])
    for name in ("bias", "level_agreement", "mastery_agreement", "false_not_yet"):
        out[name] = ratio[name]
    for name in ("false_mastered", "jitter", "monotonicity_violations"):
        out[name] = ratio[name]
    worst = np.where(np.isinf(found.worst), math.nan, found.worst)
    out["worst_drop"] = (worst, ratio["monotonicity_violations"][1])
    for name in ("mean_drop", "assessments_to_stable", "never_stable"):
        out[name] = ratio[name]
    if found.letters is not None:
        out["letter_agreement"] = ratio["letter_agreement"]
        out["letter_kappa"] = (_kappa(found.letters), ratio["letter_agreement"][1])
    return out


def summarize(cols: Columns, weights: Array) -> dict[str, tuple[Array, Array]]:
    """Return every metric as ``(values, coverage)``, one entry per row of ``weights``.

    ``weights`` has one row per replicate and one column per student of ``cols``.
    """
    return finish(sums(cols, weights))
