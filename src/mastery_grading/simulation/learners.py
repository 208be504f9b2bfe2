"""Learner models: a student's true mastery over the term, on the target's scale.

Time runs over the term as a fraction ``t`` from 0 (the first day) to 1 (the last day). A
trajectory maps ``t`` to the student's true level, or, with ``unit="assessment"``, the
*assessment index* ``i`` to it: the first assessment is index 1, the last index ``n`` (the
schedule's number of assessments), and between two assessments (a retake) the index grows with
time in proportion, so a retake halfway between the 3rd and 4th assessment is at 3.5 (before
the first assessment it is 1). Built-in archetypes draw the parameters of their trajectory
from uniform distributions stated as *fractions of the scale's range*: a fraction ``u`` means
the level ``scale.min + u * (scale.max - scale.min)``, so the same archetype fits Marzano's
0-4 scale and a 0-100 scale. Levels are always clipped to the scale. The archetypes as the
literature states them (straight-line growth, power growth, linear decline, a step at an
assessment) are in :mod:`mastery_grading.simulation.literature`.

Any callable ``t -> level`` (or ``i -> level``) is a trajectory, so custom learner models need
no subclassing: wrap it in :class:`CustomArchetype`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args, runtime_checkable

import attrs

from mastery_grading import _validators as v
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale
from mastery_grading.simulation._draws import check_rate_range, on, pair, range_field, uniform

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "AlreadyMastered",
    "Archetype",
    "CustomArchetype",
    "Decline",
    "FastThenPlateau",
    "LateBloomer",
    "Learner",
    "LinearGrowth",
    "Steady",
    "builtin_archetypes",
]

#: A trajectory: the true level at term fraction ``t`` (0 = start, 1 = end of term), or at
#: assessment index ``i`` (1 = the first assessment) for a learner of ``unit="assessment"``.
Trajectory = Callable[[float], float]
#: What a trajectory's argument is: the term fraction ``t`` or the assessment index ``i``.
Unit = Literal["term", "assessment"]


def _to_params(value: Mapping[str, float]) -> dict[str, float]:
    return dict(value)


def _to_times(value: Iterable[float] | None) -> tuple[float, ...] | None:
    return None if value is None else tuple(float(t) for t in value)


def _check_times(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    ordered = all(0.0 <= a <= b <= 1.0 for a, b in itertools.pairwise(value))
    if not value or not ordered or not 0.0 <= value[0] or value[-1] != 1.0:
        msg = (
            f"{attribute.name}={value!r} must be the term fractions of the assessments, "
            "ascending in [0, 1] with the last at 1.0"
        )
        raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class Learner:
    """One simulated learner: an archetype name, a trajectory and the parameters drawn for it.

    Args:
        archetype: The name of the archetype the learner was drawn from.
        trajectory: The true level at term fraction ``t`` in ``[0, 1]`` (or at assessment
            index ``i``, see ``unit``).
        scale: The scale the level lives on; :meth:`level_at` clips to it.
        params: The parameters drawn for this learner (for display and analysis; a comparison
            shows them as columns ``param_<name>`` of its students table).
        unit: ``"term"`` (default): the trajectory gets the term fraction ``t``;
            ``"assessment"``: it gets the assessment index ``i`` (1 for the first assessment,
            fractional between two assessments; see the module documentation).
        times: The term fractions of the learner's assessments (first attempts), which map a
            moment to an assessment index; a cohort sets them (:meth:`on_schedule`).

    Raises:
        InvalidValueError: For an unknown ``unit`` or ``times`` that are not ascending in
            ``[0, 1]`` with the last at 1.

    Example:
        >>> from mastery_grading import Scale
        >>> learner = Learner(archetype="linear", trajectory=lambda t: 1 + 3 * t,
        ...                   scale=Scale.marzano())
        >>> learner.level_at(0.5), learner.level_at(1.0)
        (2.5, 4.0)
        >>> practice = Learner(archetype="practice", trajectory=lambda i: 4 - 4 / i,
        ...                    scale=Scale.marzano(), unit="assessment")
        >>> scheduled = practice.on_schedule([0.25, 0.5, 0.75, 1.0])
        >>> scheduled.level_at(0.5), scheduled.index_at(0.625), scheduled.final_level
        (2.0, 2.5, 3.0)
    """

    archetype: str = attrs.field(validator=v.non_empty_str)
    trajectory: Trajectory = attrs.field(eq=False)
    scale: Scale = attrs.field(validator=v.instance_of(Scale, "a Scale"))
    params: Mapping[str, float] = attrs.field(factory=dict, converter=_to_params)
    unit: Unit = attrs.field(default="term", validator=v.one_of(get_args(Unit)))
    times: tuple[float, ...] | None = attrs.field(
        default=None, converter=_to_times, validator=_check_times
    )

    def on_schedule(self, times: Iterable[float]) -> Learner:
        """Return this learner assessed at term fractions ``times`` (ascending, the last 1).

        A learner of ``unit="term"`` is returned as is: its level does not depend on the
        schedule.
        """
        if self.unit == "term":
            return self
        return attrs.evolve(self, times=times)

    def index_at(self, t: float) -> float:
        """Return the assessment index at term fraction ``t`` (1 before the first assessment).

        The index is ``k`` at the ``k``-th assessment and grows with time in proportion
        between two of them.

        Raises:
            InvalidValueError: If the learner has no assessment ``times`` yet.
        """
        times = self.times
        if times is None:
            msg = (
                f"learner of archetype {self.archetype!r} has no assessment times; "
                "call on_schedule(times) first (a cohort does)"
            )
            raise InvalidValueError(msg)
        t = float(t)
        k = bisect.bisect_right(times, t)
        if k == 0:
            return 1.0
        if k == len(times):
            return float(len(times))
        before, after = times[k - 1], times[k]
        share = (t - before) / (after - before) if after > before else 0.0
        return k + share

    def level_at(self, t: float) -> float:
        """Return the true level at term fraction ``t``, clipped to the scale.

        A learner of ``unit="assessment"`` reads its trajectory at :meth:`index_at` ``(t)``.

        Raises:
            InvalidValueError: If the trajectory returns a value that is not a finite number.

        >>> from mastery_grading import Scale
        >>> Learner(archetype="x", trajectory=lambda t: 9.0, scale=Scale.marzano()).level_at(0)
        4.0
        """
        at = self.index_at(t) if self.unit == "assessment" else float(t)
        value = float(self.trajectory(at))
        if not math.isfinite(value):
            name = "i" if self.unit == "assessment" else "t"
            msg = f"trajectory of archetype {self.archetype!r} returned {value!r} at {name}={at!r}"
            raise InvalidValueError(msg)
        return min(max(value, self.scale.min), self.scale.max)

    @property
    def final_level(self) -> float:
        """The true level at the end of the term (``t = 1``)."""
        return self.level_at(1.0)


@runtime_checkable
class Archetype(Protocol):
    """What a cohort needs from an archetype: a name and a way to draw one learner.

    ``draw(rng, scale)`` must use only ``rng`` for randomness, so that a seeded cohort is
    reproducible.
    """

    @property
    def name(self) -> str:
        """The name shown in tables and plots."""
        ...

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner with parameters drawn from ``rng``."""
        ...


