"""Your own rule, quickly: wrap a plain function (and, optionally, its kernel) into a policy."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from mastery_grading import _validators as v
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, SpecError
from mastery_grading.policies._base import make_result, no_result, prepare
from mastery_grading.policies.kernel_registry import Kernel, register_kernel
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["CustomPolicy", "custom_policy"]


def _check_callable(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not callable(value):
        msg = f"{attribute.name}={value!r} must be a function, not {type(value).__name__}"
        raise InvalidTypeError(msg)


def _check_kernel(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        msg = (
            f"{attribute.name}={value!r} must be None or a function kernel(policy, segments), "
            f"not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)


def _to_claims(value: Any) -> Any:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable):
        return frozenset(value)
    return value


def _check_claims(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, frozenset):
        msg = (
            f"{attribute.name}={value!r} must be a list of axiom names (or one name), "
            f"not {type(value).__name__}"
        )
        raise InvalidTypeError(msg)
    for item in value:
        if not isinstance(item, str) or not item.strip():
            msg = f"{attribute.name} item {item!r} must be an axiom name such as 'monotone'"
            raise InvalidValueError(msg)


@attrs.frozen(kw_only=True)
class CustomPolicy:
    """A policy made from a plain function by :func:`custom_policy`; see there.

    Attributes:
        fn: The function, given the scores (or the evidence) oldest first.
        name: The name shown in reasons and reports.
        takes_evidence: Whether ``fn`` gets :class:`~mastery_grading.Evidence` objects instead
            of scores.
        claims: The axioms you claim for it (none by default); ``check_policy`` tests them.
        kernel: Its vectorized kernel, ``kernel(policy, segments)``, checked against ``fn``
            when the policy is made (see :func:`custom_policy`), or ``None``.

    Example:
        >>> policy = custom_policy(max, name="best", claims=["monotone"])
        >>> policy
        CustomPolicy(fn=<built-in function max>, name='best', takes_evidence=False, claims=frozenset({'monotone'}), kernel=None)
        >>> policy == CustomPolicy(fn=max, name="best", claims="monotone")
        True
    """  # noqa: E501

    #: The kind name shown in reports; custom policies are not registered and have no spec.
    spec_name: ClassVar[str] = "custom"

    fn: Callable[..., float | None] = attrs.field(validator=_check_callable)
    name: str = attrs.field(validator=v.non_empty_str)
    takes_evidence: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    claims: frozenset[Claim] = attrs.field(
        default=frozenset(), converter=_to_claims, validator=_check_claims
    )
    kernel: Kernel | None = attrs.field(default=None, validator=_check_kernel)

    def __attrs_post_init__(self) -> None:
        if self.kernel is not None:
            from mastery_grading.policies.kernels.custom import check_kernel

            check_kernel(self)

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return ``fn``'s value for the evidence, oldest first, as a full result.

        Raises:
            InvalidValueError: If ``fn`` returns something other than a finite number or
                ``None``.
            InvalidTypeError: If ``evidence`` is not an iterable of evidence.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> spread = custom_policy(lambda s: max(s) - min(s), name="spread")
            >>> spread.evaluate(scores_to_history([1, 3.5, 2]), target).value
            2.5
            >>> undecided = custom_policy(lambda s: None, name="wait")
            >>> undecided.evaluate(scores_to_history([3]), target).reason
            'wait gave no value'
        """
        history = prepare(evidence, target)
        if not history:
            return no_result(target, self)
        argument = history if self.takes_evidence else tuple(e.score for e in history)
        value = self.fn(argument)
        if value is None:
            reason = f"{self.name} gave no value"
            return no_result(target, self, reason=reason, evidence_count=len(history))
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            msg = (
                f"custom policy {self.name!r} returned {value!r}; expected a finite number or None"
            )
            raise InvalidValueError(msg)
        if not math.isfinite(value):
            msg = f"custom policy {self.name!r} returned {value!r}, which is not finite"
            raise InvalidValueError(msg)
        share = Fraction(1, len(history))
        return make_result(
            target, self, value, history, [share] * len(history), evidence_count=len(history)
        )

    def to_spec(self) -> dict[str, Any]:
        """Raise :class:`~mastery_grading.exceptions.SpecError`: a Python function has no spec.

        >>> custom_policy(max, name="best").to_spec()
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: custom policy 'best' wraps a Python function and has no spec; rebuild it in code with custom_policy(...)
        """  # noqa: E501
        msg = (
            f"custom policy {self.name!r} wraps a Python function and has no spec; "
            "rebuild it in code with custom_policy(...)"
        )
        raise SpecError(msg)


