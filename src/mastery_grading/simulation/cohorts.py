"""Cohorts: a seeded mix of simulated learners, their evidence histories and the truth."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind, chronological_key
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.simulation._seeds import check_seed, fresh_seed, stream
from mastery_grading.simulation.learners import Archetype, Learner, builtin_archetypes
from mastery_grading.simulation.measurement import Measurement
from mastery_grading.simulation.schedules import Schedule
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Cohort", "SimulatedStudent", "simulate_cohort"]


def _evidence_tuple(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _float_tuple(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(x) for x in value)


@attrs.frozen(kw_only=True)
class SimulatedStudent:
    """One simulated student: the learner model, the evidence it produced, and the truth.

    Args:
        id: The student id used in the evidence.
        learner: The learner model (archetype, trajectory, drawn parameters).
        evidence: The student's evidence on the cohort's target, oldest first.
        times: The term fraction at which each piece of evidence was observed.
        true_levels: The true level at the moment of each piece of evidence.

    Example:
        >>> cohort = simulate_cohort(n=2, seed=1)
        >>> student = cohort.students[0]
        >>> len(student.evidence) == len(student.times) == len(student.true_levels)
        True
    """

    id: str = attrs.field(validator=v.non_empty_str)
    learner: Learner
    evidence: tuple[Evidence, ...] = attrs.field(converter=_evidence_tuple)
    times: tuple[float, ...] = attrs.field(converter=_float_tuple)
    true_levels: tuple[float, ...] = attrs.field(converter=_float_tuple)

    @property
    def archetype(self) -> str:
        """The name of the learner's archetype."""
        return self.learner.archetype

    @property
    def true_final(self) -> float:
        """The true level at the end of the term, the yardstick of the metrics."""
        return self.learner.final_level

    @property
    def scores(self) -> tuple[float, ...]:
        """The observed scores, oldest first."""
        return tuple(e.score for e in self.evidence)


def _student_tuple(value: Iterable[SimulatedStudent]) -> tuple[SimulatedStudent, ...]:
    return tuple(value)


def _mix_tuple(value: Iterable[tuple[Archetype, float]]) -> tuple[tuple[Archetype, float], ...]:
    return tuple((archetype, float(weight)) for archetype, weight in value)


