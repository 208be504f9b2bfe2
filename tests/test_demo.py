"""The bundled example class and the `make demo` report."""

from __future__ import annotations

import subprocess
import sys

from mastery_grading import EvidenceKind
from mastery_grading.demo import main, render
from mastery_grading.examples import load_example_class
from mastery_grading.policies import DecayingAverage, Mean


def test_example_class_has_the_advertised_shape() -> None:
    example = load_example_class()
    assert 8 == len(example.student_ids)
    assert 5 == len(example.targets)
    kinds = {e.kind for e in example.evidence}
    assert {EvidenceKind.FORMATIVE, EvidenceKind.SUMMATIVE} == kinds
    assert any(e.attempt == 2 for e in example.evidence), "the class has retakes"
    for e in example.evidence:
        example.targets[0].scale.check_score(e.score)


def test_late_bloomer_is_at_mastery_under_decaying_average_but_not_under_mean() -> None:
    example = load_example_class()
    for target in example.targets:
        evidence = example.evidence_of("devon", target.id)
        assert not Mean().evaluate(evidence, target).mastered
        assert DecayingAverage().evaluate(evidence, target).mastered


def test_render_lists_every_student_with_both_policies() -> None:
    text = render()
    for student in load_example_class().student_ids:
        assert f"\n{student}\n" in text
    assert "DecayingAverage(rate=0.65)" in text
    assert "0 of 5             5 of 5" in text


def test_render_shows_halves_rounded_up_as_the_library_displays_them() -> None:
    """Ana's mean on LE.4 and Emma's on LE.5 are exactly 3.625, her decaying average on LE.4
    3.675: ``f"{x:.2f}"`` would print 3.62 and 3.67 (half to even on the float)."""
    rows = render(["ana", "emma"]).splitlines()
    assert "  LE.4    Model with equations          3.63 meets         3.83 meets" in rows
    assert "  LE.4    Model with equations          3.90 meets         3.68 meets" in rows
    assert "  LE.5    Check and justify solutions   3.63 meets         3.61 meets" in rows


def test_main_prints_only_the_named_students(capsys: object) -> None:
    assert 0 == main(["ana"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "ana\n" in out
    assert "devon\n" not in out


def test_demo_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mastery_grading.demo", "devon"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "late bloomer" in done.stdout
