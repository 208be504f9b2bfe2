"""The vectorized columns of a grade table: profile keys, band keys and numpy averages.

A grade table (:mod:`~mastery_grading.gradebook._grade_table`) converts one student per
distinct key and broadcasts; this module builds those keys from the result grid (numpy), and
computes the letters of :class:`~mastery_grading.grades.AverageCutoffs` directly. Exempt cells
(``skip``) are part of every key and left out of every average.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import Any

from mastery_grading._extras import require
from mastery_grading._numbers import NEAR_TOLERANCE, exact_mean, read_value
from mastery_grading.grades import INCOMPLETE, AverageCutoffs, RuleSet
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["average_table", "band_keys", "exact_average", "one_range", "profile_keys"]

_INT_LIMIT = 2**62


def profile_keys(grid: Any, codes: Any, skip: Any) -> list[bytes]:
    """One hashable key per student: its exact values, each ``NaN``'s reason code, exemptions."""
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    missing = np.isnan(grid)
    bits = np.where(missing | skip, -1, grid.view(np.int64))
    keyed = np.concatenate([bits, np.where(missing, codes, 0), skip.astype(np.int64)], axis=1)
    keyed = np.ascontiguousarray(keyed)
    return [row.tobytes() for row in keyed]


def band_keys(
    converter: RuleSet, targets: Sequence[LearningTarget], grid: Any, codes: Any, skip: Any
) -> list[bytes]:
    """One key per student for a rule set: how many targets lie in each band, per tag group.

    A rule set decides on counts of targets per band between the thresholds of its conditions,
    per group of targets with the same tags, so students with equal counts get equal letters
    and reasons (a gap's reason describes those counts): each group's bands are sorted. Which
    targets have no result stays in the key (an ``"Incomplete"`` reason names them); an exempt
    target is a band of its own (left out). Comparing floats here is exact: a float reaches a
    threshold exactly when the number it is read as
    (:func:`~mastery_grading.grades.read_value`) reaches the threshold's. Values outside the
    rule set's scale get a key of their own (the conversion raises there).
    """
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    conditions = [c for rule in converter.rules for c in rule.conditions]
    cuts = sorted({float(x) for c in conditions for x in c.thresholds()})
    bands = np.searchsorted(np.asarray(cuts, dtype=np.float64), grid, side="right")
    bands[grid < converter.scale.min] = -2
    bands[grid > converter.scale.max] = -3
    missing = np.isnan(grid) & ~skip
    bands[missing] = -4
    bands[skip] = -5
    tags = sorted({tag for c in conditions if (tag := getattr(c, "tag", None)) is not None})
    groups: dict[tuple[bool, ...], list[int]] = {}
    for t, target in enumerate(targets):
        groups.setdefault(tuple(tag in target.tags for tag in tags), []).append(t)
    parts = [np.sort(bands[:, columns], axis=1) for columns in groups.values()]
    parts.append(np.where(missing, codes, -1))
    keyed = np.concatenate(parts, axis=1).astype(np.int64)
    return [row.tobytes() for row in np.ascontiguousarray(keyed)]


def one_range(targets: Sequence[LearningTarget]) -> bool:
    return len({(t.scale.min, t.scale.max) for t in targets}) == 1


def exact_average(
    converter: AverageCutoffs, results: Sequence[TargetResult], exempt: Collection[str]
) -> float:
    """The exact average of a student's counted results, rounded once to a float."""
    values: list[float] = []
    weights: list[float] = []
    for result in results:
        if result.target.id in exempt:
            continue
        value = result.value
        if value is None:
            if converter.missing != "not_yet":
                continue
            value = result.target.scale.min
        values.append(value)
        weights.append(result.target.weight if converter.weighted else 1.0)
    return float(exact_mean(values, weights))


