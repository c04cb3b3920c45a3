# Canonical entry points. `make run` serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck pytest migrate seed clean redis-server protocol

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)

migrate: setup
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

## Set everything up, seed the demo and serve it on http://$(HOST):$(PORT)
run: seed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-1} $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	# The django-stubs plugin loads settings: give it a URL so it does not start the embedded
	# Postgres (mypy exits without running atexit, which would leave that server running).
	DATABASE_URL=postgresql://mypy@127.0.0.1:1/unused $(BIN)/mypy .

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

## Set everything up and run every check and test
test: lint typecheck redis-server pytest

clean:
	rm -rf $(VENV) .pgdata .pytest_cache .mypy_cache .ruff_cache staticfiles
