#!/usr/bin/env bash
# The real product for the browser tests: a fresh embedded PostgreSQL (its own data folder, so a
# developer's .pgdata is never touched), migrations, the demo data, and daphne serving the built app,
# the API and the WebSockets on one port. Playwright starts this (playwright.config.ts webServer)
# and stops it after the run; the embedded server stops with daphne. Everything the server prints
# goes to $OC_E2E_DATA/server.log (not the test output); e2e/server-log.ts reports its errors.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset DATABASE_URL REDIS_URL
export DEBUG=1
export OC_PGDATA="${OC_E2E_DATA:?}/pgdata"
export MEDIA_ROOT="${OC_E2E_DATA}/media"
# The browser tests search with the deterministic offline embedder, as the Python tests do.
export OC_EMBEDDER="${OC_EMBEDDER:-offline}"
LOG="${OC_E2E_DATA}/server.log"
rm -rf "$OC_PGDATA" "$OC_PGDATA-run" "$MEDIA_ROOT" "$LOG"
echo "e2e server: http://127.0.0.1:${OC_E2E_PORT:?} (log: $LOG)"
.venv/bin/python manage.py migrate --noinput -v 0 >>"$LOG" 2>&1
.venv/bin/python manage.py seed_demo >>"$LOG" 2>&1
exec .venv/bin/daphne -b 127.0.0.1 -p "${OC_E2E_PORT}" config.asgi:application >>"$LOG" 2>&1
