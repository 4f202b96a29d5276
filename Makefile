# The two commands of the README: `make demo` and `make test`. Both set up what is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= outputs/demo

.PHONY: setup demo test test-fast lint format clean

setup:
	@bash scripts/setup.sh

demo: setup
	@bash recipes/demo/run.sh $(DEMO_DIR)

# The tests run in parallel, one process per CPU core (pytest-xdist), each test file on one.
# A worker that crashes ends the run at once, naming the test: replacing it can hang the run
# under --dist loadfile (pytest-xdist issue 1378; a CI run hung for an hour that way).
PYTEST := $(PY) -m pytest -q -n auto --dist loadfile --max-worker-restart=0

test: setup
	$(PYTEST)

test-fast: setup
	$(PYTEST) -m "not slow"

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:
	rm -rf outputs multirun data/cache
