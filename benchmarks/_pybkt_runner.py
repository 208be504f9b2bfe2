"""Time pyBKT on the ASSISTments split, for ``benchmarks/bkt.py``; our code, not pyBKT's.

Run by the python of the separate pyBKT venv (``numpy<2``, ``scikit-learn<1.5``), never by the
project's own: ``python _pybkt_runner.py --check`` prints which build of pyBKT is installed
(``{"build": "c++"|"python", "pybkt": ..., "numpy": ...}``), and ``python _pybkt_runner.py DIR
--repeat N`` fits ``Model(seed=0, num_fits=1)`` on ``DIR/skill_builder_train.csv`` and prints,
as one JSON line: the first fit's seconds, the best of ``N`` further fits (wall and CPU), the
predict throughput on the test file (best of ``N``), the test AUC and RMSE from pyBKT's own
``evaluate``, the peak memory of the process, and how many skills pyBKT fitted with guess or
slip above 0.3 (the default cap of ``BKTModel``) or above 0.49, or with guess + slip >= 1.

It imports only pyBKT, pandas, numpy and the standard library, so it runs without
``mastery_grading`` installed.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import resource
import time
from pathlib import Path
from typing import Any


def build() -> dict[str, str]:
    """Which build of pyBKT this python imports: its C++ extension, or the pure-Python one."""
    importlib.import_module("pyBKT.models")  # fails here when a dependency is missing
    spec = importlib.util.find_spec("pyBKT.fit.E_step")
    origin = spec.origin if spec is not None and spec.origin else ""
    return {
        "build": "c++" if origin.endswith(".so") else "python",
        "e_step": origin,
        "pybkt": importlib.metadata.version("pyBKT"),
        "numpy": importlib.metadata.version("numpy"),
        "scikit-learn": importlib.metadata.version("scikit-learn"),
        "pandas": importlib.metadata.version("pandas"),
        "threads": os.environ.get("OMP_NUM_THREADS") or str(os.cpu_count()),  # its OpenMP E-step
    }


def caps(params: Any, test: Any) -> dict[str, float]:
    """Skills whose fitted guess or slip exceed 0.3 or 0.49, and the test rows they cover."""
    values = params["value"].astype(float).unstack("param")  # rows (skill, class)
    values = values.groupby(level="skill").max()  # one class ("default") per skill here
    guess, slip = values["guesses"], values["slips"]
    over = values.index[(guess > 0.3) | (slip > 0.3)]
    skills = test["skill_name"].astype(str)
    return {
        "skills": float(len(values)),
        "over_0_3": float(len(over)),
        "over_0_49": float(((guess > 0.49) | (slip > 0.49)).sum()),
        "sum_ge_1": float((guess + slip >= 1).sum()),
        "test_rows_over_0_3": float(skills.isin({str(s) for s in over}).mean()),
    }


def run(data: Path, repeat: int) -> dict[str, Any]:
    """Fit, predict and evaluate as ``benchmarks/bkt.py`` does for ``BKTModel``."""
    import pandas as pd
    from pyBKT.models import Model

    train = pd.read_csv(data / "skill_builder_train.csv")
    test = pd.read_csv(data / "skill_builder_test.csv")

    def fit() -> Any:
        model = Model(seed=0, num_fits=1)
        model.fit(data=train)
        return model

    start = time.perf_counter()
    model = fit()
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        model = fit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    predict_times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        model.predict(data=test)
        predict_times.append(time.perf_counter() - start)
    return {
        **build(),
        "first_fit_s": first,
        "fit_s": min(walls) if walls else first,
        "fit_cpu_s": min(cpus) if cpus else float("nan"),
        "predict_rows_per_s": len(test) / min(predict_times),
        "auc": float(model.evaluate(data=test, metric="auc")),
        "rmse": float(model.evaluate(data=test, metric="rmse")),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **caps(model.params(), test),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()
    if options.check or options.data is None:
        print(json.dumps(build()))
        return
    print(json.dumps(run(Path(options.data), options.repeat)))


if __name__ == "__main__":
    main()
