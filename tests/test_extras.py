"""Optional packages: each feature that needs one names its extra and the pip command.

Installs are imitated in a subprocess whose first import finder refuses every installed package
that the chosen extras of ``pyproject.toml`` do not bring (``sys.modules[name] = None`` would do,
but Hypothesis then takes numpy for imported), so these tests see what a user of a wheel
installed with only those extras sees.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import mastery_grading
from mastery_grading import MasteryGradingError, MissingExtraError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(mastery_grading.__file__).resolve().parent

#: The optional packages the library may import; only through the one helper.
OPTIONAL = {
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "pyspark",
    "matplotlib",
    "tqdm",
    "hypothesis",
    "pytest",
    "babel",
}


# ---------------------------------------------------------------------------------------------
# Imitating an install with only some extras
# ---------------------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert found is not None, requirement
    return _normal(found.group(1))


@cache
def _project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def _direct(extras: tuple[str, ...]) -> set[str]:
    """The distributions the project asks for with ``extras`` (its own extras unfolded)."""
    project = _project()
    wanted = set(project["dependencies"])
    todo = list(extras)
    seen: set[str] = set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in project["optional-dependencies"][extra]:
            inner = re.fullmatch(r"mastery_grading\[([\w,]+)\]", requirement.replace(" ", ""))
            if inner:
                todo.extend(inner.group(1).split(","))
            else:
                wanted.add(requirement)
    return {_name(requirement) for requirement in wanted}


def _closure(names: set[str]) -> set[str]:
    """``names`` and every distribution they need in turn (not their own extras)."""
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo.extend(
            _name(r) for r in requires if "extra ==" not in r.replace("extra==", "extra ==")
        )
    return out


def hidden_modules(*extras: str) -> list[str]:
    """The installed top-level modules that an install with only ``extras`` would not have."""
    allowed = _closure(_direct(extras))
    hidden = []
    for module, dists in importlib.metadata.packages_distributions().items():
        if module in sys.stdlib_module_names or module.startswith("mastery_grading"):
            continue
        if not any(_normal(dist) in allowed for dist in dists):
            hidden.append(module)
    return sorted(hidden)


RUNNER = """
import importlib.abc, json, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {hidden!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Hide())

# An uninstalled distribution has no entry points either (trio, which selenium brings into a
# dev venv, registers a Hypothesis plugin that would import it).
import importlib.metadata as metadata, re
_entry_points = metadata.entry_points
def entry_points(**params):
    found = _entry_points(**params)
    if not params:
        return found
    return metadata.EntryPoints(
        point for point in found
        if point.dist is None
        or re.sub(r"[-_.]+", "-", point.dist.name).lower() in {allowed!r}
    )
metadata.entry_points = entry_points

from mastery_grading import MissingExtraError
CASES = {cases!r}
SETUP = {setup!r}
for name, code in CASES.items():
    space = {{}}
    exec(SETUP, space)
    try:
        exec(code, space)
        out = {{"raised": None, "result": space.get("result")}}
    except Exception as error:
        out = {{
            "raised": type(error).__name__,
            "message": str(error),
            "import_error": isinstance(error, ImportError),
            "module": getattr(error, "module", None),
            "extra": getattr(error, "extra", None),
        }}
    print(json.dumps({{"case": name, **out}}))
