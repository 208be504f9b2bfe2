"""Regenerate tests/golden/policies.json: every policy's value on a set of fixed histories.

Run ``python tests/golden/regenerate.py`` after an intended change of a formula, and review the
diff of the JSON file: any change of a number shows there. ``tests/test_golden.py`` compares the
checked-in file with a fresh computation, exactly.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "policies.json"

#: Histories on Marzano's 0-4 scale, one score a day, oldest first. A score is a number, or a
#: dict with ``score`` and any of ``kind``, ``independent`` and ``context``.
HISTORIES: dict[str, list[Any]] = {
    "late_bloomer": [1, 1.5, 2, 3.5, 4],
    "early_peak": [4, 3.5, 2, 1.5, 1],
    "steady": [3, 3, 3, 3],
    "one_score": [2.5],
    "two_scores": [1, 3.5],
    "with_zero": [0, 2, 3, 3.5],
    "jumprope_rising": [1, 3, 2, 4],
    "jumprope_falling": [4, 3, 2, 1],
    "jumprope_irregular": [2, 4, 1, 3],
    "sticky_low": [3, 3, 1, 3],
    "sticky_recovered": [3, 3, 1, 3, 4, 4],
    "mode_tie": [1, 1, 3.5, 3.5],
    "alternating": [3, 2, 3, 2],
    "retake_trap": [1, 4, 2.95],
    "decimals": [2.8, 3.2, 2.75, 3.25],
    "practice_and_help": [
        {"score": 4, "kind": "formative"},
        {"score": 2, "context": "math"},
        {"score": 3, "independent": False, "context": "science"},
        {"score": 3.5, "context": "science"},
        {"score": 3, "context": "math"},
    ],
}

START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def histories() -> dict[str, list[Any]]:
    """Return the evidence of every named history."""
    from mastery_grading import Evidence

    built: dict[str, list[Any]] = {}
    for name, items in HISTORIES.items():
        evidence = []
        for day, item in enumerate(items):
            fields = item if isinstance(item, dict) else {"score": item}
            evidence.append(
                Evidence(
                    student_id="s1",
                    target_id="T",
                    observed_at=START + timedelta(days=day),
                    **fields,
                )
            )
        built[name] = evidence
    return built


def policies() -> dict[str, Any]:
    """Return every built-in with defaults (by spec name) and a few labelled variants."""
    from mastery_grading import policies as p

    chosen: dict[str, Any] = dict(p.available_policies())
    chosen.update(
        {
            "mode(lowest)": p.Mode(tie_break="lowest"),
            "mode(most_recent)": p.Mode(tie_break="most_recent"),
            "mode(none)": p.Mode(tie_break="none"),
            "mean_of_recent(n=2)": p.MeanOfRecent(n=2),
            "mode_of_recent(n=5)": p.ModeOfRecent(n=5),
            "decaying_average(rate=0.75)": p.DecayingAverage(rate=0.75),
            "weighted_average(weight=0.5)": p.WeightedAverage(weight=0.5),
            "n_times(n=1)": p.NTimes(n=1),
            "n_times(n=2)": p.NTimes(n=2),
            "power_law(zeros=floor)": p.PowerLaw(zeros="floor"),
            "power_law(clamp)": p.PowerLaw(clamp=True),
            "power_law(single=none)": p.PowerLaw(single="none"),
            "linear_trend(clamp)": p.LinearTrend(clamp=True),
            "best_fit(mean,power_law)": p.BestFit(models=("mean", "power_law")),
            "filtered(summative,independent,min_evidence=3)": p.Filtered(
                inner=p.Mean(), summative_only=True, independent_only=True, min_evidence=3
            ),
            "filtered(as_of=2026-09-03)": p.Filtered(inner=p.Mean(), as_of="2026-09-03"),
            "filtered(contexts=science)": p.Filtered(inner=p.Mean(), contexts=["science"]),
            "at_bats(k=2,contexts=2,mean)": p.AtBats(inner=p.Mean(), k=2, contexts=2),
            "canvas(decaying_average)": p.from_canvas("decaying_average"),
            "canvas(standard_decaying_average,new)": p.from_canvas(
                "standard_decaying_average", new_decaying_average=True
            ),
            "canvas(n_mastery,2)": p.from_canvas("n_mastery", 2),
            "canvas(latest)": p.from_canvas("latest"),
            "canvas(average)": p.from_canvas("average"),
            "bkt(forget=0.05,mastered=0.8)": p.BKT(
                prior=0.2, learn=0.3, guess=0.25, slip=0.15, forget=0.05, mastered=0.8
            ),
        }
    )
    return chosen


def build() -> dict[str, Any]:
    """Return the golden data: histories, policy specs and every value (``None`` as null)."""
    from mastery_grading import LearningTarget

    target = LearningTarget(id="T", title="Target")
    evidence = histories()
    chosen = policies()
    return {
        "histories": HISTORIES,
        "policies": {label: policy.to_spec() for label, policy in chosen.items()},
        "values": {
            label: {name: policy.evaluate(ev, target).value for name, ev in evidence.items()}
            for label, policy in chosen.items()
        },
    }


def render(data: dict[str, Any]) -> str:
    """Return the JSON text of the golden file (stable key order, one value a line)."""
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main() -> int:
    """Write the golden file and say how many values it holds."""
    data = build()
    GOLDEN.write_text(render(data), encoding="utf-8")
    count = sum(len(row) for row in data["values"].values())
    print(f"wrote {count} values for {len(data['values'])} policies to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
