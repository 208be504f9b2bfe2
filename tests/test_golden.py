"""Golden data: every policy's value on fixed histories, as checked in (exact comparison).

If a formula changes on purpose, run ``python tests/golden/regenerate.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from mastery_grading.policies import policy_from_spec, policy_to_spec

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate", GOLDEN_DIR / "regenerate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGENERATE = _load_script()
CHECKED_IN = json.loads((GOLDEN_DIR / "policies.json").read_text(encoding="utf-8"))
FRESH = REGENERATE.build()


def test_same_histories_and_policies() -> None:
    assert CHECKED_IN["histories"] == FRESH["histories"]
    assert sorted(CHECKED_IN["policies"]) == sorted(FRESH["policies"])


@pytest.mark.parametrize("label", sorted(CHECKED_IN["values"]))
def test_values_match_exactly(label: str) -> None:
    assert CHECKED_IN["policies"][label] == FRESH["policies"][label]
    assert CHECKED_IN["values"][label] == FRESH["values"][label]


@pytest.mark.parametrize("label", sorted(CHECKED_IN["policies"]))
def test_golden_specs_rebuild_the_policies(label: str) -> None:
    spec = CHECKED_IN["policies"][label]
    assert spec == policy_to_spec(policy_from_spec(spec))


def test_every_built_in_has_golden_values() -> None:
    from mastery_grading.policies import available_policies

    assert set(available_policies()) <= set(CHECKED_IN["values"])


def test_file_is_exactly_what_the_script_writes() -> None:
    text = (GOLDEN_DIR / "policies.json").read_text(encoding="utf-8")
    assert REGENERATE.render(FRESH) == text
