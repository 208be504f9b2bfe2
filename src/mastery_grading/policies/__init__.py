"""Policies: rules that turn one student's evidence on one target into a result.

Every policy here is a frozen attrs class whose fields are its parameters, follows the
:class:`~mastery_grading.Policy` protocol, states the fairness axioms it ``claims``, and turns
into a JSON-safe spec with ``to_spec()`` and back with :func:`policy_from_spec`. Each family
module registers its vectorized kernel beside its rule, in the one registry of
:mod:`mastery_grading.policies.kernels` (:func:`register_kernel`, :func:`kernel_for`).

Example:
    >>> from mastery_grading import policies
    >>> catalogue = policies.available_policies()
    >>> catalogue["mode"]
    Mode(tie_break='highest')
    >>> policies.policy_from_spec(catalogue["mode"].to_spec()) == catalogue["mode"]
    True
"""

from mastery_grading.policies._incremental import History, RunningState, RunningTotals
from mastery_grading.policies._spec import (
    PolicySpec,
    available_policies,
    policy_from_spec,
    policy_label,
    policy_to_spec,
    register_policy,
    unregister_policy,
)
from mastery_grading.policies._summaries import TieBreak
from mastery_grading.policies.bkt import BKT, BKTState
from mastery_grading.policies.canvas import CanvasRollup, from_canvas
from mastery_grading.policies.central import Mean, Median, Mode
from mastery_grading.policies.combine import MaxOf
from mastery_grading.policies.count import NTimes
from mastery_grading.policies.custom import CustomPolicy, custom_policy
from mastery_grading.policies.kernel_registry import has_kernel, kernel_for, register_kernel
from mastery_grading.policies.peak import Highest, HighestOfRecent, MeanOfHighest
from mastery_grading.policies.recency import (
    DecayingAverage,
    MeanOfRecent,
    MedianOfRecent,
    ModeOfRecent,
    MostRecent,
    WeightedAverage,
)
from mastery_grading.policies.rounding import Rounded, round_half_up, ruby_round
from mastery_grading.policies.rules import AtBats, Filtered
from mastery_grading.policies.trend import BestFit, LinearTrend, PowerLaw

__all__ = [
    "AtBats",
    "BKT",
    "BKTState",
    "BestFit",
    "CanvasRollup",
    "CustomPolicy",
    "DecayingAverage",
    "Filtered",
    "Highest",
    "HighestOfRecent",
    "History",
    "LinearTrend",
    "MaxOf",
    "Mean",
    "MeanOfHighest",
    "MeanOfRecent",
    "Median",
    "MedianOfRecent",
    "Mode",
    "ModeOfRecent",
    "MostRecent",
    "NTimes",
    "PolicySpec",
    "PowerLaw",
    "Rounded",
    "RunningState",
    "RunningTotals",
    "TieBreak",
    "WeightedAverage",
    "available_policies",
    "custom_policy",
    "from_canvas",
    "has_kernel",
    "kernel_for",
    "policy_from_spec",
    "policy_label",
    "policy_to_spec",
    "register_kernel",
    "register_policy",
    "round_half_up",
    "ruby_round",
    "unregister_policy",
]
