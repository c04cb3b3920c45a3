"""Django setup shared by the benchmarks: each runs on a database of its own, never the dev one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django(database: str, fresh: bool = False) -> str:
    """Point Django at `database` (dropped and recreated when `fresh`), migrate it; its URL.

    The database lives on the embedded PostgreSQL of OC_PGDATA (default .pgdata/), or wherever
    BENCH_DATABASE_URL says.
    """
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        import psycopg
        from psycopg import sql

        from config.embedded_postgres import database_url

        pgdata = Path(os.environ.get("OC_PGDATA", ROOT / ".pgdata"))
        with psycopg.connect(database_url(pgdata, "postgres"), autocommit=True) as admin:
            name = sql.Identifier(database)
            if fresh:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if exists.fetchone() is None:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        os.environ["DATABASE_URL"] = database_url(pgdata, database=database)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]
