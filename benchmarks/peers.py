"""The engine beside its peers: polars, DuckDB and vectorized pandas on the same pandas frame.

Run ``make bench`` or, e.g.::

    .venv/bin/python benchmarks/peers.py --sizes 1e5,1e6 --policies mean,most_recent

Every contender starts from the same pandas DataFrame (the one of ``benchmarks/run.py``: string
ids in pandas' default string dtype, rows in random order, about 10 rows per student and
target, 30 targets) and ends with one value per (student, target):

- ``engine``: ``Gradebook.from_frame(df, targets=...).results(policy)`` with every check the
  library makes (ids, scales, times, duplicates), a fresh gradebook each time;
- ``engine, keep``: the same with ``duplicates="keep"``: every row counted, as the peers count
  them, with no duplicate check (the other checks stay); shown beside, not a peer;
- ``polars``: ``pl.from_pandas(df)`` (included in the time), then a lazy ``group_by().agg()``;
- ``duckdb``: one SQL query on the frame (DuckDB scans it in place), fetched as an Arrow table;
- ``pandas``: a vectorized ``groupby`` (``ewm`` for the decaying average).

Before a peer is timed, its values are checked against the engine's, group by group, to 1e-9
(an undecided engine value must be missing in the peer). The most recent score of a group is
its latest by time, the highest score among equal times, as :func:`chronological_key` orders
them. Each size runs in its own subprocess. Times are the best of ``--repeat`` runs (wall
clock); the machine is shared, so read them as ranges. The ratio columns are engine / fastest
peer, with the default checks and with ``duplicates="keep"`` (at most 1.0 means the engine is
at least as fast).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import end_to_end, learning_targets, make_frame, timed

KEYS = ["student_id", "target_id"]
POLICIES = ("mean", "most_recent", "highest", "decaying_average", "mean_of_recent", "n_times")
RATE = 0.65
RECENT = 3
TIMES = 5
MASTERY = 3.0


def engine_policy(name: str) -> Any:
    from mastery_grading import policies

    return {
        "mean": policies.Mean(),
        "most_recent": policies.MostRecent(),
        "highest": policies.Highest(),
        "decaying_average": policies.DecayingAverage(rate=RATE),
        "mean_of_recent": policies.MeanOfRecent(n=RECENT),
        "n_times": policies.NTimes(n=TIMES),
    }[name]


# -- polars ----------------------------------------------------------------------------------


def polars_run(name: str) -> Callable[[Any], Any]:
    import polars as pl

    score = pl.col("score")
    newest = score.sort_by(["observed_at", "score"])
    kept = score >= MASTERY
    aggregate = {
        "mean": score.mean(),
        "most_recent": newest.last(),
        "highest": score.max(),
        "decaying_average": newest.ewm_mean(alpha=RATE, adjust=False).last(),
        "mean_of_recent": newest.tail(RECENT).mean(),
        "n_times": pl.when(kept.sum() >= TIMES).then(score.filter(kept).mean()),
    }[name]

    def run(df: Any) -> Any:
        return pl.from_pandas(df).lazy().group_by(KEYS).agg(aggregate.alias("value")).collect()

    return run


# -- DuckDB ----------------------------------------------------------------------------------

_RANKED = """
    WITH ranked AS (
        SELECT student_id, target_id, score,
               row_number() OVER (PARTITION BY student_id, target_id
                                  ORDER BY observed_at DESC, score DESC) - 1 AS back,
               count(*) OVER (PARTITION BY student_id, target_id) AS n
        FROM df)
"""
_SQL = {
    "mean": "SELECT student_id, target_id, avg(score) AS value FROM df GROUP BY ALL",
    "highest": "SELECT student_id, target_id, max(score) AS value FROM df GROUP BY ALL",
    "most_recent": (
        "SELECT student_id, target_id, arg_max(score, (observed_at, score)) AS value "
        "FROM df GROUP BY ALL"
    ),
    "n_times": (
        f"SELECT student_id, target_id, CASE WHEN count(*) FILTER (score >= {MASTERY}) "
        f">= {TIMES} THEN avg(score) FILTER (score >= {MASTERY}) END AS value "
        "FROM df GROUP BY ALL"
    ),
    "decaying_average": _RANKED
    + f"""
        SELECT student_id, target_id,
               sum(score * CASE WHEN back = n - 1 THEN pow({1 - RATE}, back)
                                ELSE {RATE} * pow({1 - RATE}, back) END) AS value
        FROM ranked GROUP BY ALL""",
    "mean_of_recent": _RANKED
    + f"SELECT student_id, target_id, avg(score) AS value FROM ranked WHERE back < {RECENT} "
    "GROUP BY ALL",
}


def duckdb_run(name: str) -> Callable[[Any], Any]:
    import duckdb

    sql = _SQL[name]

    def run(df: Any) -> Any:
        connection = duckdb.connect()
        try:
            connection.register("df", df)
            return connection.sql(sql).fetch_arrow_table()
        finally:
            connection.close()

    return run


# -- pandas ----------------------------------------------------------------------------------


def pandas_run(name: str) -> Callable[[Any], Any]:
    def grouped(df: Any) -> Any:
        return df.groupby(KEYS, sort=False, observed=True)["score"]

    def newest_first(df: Any) -> Any:  # oldest first; among equal times the highest last
        return df.sort_values(["observed_at", "score"], kind="stable")

    def mean(df: Any) -> Any:
        return grouped(df).mean()

    def highest(df: Any) -> Any:
        return grouped(df).max()

    def most_recent(df: Any) -> Any:
        return grouped(newest_first(df)).last()

    def decaying_average(df: Any) -> Any:
        ordered = newest_first(df)
        ewm = grouped(ordered).ewm(alpha=RATE, adjust=False).mean()
        return ewm.groupby(level=[0, 1], sort=False).last()

    def mean_of_recent(df: Any) -> Any:
        ordered = newest_first(df)
        return grouped(ordered.groupby(KEYS, sort=False, observed=True).tail(RECENT)).mean()

    def n_times(df: Any) -> Any:
        kept = df[df["score"] >= MASTERY]
        stats = grouped(kept).agg(["mean", "count"])
        return stats["mean"].where(stats["count"] >= TIMES)

    return {
        "mean": mean,
        "highest": highest,
        "most_recent": most_recent,
        "decaying_average": decaying_average,
        "mean_of_recent": mean_of_recent,
        "n_times": n_times,
    }[name]


PEERS: dict[str, Callable[[str], Callable[[Any], Any]]] = {
    "polars": polars_run,
    "duckdb": duckdb_run,
    "pandas": pandas_run,
}


def as_pandas(result: Any) -> Any:
    """A peer's result as a pandas frame of student_id, target_id, value."""
    import pandas as pd

    if hasattr(result, "to_pandas") and not isinstance(result, pd.Series | pd.DataFrame):
        result = result.to_pandas()
    if isinstance(result, pd.Series):
        result = result.rename("value").reset_index()
    frame = result[[*KEYS, "value"]].copy()
    for key in KEYS:
        frame[key] = frame[key].astype(object)
    return frame


