r"""Archetypes as the literature states them: straight lines, a power curve, a step.

Studies of grading policies (the power law against the average, decaying averages, the most
recent score) simulate learners whose true level follows a simple curve, stated either over
the term or per assessment. These archetypes are those curves, each a
:class:`~mastery_grading.simulation.Archetype` with its parameters drawn per learner from
ranges given as *fractions of the scale's range* (as the other built-ins are) and kept in
the learner's ``params`` (:class:`~mastery_grading.simulation.Learner`):

- :class:`StraightLineGrowth` and :class:`LinearDecline`: a straight line over the term, from
  ``start`` on its first day to ``end`` on its last (:math:`t` is the term fraction);
- :class:`PowerGrowth`: :math:`\ell(i) = s + (e - s)(1 - 1/i)` per assessment index :math:`i`
  (1 for the first assessment), the practice curve that halves the remaining gap after the
  first assessment and approaches :math:`e`;
- :class:`Step`: a late bloomer whose level jumps from ``start`` to ``end`` at an assessment,
  given by its index.

:func:`literature_archetypes` gives these four with a steady learner, five archetypes at equal
weights.

Example:
    >>> import numpy as np
    >>> from mastery_grading import Scale
    >>> learner = Step(at=(5, 5)).draw(np.random.default_rng(0), Scale.marzano())
    >>> scheduled = learner.on_schedule([k / 8 for k in range(1, 9)])
    >>> [scheduled.level_at(k / 8) < 3 for k in range(1, 9)]
    [True, True, True, True, False, False, False, False]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from mastery_grading import _validators as v
from mastery_grading.scales import Scale
from mastery_grading.simulation._draws import (
    index_range_field,
    on,
    range_field,
    uniform,
    uniform_index,
)
from mastery_grading.simulation.learners import Archetype, Learner, Steady

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LinearDecline",
    "PowerGrowth",
    "Step",
    "StraightLineGrowth",
    "literature_archetypes",
]


@attrs.frozen
class _Line:
    """From ``start`` at the start of the term to ``end`` at its end."""

    start: float
    end: float

    def __call__(self, t: float) -> float:
        return self.start + (self.end - self.start) * t


@attrs.frozen
class _PowerCurve:
    """``start + (end - start)(1 - 1/i)`` at assessment index ``i``."""

    start: float
    end: float

    def __call__(self, i: float) -> float:
        return self.start + (self.end - self.start) * (1.0 - 1.0 / i)


@attrs.frozen
class _Step:
    """``start`` before assessment ``at``, ``end`` from it on."""

    start: float
    end: float
    at: int

    def __call__(self, i: float) -> float:
        return self.start if i < self.at else self.end


def _line(
    archetype: StraightLineGrowth | LinearDecline, rng: np.random.Generator, scale: Scale
) -> Learner:
    start = on(scale, uniform(rng, archetype.start))
    end = on(scale, uniform(rng, archetype.end))
    return Learner(
        archetype=archetype.name,
        trajectory=_Line(start, end),
        scale=scale,
        params={"start": start, "end": end},
    )


@attrs.frozen(kw_only=True)
class StraightLineGrowth:
    r"""A learner whose level grows on a straight line over the term, from a start to an end.

    :math:`\ell(t) = s + (e - s)\,t` for the term fraction :math:`t` (0 the first day, 1 the
    last, when the last assessment is), with the start :math:`s` ~ U(0.1, 0.4) of the range
    and the end :math:`e` ~ U(0.7, 1.0) (on Marzano's scale from 0.4-1.6 to 2.8-4.0). Unlike
    :class:`~mastery_grading.simulation.LinearGrowth` (a start and a gain), both ends are
    drawn.

    Args:
        name: The name shown in tables and plots.
        start: The range of the level on the first day, as fractions of the scale's range.
        end: The range of the level on the last day.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = StraightLineGrowth().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.0) == learner.params["start"], learner.final_level == learner.params["end"]
        (True, True)
    """  # noqa: E501

    name: str = attrs.field(default="straight-line growth", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.4))
    end: tuple[float, float] = range_field((0.7, 1.0))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner on a straight line (draws the start, then the end)."""
        return _line(self, rng, scale)