@attrs.frozen
class _Constant:
    level: float

    def __call__(self, t: float) -> float:
        return self.level


@attrs.frozen
class _Linear:
    start: float
    end: float

    def __call__(self, t: float) -> float:
        return self.start + (self.end - self.start) * t


@attrs.frozen
class _Approach:
    """Exponential approach from ``start`` to ``goal``: growth to a plateau, or forgetting."""

    start: float
    goal: float
    speed: float

    def __call__(self, t: float) -> float:
        return self.goal - (self.goal - self.start) * math.exp(-self.speed * t)


@attrs.frozen
class _Jump:
    start: float
    end: float
    at: float

    def __call__(self, t: float) -> float:
        return self.start if t < self.at else self.end


@attrs.frozen(kw_only=True)
class Steady:
    """A learner whose true level does not change during the term.

    The level is drawn from ``level`` = U(0.25, 0.95) of the range (1.0 to 3.8 on Marzano's
    0-4 scale).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = Steady().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.0) == learner.level_at(1.0)
        True
    """

    name: str = attrs.field(default="steady", validator=v.non_empty_str)
    level: tuple[float, float] = range_field((0.25, 0.95))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one steady learner."""
        level = on(scale, uniform(rng, self.level))
        return Learner(
            archetype=self.name, trajectory=_Constant(level), scale=scale, params={"level": level}
        )


@attrs.frozen(kw_only=True)
class LinearGrowth:
    """A learner who improves at a constant pace.

    ``start`` ~ U(0.1, 0.5) of the range and ``gain`` ~ U(0.3, 0.6) of the range, so the level
    grows linearly from ``start`` to ``start + gain`` (clipped to the scale) over the term; on
    Marzano's scale from 0.4-2.0 to 1.6-4.0.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = LinearGrowth().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(1.0) > learner.level_at(0.5) > learner.level_at(0.0)
        True
    """

    name: str = attrs.field(default="linear growth", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.5))
    gain: tuple[float, float] = range_field((0.3, 0.6))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one linearly growing learner."""
        start = on(scale, uniform(rng, self.start))
        end = min(start + uniform(rng, self.gain) * (scale.max - scale.min), scale.max)
        return Learner(
            archetype=self.name,
            trajectory=_Linear(start, end),
            scale=scale,
            params={"start": start, "end": end},
        )


