# Góp Ý: `make run` to try it, `make test` to check it. Everything sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: setup run test lint architecture test-sqlite test-postgres test-e2e services system-packages assets translations migrate demo clean bench bench-quick bench-2g bench-oversight

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error

# htmx 1.9.12 plus our few ES5 lines, one file, one request; never committed.
app/static/js/gopy.js: node_modules/.package-lock.json app/assets/gopy.js
	mkdir -p app/static/js
	cat node_modules/htmx.org/dist/htmx.min.js app/assets/gopy.js > $@

assets: app/static/js/gopy.js

translations: $(VENV)/.requirements
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v "^compiling" || true

setup: $(VENV)/.requirements assets translations

migrate: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-reference

demo: migrate
	$(BIN)/flask seed-demo
	$(BIN)/flask stats refresh

# gunicorn as in production (not Werkzeug's dev server, which can skip the work that
# runs after a response is closed, such as in-process e-mail delivery).
run: demo
	@echo "Góp Ý: http://127.0.0.1:$(PORT)"
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# Debian packages the tests need: Chromium for the browser tests, gettext for msgfmt,
# w3m for the text-browser test, wrk for the benchmark's load.
system-packages:
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v w3m >/dev/null && command -v wrk >/dev/null || { \
	  [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium gettext w3m wrk >/dev/null; }

# PostgreSQL and Redis as the machine runs them; start them if they are down.
services:
	@bash .ci/services

# The architecture (.importlinter) and the style (pyproject.toml) first: seconds, not minutes.
lint: $(VENV)/.requirements
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# docs/architecture.md's picture, redrawn from the code (tests/test_architecture.py checks it).
architecture: $(VENV)/.requirements
	$(BIN)/python -m tools.architecture --write

test: setup system-packages services lint
	$(BIN)/pytest -q -p no:cacheprovider tests
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gopy_test $(BIN)/pytest -q -p no:cacheprovider tests --ignore=tests/e2e

# The desk's background work. With REDIS_URL set, e-mail and SMS go through RQ: run a
# worker (`flask notify worker`, or plain `rq worker gopy-notify` with FLASK_APP set);
# without it they are sent in-process after each response. Run the jobs from cron:
# `flask notify sweep` every few minutes (hands over anything the broker missed),
# `flask desk reminders` daily (overdue submissions, every 7 working days),
# `flask stats refresh` every 15 minutes (the public statistics' summary) and
# `flask opendata dump` nightly (the open-data files and their SHA256SUMS).
.PHONY: worker
worker: setup
	$(BIN)/flask notify worker

# Bytes, speed and scale on SQLite and PostgreSQL, then the 2G browser run (docs/benchmarks.md).
# QUICK=1 (or make bench-quick) seeds ~5,000 submissions instead of 10k/100k/1M.
bench: setup system-packages services
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)
	$(BIN)/python -m bench.two_g $(if $(QUICK),--quick)

bench-quick:
	$(MAKE) bench QUICK=1

bench-2g: setup system-packages
	$(BIN)/python -m bench.two_g $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) node_modules app/static/js instance

# Statistics and open data at scale: 10k and 1M submissions on PostgreSQL (docs/benchmarks.md).
bench-oversight: setup services
	$(BIN)/python -m bench.oversight_scale

# The forum at scale: page 1 of a 1,000-post thread against page 1 of a 10-post one.
bench-forum: setup
	$(BIN)/python bench/forum_scale.py
