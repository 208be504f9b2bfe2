"""Benchmark ``mastery_grading.bkt`` on the ASSISTments skill-builder train/test split.

Reads ``skill_builder_train.csv`` (407,967 rows) and ``skill_builder_test.csv`` (117,567 rows)
from ``../shared/data/assistments/`` (the project root's sibling; ``--data`` to point
elsewhere), never copying them into the repository, and skips with a message when they are
absent. For ``BKTModel(restarts=1, seed=0)`` as in pyBKT's published figure (with the default
bounds, guess and slip at most 0.3; with them at most 0.49; and with forgets), it prints:

- the fit time on the training file (wall and CPU seconds, best of ``--repeat`` fits in one
  process, after a first fit that loads numba's compiled code from its on-disk cache, or
  compiles it when the cache is empty; that first fit is printed too);
- the predict throughput on the test file (rows per second, best of ``--repeat``; the test
  file's own rows, one step ahead, as pyBKT's ``evaluate`` does);
- the test AUC and RMSE;
- the peak memory of the whole run (``ru_maxrss``: Python, numpy, pandas, numba and the data);
- the time of one ``policies.BKT.update`` (best of 5 runs of 100,000 updates in time order).

Each configuration runs in its own subprocess, so that its peak memory is its own. The
plain-numpy engine (no numba) is timed once with ``--numpy`` (it takes about half a minute).
pyBKT is not built here: the figures of its C++ and pure-Python builds on this split and this
machine, from the data's README, are printed as the anchor.

Run: ``python benchmarks/bkt.py [--data DIR] [--repeat N] [--numpy]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = (
    ROOT.parent / "shared" / "data" / "assistments",
    Path("/work/shared/data/assistments"),
)

#: pyBKT 1.4.3 on the same split and machine (the data's README): fit seconds, AUC, RMSE.
ANCHORS = {
    "pyBKT C++ build (numpy<2, scikit-learn<1.5, --no-binary)": (3.6, 0.7556, 0.4175),
    "pyBKT pure Python (as pip installs it)": (301.0, 0.7561, 0.4173),
}
TARGETS = "fit <= 1.0 s, predict >= 2 M rows/s, AUC >= 0.755, RMSE <= 0.418, peak <= 300 MB"


def find_data(option: str | None) -> Path | None:
    places = (Path(option),) if option else CANDIDATES
    for place in places:
        if (place / "skill_builder_train.csv").is_file():
            return place
    return None


def run_one(
    data: Path, forgets: bool, engine: str, repeat: int, wide: bool = False
) -> dict[str, float | str]:
    """One configuration, in this process: fit, predict, metrics, peak memory."""
    import pandas as pd

    from mastery_grading.bkt import BKTModel, InsufficientDataWarning

    train = pd.read_csv(data / "skill_builder_train.csv")
    test = pd.read_csv(data / "skill_builder_test.csv")
    columns = {"student": "user_id", "target": "skill_name"}

    def fit() -> BKTModel:
        bounds = {"guess": (0.0, 0.49), "slip": (0.0, 0.49)} if wide else None
        model = BKTModel(
            restarts=1,
            seed=0,
            forgets=forgets,
            engine=engine,  # type: ignore[arg-type]
            bounds=bounds,  # type: ignore[arg-type]
        )
        return model.fit(train, **columns)

    start = time.perf_counter()
    model = fit()
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(repeat if engine != "numpy" else 0):
        wall, cpu = time.perf_counter(), time.process_time()
        model = fit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    with warnings.catch_warnings():  # one test skill is not in the training file
        warnings.simplefilter("ignore", InsufficientDataWarning)
        predict_times = []
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            model.predict(test, **columns)
            predict_times.append(time.perf_counter() - start)
        auc = model.evaluate(test, "auc", **columns)
        rmse = model.evaluate(test, "rmse", **columns)
    return {
        "first_fit_s": first,
        "fit_s": min(walls) if walls else first,
        "fit_cpu_s": min(cpus) if cpus else float("nan"),
        "predict_rows_per_s": len(test) / min(predict_times),
        "auc": auc,
        "rmse": rmse,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def time_update() -> float:
    """Microseconds per ``BKT.update`` with evidence in time order (best of 5 runs)."""
    from mastery_grading import LearningTarget
    from mastery_grading.policies import BKT
    from mastery_grading.testing.examples import scores_to_history

    target = LearningTarget(id="T", title="T")
    history = scores_to_history([1.0, 3.0, 4.0, 2.0] * 25_000)
    policy = BKT(prior=0.3, learn=0.2, guess=0.2, slip=0.1)
    best = float("inf")
    for _ in range(5):
        state = policy.start(target)
        start = time.perf_counter()
        for evidence in history:
            state = policy.update(state, evidence)
        best = min(best, time.perf_counter() - start)
    return best / len(history) * 1e6


def child(args: list[str], repeat: int) -> dict[str, float | str]:
    command = [sys.executable, __file__, "--repeat", str(repeat), "--child", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--numpy", action="store_true")
    parser.add_argument("--child", nargs=4, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        place, forgets, engine, wide = options.child
        figures = run_one(Path(place), forgets == "1", engine, options.repeat, wide == "1")
        print(json.dumps(figures))
        return
    data = find_data(options.data)
    if data is None:
        print("SKIPPED: the ASSISTments files are not in ../shared/data/assistments/ (or --data)")
        return
    from mastery_grading._extras import available

    engine = "numba" if available("numba") else "numpy"
    print(f"ASSISTments skill-builder, {data}; BKTModel(restarts=1, seed=0), engine={engine}")
    print(f"targets: {TARGETS}")
    print("fit: best of", options.repeat, "fits in one process (after a first one, shown)")
    header = (
        f"{'configuration':<44}{'fit s':>8}{'cpu s':>8}{'1st fit':>9}"
        f"{'predict/s':>12}{'AUC':>8}{'RMSE':>8}{'peak MB':>9}"
    )
    print(header)
    print("-" * len(header))
    runs = [
        ("standard BKT (guess, slip <= 0.3)", "0", engine, "0"),
        ("guess, slip <= 0.49 (bounds=)", "0", engine, "1"),
        ("with forgets", "1", engine, "0"),
    ]
    if options.numpy and engine != "numpy":
        runs.append(("standard BKT, plain numpy (no numba)", "0", "numpy", "0"))
    for name, forgets, which, wide in runs:
        r = child([str(data), forgets, which, wide], options.repeat)
        print(
            f"{name:<44}{r['fit_s']:>8.3f}{r['fit_cpu_s']:>8.3f}{r['first_fit_s']:>9.3f}"
            f"{r['predict_rows_per_s'] / 1e6:>10.2f} M{r['auc']:>8.4f}{r['rmse']:>8.4f}"
            f"{r['peak_mb']:>9.0f}"
        )
    for name, (fit_s, auc, rmse) in ANCHORS.items():
        print(f"{name:<44}{fit_s:>8.1f}{'':>8}{'':>9}{'':>12}{auc:>8.4f}{rmse:>8.4f}  (README)")
    print(f"\npolicies.BKT.update, evidence in time order: {time_update():.2f} us per update")


if __name__ == "__main__":
    main()
