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
# make test runs the test files on TEST_WORKERS workers (2 by default, one per core: most tests
# wait on services rather than compute; 0: one process), a file's tests together on one worker
# so that they share its servers. Each worker runs meshes of its own: PostgreSQL needs
# max_connections for N of them (the default 100 holds 2).
TEST_WORKERS ?= 2
RUN_ARGS ?=
STATE_DIR ?= .imas

IMAGES ?=
IMAGE_TAG ?= latest

.PHONY: help setup run test lint fmt openapi bench chaos images smoke-images clean

help: ## List the targets
	@echo "Usage: make <target> [PYTEST_ARGS=...] [RUN_ARGS=...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

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

# tools/run_tests.sh: the chaos tests kill and load whole meshes and count pages against
# deadlines, so they run after the others, alone on the machine; a failed test runs once more.
test: setup ## Run the tests (extra pytest arguments: PYTEST_ARGS=..., which runs those alone)
	@bash tests/install_tools.sh
	@UV_RUN="$(UV_RUN)" tools/run_tests.sh $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup ## Check formatting, lint rules, types and the layout rules (tools/lint.py)
	$(UV_RUN) ruff format --check .
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy
	$(UV_RUN) python tools/lint.py

fmt: setup ## Format the code and apply safe lint fixes
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

openapi: setup ## Rewrite docs/api/openapi.json and the client generated from it (clients/python)
	$(UV_RUN) python clients/generate.py

bench: setup ## Run the benchmarks in bench/, then regenerate docs/performance.md from the results
	@if [ -f bench/__main__.py ]; then \
		$(UV_RUN) python -m bench && $(UV_RUN) python tools/docs.py; \
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

images: setup ## Build the images on the local Docker engine (IMAGES="gateway nats ..." for some)
	$(UV_RUN) python deploy/docker/images.py --tag $(IMAGE_TAG) $(IMAGES)

smoke-images: setup ## Run the built images as containers: walking skeleton and a webhook alert
	IMAS_SMOKE_IMAGES=1 IMAS_IMAGE_TAG=$(IMAGE_TAG) $(UV_RUN) pytest tests/deploy/test_smoke_images.py \
		-p no:cacheprovider -v -s -rs $(PYTEST_ARGS)

clean: ## Remove the local state of `make run` (.imas/: data, admin token)
	rm -rf $(STATE_DIR)