@attrs.frozen(kw_only=True, repr=False)
class Cohort:
    """A simulated cohort on one learning target, with everything needed to redo it.

    Build one with :func:`simulate_cohort`, which records the seed it used (``seed``, fresh
    entropy unless you gave one) and the mix of archetypes with their weights (``mix``), so that
    :meth:`resimulate` can draw more cohorts the same way. A cohort built by hand has an empty
    ``mix``. Its repr summarizes it rather than listing every student.

    Example:
        >>> cohort = simulate_cohort(n=12, seed=3)
        >>> len(cohort), cohort.archetypes[:2]
        (12, ('steady', 'linear growth'))
        >>> from mastery_grading.simulation import Steady
        >>> simulate_cohort([Steady()], n=4, seed=3)
        Cohort(n=4, archetypes=('steady',), target='SIM', evidence=32, seed=3)
    """

    target: LearningTarget
    students: tuple[SimulatedStudent, ...] = attrs.field(converter=_student_tuple)
    measurement: Measurement
    schedule: Schedule
    seed: int | None = None
    #: The archetypes the students were drawn from, with their weights, in order.
    mix: tuple[tuple[Archetype, float], ...] = attrs.field(default=(), converter=_mix_tuple)

    def __len__(self) -> int:
        return len(self.students)

    def __repr__(self) -> str:
        evidence = sum(len(s.evidence) for s in self.students)
        return (
            f"Cohort(n={len(self)}, archetypes={self.archetypes!r}, target={self.target.id!r}, "
            f"evidence={evidence}, seed={self.seed!r})"
        )

    def __iter__(self) -> Iterator[SimulatedStudent]:
        return iter(self.students)

    @property
    def archetypes(self) -> tuple[str, ...]:
        """The archetype names present, in the order of the mix."""
        return tuple(dict.fromkeys(s.archetype for s in self.students))

    def resimulate(self, seed: int | np.random.Generator | None = None) -> Cohort:
        """Return a new cohort drawn the same way: same mix, size, target, measurement, schedule.

        Args:
            seed: The seed of the new cohort (default: fresh entropy, recorded on it).

        Raises:
            InvalidValueError: For a cohort built by hand (it has no ``mix`` to draw from).

        >>> cohort = simulate_cohort(n=6, seed=1)
        >>> again = cohort.resimulate(seed=2)
        >>> len(again), again.archetypes == cohort.archetypes, again.seed
        (6, True, 2)
        >>> cohort.resimulate(seed=1) == cohort
        True
        """
        if not self.mix:
            msg = (
                "this cohort has no mix of archetypes to draw from (it was not made by "
                "simulate_cohort); resample its students instead, e.g. compare(..., bootstrap=)"
            )
            raise InvalidValueError(msg)
        return simulate_cohort(
            dict(self.mix),
            n=len(self),
            target=self.target,
            measurement=self.measurement,
            schedule=self.schedule,
            seed=seed,
        )

    def student(self, student_id: str) -> SimulatedStudent:
        """Return the student with the given id.

        Raises:
            InvalidValueError: If no student has that id.

        >>> simulate_cohort(n=3, seed=0).student("s1").id
        's1'
        """
        for student in self.students:
            if student.id == student_id:
                return student
        msg = f"student_id={student_id!r} is not in the cohort"
        raise InvalidValueError(msg)

    def evidence(self) -> list[Evidence]:
        """Return every piece of evidence of every student (e.g. to feed a gradebook).

        >>> len(simulate_cohort(n=3, seed=0, schedule=Schedule(n=4)).evidence())
        12
        """
        return [e for s in self.students for e in s.evidence]

    def parameters(self) -> pd.DataFrame:
        """Return one row per student with the parameters drawn for its learner.

        Columns: ``student_id``, ``archetype``, then ``param_<name>`` for every parameter name
        of any learner (its ``params``, see :class:`~mastery_grading.simulation.Learner`), in
        the order first met; a learner without that parameter has ``NaN``. A comparison's students
        table carries the same columns, to study a policy's error against, say, the step's
        position.

        >>> from mastery_grading.simulation import Steady, Step
        >>> cohort = simulate_cohort([Steady(), Step()], n=2, seed=0)
        >>> list(cohort.parameters().columns)
        ['student_id', 'archetype', 'param_level', 'param_start', 'param_end', 'param_at']
        """
        require("pandas", extra="data", feature="Cohort.parameters()")
        import pandas as pd

        count = len(self.students)
        drawn: dict[str, list[float]] = {}
        for i, student in enumerate(self.students):
            for name, value in student.learner.params.items():
                column = drawn.get(name)
                if column is None:
                    column = drawn[name] = [math.nan] * count
                column[i] = float(value)
        columns: dict[str, list[Any]] = {
            "student_id": [s.id for s in self.students],
            "archetype": [s.archetype for s in self.students],
        }
        columns.update({f"param_{name}": values for name, values in drawn.items()})
        return pd.DataFrame(columns)

    def to_pandas(self) -> pd.DataFrame:
        """Return one row per piece of evidence with the truth next to it.

        Columns: ``student_id``, ``archetype``, ``t``, ``observed_at``, ``kind``, ``source_id``,
        ``attempt``, ``score``, ``true_level``.

        >>> simulate_cohort(n=2, seed=0, schedule=Schedule(n=3)).to_pandas().shape
        (6, 9)
        """
        require("pandas", extra="data", feature="Cohort.to_pandas()")
        import pandas as pd

        rows = [
            {
                "student_id": s.id,
                "archetype": s.archetype,
                "t": t,
                "observed_at": e.observed_at,
                "kind": e.kind.value,
                "source_id": e.source_id,
                "attempt": e.attempt,
                "score": e.score,
                "true_level": truth,
            }
            for s in self.students
            for e, t, truth in zip(s.evidence, s.times, s.true_levels, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else None)


def _allocate(weights: Sequence[float], n: int) -> list[int]:
    """Split ``n`` into whole counts proportional to ``weights`` (largest remainder)."""
    total = sum(Fraction(w) for w in weights)
    quotas = [Fraction(w) / total * n for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _mix(
    archetypes: Mapping[Archetype, float] | Sequence[Archetype] | None,
) -> list[tuple[Archetype, float]]:
    if archetypes is None:
        return [(a, 1.0) for a in builtin_archetypes()]
    pairs = (
        list(archetypes.items())
        if isinstance(archetypes, Mapping)
        else [(a, 1.0) for a in archetypes]
    )
    if not pairs:
        msg = "archetypes must hold at least one archetype"
        raise InvalidValueError(msg)
    for archetype, weight in pairs:
        if not isinstance(archetype, Archetype):
            msg = f"archetype {archetype!r} must have a name and a draw(rng, scale) method"
            raise InvalidTypeError(msg)
        if not (isinstance(weight, int | float) and weight >= 0 and np.isfinite(weight)):
            msg = f"weight={weight!r} of archetype {archetype.name!r} must be a number >= 0"
            raise InvalidValueError(msg)
    if sum(w for _, w in pairs) <= 0:
        msg = "archetype weights must not all be 0"
        raise InvalidValueError(msg)
    names = [a.name for a, _ in pairs]
    if len(set(names)) != len(names):
        msg = f"archetype names {names!r} must be unique"
        raise InvalidValueError(msg)
    return pairs


@attrs.frozen
class _Plan:
    """What every student of a cohort shares: the schedule's kinds, ids and dates."""

    target: LearningTarget
    measurement: Measurement
    schedule: Schedule
    kinds: tuple[EvidenceKind, ...]
    sources: tuple[str, ...]
    #: The date of each term fraction met so far (even schedules share them all).
    dates: dict[float, datetime] = attrs.field(factory=dict)

    @classmethod
    def of(cls, target: LearningTarget, measurement: Measurement, schedule: Schedule) -> _Plan:
        formative = schedule.formative_flags()
        return cls(
            target=target,
            measurement=measurement,
            schedule=schedule,
            kinds=tuple(
                EvidenceKind.FORMATIVE if flag else EvidenceKind.SUMMATIVE for flag in formative
            ),
            sources=tuple(f"A{k + 1}" for k in range(len(formative))),
        )

    def date(self, t: float) -> datetime:
        found = self.dates.get(t)
        if found is None:
            schedule = self.schedule
            found = self.dates[t] = schedule.start + timedelta(days=t * schedule.days)
        return found


def _simulate_student(
    student_id: str, learner: Learner, plan: _Plan, rng: np.random.Generator
) -> SimulatedStudent:
    target, measurement, schedule = plan.target, plan.measurement, plan.schedule
    scale = target.scale
    times = schedule.times(rng)
    learner = learner.on_schedule(times)
    truths = np.array([learner.level_at(t) for t in times])
    scores = measurement.observe(truths, scale, rng)
    # (t, attempt, assessment index, score, true level)
    records: list[tuple[float, int, int, float, float]] = []
    observed = zip(times.tolist(), scores.tolist(), truths.tolist(), strict=True)
    for k, (t, score, truth) in enumerate(observed):
        records.append((t, 1, k, score, truth))
        attempt, last = 1, score
        while (
            attempt <= schedule.retakes
            and plan.kinds[k] is EvidenceKind.SUMMATIVE
            and not scale.is_mastered(last)
        ):
            t_retake = min(t + attempt * schedule.gap, 1.0)
            level = learner.level_at(t_retake)
            last = float(measurement.observe(np.array([level]), scale, rng)[0])
            attempt += 1
            records.append((t_retake, attempt, k, last, level))
    with_attempts = schedule.retakes > 0
    items = [
        (
            Evidence(
                student_id=student_id,
                target_id=target.id,
                score=score,
                observed_at=plan.date(t),
                kind=plan.kinds[k],
                source_id=plan.sources[k],
                attempt=attempt if with_attempts else None,
            ),
            t,
            truth,
        )
        for t, attempt, k, score, truth in records
    ]
    if any(a[0].observed_at >= b[0].observed_at for a, b in itertools.pairwise(items)):
        items.sort(key=lambda item: chronological_key(item[0]))
    return SimulatedStudent(
        id=student_id,
        learner=learner,
        evidence=[e for e, _, _ in items],
        times=[t for _, t, _ in items],
        true_levels=[truth for _, _, truth in items],
    )


def simulate_cohort(
    archetypes: Mapping[Archetype, float] | Sequence[Archetype] | None = None,
    *,
    n: int = 600,
    target: LearningTarget | None = None,
    measurement: Measurement | None = None,
    schedule: Schedule | None = None,
    seed: int | np.random.Generator | None = None,
) -> Cohort:
    """Simulate a cohort: draw learners from a mix of archetypes and let them be assessed.

    The ``n`` students are split between the archetypes in proportion to their weights
    (largest remainder, so the counts are exact and stable), in the order given; the cohort
    records the mix as ``cohort.mix``.

    Seeds: without ``seed`` the cohort is drawn from fresh entropy, and the seed used is
    recorded as ``cohort.seed`` (and shown in its repr), so ``simulate_cohort(...,
    seed=cohort.seed)`` draws it again. An int seed gives two independent streams, children of
    ``numpy.random.SeedSequence(seed)``: ``cohort`` (the learners' parameters, in the order of
    the students) and ``noise`` (when each is assessed and what is observed: random spacing,
    slips, guesses, noise, retakes). So the same seed and arguments give an identical cohort,
    and the same seed with another measurement model gives the same learners. A numpy
    Generator is split into the two streams with ``Generator.spawn``; the cohort then records
    no seed.

    Args:
        archetypes: A mapping of archetype to weight, a sequence of archetypes (equal weights),
            or ``None`` for the six :func:`~mastery_grading.simulation.builtin_archetypes`.
        n: The number of students, at least 1.
        target: The learning target (default: ``"SIM"`` on Marzano's 0-4 scale).
        measurement: The measurement model (default :class:`Measurement`).
        schedule: The assessment schedule (default :class:`Schedule`, 8 evenly spaced).
        seed: An int seed (>= 0), a :class:`numpy.random.Generator`, or ``None`` (default) for
            fresh entropy.

    Returns:
        The cohort, students ``s1`` ... ``sn`` in archetype order.

    Raises:
        InvalidValueError: For ``n < 1``, an empty mix, negative weights or duplicate names,
            or a negative seed.
        InvalidTypeError: For an object that is not an archetype, or a seed that is not an int.

    Example:
        >>> from mastery_grading.simulation import LateBloomer, Steady
        >>> cohort = simulate_cohort({Steady(): 1, LateBloomer(): 3}, n=8, seed=42)
        >>> [s.archetype for s in cohort][:3], len(cohort.students[0].evidence)
        (['steady', 'steady', 'late bloomer'], 8)
        >>> simulate_cohort(n=5, seed=7) == simulate_cohort(n=5, seed=7)
        True
    """
    if not (isinstance(n, int) and not isinstance(n, bool) and n >= 1):
        msg = f"n={n!r} must be an int >= 1"
        raise InvalidValueError(msg)
    pairs = _mix(archetypes)
    target = target or LearningTarget(id="SIM", title="Simulated target")
    measurement = measurement or Measurement()
    schedule = schedule or Schedule()
    seed = check_seed(seed)
    if isinstance(seed, np.random.Generator):
        learners_rng, noise_rng = seed.spawn(2)
        recorded = None
    else:
        recorded = fresh_seed() if seed is None else seed
        learners_rng, noise_rng = stream(recorded, "cohort"), stream(recorded, "noise")
    counts = _allocate([w for _, w in pairs], n)
    plan = _Plan.of(target, measurement, schedule)
    students: list[SimulatedStudent] = []
    for (archetype, _), count in zip(pairs, counts, strict=True):
        for _ in range(count):
            learner = archetype.draw(learners_rng, target.scale)
            student_id = f"s{len(students) + 1}"
            students.append(_simulate_student(student_id, learner, plan, noise_rng))
    return Cohort(
        target=target,
        students=students,
        measurement=measurement,
        schedule=schedule,
        seed=recorded,
        mix=pairs,
    )
