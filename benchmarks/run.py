"""Benchmarks of whole-gradebook computation: rows per second, peak memory, update time.

Run ``make bench`` (sizes 1e4 to 1e7, pandas up to 1e6; ``make bench BENCH_ARGS=--sizes=1e4``
for a quick look) or, e.g.::

    .venv/bin/python benchmarks/run.py --sizes 1e4,1e5 --policies mean,decaying_average

Each size runs in its own subprocess so that its peak memory (``ru_maxrss``) is its own. The
synthetic gradebook has about 10 evidence rows per (student, target), 30 targets, string ids
and rows in random order, as a pandas DataFrame (pandas' default string dtype, Arrow-backed
when pyarrow is installed).

Columns of the table (rows per second, higher is better):

- ``engine``: ``Gradebook.from_frame(df).results(policy)`` end to end from the unsorted frame
  (validation, encoding, sort, kernel; a fresh gradebook per policy);
- ``bare``: the bare pipeline that does only the necessary work: Arrow dictionary encoding of
  the two id columns, one numpy ``argsort`` and the vectorized kernel;
- ``engine pre``: the engine's kernel alone on pre-grouped (sorted, coded) data, with the
  gradebook's cached facts about the columns (the grid check runs once per gradebook);
- ``compute``: the engine's compute step on the sorted columns (the kernel, the threshold check,
  exact recomputation where needed and the reasons for undecided groups), with the group
  layout the first policy cached (its one-off cost is printed below the ratios);
- ``numpy pre``: a bare numpy computation of the same policy on the pre-grouped data;
- ``pandas``: ``groupby().apply()`` with a Python function per group (small sizes only);
- ``scalar``: the pure-Python reference (``engine="python"``, small sizes only).

The bare versions know what the synthetic data is (scores are halves from 0 to 4, mastery 3):
they do only the necessary work, with none of the engine's checks.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np

N_TARGETS = 30
PER_GROUP = 10
DEFAULT_POLICIES = (
    "mean,most_recent,decaying_average,highest,weighted_average,n_times,mean_of_recent,"
    "median,mode,power_law"
)


def make_frame(n_rows: int, seed: int = 0) -> Any:
    """A shuffled DataFrame of ``n_rows`` evidence rows with string ids."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_groups = max(1, n_rows // PER_GROUP)
    n_students = max(1, n_groups // N_TARGETS)
    group = rng.integers(0, n_students * N_TARGETS, n_rows)
    students = np.asarray([f"stu{i:07d}" for i in range(n_students)], dtype=object)
    targets = np.asarray([f"T{i:02d}" for i in range(N_TARGETS)], dtype=object)
    start = np.datetime64("2026-08-24T08:00:00", "s")
    seconds = rng.integers(0, 300 * 24 * 3600, n_rows)
    scores = rng.integers(0, 9, n_rows)
    # a row that copies an earlier one (same group, second and score) is a duplicate the
    # gradebook rejects: there is one at 10^7 rows; it is left out (a sort of one key, before
    # the frame is built, so that the frame's peak memory is its own)
    key = (group.astype(np.int64) * 2**25 + seconds) * 9 + scores
    ordered = np.sort(key)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if repeated.shape[0]:
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        group, seconds, scores = group[keep], seconds[keep], scores[keep]
    del key
    return pd.DataFrame(
        {
            "student_id": pd.array(students[group // N_TARGETS], dtype="str"),
            "target_id": pd.array(targets[group % N_TARGETS], dtype="str"),
            "score": scores / 2,
            "observed_at": pd.to_datetime(start + seconds.astype("timedelta64[s]")).tz_localize(
                "UTC"
            ),
        }
    )


def learning_targets() -> list[Any]:
    from mastery_grading import LearningTarget

    return [LearningTarget(id=f"T{i:02d}", title=f"Target {i}") for i in range(N_TARGETS)]


def timed(func: Callable[[], Any], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


# -- bare numpy versions of each policy on sorted, coded data --------------------------------

#: The synthetic scores are multiples of 1/2 from 0 to 4: nine values, coded 0..8.
SCORE_STEPS = 2
N_VALUES = 9
MASTERY = 3.0


def _positions(starts: np.ndarray, counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each position's group (index into ``starts``) and its index within the group."""
    group = np.repeat(np.arange(starts.size), counts)
    return group, np.arange(n) - starts[group]


def _value_counts(score: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """How often each of the nine score values occurs in each group: (groups, 9)."""
    group = np.repeat(np.arange(starts.size), counts)
    codes = np.rint(score * SCORE_STEPS).astype(np.int64)
    table = np.bincount(group * N_VALUES + codes, minlength=starts.size * N_VALUES)
    return table.reshape(starts.size, N_VALUES)


def bare_kernel(name: str, score: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> Any:
    """The policy's values for non-empty groups ``starts``/``counts`` of sorted ``score``."""
    ends = starts + counts
    if name == "mean":
        return np.add.reduceat(score, starts) / counts
    if name == "most_recent":
        return score[ends - 1]
    if name == "highest":
        return np.maximum.reduceat(score, starts)
    if name == "decaying_average":
        group = np.repeat(np.arange(starts.size), counts)
        back = ends[group] - 1 - np.arange(score.size)
        table = 0.35 ** np.arange(int(counts.max()))
        weights = 0.65 * table[back]
        weights[starts] = table[back[starts]]
        return np.add.reduceat(weights * score, starts)
    if name == "weighted_average":
        last = score[ends - 1]
        before = (np.add.reduceat(score, starts) - last) / np.maximum(counts - 1, 1)
        return np.where(counts > 1, 0.65 * last + 0.35 * before, last)
    if name == "mean_of_recent":
        group = np.repeat(np.arange(starts.size), counts)
        keep = (ends[group] - np.arange(score.size)) <= 3
        return np.bincount(group, weights=score * keep) / np.minimum(counts, 3)
    if name == "n_times":
        above = score >= MASTERY
        kept = np.add.reduceat(above, starts, dtype=np.int64)
        total = np.add.reduceat(np.where(above, score, 0.0), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(kept >= 5, total / kept, np.nan)
    if name == "median":
        running = np.cumsum(_value_counts(score, starts, counts), axis=1)
        low = (running <= ((counts - 1) // 2)[:, None]).sum(axis=1)
        high = (running <= (counts // 2)[:, None]).sum(axis=1)
        return (low + high) / (2 * SCORE_STEPS)
    if name == "mode":
        table = _value_counts(score, starts, counts)
        top = table == table.max(axis=1)[:, None]
        return (N_VALUES - 1 - np.argmax(top[:, ::-1], axis=1)) / SCORE_STEPS
    if name == "power_law":
        # least squares of ln(score) on ln(attempt), read at the last attempt; None with a 0
        group, index = _positions(starts, counts, score.size)
        xs = np.log(np.arange(1, int(counts.max()) + 1, dtype=np.float64))
        sizes = np.arange(1, xs.size + 1, dtype=np.float64)
        mid = np.cumsum(xs) / sizes
        with np.errstate(divide="ignore", invalid="ignore"):
            lever = (xs - mid) / (np.cumsum(xs * xs) - sizes * mid * mid)
            size = counts[group]
            hat = 1.0 / size + (xs[index] - mid[size - 1]) * lever[size - 1]
            fitted = np.exp(np.add.reduceat(hat * np.log(score), starts))
        low = np.minimum.reduceat(score, starts)
        flat = low == np.maximum.reduceat(score, starts)
        fitted = np.where((counts <= 2) | flat, score[ends - 1], fitted)
        return np.where((low > 0) | flat, fitted, np.nan)
    return None


def pandas_function(name: str) -> Callable[[Any], float] | None:
    """A plain Python function of one group's scores (oldest first), for ``apply``."""

    def decaying(s: Any) -> float:
        d = None
        for x in s.to_numpy():
            d = x if d is None else 0.65 * x + 0.35 * d
        return float(d)  # type: ignore[arg-type]

    def weighted_average(s: Any) -> float:
        scores = s.to_numpy()
        if scores.size == 1:
            return float(scores[0])
        return float(0.65 * scores[-1] + 0.35 * scores[:-1].mean())

    def n_times(s: Any) -> float:
        kept = s[s >= MASTERY]
        return float(kept.mean()) if len(kept) >= 5 else float("nan")

    def power_law(s: Any) -> float:
        scores = s.to_numpy()
        if scores.min() == scores.max():
            return float(scores[-1])
        if scores.min() <= 0:
            return float("nan")
        if scores.size == 2:
            return float(scores[-1])
        x = np.log(np.arange(1, scores.size + 1))
        slope, intercept = np.polyfit(x, np.log(scores), 1)
        return float(np.exp(intercept + slope * x[-1]))

    table: dict[str, Callable[[Any], float]] = {
        "mean": lambda s: float(s.mean()),
        "most_recent": lambda s: float(s.iloc[-1]),
        "highest": lambda s: float(s.max()),
        "decaying_average": decaying,
        "weighted_average": weighted_average,
        "n_times": n_times,
        "median": lambda s: float(s.median()),
        "mode": lambda s: float(s.mode().max()),
        "mean_of_recent": lambda s: float(s.iloc[-3:].mean()),
        "power_law": power_law,
    }
    return table.get(name)


def end_to_end(df: Any, targets: list[Any], policy: Any) -> Any:
    """What a user runs: a gradebook from the frame, then the policy's results."""
    from mastery_grading import Gradebook

    return Gradebook.from_frame(df, targets=targets).results(policy)


def measure_size(n_rows: int, names: list[str], args: argparse.Namespace) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from mastery_grading import Gradebook, available_policies
    from mastery_grading.gradebook._engine import Sorted, _segments, compute
    from mastery_grading.policies import has_kernel, kernel_for
    from mastery_grading.policies.segments import ColumnFacts, Segments

    catalogue = available_policies()
    df = make_frame(n_rows)
    targets = learning_targets()
    out: dict[str, Any] = {"rows": n_rows, "policies": {}}
    prepared = Gradebook.from_frame(df, targets=targets)
    srt = prepared._store.sorted_rows()
    score_sorted = srt.columns.score
    counts = np.diff(srt.bounds)
    nonempty = counts > 0
    starts = srt.bounds[:-1][nonempty]
    counts_ne = counts[nonempty]
    facts = ColumnFacts(srt.columns)
    out["grid_check"] = timed(lambda: ColumnFacts(srt.columns).grid_largest("score"), 3)

    def layout() -> None:
        """What the first policy on a gradebook builds and every later one reuses."""
        fresh = Sorted(
            columns=srt.columns,
            order=srt.order,
            group=srt.group,
            bounds=srt.bounds,
            n_students=srt.n_students,
            n_targets=srt.n_targets,
        )
        seg = _segments(fresh, targets)
        _ = (seg.firsts, seg.lasts, seg.filled_counts)

    out["layout"] = timed(layout, 3)
    segments = Segments(
        score=score_sorted,
        weight=None,
        summative=None,
        group=srt.group,
        starts=srt.bounds[:-1],
        counts=counts,
        mastery=np.full(counts.size, MASTERY),
        scale_min=np.zeros(counts.size),
        scale_max=np.full(counts.size, 4.0),
        facts=facts,
    )

    def bare_pipeline(name: str) -> Any:
        codes = []
        for column in ("student_id", "target_id"):
            encoded = pc.dictionary_encode(pa.array(df[column]))
            codes.append(encoded.indices.to_numpy().astype(np.int64))
        n_t = int(codes[1].max()) + 1
        group = codes[0] * n_t + codes[1]
        t = pa.array(df["observed_at"]).cast(pa.int64()).to_numpy() // 1_000_000
        t = t - t.min()
        key = group * (int(t.max()) + 1) + t
        o = np.argsort(key)
        g = group[o]
        s = df["score"].to_numpy()[o]
        cnt = np.bincount(g)
        st = np.zeros(cnt.size, np.int64)
        np.cumsum(cnt[:-1], out=st[1:])
        ne = cnt > 0
        return bare_kernel(name, s, st[ne], cnt[ne])

    for name in names:
        if name not in catalogue:
            continue
        policy = catalogue[name]
        row: dict[str, Any] = {"kernel": has_kernel(policy)}
        if not row["kernel"] and n_rows > args.fallback_max:
            out["policies"][name] = row
            continue
        row["engine"] = timed(partial(end_to_end, df, targets, policy), args.repeat)
        row["compute"] = timed(partial(compute, policy, srt, targets), args.repeat)
        if row["kernel"]:
            run = kernel_for(policy)
            assert run is not None  # has_kernel(policy)
            row["engine_pre"] = timed(partial(run, policy, segments), args.repeat)
        bare = bare_kernel(name, score_sorted, starts, counts_ne)
        if bare is not None:
            # the bare version must compute the same policy, or its speed means nothing
            values = compute(policy, srt, targets).values[nonempty]
            row["bare_agrees"] = bool(np.allclose(bare, values, rtol=1e-9, equal_nan=True))
            row["bare"] = timed(partial(bare_pipeline, name), args.repeat)
            row["numpy_pre"] = timed(
                partial(bare_kernel, name, score_sorted, starts, counts_ne), args.repeat
            )
        func = pandas_function(name)
        if func is not None and n_rows <= args.pandas_max:

            def apply(f: Callable[[Any], float] = func) -> Any:
                return (
                    df.sort_values(["student_id", "target_id", "observed_at"])
                    .groupby(["student_id", "target_id"], sort=False)["score"]
                    .apply(f)
                )

            row["pandas"] = timed(apply)
            # groups sorted by (student, target) are the engine's non-empty groups, in order
            by_pandas = apply().sort_index().to_numpy(dtype=np.float64)
            values = compute(policy, srt, targets).values[nonempty]
            row["pandas_agrees"] = bool(np.allclose(by_pandas, values, rtol=1e-9, equal_nan=True))
        if n_rows <= args.reference_max:
            slow = Gradebook.from_frame(df, targets=targets, engine="python")
            slow.evidence()
            row["scalar"] = timed(partial(slow.results, policy))
        out["policies"][name] = row
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _proc_status_mb(field: str) -> float | None:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MB, Linux only."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset this process's peak RSS (Linux ``clear_refs``); ``False`` where that is impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def measure_memory(n_rows: int, names: list[str]) -> dict[str, Any]:
    """Peak RSS of this process: after building the frame, then after the engine's results.

    Each policy gets a fresh gradebook (the previous one is dropped first), so the peak is that
    of the most memory-hungry policy. On Linux the peak is also reset before each policy, so
    that the engine's own peak above the frame (held in memory) is measured per policy.
    """
    import gc

    from mastery_grading import Gradebook, available_policies

    df = make_frame(n_rows)
    targets = learning_targets()
    frame_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    held_mb = _proc_status_mb("VmRSS")
    catalogue = available_policies()
    above: dict[str, float] = {}
    peak_mb = frame_mb
    for name in names:
        if name in catalogue:
            reset = held_mb is not None and _reset_peak()
            table = Gradebook.from_frame(df, targets=targets).results(catalogue[name])
            del table
            gc.collect()
            peak = _proc_status_mb("VmHWM") if reset else None
            if peak is not None and held_mb is not None:
                above[name] = peak - held_mb
                peak_mb = max(peak_mb, peak)
    # without a reset, the process's own peak covers the frame and every policy
    peak_mb = max(peak_mb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"frame_mb": frame_mb, "peak_mb": peak_mb, "held_mb": held_mb, "above_mb": above}


def measure_updates(count: int = 100_000) -> dict[str, tuple[float, float | None]]:
    """Microseconds per ``update`` and milliseconds per ``result`` (1,000 in-order items)."""
    from mastery_grading import Evidence, LearningTarget, policies

    target = LearningTarget(id="T", title="T")
    start = datetime(2026, 9, 1, tzinfo=UTC)
    evidence = [
        Evidence(
            student_id="s",
            target_id="T",
            score=(i % 9) / 2,
            observed_at=start + timedelta(minutes=i),
        )
        for i in range(count)
    ]
    out: dict[str, tuple[float, float | None]] = {}
    incremental = (
        policies.Mean(),
        policies.MostRecent(),
        policies.DecayingAverage(),
        policies.Highest(),
        policies.NTimes(),
        policies.WeightedAverage(),
    )
    for policy in incremental:
        state = policy.start(target)
        begin = time.perf_counter()
        for item in evidence:
            state = policy.update(state, item)
        per_update = (time.perf_counter() - begin) / count * 1e6
        state = policy.start(target)
        for item in evidence[:1000]:
            state = policy.update(state, item)
        read = timed(partial(policy.result, state), 3) * 1e3
        out[type(policy).__name__] = (per_update, read)
    late = evidence[:200]
    for policy in (policies.DecayingAverage(), policies.Mean()):
        state = policy.start(target)
        begin = time.perf_counter()
        for item in reversed(late):
            state = policy.update(state, item)
        out[f"{type(policy).__name__} (every item late, n<=200)"] = (
            (time.perf_counter() - begin) / len(late) * 1e6,
            None,
        )
    return out


def rate(rows: int, seconds: float | None) -> str:
    if seconds is None:
        return "—"
    per_second = rows / seconds
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f}M"
    return f"{per_second / 1e3:.0f}k"


def times(slow: float | None, fast: float | None) -> str:
    """How many times ``slow`` takes ``fast``'s time, e.g. ``1.4x``."""
    if slow is None or fast is None:
        return "—"
    return f"{slow / fast:.1f}x" if slow / fast < 10 else f"{slow / fast:.0f}x"


def render(
    results: list[dict[str, Any]], updates: dict[str, tuple[float, float | None]], load: str
) -> str:
    lines = [
        f"Load average at start: {load}.",
        "",
        "| policy | rows | engine | bare | engine/bare | compute | engine pre | numpy pre "
        "| pandas | scalar | peak RSS (all columns) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        rows = size["rows"]
        for name, row in size["policies"].items():
            ratio = (
                f"{row['engine'] / row['bare']:.2f}x" if "bare" in row and "engine" in row else "—"
            )
            lines.append(
                f"| {name}{'' if row['kernel'] else ' (fallback)'} | {rows:.0e} "
                f"| {rate(rows, row.get('engine'))} | {rate(rows, row.get('bare'))} | {ratio} "
                f"| {rate(rows, row.get('compute'))} "
                f"| {rate(rows, row.get('engine_pre'))} | {rate(rows, row.get('numpy_pre'))} "
                f"| {rate(rows, row.get('pandas'))} | {rate(rows, row.get('scalar'))} "
                f"| {size['maxrss_mb']:.0f} MiB |"
            )
    lines += [
        "",
        "Pre-grouped data: the engine's kernel (engine pre) and compute step against the bare "
        "numpy version (time ratios, lower is better) and the pandas apply against both (higher "
        "is better); 'agrees' says whether the bare numpy / pandas values equal the engine's "
        "(within 1e-9):",
        "",
        "| policy | rows | engine pre / numpy pre | compute / numpy pre | pandas / engine pre "
        "| pandas / compute | agrees (numpy / pandas) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for size in results:
        for name, row in size["policies"].items():
            if "numpy_pre" not in row and "pandas" not in row:
                continue
            agrees = " / ".join(
                "—" if key not in row else "yes" if row[key] else "**no**"
                for key in ("bare_agrees", "pandas_agrees")
            )
            lines.append(
                f"| {name} | {size['rows']:.0e} "
                f"| {times(row.get('engine_pre'), row.get('numpy_pre'))} "
                f"| {times(row.get('compute'), row.get('numpy_pre'))} "
                f"| {times(row.get('pandas'), row.get('engine_pre'))} "
                f"| {times(row.get('pandas'), row.get('compute'))} | {agrees} |"
            )
    checks = ", ".join(
        f"{size['grid_check'] * 1e3:.1f} ms at {size['rows']:.0e}"
        for size in results
        if "grid_check" in size
    )
    lines += ["", f"The grid check (once per gradebook, cached): {checks}."]
    layouts = ", ".join(
        f"{size['layout'] * 1e3:.1f} ms at {size['rows']:.0e}"
        for size in results
        if "layout" in size
    )
    if layouts:
        lines += [
            "",
            "The group layout and per-group scales (built by the first policy on a gradebook, "
            f"cached with its sorted columns): {layouts}.",
        ]
    lines += [
        "",
        "| rows | frame alone (peak RSS) | frame + engine end to end, every policy (peak RSS) "
        "| the same in 10^9 bytes |",
        "|---:|---:|---:|---:|",
    ]
    for size in results:
        memory = size["memory"]
        lines.append(
            f"| {size['rows']:.0e} | {memory['frame_mb']:.0f} MiB | {memory['peak_mb']:.0f} MiB "
            f"| {memory['peak_mb'] * 2**20 / 1e9:.2f} GB |"
        )
    measured = [size for size in results if size["memory"].get("above_mb")]
    if measured:
        names = list(measured[0]["memory"]["above_mb"])
        lines += [
            "",
            "Peak memory of the engine above the frame it reads (the frame stays in memory, "
            "MiB; Linux only):",
            "",
            "| policy | " + " | ".join(f"{size['rows']:.0e}" for size in measured) + " |",
            "|---|" + "---:|" * len(measured),
        ]
        lines += [
            f"| {name} | "
            + " | ".join(
                f"{size['memory']['above_mb'].get(name, float('nan')):.0f}" for size in measured
            )
            + " |"
            for name in names
        ]
        lines += [
            "| (frame held, RSS) | "
            + " | ".join(f"{size['memory']['held_mb']:.0f}" for size in measured)
            + " |"
        ]
    lines += [
        "",
        "| incremental policy | µs per update | ms per result() after 1,000 in-order updates |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {name} | {us:.2f} | {'—' if ms is None else f'{ms:.2f}'} |"
        for name, (us, ms) in updates.items()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6,1e7")
    parser.add_argument("--policies", default=DEFAULT_POLICIES)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--reference-max", type=float, default=1e4)
    parser.add_argument("--pandas-max", type=float, default=1e6)
    parser.add_argument("--fallback-max", type=float, default=1e5)
    parser.add_argument("--output", help="also write the markdown table to this file")
    parser.add_argument("--one-size", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--memory-of", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = [n.strip() for n in args.policies.split(",") if n.strip()]
    if args.memory_of:
        print(json.dumps(measure_memory(int(args.memory_of), names)))
        return
    if args.one_size:
        print(json.dumps(measure_size(int(args.one_size), names, args)))
        return
    load = ["?"]
    if sys.platform == "linux":
        with open("/proc/loadavg") as handle:
            load = handle.read().split()[:3]
    results = []
    for size in (int(float(s)) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one-size", str(size), "--policies", args.policies]
        command += ["--repeat", str(args.repeat), "--reference-max", str(args.reference_max)]
        command += ["--pandas-max", str(args.pandas_max), "--fallback-max", str(args.fallback_max)]
        begin = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        command = [sys.executable, __file__, "--memory-of", str(size), "--policies", args.policies]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results[-1]["memory"] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"size {size:.0e} done in {time.perf_counter() - begin:.0f} s", file=sys.stderr)
    table = render(results, measure_updates(), ", ".join(load))
    print(table)
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