"""

SETUP = """
from mastery_grading import Gradebook, policies
from mastery_grading.examples import load_example_class
from mastery_grading.grades import AverageCutoffs
example = load_example_class()
book = Gradebook.from_evidence(example.evidence, targets=example.targets)
"""


def run_cases(extras: tuple[str, ...], cases: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Run each case's code with only ``extras`` installed; what it raised or left in ``result``."""
    code = RUNNER.format(
        hidden=hidden_modules(*extras),
        allowed=sorted(_closure(_direct(extras))),
        cases=cases,
        setup=SETUP,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert 0 == done.returncode, done.stderr
    return {line["case"]: line for line in map(json.loads, done.stdout.splitlines())}


# ---------------------------------------------------------------------------------------------
# A wheel with no extra: every optional feature names its extra
# ---------------------------------------------------------------------------------------------

#: (what the user runs, the package it needs, the extra that installs it)
ON_A_CORE_INSTALL: dict[str, tuple[str, str, str]] = {
    "ResultTable.to_pandas": ("book.results(policies.Mean()).to_pandas()", "pandas", "data"),
    "ResultTable.to_polars": ("book.results(policies.Mean()).to_polars()", "polars", "fast"),
    "GradeTable.to_pandas": (
        "book.grades(AverageCutoffs.marzano_2010()).to_pandas()",
        "pandas",
        "data",
    ),
    "Gradebook.from_frame": (
        "Gradebook.from_frame({'student_id': []}, targets=example.targets)",
        "numpy",
        "data",
    ),
    "Gradebook(engine='numpy')": (
        "Gradebook(targets=example.targets, engine='numpy')",
        "numpy",
        "data",
    ),
    "results(engine='numpy')": ("book.results(policies.Mean(), engine='numpy')", "numpy", "data"),
    "simulate_cohort": (
        "from mastery_grading.simulation import simulate_cohort\nsimulate_cohort(n=3)",
        "numpy",
        "sim",
    ),
    "compare": ("from mastery_grading.simulation import compare", "numpy", "sim"),
    "plots": ("from mastery_grading.simulation import plots", "numpy", "sim"),
    "testing.audit": (
        "from mastery_grading import testing\ntesting.audit(policies.Mean())",
        "hypothesis",
        "fairness",
    ),
    "fairness.audit.audit": (
        "from mastery_grading.fairness.audit import audit\naudit(policies.Mean())",
        "hypothesis",
        "fairness",
    ),
    "check_policy": (
        "from mastery_grading.fairness.check import check_policy\ncheck_policy(policies.Mean())",
        "hypothesis",
        "fairness",
    ),
    "testing.strategies": ("import mastery_grading.testing.strategies", "hypothesis", "fairness"),
    "stream.results": (
        "from mastery_grading import stream\nstream.results('.', example.targets,"
        " policies.Mean(), out='results.parquet')",
        "pyarrow",
        "fast",
    ),
    "read_evidence of a Parquet file": (
        "from mastery_grading.io import read_evidence\nread_evidence('evidence.parquet')",
        "pyarrow",
        "fast",
    ),
    "spark.results": (
        "from mastery_grading import spark\nspark.results(None, example.targets, policies.Mean())",
        "pyspark",
        "spark",
    ),
    "reports in Spanish": (
        "from mastery_grading import reports\n"
        "reports.student_report_html('s', [], example.targets, policies.Mean(), lang='es')",
        "babel",
        "report",
    ),
}

#: What works on a core install all the same (the result each case leaves).
CORE_WORKS = {
    "the gradebook (reference engine)": (
        "result = book.results(policies.DecayingAverage()).records()[0]['level']"
    ),
    "the demo": (
        "import contextlib, io, runpy\n"
        "with contextlib.redirect_stdout(io.StringIO()) as shown:\n"
        "    try:\n"
        "        runpy.run_module('mastery_grading.demo', run_name='__main__')\n"
        "    except SystemExit as done:\n"
        "        code = done.code\n"
        "result = [code, 'late bloomer' in shown.getvalue()]"
    ),
    "reports in English": (
        "from mastery_grading import reports\n"
        "page = reports.student_report_html('s', [], example.targets, policies.Mean())\n"
        "result = page.startswith('<!DOCTYPE html>\\n<html lang=\"en\">')"
    ),
    "the audit command": (
        "import io\n"
        "from mastery_grading.cli import main\n"
        "err = io.StringIO()\n"
        "result = [main(['audit', '--policy', 'mean'], stdout=io.StringIO(), stderr=err),"
        " err.getvalue()]"
    ),
}


@pytest.fixture(scope="module")
def core_install() -> dict[str, dict[str, Any]]:
    cases = {name: code for name, (code, _, _) in ON_A_CORE_INSTALL.items()}
    return run_cases((), {**cases, **CORE_WORKS})


@pytest.mark.slow
@pytest.mark.parametrize("case", list(ON_A_CORE_INSTALL))
def test_a_feature_without_its_extra_names_the_extra_and_the_pip_command(
    core_install: dict[str, dict[str, Any]], case: str
) -> None:
    _, module, extra = ON_A_CORE_INSTALL[case]
    seen = core_install[case]
    assert ("MissingExtraError", True, module, extra) == (
        seen["raised"],
        seen["import_error"],
        seen["module"],
        seen["extra"],
    )
    assert (
        f'needs {module}, which is not installed: pip install "mastery_grading[{extra}]"'
        in (seen["message"])
    )


@pytest.mark.slow
def test_the_core_install_grades_runs_the_demo_and_says_what_the_audit_needs(
    core_install: dict[str, dict[str, Any]],
) -> None:
    assert None is core_install["the gradebook (reference engine)"]["raised"]
    assert "meets" == core_install["the gradebook (reference engine)"]["result"]
    assert [0, True] == core_install["the demo"]["result"]
    assert True is core_install["reports in English"]["result"]  # Babel only for other languages
    code, err = core_install["the audit command"]["result"]
    assert 1 == code
    assert 'mastery-grading audit needs hypothesis, which is not installed: pip install "' in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------------------
# The audit needs the fairness extra only; the rest names its own extra
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_audit_runs_with_only_the_fairness_extra() -> None:
    seen = run_cases(
        ("fairness",),
        {
            "audit": (
                "from mastery_grading import testing\n"
                "report = testing.audit(policies.MostRecent(), max_examples=10)\n"
                "result = str(report)"
            ),
            "audit_table.to_pandas": (
                "from mastery_grading.testing import audit_table\n"
                "audit_table([policies.MostRecent()], max_examples=5).to_pandas()"
            ),
            "parametrize_with_checks": (
                "from mastery_grading.testing import parametrize_with_checks\n"
                "parametrize_with_checks([policies.MostRecent()])"
            ),
        },
    )
    assert None is seen["audit"]["raised"], seen["audit"]
    assert seen["audit"]["result"].startswith("Audit of most_recent")
    assert ("MissingExtraError", "pandas", "data") == (
        seen["audit_table.to_pandas"]["raised"],
        seen["audit_table.to_pandas"]["module"],
        seen["audit_table.to_pandas"]["extra"],
    )
    assert ("MissingExtraError", "pytest", "test") == (
        seen["parametrize_with_checks"]["raised"],
        seen["parametrize_with_checks"]["module"],
        seen["parametrize_with_checks"]["extra"],
    )


@pytest.mark.slow
def test_plots_name_the_plot_extra_on_a_sim_install() -> None:
    seen = run_cases(
        ("sim",),
        {
            "plot_journey": (
                "from mastery_grading.simulation import Schedule, simulate_cohort\n"
                "from mastery_grading.simulation.plots import plot_journey\n"
                "cohort = simulate_cohort(n=2, seed=0, schedule=Schedule(n=3))\n"
                "plot_journey(cohort, cohort.students[0].id, [policies.Mean()])"
            ),
            "compare": (
                "from mastery_grading.simulation import compare, simulate_cohort\n"
                "from mastery_grading.simulation import Schedule\n"
                "cohort = simulate_cohort(n=4, seed=0, schedule=Schedule(n=3))\n"
                "result = len(compare([policies.Mean()], cohort).table)"
            ),
        },
    )
    assert ("MissingExtraError", "matplotlib", "plot") == (
        seen["plot_journey"]["raised"],
        seen["plot_journey"]["module"],
        seen["plot_journey"]["extra"],
    )
    assert None is seen["compare"]["raised"], seen["compare"]


def test_the_imitated_installs_hide_what_the_extras_do_not_bring() -> None:
    """A guard on the imitation itself, so that the tests above cannot pass by hiding nothing."""
    core = set(hidden_modules())
    assert {"numpy", "pandas", "hypothesis", "pytest"} <= core
    assert "attr" not in core
    assert {"hypothesis", "sortedcontainers"}.isdisjoint(hidden_modules("fairness"))
    assert "numpy" not in hidden_modules("sim")


# ---------------------------------------------------------------------------------------------
# The error, the extras and the README agree
# ---------------------------------------------------------------------------------------------


def test_missing_extra_error_is_a_library_error_and_an_import_error() -> None:
    error = MissingExtraError("ResultTable.to_pandas()", module="pandas", extra="data")
    assert isinstance(error, MasteryGradingError)
    assert isinstance(error, ModuleNotFoundError)
    assert "pandas" == error.name
    assert 'pip install "mastery_grading[data]"' == error.command
    with pytest.raises(ImportError, match=r"ResultTable\.to_pandas\(\) needs pandas"):
        raise error


def test_hypothesis_comes_with_the_fairness_extra_and_the_test_extra_includes_it() -> None:
    extras = _project()["optional-dependencies"]
    assert {"hypothesis"} == {_name(r) for r in extras["fairness"]}
    assert "hypothesis" in _direct(("test",))
    assert "hypothesis" not in _direct(("data", "fast", "plot", "sim"))


def _readme_extras() -> dict[str, str]:
    """The README's extras table: each feature's extra, from its pip command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r'^\|([^|]+)\|\s*`(\w+)`\s*\|\s*`pip install "mastery_grading\[(\w+)\]"`', text, re.M
    )
    assert rows, "README.md has no extras table"
    for _, extra, command_extra in rows:
        assert extra == command_extra
    return {feature.strip(): extra for feature, extra, _ in rows}


def test_the_readme_table_names_real_extras_and_every_extra_an_error_can_name() -> None:
    table = _readme_extras()
    extras = set(_project()["optional-dependencies"])
    assert set(table.values()) <= extras
    named = {extra for _, _, extra in ON_A_CORE_INSTALL.values()} | {"plot", "test"}
    assert named <= set(table.values())


# ---------------------------------------------------------------------------------------------
# No optional import bypasses the helper
# ---------------------------------------------------------------------------------------------


def _optional_imports(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name.partition(".")[0] for alias in node.names} & OPTIONAL
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.partition(".")[0]} & OPTIONAL
    return set()


def _required(node: ast.stmt) -> str | None:
    """The package of a ``require("pkg", ...)`` statement, or ``None``."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not isinstance(call, ast.Call) or not call.args:
        return None
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    first = call.args[0]
    if name == "require" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value.partition(".")[0]
    return None


#: Statements whose body holds more statements (``if`` and ``try`` are walked on their own).
BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.For, ast.While)


