"""Measurement: how a learner's true level becomes an observed score."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading.scales import Scale

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["Measurement"]


def _check_sd(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        v.non_negative_number(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Measurement:
    """The measurement model: noise, slips and guesses, rounding and clipping.

    An observed score is made in four steps:

    1. With probability ``slip`` the student shows nothing of what they know: the level used
       is the scale's minimum. Otherwise, with probability ``guess``, a lucky guess: the level
       used is the scale's maximum. Otherwise it is the true level.
    2. Normal noise with standard deviation ``sd`` (in scale units) is added.
    3. The score is rounded to the scale's ``step`` (when ``round_to_step`` and the scale has
       a step; exact halves round to the even step, as numpy's ``rint`` does).
    4. The score is clipped to ``[scale.min, scale.max]``, so it is always a valid score.

    Args:
        sd: The noise standard deviation in scale units; ``None`` (default) means one eighth of
            the scale's range (0.5 on Marzano's 0-4 scale, 12.5 on a 0-100 scale).
        slip: The probability of a slip, in ``[0, 1]``.
        guess: The probability of a lucky guess, in ``[0, 1]``.
        round_to_step: Whether to round to the scale's step.

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> exact = Measurement(sd=0.0)
        >>> exact.observe([2.2, 3.9, 4.0], Scale.marzano(), np.random.default_rng(0)).tolist()
        [2.0, 4.0, 4.0]
        >>> Measurement(slip=1.0, sd=0).observe([3.0], Scale.marzano(),
        ...                                     np.random.default_rng(0)).tolist()
        [0.0]
    """

    sd: float | None = attrs.field(default=None, converter=v.to_float, validator=_check_sd)
    slip: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.number_in_range(0.0, 1.0)
    )
    guess: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.number_in_range(0.0, 1.0)
    )
    round_to_step: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    def noise_sd(self, scale: Scale) -> float:
        """Return the noise standard deviation on ``scale``.

        >>> from mastery_grading import Scale
        >>> Measurement().noise_sd(Scale.percent())
        12.5
        """
        return (scale.max - scale.min) / 8 if self.sd is None else self.sd

    def observe(
        self, true_levels: Any, scale: Scale, rng: np.random.Generator
    ) -> np.ndarray[Any, Any]:
        """Return one observed score for each true level (a new float array).

        The random draws are made in a fixed order (slip, guess, noise), each for the whole
        array, so the same generator state gives the same scores.
        """
        levels = np.asarray(true_levels, dtype=float).copy()
        size = levels.shape
        slipped = rng.random(size) < self.slip
        guessed = rng.random(size) < self.guess
        levels[guessed & ~slipped] = scale.max
        levels[slipped] = scale.min
        scores = levels + rng.normal(0.0, 1.0, size) * self.noise_sd(scale)
        if self.round_to_step and scale.step is not None:
            steps = np.rint((scores - scale.min) / scale.step)
            scores = np.round(scale.min + steps * scale.step, 10)
        return np.clip(scores, scale.min, scale.max)
