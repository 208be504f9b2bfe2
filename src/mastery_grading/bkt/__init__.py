"""Bayesian Knowledge Tracing: fit P(mastered) to a class's answers, fast, bounded, checked.

:class:`BKTModel` fits the standard BKT model (prior, learn, guess, slip, optionally forget,
per target) by expectation-maximisation over every sequence at once, with bounds that keep
guess + slip below 1 and an optional Beta prior, and predicts P(correct) and P(mastered) row by
row. ``model.policy(target)`` gives the fitted :class:`~mastery_grading.policies.BKT` policy,
usable wherever a policy is. Needs the ``data`` extra (numpy, pandas); the ``bkt`` extra adds
numba, which makes fitting many times faster.

Example:
    >>> from mastery_grading.bkt import BKTModel
    >>> from mastery_grading.simulation import simulate_bkt
    >>> answers = simulate_bkt(n=300, answers=6, seed=2)
    >>> model = BKTModel(restarts=1).fit(answers)
    >>> model.predict(answers).shape
    (1800,)
    >>> model.policy("T").claims >= {"correct_never_lowers", "monotone"}
    True
"""

from mastery_grading.bkt._metrics import METRICS, accuracy, auc, rmse
from mastery_grading.bkt.model import BKTModel, InsufficientDataWarning, NotFittedError

__all__ = [
    "METRICS",
    "BKTModel",
    "InsufficientDataWarning",
    "NotFittedError",
    "accuracy",
    "auc",
    "rmse",
]
