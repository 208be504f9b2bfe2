"""The vectorized kernels of the built-in policies, and the registry that finds them.

The registry itself lives in :mod:`mastery_grading.policies.kernel_registry` (so that a
family module can register its kernels without importing this package); its names are
re-exported here. The built-in kernels live in the numpy-only modules of this package, one per
family (:mod:`~mastery_grading.policies.kernels.central`, ``recency``, ``peak``, ``count``,
``trend``, ``rules``), with the shared tools in
:mod:`~mastery_grading.policies.segments`. Importing this package does not import numpy.

Example:
    >>> from mastery_grading.policies import Mean
    >>> from mastery_grading.policies.kernels import has_kernel
    >>> has_kernel(Mean())
    True
"""

from mastery_grading.policies.kernel_registry import (
    Kernel,
    has_kernel,
    kernel_for,
    register_kernel,
)

__all__ = ["Kernel", "has_kernel", "kernel_for", "register_kernel"]
