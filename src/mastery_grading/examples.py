"""Bundled example data: a small class for demos, docs and tests (no real student data)."""

from __future__ import annotations

import json
from datetime import datetime
from importlib.resources import files
from typing import Any

import attrs

from mastery_grading.evidence import Evidence
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = ["ExampleClass", "load_example_class"]


@attrs.frozen(kw_only=True)
class ExampleClass:
    """A class's learning targets and evidence, as bundled with the library.

    Attributes:
        unit: The unit's name.
        targets: The learning targets, in teaching order.
        evidence: Every piece of evidence of every student.
    """

    unit: str
    targets: tuple[LearningTarget, ...]
    evidence: tuple[Evidence, ...]

    @property
    def student_ids(self) -> tuple[str, ...]:
        """The students, sorted by id."""
        return tuple(sorted({e.student_id for e in self.evidence}))

    def evidence_of(self, student_id: str, target_id: str) -> tuple[Evidence, ...]:
        """Return one student's evidence on one target, in file order."""
        return tuple(
            e for e in self.evidence if e.student_id == student_id and e.target_id == target_id
        )


def _evidence(row: dict[str, Any]) -> Evidence:
    fields = dict(row)
    fields["observed_at"] = datetime.fromisoformat(fields["observed_at"])
    return Evidence(**fields)


def load_example_class() -> ExampleClass:
    """Load the bundled example class: 8 students, 5 targets of one algebra unit.

    The class has formative and summative evidence, retakes after a "not yet", and one late
    bloomer, ``devon``, whose scores climb steeply at the end of the unit.

    Example:
        >>> example = load_example_class()
        >>> len(example.student_ids), len(example.targets)
        (8, 5)
        >>> [e.score for e in example.evidence_of("devon", "LE.1")]
        [1.0, 1.5, 2.0, 3.5, 4.0]
    """
    text = files("mastery_grading").joinpath("data/example_class.json").read_text("utf-8")
    data = json.loads(text)
    scale = Scale.marzano()
    targets = tuple(LearningTarget(scale=scale, **row) for row in data["targets"])
    evidence = tuple(_evidence(row) for row in data["evidence"])
    return ExampleClass(unit=data["unit"], targets=targets, evidence=evidence)
