"""Deprecated alias of :mod:`mastery_grading.fairness.axioms`, kept for one release.

Import from :mod:`mastery_grading.fairness.axioms` instead; every name is the same object.

Example:
    >>> from mastery_grading import axioms, fairness
    >>> axioms.Monotone is fairness.axioms.Monotone
    True
"""

from mastery_grading.fairness.axioms import *  # noqa: F403
from mastery_grading.fairness.axioms import __all__ as __all__
