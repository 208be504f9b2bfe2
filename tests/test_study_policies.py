"""The worked study (benchmarks/study_policies.py) still runs, on a tiny cohort, end to end."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("numpy")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "study_policies.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("study_policies", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_study_prints_every_section_in_order_and_writes_its_tables_and_figures(
    tmp_path: Path,
) -> None:
    """A tiny run (50 students, 2 replications, 3 weights) prints and writes everything."""
    study = _load()
    printed: list[str] = []
    report = study.main(
        [
            "--students",
            "50",
            "--replications",
            "2",
            "--rates",
            "0.3,0.65,1",
            "--out",
            str(tmp_path),
        ],
        echo=printed.append,
    )
    text = "\n".join(printed)
    positions = [text.find(f"\n{title}\n") for title in study.SECTIONS]
    assert -1 not in positions
    assert sorted(positions) == positions
    for expected in (
        "seed=2026",
        "decaying_average",
        "power_law_floor",
        "best weight of each replication",
        "mean level over the last 3 pieces of evidence",
    ):
        assert expected in text
    expected_files = {
        "study.txt",
        "compare-estimates.csv",
        "sweep-estimates.csv",
        "rmse-by-archetype.png",
        "bias-by-archetype.png",
        "sweep-by-archetype.png",
        "sweep-assumptions.png",
    }
    assert expected_files == {path.name for path in tmp_path.iterdir()}
    assert (tmp_path / "study.txt").read_text() == "\n".join(report.lines).lstrip("\n") + "\n"
    assert "the study took" not in (tmp_path / "study.txt").read_text()


def test_the_study_defaults_are_the_recorded_ones() -> None:
    """The page quotes a run with seed 2026, 2,000 students and 20 replications."""
    study = _load()
    args = study.parse([])
    assert (2026, 2000, 20, None) == (args.seed, args.students, args.replications, args.out)
    assert [
        "decaying_average",
        "mean",
        "most_recent",
        "power_law",
    ] == [spec["policy"] for spec in study.POLICIES.values()]


def test_every_table_on_the_study_page_is_in_the_recorded_report() -> None:
    """The page's ```text blocks are copied, line for line, from the report `make study` wrote."""
    docs = SCRIPT.parent.parent / "docs" / "explanation"
    page = (docs / "study-decaying-average.md").read_text()
    report = (docs / "study-decaying-average" / "study.txt").read_text()
    blocks = page.split("```text\n")[1:]
    assert blocks
    for block in blocks:
        copied = block.split("```")[0]
        assert copied in report
