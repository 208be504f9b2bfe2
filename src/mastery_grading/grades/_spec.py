"""Converter specs: the registry of built-in converters by spec name, and spec checking.

Every built-in converter registers itself here with :func:`register_converter`; every lookup of
a converter by name (:func:`converter_from_spec`, :func:`~mastery_grading.grades.stock_converters`)
goes through :data:`CONVERTERS`, the shared :class:`~mastery_grading._registry.SpecRegistry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from mastery_grading._registry import SpecRegistry
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError, SpecError
from mastery_grading.grades._convert import ReportingConverter

__all__ = [
    "CONVERTERS",
    "SPEC_KEY",
    "build_from_spec",
    "converter_from_spec",
    "register_converter",
    "start_spec",
]

#: The key of a converter spec that names the converter.
SPEC_KEY = "converter"

#: The built-in grade converters by spec name.
CONVERTERS: SpecRegistry[type[Any]] = SpecRegistry(key=SPEC_KEY, kind="converter")

T = TypeVar("T")


def register_converter(cls: type[T]) -> type[T]:
    """Class decorator adding a built-in converter to :data:`CONVERTERS` under its ``spec_name``."""
    return CONVERTERS.register(cls)


def start_spec(spec: Any, name: str, allowed: Sequence[str]) -> dict[str, Any]:
    """Check the outer shape of a spec of converter ``name`` and return it as a dict."""
    if not isinstance(spec, Mapping):
        msg = f"spec={spec!r} must be a dict with a {SPEC_KEY!r} key"
        raise SpecError(msg)
    if spec.get(SPEC_KEY) != name:
        msg = f"spec key {SPEC_KEY!r}={spec.get(SPEC_KEY)!r} must be {name!r}"
        raise SpecError(msg)
    for key in spec:
        if key != SPEC_KEY and key not in allowed:
            msg = (
                f"spec for converter {name!r} has unknown key {key!r}; "
                f"expected one of {list(allowed)}"
            )
            raise SpecError(msg)
    return dict(spec)


def build_from_spec(cls: type[T], name: str, kwargs: dict[str, Any]) -> T:
    """Call ``cls(**kwargs)`` and turn any validation error into a :class:`SpecError`."""
    try:
        return cls(**kwargs)
    except SpecError:
        raise
    except (InvalidValueError, InvalidTypeError, TypeError, ValueError) as error:
        msg = f"spec for converter {name!r} is invalid: {error}"
        raise SpecError(msg) from error


def converter_from_spec(spec: Mapping[str, Any]) -> ReportingConverter:
    """Rebuild a built-in grade converter from its spec; the result equals the original.

    Raises:
        SpecError: If the spec is not a dict, names no or an unknown converter, or a key is
            unknown or invalid. The message names the key.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, converter_from_spec
        >>> converter_from_spec(AverageCutoffs.percent().to_spec()) == AverageCutoffs.percent()
        True
        >>> converter_from_spec({"converter": "average_cutoffs", "cutof": []})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: spec for converter 'average_cutoffs' has unknown key 'cutof'; expected one of ['cutoffs', 'weighted', 'missing']
    """  # noqa: E501
    converter: ReportingConverter = CONVERTERS.find(spec).from_spec(spec)
    return converter
