"""One registry for things rebuilt from specs: built-in policies and grade converters by name.

A spec is a JSON-safe dict whose ``key`` entry names the kind (``{"policy": "mean"}``,
``{"converter": "average_cutoffs", ...}``). :class:`SpecRegistry` maps those names to classes,
refuses a second class under a name already taken, and finds the class of a spec with errors
that name the key and list what was expected.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from mastery_grading.exceptions import SpecError

__all__ = ["SpecRegistry", "presets_of"]

C = TypeVar("C", bound=type[Any])


class SpecRegistry(Generic[C]):
    """Classes by spec name for one kind of spec (``"policy"`` or ``"converter"``).

    Args:
        key: The spec key that names the class (``"policy"``).
        kind: How an error names the thing (``"policy"``, ``"converter"``).

    Example:
        >>> registry: SpecRegistry[type] = SpecRegistry(key="shape", kind="shape")
        >>> @registry.register
        ... class Square:
        ...     spec_name = "square"
        >>> registry.find({"shape": "square"}) is Square
        True
        >>> registry.find({"shape": "circle"})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: shape='circle' is not a known shape; expected one of ['square']
    """  # noqa: E501

    def __init__(self, *, key: str, kind: str) -> None:
        self.key = key
        self.kind = kind
        self._classes: dict[str, C] = {}

    def __repr__(self) -> str:
        return f"SpecRegistry(key={self.key!r}, kind={self.kind!r}, names={self.names()!r})"

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def register(self, cls: C) -> C:
        """Class decorator: add ``cls`` under its ``spec_name``.

        Raises:
            SpecError: If another class already has that name.
        """
        name: str = cls.spec_name
        taken = self._classes.get(name)
        if taken is not None and taken is not cls:
            msg = f"spec_name={name!r} is already registered to {taken.__name__}"
            raise SpecError(msg)
        self._classes[name] = cls
        return cls

    def unregister(self, cls: C) -> None:
        """Remove ``cls``, registered under its ``spec_name`` (a class added for a test).

        Raises:
            SpecError: If ``cls`` is not the class registered under its ``spec_name``.

        Example:
            >>> registry: SpecRegistry[type] = SpecRegistry(key="shape", kind="shape")
            >>> @registry.register
            ... class Square:
            ...     spec_name = "square"
            >>> registry.unregister(Square)
            >>> "square" in registry
            False
            >>> registry.unregister(Square)
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.SpecError: spec_name='square' is registered to nothing, not to Square; expected a registered class
        """  # noqa: E501
        name: str = cls.spec_name
        taken = self._classes.get(name)
        if taken is not cls:
            owner = "nothing" if taken is None else taken.__name__
            msg = (
                f"spec_name={name!r} is registered to {owner}, not to {cls.__name__}; "
                "expected a registered class"
            )
            raise SpecError(msg)
        del self._classes[name]

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._classes)

    def get(self, name: str) -> C | None:
        """Return the class registered under ``name``, or ``None``."""
        return self._classes.get(name)

    def classes(self) -> dict[str, C]:
        """Return the registered classes by name, sorted by name."""
        return {name: self._classes[name] for name in self.names()}

    def find(self, spec: Any) -> C:
        """Return the class a spec names.

        Raises:
            SpecError: If ``spec`` is not a dict, lacks the key, or names no registered class.
        """
        if not isinstance(spec, Mapping):
            msg = f"spec={spec!r} must be a dict with a {self.key!r} key"
            raise SpecError(msg)
        if self.key not in spec:
            msg = f"spec={dict(spec)!r} is missing the key {self.key!r}"
            raise SpecError(msg)
        name = spec[self.key]
        cls = self._classes.get(name) if isinstance(name, str) else None
        if cls is None:
            msg = f"{self.key}={name!r} is not a known {self.kind}; expected one of {self.names()}"
            raise SpecError(msg)
        return cls


_PRESETS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def presets_of(family: type[Any]) -> tuple[tuple[str, Any], ...]:
    """Return what each class method of ``family`` makes with no arguments, by that call.

    These are a family's stock values (``AverageCutoffs.marzano_2010()``, ...). Class methods
    that need an argument (``from_spec(spec)``) are passed over, and so is a factory that fails
    or makes something other than a ``family``.

    Example:
        >>> class Band:
        ...     def __init__(self, low: int) -> None:
        ...         self.low = low
        ...     @classmethod
        ...     def wide(cls) -> "Band":
        ...         return cls(0)
        ...     @classmethod
        ...     def from_low(cls, low: int) -> "Band":
        ...         return cls(low)
        >>> [name for name, _ in presets_of(Band)]
        ['Band.wide()']
    """
    known = _PRESETS.get(family)
    if known is not None:
        return known
    found = []
    for name, member in vars(family).items():
        if not isinstance(member, classmethod):
            continue
        factory = getattr(family, name)
        parameters = inspect.signature(factory).parameters.values()
        if any(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters):
            continue  # from_spec(spec), first_match(*rules): not a stock value
        try:
            made = factory()
        except Exception:
            continue
        if isinstance(made, family):
            found.append((f"{family.__name__}.{name}()", made))
    _PRESETS[family] = tuple(found)
    return _PRESETS[family]
