"""Metrics of predicted probabilities against 0/1 answers: AUC, RMSE, accuracy.

Example:
    >>> import numpy as np
    >>> y, p = np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])
    >>> auc(y, p), round(rmse(y, p), 4), accuracy(y, p)
    (0.75, 0.3976, 0.75)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")

__all__ = ["METRICS", "Metric", "accuracy", "auc", "metric_function", "rmse"]

#: A metric: ``metric(correct, predicted) -> float`` over 0/1 answers and probabilities.
Metric = Callable[[Any, Any], float]


def auc(correct: Any, predicted: Any) -> float:
    """The area under the ROC curve: P(a correct answer is predicted higher than an incorrect).

    Ties count one half (the Mann-Whitney statistic with mid-ranks). ``NaN`` when every answer
    is correct or every one incorrect.

    Example:
        >>> auc([0, 1, 1], [0.5, 0.5, 0.9])
        0.75
    """
    y = np.asarray(correct, dtype=np.bool_)
    p = np.asarray(predicted, dtype=np.float64)
    n1 = int(y.sum())
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    sorted_p = p[order]
    # mid-ranks: every run of equal predictions gets the mean of its ranks
    edges = np.flatnonzero(np.diff(sorted_p)) + 1
    bounds = np.concatenate(([0], edges, [p.size]))
    mid = (bounds[:-1] + bounds[1:] + 1) / 2.0
    ranks = np.empty(p.size)
    ranks[order] = np.repeat(mid, np.diff(bounds))
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def rmse(correct: Any, predicted: Any) -> float:
    """The root mean squared error of the predicted probabilities.

    Example:
        >>> rmse([0, 1], [0.0, 0.5])
        0.3535533905932738
    """
    y = np.asarray(correct, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def accuracy(correct: Any, predicted: Any) -> float:
    """The share of answers whose prediction is on the right side of 0.5 (0.5 counts as correct).

    Example:
        >>> accuracy([0, 1, 1], [0.2, 0.5, 0.4])
        0.6666666666666666
    """
    y = np.asarray(correct, dtype=np.bool_)
    p = np.asarray(predicted, dtype=np.float64)
    return float(np.mean((p >= 0.5) == y))


#: The metrics known by name.
METRICS: dict[str, Metric] = {"auc": auc, "rmse": rmse, "accuracy": accuracy}


def metric_function(metric: str | Metric) -> Metric:
    """The metric named (``"auc"``, ``"rmse"``, ``"accuracy"``) or the callable itself.

    Raises:
        InvalidValueError: For an unknown name.
        InvalidTypeError: For neither a name nor a callable.

    Example:
        >>> metric_function("rmse") is rmse
        True
    """
    if isinstance(metric, str):
        if metric not in METRICS:
            msg = f"metric={metric!r} must be one of {sorted(METRICS)} or a callable"
            raise InvalidValueError(msg)
        return METRICS[metric]
    if not callable(metric):
        msg = f"metric={metric!r} must be a metric name or a callable (correct, predicted) -> float"
        raise InvalidTypeError(msg)
    return metric