def _bypasses(body: list[ast.stmt], type_checking: bool) -> Iterator[tuple[int, str]]:
    """Optional imports in ``body`` neither typing-only nor after a ``require`` of their package."""
    required: set[str] = set()
    for node in body:
        package = _required(node)
        if package is not None:
            required.add(package)
        if not type_checking:
            for missing in sorted(_optional_imports(node) - required):
                yield node.lineno, missing
        if isinstance(node, ast.If):
            typing_only = ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
            yield from _bypasses(node.body, type_checking or typing_only)
            yield from _bypasses(node.orelse, type_checking)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _bypasses(block, type_checking)
        elif isinstance(node, BLOCKS):
            yield from _bypasses(node.body, type_checking)


def test_every_optional_import_goes_through_the_helper() -> None:
    """Outside ``if TYPE_CHECKING:``, an optional package is imported only after ``require``."""
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {package}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, package in _bypasses(ast.parse(path.read_text(encoding="utf-8")).body, False)
    ]
    assert [] == found


def test_the_import_walk_finds_a_bare_import() -> None:
    """A guard on the walk itself, so that it cannot pass by finding nothing."""
    code = (
        "import numpy\n"
        "def f():\n    require('pandas', extra='data', feature='f')\n    import pandas\n"
        "def g():\n    try:\n        from hypothesis import given\n    except ImportError:\n"
        "        pass\n"
        "if TYPE_CHECKING:\n    import polars\n"
    )
    assert [(1, "numpy"), (7, "hypothesis")] == list(_bypasses(ast.parse(code).body, False))
