"""mastery_grading: turn evidence of learning into mastery levels and grades.

The core is small and typed: a :class:`LearningTarget` is scored on a :class:`Scale`, students
produce :class:`Evidence` on it, a :class:`Policy` turns that evidence into a
:class:`TargetResult`. The built-in policies live in :mod:`mastery_grading.policies`.

Example:
    >>> from datetime import datetime, timezone
    >>> from mastery_grading import Evidence, LearningTarget, policies
    >>> target = LearningTarget(id="LE.1", title="Solve linear equations")
    >>> evidence = [Evidence(student_id="s1", target_id="LE.1", score=score,
    ...                      observed_at=datetime(2026, 10, day, tzinfo=timezone.utc))
    ...             for day, score in [(1, 1.0), (8, 2.0), (15, 3.5)]]
    >>> result = policies.MostRecent().evaluate(evidence, target)
    >>> result.value, result.level.name, result.mastered
    (3.5, 'meets', True)
"""

from importlib.metadata import PackageNotFoundError, version

from mastery_grading import grades, policies
from mastery_grading._text import MissingScoreWarning
from mastery_grading.evidence import (
    Evidence,
    EvidenceKind,
    chronological_key,
    sort_chronologically,
)
from mastery_grading.exceptions import (
    BulkValidationError,
    DataFileError,
    ExternalToolError,
    GapError,
    InvalidTypeError,
    InvalidValueError,
    MasteryGradingError,
    MissingExtraError,
    OverlapError,
    Problem,
    ScoreOutOfScaleError,
    SpecError,
    SpecTypeError,
    TargetMismatchError,
)
from mastery_grading.gradebook import Gradebook, GradeTable, PolicyDiff, ResultTable
from mastery_grading.grades import (
    AverageCutoffs,
    GradeGapWarning,
    GradeReport,
    LetterRule,
    RuleSet,
    converter_from_spec,
    grade,
)
from mastery_grading.policies import available_policies, policy_from_spec
from mastery_grading.policies._needed import Needed, needed
from mastery_grading.protocols import IncrementalPolicy, Policy
from mastery_grading.results import Contribution, TargetResult
from mastery_grading.scales import Level, Scale
from mastery_grading.targets import LearningTarget

try:
    __version__ = version("mastery_grading")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

# Public names, one per line, kept so that sorted(__all__) == __all__ (plain sort: classes,
# then __version__, then functions and modules); tests/test_package.py checks it.
__all__ = [
    "AverageCutoffs",
    "BulkValidationError",
    "Contribution",
    "DataFileError",
    "Evidence",
    "EvidenceKind",
    "ExternalToolError",
    "GapError",
    "GradeGapWarning",
    "GradeReport",
    "GradeTable",
    "Gradebook",
    "IncrementalPolicy",
    "InvalidTypeError",
    "InvalidValueError",
    "LearningTarget",
    "LetterRule",
    "Level",
    "MasteryGradingError",
    "MissingExtraError",
    "MissingScoreWarning",
    "Needed",
    "OverlapError",
    "Policy",
    "PolicyDiff",
    "Problem",
    "ResultTable",
    "RuleSet",
    "Scale",
    "ScoreOutOfScaleError",
    "SpecError",
    "SpecTypeError",
    "TargetMismatchError",
    "TargetResult",
    "__version__",
    "available_policies",
    "chronological_key",
    "converter_from_spec",
    "grade",
    "grades",
    "needed",
    "policies",
    "policy_from_spec",
    "sort_chronologically",
]
