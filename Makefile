# IMAS: common tasks. `make` alone lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Use the machine's Python only; never fetch one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system

PYTHON ?= python3
# uv from PATH when there is one, else as a module of $(PYTHON) (installed by `make setup`).
UV ?= $(shell command -v uv >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
# Run against exactly what uv.lock pins, when there is a lock.
UV_RUN = $(UV) run $(if $(wildcard uv.lock),--frozen,)

PYTEST_ARGS ?=
RUN_ARGS ?=
STATE_DIR ?= .imas

.PHONY: help setup run test lint fmt bench chaos clean

help: ## List the targets
	@echo "Usage: make <target> [PYTEST_ARGS=...] [RUN_ARGS=...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Create or update the environment (.venv) from uv.lock
	@if ! command -v uv >/dev/null 2>&1 && ! $(PYTHON) -m uv --version >/dev/null 2>&1; then \
		echo "uv not found: installing it with pip"; \
		$(PYTHON) -m pip install --user uv \
			|| $(PYTHON) -m pip install uv \
			|| $(PYTHON) -m pip install --user --break-system-packages uv; \
	fi
	@if [ -f uv.lock ]; then $(UV) sync --frozen; else $(UV) sync; fi

run: setup ## Start the whole mesh locally (Ctrl-C stops it)
	$(UV_RUN) imas run $(RUN_ARGS)

test: setup ## Run the tests (extra pytest arguments: PYTEST_ARGS=...)
	@bash tests/browser/install_chromium.sh
	@rc=0; $(UV_RUN) pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; fi; \
	exit $$rc

lint: setup ## Check formatting, lint rules and types
	$(UV_RUN) ruff format --check .
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy

fmt: setup ## Format the code and apply safe lint fixes
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

bench: setup ## Run the benchmarks in bench/
	@if [ -f bench/__main__.py ]; then \
		$(UV_RUN) python -m bench; \
	else \
		shopt -s nullglob; files=(bench/*.py); \
		if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks in bench/"; exit 0; fi; \
		for f in "$${files[@]}"; do echo "== $$f"; $(UV_RUN) python "$$f" || exit $$?; done; \
	fi

chaos: setup ## Run the full reliability suite in tests/chaos (make test runs a bounded form)
	@if [ -d tests/chaos ]; then \
		IMAS_CHAOS_SCALE=full $(UV_RUN) pytest tests/chaos -p no:cacheprovider \
			-o timeout=600 -v --durations=0 $(PYTEST_ARGS); \
	else \
		echo "no chaos tests (tests/chaos does not exist)"; \
	fi

clean: ## Remove the local state of `make run` (.imas/: data, admin token)
	rm -rf $(STATE_DIR)
