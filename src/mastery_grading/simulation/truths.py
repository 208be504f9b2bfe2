"""Truths: what a policy's final result is compared with, for each simulated student.

:func:`~mastery_grading.simulation.compare` measures every result against a *truth*, one number
per student on the target's scale. The default, :class:`FinalLevel`, is the true level at the
end of the term. A researcher who grades "what the student knows lately" may prefer
:class:`MeanOfLast`; one who reports on a given day, :class:`LevelAt`; one who asks what was
known at a given assessment, :class:`LevelAtAssessment`. Any object with ``values(cohort)`` and
``describe()`` is a truth (:class:`Truth`), so your own needs no subclassing.

The truth decides ``rmse``, ``bias``, the agreement metrics and the false "not yet" and false
"mastered" rates. ``assessments_to_stable`` and ``never_stable`` follow the true level at each
piece of evidence, whatever the truth.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

if TYPE_CHECKING:
    import numpy as np

    from mastery_grading.simulation.cohorts import Cohort, SimulatedStudent
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["FinalLevel", "LevelAt", "LevelAtAssessment", "MeanOfLast", "Truth"]


@runtime_checkable
class Truth(Protocol):
    """What :func:`~mastery_grading.simulation.compare` needs from a truth.

    ``values(cohort)`` returns one true value per student of the cohort, in the cohort's order,
    on the target's scale; ``describe()`` says what it is in a few words, for captions.
    """

    def values(self, cohort: Cohort) -> np.ndarray[Any, Any]:
        """Return the truth of every student, in the cohort's order."""
        ...

    def describe(self) -> str:
        """Return a few words for table captions, such as "level at the end of the term"."""
        ...


@attrs.frozen(kw_only=True)
class FinalLevel:
    """The true level at the end of the term (``t = 1``), the default truth.

    Example:
        >>> from mastery_grading.simulation import Steady, simulate_cohort
        >>> cohort = simulate_cohort([Steady()], n=2, seed=0)
        >>> FinalLevel().values(cohort).tolist() == [s.true_final for s in cohort]
        True
        >>> FinalLevel().describe()
        'level at the end of the term'
    """

    def values(self, cohort: Cohort) -> np.ndarray[Any, Any]:
        """Return every student's true level at the end of the term."""
        return np.array([s.true_final for s in cohort.students], dtype=float)

    def describe(self) -> str:
        """Return "level at the end of the term"."""
        return "level at the end of the term"


@attrs.frozen(kw_only=True)
class MeanOfLast:
    """The mean true level at the moments of the student's last ``k`` pieces of evidence.

    Retakes count as pieces of evidence; a student with fewer than ``k`` pieces gets the mean
    over all of them. This is the level a window of the last ``k`` scores estimates.

    Args:
        k: How many of the latest pieces of evidence, at least 1.

    Example:
        >>> from mastery_grading.simulation import LinearGrowth, Schedule, simulate_cohort
        >>> cohort = simulate_cohort([LinearGrowth()], n=1, seed=0, schedule=Schedule(n=4))
        >>> levels = cohort.students[0].true_levels
        >>> MeanOfLast(k=2).values(cohort).tolist() == [(levels[2] + levels[3]) / 2]
        True
        >>> MeanOfLast(k=3).describe()
        'mean level over the last 3 pieces of evidence'
    """

    k: int = attrs.field(default=3, validator=v.int_in_range(1))

    def values(self, cohort: Cohort) -> np.ndarray[Any, Any]:
        """Return every student's mean true level over the last ``k`` pieces of evidence."""
        return np.array(
            [float(np.mean(s.true_levels[-self.k :])) for s in cohort.students], dtype=float
        )

    def describe(self) -> str:
        """Return "mean level over the last k pieces of evidence"."""
        return f"mean level over the last {self.k} pieces of evidence"


