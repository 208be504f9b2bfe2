"""Scales: the range of scores on a learning target, its mastery threshold and its named levels."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.exceptions import (
    InvalidTypeError,
    InvalidValueError,
    ScoreOutOfScaleError,
    SpecError,
    SpecTypeError,
)

__all__ = ["Level", "Scale"]


@attrs.frozen(kw_only=True)
class Level:
    """A named level of a scale and the lowest value that reaches it.

    Args:
        name: What the level is called (``"meets"``), shown to students and teachers.
        minimum: The lowest value that reaches the level (inclusive).

    Example:
        >>> Level(name="meets", minimum=3.0)
        Level(name='meets', minimum=3.0)
    """

    name: str = attrs.field(validator=v.non_empty_str)
    minimum: float = attrs.field(converter=v.to_float, validator=v.finite_number)


def _to_levels(value: Iterable[Level | tuple[str, float]]) -> Any:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # _check_levels_type names it
    levels = []
    for item in value:
        if isinstance(item, tuple) and len(item) == 2:
            levels.append(Level(name=item[0], minimum=item[1]))
        else:
            levels.append(item)
    return tuple(levels)


def _check_levels_type(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        msg = (
            f"{attribute.name}={value!r} must be a list of Level objects or (name, minimum) "
            f"pairs, not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)


def _default_levels(scale: Scale) -> tuple[Level, ...]:
    bounds = (scale.min, scale.mastery)
    if not all(isinstance(b, float) and math.isfinite(b) for b in bounds):
        return ()  # the field validators report the bad bound itself
    if scale.mastery == scale.min:
        return (Level(name="mastered", minimum=scale.min),)
    return (Level(name="not yet", minimum=scale.min), Level(name="mastered", minimum=scale.mastery))


@attrs.frozen(kw_only=True)
class Scale:
    """The scale a learning target is scored on.

    A scale runs from ``min`` to ``max``; a value at or above ``mastery`` is mastered. Its
    ``levels`` partition the scale: each level starts at its ``minimum`` and runs up to the next
    level's minimum (half-open), and the first level starts at ``min``. With no levels given,
    the mastery threshold splits "not yet" from "mastered". (A *spec* with no levels reads
    differently, with Marzano's four level names: see :meth:`from_spec` and
    :meth:`with_marzano_levels`.)

    ``step`` is the granularity of raw scores (0.5 for half points). It is used to round
    simulated scores and for display; evidence scores are not required to lie on it, because
    teachers do enter values such as 2.75.

    Args:
        min: The lowest score.
        max: The highest score; greater than ``min``.
        mastery: The mastery threshold, inclusive, within ``[min, max]``.
        step: Optional granularity of raw scores, greater than 0.
        levels: Ordered levels with strictly increasing minimums; the first starts at ``min``.
            Items may be :class:`Level` objects or ``(name, minimum)`` pairs.

    Raises:
        InvalidValueError: If the bounds, threshold, step or levels are inconsistent.
        InvalidTypeError: If a value has the wrong type, such as ``levels=5``.

    Example:
        >>> scale = Scale(min=0, max=4, mastery=3)
        >>> [level.name for level in scale.levels]
        ['not yet', 'mastered']
        >>> scale.level_of(2.9).name
        'not yet'
        >>> scale.is_mastered(3.0)
        True
    """

    min: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    max: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    mastery: float = attrs.field(converter=v.to_float, validator=v.finite_number)
    step: float | None = attrs.field(
        default=None, converter=v.to_float, validator=v.optional_finite_number
    )
    levels: tuple[Level, ...] = attrs.field(
        default=attrs.Factory(_default_levels, takes_self=True),
        converter=_to_levels,
        validator=_check_levels_type,
    )

    def __attrs_post_init__(self) -> None:
        if self.max <= self.min:
            msg = f"max={self.max!r} must be greater than min={self.min!r}"
            raise InvalidValueError(msg)
        if not self.min <= self.mastery <= self.max:
            msg = f"mastery={self.mastery!r} must lie within [min, max] = [{self.min}, {self.max}]"
            raise InvalidValueError(msg)
        if self.step is not None:
            self._check_step(self.step)
        self._check_levels()

    def _check_step(self, step: float) -> None:
        if step <= 0:
            msg = f"step={step!r} must be greater than 0"
            raise InvalidValueError(msg)
        span = (exact(self.max) - exact(self.min)) / exact(step)
        if span.denominator != 1:
            msg = f"step={step!r} must divide max - min = {self.max - self.min!r} a whole time"
            raise InvalidValueError(msg)

    def _check_levels(self) -> None:
        if not self.levels:
            msg = "levels=() must hold at least one level"
            raise InvalidValueError(msg)
        for level in self.levels:
            if not isinstance(level, Level):
                msg = f"levels item {level!r} must be a Level or a (name, minimum) pair"
                raise InvalidTypeError(msg)
        first = self.levels[0]
        if first.minimum != self.min:
            msg = f"levels[0].minimum={first.minimum!r} must equal min={self.min!r}"
            raise InvalidValueError(msg)
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            msg = f"levels names {names!r} must be unique"
            raise InvalidValueError(msg)
        for lower, upper in zip(self.levels, self.levels[1:], strict=False):
            if upper.minimum <= lower.minimum:
                msg = (
                    f"levels minimums must increase strictly, but {upper.name!r} starts at "
                    f"{upper.minimum!r}, not above {lower.name!r} at {lower.minimum!r}"
                )
                raise InvalidValueError(msg)
        last = self.levels[-1]
        if last.minimum > self.max:
            msg = f"level {last.name!r} minimum={last.minimum!r} lies above max={self.max!r}"
            raise InvalidValueError(msg)

    @classmethod
    def marzano(cls) -> Scale:
        """Return Marzano's 0-4 scale with half points and mastery at 3.0.

        Levels: not yet [0, 2), approaching [2, 3), meets [3, 4), exceeds [4].

        Example:
            >>> scale = Scale.marzano()
            >>> [(level.name, level.minimum) for level in scale.levels]
            [('not yet', 0.0), ('approaching', 2.0), ('meets', 3.0), ('exceeds', 4.0)]
            >>> scale.level_of(3.5).name
            'meets'
        """
        return cls(
            min=0.0,
            max=4.0,
            mastery=3.0,
            step=0.5,
            levels=(
                Level(name="not yet", minimum=0.0),
                Level(name="approaching", minimum=2.0),
                Level(name="meets", minimum=3.0),
                Level(name="exceeds", minimum=4.0),
            ),
        )

    @classmethod
    def percent(cls, mastery: float = 80.0) -> Scale:
        """Return a 0-100 scale with the given mastery threshold (80 by default).

        Example:
            >>> Scale.percent().level_of(79.99).name
            'not yet'
            >>> Scale.percent(mastery=70).is_mastered(70)
            True
        """
        return cls(min=0.0, max=100.0, mastery=mastery)

    def contains(self, value: float) -> bool:
        """Return whether ``value`` lies within ``[min, max]``.

        >>> Scale.marzano().contains(4.5)
        False
        """
        return self.min <= value <= self.max

    def check_score(self, value: float, *, field: str = "score", where: str = "") -> None:
        """Raise :class:`~mastery_grading.exceptions.ScoreOutOfScaleError` unless ``value`` lies within the scale.

        Args:
            value: The score to check.
            field: The field name used in the message.
            where: Optional context for the message, e.g. ``" for student 's1'"``.

        Example:
            >>> Scale.marzano().check_score(5.0)
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.ScoreOutOfScaleError: score=5.0 lies outside the scale [0.0, 4.0]
        """  # noqa: E501
        if not self.contains(value):
            msg = f"{field}={value!r}{where} lies outside the scale [{self.min}, {self.max}]"
            raise ScoreOutOfScaleError(msg)

    def level_of(self, value: float) -> Level:
        """Return the level reached by ``value``: the highest level whose minimum it reaches.

        This is a floor, never rounding: on the Marzano scale 2.9 is "approaching", not
        "meets". A value below ``min`` gets the lowest level and one above ``max`` the highest.

        Example:
            >>> Scale.marzano().level_of(2.9).name
            'approaching'
            >>> Scale.marzano().level_of(3.0).name
            'meets'
        """
        chosen = self.levels[0]
        for level in self.levels[1:]:
            if value >= level.minimum:
                chosen = level
            else:
                break
        return chosen

    def is_mastered(self, value: float) -> bool:
        """Return whether ``value`` reaches the mastery threshold (inclusive).

        >>> Scale.marzano().is_mastered(2.99)
        False
        """
        return value >= self.mastery

    @classmethod
    def with_marzano_levels(
        cls, *, min: float, max: float, mastery: float, step: float | None = None
    ) -> Scale:
        """Return a scale on ``[min, max]`` with Marzano's four level names placed proportionally.

        This is what a scale spec with only ``min``, ``max`` and ``mastery`` (no ``levels``)
        reads as, so that it has the same level names as a target whose scale is left out
        (Marzano's 0-4). The levels start at:

        * *not yet*: ``min``;
        * *approaching*: two thirds of the way from ``min`` to ``mastery`` (2 on 0-4);
        * *meets*: ``mastery``;
        * *exceeds*: ``max``.

        A level that would be empty is left out: with ``mastery == max`` there is no
        *exceeds*, with ``mastery == min`` no *not yet* or *approaching*. On Marzano's range
        (0-4, mastery 3) the levels are exactly those of :meth:`marzano`.

        Args:
            min: The lowest score.
            max: The highest score; greater than ``min``.
            mastery: The mastery threshold, inclusive, within ``[min, max]``.
            step: Optional granularity of raw scores, greater than 0.

        Raises:
            InvalidValueError: If the bounds, threshold or step are inconsistent.
            InvalidTypeError: If a value has the wrong type.

        Example:
            >>> scale = Scale.with_marzano_levels(min=1, max=7, mastery=4)
            >>> [(level.name, level.minimum) for level in scale.levels]
            [('not yet', 1.0), ('approaching', 3.0), ('meets', 4.0), ('exceeds', 7.0)]
            >>> Scale.with_marzano_levels(min=0, max=4, mastery=3).levels == Scale.marzano().levels
            True
        """
        base = cls(min=min, max=max, mastery=mastery, step=step)  # validates the bounds
        low, threshold = exact(base.min), exact(base.mastery)
        candidates = [
            Level(name="not yet", minimum=base.min),
            Level(name="approaching", minimum=float(low + (threshold - low) * 2 / 3)),
            Level(name="meets", minimum=base.mastery),
        ]
        # A level below "meets" whose minimum reaches the next one's would be empty.
        levels = [
            level
            for level, above in itertools.pairwise(candidates)
            if level.minimum < above.minimum
        ]
        levels.append(candidates[-1])
        if base.max > base.mastery:
            levels.append(Level(name="exceeds", minimum=base.max))
        return attrs.evolve(base, levels=tuple(levels))

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict that :meth:`from_spec` turns back into an equal scale.

        The dict names every field, levels included, so a file written today reads the same
        whatever the defaults: ``to_spec()`` of a preset round-trips to the preset.

        Example:
            >>> Scale.percent(mastery=70).to_spec()
            {'min': 0.0, 'max': 100.0, 'mastery': 70.0, 'step': None, 'levels': [['not yet', 0.0], ['mastered', 70.0]]}
            >>> Scale.from_spec(Scale.marzano().to_spec()) == Scale.marzano()
            True
        """  # noqa: E501
        return {
            "min": self.min,
            "max": self.max,
            "mastery": self.mastery,
            "step": self.step,
            "levels": [[level.name, level.minimum] for level in self.levels],
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any] | str) -> Scale:
        """Build a scale from a spec: a preset name or a dict like the one :meth:`to_spec` returns.

        The forms a spec takes (in a targets JSON file, the value of ``"scale"``):

        * a preset name: ``"marzano"`` (:meth:`marzano`) or ``"percent"`` (:meth:`percent`,
          mastery at 80);
        * ``{"min": ..., "max": ..., "mastery": ...}``, optionally with ``"step"``; without
          ``"levels"`` it has Marzano's four level names placed on the range as
          :meth:`with_marzano_levels` places them, the same names a left-out scale has;
        * the same with ``"levels"``, a list of level objects ``{"name": ..., "minimum": ...}``
          or ``[name, minimum]`` pairs (as :meth:`to_spec` writes them), read exactly as given.

        Raises:
            SpecError: If the spec is neither a dict nor a preset name, has an unknown key,
                misses a required one, or a level is not a level object or pair; each message
                names the field (``levels[1]``), its value and what was expected.
            SpecTypeError: If a level is of the wrong type (also an ``InvalidTypeError``).
            InvalidValueError: If the values do not make a valid scale.
            InvalidTypeError: If a value has the wrong type.

        Example:
            >>> Scale.from_spec("marzano") == Scale.marzano()
            True
            >>> scale = Scale.from_spec({"min": 0, "max": 4, "mastery": 3,
            ...                          "levels": [{"name": "not yet", "minimum": 0},
            ...                                     {"name": "mastered", "minimum": 3}]})
            >>> scale.level_of(3.5).name
            'mastered'
            >>> [level.name for level in Scale.from_spec({"min": 1, "max": 5, "mastery": 4}).levels]
            ['not yet', 'approaching', 'meets', 'exceeds']
            >>> Scale.from_spec({"min": 0, "max": 4, "mastery": 3, "levels": [{"name": "low"}]})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.SpecError: scale spec levels[0]={'name': 'low'} is missing the key 'minimum'; expected a level object {"name": ..., "minimum": ...} or a [name, minimum] pair
            >>> Scale.from_spec({"min": 0, "max": 4})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.SpecError: scale spec is missing the key 'mastery'
        """  # noqa: E501
        if isinstance(spec, str):
            return _preset(spec)
        if not isinstance(spec, Mapping):
            msg = (
                f"scale spec={spec!r} must be a dict with the keys 'min', 'max' and 'mastery', "
                f"or a preset name, one of {sorted(_PRESETS)}"
            )
            raise SpecError(msg)
        allowed = {"min", "max", "mastery", "step", "levels"}
        unknown = sorted(set(spec) - allowed, key=str)
        if unknown:
            msg = f"scale spec has unknown key {unknown[0]!r}; expected keys {sorted(allowed)}"
            raise SpecError(msg)
        missing = sorted({"min", "max", "mastery"} - set(spec))
        if missing:
            msg = f"scale spec is missing the key {missing[0]!r}"
            raise SpecError(msg)
        kwargs = dict(spec)
        if "levels" not in kwargs:
            return cls.with_marzano_levels(**kwargs)
        levels = kwargs["levels"]
        if isinstance(levels, list | tuple):
            kwargs["levels"] = tuple(_level_from_spec(item, i) for i, item in enumerate(levels))
        return cls(**kwargs)


