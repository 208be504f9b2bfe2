"""Policies: rules that turn one student's evidence on one target into a result.

Every policy here is a frozen attrs class whose fields are its parameters, follows the
:class:`~mastery_grading.Policy` protocol, states the fairness axioms it ``claims``, and turns
into a JSON-safe spec with ``to_spec()`` and back with :func:`policy_from_spec`.

Example:
    >>> from mastery_grading import policies
    >>> sorted(policies.available_policies())
    ['decaying_average', 'mean', 'most_recent']
"""

from mastery_grading.policies._base import HistoryPolicy
from mastery_grading.policies._spec import available_policies, policy_from_spec
from mastery_grading.policies.central import Mean
from mastery_grading.policies.recency import DecayingAverage, MostRecent

__all__ = [
    "DecayingAverage",
    "HistoryPolicy",
    "Mean",
    "MostRecent",
    "available_policies",
    "policy_from_spec",
]
