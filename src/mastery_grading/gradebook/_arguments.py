"""The checks of a gradebook's arguments: targets, engine, threads, a policy per target, frames."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mastery_grading._extras import available
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, MissingExtraError
from mastery_grading.protocols import Policy
from mastery_grading.targets import LearningTarget

__all__ = ["check_engine", "check_threads", "is_frame", "policies_per_target", "target_dict"]


def target_dict(
    targets: Iterable[LearningTarget] | Mapping[str, LearningTarget],
) -> dict[str, LearningTarget]:
    items = targets.values() if isinstance(targets, Mapping) else targets
    out: dict[str, LearningTarget] = {}
    for target in items:
        if not isinstance(target, LearningTarget):
            msg = f"targets item {target!r} must be a LearningTarget, not {type(target).__name__}"
            raise InvalidTypeError(msg)
        if target.id in out:
            msg = f"targets has the id {target.id!r} twice; target ids must be unique"
            raise InvalidValueError(msg)
        out[target.id] = target
    return out


def check_engine(engine: str) -> None:
    if engine not in ("auto", "numpy", "python"):
        msg = f"engine={engine!r} must be 'auto', 'numpy' or 'python'"
        raise InvalidValueError(msg)
    if engine == "numpy" and not available("numpy"):
        feature = "engine='numpy'"
        raise MissingExtraError(
            feature, module="numpy", extra="data", alternative="use engine='auto'"
        )


def policies_per_target(
    targets: Mapping[str, LearningTarget], policy: Policy | Mapping[str, Policy]
) -> list[Policy]:
    """The policy of each target, in target order; a mapping must name every target."""
    if isinstance(policy, Mapping):
        unknown = [key for key in policy if key not in targets]
        if unknown:
            msg = (
                f"policy names targets {unknown!r} that are not targets of this gradebook; "
                f"expected ids among {list(targets)!r}"
            )
            raise InvalidValueError(msg)
        left_out = [target_id for target_id in targets if target_id not in policy]
        if left_out:
            msg = (
                f"policy has no policy for the targets {left_out!r}; give one policy for "
                "every target of the gradebook"
            )
            raise InvalidValueError(msg)
        chosen = [policy[target_id] for target_id in targets]
    else:
        chosen = [policy] * len(targets)
    checked: set[int] = set()  # a protocol check costs tens of microseconds: once a policy
    for target_id, item in zip(targets, chosen, strict=True):
        if id(item) in checked:
            continue
        checked.add(id(item))
        if not isinstance(item, Policy):
            where = f"policy[{target_id!r}]" if isinstance(policy, Mapping) else "policy"
            msg = (
                f"{where}={item!r} must be a Policy (an object with evaluate), "
                f"not {type(item).__name__}"
            )
            raise InvalidTypeError(msg)
    return chosen


def is_frame(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith(("pandas", "polars")) and hasattr(value, "columns")


def check_threads(threads: int | None) -> int | None:
    """Return ``threads`` if it is ``None`` (the default count) or a whole number of at least 1.

    Raises:
        InvalidValueError: Naming the value otherwise.

    Example:
        >>> check_threads(2), check_threads(None)
        (2, None)
        >>> check_threads(0)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: threads=0 must be a whole number of at least 1 (or None: MASTERY_GRADING_THREADS, else 2)
    """  # noqa: E501
    if threads is None or (type(threads) is int and threads >= 1):
        return threads
    msg = (
        f"threads={threads!r} must be a whole number of at least 1 "
        "(or None: MASTERY_GRADING_THREADS, else 2)"
    )
    raise InvalidValueError(msg)
