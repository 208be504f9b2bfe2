"""Policy strategies derived from each policy's fields: every registered policy gets one.

Nothing here lists a policy by hand. :func:`policy_strategy` walks ``attrs.fields(cls)`` and maps
each field to a strategy by its type and validator, around the value the policy's ``example()``
class method (or its defaults) gives:

- ``bool``: either; a ``Literal``: one of its choices; a ``str`` whose validator accepts one of
  a fixed tuple of strings (the tuple it closes over or names): one of those;
- ``int``: 0 to ``max(10, 2 * example)``; ``float``: two-decimal numbers from 0 to the example
  rounded up (at least 1); a date: a day or an aware moment of the school year;
- ``tuple[str, ...]``: a non-empty selection of the validator's choices, or of the example's
  items, or of the evidence contexts (``"math"``, ``"science"``);
- ``Policy`` and ``tuple[Policy, ...]``: generated policies (wrappers wrap simple policies or
  one level of wrapper around them); ``T | None``: ``None`` or a ``T``;
- anything else: the example's value.

The drawn parameters are then checked by the class itself: when its validators refuse them,
fields are put back to their default (or the example's value), last field first, until the
policy is valid, so that every draw is a valid policy and shrinking stays simple.

Example:
    >>> from hypothesis import given
    >>> from mastery_grading.policies import NTimes
    >>> @given(policy_strategy(NTimes))
    ... def test_n_is_valid(policy):
    ...     assert policy.n >= 1
    >>> test_n_is_valid()
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading._extras import require

if TYPE_CHECKING:
    from hypothesis import strategies as st
else:
    st = require(
        "hypothesis.strategies", extra="fairness", feature="mastery_grading.testing.strategies"
    )

from mastery_grading.exceptions import MasteryGradingError
from mastery_grading.fairness.cases import EPOCH
from mastery_grading.policies import available_policies
from mastery_grading.protocols import Policy

__all__ = ["CONTEXTS", "POLICY_NAMES", "policies", "policy_named", "policy_strategy"]

#: The contexts generated evidence and generated policies name.
CONTEXTS = ("math", "science")


def _example(cls: type[Any]) -> Any:
    factory: Callable[[], Any] = getattr(cls, "example", cls)
    return factory()


def _classes() -> dict[str, type[Any]]:
    return {name: type(policy) for name, policy in available_policies().items()}


def _hints(cls: type[Any]) -> Mapping[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation that cannot be resolved: use the example
        return {}


def _wraps(cls: type[Any]) -> bool:
    """Whether some field of ``cls`` holds other policies (a wrapper such as ``Filtered``)."""
    hints = _hints(cls)
    return any(_is_policy_type(hints.get(f.name)) for f in attrs.fields(cls) if f.init)


def _is_policy_type(hint: Any) -> bool:
    if hint is Policy:
        return True
    args = typing.get_args(hint)
    return typing.get_origin(hint) is tuple and bool(args) and args[0] is Policy


def _names() -> tuple[str, ...]:
    """Every registered policy's spec name, simple ones first, then wrappers."""
    classes = _classes()
    return tuple(sorted(classes, key=lambda name: _wraps(classes[name])))


#: The spec name of every policy registered when this module was imported (simple ones first).
#: :func:`policies` reads the registry when called, so a policy registered later is included.
POLICY_NAMES: tuple[str, ...] = _names()


def _strings(validator: Any) -> tuple[str, ...]:
    """The fixed strings ``validator`` accepts: a tuple it closes over or names, else ()."""
    cells = [cell.cell_contents for cell in getattr(validator, "__closure__", None) or ()]
    code = getattr(validator, "__code__", None)
    names = getattr(code, "co_names", ())
    scope = getattr(validator, "__globals__", {})
    for value in [*cells, *(scope.get(name) for name in names)]:
        if isinstance(value, tuple) and value and all(isinstance(x, str) for x in value):
            return value
    return ()


def _moments() -> st.SearchStrategy[date]:
    days = st.integers(min_value=0, max_value=365)
    return st.one_of(
        days.map(lambda d: (EPOCH + timedelta(days=d)).date()),
        days.map(lambda d: EPOCH + timedelta(days=d, minutes=7)),
    )


