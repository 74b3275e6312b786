# ctxh: `make demo` runs it, `make test` tests it. See README.md.

# A Python 3.12+ interpreter: PYTHON=... wins; otherwise the first of python3.13, python3.12, python3 that is
# new enough (a .python-version file selects one under pyenv).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv demo demo-data serve test test-fast lint format messages bench clean check-python

help:
	@echo "make demo       install into .venv, build the database, load units and demo data, serve on $(HOST):$(PORT)"
	@echo "make demo-data  the same set-up without serving"
	@echo "make test       the whole test suite (DATABASE_URL selects PostgreSQL; SQLite by default)"
	@echo "make lint       ruff"
	@echo "make messages   refresh and compile the translations"
	@echo "make bench      province-scale timings (SCALE=1.0; SQLite, then PostgreSQL: BENCH_DATABASE_URL or local)"

check-python:
	@if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
		echo "ctxh needs Python 3.12 or newer (python3.13, python3.12 or python3 >= 3.12 on PATH)$(if $(PYTHON),; '$(PYTHON)' is not one,)."; \
		echo "Install one, pin it with a .python-version file (pyenv, uv), or run: make PYTHON=/path/to/python3.12 ..."; \
		exit 1; fi

$(STAMP): pyproject.toml | check-python
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo-data: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_admin_units
	$(DEV_ENV) $(BIN)/python manage.py load_indicator_data
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py rebuild_facts --unit-map

demo: demo-data serve

# The development server, and a background worker for long jobs (spreadsheet imports show their progress).
serve: $(STAMP)
	@echo "ctxh: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@$(DEV_ENV) CTXH_TASKS_BACKEND=database $(BIN)/python manage.py db_worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(DEV_ENV) CTXH_TASKS_BACKEND=database $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

messages: $(STAMP)
	cd ctxh && $(DEV_ENV) ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete
	cd ctxh && $(DEV_ENV) ../$(BIN)/python ../manage.py compilemessages -l en

# The bench (docs/bench.md): SQLite (var/bench.sqlite3), then PostgreSQL at BENCH_DATABASE_URL, or at
# BENCH_PG_URL when a local server answers there. SCALE=0.05 for a quick run.
SCALE ?= 1.0
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/ctxh_bench
bench: $(STAMP)
	@$(BIN)/python -c "import duckdb" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m ctxh.bench --scale $(SCALE) --database-url sqlite
	@url="$(BENCH_DATABASE_URL)"; \
	if [ -z "$$url" ] && $(BIN)/python -m ctxh.bench --check-postgres "$(BENCH_PG_URL)"; then url="$(BENCH_PG_URL)"; fi; \
	if [ -n "$$url" ]; then echo; $(BIN)/python -m ctxh.bench --scale $(SCALE) --database-url "$$url"; \
	else echo "PostgreSQL: none reachable at $(BENCH_PG_URL); set BENCH_DATABASE_URL to bench one."; fi

clean:
	rm -rf $(VENV) var/static
