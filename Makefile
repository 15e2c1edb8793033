# Two commands on a fresh clone: `make demo` and `make test`. Both call `make install`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: install demo test test-fast test-e2e lint bench clean

install: $(STAMP)

# a new provider package needs the editable install redone to be importable
$(STAMP): pyproject.toml $(wildcard providers/*/__init__.py)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Azurite (Azure blob storage emulator) for the azurerm backend tests; they skip without npm
	@command -v npm >/dev/null 2>&1 && npm install --prefix $(VENV)/node --no-audit --no-fund \
		--loglevel=error azurite@3.35.0 >/dev/null || echo "npm not found: azurerm tests will skip"
	@touch $(STAMP)

demo: install
	$(BIN)/python demo/run_demo.py

# unit and provider tiers in parallel, then the terraform tier (one apply, shared by its tests)
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not e2e" tests
	$(BIN)/python -m pytest -m e2e tests/e2e

test-fast: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not e2e" tests

test-e2e: install
	$(BIN)/python -m pytest -m e2e tests/e2e

lint: install
	$(BIN)/ruff check cloudrift providers tests bench demo
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
