"""Schedules: when a student is assessed, on what kind of assessment, and when they retake."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading._numbers import exact
from mastery_grading.exceptions import InvalidValueError

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="sim", feature="mastery_grading.simulation")

__all__ = ["Schedule"]


def _check_spacing(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in ("even", "random"):
        msg = f"{attribute.name}={value!r} must be 'even' or 'random'"
        raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class Schedule:
    """The assessment plan of a term.

    The term runs over the fraction ``t`` in ``[0, 1]``, mapped to dates from ``start`` over
    ``days`` days. There are ``n`` first attempts:

    - ``spacing="even"`` puts them at ``t = 1/n, 2/n, ..., 1`` (the last on the last day);
    - ``spacing="random"`` draws the first ``n - 1`` uniformly in ``(0, 1)`` (sorted) and keeps
      the last on the last day.

    ``formative_share`` of them are formative, spread evenly: assessment ``k`` (counting from 0)
    is formative when ``ceil((k + 1) * share)`` exceeds ``ceil(k * share)``, so each block opens
    with practice; the last one is always summative when the share is below 1.

    After a summative "not yet" (a score below the mastery threshold) a student retakes it, up
    to ``retakes`` times, each ``retake_gap`` of the term later (capped at the end of the
    term), as the same assessment (``source_id``) with the next ``attempt`` number.

    Args:
        n: The number of first attempts, at least 1.
        spacing: ``"even"`` or ``"random"``.
        formative_share: The share of formative assessments, in ``[0, 1]``.
        retakes: The most retakes per assessment after a "not yet", at least 0.
        retake_gap: The term fraction between an attempt and its retake, in ``(0, 1]``;
            ``None`` means half the gap between assessments, ``0.5 / n``.
        start: The first day of the term (timezone-aware).
        days: The length of the term in days.

    Example:
        >>> import numpy as np
        >>> schedule = Schedule(n=4, formative_share=0.5)
        >>> schedule.times(np.random.default_rng(0)).tolist()
        [0.25, 0.5, 0.75, 1.0]
        >>> schedule.formative_flags()
        (True, False, True, False)
        >>> Schedule(n=4, formative_share=0.25).formative_flags()
        (True, False, False, False)
    """

    n: int = attrs.field(default=8, validator=v.int_in_range(1))
    spacing: str = attrs.field(default="even", validator=_check_spacing)
    formative_share: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.number_in_range(0.0, 1.0)
    )
    retakes: int = attrs.field(default=0, validator=v.int_in_range(0))
    retake_gap: float | None = attrs.field(default=None, converter=v.to_float)
    start: datetime = attrs.field(
        factory=lambda: datetime(2026, 9, 1, tzinfo=UTC), validator=v.aware_datetime
    )
    days: float = attrs.field(default=112.0, converter=v.to_float, validator=v.positive_number)

    def __attrs_post_init__(self) -> None:
        gap = self.retake_gap
        if gap is not None and not (isinstance(gap, float) and 0.0 < gap <= 1.0):
            msg = f"retake_gap={gap!r} must be None or in (0.0, 1.0]"
            raise InvalidValueError(msg)

    @property
    def gap(self) -> float:
        """The term fraction between an attempt and its retake."""
        return 0.5 / self.n if self.retake_gap is None else self.retake_gap

    def times(self, rng: np.random.Generator) -> np.ndarray[Any, Any]:
        """Return the term fractions of the first attempts, ascending; the last is 1.0.

        Only ``spacing="random"`` draws from ``rng``.
        """
        if self.spacing == "even":
            return np.arange(1, self.n + 1, dtype=float) / self.n
        early = np.sort(rng.uniform(0.0, 1.0, self.n - 1))
        return np.append(early, 1.0)

    def formative_flags(self) -> tuple[bool, ...]:
        """Return, for each first attempt, whether it is formative."""
        share = exact(self.formative_share)
        flags = [math.ceil((k + 1) * share) > math.ceil(k * share) for k in range(self.n)]
        if share < 1.0 and flags and flags[-1]:
            # keep the final assessment summative; move its formative slot one earlier
            flags[-1] = False
            for k in range(self.n - 2, -1, -1):
                if not flags[k]:
                    flags[k] = True
                    break
        return tuple(flags)
