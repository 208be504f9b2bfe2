"""The one way the library imports an optional package: by the extra that installs it.

The core needs ``attrs`` alone. Every other package is optional and comes with an extra of
``mastery_grading``; :func:`require` imports one or raises
:class:`~mastery_grading.exceptions.MissingExtraError`, which names the feature, the package, the
extra and the pip command. :data:`EXTRAS` lists the extras (the same table as the README's).

A module that needs a package for all of its code reads it once at its top, typed for mypy::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = require("numpy", extra="data", feature="the vectorized engine")

A function that needs one calls :func:`require` first, then imports it (from ``sys.modules``)::

    require("pandas", extra="data", feature="ResultTable.to_pandas()")
    import pandas as pd

``tests/test_extras.py`` checks that no other import of an optional package exists in the
source, and that each feature names its extra when its package is hidden.

Example:
    >>> from mastery_grading._extras import require
    >>> require("json", extra="data", feature="an example").__name__
    'json'
    >>> require("no_such_package", extra="plot", feature="Journey plots")
    Traceback (most recent call last):
    ...
    mastery_grading.exceptions.MissingExtraError: Journey plots needs no_such_package, which is not installed: pip install "mastery_grading[plot]"
"""  # noqa: E501

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from mastery_grading.exceptions import InvalidValueError, MissingExtraError

__all__ = ["EXTRAS", "OPTIONAL_PACKAGES", "available", "require"]

#: Each extra of ``pyproject.toml`` that adds a feature, and the optional packages it installs.
EXTRAS: dict[str, tuple[str, ...]] = {
    "data": ("numpy", "pandas"),
    "fast": ("numpy", "pandas", "pyarrow", "polars"),
    "plot": ("matplotlib",),
    "sim": ("numpy", "pandas", "tqdm"),
    "bkt": ("numpy", "pandas", "numba"),
    "fairness": ("hypothesis",),
    "report": ("babel",),
    "test": ("hypothesis", "pytest"),
    "spark": ("numpy", "pandas", "pyarrow", "polars", "pyspark"),
}

#: Every optional package the library imports (through :func:`require` only).
OPTIONAL_PACKAGES: frozenset[str] = frozenset(
    package for packages in EXTRAS.values() for package in packages
)


def available(package: str) -> bool:
    """Whether ``package`` can be imported (without importing it).

    Example:
        >>> available("json"), available("no_such_package")
        (True, False)
    """
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a parent that is missing, or ``sys.modules[x] = None``
        return False


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import and return ``module``, or raise an error naming the extra that installs it.

    Args:
        module: A module of an optional package (``"numpy"``, ``"pyarrow.compute"``).
        extra: The extra of mastery_grading that installs its package (a key of
            :data:`EXTRAS`).
        feature: What needs it, as the user asked for it (``"simulate_cohort()"``).

    Returns:
        The imported module.

    Raises:
        MissingExtraError: If the package is not installed (or is hidden with
            ``sys.modules[name] = None``).
        InvalidValueError: If ``extra`` is not an extra of the project.

    Example:
        >>> require("math", extra="sim", feature="an example").sqrt(4.0)
        2.0
    """
    if extra not in EXTRAS:
        msg = f"extra={extra!r} is not an extra of mastery_grading; expected one of {list(EXTRAS)}"
        raise InvalidValueError(msg)
    package = module.partition(".")[0]
    if not available(package):
        raise MissingExtraError(feature, module=package, extra=extra)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.partition(".")[0] != package:
            raise  # the package is there but one of its own dependencies is not
        raise MissingExtraError(feature, module=package, extra=extra) from error
