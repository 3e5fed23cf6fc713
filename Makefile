# Samplan: `make run` starts the portal with demo data, `make test` runs the whole suite.
# Only Python 3.11+ and make are needed up front; everything else is installed from here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
# The portal's public address follows HOST and PORT unless set: the built-in test login and the
# redirects back from it use it.
SAMPLAN_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-sqlite test-postgresql lint typecheck bench messages clean help

help:
	@echo "make run    - set up, migrate, add demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   - lint, type-check and run the suite on SQLite and PostgreSQL"
	@echo "make bench  - measure throughput as ratios to a bare ASGI baseline (bench/REPORT.md)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Samplan needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: export SAMPLAN_BASE_URL := $(SAMPLAN_BASE_URL)
run: $(VENV)/.installed-run
	@bash scripts/install-pdf-deps.sh || true
	$(BIN)/samplan migrate
	$(BIN)/samplan seed-demo
	@echo "Samplan is starting on http://$(HOST):$(PORT) (Ctrl-C stops it)"
	$(BIN)/samplan serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

test: $(VENV)/.installed-dev
	@bash scripts/install-test-deps.sh
	@bash scripts/install-interop-deps.sh
	@$(MAKE) --no-print-directory lint typecheck
	@rm -f var/test-results.txt
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgresql
	@echo "== Suites run ==" && cat var/test-results.txt

test-sqlite test-postgresql: test-%: $(VENV)/.installed-dev
	@mkdir -p var
	@echo "== Test suite on $* =="
	SAMPLAN_TEST_DATABASE=$* $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -p no:cacheprovider
	@echo "$*: passed" >> var/test-results.txt

bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || bash scripts/install-test-deps.sh wrk
	$(BIN)/python -m bench.run

# Refresh the translation catalogues after changing interface text (then translate the new entries).
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k gettext_noop --sort-output --no-location -o var/messages.pot .
	for language in nb nn en; do \
	  $(BIN)/pybabel update -i var/messages.pot -d app/translations -l $$language --no-location --omit-header --no-fuzzy-matching; \
	done

clean:
	rm -rf $(VENV) var/test-results.txt var/screenshots
