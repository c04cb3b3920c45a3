"""A PostgreSQL backend that starts the embedded server (config/embedded_postgres.py) on its
first connection, not when settings are imported: `manage.py check`, mypy's Django plugin and
anything else that only reads settings never start a database. It is otherwise the project's
PostgreSQL backend (config/postgres_backend/: a pool that survives a server restart)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.database import parse_database_url
from config.embedded_postgres import database_url
from config.postgres_backend import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        """Connection parameters of the embedded server (started, with the project's database
        created, on first use); `NAME` stays what Django asks for (the test database in tests)."""
        embedded = self.settings_dict["EMBEDDED"]
        started = parse_database_url(database_url(Path(embedded["PGDATA"]), embedded["DATABASE"]))
        for key in ("USER", "PASSWORD", "HOST", "PORT"):
            self.settings_dict[key] = started[key]
        params: dict[str, Any] = super().get_connection_params()
        return params
