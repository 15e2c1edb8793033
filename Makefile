# Two commands on a fresh clone: `make demo` and `make test`. Both call `make install`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_WORKERS ?= 2
# the lock of the development environment (every extra + dev), hashes included; `make lock`
# writes it from pyproject.toml, whose own dependency ranges stay ranges
LOCK   := requirements/requirements-dev.txt
NPM_LOCK := requirements/npm
# the pip that installs from the lock: pinned, so a new pip cannot change what the lock means
PIP_VERSION := 26.3
LATEST_VENV := .venv-latest

.PHONY: install demo test test-fast test-e2e test-latest lock lint bench clean

install: $(STAMP)

# a new provider package needs the editable install redone to be importable
$(STAMP): pyproject.toml $(LOCK) $(NPM_LOCK)/package-lock.json $(wildcard providers/*/__init__.py)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@# the lock holds the build backend too: the project builds with what was tested
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@# Azurite (Azure blob storage emulator) for the azurerm backend tests; they skip without npm
	@if command -v npm >/dev/null 2>&1; then \
		mkdir -p $(VENV)/node && cp $(NPM_LOCK)/package.json $(NPM_LOCK)/package-lock.json $(VENV)/node/ && \
		npm ci --prefix $(VENV)/node --no-audit --no-fund --loglevel=error >/dev/null || \
		echo "npm ci failed: azurerm tests will skip"; \
	else echo "npm not found: azurerm tests will skip"; fi
	@touch $(STAMP)

# regenerate the locks from pyproject.toml and requirements/npm/package.json (newest releases
# that fit their ranges); review the diff, run `make test`, commit
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.10 \
		--generate-hashes --upgrade --quiet -o $(LOCK)
	cd $(NPM_LOCK) && npm install --package-lock-only --no-audit --no-fund --loglevel=error

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

# the suite against the newest releases the ranges in pyproject.toml admit, without the lock:
# a release that breaks us shows here before `make lock` takes it in. Not part of CI.
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -e '.[dev]'
	$(LATEST_VENV)/bin/python -m pip list --format=freeze > $(LATEST_VENV)/resolved.txt
	@echo "resolved without the lock (differences from $(LOCK)):"
	@$(LATEST_VENV)/bin/python requirements/lockdiff.py $(LOCK) $(LATEST_VENV)/resolved.txt || true
	$(LATEST_VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) -m "not e2e" tests
	$(LATEST_VENV)/bin/python -m pytest -m e2e tests/e2e

lint: install
	$(BIN)/ruff check cloudrift providers tests bench demo requirements
	$(BIN)/mypy
	$(BIN)/lint-imports

# every benchmark, about 20 minutes on 2 cores; `make bench ONLY=estate-601,community` runs the
# named ones and keeps the other sections of the page (bench/run.py --only)
bench: install
	$(BIN)/python bench/run.py --write docs/benchmarks.md $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) $(LATEST_VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
