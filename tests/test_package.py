"""The package's public surface and import-time behaviour."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import mastery_grading
from mastery_grading import exceptions, policies

PUBLIC_MODULES = [mastery_grading, policies, exceptions]


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted_unique_and_importable(module: ModuleType) -> None:
    """``__all__`` is in plain ``sorted`` order, as the comment above the package's says."""
    names = list(module.__all__)
    assert sorted(names) == names
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(module, name)


def _public_members(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties ``cls`` has from classes defined in this package."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("mastery_grading"):
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_"):
                continue
            function = attr.__func__ if isinstance(attr, classmethod | staticmethod) else attr
            if isinstance(function, property) or inspect.isfunction(function):
                yield f"{klass.__module__}.{klass.__qualname__}.{name}", function


def _public_objects() -> dict[str, Any]:
    """Every class and function in the two public ``__all__`` lists, and their members."""
    found: dict[str, Any] = {}
    for module in (mastery_grading, policies):
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if obj.__module__.startswith("mastery_grading"):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            if inspect.isclass(obj):
                found.update(_public_members(obj))
    return found


def _has_example(obj: Any) -> bool:
    return ">>>" in (inspect.getdoc(obj) or "")


def test_every_public_object_has_a_runnable_example_in_its_docstring() -> None:
    """Classes, functions and their public methods and properties; doctests run the examples."""
    missing = sorted(name for name, obj in _public_objects().items() if not _has_example(obj))
    assert [] == missing


def test_the_example_walk_sees_methods_properties_and_exceptions() -> None:
    """A guard on the walk itself, so that it cannot pass by finding nothing."""
    names = set(_public_objects())
    assert {
        "mastery_grading.exceptions.SpecTypeError",
        "mastery_grading.evidence.Evidence.is_summative",
        "mastery_grading.scales.Scale.from_spec",
        "mastery_grading.policies._base.HistoryPolicy.evaluate",  # inherited by Mean
        "mastery_grading.policies.custom.custom_policy",
    } <= names


def test_importing_the_package_imports_no_optional_package() -> None:
    code = (
        "import sys, mastery_grading, mastery_grading.policies; "
        "heavy = {'numpy', 'pandas', 'matplotlib', 'polars', 'pyarrow', 'tqdm', 'hypothesis'}"
        " & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == out.stdout.strip()


def test_spec_type_error_is_both_a_spec_error_and_a_type_error() -> None:
    assert issubclass(exceptions.SpecTypeError, exceptions.SpecError)
    assert issubclass(exceptions.SpecTypeError, exceptions.InvalidTypeError)
    assert issubclass(exceptions.SpecTypeError, TypeError)


def test_every_library_error_has_one_root_and_a_builtin() -> None:
    for name in exceptions.__all__:
        error = getattr(exceptions, name)
        assert issubclass(error, exceptions.MasteryGradingError)
        if error is not exceptions.MasteryGradingError:
            assert issubclass(error, ValueError | TypeError | ImportError)


def test_py_typed_marker_ships() -> None:
    from importlib.resources import files

    assert files("mastery_grading").joinpath("py.typed").is_file()


def test_axioms_do_not_need_hypothesis() -> None:
    from mastery_grading.fairness.axioms import AXIOMS

    code = (
        "import sys, mastery_grading.fairness.axioms as a; "
        "print(len(a.AXIOMS), 'hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"{len(AXIOMS)} False" == out.stdout.strip()
    assert len(AXIOMS) >= 13  # the twelve of the fairness issue and recency_sensitive
