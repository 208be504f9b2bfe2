"""Seeds of the simulation: fresh entropy by default, and one named stream per kind of draw.

A run seed is a non-negative int. Every kind of randomness gets its own stream, a child of the
seed's :class:`numpy.random.SeedSequence` (``SeedSequence(seed).spawn`` in the order of
:data:`STREAMS`), so that changing how much one kind draws never shifts another:

- ``cohort``: the learners' parameters (``archetype.draw``), in :func:`simulate_cohort`;
- ``noise``: when each student is assessed (random spacing) and what is observed (slips,
  guesses, measurement noise, retakes), in :func:`simulate_cohort`;
- ``redraws``: the seed of :func:`compare`'s re-drawn last scores (jitter) and sampled raised
  positions, when ``compare`` is given no seed of its own;
- ``replications``: the seeds of the further cohorts of ``compare(..., replications=k)``;
- ``bootstrap``: the resampling of students of ``compare(..., bootstrap=b)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mastery_grading._extras import require
from mastery_grading._validators import shown
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["STREAMS", "check_seed", "derived_seed", "fresh_seed", "stream"]

#: The named streams, in the order of ``SeedSequence(seed).spawn``.
STREAMS: tuple[str, ...] = ("cohort", "noise", "redraws", "replications", "bootstrap")


def fresh_seed() -> int:
    """Return a new seed from the operating system's entropy (128 bits).

    >>> isinstance(fresh_seed(), int) and fresh_seed() != fresh_seed()
    True
    """
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # drawn from the operating system: always one int
    return entropy


def check_seed(seed: Any, *, name: str = "seed") -> int | np.random.Generator | None:
    """Return ``seed`` if it is ``None``, an int >= 0 or a numpy Generator, else raise.

    Raises:
        InvalidTypeError: For anything else (a float, a string, a bool).
        InvalidValueError: For a negative int.

    >>> check_seed(3), check_seed(None)
    (3, None)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    mastery_grading.exceptions.InvalidValueError: seed=-1 must be an int >= 0, a numpy Generator or None
    """  # noqa: E501
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    expected = "must be an int >= 0, a numpy Generator or None"
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        msg = f"{name}={shown(seed)} {expected}"
        raise InvalidTypeError(msg)
    if seed < 0:
        msg = f"{name}={shown(seed)} {expected}"
        raise InvalidValueError(msg)
    return int(seed)


def _child(seed: int, name: str, index: int | None) -> np.random.SeedSequence:
    key = (STREAMS.index(name),) if index is None else (STREAMS.index(name), index)
    return np.random.SeedSequence(seed, spawn_key=key)


def stream(seed: int, name: str) -> np.random.Generator:
    """Return the generator of the stream ``name`` of ``seed``.

    It is ``default_rng(SeedSequence(seed).spawn(5)[STREAMS.index(name)])``.

    >>> a, b = stream(7, "cohort"), stream(7, "noise")
    >>> float(a.random()) != float(b.random())
    True
    >>> float(stream(7, "cohort").random()) == float(stream(7, "cohort").random())
    True
    """
    return np.random.default_rng(_child(seed, name, None))


def derived_seed(seed: int, name: str, index: int | None = None) -> int:
    """Return an int seed made from the stream ``name`` of ``seed`` (and ``index``).

    Used where the seed of a part must itself be shown and reused: the seed of ``compare``'s
    re-draws of a cohort, and the cohort seed of each replication.

    >>> derived_seed(7, "replications", 1) == derived_seed(7, "replications", 1)
    True
    >>> derived_seed(7, "replications", 1) != derived_seed(7, "replications", 2)
    True
    """
    words = _child(seed, name, index).generate_state(2, np.uint64)
    return int(words[0]) << 64 | int(words[1])
