# Two commands for a newcomer: `make run` and `make test`. Both set everything up
# first (venv, project, Debian packages) and are quick when that is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the test suite needs: browser tests drive the system Chromium, and every
# hub test runs on PostgreSQL as well as SQLite (never skipped); poppler reads the PDFs back;
# LibreOffice prints each workbook as the office would, with a Japanese font to draw it.
TEST_DEBS := chromium postgresql poppler-utils libreoffice-calc fonts-ipaexfont-gothic
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck bench clean system-deps postgres

# With no hub configured, also runs a local hub (SQLite) on 127.0.0.1 and enrols to it.
run: $(STAMP)
	$(BIN)/ibasho-field --local-hub $(ARGS)

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	url="$$(scripts/test-postgres)" && IBASHO_TEST_PG="$$url" $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.store --records 10000 --dir /var/tmp/ibasho-bench
	$(BIN)/python -m benchmarks.store --records 50000 --dir /var/tmp/ibasho-bench
	$(BIN)/python -m benchmarks.store --records 100000 --dir /var/tmp/ibasho-bench
	$(BIN)/python -m benchmarks.sync_push
	$(BIN)/python -m benchmarks.photos
	$(BIN)/python -m benchmarks.hub_ingest --db postgresql --devices 50
	$(BIN)/python -m benchmarks.hub_ingest --db sqlite --devices 50
	$(BIN)/python -m benchmarks.startup --records 10000
	$(BIN)/python -m benchmarks.startup --records 50000
	$(BIN)/python -m benchmarks.startup --records 100000
	$(BIN)/python -m benchmarks.reports --gatherings 100000 --db postgresql
	$(BIN)/python -m benchmarks.reports --gatherings 100000 --db sqlite
	$(BIN)/python -m benchmarks.pull --db postgresql --records 100000
	$(BIN)/python -m benchmarks.pull --db sqlite --records 100000

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
	  || { echo "Set PYTHON=python3.11 (or newer) and retry."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null \
	  || { echo "Installing python3-venv"; $(SUDO) apt-get update -qq && \
	       $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[web,hub,dev]'
	touch $(STAMP)

# Installs what is missing; as a non-root user it asks sudo (or tells you what to run).
system-deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	  || { echo "Could not install:$$missing. Run: sudo apt-get install$$missing"; exit 1; }; \
	fi

# The PostgreSQL the tests use, started (or made) when it does not answer; prints its URL.
postgres: system-deps
	@scripts/test-postgres

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache tests/artifacts
