"""Whole gradebooks: many students, many targets, every result and grade at once.

:class:`Gradebook` holds a course's targets and its students' evidence; its ``results`` method
is the one way to score many students and returns a :class:`ResultTable`. The vectorized engine
beneath it (``mastery_grading.gradebook._engine``) is private.
"""

from mastery_grading.gradebook._book import RESULT_COLUMNS, Gradebook, ResultTable

__all__ = ["RESULT_COLUMNS", "Gradebook", "ResultTable"]
