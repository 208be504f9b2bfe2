"""Uncertainty of a comparison: standard errors, 95 % intervals, paired differences, ranking.

A comparison has *replicates*, each giving every metric of every policy and group:

- ``replications``: independent cohorts drawn the same way (the given one first). The estimate
  is the mean over the replicates, its standard error the standard deviation over them
  divided by the square root of their number ``k``, and the 95 % interval
  ``mean ± t(0.975, k - 1) · se`` (Student's t).
- ``bootstrap``: resamples of the students of the one cohort, with replacement, within each
  archetype (so every resample keeps the mix). The estimate is the metric on the cohort
  itself, its standard error the standard deviation over the resamples, and the 95 % interval
  ``estimate ± 1.96 · se`` (the normal bootstrap interval).

Intervals are clipped to the range a metric can take (a share to ``[0, 1]``). A replicate in
which a metric is undefined (``nan``, such as a false "not yet" rate with nobody truly
mastered) is left out of that metric; ``k`` counts the replicates used.

Differences between two policies are *paired*: on each replicate both were measured on the
same students, so the difference is taken replicate by replicate, and its standard error
comes from those differences (much smaller than from the two metrics apart). For ``bias``,
whose best value is 0, the difference is of ``|bias|``. Each pair gets a two-sided p-value
(t with ``k - 1`` degrees of freedom for replications, normal for the bootstrap), and the
p-values of all pairs of one metric and group are adjusted with Holm's procedure, so that the
chance of calling any equal pair different stays at most 5 % over the whole table. Two
policies are *distinguishable* when the adjusted p-value is at most 0.05.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.simulation._stats import (
    Z95,
    holm,
    normal_two_sided_p,
    t_quantile,
    t_two_sided_p,
)
from mastery_grading.simulation._summary import BETTER, BOUNDS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")
    pd = require("pandas", extra="sim", feature="mastery_grading.simulation")

__all__ = ["ALPHA", "Replicates", "bootstrap_weights", "differences", "estimates", "ranking"]

#: The family-wise error rate of :func:`differences` and :func:`ranking`.
ALPHA = 0.05

Array = np.ndarray[Any, Any]


@attrs.frozen(kw_only=True)
class Replicates:
    """Every metric on every replicate: ``values[r, p, g, m]`` and ``coverage[r, p, g, m]``.

    ``method`` is ``"replications"`` or ``"bootstrap"``; ``point`` and ``point_coverage`` (shape
    ``[p, g, m]``) are the metrics on the given cohort itself.
    """

    method: str
    values: Array
    coverage: Array
    point: Array
    point_coverage: Array
    policies: tuple[str, ...]
    groups: tuple[str, ...]
    metrics: tuple[str, ...]

    @property
    def size(self) -> int:
        """The number of replicates."""
        return int(self.values.shape[0])

    def estimate(self) -> Array:
        """The estimate of every metric: the mean over replications, or the point (bootstrap)."""
        if self.method == "bootstrap":
            return self.point
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(self.values)
            count = finite.sum(axis=0)
            total = np.where(finite, self.values, 0.0).sum(axis=0)
            result: Array = np.where(count > 0, total / np.maximum(count, 1), math.nan)
        return result

    def frame(self) -> pd.DataFrame:
        """Return the replicates as a table: ``replicate``, ``policy``, ``archetype``, metrics."""
        r, p, g, m = self.values.shape
        index = pd.MultiIndex.from_product(
            [range(r), self.policies, self.groups], names=["replicate", "policy", "archetype"]
        )
        wide = pd.DataFrame(self.values.reshape(r * p * g, m), index=index, columns=self.metrics)
        return wide.reset_index()


def _spread(values: Array) -> tuple[Array, Array]:
    """Standard deviation (ddof 1) over axis 0, ignoring nan, and the count of finite values."""
    finite = np.isfinite(values)
    count = finite.sum(axis=0)
    safe = np.where(finite, values, 0.0)
    mean = safe.sum(axis=0) / np.maximum(count, 1)
    squares = np.where(finite, (safe - mean) ** 2, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(count > 1, np.sqrt(squares / np.maximum(count - 1, 1)), math.nan)
    return sd, count


def _multiplier(method: str, count: int) -> float:
    if count < 2:
        return math.nan
    return Z95 if method == "bootstrap" else t_quantile(0.95, count - 1)


def estimates(
    point: Array,
    point_coverage: Array,
    replicates: Replicates | None,
    policies: Sequence[str],
    groups: Sequence[str],
    metrics: Sequence[str],
) -> pd.DataFrame:
    """Return one row per policy, group and metric: value, se, low, high, coverage, k."""
    p, g, m = point.shape
    se = np.full(point.shape, math.nan)
    low = np.full(point.shape, math.nan)
    high = np.full(point.shape, math.nan)
    count = np.ones(point.shape, dtype=np.int64)
    coverage = point_coverage
    if replicates is not None:
        sd, count = _spread(replicates.values)
        se = sd if replicates.method == "bootstrap" else sd / np.sqrt(np.maximum(count, 1))
        if replicates.method == "replications":
            coverage = np.nanmean(replicates.coverage, axis=0)
        multiplier = np.vectorize(lambda c: _multiplier(replicates.method, int(c)))(count)
        for k, name in enumerate(metrics):
            lo, hi = BOUNDS.get(name, (-math.inf, math.inf))
            low[..., k] = np.clip(point[..., k] - multiplier[..., k] * se[..., k], lo, hi)
            high[..., k] = np.clip(point[..., k] + multiplier[..., k] * se[..., k], lo, hi)
    index = pd.MultiIndex.from_product(
        [list(policies), list(groups), list(metrics)], names=["policy", "archetype", "metric"]
    )
    frame = pd.DataFrame(
        {
            "value": point.reshape(-1),
            "se": se.reshape(-1),
            "low": low.reshape(-1),
            "high": high.reshape(-1),
            "coverage": coverage.reshape(-1),
            "k": count.reshape(-1),
        },
        index=index,
    )
    assert frame.shape[0] == p * g * m
    return frame.reset_index()


def _oriented(values: Array, metric: str) -> Array:
    """Values on which "lower is better": negated when higher is better, abs for bias."""
    better = BETTER.get(metric, "lower")
    if better == "closer to 0":
        result: Array = np.abs(values)
        return result
    return -values if better == "higher" else values


def _pair(diffs: Array, bootstrap_estimate: float | None) -> tuple[float, float, float, float]:
    """Return a paired difference, its se, its two-sided p-value and its interval multiplier.

    ``diffs`` holds the difference on each replicate. For replications the estimate is their
    mean; for the bootstrap it is ``bootstrap_estimate``, the difference on the cohort itself.
    """
    diffs = diffs[np.isfinite(diffs)]
    k = int(diffs.size)
    if bootstrap_estimate is None:
        estimate = float(np.mean(diffs)) if k else math.nan
    else:
        estimate = bootstrap_estimate
    if k < 2 or not math.isfinite(estimate):
        return (estimate, math.nan, math.nan, math.nan)
    sd = float(np.std(diffs, ddof=1))
    if bootstrap_estimate is None:
        se, multiplier = sd / math.sqrt(k), t_quantile(0.95, k - 1)
    else:
        se, multiplier = sd, Z95
    if se == 0.0:
        return (estimate, 0.0, 1.0 if estimate == 0.0 else 0.0, multiplier)
    statistic = estimate / se
    if bootstrap_estimate is None:
        return (estimate, se, t_two_sided_p(statistic, k - 1), multiplier)
    return (estimate, se, normal_two_sided_p(statistic), multiplier)


def differences(replicates: Replicates, metric: str, group: str) -> pd.DataFrame:
    """Return one row per pair of policies: the paired difference and whether it is real.

    See the module docstring for the rule.
    """
    if metric not in replicates.metrics:
        msg = f"metric={metric!r} is not in the table; expected one of {list(replicates.metrics)}"
        raise InvalidValueError(msg)
    if group not in replicates.groups:
        msg = f"archetype={group!r} is not in the cohort; expected one of {list(replicates.groups)}"
        raise InvalidValueError(msg)
    g, m = replicates.groups.index(group), replicates.metrics.index(metric)
    on = _oriented(replicates.values[:, :, g, m], metric)
    point = _oriented(replicates.point[:, g, m], metric)
    bootstrap = replicates.method == "bootstrap"
    rows = []
    labels = replicates.policies
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            at_point = float(point[a] - point[b]) if bootstrap else None
            estimate, se, p, multiplier = _pair(on[:, a] - on[:, b], at_point)
            rows.append(
                {
                    "policy": labels[a],
                    "other": labels[b],
                    "difference": estimate,
                    "se": se,
                    "low": estimate - multiplier * se,
                    "high": estimate + multiplier * se,
                    "p_value": p,
                }
            )
    frame = pd.DataFrame(
        rows, columns=["policy", "other", "difference", "se", "low", "high", "p_value"]
    )
    frame["p_holm"] = holm(frame["p_value"].tolist())
    frame["distinguishable"] = frame["p_holm"] <= ALPHA
    return frame


def ranking(
    replicates: Replicates, metric: str, group: str, estimate: pd.DataFrame
) -> pd.DataFrame:
    """Return the policies from best to worst, each with its rank and the policies tied with it.

    A policy's rank is 1 plus the number of policies distinguishably better than it (so tied
    policies share a rank, and ranks may skip). Rows are ordered by rank, then by the estimate
    (best first), then in the order the policies were given.
    """
    pairs = differences(replicates, metric, group)
    labels = list(replicates.policies)
    better_than: dict[str, set[str]] = {label: set() for label in labels}
    tied: dict[str, list[str]] = {label: [] for label in labels}
    for a, b, difference, distinguishable in zip(
        pairs["policy"].tolist(),
        pairs["other"].tolist(),
        pairs["difference"].tolist(),
        pairs["distinguishable"].tolist(),
        strict=True,
    ):
        if not distinguishable:
            tied[a].append(b)
            tied[b].append(a)
        elif difference < 0:  # a is lower on the "lower is better" scale
            better_than[b].add(a)
        else:
            better_than[a].add(b)
    part = estimate[(estimate["archetype"] == group) & (estimate["metric"] == metric)]
    part = part.set_index("policy").loc[labels]
    oriented = _oriented(part["value"].to_numpy(dtype=float), metric)
    frame = pd.DataFrame(
        {
            "rank": [1 + len(better_than[label]) for label in labels],
            metric: part["value"].to_numpy(dtype=float),
            "se": part["se"].to_numpy(dtype=float),
            "low": part["low"].to_numpy(dtype=float),
            "high": part["high"].to_numpy(dtype=float),
            "coverage": part["coverage"].to_numpy(dtype=float),
            "tied_with": [tuple(sorted(tied[label], key=labels.index)) for label in labels],
        },
        index=pd.Index(labels, name="policy"),
    )
    order = sorted(
        range(len(labels)),
        key=lambda i: (
            int(frame["rank"].iloc[i]),
            oriented[i] if math.isfinite(oriented[i]) else math.inf,
            i,
        ),
    )
    return frame.iloc[order]


def bootstrap_weights(
    strata: Sequence[Array], n: int, size: int, rng: np.random.Generator
) -> Iterator[Array]:
    """Yield bootstrap count matrices (a chunk of resamples by ``n`` students), ``size`` in all.

    Each resample draws, within each stratum (the students of one archetype), as many students
    as it holds, with replacement. Chunks keep memory near 2 million counts.
    """
    chunk = max(1, min(size, 2_000_000 // max(n, 1)))
    done = 0
    while done < size:
        rows = min(chunk, size - done)
        weights = np.zeros((rows, n))
        for index in strata:
            count = int(index.size)
            weights[:, index] = rng.multinomial(count, np.full(count, 1.0 / count), size=rows)
        done += rows
        yield weights
