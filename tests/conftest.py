"""Shared pytest setup: Hypothesis profiles.

Profiles (choose with ``HYPOTHESIS_PROFILE``): ``ci`` (default: derandomized, 60 examples,
no deadline, so `make test` is repeatable and fast), ``dev`` (random, 100 examples) and
``deep`` (1,000 examples, for an on-demand deeper check).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "deep", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
