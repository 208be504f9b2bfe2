"""Parent targets: roll the results of subskills up into their parent target.

A subskill names its parent with ``parent_id``. Three roll-ups are offered:

``"mean"``
    The exact mean of the subskills' values.
``"minimum"``
    The lowest subskill value, as MasteryConnect rolls up a parent standard: the parent is only
    as strong as its weakest part.
``"all_mastered"``
    The parent is mastered exactly when every subskill is, judged on one scale: the
    **parent's**. A subskill counts as mastered when its value reaches the parent's mastery
    threshold (``parent.scale.mastery``), whatever its own scale's threshold is. The parent's
    value is the subskills' mean when all are mastered (so at least the threshold, and the
    parent's result is mastered), and otherwise the lowest subskill value (below the
    threshold, so the parent's result is not mastered). The reason says which, and so always
    agrees with ``mastered`` on the parent's result.

Each roll-up is monotone: raising one subskill never lowers the parent. A parent with a
subskill that has no result yet has no result either (``value=None``), so the converter's
``missing`` choice applies to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Literal, get_args

from mastery_grading._numbers import read_value
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.results import Contribution, TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["ROLLUP_METHODS", "RollupMethod", "roll_up_parents"]

RollupMethod = Literal["mean", "minimum", "all_mastered"]

#: The roll-up methods.
ROLLUP_METHODS: tuple[RollupMethod, ...] = get_args(RollupMethod)


def roll_up_parents(
    results: Iterable[TargetResult],
    parents: Iterable[LearningTarget],
    *,
    method: RollupMethod = "mean",
) -> tuple[TargetResult, ...]:
    """Replace subskill results by one result per parent target.

    Results of targets without a parent (or whose parent is not in ``parents``) pass through
    unchanged. A parent's result takes its subskills' evidence counts and contributions (for
    ``"mean"`` every subskill's contributions, scaled by 1/k; otherwise those of the subskill
    that decided the value) and the policy of its first subskill.

    Args:
        results: Results of one student, one per target.
        parents: The parent targets; each needs at least one subskill in ``results``.
        method: ``"mean"``, ``"minimum"`` or ``"all_mastered"``.

    Returns:
        The parents' results first (in the order of ``parents``), then the passed-through
        results in input order.

    Raises:
        InvalidValueError: If the method is unknown, a parent has no subskill result, or a
            subskill lies on a scale with another range than its parent.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> from mastery_grading.grades import results_from_scores
        >>> parent = LearningTarget(id="LE", title="Linear equations")
        >>> subskills = {LearningTarget(id=f"LE.{i}", title=f"Step {i}", parent_id="LE"): score
        ...              for i, score in enumerate([3.5, 2.5, 3.0], start=1)}
        >>> results = results_from_scores(subskills)
        >>> [r.value for r in roll_up_parents(results, [parent], method="mean")]
        [3.0]
        >>> [r.value for r in roll_up_parents(results, [parent], method="minimum")]
        [2.5]
        >>> rolled = roll_up_parents(results, [parent], method="all_mastered")
        >>> rolled[0].value, rolled[0].mastered
        (2.5, False)
    """
    if method not in ROLLUP_METHODS:
        msg = f"method={method!r} must be one of {list(ROLLUP_METHODS)}"
        raise InvalidValueError(msg)
    items = tuple(results)
    parent_list = tuple(parents)
    for parent in parent_list:
        if not isinstance(parent, LearningTarget):
            msg = f"parents item {parent!r} must be a LearningTarget, not {type(parent).__name__}"
            raise InvalidTypeError(msg)
    by_parent: dict[str, list[TargetResult]] = {parent.id: [] for parent in parent_list}
    passed = []
    for item in items:
        if not isinstance(item, TargetResult):
            msg = f"results item {item!r} must be a TargetResult, not {type(item).__name__}"
            raise InvalidTypeError(msg)
        parent_id = item.target.parent_id
        if parent_id is not None and parent_id in by_parent:
            by_parent[parent_id].append(item)
        else:
            passed.append(item)
    rolled = [_roll_up(parent, by_parent[parent.id], method) for parent in parent_list]
    return (*rolled, *passed)


def _roll_up(
    parent: LearningTarget, children: list[TargetResult], method: RollupMethod
) -> TargetResult:
    if not children:
        msg = (
            f"parent target {parent.id!r} has no subskill result (none has parent_id={parent.id!r})"
        )
        raise InvalidValueError(msg)
    for child in children:
        scale = child.target.scale
        if (scale.min, scale.max) != (parent.scale.min, parent.scale.max):
            msg = (
                f"subskill {child.target.id!r} lies on [{scale.min}, {scale.max}], not on its "
                f"parent's scale [{parent.scale.min}, {parent.scale.max}]"
            )
            raise InvalidValueError(msg)
    count = sum(child.evidence_count for child in children)
    policy = children[0].policy
    undecided = [child.target.id for child in children if child.value is None]
    if undecided:
        return TargetResult(
            target=parent,
            value=None,
            policy=policy,
            evidence_count=count,
            reason=f"no result yet on subskill(s) {', '.join(map(repr, undecided))}",
        )
    values = [read_value(child.value) for child in children if child.value is not None]
    lowest = min(range(len(children)), key=lambda i: (values[i], i))
    threshold = read_value(parent.scale.mastery)  # one scale for every subskill: the parent's
    all_mastered = all(value >= threshold for value in values)
    if method == "mean" or (method == "all_mastered" and all_mastered):
        value = sum(values, Fraction(0)) / len(values)
        contributions = tuple(
            Contribution(evidence=c.evidence, weight=c.weight / len(children))
            for child in children
            for c in child.contributions
        )
        how = f"mean of {len(children)} subskills"
    else:
        value = values[lowest]
        contributions = children[lowest].contributions
        how = f"lowest of {len(children)} subskills ({children[lowest].target.id!r})"
    if method == "all_mastered":
        verdict = "all subskills" if all_mastered else "not all subskills"
        how = f"{verdict} at the parent's mastery {parent.scale.mastery!r} or above: {how}"
    return TargetResult(
        target=parent,
        value=float(value),
        policy=policy,
        evidence_count=count,
        contributions=contributions,
        reason=how,
    )
