"""Shared pytest setup: Hypothesis profiles, and the Spark session of the Spark tests.

Profiles (choose with ``HYPOTHESIS_PROFILE``): ``ci`` (default: derandomized, 60 examples,
no deadline, so `make test` is repeatable and fast), ``dev`` (random, 100 examples) and
``deep`` (1,000 examples, for an on-demand deeper check).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
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


# ---------------------------------------------------------------------------------------------
# One local Spark session for the whole run (start-up costs about 15-30 s)
# ---------------------------------------------------------------------------------------------

JAVA_MISSING = (
    "Java 17 is missing, so the Spark tests cannot start a local session: install it with "
    "`sudo apt-get install openjdk-17-jre-headless` (make test runs tools/ensure-java.sh, "
    "which does so when it runs as root)"
)


def java_major_version() -> int | None:
    """The major version of ``java`` on the PATH (``java -version``), or None if unreadable."""
    try:
        shown = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', shown.stderr + shown.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A ``local[2]`` Spark session with 4 shuffle partitions, shared by every Spark test.

    Skips, saying what to install, when pyspark or Java is missing. The Python workers run
    this interpreter (``PYSPARK_PYTHON``) and import this checkout of the library.
    """
    pytest.importorskip(
        "pyspark", reason='pyspark is not installed: pip install "mastery_grading[spark]"'
    )
    if shutil.which("java") is None:
        pytest.skip(JAVA_MISSING)
    major = java_major_version()
    if major is not None and major < 17:
        pytest.skip(f"java is version {major}; Spark 4 needs 17 or later. {JAVA_MISSING}")
    from pyspark.sql import SparkSession

    import mastery_grading

    source = str(Path(mastery_grading.__file__).resolve().parents[1])
    # The JVM (and the workers it starts) inherits the environment of its launch; set it for
    # the launch only, so that no later test sees it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        patch.setenv("PYTHONPATH", os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]))
        session = (
            SparkSession.builder.master("local[2]")
            .appName("mastery_grading tests")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
