"""Whole gradebooks: many students, many targets, every result and grade at once.

:class:`Gradebook` holds a course's targets and its students' evidence; its ``results`` method
is the one way to score many students and returns a :class:`ResultTable` (one row per student
and target); its ``grades`` method turns those into a :class:`GradeTable` (one row per
student); its ``diff`` method compares two policies (or two converters) over the class, a
:class:`PolicyDiff`: whose levels and letters change, the transitions, the groups; its
``needed`` method gives what every student needs next on every target, a
:class:`NeededTable`. Duplicate evidence (same student, target, time, score, source and kind) is
a decision, ``duplicates="error" | "drop" | "keep"``; :func:`find_duplicates` finds it. The
evidence store (``_store``) and the vectorized engine beneath it
(``mastery_grading.gradebook._engine``) are private.
"""

from mastery_grading.gradebook._aggregate import AGGREGATE_COLUMNS, AggregateTable
from mastery_grading.gradebook._book import Gradebook
from mastery_grading.gradebook._diff import DIFF_COLUMNS, PolicyDiff
from mastery_grading.gradebook._duplicates import (
    DUPLICATE_FIELDS,
    Duplicates,
    check_duplicates_option,
    duplicate_problems,
    duplicate_rows,
    find_duplicates,
)
from mastery_grading.gradebook._grade_table import GRADE_COLUMNS, Exemptions, GradeTable
from mastery_grading.gradebook._needed import NEEDED_COLUMNS, NeededTable
from mastery_grading.gradebook._table import RESULT_COLUMNS, ResultTable

__all__ = [
    "AGGREGATE_COLUMNS",
    "DIFF_COLUMNS",
    "DUPLICATE_FIELDS",
    "GRADE_COLUMNS",
    "NEEDED_COLUMNS",
    "RESULT_COLUMNS",
    "AggregateTable",
    "Duplicates",
    "Exemptions",
    "GradeTable",
    "Gradebook",
    "NeededTable",
    "PolicyDiff",
    "ResultTable",
    "check_duplicates_option",
    "duplicate_problems",
    "duplicate_rows",
    "find_duplicates",
]
