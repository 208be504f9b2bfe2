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
- how many of the skills fitted by EM have guess or slip at the upper bound;
- the time of one ``policies.BKT.update`` (best of 5 runs of 100,000 updates in time order).

Each configuration runs in its own subprocess, so that its peak memory is its own. The
plain-numpy engine (no numba) is timed once with ``--numpy`` (it takes about half a minute).

pyBKT 1.4.3's C++ build runs side by side, in the same table, with the same figures
(``Model(seed=0, num_fits=1)``, ``fit``, ``predict`` and ``evaluate`` on the same files; our
``_pybkt_runner.py``, run by its own python), plus how many skills it fits with guess or slip
above 0.3, and the ratio of each of our fit times to its. It needs ``numpy<2`` and
``scikit-learn<1.5``, so it lives in a venv of its own, outside the repository:
``--pybkt auto`` (the default) uses ``$XDG_CACHE_HOME/mastery_grading/pybkt-1.4.3`` (``~/.cache``
without ``XDG_CACHE_HOME``), reused when pyBKT's C++ build imports from it, else built there
(about 30 s, with network and a C++ compiler; pip's output goes to ``build.log`` in it). The
venv is made with the base interpreter of the python running this script
(``sys._base_executable``) when it is 3.9-3.12, else with ``python3.12``, ``python3.11`` or
``python3.10`` from ``PATH``; pyBKT is built from its source (``--no-binary :all: --no-deps
--no-build-isolation``, after numpy, scikit-learn, pandas, requests, wheel and setuptools as
wheels). ``--pybkt VENV`` uses (or builds into) the venv ``VENV``; ``--pybkt off`` skips it.
When a step fails (no suitable python, no network, no compiler, so that pip falls back to
pyBKT's pure-Python build, or a failed run), one line says why and the figures of its C++ and
pure-Python builds on this split and machine, from the data's README, are printed as the
anchor instead.

Run: ``python benchmarks/bkt.py [--data DIR] [--repeat N] [--numpy] [--pybkt auto|off|VENV]``,
or ``python benchmarks/bkt.py --caps`` for the test AUC and RMSE at each cap of guess and slip.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
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

#: The pyBKT release built side by side, and the pins its C++ build needs (it predates numpy 2).
PYBKT = "1.4.3"
PYBKT_DEPENDENCIES = ("numpy<2", "scikit-learn<1.5", "pandas", "requests", "wheel", "setuptools")
RUNNER = Path(__file__).resolve().with_name("_pybkt_runner.py")

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
            bounds=bounds,
        )
        return model.fit(train, student="user_id", target="skill_name")

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
    params = model.params()  # skills with too little data ("prior only") are left out
    fitted = params[params["fit"] == "em"].pivot(
        index="target", columns="parameter", values="value"
    )
    cap = 0.49 if wide else 0.3
    at_cap = (fitted["guess"] >= cap - 1e-9) | (fitted["slip"] >= cap - 1e-9)
    over = (fitted["guess"] > 0.3 + 1e-9) | (fitted["slip"] > 0.3 + 1e-9)
    return {
        "first_fit_s": first,
        "fit_s": min(walls) if walls else first,
        "fit_cpu_s": min(cpus) if cpus else float("nan"),
        "predict_rows_per_s": len(test) / min(predict_times),
        "auc": auc,
        "rmse": rmse,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "skills": float(len(fitted)),
        "cap": cap,
        "at_cap": float(at_cap.sum()),
        "over_0_3": float(over.sum()),
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


class PyBKTUnavailableError(Exception):
    """Why pyBKT's C++ build cannot be run side by side here; the anchors are printed instead."""


def pybkt_home() -> Path:
    """The default pyBKT venv: in the user's cache folder, outside the repository."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mastery_grading" / f"pybkt-{PYBKT}"


def base_python() -> str:
    """A python 3.9-3.12 (numpy<2 has no wheels for later ones) to make the pyBKT venv with.

    The base interpreter of the one running this script (``sys._base_executable``: the python a
    venv was made from, not the venv itself) when its version fits, else the first of
    ``python3.12``, ``python3.11``, ``python3.10`` found on ``PATH``.
    """
    found = [str(getattr(sys, "_base_executable", sys.executable)), sys.executable]
    found += [shutil.which(f"python3.{minor}") or "" for minor in (12, 11, 10)]
    check = "import sys; sys.exit(not (3, 9) <= sys.version_info[:2] <= (3, 12))"
    for python in filter(None, found):
        if subprocess.run([python, "-c", check], capture_output=True).returncode == 0:
            return python
    raise PyBKTUnavailableError("no python 3.9-3.12 to build it with (numpy<2 needs one)")


def pybkt_build(python: Path) -> dict[str, str] | None:
    """What the runner's ``--check`` says of the venv's pyBKT, or None when it does not import."""
    if not python.is_file():
        return None
    out = subprocess.run([str(python), str(RUNNER), "--check"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    result: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def prepare_pybkt(venv: Path) -> Path:
    """The python of a venv holding pyBKT's C++ build: reused when it works, else built.

    Raises:
        PyBKTUnavailableError: When a step fails (no network, no compiler, no suitable python).
    """
    python = venv / "bin" / "python"
    build = pybkt_build(python)
    if build is None or build["pybkt"] != PYBKT or build["build"] != "c++":
        venv.mkdir(parents=True, exist_ok=True)
        log = venv / "build.log"
        print(f"building pyBKT {PYBKT} in {venv} (about 30 s; log in {log.name})", flush=True)
        pip = [str(python), "-m", "pip", "install", "--retries", "2", "--timeout", "30"]
        steps = (
            ("making the venv", [base_python(), "-m", "venv", str(venv)]),
            ("installing numpy<2, scikit-learn<1.5, ...", [*pip, *PYBKT_DEPENDENCIES]),
            # Without --no-deps and --no-build-isolation, --no-binary would build numpy too.
            (
                f"building pyBKT {PYBKT} from source",
                [
                    *pip,
                    "--no-binary",
                    ":all:",
                    "--no-deps",
                    "--no-build-isolation",
                    f"pyBKT=={PYBKT}",
                ],
            ),
        )
        with log.open("a") as sink:
            for what, step in steps:
                sink.write(f"$ {' '.join(step)}\n")
                sink.flush()
                code = subprocess.run(step, stdout=sink, stderr=subprocess.STDOUT).returncode
                if code != 0:
                    lines = [line.strip() for line in log.read_text().splitlines() if line.strip()]
                    raise PyBKTUnavailableError(
                        f"{what} failed with exit {code} "
                        f"({lines[-1][:120] if lines else 'no output'}; see {log})"
                    )
        build = pybkt_build(python)
        if build is None:
            raise PyBKTUnavailableError(f"pyBKT installed but does not import (see {log})")
        if build["build"] != "c++":
            raise PyBKTUnavailableError(
                "pip built pyBKT without its C++ extension (no C++ compiler?); its pure-Python "
                f"build (about 300 s a fit) is not timed as the C++ one (see {log}; remove {venv} "
                "to try again)"
            )
    print(
        f"pyBKT {build['pybkt']}, C++ build ({Path(build['e_step']).name}), numpy "
        f"{build['numpy']}, scikit-learn {build['scikit-learn']}, pandas {build['pandas']}, "
        f"{build['threads']} OpenMP threads: {python}"
    )
    return python


def run_pybkt(option: str, data: Path, repeat: int) -> dict[str, float | str] | None:
    """pyBKT's figures on the split, or None (with one line saying why) to print the anchors."""
    if option == "off":
        print("pyBKT: not run (--pybkt off); the data's README figures are the anchor")
        return None
    try:
        python = prepare_pybkt(pybkt_home() if option == "auto" else Path(option))
        command = [str(python), str(RUNNER), str(data), "--repeat", str(repeat)]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["no output"])[-1]
            raise PyBKTUnavailableError(f"its run failed with exit {out.returncode}: {last[:160]}")
    except PyBKTUnavailableError as error:
        print(f"pyBKT: not run side by side: {error}; the data's README figures are the anchor")
        return None
    result: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def print_caps(data: Path) -> None:
    """The test AUC and RMSE at each upper bound of guess and slip, with 1 and 5 restarts."""
    import pandas as pd

    from mastery_grading.bkt import BKTModel, InsufficientDataWarning

    train = pd.read_csv(data / "skill_builder_train.csv")
    test = pd.read_csv(data / "skill_builder_test.csv")
    columns = {"student": "user_id", "target": "skill_name"}
    print("cap of guess and slip, then test AUC and RMSE with 1 restart and with 5 (seed 0)")
    print(f"{'cap':>5}{'AUC 1':>9}{'RMSE 1':>9}{'AUC 5':>9}{'RMSE 5':>9}")
    with warnings.catch_warnings():  # the prior-only skills and the test's unknown skill
        warnings.simplefilter("ignore", InsufficientDataWarning)
        for cap in (0.3, 0.35, 0.4, 0.45, 0.49):
            figures = []
            for restarts in (1, 5):
                bounds = {"guess": (0.0, cap), "slip": (0.0, cap)}
                model = BKTModel(restarts=restarts, seed=0, bounds=bounds)
                model.fit(train, student="user_id", target="skill_name")
                figures += [model.evaluate(test, "auc", **columns)]
                figures += [model.evaluate(test, "rmse", **columns)]
            print(f"{cap:>5}" + "".join(f"{figure:>9.4f}" for figure in figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--numpy", action="store_true")
    parser.add_argument(
        "--pybkt",
        default="auto",
        metavar="auto|off|VENV",
        help="run pyBKT's C++ build side by side from a venv in the cache folder (auto), "
        "from (or built into) the venv VENV, or not at all (off)",
    )
    parser.add_argument(
        "--caps",
        action="store_true",
        help="print only the test AUC and RMSE at each cap of guess and slip (0.3 to 0.49), "
        "with 1 and 5 restarts",
    )
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
    if options.caps:
        print_caps(data)
        return
    from mastery_grading._extras import available

    engine = "numba" if available("numba") else "numpy"
    print(f"ASSISTments skill-builder, {data}; BKTModel(restarts=1, seed=0), engine={engine}")
    print(f"targets: {TARGETS}")
    print("fit: best of", options.repeat, "fits in one process (after a first one, shown)")
    pybkt = run_pybkt(options.pybkt, data, options.repeat)
    header = (
        f"{'configuration':<44}{'fit s':>8}{'cpu s':>8}{'1st fit':>9}"
        f"{'predict/s':>12}{'AUC':>8}{'RMSE':>8}{'peak MB':>9}{'/pyBKT':>8}"
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
    rows: list[tuple[str, dict[str, float | str]]] = []
    for name, forgets, which, wide in runs:
        rows.append((name, child([str(data), forgets, which, wide], options.repeat)))
    if pybkt is not None:
        rows.append((f"pyBKT {pybkt['pybkt']}, C++ build (num_fits=1, seed=0)", pybkt))
    for name, r in rows:
        ratio = f"{float(r['fit_s']) / float(pybkt['fit_s']):>8.3f}" if pybkt else ""
        print(
            f"{name:<44}{r['fit_s']:>8.3f}{r['fit_cpu_s']:>8.3f}{r['first_fit_s']:>9.3f}"
            f"{float(r['predict_rows_per_s']) / 1e6:>10.2f} M{r['auc']:>8.4f}{r['rmse']:>8.4f}"
            f"{r['peak_mb']:>9.0f}{ratio}"
        )
    if pybkt is None:
        for name, (fit_s, auc, rmse) in ANCHORS.items():
            print(f"{name:<44}{fit_s:>8.1f}{'':>8}{'':>9}{'':>12}{auc:>8.4f}{rmse:>8.4f}  (README)")
    else:
        times = float(pybkt["fit_s"]) / float(rows[0][1]["fit_s"])
        print(f"/pyBKT: fit time over pyBKT's; pyBKT's fit takes {times:.0f}x that of the defaults")
    print("\nskills with guess or slip at the upper bound (ours, of those fitted by EM; the rest")
    print("have too little data) or above 0.3 (pyBKT's, which fits them all):")
    for name, r in rows:
        if "cap" in r:
            wide = f", {r['over_0_3']:.0f} above 0.3" if float(r["cap"]) > 0.3 else ""
            print(f"  {name:<42}{r['at_cap']:>4.0f} of {r['skills']:.0f} at {r['cap']}{wide}")
    if pybkt is not None:
        print(
            f"  {'pyBKT (unbounded)':<42}{pybkt['over_0_3']:>4.0f} of {pybkt['skills']:.0f} "
            f"above 0.3 ({float(pybkt['test_rows_over_0_3']):.0%} of the test rows), "
            f"{pybkt['over_0_49']:.0f} above 0.49, {pybkt['sum_ge_1']:.0f} with guess + slip >= 1"
        )
    print(f"\npolicies.BKT.update, evidence in time order: {time_update():.2f} us per update")


if __name__ == "__main__":
    main()
