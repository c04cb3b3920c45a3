# Canonical entry points. `make run` serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test lint format typecheck pytest migrate seed clean redis-server protocol \
	node-check frontend frontend-check e2e chromium api-types

## List the targets and what they do
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z][a-z-]*:/{if (doc) printf "  %-14s %s\n", substr($$1,1,length($$1)-1), doc; doc=""}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

## Create .venv and install the project with its dev tools
setup: $(INSTALLED)

## Apply the database migrations
migrate: setup
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

## Seed the demo user, corpus and documents (idempotent)
seed: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

## Set everything up, seed the demo and serve it on http://$(HOST):$(PORT)
run: seed frontend
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-1} $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

## ruff lint and format check (what `make test` runs)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Fix what ruff can fix and format the Python code
format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## mypy --strict (pydantic and django-stubs plugins; loading settings starts no database)
typecheck: setup
	$(BIN)/mypy .

## Run the tests (PYTEST_ARGS=... to select)
pytest: setup
	$(BIN)/pytest $(PYTEST_ARGS)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

## Install redis-server when missing (the multi-process WebSocket tests start their own)
redis-server:
	@command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || \
		( $(SUDO) apt-get install -y -qq redis-server >/dev/null 2>&1 || \
		  ( $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server ) )

## Regenerate frontend/src/types/protocol.ts and protocol.schema.json from config/websocket/protocol.py
protocol: setup
	$(BIN)/python -m config.websocket.protocol_export

# --- The browser app (frontend/) -----------------------------------------------------------
FRONTEND_INSTALLED := frontend/node_modules/.installed

node-check:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
		echo "The browser app needs Node.js 20 or newer with npm, and they are not installed."; \
		echo "Install them (Debian/Ubuntu: sudo apt-get install nodejs npm; or https://nodejs.org)"; \
		echo "and run make again."; exit 1; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { \
		echo "Node.js $$(node --version) is too old for the browser app: install Node.js 20+."; exit 1; }

$(FRONTEND_INSTALLED): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Build the browser app into frontend/dist (daphne serves it; make run does this)
frontend: node-check $(FRONTEND_INSTALLED)
	cd frontend && npm run --silent build

## tsc, eslint, the generated API types' drift check and the unit tests (Vitest)
frontend-check: node-check $(FRONTEND_INSTALLED)
	cd frontend && npm run --silent typecheck
	cd frontend && npm run --silent lint
	cd frontend && npm run --silent check:api
	cd frontend && npm run --silent test

## Install Debian's Chromium when missing (the browser tests drive it; never Playwright's download)
chromium:
	@[ -x /usr/bin/chromium ] || ( $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null )

## Browser tests (Playwright in Debian's Chromium against the real daphne and embedded PostgreSQL)
e2e: setup frontend chromium
	cd frontend && npm run --silent e2e

## Regenerate frontend/src/types/openapi.json and api.ts from the HTTP API
api-types: setup node-check $(FRONTEND_INSTALLED)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py export_openapi_schema \
		--api opencontractserver.api.api.api --output frontend/src/types/openapi.json \
		--indent 2 --sorted
	cd frontend && npm run --silent gen:api

## Set everything up and run every check and test
test: lint typecheck redis-server pytest frontend-check e2e

## Remove the venv, the embedded database and caches
clean:
	rm -rf $(VENV) .pgdata .pytest_cache .mypy_cache .ruff_cache staticfiles \
		frontend/node_modules frontend/dist frontend/test-results frontend/playwright-report
