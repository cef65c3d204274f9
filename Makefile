# Góp Ý: `make run` to try it, `make test` to check it. Everything sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: lock setup run test lint architecture test-cluster test-sqlite test-postgres test-e2e services system-packages assets translations migrate demo clean bench bench-quick bench-2g bench-cluster bench-api bench-oversight bench-forum-search

# Python 3.11 or newer (Debian 12 ships 3.11); README says why not 3.12 yet.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Góp Ý needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." \
	       "Install python3 (Debian 12: apt-get install python3 python3-venv) or run make PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every package, indirect ones too, at the version and hash in the lock files.
$(VENV)/.requirements: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# After editing requirements.txt or requirements-dev.txt: pin and hash again (uv resolves;
# pip installs). UPGRADE=1 moves every pin to the newest release the ranges allow.
LOCK_FLAGS = --quiet --generate-hashes --python-version 3.11 $(if $(UPGRADE),--upgrade)
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements.txt -o requirements.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements-dev.txt -o requirements-dev.lock

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
# The worker (retries, reminders, statistics, open data) runs beside it and stops with it;
# links in e-mail and SMS point at this port unless PUBLIC_BASE_URL says otherwise.
run: demo
	@echo "Góp Ý: http://127.0.0.1:$(PORT)"
	export PUBLIC_BASE_URL=$(or $(PUBLIC_BASE_URL),http://127.0.0.1:$(PORT)); \
	  $(BIN)/flask notify worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  GUNICORN_BIND=127.0.0.1:$(PORT) GUNICORN_WORKERS=2 LOG_FORMAT=$(or $(LOG_FORMAT),text) \
	  $(BIN)/gunicorn --config deploy/gunicorn.conf.py wsgi:app

# Debian packages the tests need: Chromium for the browser tests, gettext for msgfmt,
# w3m for the text-browser test, wrk for the benchmark's load, nginx with Debian's brotli
# modules and openssl for the production-shape tests (make test-cluster).
system-packages:
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v w3m >/dev/null && command -v wrk >/dev/null \
	  && command -v nginx >/dev/null && [ -e /etc/nginx/modules-enabled/50-mod-http-brotli-static.conf ] || { \
	  [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium gettext w3m wrk \
	    nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static openssl >/dev/null; }

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

# Production shape (tests/cluster): docs/deploy.md followed from an empty PostgreSQL role to
# /readyz, then nginx (deploy/nginx.conf) in front of two gunicorn nodes, the RQ worker, a
# database and a Redis of their own: shared files, sessions and limits, a node killed mid-load.
test-cluster: setup system-packages services
	GOPY_CLUSTER=1 $(BIN)/pytest -q -p no:cacheprovider tests/cluster

# The background work, in one process: with REDIS_URL set it delivers e-mail and SMS through
# RQ (plain `rq worker gopy-notify` with FLASK_APP set works too, without the periodic jobs);
# with or without it, it runs the periodic jobs of app/schedule.py: the outbox sweep (every
# 30 s, the retries), `flask stats refresh` every 15 minutes, `flask desk reminders` daily and
# `flask opendata dump` nightly. No cron: one worker per site.
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

# The API's req/s for lists and single submissions next to the HTML pages (docs/benchmarks.md).
bench-api: setup system-packages services
	$(BIN)/python -m bench.api $(if $(QUICK),--quick)

bench-2g: setup system-packages
	$(BIN)/python -m bench.two_g $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) node_modules app/static/js instance

# The production shape (nginx, two gunicorn nodes, PostgreSQL with the demo data) against
# one node alone: req/s and p50/p99 side by side (bench/cluster.py).
bench-cluster: setup system-packages services
	$(BIN)/python -m bench.cluster

# Statistics and open data at scale: 10k and 1M submissions on PostgreSQL (docs/benchmarks.md).
bench-oversight: setup services
	$(BIN)/python -m bench.oversight_scale

# The forum at scale: page 1 of a 1,000-post thread against page 1 of a 10-post one.
bench-forum: setup
	$(BIN)/python bench/forum_scale.py

# Forum search at 1M posts on PostgreSQL, without and with the trigram indexes (bench/forum_search.py).
# POSTS=100000 for a shorter run.
bench-forum-search: setup services
	$(BIN)/python -m bench.forum_search $(if $(POSTS),--posts $(POSTS))