_PRESETS = {"marzano": Scale.marzano, "percent": Scale.percent}

_LEVEL_FORMS = 'a level object {"name": ..., "minimum": ...} or a [name, minimum] pair'


def _preset(name: str) -> Scale:
    if name not in _PRESETS:
        msg = f"scale spec={name!r} is not a preset; expected one of {sorted(_PRESETS)}"
        raise SpecError(msg)
    return _PRESETS[name]()


def _level_from_spec(item: Any, index: int) -> Level:
    where = f"scale spec levels[{index}]"
    if isinstance(item, Level):
        return item
    if isinstance(item, Mapping):
        unknown = sorted(set(item) - {"name", "minimum"}, key=str)
        if unknown:
            msg = f"{where} has unknown key {unknown[0]!r}; expected keys ['minimum', 'name']"
            raise SpecError(msg)
        for key in ("name", "minimum"):
            if key not in item:
                msg = f"{where}={dict(item)!r} is missing the key {key!r}; expected {_LEVEL_FORMS}"
                raise SpecError(msg)
        name, minimum = item["name"], item["minimum"]
    elif isinstance(item, list | tuple) and len(item) == 2:
        name, minimum = item
    elif isinstance(item, list | tuple):
        msg = f"{where}={item!r} must be {_LEVEL_FORMS}, not {len(item)} items"
        raise SpecError(msg)
    else:
        msg = f"{where}={item!r} must be {_LEVEL_FORMS}, not {type(item).__name__}"
        raise SpecTypeError(msg)
    try:
        return Level(name=name, minimum=minimum)
    except InvalidTypeError as error:
        msg = f"{where}.{error}"
        raise SpecTypeError(msg) from error
    except InvalidValueError as error:
        msg = f"{where}.{error}"
        raise SpecError(msg) from error