@attrs.frozen(kw_only=True)
class FastThenPlateau:
    r"""A learner who learns fast early and then levels off.

    :math:`\ell(t) = p - (p - s)\,e^{-k t}` with the start ``s`` ~ U(0.1, 0.4) of the range,
    the plateau ``p`` ~ U(0.7, 1.0) of the range and the speed ``k`` ~ U(4, 10) per term (so
    most of the growth happens in the first quarter to half of the term).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = FastThenPlateau().draw(np.random.default_rng(0), Scale.marzano())
        >>> gain_early = learner.level_at(0.25) - learner.level_at(0.0)
        >>> gain_late = learner.level_at(1.0) - learner.level_at(0.75)
        >>> gain_early > gain_late > 0
        True
    """

    name: str = attrs.field(default="fast then plateau", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.4))
    plateau: tuple[float, float] = range_field((0.7, 1.0))
    speed: tuple[float, float] = attrs.field(
        default=(4.0, 10.0), converter=pair, validator=check_rate_range
    )

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one fast-then-plateau learner."""
        start = on(scale, uniform(rng, self.start))
        plateau = on(scale, uniform(rng, self.plateau))
        speed = uniform(rng, self.speed)
        return Learner(
            archetype=self.name,
            trajectory=_Approach(start, plateau, speed),
            scale=scale,
            params={"start": start, "plateau": plateau, "speed": speed},
        )


@attrs.frozen(kw_only=True)
class LateBloomer:
    """A learner who stays low, then jumps up late in the term.

    The level is ``start`` ~ U(0.1, 0.4) of the range until the jump at term fraction
    ``jump_at`` ~ U(0.55, 0.8), and ``end`` ~ U(0.8, 1.0) of the range after it (on Marzano's
    scale: from 0.4-1.6 to 3.2-4.0).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = LateBloomer().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.5) < learner.scale.mastery <= learner.level_at(1.0)
        True
    """

    name: str = attrs.field(default="late bloomer", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.4))
    end: tuple[float, float] = range_field((0.8, 1.0))
    jump_at: tuple[float, float] = range_field((0.55, 0.8))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one late bloomer."""
        start = on(scale, uniform(rng, self.start))
        end = on(scale, uniform(rng, self.end))
        at = uniform(rng, self.jump_at)
        return Learner(
            archetype=self.name,
            trajectory=_Jump(start, end, at),
            scale=scale,
            params={"start": start, "end": end, "jump_at": at},
        )


