"""Learners of Bayesian Knowledge Tracing: known parameters, for recovery studies and comparisons.

:func:`simulate_bkt` draws answers straight from the BKT model (a frame ready for
:class:`mastery_grading.bkt.BKTModel`); :class:`BKTLearner` is an archetype for
:func:`~mastery_grading.simulation.simulate_cohort`: a learner who has not mastered the target
until some assessment and has from then on (the scale's minimum, then its maximum), so that
:func:`~mastery_grading.simulation.compare` can set BKT policies against the rules.

Example:
    >>> answers = simulate_bkt(n=2, answers=3, seed=0)
    >>> list(answers.columns)
    ['student_id', 'target_id', 'correct', 'mastered', 'opportunity']
    >>> len(answers)
    6
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.scales import Scale
from mastery_grading.simulation.learners import Learner, _Jump

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = require("numpy", extra="sim", feature="simulate_bkt()")
    pd = require("pandas", extra="sim", feature="simulate_bkt()")

__all__ = ["BKTLearner", "simulate_bkt"]

_probability = v.number_in_range(0.0, 1.0)


def simulate_bkt(
    *,
    n: int,
    answers: int,
    prior: float = 0.3,
    learn: float = 0.15,
    guess: float = 0.2,
    slip: float = 0.1,
    forget: float = 0.0,
    target: str = "T",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Answers of ``n`` students, ``answers`` each, drawn from BKT with the given parameters.

    Each student starts mastered with probability ``prior``; each answer is correct with
    probability ``1 - slip`` when mastered and ``guess`` when not; after each answer an
    unmastered student learns with probability ``learn`` and a mastered one forgets with
    probability ``forget``. Rows are in time order within each student.

    Returns:
        A frame with ``student_id`` (``"s0"``, ``"s1"``, ...), ``target_id``, ``correct``
        (0/1), ``mastered`` (the hidden state when answering, 0/1) and ``opportunity`` (1 for
        the first answer).

    Raises:
        InvalidValueError: If a probability lies outside [0, 1], or ``n`` or ``answers`` is
            less than 1.

    Example:
        >>> frame = simulate_bkt(n=1000, answers=10, prior=0.0, learn=0.0, guess=0.25, seed=1)
        >>> round(float(frame["correct"].mean()), 2)
        0.25
    """
    probabilities = {"prior": prior, "learn": learn, "guess": guess, "slip": slip}
    for name, value in {**probabilities, "forget": forget}.items():
        if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
            msg = f"{name}={value!r} must be a probability in [0, 1]"
            raise InvalidValueError(msg)
    for name, count in {"n": n, "answers": answers}.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            msg = f"{name}={count!r} must be an int of at least 1"
            raise InvalidValueError(msg)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    state = rng.random(n) < prior
    states = np.empty((n, answers), dtype=np.bool_)
    correct = np.empty((n, answers), dtype=np.bool_)
    for t in range(answers):
        draw = rng.random(n)
        states[:, t] = state
        correct[:, t] = np.where(state, draw >= slip, draw < guess)
        move = rng.random(n)
        state = np.where(state, move >= forget, move < learn)
    return pd.DataFrame(
        {
            "student_id": np.repeat(np.array([f"s{i}" for i in range(n)], dtype=object), answers),
            "target_id": target,
            "correct": correct.reshape(-1).astype(np.int64),
            "mastered": states.reshape(-1).astype(np.int64),
            "opportunity": np.tile(np.arange(1, answers + 1), n),
        }
    )


@attrs.frozen(kw_only=True)
class BKTLearner:
    """A BKT learner: unmastered (the scale's minimum) until learning, mastered (its maximum) after.

    Mastered from the first assessment with probability ``prior``; otherwise learns after each
    assessment with probability ``learn``, so mastery starts at assessment ``1 + G`` with
    ``G`` geometric (never, when ``learn`` is 0). Observe it with
    ``Measurement(sd=0, slip=s, guess=g / (1 - s))`` for BKT's guess ``g`` and slip ``s`` on
    scores at the extremes (the measurement's guess applies to answers that did not slip).

    Example:
        >>> import numpy as np
        >>> from mastery_grading import Scale
        >>> learner = BKTLearner(prior=1.0).draw(np.random.default_rng(0), Scale.marzano())
        >>> learner.params["learned_at"], learner.unit
        (1.0, 'assessment')
    """

    name: str = attrs.field(default="bkt", validator=v.non_empty_str)
    prior: float = attrs.field(default=0.3, converter=v.to_float, validator=_probability)
    learn: float = attrs.field(default=0.15, converter=v.to_float, validator=_probability)

    def draw(self, rng: np.random.Generator, scale: Scale) -> Learner:
        """Return one learner: the assessment from which it has mastered the target."""
        if rng.random() < self.prior:
            at = 1.0
        elif self.learn > 0.0:
            at = 1.0 + float(rng.geometric(self.learn))
        else:
            at = math.inf
        return Learner(
            archetype=self.name,
            trajectory=_Jump(scale.min, scale.max, at),
            scale=scale,
            params={"learned_at": at},
            unit="assessment",
        )