def _field_strategy(
    hint: Any, example: Any, validator: Any, inner: st.SearchStrategy[Policy]
) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return st.none() | _field_strategy(rest[0], example, validator, inner)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if hint is bool:
        return st.booleans()
    if hint is int:
        top = max(10, 2 * example) if isinstance(example, int) else 10
        return st.integers(min_value=0, max_value=top)
    if hint is float:
        top = max(1, math.ceil(example)) if isinstance(example, int | float) else 1
        return st.integers(min_value=0, max_value=100 * top).map(lambda k: k / 100)
    if hint is str:
        choices = _strings(validator)
        return st.sampled_from(choices) if example in choices else st.just(example)
    if hint is date:
        return _moments()
    if hint is Policy:
        return inner
    if origin is tuple and args and args[0] is Policy:
        return st.lists(inner, min_size=1, max_size=3).map(tuple)
    if origin is tuple and args and args[0] is str:
        items = tuple(example) if isinstance(example, tuple) else ()
        choices = _strings(validator) or items or CONTEXTS
        return st.lists(st.sampled_from(choices), min_size=1, unique=True).map(tuple)
    return st.just(example)


def policy_strategy(
    cls: type[Any],
    *,
    inner: st.SearchStrategy[Policy] | None = None,
    example: Any = None,
) -> st.SearchStrategy[Any]:
    """Policies of class ``cls`` with parameters derived from its fields (see the module).

    Args:
        cls: An attrs policy class, registered or not.
        inner: The policies a wrapper's policy fields hold (default: :func:`policies`' simple
            ones).
        example: The policy whose values the fields vary around and fall back to (default:
            ``cls.example()``, or ``cls()`` when there is no such class method).

    Example:
        >>> from hypothesis import given
        >>> from mastery_grading.policies import Rounded
        >>> @given(policy_strategy(Rounded))
        ... def test_rounded_wraps_a_policy(policy):
        ...     assert policy.places >= 0 and hasattr(policy.inner, "evaluate")
        >>> test_rounded_wraps_a_policy()
    """
    if example is None:
        example = _example(cls)
    hints = _hints(cls)
    fields = [f for f in attrs.fields(cls) if f.init]
    wrapped = inner if inner is not None else st.deferred(_simple)
    parts = {
        f.name: (
            _field_strategy(hints[f.name], getattr(example, f.name), f.validator, wrapped)
            if f.name in hints
            else st.just(getattr(example, f.name))
        )
        for f in fields
    }

    def build(values: dict[str, Any]) -> Any:
        chosen = dict(values)
        for field in [None, *reversed(fields)]:
            if field is not None:  # put this field back, keep the earlier ones drawn
                if field.default is attrs.NOTHING:
                    chosen[field.name] = getattr(example, field.name)
                else:
                    chosen.pop(field.name, None)
            try:
                return cls(**chosen)
            except (MasteryGradingError, ValueError, TypeError):
                continue
        return example

    return st.fixed_dictionaries(parts).map(build)


def _simple() -> st.SearchStrategy[Policy]:
    classes = _classes()
    return st.one_of(*(policy_strategy(classes[n]) for n in _names() if not _wraps(classes[n])))


def policy_named(name: str) -> st.SearchStrategy[Any]:
    """Built-in policies with spec name ``name`` and generated parameters.

    Wrappers (``max_of``, ``filtered``, ``at_bats``, ``rounded``) wrap generated simple
    policies, or one level of wrapper around them.

    Raises:
        ValueError: If no registered policy has that spec name.

    Example:
        >>> from hypothesis import given
        >>> @given(policy_named("n_times"))
        ... def test_n_in_range(policy):
        ...     assert 1 <= policy.n <= 10
        >>> test_n_in_range()
    """
    classes = _classes()
    if name not in classes:
        msg = f"name={name!r} is not a built-in policy; expected one of {list(classes)}"
        raise ValueError(msg)
    cls = classes[name]
    if not _wraps(cls):
        return policy_strategy(cls)
    simple = _simple()
    wrappers = [classes[n] for n in _names() if _wraps(classes[n])]
    one_level = st.one_of(*(policy_strategy(w, inner=simple) for w in wrappers))
    return policy_strategy(cls, inner=simple | one_level)


def policies() -> st.SearchStrategy[Any]:
    """Every registered policy, with generated parameters (wrappers nest other policies).

    Example:
        >>> from hypothesis import given
        >>> @given(policies())
        ... def test_has_spec(policy):
        ...     assert policy.to_spec()["policy"] in available_policies()
        >>> test_has_spec()
    """
    return st.one_of(*(policy_named(name) for name in _names()))
