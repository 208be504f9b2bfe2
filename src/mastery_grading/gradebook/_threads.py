"""How many threads the engine uses, and running independent steps on them.

Only steps that release the GIL run on threads, and only steps whose results do not depend on
which thread ran them (each step is the same function call it would be on one thread), so the
engine's results are identical for any number of threads. Today these are the reading of a
frame (the students' ids encoded by Arrow's ``dictionary_encode`` while the targets are looked
up and the scores and times read, see ``_engine._frames``), the duplicate check's hash of the
rows in two halves and, beyond 2^21 rows, its sort of hashes in two halves
(``_duplicates``), the two parts of the rows' sort (numpy's ``argsort``, see
``_engine._sort``), and the gathers of a result table's text columns for
``ResultTable.to_pandas()``.

The number of threads is the caller's (``Gradebook.from_frame(..., threads=2)``, checked by
``gradebook._arguments.check_threads``), else :func:`engine_threads`: the environment variable
``MASTERY_GRADING_THREADS`` when set (1 runs everything on the calling thread), else two, or
one on a machine with a single CPU.

Example:
    >>> run_all([lambda: 1 + 1, lambda: 2 * 3], threads=2)
    [2, 6]
    >>> run_all([lambda: 1 + 1, lambda: 2 * 3], threads=1)
    [2, 6]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from mastery_grading.exceptions import InvalidValueError

__all__ = ["DEFAULT_THREADS", "engine_threads", "run_all"]

#: Threads when ``MASTERY_GRADING_THREADS`` is not set (at most the machine's CPUs).
DEFAULT_THREADS = 2

_T = TypeVar("_T")


def engine_threads() -> int:
    """The number of threads the engine uses (see the module's docstring).

    Raises:
        InvalidValueError: If ``MASTERY_GRADING_THREADS`` is not a whole number of at least 1.

    Example:
        >>> engine_threads() >= 1
        True
    """
    text = os.environ.get("MASTERY_GRADING_THREADS", "").strip()
    if not text:
        return max(1, min(DEFAULT_THREADS, os.cpu_count() or 1))
    if not text.isdigit() or int(text) < 1:
        msg = f"MASTERY_GRADING_THREADS={text!r} must be a whole number of at least 1"
        raise InvalidValueError(msg)
    return int(text)


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mastery-grading")


# A child made by fork() has the parent's pools but none of their threads: a step given to one
# would wait for ever. The child starts with no pool, and makes its own when it needs one.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.cache_clear)


def run_all(steps: Sequence[Callable[[], _T]], *, threads: int | None = None) -> list[_T]:
    """Run independent ``steps`` and return their results in order.

    With more than one thread the steps but the first run on a shared pool while the calling
    thread runs the first; an exception is raised as the steps run one by one would raise it
    (the first failing step's, in order).

    Args:
        steps: Functions of no arguments, independent of each other.
        threads: How many threads (default :func:`engine_threads`).
    """
    count = engine_threads() if threads is None else threads
    if count <= 1 or len(steps) <= 1:
        return [step() for step in steps]
    pool = _pool(min(count, len(steps)) - 1 or 1)
    futures = [pool.submit(step) for step in steps[1:]]
    try:
        first = steps[0]()
    except BaseException:
        for future in futures:
            future.cancel()
        for future in futures:
            if not future.cancelled():
                future.exception()  # wait: no step outlives the call
        raise
    return [first, *(future.result() for future in futures)]