def custom_policy(
    fn: Callable[..., float | None],
    *,
    name: str,
    takes_evidence: bool = False,
    claims: Iterable[str] = (),
    kernel: Kernel | None = None,
) -> CustomPolicy:
    """Wrap a plain function into a full :class:`~mastery_grading.Policy`.

    The function gets the scores oldest first, as a tuple of floats (or, with
    ``takes_evidence=True``, the :class:`~mastery_grading.Evidence` objects oldest first) and
    returns a number or ``None``. The policy does the rest, like a built-in: it checks that
    the evidence belongs to the target and lies on its scale, orders it with
    :func:`~mastery_grading.chronological_key` (never by input order), gives ``None`` with the
    reason ``"no evidence"`` for no evidence, and ``None`` with the reason
    ``"<name> gave no value"`` when the function returns ``None``.

    Contributions: every piece of evidence the function saw, each with weight :math:`1/n`.
    A plain function does not say how much each score mattered, so the equal weights record
    only that every score was seen; they are not a measured influence.

    A custom policy is not a registered built-in: it is not in
    :func:`~mastery_grading.policies.available_policies`, and its ``to_spec()`` raises
    :class:`~mastery_grading.exceptions.SpecError`, because a Python function cannot be saved
    as JSON. Equal configurations (same function object, name and flags) compare equal.

    Args:
        fn: The rule, called with a tuple of scores (or of evidence) oldest first.
        name: A name for reasons and reports.
        takes_evidence: Pass the evidence instead of the scores (default ``False``).
        claims: Axiom names you claim, such as ``"monotone"``;
            ``mastery_grading.testing.check_policy`` tests them and ``audit`` reports on all.
        kernel: The same rule for every student at once (needs numpy), so that gradebooks and
            simulations run it at the speed of a built-in: ``kernel(policy, segments)`` gets
            the scores of every history as
            :class:`~mastery_grading.policies.segments.Segments` (every group has at least
            one score) and returns one value per group (``NaN`` for ``None``), as an array or
            a :class:`~mastery_grading.policies.segments.KernelOutput`, or ``None`` to leave
            these segments to ``fn``. An array's values may differ from ``fn``'s by float
            rounding: a value near a level threshold is recomputed by ``fn``, so levels are
            ``fn``'s. A :class:`~mastery_grading.policies.segments.KernelOutput` says itself
            which values are ``inexact``; the others must equal ``fn``'s bit for bit.
            The kernel is checked against ``fn`` on random histories when the policy is made,
            once per pair of functions (see
            :func:`~mastery_grading.policies.kernels.custom.check_kernel`).

    Returns:
        A :class:`CustomPolicy`.

    Raises:
        InvalidValueError: If ``kernel`` does not give ``fn``'s value on a checked history;
            the message names the first such history.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> target = LearningTarget(id="T", title="Ratios")
        >>> high_last = custom_policy(lambda s: (max(s) + s[-1]) / 2, name="high-last average")
        >>> result = high_last.evaluate(scores_to_history([4, 2, 3]), target)
        >>> result.value, [c.weight for c in result.contributions]
        (3.5, [0.3333333333333333, 0.3333333333333333, 0.3333333333333333])
        >>> summative = custom_policy(
        ...     lambda history: max((e.score for e in history if e.is_summative), default=None),
        ...     name="best summative", takes_evidence=True)
        >>> summative.evaluate(scores_to_history([2, 3]), target).value
        3.0

        The same high-last average for every student at once, checked when it is made:

        >>> import numpy as np
        >>> from mastery_grading.policies import has_kernel
        >>> def high_last_kernel(policy, seg):
        ...     high = np.maximum.reduceat(seg.score, seg.starts)
        ...     return (high + seg.score[seg.starts + seg.counts - 1]) / 2
        >>> fast = custom_policy(lambda s: (max(s) + s[-1]) / 2, name="high-last average",
        ...                      kernel=high_last_kernel)
        >>> has_kernel(fast), has_kernel(high_last)
        (True, False)
    """
    return CustomPolicy(
        fn=fn, name=name, takes_evidence=takes_evidence, claims=claims, kernel=kernel
    )


# A custom policy's kernel is its own (numpy, imported on first use): only one made with a
# kernel has one.
register_kernel(
    CustomPolicy,
    "mastery_grading.policies.kernels.custom:custom_kernel",
    applies=lambda policy: policy.kernel is not None,
)
