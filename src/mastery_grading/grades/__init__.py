"""Grades: from one student's target results to a course grade, with the reasons and next steps.

Two families of converters are built in, each a frozen value with a spec:

- :class:`AverageCutoffs`: average the target values and map the average through half-open
  intervals (Marzano 2010, Rutland, percent tables).
- :class:`RuleSet`: letter rules over how many targets reach which levels (threshold-count
  rules such as sbgrader2's, Talbert-style core/other columns), with :meth:`RuleSet.check` to
  find every gap and overlap.

Subskills can be rolled up into their parent targets first (:func:`roll_up_parents`). A
target without a result is handled by each converter's explicit ``missing`` choice; a target
the student is exempt from (``exempt=``) is left out whatever that choice. A rule set grades
targets on its own scale only, and refuses others naming both scales.

:func:`grade` returns a :class:`GradeReport`: the letter, what decided it, each target's line,
and :meth:`GradeReport.next_steps`.

Example:
    >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
    >>> report = grade(results_from_scores({"LE.1": 3.0, "LE.2": 2.0}),
    ...                AverageCutoffs.marzano_2010())
    >>> report.letter
    'B'
    >>> print(report.next_steps())
    Next letter: A. Bring 'LE.2' from approaching (2.0) to meets (3.0).
"""

from mastery_grading._numbers import read_value
from mastery_grading.grades._convert import ReportingConverter, grade
from mastery_grading.grades._decider import (
    CLAIM_NAMES,
    INCOMPLETE,
    MISSING_CHOICES,
    NO_LETTER,
    ON_GAP_CHOICES,
    ConverterClaim,
    Counted,
    GradeGapWarning,
    MissingChoice,
    OnGap,
)
from mastery_grading.grades._spec import converter_from_spec
from mastery_grading.grades.builders import results_from_scores
from mastery_grading.grades.coverage import (
    CoverageReport,
    Overlap,
    Profile,
    Step,
    check_rule_set,
)
from mastery_grading.grades.cutoffs import AverageCutoffs, AverageCutoffsSpec, Cutoff
from mastery_grading.grades.parents import ROLLUP_METHODS, RollupMethod, roll_up_parents
from mastery_grading.grades.report import GradeReport, NextStep, NextSteps, TargetLine
from mastery_grading.grades.rules import (
    ENGLISH_WORDS,
    RULE_MESSAGES,
    Condition,
    ConditionSpec,
    LetterRule,
    LetterRuleSpec,
    MasteredAndProgressing,
    MasteredAndProgressingSpec,
    RuleWords,
    Tally,
    TallySpec,
    count_at_or_above,
    no_target_below,
    share_at_or_above,
    share_between,
    some_target_below,
)
from mastery_grading.grades.ruleset import RuleSet, RuleSetSpec, Semantics
from mastery_grading.grades.stock import stock_converters
from mastery_grading.protocols import GradeConverter, GradeReportLike

__all__ = [
    "CLAIM_NAMES",
    "ENGLISH_WORDS",
    "INCOMPLETE",
    "MISSING_CHOICES",
    "NO_LETTER",
    "ON_GAP_CHOICES",
    "RULE_MESSAGES",
    "ROLLUP_METHODS",
    "AverageCutoffs",
    "AverageCutoffsSpec",
    "Condition",
    "ConditionSpec",
    "ConverterClaim",
    "Counted",
    "CoverageReport",
    "Cutoff",
    "GradeConverter",
    "GradeGapWarning",
    "GradeReport",
    "GradeReportLike",
    "LetterRule",
    "LetterRuleSpec",
    "MasteredAndProgressing",
    "MasteredAndProgressingSpec",
    "MissingChoice",
    "NextStep",
    "NextSteps",
    "OnGap",
    "Overlap",
    "Profile",
    "ReportingConverter",
    "RollupMethod",
    "RuleSet",
    "RuleSetSpec",
    "RuleWords",
    "Semantics",
    "Step",
    "Tally",
    "TallySpec",
    "TargetLine",
    "check_rule_set",
    "converter_from_spec",
    "count_at_or_above",
    "grade",
    "no_target_below",
    "read_value",
    "results_from_scores",
    "roll_up_parents",
    "share_at_or_above",
    "share_between",
    "some_target_below",
    "stock_converters",
]
