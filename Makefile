# 双随机一公开监管平台 — everything starts here: `make run`, `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL connection `make test-pg` hands the tests (they create their own test database from it):
# PG_ADMIN_URL from the environment, else the server's maintenance database `postgres`.
PG_URL ?= $(or $(PG_ADMIN_URL),postgres://postgres@127.0.0.1:5432/postgres)

.PHONY: run test test-sqlite test-pg bench venv migrate demo serve lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@PYTHON=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { rm -rf $(VENV); $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

## run: venv + migrate SQLite + demo data + serve on http://127.0.0.1:8000 (prints demo logins), with one
## background task worker (imports, exports, pool freeze ...); Ctrl-C stops both (scripts/run-dev)
run: demo
	@echo "打开 http://$(HOST):$(PORT)/  （公示门户：http://$(HOST):$(PORT)/gs/）"
	DEBUG=1 PY=$(PY) scripts/run-dev $(HOST):$(PORT)

## test: the whole suite on SQLite (set DATABASE_URL for PostgreSQL; `make test-pg` does that).
## Installs Debian's chromium for the browser tests when it can (root + Debian), else they skip (one line).
test: venv
	@scripts/ensure-browser
	@set +e; $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

test-pg: venv
	DATABASE_URL=$(PG_URL) $(MAKE) test

## bench: speed figures (printed, never asserted)
bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

lint: venv
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media
