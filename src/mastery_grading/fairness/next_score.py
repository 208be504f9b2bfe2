"""What an audit says about a student's next score: which policies promise more than the minimum.

:func:`mastery_grading.needed` gives the smallest next score that brings a result to a level.
For a policy that claims ``monotone`` (raising any one score never lowers the result) every
higher score reaches the level too, and the answer is found by bisection. A policy that does
not claim it (the mode, ``n_times``, the trend fits, ...) gets every step tried: the answer is
still the smallest score that reaches the level, but a higher score may fall short (with
``n_times`` at mastery 3, a 3 on the next assessment can lower a result a 2 would leave alone).
An audit states which is which, from the claims, in one line below its table.

Example:
    >>> from mastery_grading import policies
    >>> promises_next_score(policies.Mean()), promises_next_score(policies.Mode())
    (True, False)
    >>> print(table_note(["mean", "mode"], [policies.Mean(), policies.Mode()]))
    Next score (mastery_grading.needed): not promised for mode: it does not claim monotone, so a score above the one needed may fall short; for the others any higher score reaches the level too.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mastery_grading.fairness.axioms import claims

__all__ = ["promises_next_score", "report_note", "table_note"]

_LABEL = "Next score (mastery_grading.needed)"
_FALLS_SHORT = "a score above the one needed may fall short"


def promises_next_score(policy: Any) -> bool:
    """Whether any score above the one :func:`~mastery_grading.needed` gives reaches the level too.

    True when the policy claims ``monotone``.

    Example:
        >>> from mastery_grading import policies
        >>> promises_next_score(policies.NTimes())
        False
    """
    return "monotone" in claims(policy)


def report_note(policy: Any) -> str:
    """The line an audit of one policy ends with.

    Example:
        >>> from mastery_grading import policies
        >>> print(report_note(policies.MostRecent()))
        Next score (mastery_grading.needed): promised: the policy claims monotone, so any score above the one needed reaches the level too.
    """  # noqa: E501
    if promises_next_score(policy):
        return (
            f"{_LABEL}: promised: the policy claims monotone, so any score above the one needed "
            "reaches the level too."
        )
    return (
        f"{_LABEL}: not promised: the policy does not claim monotone, so {_FALLS_SHORT} (every "
        "step is tried, and the answer is the smallest that reaches it)."
    )


def table_note(names: Sequence[str], policies: Sequence[Any]) -> str:
    """The line below a table of policy audits: the policies whose next score is not promised.

    Example:
        >>> from mastery_grading import policies
        >>> print(table_note(["mean"], [policies.Mean()]))
        Next score (mastery_grading.needed): every policy here claims monotone, so any score above the one needed reaches the level too.
    """  # noqa: E501
    left = [
        name
        for name, policy in zip(names, policies, strict=True)
        if not promises_next_score(policy)
    ]
    if not left:
        return (
            f"{_LABEL}: every policy here claims monotone, so any score above the one needed "
            "reaches the level too."
        )
    if len(left) == len(names):
        return (
            f"{_LABEL}: not promised for any policy here: none claims monotone, so {_FALLS_SHORT}."
        )
    verb = "it does" if len(left) == 1 else "they do"
    return (
        f"{_LABEL}: not promised for {', '.join(left)}: {verb} not claim monotone, so "
        f"{_FALLS_SHORT}; for the others any higher score reaches the level too."
    )