def _check_when(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, datetime):
        v.aware_datetime(_instance, attribute, value)
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = (
            f"{attribute.name}={v.shown(value)} must be a term fraction in [0, 1] or a "
            "timezone-aware datetime"
        )
        raise InvalidTypeError(msg)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        msg = f"{attribute.name}={value!r} must be a term fraction in [0, 1]"
        raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class LevelAt:
    """The true level at one moment: a fraction of the term, or a date.

    A date is placed on the term with the cohort's schedule (``start`` and ``days``) and must
    fall within the term.

    Args:
        when: A term fraction in ``[0, 1]`` (0 the first day, 1 the last), or a timezone-aware
            datetime.

    Raises:
        InvalidValueError: From :meth:`values`, for a date outside the cohort's term.

    Example:
        >>> from datetime import UTC, datetime
        >>> from mastery_grading.simulation import LinearGrowth, simulate_cohort
        >>> cohort = simulate_cohort([LinearGrowth()], n=1, seed=0)
        >>> learner = cohort.students[0].learner
        >>> LevelAt(when=0.5).values(cohort).tolist() == [learner.level_at(0.5)]
        True
        >>> mid = datetime(2026, 10, 27, tzinfo=UTC)  # 56 of the term's 112 days
        >>> LevelAt(when=mid).values(cohort).tolist() == [learner.level_at(0.5)]
        True
        >>> LevelAt(when=0.5).describe()
        'level at t=0.5 of the term'
    """

    when: float | datetime = attrs.field(validator=_check_when)

    def fraction(self, cohort: Cohort) -> float:
        """Return the moment as a fraction of the cohort's term.

        Raises:
            InvalidValueError: For a date outside the term.

        >>> from mastery_grading.simulation import simulate_cohort
        >>> LevelAt(when=0.25).fraction(simulate_cohort(n=1, seed=0))
        0.25
        """
        if not isinstance(self.when, datetime):
            return float(self.when)
        schedule = cohort.schedule
        t = (self.when - schedule.start).total_seconds() / (schedule.days * 86400.0)
        if not 0.0 <= t <= 1.0:
            msg = (
                f"when={self.when.isoformat()} is outside the term, which runs from "
                f"{schedule.start.isoformat()} for {schedule.days:g} days"
            )
            raise InvalidValueError(msg)
        return t

    def values(self, cohort: Cohort) -> np.ndarray[Any, Any]:
        """Return every student's true level at the moment."""
        t = self.fraction(cohort)
        return np.array([s.learner.level_at(t) for s in cohort.students], dtype=float)

    def describe(self) -> str:
        """Return "level at t=... of the term" or "level on <date>"."""
        if isinstance(self.when, datetime):
            return f"level on {self.when.date().isoformat()}"
        return f"level at t={self.when:g} of the term"


def _first_attempt(student: SimulatedStudent, index: int) -> int:
    source = f"A{index}"
    for j, evidence in enumerate(student.evidence):
        if evidence.source_id == source and evidence.attempt in (None, 1):
            return j
    msg = (
        f"student {student.id!r} has no first attempt at assessment {index} "
        f"(evidence with source_id={source!r}); a cohort from simulate_cohort names its "
        "assessments A1, A2, ..."
    )
    raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class LevelAtAssessment:
    """The true level when the student first took one assessment of the schedule.

    Assessments are counted from 1 in the order of the schedule; a cohort from
    :func:`~mastery_grading.simulation.simulate_cohort` names them ``A1``, ``A2``, ... in the
    evidence's ``source_id``, and the first attempt is the one counted (not a retake).

    Args:
        index: The assessment, from 1.

    Raises:
        InvalidValueError: From :meth:`values`, when a student has no such assessment.

    Example:
        >>> from mastery_grading.simulation import LinearGrowth, Schedule, simulate_cohort
        >>> cohort = simulate_cohort([LinearGrowth()], n=1, seed=0, schedule=Schedule(n=4))
        >>> student = cohort.students[0]
        >>> LevelAtAssessment(index=2).values(cohort).tolist() == [student.true_levels[1]]
        True
        >>> LevelAtAssessment(index=2).describe()
        'level at assessment 2'
    """

    index: int = attrs.field(validator=v.int_in_range(1))

    def values(self, cohort: Cohort) -> np.ndarray[Any, Any]:
        """Return every student's true level at their first attempt of the assessment."""
        return np.array(
            [s.true_levels[_first_attempt(s, self.index)] for s in cohort.students], dtype=float
        )

    def describe(self) -> str:
        """Return "level at assessment i"."""
        return f"level at assessment {self.index}"
