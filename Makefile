# Two commands for a fresh machine: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup browser run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "coatcheck needs Python 3.11+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

# The console's end-to-end tests drive Debian's Chromium (no browser download at run time).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The gateway on embedded defaults: built-in demo model, local keyring file, SQLite audit trail, console at /console.
run: setup
	mkdir -p .coatcheck
	$(BIN)/coatcheck serve --key-file .coatcheck/keyring.json --audit .coatcheck/audit.db

lint: setup
	$(BIN)/ruff check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

unit: setup browser
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/detect_vs_presidio.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
