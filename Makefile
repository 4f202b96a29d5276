# The two commands of the README: `make demo` and `make test`. Both set up what is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= outputs/demo

.PHONY: setup demo test test-fast lint format clean

setup:
	@bash scripts/setup.sh

demo: setup
	@bash recipes/demo/run.sh $(DEMO_DIR)

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:
	rm -rf outputs multirun data/cache
