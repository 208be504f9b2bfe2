"""Whole gradebooks: many students, many targets, every result and grade at once.

:class:`Gradebook` holds a course's targets and its students' evidence; its ``results`` method
is the one way to score many students and returns a :class:`ResultTable` (one row per student
and target); its ``grades`` method turns those into a :class:`GradeTable` (one row per
student). The evidence store (``_store``) and the vectorized engine beneath it
(``mastery_grading.gradebook._engine``) are private.
"""

from mastery_grading.gradebook._aggregate import AGGREGATE_COLUMNS, AggregateTable
from mastery_grading.gradebook._book import Gradebook
from mastery_grading.gradebook._grade_table import GRADE_COLUMNS, Exemptions, GradeTable
from mastery_grading.gradebook._table import RESULT_COLUMNS, ResultTable

__all__ = [
    "AGGREGATE_COLUMNS",
    "GRADE_COLUMNS",
    "RESULT_COLUMNS",
    "AggregateTable",
    "Exemptions",
    "GradeTable",
    "Gradebook",
    "ResultTable",
]
