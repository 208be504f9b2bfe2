"""Average cutoffs: average the target values and map the average to a letter.

The cutoffs are half-open intervals ``[lower, next_lower)``, so a table written with two-decimal
endpoints ("B 2.50-2.99, A 3.00-4.00") leaves no gap at 2.995: it lies in B's ``[2.5, 3.0)``.
Boundaries are compared exactly. Each value (and each cutoff) is read as the simplest fraction
whose correctly rounded float is that value (:func:`~mastery_grading.grades.read_value`):
a short decimal such as 2.8 stays 14/5, and a mean of 8/3 stored as 2.6666666666666665 is 8/3.
The values are then averaged as fractions, so the mean of 2.8 and 3.2 is exactly 3.0, and so is
the mean of 8/3, 8/3 and 11/3; both reach A.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar, Literal, TypedDict

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import fmt, fmt_within, read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, SpecError
from mastery_grading.grades._convert import convert_with
from mastery_grading.grades._decider import (
    ConverterClaim,
    Counted,
    MissingChoice,
    OnGap,
    Plan,
    check_letter,
    check_missing,
)
from mastery_grading.grades._spec import build_from_spec, register_converter, start_spec
from mastery_grading.grades.report import GradeReport
from mastery_grading.results import TargetResult

__all__ = ["AverageCutoffs", "AverageCutoffsSpec", "Cutoff"]


class AverageCutoffsSpec(TypedDict):
    """The spec of :class:`AverageCutoffs`: ``cutoffs`` are ``[letter, lower]`` pairs.

    Example:
        >>> spec: AverageCutoffsSpec = {"converter": "average_cutoffs",
        ...     "cutoffs": [["P", 3.0], ["N", 0.0]], "weighted": False, "missing": "exclude"}
        >>> AverageCutoffs.from_spec(spec).letters
        ('P', 'N')
    """

    converter: Literal["average_cutoffs"]
    cutoffs: list[list[str | float]]
    weighted: bool
    missing: MissingChoice


@attrs.frozen(kw_only=True)
class Cutoff:
    """A letter and the lowest average that earns it (inclusive).

    Example:
        >>> Cutoff(letter="A", lower=3.0)
        Cutoff(letter='A', lower=3.0)
    """

    letter: str = attrs.field(validator=v.non_empty_str)
    lower: float = attrs.field(converter=v.to_float, validator=v.finite_number)


def _to_cutoffs(value: Iterable[Cutoff | tuple[str, float]]) -> tuple[Cutoff, ...]:
    items = []
    for item in value:
        if isinstance(item, tuple | list) and len(item) == 2:
            items.append(Cutoff(letter=item[0], lower=item[1]))
        else:
            items.append(item)
    return tuple(items)


def _check_cutoffs(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        msg = f"{attribute.name}=() must hold at least one cutoff"
        raise InvalidValueError(msg)
    for item in value:
        if not isinstance(item, Cutoff):
            msg = f"{attribute.name} item {item!r} must be a Cutoff or a (letter, lower) pair"
            raise InvalidTypeError(msg)
        check_letter("letter", item.letter)
    letters = [item.letter for item in value]
    if len(set(letters)) != len(letters):
        msg = f"{attribute.name} letters {letters!r} must be unique"
        raise InvalidValueError(msg)
    for upper, lower in itertools.pairwise(value):
        if read_value(lower.lower) >= read_value(upper.lower):
            msg = (
                f"{attribute.name} must be listed best first with strictly decreasing lower "
                f"bounds, but {lower.letter!r} starts at {lower.lower!r}, not below "
                f"{upper.letter!r} at {upper.lower!r}"
            )
            raise InvalidValueError(msg)


def _cheapest_raise(
    chosen: list[Counted],
    options: dict[int, tuple[Fraction, ...]],
    needed: Fraction,
    step: Fraction,
) -> dict[int, Fraction] | None:
    """New values for ``chosen`` with the smallest total raise of at least ``needed``.

    Each target moves at least to its next grid point; the extra raise comes in grid steps and
    goes to the targets latest in input order first. ``None`` when they cannot raise enough.
    """
    first = {i.position: options[i.position][0] for i in chosen}
    top = {i.position: options[i.position][-1] for i in chosen}
    base = sum((first[i.position] - i.value for i in chosen), Fraction(0))
    extra = Fraction(0)
    if needed > base:
        extra = -((base - needed) // step) * step  # round the missing raise up to the grid
    room = sum((top[i.position] - first[i.position] for i in chosen), Fraction(0))
    if extra > room:
        return None
    plan = dict(first)
    for item in sorted(chosen, key=lambda i: i.position, reverse=True):
        add = min(extra, top[item.position] - first[item.position])
        plan[item.position] += add
        extra -= add
    return plan


@register_converter
@attrs.frozen(kw_only=True)
class AverageCutoffs:
    r"""Average the target values, optionally weighted, and map the average through cutoffs.

    .. math::

        \bar x = \frac{\sum_i w_i x_i}{\sum_i w_i}, \qquad
        \text{letter} = \ell_j \text{ for the first } j \text{ with } \bar x \ge c_j

    with :math:`w_i` the target weights (all 1 unless ``weighted``) and the cutoffs
    :math:`c_1 > c_2 > \dots` listed best first. Each letter covers ``[lower, next_lower)``;
    the last letter also covers everything below its lower bound, so every average gets exactly
    one letter. Used by many standards-based report cards (Marzano 2010, p. 105).

    All counted targets must share one scale range (averaging a 0-4 and a 0-100 target means
    nothing). The converter has no scale of its own: its cutoffs are numbers on the targets'
    scale. A letter above the top of the scale is allowed (a letter nobody can reach yet), but
    when no cutoff but the last (which also covers everything below it) lies within a target's
    ``[min, max]``, the cutoffs are on another scale: percent cutoffs (A from 90) over a 0-4
    target are refused, naming the target, its scale and the cutoffs, instead of giving every
    student the lowest letter.

    Values are read exactly: each value, weight and cutoff is read as the simplest fraction
    whose correctly rounded float it is (:func:`~mastery_grading.grades.read_value`), and the
    average is computed on those fractions. So 2.8 counts as 14/5, and results of 8/3, 8/3 and
    11/3 (a mean policy's thirds, stored as 2.6666666666666665 and 3.6666666666666665) average
    to exactly 3.0, an A. The reason shows the average cut, never rounded, to 4 places
    (``2.9999…``), so it never reads as lying across a cutoff.

    Args:
        cutoffs: Letters and lower bounds, best first, lower bounds strictly decreasing. Items
            may be :class:`Cutoff` objects or ``(letter, lower)`` pairs.
        weighted: Weight each target by its ``weight`` (e.g. 2 for a power standard).
        missing: How a target without a result counts: ``"incomplete"`` (default),
            ``"not_yet"`` or ``"exclude"`` (see :mod:`mastery_grading.grades.missing`).

    Attributes:
        claims: Always monotone (raising a value never lowers the average), complete and
            unambiguous (the intervals partition the line).

    Raises:
        InvalidValueError: If the cutoffs are empty, not strictly decreasing, or repeat a
            letter.

    Example:
        >>> cutoffs = AverageCutoffs.marzano_2010()
        >>> [cutoffs.letter_for(x) for x in (3.0, 2.995, 2.5, 0.99)]
        ['A', 'B', 'B', 'F']
    """

    spec_name: ClassVar[Literal["average_cutoffs"]] = "average_cutoffs"
    claims: ClassVar[frozenset[ConverterClaim]] = frozenset({"monotone", "complete", "unambiguous"})

    cutoffs: tuple[Cutoff, ...] = attrs.field(converter=_to_cutoffs, validator=_check_cutoffs)
    weighted: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    missing: MissingChoice = attrs.field(default="incomplete", validator=check_missing)

    @classmethod
    def marzano_2010(cls, **kwargs: Any) -> AverageCutoffs:
        """Marzano (2010, p. 105): A from 3.00, B from 2.50, C from 2.00, D from 1.00, else F.

        Args:
            **kwargs: Other fields, such as ``weighted`` or ``missing``.

        Example:
            >>> AverageCutoffs.marzano_2010().letter_for(2.9999999)
            'B'
        """
        return cls(cutoffs=(("A", 3.0), ("B", 2.5), ("C", 2.0), ("D", 1.0), ("F", 0.0)), **kwargs)

    @classmethod
    def percent(cls, **kwargs: Any) -> AverageCutoffs:
        """The common percent table: A from 90, B from 80, C from 70, D from 60, else F.

        Example:
            >>> AverageCutoffs.percent().letter_for(89.99)
            'B'
        """
        return cls(
            cutoffs=(("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0), ("F", 0.0)), **kwargs
        )

    @classmethod
    def rutland(cls, **kwargs: Any) -> AverageCutoffs:
        """Rutland (VT) High School's average-to-percent bands, after Marzano's handbook.

        3.75-4.00 → 97-100, 3.26-3.74 → 93-96, 3.00-3.25 → 90-92, 2.50-2.99 → 80-89,
        2.00-2.49 → 70-79, 1.50-1.99 → 66-69, 0.00-1.49 → 50-65 (the course must be
        repeated). The "letters" are the percent bands. As half-open intervals, 3.255 lies in
        90-92 and 3.745 in 93-96: the printed table has gaps there.

        Example:
            >>> cutoffs = AverageCutoffs.rutland()
            >>> [cutoffs.letter_for(x) for x in (3.75, 3.745, 3.26, 3.255, 1.5, 1.49)]
            ['97-100', '93-96', '93-96', '90-92', '66-69', '50-65']
        """
        return cls(
            cutoffs=(
                ("97-100", 3.75),
                ("93-96", 3.26),
                ("90-92", 3.0),
                ("80-89", 2.5),
                ("70-79", 2.0),
                ("66-69", 1.5),
                ("50-65", 0.0),
            ),
            **kwargs,
        )

    @property
    def letters(self) -> tuple[str, ...]:
        """The letters, best first.

        >>> AverageCutoffs.percent().letters
        ('A', 'B', 'C', 'D', 'F')
        """
        return tuple(item.letter for item in self.cutoffs)

    def describe(self) -> str:
        """A short description: each letter and where it starts; use it in messages.

        >>> print(AverageCutoffs.marzano_2010())
        average cutoffs: A from 3.0, B from 2.5, C from 2.0, D from 1.0, else F
        >>> AverageCutoffs.percent(weighted=True).describe()[:40]
        'weighted average cutoffs: A from 90.0, B'
        """
        *upper, last = self.cutoffs
        parts = [f"{item.letter} from {item.lower!r}" for item in upper]
        parts.append(f"else {last.letter}" if upper else f"always {last.letter}")
        kind = "weighted average" if self.weighted else "average"
        return f"{kind} cutoffs: " + ", ".join(parts)

    def __str__(self) -> str:
        return self.describe()

    def _index_for(self, average: Fraction) -> int:
        for index, item in enumerate(self.cutoffs):
            if average >= read_value(item.lower):
                return index
        return len(self.cutoffs) - 1

    def letter_for(self, average: float | Fraction) -> str:
        """Return the letter of a single average, compared exactly at the boundaries.

        A float is read as the simplest fraction whose correctly rounded float it is (see
        :func:`~mastery_grading.grades.read_value`): ``2.9999999`` stays below 3.0, and
        ``8 / 3`` (the float ``2.6666666666666665``) is 8/3.

        Example:
            >>> AverageCutoffs.marzano_2010().letter_for(3)
            'A'
        """
        if isinstance(average, bool) or not isinstance(average, int | float | Fraction):
            msg = f"average={average!r} must be a number, not {type(average).__name__}"
            raise InvalidTypeError(msg)
        value = average if isinstance(average, Fraction) else read_value(average)
        return self.cutoffs[self._index_for(value)].letter

    def interval_for(self, average: float | Fraction) -> str:
        """Return the interval of the letter of ``average`` in words.

        Example:
            >>> AverageCutoffs.marzano_2010().interval_for(2.75)
            '[2.5, 3.0)'
        """
        value = average if isinstance(average, Fraction) else read_value(average)
        low, high = self._bounds(self._index_for(value))
        left = "(-∞" if low is None else f"[{low!r}"
        right = "∞)" if high is None else f"{high!r})"
        return f"{left}, {right}"

    def _bounds(self, index: int) -> tuple[float | None, float | None]:
        """The lower and upper end of letter ``index``'s interval, ``None`` for no end."""
        last = index == len(self.cutoffs) - 1
        low = None if last else self.cutoffs[index].lower  # the last letter covers all below
        high = None if index == 0 else self.cutoffs[index - 1].lower
        return low, high

    def average(self, counted: Sequence[Counted]) -> Fraction:
        """Return the exact (weighted) average of counted values.

        Raises:
            InvalidValueError: If the targets lie on scales with different ranges.

        Example:
            >>> from fractions import Fraction
            >>> from mastery_grading import LearningTarget, Scale, policies
            >>> from mastery_grading.grades import Counted
            >>> result = policies.Mean().evaluate([], LearningTarget(id="T", title="Ratios"))
            >>> counted = [Counted(position=i, result=result, value=Fraction(v))
            ...            for i, v in enumerate([3, 2, "5/2"])]
            >>> AverageCutoffs.marzano_2010().average(counted)
            Fraction(5, 2)
        """
        ranges = {(item.result.target.scale.min, item.result.target.scale.max) for item in counted}
        if len(ranges) > 1:
            msg = (
                f"results lie on scales with different ranges {sorted(ranges)}; "
                "average cutoffs need one scale"
            )
            raise InvalidValueError(msg)
        weights = [
            read_value(item.result.target.weight) if self.weighted else Fraction(1)
            for item in counted
        ]
        total = sum((w * item.value for w, item in zip(weights, counted, strict=True)), Fraction(0))
        return total / sum(weights, Fraction(0))

    def _decide(self, counted: Sequence[Counted]) -> tuple[str, str]:
        average = self.average(counted)
        index = self._index_for(average)
        letter = self.cutoffs[index].letter
        kind = "weighted average" if self.weighted else "average"
        low, high = (None if end is None else read_value(end) for end in self._bounds(index))
        shown = fmt_within(average, low, high)
        return letter, f"{kind} {shown} lies in {self.interval_for(average)}: {letter}"

    def _check_targets(self, results: Sequence[TargetResult]) -> None:
        """Refuse a target whose scale none of the cutoffs (but the last) lies on."""
        *upper, _ = self.cutoffs
        if not upper:
            return
        for result in results:
            scale = result.target.scale
            if any(scale.min <= item.lower <= scale.max for item in upper):
                continue
            msg = (
                f"target {result.target.id!r} is on the scale [{scale.min!r}, {scale.max!r}], "
                f"but no cutoff lies on it ({self.describe()}); the cutoffs are on another "
                "scale: choose cutoffs on the targets' scale"
            )
            raise InvalidValueError(msg)

    def _describe_profile(self, counted: Sequence[Counted]) -> str:
        """The counted values in input order (averages never leave a gap)."""
        return ", ".join(fmt(item.value) for item in counted)

    def _raise_candidates(self, item: Counted) -> tuple[Fraction, ...]:
        scale = item.result.target.scale
        low, high = read_value(scale.min), read_value(scale.max)
        step = read_value(scale.step) if scale.step is not None else (high - low) / 100
        count = int((high - low) / step)
        return tuple(p for p in (low + k * step for k in range(count + 1)) if p > item.value)

    def _interchange_key(self, item: Counted) -> Hashable:
        target = item.result.target
        return (item.value, target.weight if self.weighted else 1.0, target.scale)

    def _plan(
        self, counted: tuple[Counted, ...], goal_rank: int, budget: int
    ) -> tuple[Plan, bool, bool] | None:
        """The smallest plan for equal weights, computed per set of targets (see ``report``).

        Returns ``None`` (use the generic search) when weights differ or scales differ.
        """
        weights = {item.result.target.weight if self.weighted else 1.0 for item in counted}
        scales = {item.result.target.scale for item in counted}
        if len(weights) != 1 or len(scales) != 1:
            return None
        weight = read_value(weights.pop())
        goal_lower = read_value(self.cutoffs[goal_rank].lower)
        total = sum((item.value for item in counted), Fraction(0))
        needed = goal_lower * len(counted) - total  # the total raise, unweighted
        options = {item.position: self._raise_candidates(item) for item in counted}
        classes: dict[Fraction, list[Counted]] = {}
        for item in sorted(counted, key=lambda item: (item.value, item.position)):
            if options[item.position]:
                classes.setdefault(item.value, []).append(item)
        keys = list(classes)
        if (
            sum(
                (max(options[i.position]) - i.value for i in counted if options[i.position]),
                Fraction(0),
            )
            < needed
        ):
            return None, False, True
        scale = scales.pop()
        step = (
            read_value(scale.step)
            if scale.step is not None
            else (read_value(scale.max) - read_value(scale.min)) / 100
        )
        del weight  # equal weights cancel: the average only depends on the total raise
        evaluations = 0
        for size in range(1, len(counted) + 1):
            best: tuple[Any, ...] | None = None
            for combo in itertools.combinations_with_replacement(range(len(keys)), size):
                chosen: list[Counted] = []
                for index in sorted(set(combo)):
                    take = combo.count(index)
                    members = classes[keys[index]]
                    if take > len(members):
                        break
                    chosen.extend(members[:take])
                else:
                    evaluations += 1
                    if evaluations > budget:
                        return (best[-1] if best else None), True, False
                    plan = _cheapest_raise(chosen, options, needed, step)
                    if plan is None:
                        continue
                    items = [
                        attrs.evolve(item, value=plan[item.position])
                        if item.position in plan
                        else item
                        for item in counted
                    ]
                    letter, _ = self._decide(items)
                    if self.letters.index(letter) > goal_rank:
                        continue
                    ordered = sorted(chosen, key=lambda item: item.position)
                    key = (
                        sum((plan[i.position] - i.value for i in chosen), Fraction(0)),
                        tuple(sorted(i.value for i in chosen)),
                        tuple(i.position for i in ordered),
                        tuple(plan[i.position] for i in ordered),
                    )
                    if best is None or key < best[:4]:
                        best = (*key, [(i, plan[i.position]) for i in ordered])
            if best is not None:
                return best[-1], True, True
        return None, False, True  # pragma: no cover - excluded by the capacity check

    def convert(
        self,
        results: Iterable[TargetResult],
        *,
        exempt: Collection[str] = frozenset(),
        on_gap: OnGap = "raise",
    ) -> GradeReport:
        """Return the grade report for one student's results (one per target).

        ``exempt`` target ids are left out (see :func:`~mastery_grading.grades.grade`);
        ``on_gap`` is accepted for the same signature as a rule set's (averages have no gap).

        Raises:
            InvalidTypeError: If an item is not a :class:`~mastery_grading.TargetResult`.
            InvalidValueError: If a target appears twice, the scales differ in range, or a
                target's scale holds none of the cutoffs (but the last).

        Example:
            >>> from mastery_grading.grades import results_from_scores
            >>> report = AverageCutoffs.marzano_2010().convert(
            ...     results_from_scores({"a": 2.8, "b": 3.2}))
            >>> report.letter, report.decided_by
            ('A', 'average 3.0 lies in [3.0, ∞): A')
            >>> from mastery_grading import LearningTarget
            >>> AverageCutoffs.percent().convert(
            ...     results_from_scores({LearningTarget(id="LE.1", title="Equations"): 3.0}))
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.InvalidValueError: target 'LE.1' is on the scale [0.0, 4.0], but no cutoff lies on it (average cutoffs: A from 90.0, B from 80.0, C from 70.0, D from 60.0, else F); the cutoffs are on another scale: choose cutoffs on the targets' scale
        """  # noqa: E501
        return convert_with(self, results, exempt=exempt, on_gap=on_gap)

    def to_spec(self) -> AverageCutoffsSpec:
        """Return the JSON-safe spec; :meth:`from_spec` turns it back into an equal converter.

        Example:
            >>> AverageCutoffs.percent(weighted=True).to_spec()["cutoffs"][0]
            ['A', 90.0]
        """
        return {
            "converter": self.spec_name,
            "cutoffs": [[item.letter, item.lower] for item in self.cutoffs],
            "weighted": self.weighted,
            "missing": self.missing,
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> AverageCutoffs:
        """Rebuild the converter from its spec.

        Raises:
            SpecError: If a key is unknown or a value invalid; the message names the key.

        Example:
            >>> AverageCutoffs.from_spec({"converter": "average_cutoffs",
            ...                           "cutoffs": [["P", 3.0], ["N", 0.0]]}).letters
            ('P', 'N')
        """
        data = start_spec(spec, cls.spec_name, ["cutoffs", "weighted", "missing"])
        if "cutoffs" not in data:
            msg = f"spec for converter {cls.spec_name!r} is missing the key 'cutoffs'"
            raise SpecError(msg)
        cutoffs = data["cutoffs"]
        if not isinstance(cutoffs, list | tuple) or not all(
            isinstance(item, list | tuple) and len(item) == 2 for item in cutoffs
        ):
            msg = f"spec key 'cutoffs'={cutoffs!r} must be a list of [letter, lower] pairs"
            raise SpecError(msg)
        kwargs: dict[str, Any] = {"cutoffs": tuple(tuple(item) for item in cutoffs)}
        for key in ("weighted", "missing"):
            if key in data:
                kwargs[key] = data[key]
        return build_from_spec(cls, cls.spec_name, kwargs)
