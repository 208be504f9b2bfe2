"""Testing kit for users and for our own suite: Hypothesis strategies (and, later, checks).

Requires the ``test`` extra (Hypothesis). Import the strategies from
:mod:`mastery_grading.testing.strategies`.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.testing import strategies as mst
    >>> @given(mst.histories())
    ... def test_history_is_chronological(pair):
    ...     target, history = pair
    ...     assert all(e.target_id == target.id for e in history)
    >>> test_history_is_chronological()
"""

from mastery_grading.testing import strategies

__all__ = ["strategies"]
