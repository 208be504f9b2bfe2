# The two commands of the README: `make demo` and `make test`.
# Both create .venv when it is missing and refresh it when pyproject.toml changes. The demo
# installs only what it runs (the core: attrs, no extra); every other target installs the `dev`
# extra (tests, docs, lint and every optional package) on top. pip's cache is used.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_STAMP := $(VENV)/.installed-demo
STAMP := $(VENV)/.installed-dev
CODE_DIRS := src tests docs $(wildcard benchmarks)

.PHONY: demo test lint typecheck pytest docs bench study clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs no extra. A .venv that has the dev install already has all it needs.
$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $(DEMO_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/python -m mastery_grading.demo

lint: $(STAMP)
	$(BIN)/ruff check $(CODE_DIRS)
	$(BIN)/ruff format --check $(CODE_DIRS)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	@sh tools/ensure-browser-tests.sh
	@sh tools/ensure-java.sh
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/sphinx-build -E -W -n --keep-going -b html docs docs/_build/html

test: lint typecheck pytest docs

# Every size, 10^4 to 10^7 rows (pandas up to 10^6): about 15 minutes on 2 cores; then the
# stream, the whole book and Spark local[2] on 10^7 rows from Parquet (benchmarks/scale.py:
# about 3 minutes more; --rows 1e8 --skip spark,book for the 10^8-row streaming figure).
# A quick look: make bench BENCH_ARGS=--sizes=1e4
BENCH_ARGS ?= --sizes 1e4,1e5,1e6,1e7 --pandas-max 1e6

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/peers.py
	$(BIN)/python benchmarks/bench_simulation.py
	$(BIN)/python benchmarks/scale.py --rows 1e7

# The worked study of docs/explanation/study-decaying-average.md, from its recorded seed: about
# a minute on 2 cores. It rewrites the report and the figures that page shows (a rerun that
# changes nothing leaves git clean) and writes the estimates as CSV next to them (not tracked).
STUDY_OUT ?= docs/explanation/study-decaying-average

study: $(STAMP)
	$(BIN)/python benchmarks/study_policies.py --out $(STUDY_OUT)

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .pytest_cache .ruff_cache .hypothesis
