# Cadre: `make demo` runs Cadre with demo data; `make test` runs the whole test suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint format install bench clean help

help:
	@echo "make demo    run Cadre with demo data on SQLite at http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint    ruff, mypy, import contracts, template format and migrations check"
	@echo "make bench   run the benchmarks in bench/"

$(STAMP): pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    rm -rf $(VENV); echo "Creating $(VENV) with $$python"; $$python -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	@touch $(STAMP)

install: $(STAMP)

# The demo's printed login address and the links in its e-mails follow HOST and PORT.
demo: export SITE_URL ?= http://$(HOST):$(PORT)
demo: $(STAMP)
	DEBUG=1 $(BIN)/cadre migrate --no-input
	DEBUG=1 $(BIN)/cadre demo
	@set -m; DEBUG=1 $(BIN)/cadre db_worker --no-reload >var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  echo "Background worker started (log: var/worker.log)."; \
	  DEBUG=1 $(BIN)/cadre runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/djhtml --check $$(find src -name '*.html')
	DEBUG=1 $(BIN)/cadre makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djhtml $$(find src -name '*.html')

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/import_people.py
	$(BIN)/python bench/reporting_lines.py
	$(BIN)/python bench/matching.py

clean:
	rm -rf $(VENV) .pytest-data .pytest_cache .mypy_cache .ruff_cache