@attrs.frozen(kw_only=True)
class LinearDecline:
    r"""A learner who forgets at a constant pace: a straight line down over the term.

    :math:`\ell(t) = s + (e - s)\,t` with the start :math:`s` ~ U(0.7, 1.0) of the range and
    the end :math:`e` ~ U(0.3, 0.6) (on Marzano's scale from 2.8-4.0 down to 1.2-2.4).
    Unlike :class:`~mastery_grading.simulation.Decline` (an exponential approach to a floor),
    the loss is the same in every week.

    Args:
        name: The name shown in tables and plots.
        start: The range of the level on the first day, as fractions of the scale's range.
        end: The range of the level on the last day.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = LinearDecline().draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.level_at(0.0) > learner.level_at(0.5) > learner.level_at(1.0)
        True
    """

    name: str = attrs.field(default="linear decline", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.7, 1.0))
    end: tuple[float, float] = range_field((0.3, 0.6))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one declining learner (draws the start, then the end)."""
        return _line(self, rng, scale)


@attrs.frozen(kw_only=True)
class PowerGrowth:
    r"""A learner on a practice curve: each assessment closes part of the remaining gap.

    :math:`\ell(i) = s + (e - s)(1 - 1/i)` at assessment index :math:`i` (1 for the first
    assessment, ``unit="assessment"``): the start :math:`s` at the first assessment, halfway
    to :math:`e` at the second, and :math:`e - (e - s)/n` at the last of :math:`n`. The start
    is drawn from U(0.1, 0.4) of the range and the level approached, :math:`e`, from
    U(0.8, 1.0) (on Marzano's scale from 0.4-1.6 toward 3.2-4.0).

    Args:
        name: The name shown in tables and plots.
        start: The range of the level at the first assessment, as fractions of the range.
        end: The range of the level approached, as fractions of the range.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = PowerGrowth(start=(0.25, 0.25), end=(1.0, 1.0)).draw(
        ...     np.random.default_rng(0), Scale.marzano())
        >>> scheduled = learner.on_schedule([0.25, 0.5, 0.75, 1.0])
        >>> [scheduled.level_at(t) for t in (0.25, 0.5, 0.75, 1.0)]
        [1.0, 2.5, 3.0, 3.25]
    """

    name: str = attrs.field(default="power growth", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.4))
    end: tuple[float, float] = range_field((0.8, 1.0))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner on a power curve (draws the start, then the level approached)."""
        start = on(scale, uniform(rng, self.start))
        end = on(scale, uniform(rng, self.end))
        return Learner(
            archetype=self.name,
            trajectory=_PowerCurve(start, end),
            scale=scale,
            params={"start": start, "end": end},
            unit="assessment",
        )


@attrs.frozen(kw_only=True)
class Step:
    r"""A late bloomer whose level jumps at one assessment, given by its index.

    :math:`\ell(i) = s` for :math:`i < a` and :math:`e` from :math:`i = a` on, at assessment
    index :math:`i` (1 for the first assessment, ``unit="assessment"``): the student shows
    the new level from the :math:`a`-th assessment on. The start :math:`s` ~ U(0.1, 0.4) of
    the range, the end :math:`e` ~ U(0.8, 1.0) and the step's assessment :math:`a` is a whole
    number drawn uniformly from ``at`` (default 5 to 7, both included: late in a term of 8
    assessments). A step after the last assessment is never seen. Unlike
    :class:`~mastery_grading.simulation.LateBloomer` (a jump at a term fraction), the step is
    placed on the schedule's assessments.

    Args:
        name: The name shown in tables and plots.
        start: The range of the level before the step, as fractions of the scale's range.
        end: The range of the level from the step on.
        at: The range of the step's assessment index, whole numbers ``(low, high)`` with
            ``1 <= low <= high``; ``(k, k)`` puts every step at assessment ``k``.

    Raises:
        InvalidValueError: For ranges out of bounds.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = Step().draw(np.random.default_rng(0), Scale.marzano())
        >>> sorted(learner.params), 5 <= learner.params["at"] <= 7
        (['at', 'end', 'start'], True)
    """

    name: str = attrs.field(default="step", validator=v.non_empty_str)
    start: tuple[float, float] = range_field((0.1, 0.4))
    end: tuple[float, float] = range_field((0.8, 1.0))
    at: tuple[int, int] = index_range_field((5, 7))

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner with a step (draws the start, the end, then the step's index)."""
        start = on(scale, uniform(rng, self.start))
        end = on(scale, uniform(rng, self.end))
        at = uniform_index(rng, self.at)
        return Learner(
            archetype=self.name,
            trajectory=_Step(start, end, at),
            scale=scale,
            params={"start": start, "end": end, "at": float(at)},
            unit="assessment",
        )


def literature_archetypes() -> tuple[Archetype, ...]:
    """Return the five archetypes of the literature: steady, the two lines, power, step.

    Example:
        >>> [archetype.name for archetype in literature_archetypes()]
        ['steady', 'straight-line growth', 'power growth', 'linear decline', 'step']
    """
    return (Steady(), StraightLineGrowth(), PowerGrowth(), LinearDecline(), Step())
