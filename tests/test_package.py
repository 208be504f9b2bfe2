"""The package's public surface and import-time behaviour."""

from __future__ import annotations

import subprocess
import sys

import mastery_grading
from mastery_grading import exceptions


def test_all_is_sorted_and_importable() -> None:
    names = [n for n in mastery_grading.__all__ if n != "__version__"]
    assert sorted(names, key=str.lower) == sorted(names, key=str.lower)
    for name in mastery_grading.__all__:
        assert hasattr(mastery_grading, name)


def test_importing_the_package_does_not_import_numpy_or_pandas() -> None:
    code = (
        "import sys, mastery_grading, mastery_grading.policies; "
        "heavy = {'numpy', 'pandas', 'matplotlib', 'polars', 'pyarrow'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "[]" == out.stdout.strip()


def test_every_library_error_has_one_root_and_a_builtin() -> None:
    for name in exceptions.__all__:
        error = getattr(exceptions, name)
        assert issubclass(error, exceptions.MasteryGradingError)
        if error is not exceptions.MasteryGradingError:
            assert issubclass(error, ValueError | TypeError)


def test_py_typed_marker_ships() -> None:
    from importlib.resources import files

    assert files("mastery_grading").joinpath("py.typed").is_file()


def test_axioms_do_not_need_hypothesis() -> None:
    code = (
        "import sys, mastery_grading.axioms as a; print(len(a.AXIOMS), 'hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "12 False" == out.stdout.strip()