@attrs.frozen(kw_only=True)
class Decline:
    r"""A learner who forgets: the level decays from a high start toward a lower floor.

    :math:`\ell(t) = f + (s - f)\,e^{-k t}` with the start ``s`` ~ U(0.75, 1.0) of the range,
    the floor ``f`` ~ U(0.3, 0.6) of the range and the speed ``k`` ~ U(1, 4) per term.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = Decline().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.0) > learner.level_at(1.0)
        True
    """

    name: str = attrs.field(default="decline", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.75, 1.0))
    floor: tuple[float, float] = range_field((0.3, 0.6))
    speed: tuple[float, float] = attrs.field(
        default=(1.0, 4.0), converter=pair, validator=check_rate_range
    )

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one declining learner."""
        start = on(scale, uniform(rng, self.start))
        floor = on(scale, uniform(rng, self.floor))
        speed = uniform(rng, self.speed)
        return Learner(
            archetype=self.name,
            trajectory=_Approach(start, floor, speed),
            scale=scale,
            params={"start": start, "floor": floor, "speed": speed},
        )


@attrs.frozen(kw_only=True)
class AlreadyMastered:
    """A learner who has mastered the target before the term starts and stays there.

    The constant level is drawn uniformly between the scale's mastery threshold and its
    maximum (3.0 to 4.0 on Marzano's scale).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = AlreadyMastered().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.scale.is_mastered(learner.level_at(0.0))
        True
    """

    name: str = attrs.field(default="already mastered", validator=v.non_empty_str)

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner who has already mastered the target."""
        level = float(rng.uniform(scale.mastery, scale.max))
        return Learner(
            archetype=self.name, trajectory=_Constant(level), scale=scale, params={"level": level}
        )


@attrs.frozen(kw_only=True)
class CustomArchetype:
    """An archetype from your own trajectory, fixed or drawn at random.

    Give exactly one of ``trajectory`` (the same curve for every learner, in scale units) or
    ``factory`` (``(rng, scale) -> trajectory``, called once per learner, which must draw its
    randomness from ``rng`` so that cohorts stay reproducible). A factory may also return a
    pair ``(trajectory, params)``: the parameters it drew, by name, which the learner carries
    into a comparison's students table (columns ``param_<name>``).

    With ``unit="term"`` (default) a trajectory gets the term fraction ``t`` (0 the first
    day, 1 the last); with ``unit="assessment"`` it gets the assessment index ``i``: 1 at
    the first assessment, ``n`` at the last (the schedule's ``n``), fractional for a retake
    between two assessments, as :class:`Learner` says.

    Args:
        name: The archetype name shown in tables and plots.
        trajectory: A fixed trajectory for every learner.
        factory: A function drawing one trajectory (or trajectory and parameters) per learner.
        unit: What the trajectory gets: ``"term"`` or ``"assessment"``.

    Raises:
        InvalidValueError: Unless exactly one of ``trajectory`` and ``factory`` is given, or
            for an unknown ``unit``.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> dip = CustomArchetype(name="mid-term dip",
        ...                       trajectory=lambda t: 3.5 - 2.0 * (t > 0.4) * (t < 0.6))
        >>> learner = dip.draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.5), learner.level_at(1.0)
        (1.5, 3.5)
        >>> noisy_start = CustomArchetype(
        ...     name="random constant",
        ...     factory=lambda rng, scale: (lambda t, c=rng.uniform(scale.min, scale.max): c))
        >>> 0.0 <= noisy_start.draw(np.random.default_rng(1), Scale.marzano()).level_at(0) <= 4.0
        True

        Per assessment, with the parameter drawn for each learner:

        >>> def practice(rng, scale):
        ...     gain = float(rng.uniform(1.0, 3.0))
        ...     return (lambda i: 1.0 + gain * (1 - 1 / i)), {"gain": gain}
        >>> learners = CustomArchetype(name="practice", factory=practice, unit="assessment")
        >>> learner = learners.draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.on_schedule([0.5, 1.0]).level_at(1.0) == 1.0 + learner.params["gain"] / 2
        True
    """

    name: str = attrs.field(validator=v.non_empty_str)
    trajectory: Trajectory | None = attrs.field(default=None, eq=False)
    factory: Callable[[np.random.Generator, Scale], Any] | None = attrs.field(
        default=None, eq=False
    )
    unit: Unit = attrs.field(default="term", validator=v.one_of(get_args(Unit)))

    def __attrs_post_init__(self) -> None:
        if (self.trajectory is None) == (self.factory is None):
            msg = (
                f"CustomArchetype {self.name!r} needs exactly one of trajectory= and factory=, "
                f"got {'both' if self.trajectory is not None else 'neither'}"
            )
            raise InvalidValueError(msg)

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner following the custom trajectory.

        Raises:
            InvalidValueError: If the factory returns neither a trajectory nor a pair of a
                trajectory and a mapping of parameters.
        """
        params: Mapping[str, float] = {}
        if self.trajectory is not None:
            trajectory = self.trajectory
        else:
            assert self.factory is not None  # checked in __attrs_post_init__
            drawn = self.factory(rng, scale)
            if isinstance(drawn, tuple) and len(drawn) == 2 and isinstance(drawn[1], Mapping):
                trajectory, params = drawn
            else:
                trajectory = drawn
            if not callable(trajectory):
                msg = (
                    f"factory of CustomArchetype {self.name!r} returned {drawn!r}; expected a "
                    "trajectory or a pair (trajectory, params)"
                )
                raise InvalidValueError(msg)
        return Learner(
            archetype=self.name, trajectory=trajectory, scale=scale, params=params, unit=self.unit
        )


def builtin_archetypes() -> tuple[Archetype, ...]:
    """Return the six built-in archetypes with their default distributions.

    Example:
        >>> [archetype.name for archetype in builtin_archetypes()]
        ['steady', 'linear growth', 'fast then plateau', 'late bloomer', 'decline', 'already mastered']
    """  # noqa: E501
    return (
        Steady(),
        LinearGrowth(),
        FastThenPlateau(),
        LateBloomer(),
        Decline(),
        AlreadyMastered(),
    )
