"""Canvas LMS compatibility: its outcome calculation methods, computed and shown as Canvas does.

Canvas stores an outcome's ``calculation_method`` and ``calculation_int``; what a stored value
means depends on the root account's flag ``outcomes_new_decaying_average_calculation``
(2024). :func:`from_canvas` maps both to a :class:`CanvasRollup`, which reproduces the number
Canvas displays: it computes in binary floating point, in Canvas's order of operations, and
rounds with Ruby's ``Float#round(2)``. Its :attr:`CanvasRollup.reference` is the library's
exact policy for the same method, rounded half-up: the two differ only where Canvas's binary
arithmetic lands just below a rounding half (the mean of 4.8 and 4.51 is 4.655 exactly, but
4.654999999999999 in floats, so Canvas shows 4.65).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal, cast, get_args

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies._base import prepare
from mastery_grading.policies._spec import register_policy
from mastery_grading.policies.central import Mean
from mastery_grading.policies.combine import inner_claims
from mastery_grading.policies.count import NTimes
from mastery_grading.policies.peak import Highest
from mastery_grading.policies.recency import DecayingAverage, MostRecent, WeightedAverage
from mastery_grading.policies.rounding import Rounded, ruby_round
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["CANVAS_METHODS", "CANVAS_NAMES", "CanvasRollup", "RollupMethod", "from_canvas"]

#: Canvas's calculation methods and their ``calculation_int`` (default, lowest, highest);
#: ``None`` means the method takes no integer.
CANVAS_METHODS: dict[str, tuple[int, int, int] | None] = {
    "decaying_average": (65, 1, 99),
    "weighted_average": (65, 1, 99),
    "standard_decaying_average": (65, 50, 99),
    "n_mastery": (5, 1, 10),
    "highest": None,
    "latest": None,
    "average": None,
}

#: The formulas a :class:`CanvasRollup` computes, named as Canvas stores them once the
#: decaying-average flag has been applied (``decaying_average`` is then the legacy formula).
RollupMethod = Literal[
    "weighted_average",
    "standard_decaying_average",
    "n_mastery",
    "highest",
    "latest",
    "average",
]
ROLLUP_METHODS: tuple[RollupMethod, ...] = get_args(RollupMethod)

#: Axioms that survive Canvas's floating-point arithmetic. Every operation it does (a
#: correctly rounded sum, a product with a positive constant, a quotient, a sum of two, Ruby's
#: rounding) is monotone and the sum does not depend on order; comparisons between results of
#: different lengths (improvement credit, no retake penalty, recency of order-dependent
#: methods) can flip at a rounding half by one binary digit, so they are not claimed.
_KEPT_BY_FLOATS = frozenset(
    {
        "monotone",
        "order_free",
        "time_shift_invariant",
        "formative_neutral",
        "deterministic",
        "target_independent",
    }
)


#: Canvas's stored ``calculation_method`` names that are not formula names, and the formula
#: each one computes today: ``decaying_average`` is the legacy formula whatever the 2024 flag
#: (:func:`from_canvas`), so a spec or a ``CanvasRollup`` may name it as Canvas stores it.
CANVAS_NAMES: dict[str, RollupMethod] = {"decaying_average": "weighted_average"}


#: What :class:`CanvasRollup` accepts as ``method``: a formula, or Canvas's stored name of one.
MethodName = Literal[RollupMethod, "decaying_average"]


def _canonical_method(value: MethodName) -> Any:
    """Map a Canvas ``calculation_method`` name to the formula it computes (others unchanged)."""
    return CANVAS_NAMES.get(value, value) if isinstance(value, str) else value


def _check_method(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in ROLLUP_METHODS:
        msg = (
            f"{attribute.name}={value!r} is not a Canvas rollup formula; expected one of "
            f"{', '.join(map(repr, ROLLUP_METHODS))} (or Canvas's stored name "
            f"{', '.join(map(repr, CANVAS_NAMES))})"
        )
        raise InvalidValueError(msg)


def _default_int(instance: Any) -> int | None:
    allowed = CANVAS_METHODS.get(instance.method)
    return None if allowed is None else allowed[0]


def _check_calculation_int(instance: Any, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None and CANVAS_METHODS[instance.method] is not None:
        low, high = CANVAS_METHODS[instance.method][1:]  # type: ignore[index]
        msg = (
            f"calculation_int=None is not valid for {instance.method!r}: "
            f"it must be an int between {low} and {high}"
        )
        raise InvalidValueError(msg)
    _check_int(instance.method, value)


@register_policy
@attrs.frozen(kw_only=True)
class CanvasRollup:
    r"""One Canvas outcome calculation, computed in binary floats and rounded as Ruby rounds.

    Canvas (``RollupScore``) computes with the scores as binary floats, in time order
    (``submitted_at`` or ``assessed_at``; give that time as ``observed_at``), and rounds the
    result only at the end with Ruby's ``Float#round(2)`` (:func:`ruby_round`). With
    :math:`s_1, \dots, s_n` oldest first, :math:`w` = ``calculation_int`` and
    :math:`\oplus, \otimes, \oslash` the float operations:

    .. math::

        \text{weighted\_average} &= s_n \otimes (0.01 \otimes w) \oplus
            \big(\textstyle\sum_{i<n} s_i \oslash (n-1)\big) \otimes (0.01 \otimes (100-w)) \\
        \text{standard\_decaying\_average} &: d \leftarrow d \otimes (0.01 \otimes (100-w))
            \oplus s_k \otimes (0.01 \otimes w),\ d_1 = s_1 \\
        \text{n\_mastery} &= \textstyle\sum_{s_i \ge M} s_i \oslash |\{i : s_i \ge M\}|
            \quad\text{if at least } w \text{ scores reach the mastery threshold } M \\
        \text{average} &= \textstyle\sum_i s_i \oslash n, \qquad
        \text{highest} = \max_i s_i, \qquad \text{latest} = s_n

    A single score is returned as it is, rounded. Sums are correctly rounded (Ruby's
    ``Array#sum`` uses Kahan-Babuska summation, which gives the correctly rounded sum unless a
    score is below :math:`2^{-45}` of the total), so they do not depend on the order of the
    rows, which for ``average`` and ``n_mastery`` is Canvas's database order.

    Everything but the value (contributions, counts, the reason of a ``None``) is that of
    :attr:`reference`, the library's exact policy for the method. With no evidence the value
    is ``None``; ``n_mastery`` is ``None`` with a reason until enough scores reach mastery.
    Scores outside the target's scale are rejected (Canvas keeps them: give such a target a
    scale that covers them). Build it with :func:`from_canvas` from what Canvas stores.

    Args:
        method: The formula, one of ``"weighted_average"`` (Canvas's legacy "decaying
            average"), ``"standard_decaying_average"``, ``"n_mastery"``, ``"highest"``,
            ``"latest"`` or ``"average"`` (default ``"weighted_average"``). Canvas's stored
            name ``"decaying_average"`` is accepted too and becomes ``"weighted_average"``,
            the formula Canvas computes for it (see :func:`from_canvas`), so a JSON spec may
            use Canvas's ``calculation_method`` names; the canonical name is the one kept and
            written back by :meth:`to_spec`.
        calculation_int: The weight or rate in percent, or the count for ``n_mastery``, in
            Canvas's range for the method; the default is Canvas's (65, or 5 for
            ``n_mastery``). Methods without an integer require ``None``.

    Raises:
        InvalidValueError: For an unknown method or an integer outside the method's range.
        InvalidTypeError: If ``calculation_int`` is not an int.

    Example:
        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> five = LearningTarget(id="T", title="Ratios", scale=Scale(min=0, max=5, mastery=3))
        >>> CanvasRollup(method="average").evaluate(scores_to_history([4.8, 4.51]), five).value
        4.65
        >>> CanvasRollup(method="average").reference.evaluate(
        ...     scores_to_history([4.8, 4.51]), five
        ... ).value
        4.66
        >>> CanvasRollup().evaluate(scores_to_history([1, 2, 3, 4, 5]), five).value
        4.13
        >>> CanvasRollup(method="decaying_average")  # Canvas's stored name
        CanvasRollup(method='weighted_average', calculation_int=65)
    """

    spec_name: ClassVar[str] = "canvas_rollup"

    method: RollupMethod = attrs.field(
        default="weighted_average", converter=_canonical_method, validator=_check_method
    )
    calculation_int: int | None = attrs.field(
        default=attrs.Factory(_default_int, takes_self=True), validator=_check_calculation_int
    )

    @property
    def reference(self) -> Rounded:
        """The library's exact policy for this method, rounded half-up to 2 decimals.

        >>> CanvasRollup(method="n_mastery", calculation_int=3).reference
        Rounded(inner=NTimes(n=3), places=2)
        """
        return Rounded(inner=_exact_policy(self.method, self.calculation_int))

    @property
    def claims(self) -> frozenset[Claim]:
        """The reference's claims that Canvas's floating-point arithmetic keeps.

        ``highest`` and ``latest`` do no arithmetic and keep all of them; the others keep the
        axioms that monotone, order-free float operations keep (and ``recency``, where the
        method ignores order).

        >>> sorted(CanvasRollup(method="average").claims)  # doctest: +NORMALIZE_WHITESPACE
        ['deterministic', 'monotone', 'order_free', 'recency', 'target_independent',
         'time_shift_invariant']
        """
        kept = inner_claims(self.reference)
        if self.method in ("highest", "latest"):
            return kept
        floats = kept & _KEPT_BY_FLOATS
        if "order_free" in floats and "recency" in kept:
            floats |= {"recency"}
        return floats

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return Canvas's displayed value, with the reference's contributions and reason.

        >>> from mastery_grading import LearningTarget, Scale
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> five = LearningTarget(id="T", title="Ratios", scale=Scale(min=0, max=5, mastery=3))
        >>> result = CanvasRollup(method="n_mastery", calculation_int=2).evaluate(
        ...     scores_to_history([3, 1, 4]), five
        ... )
        >>> result.value, [c.evidence.score for c in result.contributions]
        (3.5, [3.0, 4.0])

        Raises:
            TargetMismatchError: If a piece of evidence is for another target.
            ScoreOutOfScaleError: If a score lies outside the target's scale.
        """
        history = prepare(evidence, target)
        result = self.reference.evaluate(history, target)
        if result.value is None:
            return attrs.evolve(result, policy=self)
        value = _canvas_value(
            self.method, self.calculation_int, [e.score for e in history], target.scale.mastery
        )
        return attrs.evolve(result, policy=self, value=value)

    def to_spec(self) -> dict[str, Any]:
        """Return a JSON-safe dict; see :func:`~mastery_grading.policies.policy_from_spec`.

        >>> CanvasRollup(method="latest").to_spec()
        {'policy': 'canvas_rollup', 'method': 'latest', 'calculation_int': None}
        """
        from mastery_grading.policies._spec import policy_to_spec

        return policy_to_spec(self)


def _exact_policy(method: str, number: int | None) -> Any:
    if method == "highest":
        return Highest()
    if method == "latest":
        return MostRecent()
    if method == "average":
        return Mean(weighted=False)
    assert number is not None
    if method == "n_mastery":
        return NTimes(n=number)
    if method == "standard_decaying_average":
        return DecayingAverage(rate=number / 100)
    return WeightedAverage(weight=number / 100)


def _canvas_value(
    method: str, number: int | None, scores: Sequence[float], mastery: float
) -> float:
    """Canvas's value for ``scores`` (oldest first, not empty), in Canvas's float operations."""
    if method == "highest":
        return ruby_round(max(scores))
    if method == "latest" or len(scores) == 1:
        return ruby_round(scores[-1])
    if method == "average":
        return ruby_round(math.fsum(scores) / len(scores))
    assert number is not None
    if method == "n_mastery":
        kept = [s for s in scores if s >= mastery]
        return ruby_round(math.fsum(kept) / len(kept))
    if method == "standard_decaying_average":
        decayed = scores[0]
        for score in scores[1:]:
            decayed = decayed * (0.01 * (100 - number)) + score * (0.01 * number)
        return ruby_round(decayed)
    older = scores[:-1]
    return ruby_round(
        scores[-1] * (0.01 * number) + (math.fsum(older) / len(older)) * (0.01 * (100 - number))
    )


def from_canvas(
    calculation_method: str | None,
    calculation_int: int | None = None,
    new_decaying_average: bool = False,
) -> CanvasRollup:
    """Return the policy that reproduces a Canvas outcome calculation, as Canvas shows it.

    ============================= ========== ======== ==================================================
    ``calculation_method``        default    range    formula (:class:`CanvasRollup` ``method``)
    ============================= ========== ======== ==================================================
    ``decaying_average``          65         1-99     legacy ``weighted_average``, whatever the flag
    ``weighted_average``          65         1-99     legacy ``weighted_average``
    ``standard_decaying_average`` 65         50-99    ``standard_decaying_average`` if the flag is on,
                                                      else the legacy ``weighted_average``
    ``n_mastery``                 5          1-10     ``n_mastery``
    ``highest`` (and ``None``)    none       none     ``highest``
    ``latest``                    none       none     ``latest``
    ``average``                   none       none     ``average``
    ============================= ========== ======== ==================================================

    The policy computes as Canvas does (binary floats, rounded with Ruby's ``Float#round(2)``
    at the end only), so that 4.125 shows as 4.13 and the mean of 4.8 and 4.51 as 4.65, as in
    Canvas. Its ``reference`` is the library's exact policy for the same method (a
    :class:`Rounded` :class:`WeightedAverage`, :class:`DecayingAverage`, :class:`NTimes`,
    :class:`Highest`, :class:`MostRecent` or unweighted :class:`Mean`). Canvas orders results
    by submission or assessment time; give that time as ``observed_at``.

    Args:
        calculation_method: The stored method name; ``None`` is handled as ``"highest"``, as
            Canvas does for outcomes without a method.
        calculation_int: The stored integer (percent weight or count); ``None`` takes the
            default. Methods without an integer require ``None``.
        new_decaying_average: Whether the account flag
            ``outcomes_new_decaying_average_calculation`` is on.

    Returns:
        A :class:`CanvasRollup` computing the method's formula.

    Raises:
        InvalidValueError: For an unknown method, or an integer outside the method's range (the
            message names the range).
        InvalidTypeError: If ``calculation_int`` is not an int.

    Example:
        >>> from_canvas("decaying_average")
        CanvasRollup(method='weighted_average', calculation_int=65)
        >>> from_canvas("standard_decaying_average", 75, new_decaying_average=True)
        CanvasRollup(method='standard_decaying_average', calculation_int=75)
        >>> from_canvas("n_mastery", 11)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: calculation_int=11 is not valid for 'n_mastery': it must be between 1 and 10
    """  # noqa: E501
    method = "highest" if calculation_method is None else calculation_method
    if method not in CANVAS_METHODS:
        msg = (
            f"calculation_method={calculation_method!r} is not a Canvas method; expected one of "
            f"{', '.join(map(repr, CANVAS_METHODS))}"
        )
        raise InvalidValueError(msg)
    number = _check_int(method, calculation_int)
    if method == "decaying_average" or (
        method == "standard_decaying_average" and not new_decaying_average
    ):
        method = "weighted_average"
    return CanvasRollup(method=cast(RollupMethod, method), calculation_int=number)


def _check_int(method: str, calculation_int: Any) -> int | None:
    allowed = CANVAS_METHODS[method]
    if calculation_int is not None and (
        isinstance(calculation_int, bool) or not isinstance(calculation_int, int)
    ):
        msg = (
            f"calculation_int={calculation_int!r} must be an int (Canvas stores an integer), "
            f"not {type(calculation_int).__name__}"
        )
        raise InvalidTypeError(msg)
    if allowed is None:
        if calculation_int is not None:
            msg = (
                f"calculation_int={calculation_int!r} is not valid for {method!r}: "
                "it takes no calculation_int (must be None)"
            )
            raise InvalidValueError(msg)
        return None
    default, low, high = allowed
    if calculation_int is None:
        return default
    if not low <= calculation_int <= high:
        msg = (
            f"calculation_int={calculation_int!r} is not valid for {method!r}: "
            f"it must be between {low} and {high}"
        )
        raise InvalidValueError(msg)
    return int(calculation_int)
