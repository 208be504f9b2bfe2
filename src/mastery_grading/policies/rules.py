"""Evidence rules that compose with any policy: which evidence counts, and when to decide.

:class:`Filtered` keeps only the evidence that passes its rules (summative, independent, by a
date, in a window, in given contexts) and hands it to its inner policy; :class:`AtBats`
withholds a result until mastery has been shown enough times, in enough contexts. In a spec
the inner policy is the nested spec under the ``inner`` key (``policy`` names the rule itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading._numbers import exact
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies._base import no_result, prepare
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies.combine import inner_claims
from mastery_grading.policies.kernel_registry import register_kernel
from mastery_grading.policies.recency import MostRecent
from mastery_grading.protocols import Claim, Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["AtBats", "Filtered"]

#: The reason for a result withheld by ``min_evidence``.
INSUFFICIENT = "insufficient evidence"


def _to_moment(value: Any) -> Any:
    """Parse ISO strings: ``"2026-10-01"`` is a date, anything longer a datetime."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return value
    return value


def _check_moment(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        v.aware_datetime(_instance, attribute, value)
    elif not isinstance(value, date):
        msg = (
            f"{attribute.name}={value!r} must be a date, a timezone-aware datetime or an ISO "
            f"string, not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)


def _day(moment: date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _not_after(evidence: Evidence, moment: date) -> bool:
    if isinstance(moment, datetime):
        return evidence.observed_at <= moment
    return evidence.observed_at.date() <= moment


def _not_before(evidence: Evidence, moment: date) -> bool:
    if isinstance(moment, datetime):
        return evidence.observed_at >= moment
    return evidence.observed_at.date() >= moment


def _to_contexts(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return tuple(sorted(set(items)))
        return tuple(items)
    return value


def _check_contexts(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or not value:
        msg = f"{attribute.name}={value!r} must be None or a non-empty list of context names"
        raise InvalidValueError(msg)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            msg = f"{attribute.name} item {item!r} must be a non-empty string"
            raise InvalidValueError(msg)


def _check_policy(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Policy):
        msg = f"{attribute.name}={value!r} must be a Policy (with an evaluate method)"
        raise InvalidTypeError(msg)


def _relabel(result: TargetResult, policy: Any, evidence_count: int) -> TargetResult:
    """Return ``result`` as the wrapper's: its policy, and the count of all evidence given."""
    return attrs.evolve(result, policy=policy, evidence_count=evidence_count)


@register_policy
@attrs.frozen(kw_only=True)
class Filtered:
    """Apply the ``inner`` policy to the evidence that passes the rules; composes with any policy.

    Evidence is kept when it passes *every* rule that is set:

    - ``summative_only``: summative evidence only (practice never counts);
    - ``independent_only``: evidence shown without help only;
    - ``as_of``: observed by then, so the result is the one the teacher would have seen on that
      day (a :class:`~datetime.date` compares with each observation's calendar date in its own
      time zone, a :class:`~datetime.datetime` with the instant);
    - ``start`` / ``end``: observed within the window, both ends included (same date rules);
    - ``contexts``: observed in one of these contexts (courses, departments); evidence without a
      context is left out when contexts are given.

    Then, with fewer than ``min_evidence`` pieces kept, the value is ``None`` with the reason
    ``"insufficient evidence: ..."`` (Schoology's "Number of Observations"); with none kept
    it is ``None`` with a reason naming the rules. Otherwise the result is the inner policy's,
    except that ``evidence_count`` counts all the evidence given. Dates may be given as ISO
    strings (``"2026-10-01"``), so specs round-trip.

    The claims are the inner policy's, less what the rules break: time rules break time-shift
    invariance, order-freedom and recency; ``summative_only`` adds formative neutrality. With no
    evidence the value is ``None`` (``"no evidence"``); one piece of evidence gives the inner
    policy's value for it if it passes the rules and ``min_evidence`` is at most 1.

    Args:
        inner: The policy applied to the kept evidence.
        summative_only: Keep summative evidence only (default ``False``).
        independent_only: Keep independent evidence only (default ``False``).
        as_of: Keep evidence observed by this date or instant (default ``None``: all).
        start: Keep evidence observed on or after this date or instant.
        end: Keep evidence observed on or before this date or instant.
        contexts: Keep evidence from these contexts only (default ``None``: all).
        min_evidence: The least number of kept pieces for a result (default 0).

    Raises:
        InvalidValueError: For a naive datetime, ``start`` after ``end``, an empty context
            list or a negative ``min_evidence``.
        InvalidTypeError: If ``inner`` is not a policy or a moment is not a date.

    Example:
        >>> from datetime import date
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import MostRecent
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> history = scores_to_history([1, 2, 3.5])  # 1, 2 and 3 September 2026
        >>> Filtered(inner=MostRecent(), as_of="2026-09-02").evaluate(history, target).value
        2.0
        >>> rule = Filtered(inner=MostRecent(), min_evidence=4)
        >>> rule.evaluate(history, target).reason
        'insufficient evidence: 3 pieces pass the rules, 4 needed'
        >>> Filtered(inner=MostRecent(), as_of=date(2026, 9, 2)).to_spec()["as_of"]
        '2026-09-02'
    """

    spec_name: ClassVar[str] = "filtered"

    inner: Policy = attrs.field(validator=_check_policy)
    summative_only: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    independent_only: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    as_of: date | None = attrs.field(default=None, converter=_to_moment, validator=_check_moment)
    start: date | None = attrs.field(default=None, converter=_to_moment, validator=_check_moment)
    end: date | None = attrs.field(default=None, converter=_to_moment, validator=_check_moment)
    contexts: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_contexts, validator=_check_contexts
    )
    min_evidence: int = attrs.field(default=0, validator=v.int_in_range(0))

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None:
            same_kind = isinstance(self.start, datetime) == isinstance(self.end, datetime)
            early, late = (
                (self.start, self.end) if same_kind else (_day(self.start), _day(self.end))
            )
            if early > late:
                msg = (
                    f"start={self.start.isoformat()!r} must not be after "
                    f"end={self.end.isoformat()!r}"
                )
                raise InvalidValueError(msg)

    @classmethod
    def example(cls) -> Filtered:
        """Return the most recent summative score, a common "practice doesn't count" setup.

        >>> Filtered.example().summative_only
        True
        """
        return cls(inner=MostRecent(), summative_only=True)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that are set, in words.

        >>> from mastery_grading.policies import Mean
        >>> Filtered(inner=Mean(), summative_only=True, contexts=["math"]).rules
        ('summative only', 'contexts math')
        """
        words = []
        if self.summative_only:
            words.append("summative only")
        if self.independent_only:
            words.append("independent only")
        if self.as_of is not None:
            words.append(f"as of {self.as_of.isoformat()}")
        if self.start is not None:
            words.append(f"from {self.start.isoformat()}")
        if self.end is not None:
            words.append(f"until {self.end.isoformat()}")
        if self.contexts is not None:
            words.append(f"contexts {', '.join(self.contexts)}")
        return tuple(words)

    @property
    def claims(self) -> frozenset[Claim]:
        """The inner policy's claims, less those the rules break, plus formative neutrality.

        Example:
            >>> from mastery_grading.policies import Mean
            >>> "formative_neutral" in Filtered(inner=Mean(), summative_only=True).claims
            True
            >>> "time_shift_invariant" in Filtered(inner=Mean(), as_of="2026-10-01").claims
            False
        """
        claims = set(inner_claims(self.inner))
        if self.as_of is not None or self.start is not None or self.end is not None:
            claims -= {"time_shift_invariant", "order_free", "recency"}
        if self.rules:
            # What is left may be all equal scores: 1 (practice), 2, 2 and 2, 2, 1 (practice).
            claims.discard("recency_sensitive")
        if self.min_evidence and not self.summative_only:
            claims.discard("formative_neutral")
        if self.summative_only:
            claims.add("formative_neutral")
        return frozenset(claims)

    def keeps(self, evidence: Evidence) -> bool:
        """Return whether one piece of evidence passes every rule.

        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> (e,) = scores_to_history([3])
        >>> Filtered(inner=Mean(), contexts=["math"]).keeps(e)
        False
        """
        return (
            (not self.summative_only or evidence.is_summative)
            and (not self.independent_only or evidence.independent)
            and (self.as_of is None or _not_after(evidence, self.as_of))
            and (self.start is None or _not_before(evidence, self.start))
            and (self.end is None or _not_after(evidence, self.end))
            and (self.contexts is None or evidence.context in self.contexts)
        )

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return the inner policy's result on the kept evidence (``evidence_count``: all).

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> history = scores_to_history([1, 3, 4])
            >>> result = Filtered(inner=Mean(), start="2026-09-02").evaluate(history, target)
            >>> result.value, result.evidence_count, len(result.contributions)
            (3.5, 3, 2)
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        kept = tuple(e for e in history if self.keeps(e))
        if len(kept) < self.min_evidence:
            noun = "piece passes" if len(kept) == 1 else "pieces pass"
            reason = f"{INSUFFICIENT}: {len(kept)} {noun} the rules, {self.min_evidence} needed"
            return no_result(target, self, reason=reason, evidence_count=len(history))
        if not kept:
            reason = f"no evidence passes the rules ({'; '.join(self.rules)})"
            return no_result(target, self, reason=reason, evidence_count=len(history))
        return _relabel(self.inner.evaluate(kept, target), self, len(history))

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict of these rules with the inner policy's nested spec.

        Example:
            >>> from mastery_grading.policies import Mean
            >>> spec = Filtered(inner=Mean(), contexts=["math"], min_evidence=2).to_spec()
            >>> spec["inner"], spec["contexts"], spec["min_evidence"]
            ({'policy': 'mean', 'weighted': True}, ['math'], 2)
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)


def _check_at_bats(instance: AtBats, attribute: attrs.Attribute[Any], value: int) -> None:
    v.int_in_range(1)(instance, attribute, value)


@register_policy
@attrs.frozen(kw_only=True)
class AtBats:
    """Withhold mastery until it has been shown ``k`` times on your own, in ``contexts`` places.

    An *at-bat* is a summative, independent piece of evidence scoring at or above the target's
    mastery threshold. Until there are at least ``k`` of them, from at least ``contexts``
    distinct contexts (evidence without a context counts as one unnamed context), the value is
    ``None`` and the reason says how many at-bats remain. Once there are, the result is the
    inner policy's over *all* the evidence, with a reason noting the confirmation.

    This is the practice of several independent demonstrations (Talbert's "two successful
    demonstrations"; "at-bats" in many standards-based schools): one lucky day is not mastery.
    Every claim of the inner policy is kept, because the gate only opens as evidence is added or
    raised. With no evidence the value is ``None`` (``"no evidence"``); one piece of evidence
    gives a value only when ``k=1`` and it is an at-bat.

    Args:
        inner: The policy that gives the value once the at-bats are in (default
            :class:`~mastery_grading.policies.MostRecent`).
        k: How many at-bats are needed, at least 1 (default 3).
        contexts: In how many distinct contexts, from 1 to ``k`` (default 1).

    Raises:
        InvalidValueError: If ``k`` or ``contexts`` is below 1, or ``contexts`` exceeds ``k``.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")  # mastery at 3
        >>> AtBats(k=3).evaluate(scores_to_history([3, 2, 3.5]), target).reason
        '1 more at-bat needed: 2 of 3 independent summative scores at mastery'
        >>> result = AtBats(k=2).evaluate(scores_to_history([3, 2, 3.5]), target)
        >>> result.value, result.reason
        (3.5, 'mastery confirmed by 2 at-bats in 1 context')
    """

    spec_name: ClassVar[str] = "at_bats"

    inner: Policy = attrs.field(factory=MostRecent, validator=_check_policy)
    k: int = attrs.field(default=3, validator=_check_at_bats)
    contexts: int = attrs.field(default=1, validator=_check_at_bats)

    def __attrs_post_init__(self) -> None:
        if self.contexts > self.k:
            msg = (
                f"contexts={self.contexts} must not exceed k={self.k}: each at-bat has one context"
            )
            raise InvalidValueError(msg)

    @property
    def claims(self) -> frozenset[Claim]:
        """The inner policy's claims, since the gate keeps every one of them.

        Example:
            >>> from mastery_grading.policies import Mean
            >>> AtBats(inner=Mean()).claims == Mean.claims
            True
        """
        return inner_claims(self.inner)

    def at_bats(self, history: Iterable[Evidence], target: LearningTarget) -> tuple[Evidence, ...]:
        """Return the evidence that counts as an at-bat on ``target``, in the given order.

        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> len(AtBats(inner=Mean()).at_bats(scores_to_history([3, 2, 4]), target))
        2
        """
        threshold = exact(target.scale.mastery)
        return tuple(
            e for e in history if e.is_summative and e.independent and exact(e.score) >= threshold
        )

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return ``None`` with the at-bats remaining, or the inner policy's result.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")  # mastery at 3
            >>> AtBats(k=2).evaluate(scores_to_history([3.5, 2]), target).reason
            '1 more at-bat needed: 1 of 2 independent summative scores at mastery'
            >>> AtBats(k=2).evaluate(scores_to_history([3.5, 2, 3]), target).value
            3.0
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        bats = self.at_bats(history, target)
        places = len({e.context for e in bats})
        missing = max(self.k - len(bats), self.contexts - places)
        if missing > 0:
            noun = "at-bat" if missing == 1 else "at-bats"
            reason = (
                f"{missing} more {noun} needed: {len(bats)} of {self.k} independent summative "
                "scores at mastery"
            )
            if self.contexts > 1:
                reason += f", in {places} of {self.contexts} contexts"
            return no_result(target, self, reason=reason, evidence_count=len(history))
        result = self.inner.evaluate(history, target)
        place_noun = "context" if places == 1 else "contexts"
        note = f"mastery confirmed by {len(bats)} at-bats in {places} {place_noun}"
        reason = note if result.reason is None else f"{note}; {result.reason}"
        return _relabel(attrs.evolve(result, reason=reason), self, len(history))

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict of this rule with the inner policy's nested spec.

        Example:
            >>> AtBats(k=2).to_spec()
            {'policy': 'at_bats', 'inner': {'policy': 'most_recent'}, 'k': 2, 'contexts': 1}
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)


# Vectorized kernels (numpy, imported on first use): rules.py's rules, for whole gradebooks.
_KERNELS = "mastery_grading.policies.kernels.rules"
register_kernel(Filtered, f"{_KERNELS}:filtered_kernel")