def average_table(
    converter: AverageCutoffs,
    targets: Sequence[LearningTarget],
    grid: Any,
    codes: Any,
    skip: Any,
    reasons_of: Callable[[Sequence[Any]], list[str]],
) -> tuple[list[str], Callable[[], tuple[list[str], list[float | None]]]]:
    """The vectorized average path: numpy averages, exact near the cutoffs.

    The letters are computed at once; the reasons and the averages shown, which take exact
    arithmetic once per distinct average (most of the time on a class with many distinct
    averages), when the returned function is called: a grade table calls it on first read.

    Args:
        converter: The average cutoffs.
        targets: The targets, one per column.
        grid: The values, one row per student (``NaN`` for no value).
        codes: The reason code of each missing value, same shape.
        skip: Which cells are exempt (left out), same shape.
        reasons_of: Converts the first student of each distinct key and returns every
            student's reason.

    Returns:
        The letters, and a function that returns the reasons and the averages shown (``None``
        where no letter is given).
    """
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    n_students = grid.shape[0]
    missing = np.isnan(grid) & ~skip
    if converter.missing == "not_yet":
        lows = np.asarray([t.scale.min for t in targets], dtype=np.float64)
        filled = np.where(missing, lows, grid)
        counted = ~skip
    else:
        filled = np.where(missing, 0.0, grid)
        counted = ~missing & ~skip
    filled = np.where(skip, 0.0, filled)
    weights = np.asarray(
        [t.weight if converter.weighted else 1.0 for t in targets], dtype=np.float64
    )
    weight_sums = (counted * weights).sum(axis=1)
    special = weight_sums == 0  # nothing counts: no letter yet
    if converter.missing == "incomplete":
        special |= missing.any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        averages = (filled * weights).sum(axis=1) / weight_sums
    # letters: the first cutoff (best first) that the average reaches
    lowers = np.asarray([c.lower for c in converter.cutoffs], dtype=np.float64)
    reached = averages[:, None] >= lowers[None, :]
    index = np.where(reached.any(axis=1), reached.argmax(axis=1), len(lowers) - 1)
    near = np.zeros(n_students, dtype=np.bool_)
    for lower in lowers.tolist():  # near_threshold, on every average at once
        near |= np.abs(averages - lower) <= NEAR_TOLERANCE * max(1.0, abs(lower))
    near &= ~special
    names = np.asarray((*converter.letters, INCOMPLETE), dtype=object)
    index[special] = len(lowers)
    exact_rows = np.flatnonzero(near)
    for s in exact_rows.tolist():
        keep = counted[s]
        average = exact_mean(filled[s][keep].tolist(), weights[keep].tolist())
        index[s] = converter.letters.index(converter.letter_for(average))
    letters: list[str] = names[index].tolist()

    def finish() -> tuple[list[str], list[float | None]]:
        keys = _average_keys(converter, filled, counted, weights, grid, codes, skip, special)
        reasons = reasons_of(keys)
        # the average shown is the exact one rounded once, computed once per distinct key
        exact: dict[Any, float | None] = {}
        shown: list[float | None] = []
        for s, (key, odd) in enumerate(zip(keys, special.tolist(), strict=True)):
            if key not in exact:
                keep = counted[s]
                exact[key] = (
                    None
                    if odd
                    else float(exact_mean(filled[s][keep].tolist(), weights[keep].tolist()))
                )
            shown.append(exact[key])
        return reasons, shown

    return letters, finish


def _average_keys(
    converter: AverageCutoffs,
    filled: Any,
    counted: Any,
    weights: Any,
    grid: Any,
    codes: Any,
    skip: Any,
    special: Any,
) -> list[Any]:
    """A key per student such that equal keys have equal exact averages (or equal profiles).

    Each distinct value and weight is read exactly (:func:`~mastery_grading.grades.read_value`)
    and put over one common denominator; the key is then the pair of integer sums
    ``(sum w*x, sum w)``. When those could overflow, the key is the student's whole profile.
    Students whose letter is not given (``special``) are keyed by their profile.
    """
    require("numpy", extra="data", feature="the vectorized engine")
    import numpy as np

    profiles = profile_keys(grid, codes, skip)
    values = filled[counted]
    distinct, where = np.unique(values, return_inverse=True)
    value_fracs = [read_value(float(x)) for x in distinct.tolist()]
    weight_fracs = [read_value(float(w)) for w in weights.tolist()]
    if any(w < 0 for w in weight_fracs):
        return profiles
    denominator = math.lcm(1, *(f.denominator for f in value_fracs))
    weight_denominator = math.lcm(1, *(f.denominator for f in weight_fracs))
    numerators = [int(f * denominator) for f in value_fracs]
    weight_numerators = [int(f * weight_denominator) for f in weight_fracs]
    n_targets = filled.shape[1]
    biggest = max((abs(n) for n in numerators), default=0) * max(weight_numerators, default=0)
    if biggest * n_targets >= _INT_LIMIT or max(weight_numerators, default=0) * n_targets >= (
        _INT_LIMIT
    ):
        return profiles
    cell = np.zeros(filled.shape, dtype=np.int64)
    cell[counted] = np.asarray(numerators, dtype=np.int64)[where]
    a = np.asarray(weight_numerators, dtype=np.int64)
    sums = (cell * a).sum(axis=1)
    totals = (counted * a).sum(axis=1)
    return [
        profile if odd else (int(total_wx), int(total_w))
        for profile, odd, total_wx, total_w in zip(
            profiles, special.tolist(), sums.tolist(), totals.tolist(), strict=True
        )
    ]
