"""The one registry of vectorized kernels, keyed by policy class.

A policy's exact rule is its ``evaluate`` method; a *kernel* computes the same rule for every
(student, target) group of a whole gradebook at once, in a handful of numpy segment operations
(see :class:`~mastery_grading.policies.segments.Segments` for what it reads and
:class:`~mastery_grading.policies.segments.KernelOutput` for what it returns). The
gradebook's engine and the simulation's fast path both find kernels here, and use one only for
the exact class it was registered for (never a subclass), so a policy without a kernel is
always evaluated by its own rule.

Each built-in family module registers its kernels beside its rules, by name
(``"module:function"``), so this registry, :mod:`mastery_grading.policies` and
``import mastery_grading`` never import numpy; the kernel's module is imported on the first
:func:`kernel_for`. The built-in kernels live in the numpy-only modules of this package, one
per family (:mod:`~mastery_grading.policies.kernels.central`, ``recency``, ``peak``,
``count``, ``trend``, ``rules``), with the shared tools in
:mod:`~mastery_grading.policies.segments`.

Example:
    >>> from mastery_grading.policies import Mean, kernel_for
    >>> has_kernel(Mean()), kernel_for(Mean()).__name__
    (True, 'mean_kernel')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, overload

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

if TYPE_CHECKING:
    from mastery_grading.policies.segments import KernelOutput, Segments

__all__ = ["Kernel", "has_kernel", "kernel_for", "register_kernel"]

#: The type of a kernel, ``kernel(policy, segments)``, which gives every group's value, or
#: ``None`` to have the policy evaluated group by group instead (for instance when the segments
#: lack a column it needs).
Kernel: TypeAlias = "Callable[[Any, Segments], KernelOutput | None]"

#: Kernels by policy class: the function, or ``"module:function"`` until first looked up.
_KERNELS: dict[type[Any], Kernel | str] = {}
#: For a class whose kernel serves only some of its policies: which ones (see ``applies``).
_APPLIES: dict[type[Any], Callable[[Any], bool]] = {}

#: The type of the function ``register_kernel(cls)`` decorates: the decorator returns it
#: unchanged.
K = TypeVar("K", bound=Callable[..., Any])


def _load(path: str) -> Kernel:
    module, _, name = path.partition(":")
    found: Kernel = getattr(importlib.import_module(module), name)
    return found


@overload
def register_kernel(
    cls: type[Any], kernel: None = None, *, applies: Callable[[Any], bool] | None = None
) -> Callable[[K], K]: ...
@overload
def register_kernel(
    cls: type[Any], kernel: Kernel | str, *, applies: Callable[[Any], bool] | None = None
) -> None: ...
def register_kernel(
    cls: type[Any],
    kernel: Kernel | str | None = None,
    *,
    applies: Callable[[Any], bool] | None = None,
) -> Callable[[K], K] | None:
    """Register the vectorized kernel of the policy class ``cls`` (replacing any earlier one).

    The kernel must give, for every group, the value the policy's ``evaluate`` gives (``NaN``
    for ``None``), or flag the groups where it may not (``inexact`` groups are recomputed by
    the policy when they lie near a level threshold, ``force`` groups always). It is used only
    for ``cls`` itself, never for a subclass.

    Args:
        cls: The policy class.
        kernel: The kernel, or ``"module:function"`` naming it, imported on first use (so that
            registering needs no numpy). Left out, ``register_kernel(cls)`` is a decorator.
        applies: Which policies of ``cls`` the kernel serves, ``applies(policy) -> bool``
            (default: all of them); for the others :func:`has_kernel` is ``False`` and
            :func:`kernel_for` ``None``. A :class:`~mastery_grading.policies.CustomPolicy`
            has a kernel only when it was made with one.

    Raises:
        InvalidTypeError: If ``cls`` is not a class or ``kernel`` neither a callable nor a
            string.
        InvalidValueError: If a string ``kernel`` is not of the form ``"module:function"``.

    Example:
        >>> import attrs
        >>> from mastery_grading.policies import Highest, kernel_for
        >>> @attrs.frozen
        ... class Best(Highest):
        ...     '''The highest score, under another name.'''
        >>> kernel_for(Best()) is None  # not inherited: a subclass may change the rule
        True
        >>> register_kernel(Best, "mastery_grading.policies.kernels.peak:highest_kernel")
        >>> kernel_for(Best()).__name__
        'highest_kernel'
    """
    if not isinstance(cls, type):
        msg = f"cls={cls!r} must be a policy class"
        raise InvalidTypeError(msg)
    if kernel is None:

        def register(func: K) -> K:
            register_kernel(cls, func, applies=applies)
            return func

        return register
    if isinstance(kernel, str):
        module, colon, name = kernel.partition(":")
        if not (colon and module and name.isidentifier()):
            msg = f"kernel={kernel!r} must name a function as 'package.module:function'"
            raise InvalidValueError(msg)
    elif not callable(kernel):
        msg = (
            f"kernel={kernel!r} of type {type(kernel).__name__} must be a callable "
            "kernel(policy, segments) or a 'module:function' string"
        )
        raise InvalidTypeError(msg)
    if applies is not None and not callable(applies):
        msg = f"applies={applies!r} must be a function policy -> bool"
        raise InvalidTypeError(msg)
    _KERNELS[cls] = kernel
    if applies is None:
        _APPLIES.pop(cls, None)
    else:
        _APPLIES[cls] = applies
    return None


def kernel_for(policy: object) -> Kernel | None:
    """Return the kernel registered for the class of ``policy``, or ``None``.

    The kernel's module is imported on the first look-up (it needs numpy).

    Example:
        >>> from mastery_grading.policies import CanvasRollup, MostRecent
        >>> kernel_for(MostRecent()).__name__, kernel_for(CanvasRollup())
        ('most_recent_kernel', None)
    """
    cls = type(policy)
    found = _KERNELS.get(cls)
    if found is None or not _APPLIES.get(cls, _always)(policy):
        return None
    if isinstance(found, str):
        found = _KERNELS[cls] = _load(found)
    return found


def has_kernel(policy: object) -> bool:
    """Return whether a kernel is registered for the class of ``policy`` (imports nothing).

    Example:
        >>> from mastery_grading.policies import CanvasRollup, Mean
        >>> has_kernel(Mean()), has_kernel(CanvasRollup())
        (True, False)
    """
    cls = type(policy)
    return cls in _KERNELS and _APPLIES.get(cls, _always)(policy)


def _always(_policy: object) -> bool:
    return True
