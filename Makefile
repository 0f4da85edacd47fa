# Retention Lab — the two commands: `make lab` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make lab` needs the package and JupyterLab only ([lab]); everything else (tests, lint, benchmarks)
# also the dev tools ([lab,dev]: pytest, playwright, mypy, ruff, ... about 250 MiB and a minute more)
LAB_STAMP := $(VENV)/.installed-lab
comma  := ,
PORT   ?= 8888

.PHONY: lab test test-fast lint format bench bench-quick bench-instructions bench-install datasets exercises pack dictionary clean help

help:
	@echo "make lab        create .venv, install the course ([lab]), open JupyterLab at the course index"
	@echo "make test       create .venv if needed, add the dev tools ([lab,dev]), run the whole suite (incl. notebooks)"
	@echo "make test-fast  unit tests only (no notebooks, no slow statistical checks)"
	@echo "make lint       ruff (lint + format check) and mypy"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make bench      run the benchmarks, the suite included (about 50 min; writes benchmarks/results.json, RESULTS.md)"
	@echo "make datasets   regenerate datasets/ from the simulator"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make pack       write the student pack course-pack.zip (exercises, data, README; no solutions)"

# $(call install,EXTRAS): create the venv if needed, install the package with EXTRAS, register its kernel
define install
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(1)]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
endef

$(STAMP): pyproject.toml
	$(call install,lab$(comma)dev)
	@touch $(STAMP) $(LAB_STAMP)

$(LAB_STAMP): pyproject.toml
	$(call install,lab)
	@touch $(LAB_STAMP)

# The course's JupyterLab settings live in jupyter_config/ (landing page = the course index,
# Markdown opens rendered); JupyterLab's own writes stay there too, not in ~/.jupyter.
# tests/browser/test_landing.py starts JupyterLab the same way.
LAB_CONFIG := $(CURDIR)/jupyter_config
LAB_ARGS   ?=

lab: $(LAB_STAMP)
	@NB=""; if [ -n "$$CI" ] || { [ -z "$$DISPLAY" ] && [ "$$(uname)" = "Linux" ]; }; then NB="--no-browser"; fi; \
	ROOT=""; if [ "$$(id -u)" = "0" ]; then ROOT="--allow-root"; fi; \
	JUPYTER_CONFIG_DIR="$(LAB_CONFIG)" $(BIN)/jupyter lab $$NB $$ROOT --port=$(PORT) $(LAB_ARGS)

# The suite runs on every core (pytest-xdist) with one worker more than cores: with one per core about a
# quarter of the cores' time sat idle (tests waiting on kernels and JupyterLab starting, subprocesses,
# deliberate hangs), which the extra worker fills (on 2 cores: 7.2 min instead of 9.6 min, back to back). Tests that must
# not run alongside each other share one xdist_group (tests/conftest.py), which --dist loadgroup keeps
# on one worker. Serially: `make test PYTEST_ARGS=-n0`; other pytest options go in PYTEST_ARGS too.
WORKERS     ?= $(shell $(PYTHON) -c "import os; n = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count(); print((n or 1) + 1)")
XDIST       ?= -n $(WORKERS) --dist loadgroup
PYTEST_ARGS ?=

test: $(STAMP) lint
	MPLBACKEND=Agg $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-fast: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -m "not slow and not notebooks" $(XDIST) $(PYTEST_ARGS)

# BENCH_ARGS: e.g. --skip-suite, --only simulator, --sizes 10000 100000 (benchmarks/README.md)
BENCH_ARGS ?=

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick --out /tmp/retention-lab-bench-quick

bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/run.py --instructions 10000 --anchors fair --scenarios retail subscription

bench-install:
	$(PYTHON) benchmarks/install_time.py

datasets: $(STAMP)
	$(BIN)/retention-lab datasets build

exercises: $(STAMP)
	$(BIN)/retention-lab teach strip notebooks solutions
	$(BIN)/retention-lab teach build-exercises
	$(BIN)/retention-lab teach toc
	$(BIN)/retention-lab teach sources

pack: $(STAMP)
	$(BIN)/retention-lab teach pack --out course-pack.zip

dictionary: $(STAMP)
	$(BIN)/retention-lab dictionary --out datasets/DATA_DICTIONARY.md

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
