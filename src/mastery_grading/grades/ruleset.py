"""Rule sets: letters decided by how many targets reach which levels ("conjunctive" rules).

A :class:`RuleSet` is a list of :class:`~mastery_grading.grades.LetterRule` s, best letter
first. Each rule is a conjunction of conditions (:mod:`mastery_grading.grades.rules`), and every
condition only depends on how many targets of a group lie in a range of values.

Under ``semantics="first_match"`` the first rule that holds gives the letter (an empty rule is
"otherwise"). Under ``semantics="unordered"`` exactly one letter's rules must hold; two letters
holding at once is an overlap. A profile where no rule holds is a gap. :meth:`RuleSet.check`
finds them all (:mod:`mastery_grading.grades.coverage`), and :attr:`RuleSet.claims` comes from
that check; this module therefore sits above both ``rules`` and ``coverage``.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar, Literal, TypedDict

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import fmt, read_value
from mastery_grading.exceptions import (
    GapError,
    InvalidTypeError,
    InvalidValueError,
    OverlapError,
    SpecError,
)
from mastery_grading.grades._convert import convert_with
from mastery_grading.grades._decider import (
    ConverterClaim,
    Counted,
    MissingChoice,
    OnGap,
    Plan,
    check_missing,
)
from mastery_grading.grades._spec import build_from_spec, register_converter, start_spec
from mastery_grading.grades.coverage.claims import claims_of
from mastery_grading.grades.coverage.report import CoverageReport
from mastery_grading.grades.coverage.solver import CheckChoice, check_rule_set
from mastery_grading.grades.report import GradeReport
from mastery_grading.grades.rules import presets
from mastery_grading.grades.rules._compiled import Compiled, Semantics, compile_rules
from mastery_grading.grades.rules._spec import rule_from_spec
from mastery_grading.grades.rules.conditions import LetterRule, LetterRuleSpec
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = ["RuleSet", "RuleSetSpec", "Semantics"]


def _scale_words(scale: Scale) -> str:
    """A scale in a message: its range and its levels (``[0.0, 4.0] (not yet 0.0, ...)``)."""
    levels = ", ".join(f"{level.name} {level.minimum!r}" for level in scale.levels)
    return f"[{scale.min!r}, {scale.max!r}] ({levels})"


class RuleSetSpec(TypedDict):
    """The spec of a :class:`RuleSet` (``RuleSet(...).to_spec()``).

    Example:
        >>> spec: RuleSetSpec = RuleSet.sbgrader2().to_spec()
        >>> spec["semantics"], len(spec["rules"])
        ('first_match', 5)
    """

    converter: Literal["rule_set"]
    rules: list[LetterRuleSpec]
    semantics: Semantics
    scale: dict[str, Any] | str  # to_spec writes the dict; a preset name ("marzano") reads too
    missing: MissingChoice
    checked_up_to: int | None


def _to_rules(value: Iterable[LetterRule]) -> tuple[LetterRule, ...]:
    return tuple(value)


def _check_rules(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        msg = f"{attribute.name}=() must hold at least one rule"
        raise InvalidValueError(msg)
    for item in value:
        if not isinstance(item, LetterRule):
            msg = f"{attribute.name} item {item!r} must be a LetterRule, not {type(item).__name__}"
            raise InvalidTypeError(msg)


def _check_semantics(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in ("first_match", "unordered"):
        msg = f"{attribute.name}={value!r} must be 'first_match' or 'unordered'"
        raise InvalidValueError(msg)


def _check_checked_up_to(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{attribute.name}={value!r} must be an int or None, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if value < 1:
        msg = f"{attribute.name}={value!r} must be at least 1 (a class size) or None"
        raise InvalidValueError(msg)


@register_converter
@attrs.frozen(kw_only=True)
class RuleSet:
    """Letter rules over how many targets reach which levels, checked for gaps and overlaps.

    The semantics must be chosen explicitly:

    ``"first_match"``
        Rules are tried in order; the first that holds gives the letter. Write the best letter
        first and end with an empty rule (``LetterRule(letter="F")``) for "otherwise".
    ``"unordered"``
        The rules of exactly one letter must hold. Two letters at once is an overlap and the
        conversion raises; so does a gap.

    Letters are ranked in the order they first appear in ``rules`` (best first).

    Args:
        rules: The letter rules, best letter first.
        semantics: ``"first_match"`` or ``"unordered"``; required.
        scale: The scale the target values lie on; its minimum is the lowest value a profile can
            hold (Marzano's 0-4 by default). Every target graded must be on this scale: the
            same range and the same levels (names and minimums; the mastery threshold and the
            step may differ, the rules name their own thresholds). A target on another scale is
            refused, naming both scales, instead of being read on the wrong one.
        missing: How a target without a result counts: ``"incomplete"`` (default),
            ``"not_yet"`` (at ``scale.min``) or ``"exclude"``.
        checked_up_to: The largest class the rule set is meant for, or ``None``. ``claims``
            holds what is proven for every class size; with ``checked_up_to=n`` it also holds
            what :meth:`check` finds for every class of 1 to ``n`` targets (see :attr:`claims`).

    Its ``claims`` are computed per rule set (see :attr:`claims`).

    Raises:
        InvalidValueError: If there are no rules, the semantics is unknown or a letter is
            ``"Incomplete"``.

    Example:
        >>> rules = RuleSet.sbgrader2()
        >>> [rule.letter for rule in rules.rules]
        ['A', 'B', 'C', 'D', 'F']
        >>> sorted(rules.claims)
        ['complete', 'monotone', 'unambiguous']
        >>> from mastery_grading.grades import results_from_scores
        >>> report = rules.convert(results_from_scores({"a": 4.0, "b": 3.0, "c": 3.5, "d": 2.0}))
        >>> report.letter, report.decided_by
        ('C', 'rule C: at least 65% of targets at 3.0 or above')
    """

    spec_name: ClassVar[Literal["rule_set"]] = "rule_set"

    rules: tuple[LetterRule, ...] = attrs.field(converter=_to_rules, validator=_check_rules)
    semantics: Semantics = attrs.field(validator=_check_semantics)
    scale: Scale = attrs.field(factory=Scale.marzano, validator=v.instance_of(Scale, "a Scale"))
    missing: MissingChoice = attrs.field(default="incomplete", validator=check_missing)
    checked_up_to: int | None = attrs.field(default=None, validator=_check_checked_up_to)

    @classmethod
    def first_match(cls, *rules: LetterRule, **kwargs: Any) -> RuleSet:
        """A rule set where the first rule that holds gives the letter.

        Example:
            >>> from mastery_grading.grades import LetterRule, no_target_below
            >>> RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]),
            ...                     LetterRule(letter="N")).semantics
            'first_match'
        """
        return cls(rules=rules, semantics="first_match", **kwargs)

    @classmethod
    def unordered(cls, *rules: LetterRule, **kwargs: Any) -> RuleSet:
        """A rule set where exactly one letter's rules must hold.

        Example:
            >>> from mastery_grading.grades import LetterRule, no_target_below, some_target_below
            >>> RuleSet.unordered(LetterRule(letter="P", conditions=[no_target_below(3)]),
            ...                   LetterRule(letter="N", conditions=[some_target_below(3)])
            ...                   ).check(4).complete
            True
        """
        return cls(rules=rules, semantics="unordered", **kwargs)

    @classmethod
    def sbgrader2(cls, **kwargs: Any) -> RuleSet:
        """Bellevue SD letters as coded in majadirks/sbgrader2 (first match, Marzano 0-4).

        A: 3 or better on at least 90% of targets, 4 on at least 50%, no target below 2.
        B: 3 or better on at least 80%, no target below 2. C: 3 or better on at least 65%.
        D: 3 or better on at least 50%. F otherwise.

        Differences from the original code, on purpose: "3 or better" is a threshold (the
        original matches 3, 3.5 and 4 exactly); "no 0 or 1" is read as "no target below 2"
        (the original misses 0.5 and 1.5); its exempt code -1 is ``missing="exclude"``; and an
        empty record is "Incomplete" instead of F.

        Example:
            >>> RuleSet.sbgrader2().rules[1].describe()
            'B: at least 80% of targets at 3.0 or above and no target below 2.0'
        """
        kwargs.setdefault("semantics", "first_match")
        return cls(rules=presets.sbgrader2_rules(), **kwargs)

    @classmethod
    def powerschool_forum(cls, **kwargs: Any) -> RuleSet:
        """A teacher's rule set from the PowerSchool community forum, on a 1-4 scale.

        A: more than 50% at 4, no 2s or 1s. B: more than 50% at 3-4, fewer than 25% at 2, no
        1s. C: more than 50% at 3-4, more than 25% at 2, no 1s. D: fewer than 50% at 3-4, no
        1s. F: any 1. It has gaps (exactly 25% at 2, exactly 50% at 3-4) and, read unordered,
        overlaps (every A also meets B). First match by default; pass
        ``semantics="unordered"`` to read it as written.

        Example:
            >>> report = RuleSet.powerschool_forum().check(4)
            >>> report.complete
            False
        """
        kwargs.setdefault("semantics", "first_match")
        kwargs.setdefault("scale", presets.scale_1_to_4())
        return cls(rules=presets.powerschool_forum_rules(), **kwargs)

    @classmethod
    def talbert_mth201(cls, **kwargs: Any) -> RuleSet:
        r"""Talbert's MTH 201 columns for core and other targets (24 targets, 10 core).

        Targets are scored 0 (not yet), 1 (progressing: one successful demonstration) or 2
        (mastered: two). The letter is the highest column whose rows are all met:

        ====  =============  ==============
        \     core targets   other targets
        ====  =============  ==============
        A     10M            8M + 4P
        B     8M + 2P        4M + 6P
        C     6M + 4P        8P
        D     4M + 4P        4P
        ====  =============  ==============

        "8M + 2P" reads "at least 8 mastered plus at least 2 more progressing or better"
        (:class:`MasteredAndProgressing`). Other targets are those not tagged ``"core"``.

        Example:
            >>> RuleSet.talbert_mth201().rules[1].describe()
            "B: 8 mastered (2.0 or above) and 2 more progressing (1.0 or above) among core targets and 4 mastered (2.0 or above) and 6 more progressing (1.0 or above) among targets not tagged 'core'"
        """  # noqa: E501
        kwargs.setdefault("semantics", "first_match")
        kwargs.setdefault("scale", presets.scale_checks())
        return cls(rules=presets.talbert_mth201_rules(), **kwargs)

    @property
    def letters(self) -> tuple[str, ...]:
        """The letters in the order they first appear in ``rules``, best first.

        >>> RuleSet.powerschool_forum().letters
        ('A', 'B', 'C', 'D', 'F')
        """
        return tuple(dict.fromkeys(rule.letter for rule in self.rules))

    @property
    def claims(self) -> frozenset[ConverterClaim]:
        """Which of monotone, complete and unambiguous hold, for every class size it covers.

        ``complete`` when no profile lacks a letter, ``unambiguous`` when none gets two,
        ``monotone`` when no single raise of one target lowers the letter. Two sources, both
        exact:

        - **Proven for every class size** by the shape of the rules
          (:func:`~mastery_grading.grades.coverage.proven_claims`): first match is always
          unambiguous; with an "otherwise" rule it is complete; with conditions that only count
          targets at or above a level (or bound those below one) and letters in order, it is
          monotone.
        - **Checked up to a declared class size**: with ``checked_up_to=n``, a claim not proven
          by shape is added when :meth:`check` finds it for every class of 1 to ``n``
          targets (every split over the tag groups). Monotonicity is only added where every
          size could be enumerated; gaps and overlaps are also found by constraints at any
          size. A class larger than ``n`` is not covered: check it with :meth:`check`.

        Without ``checked_up_to`` only the proven claims are made. An unordered rule set with an
        overlap claims none of the three (such a profile gets no single letter). A property,
        not a class variable, because it depends on the rules.

        >>> sorted(RuleSet.powerschool_forum().claims)
        ['unambiguous']
        >>> sorted(RuleSet.powerschool_forum(checked_up_to=8).claims)
        ['monotone', 'unambiguous']
        """
        return claims_of(self)

    def describe(self) -> str:
        """A short description: the semantics and how many conditions each rule has.

        Use it in messages instead of the full ``repr``, which lists every condition. A rule
        without conditions ("otherwise") shows only its letter.

        >>> from mastery_grading.grades import LetterRule, no_target_below
        >>> print(RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]),
        ...                           LetterRule(letter="N")))
        first-match rule set: P (1 condition), N
        >>> len(RuleSet.sbgrader2().describe()) < 100 < len(repr(RuleSet.sbgrader2()))
        True
        """
        parts = []
        for rule in self.rules:
            count = len(rule.conditions)
            plural = "s" if count != 1 else ""
            parts.append(f"{rule.letter} ({count} condition{plural})" if count else rule.letter)
        kind = "first-match" if self.semantics == "first_match" else "unordered"
        return f"{kind} rule set: " + ", ".join(parts)

    def __str__(self) -> str:
        return self.describe()

    def check(
        self,
        targets: int | Iterable[LearningTarget] | None = None,
        *,
        max_targets: int = 8,
        method: CheckChoice = "auto",
        limit: int = 200_000,
    ) -> CoverageReport:
        """Find every gap, overlap and non-monotone step, each with a concrete profile.

        See :func:`~mastery_grading.grades.check_rule_set` for the method and why it is
        exhaustive.

        Args:
            targets: A class size (every split over the tag groups is checked), the class's
                targets (their tags fix the group sizes), or ``None`` for every class size from
                1 to ``max_targets``.
            max_targets: The largest class size checked when ``targets`` is ``None``.
            method: ``"auto"`` (the default: ``"bands"`` up to ``limit`` profiles, else
                ``"constraints"``), ``"bands"`` (every vector of counts per threshold band),
                ``"grid"`` (every multiset of values on the scale's step grid, for small
                classes) or ``"constraints"`` (difference constraints, any class size).
            limit: The largest number of profiles to enumerate.

        Example:
            >>> report = RuleSet.powerschool_forum().check(4)
            >>> len(report.gaps), [str(gap) for gap in report.gaps[:2]]
            (7, ['4.0, 4.0, 4.0, 2.0', '4.0, 4.0, 3.0, 2.0'])
        """
        return check_rule_set(self, targets, max_targets=max_targets, method=method, limit=limit)

    def _compiled(self) -> Compiled:
        return compile_rules(self.rules, self.scale)

    def _counts(self, counted: Sequence[Counted]) -> tuple[tuple[int, ...], ...]:
        compiled = self._compiled()
        low, high = read_value(self.scale.min), read_value(self.scale.max)
        counts = [[0] * len(compiled.points) for _ in compiled.groups]
        for item in counted:
            if not low <= item.value <= high:
                msg = (
                    f"value={float(item.value)!r} of target {item.result.target.id!r} lies "
                    f"outside the rule set's scale [{self.scale.min}, {self.scale.max}]"
                )
                raise InvalidValueError(msg)
            counts[compiled.group_of(item.result.target)][compiled.band_of(item.value)] += 1
        return tuple(tuple(row) for row in counts)

    def _decide(self, counted: Sequence[Counted]) -> tuple[str, str]:
        compiled = self._compiled()
        matching = compiled.matching(self._counts(counted))
        values = ", ".join(fmt(item.value) for item in counted)
        floats = [float(item.value) for item in counted]
        if not matching:
            msg = (
                f"no rule gives a letter to the values {values}; this is a gap of the rule set "
                "(RuleSet.check() lists every gap)"
            )
            raise GapError(msg, values=floats)
        letters = list(dict.fromkeys(self.rules[i].letter for i in matching))
        if self.semantics == "unordered" and len(letters) > 1:
            msg = (
                f"the values {values} meet the rules of {letters}; this is an overlap of the "
                "unordered rule set (RuleSet.check() lists every overlap)"
            )
            raise OverlapError(msg, letters=letters, values=floats)
        rule = self.rules[matching[0]]
        return rule.letter, f"rule {rule.describe()}"  # the reports find the rule by this text

    def _check_targets(self, results: Sequence[TargetResult]) -> None:
        """Refuse a target whose scale is not the rule set's (another range or other levels)."""
        for result in results:
            scale = result.target.scale
            if scale is self.scale or (
                (scale.min, scale.max, scale.levels)
                == (self.scale.min, self.scale.max, self.scale.levels)
            ):
                continue
            msg = (
                f"target {result.target.id!r} is on the scale {_scale_words(scale)}, but the "
                f"rule set's scale is {_scale_words(self.scale)}; a rule set grades targets on "
                "its own scale only (same range and levels): give the rule set the targets' "
                "scale (scale=...) or the targets the rule set's"
            )
            raise InvalidValueError(msg)

    def _describe_profile(self, counted: Sequence[Counted]) -> str:
        """How many targets lie in each band between the thresholds, per tag group, in words.

        Students with the same counts per band get the same letter, so this is the profile as
        the rule set sees it (and the reason of a profile that no rule covers).
        """
        compiled = self._compiled()
        counts = self._counts(counted)
        high = read_value(self.scale.max)
        points = compiled.points
        parts = []
        for group, row in enumerate(counts):
            if not sum(row):
                continue
            words = []
            for band in reversed(range(len(points))):
                if not row[band]:
                    continue
                low = points[band]
                if band + 1 < len(points):
                    where = f"in [{fmt(low)}, {fmt(points[band + 1])})"
                elif low == high:
                    where = f"at {fmt(low)}"
                else:
                    where = f"in [{fmt(low)}, {fmt(high)}]"
                noun = "target" if row[band] == 1 else "targets"
                words.append(f"{row[band]} {noun} {where}")
            text = ", ".join(words)
            parts.append(f"{compiled.group_label(group)}: {text}" if compiled.tags else text)
        return "; ".join(parts)

    def _raise_candidates(self, item: Counted) -> tuple[Fraction, ...]:
        return tuple(p for p in self._compiled().points if p > item.value)

    def _interchange_key(self, item: Counted) -> Hashable:
        compiled = self._compiled()
        return (compiled.group_of(item.result.target), compiled.band_of(item.value))

    def _plan(
        self, counted: tuple[Counted, ...], goal_rank: int, budget: int
    ) -> tuple[Plan, bool, bool] | None:
        """No search of its own: the next steps use the generic search over rule thresholds."""
        return None

    def convert(
        self,
        results: Iterable[TargetResult],
        *,
        exempt: Collection[str] = frozenset(),
        on_gap: OnGap = "raise",
    ) -> GradeReport:
        """Return the grade report for one student's results (one per target).

        ``exempt`` and ``on_gap`` are those of :func:`~mastery_grading.grades.grade` (which
        also checks them and warns); here ``on_gap="warn"`` gives no letter without a warning.

        Raises:
            GapError: If no rule gives the profile a letter (a gap), unless ``on_gap`` says
                otherwise.
            OverlapError: If, under unordered semantics, the rules of two letters hold (an
                overlap), unless ``on_gap`` says otherwise. Both are
                :class:`~mastery_grading.exceptions.InvalidValueError` s.
            InvalidValueError: If a target is on another scale than ``scale`` (the message
                names both), or a value lies outside ``scale``.

        Example:
            >>> from mastery_grading import LearningTarget, Scale
            >>> from mastery_grading.grades import results_from_scores
            >>> RuleSet.sbgrader2().convert(results_from_scores({"a": 4.0, "b": 4.0})).letter
            'A'
            >>> from mastery_grading.grades import LetterRule, no_target_below
            >>> only_p = RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]))
            >>> print(only_p.convert(results_from_scores({"a": 3.5, "b": 1.0}), on_gap="ignore"))
            Grade: No letter (no rule covers: 1 target in [3.0, 4.0], 1 target in [0.0, 3.0))
              a  3.5  meets
              b  1.0  not yet
            >>> marzano = LearningTarget(id="LE.1", title="Equations", scale=Scale.marzano())
            >>> RuleSet.powerschool_forum().convert(results_from_scores({marzano: 3.0}))
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.InvalidValueError: target 'LE.1' is on the scale [0.0, 4.0] (not yet 0.0, approaching 2.0, meets 3.0, exceeds 4.0), but the rule set's scale is [1.0, 4.0] (beginning 1.0, developing 2.0, proficient 3.0, advanced 4.0); a rule set grades targets on its own scale only (same range and levels): give the rule set the targets' scale (scale=...) or the targets the rule set's
        """  # noqa: E501
        return convert_with(self, results, exempt=exempt, on_gap=on_gap)

    def to_spec(self) -> RuleSetSpec:
        """Return the JSON-safe spec; :meth:`from_spec` turns it back into an equal rule set.

        Example:
            >>> spec = RuleSet.sbgrader2().to_spec()
            >>> spec["converter"], spec["semantics"], spec["rules"][-1]
            ('rule_set', 'first_match', {'letter': 'F', 'conditions': []})
        """
        return {
            "converter": self.spec_name,
            "rules": [rule.to_spec() for rule in self.rules],
            "semantics": self.semantics,
            "scale": self.scale.to_spec(),
            "missing": self.missing,
            "checked_up_to": self.checked_up_to,
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> RuleSet:
        """Rebuild a rule set from its spec.

        Raises:
            SpecError: If a key is missing, unknown or invalid; the message names the key.

        Example:
            >>> RuleSet.from_spec(RuleSet.talbert_mth201().to_spec()) == RuleSet.talbert_mth201()
            True
            >>> RuleSet.from_spec({"converter": "rule_set", "semantics": "first_match",
            ...                    "rules": [{"letter": "A", "conditions": [{"condition": "x"}]}]})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.SpecError: spec key 'rules[0].conditions[0].condition'='x' must be one of ['mastered_and_progressing', 'tally']
        """  # noqa: E501
        data = start_spec(
            spec, cls.spec_name, ["rules", "semantics", "scale", "missing", "checked_up_to"]
        )
        for key in ("rules", "semantics"):
            if key not in data:
                msg = f"spec for converter {cls.spec_name!r} is missing the key {key!r}"
                raise SpecError(msg)
        rules_spec = data["rules"]
        if not isinstance(rules_spec, list | tuple):
            msg = f"spec key 'rules'={rules_spec!r} must be a list of rules"
            raise SpecError(msg)
        kwargs: dict[str, Any] = {
            "rules": tuple(
                rule_from_spec(item, f"rules[{i}]") for i, item in enumerate(rules_spec)
            ),
            "semantics": data["semantics"],
        }
        if "scale" in data:
            if not isinstance(data["scale"], dict | str):
                msg = (
                    f"spec key 'scale'={data['scale']!r} must be a scale spec "
                    '(a dict, or a preset name: "marzano", "percent")'
                )
                raise SpecError(msg)
            try:
                kwargs["scale"] = Scale.from_spec(data["scale"])
            except SpecError as error:
                msg = f"spec key 'scale' is invalid: {error}"
                raise SpecError(msg) from error
            except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
                msg = f"spec key 'scale' is invalid: {error}"
                raise SpecError(msg) from error
        for key in ("missing", "checked_up_to"):
            if key in data:
                kwargs[key] = data[key]
        return build_from_spec(cls, cls.spec_name, kwargs)
