"""What the side-by-side benchmarks share: another version of a module, and a call's peak.

``bench_duplicates.py`` and ``bench_sort.py`` time a function of this checkout beside the
same function of another version of its module (a file, e.g. from ``git show``), in one
process, the runs interleaved.
"""

from __future__ import annotations

import importlib.util
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any


def load_function(path: str, module: str, name: str) -> Any:
    """The function ``name`` of the module file at ``path``, imported as ``module``."""
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded  # a dataclass of the module looks its module up
    spec.loader.exec_module(loaded)
    return getattr(loaded, name)


def traced_peak(func: Callable[[], Any]) -> int:
    """The most bytes Python and numpy held at once during ``func``, above the start."""
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    result = func()
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    del result
    return peak
