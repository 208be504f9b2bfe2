"""Sphinx configuration for mastery_grading."""

from __future__ import annotations

import sys
from pathlib import Path

import mastery_grading

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "mastery_grading"
author = "mastery_grading developers"
copyright = "2026, mastery_grading developers"
release = mastery_grading.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "fairness_table",
    "reexports",
    "matplotlib.sphinxext.plot_directive",
]

#: Cases per axiom for the generated policies x axioms table (the test suite tries more).
fairness_table_examples = 10

# Figures of the simulation tutorial are drawn at build time (offline, seeded, Agg).
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_html_show_source_link = False
plot_rcparams = {"figure.figsize": (7.5, 4.0)}

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "**/.ipynb_checkpoints",
    "**/_generated",
    "**/_generated/*",
]
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Aliases that signatures name by their short name, linked to where they are documented.
autodoc_type_aliases: dict[str, str] = {
    "OnGap": "mastery_grading.grades.OnGap",
    "Exemptions": "mastery_grading.gradebook.Exemptions",
}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_attr_annotations = True

# No intersphinx: the build must work offline, so standard-library types are matched by
# nitpick_ignore_regex below and stay plain text.

nitpick_ignore_regex = [
    # Type names that autodoc renders from annotations but that have no page of their own.
    (r"py:class", r"(attrs|attr)\..*"),
    (r"py:class", r"hypothesis\..*|st\..*|SearchStrategy"),
    (r"py:class", r"(abc|datetime|fractions|collections\.abc|typing|enum|decimal)\..*"),
    (r"py:(class|exc|func|data|obj)", r"(ValueError|TypeError|Exception|float|int|str|bool)"),
    (r"py:class", r"(Fraction|Iterable|Sequence|Mapping|Callable|Any|T|TypeVar|datetime|date)"),
    (r"py:class", r"(numpy|pandas|polars|pyarrow|pyspark|matplotlib)\..*"),
    (r"py:class", r"(os|argparse|pathlib)\..*"),
    # pytest's own types (the conformance kit returns a pytest mark); pytest has no page here.
    (r"py:class", r"pytest\..*"),
    (r"py:.*", r"mastery_grading\..*\._.*"),
    # Abbreviated third-party names in the simulation and diff annotations (numpy, pandas,
    # matplotlib), and the simulation's Unit alias (described in words where it is used).
    (r"py:class", r"(np|npt|pd|pa)\..*|Axes|Figure|Trajectory|Unit"),
    # Type aliases of signatures whose Args sections say in words what they accept.
    (r"py:class", r"(Exemptions|OnGap|DiffRule|OnError|Duplicates|MissingScores|Decimal|tzinfo)"),
]

html_theme = "furo"
html_title = "mastery_grading"