def agrees(expected: Any, result: Any) -> str | None:
    """Why a peer's values differ from the engine's, or None when they agree to 1e-9."""
    found = as_pandas(result)
    if found.duplicated(KEYS).any():
        return "several values for one group"
    merged = expected.merge(found, on=KEYS, how="left", suffixes=("", "_peer"))
    if len(merged) != len(expected):
        return "groups differ"
    mine = merged["value"].to_numpy(dtype=np.float64)
    theirs = merged["value_peer"].to_numpy(dtype=np.float64, na_value=np.nan)
    same = np.isclose(mine, theirs, rtol=0, atol=1e-9) | (np.isnan(mine) & np.isnan(theirs))
    if not same.all():
        row = int(np.flatnonzero(~same)[0])
        return f"{int((~same).sum())} groups differ, e.g. {merged.iloc[row].to_dict()}"
    unknown = found.merge(expected[KEYS], on=KEYS, how="left", indicator=True)["_merge"]
    if (unknown == "left_only").any():
        return "the peer has groups without evidence in the engine"
    return None


def measure(n_rows: int, names: list[str], peers: list[str], repeat: int) -> dict[str, Any]:
    from mastery_grading import Gradebook

    df = make_frame(n_rows)
    targets = learning_targets()
    out: dict[str, Any] = {"rows": n_rows, "policies": {}}
    for name in names:
        policy = engine_policy(name)
        table = Gradebook.from_frame(df, targets=targets).results(policy)
        frame = table.to_pandas()
        expected = frame.loc[frame["evidence_count"] > 0, [*KEYS, "value"]]
        expected = expected.astype(dict.fromkeys(KEYS, object))
        row: dict[str, Any] = {
            "engine": timed(partial(end_to_end, df, targets, policy), repeat),
            "keep": timed(partial(counting_every_row, df, targets, policy), repeat),
            "to_pandas": timed(table.to_pandas, repeat),
        }
        for peer in peers:
            run = PEERS[peer](name)
            problem = agrees(expected, run(df))
            if problem is not None:
                row[peer] = f"disagrees: {problem}"
                continue
            row[peer] = timed(partial(run, df), repeat)
        out["policies"][name] = row
    return out


def counting_every_row(df: Any, targets: list[Any], policy: Any) -> Any:
    """The engine as the peers count: every row, with no duplicate check."""
    from mastery_grading import Gradebook

    return Gradebook.from_frame(df, targets=targets, duplicates="keep").results(policy)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value * 1e3:,.0f} ms"
    return str(value)


def report(result: dict[str, Any], peers: list[str]) -> None:
    print(f"\n{result['rows']:,} rows (best of the runs, wall clock)")
    header = ["policy", "engine", "engine, keep", *peers, "engine / fastest peer", "keep / fastest"]
    print(" | ".join([*header, "to_pandas"]))
    print(" | ".join("---" for _ in [*header, "to_pandas"]))
    for name, row in result["policies"].items():
        times = [row[p] for p in peers if isinstance(row.get(p), float)]
        ratios = [f"{row[k] / min(times):.2f}x" if times else "-" for k in ("engine", "keep")]
        cells = [name, _cell(row["engine"]), _cell(row["keep"])]
        cells += [_cell(row.get(p, "-")) for p in peers]
        print(" | ".join([*cells, *ratios, _cell(row["to_pandas"])]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = [n for n in args.policies.split(",") if n]
    peers = [p for p in args.peers.split(",") if p]
    unknown = sorted(set(names) - set(POLICIES)) + sorted(set(peers) - set(PEERS))
    if unknown:
        raise SystemExit(f"unknown policies or peers: {unknown}")
    if args.child:
        print(json.dumps(measure(args.child, names, peers, args.repeat)))
        return
    for size in args.sizes.split(","):
        n_rows = int(float(size))
        repeat = args.repeat if n_rows < 10**7 else max(1, min(args.repeat, 3))
        command = [
            sys.executable,
            __file__,
            f"--child={n_rows}",
            f"--policies={args.policies}",
            f"--peers={args.peers}",
            f"--repeat={repeat}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        report(json.loads(done.stdout.splitlines()[-1]), peers)


if __name__ == "__main__":
    main()
