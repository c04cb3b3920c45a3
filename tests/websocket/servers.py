"""Real servers for the socket tests: daphne subprocesses on free ports, and redis-server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO = Path(__file__).resolve().parents[2]
REDIS_SERVER_CANDIDATES = ("redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, within: float = 30
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}:\n{log.read_text()}")


def test_database_url() -> str:
    """The URL of the test database this pytest session created (for subprocesses)."""
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = quote(s["PASSWORD"] or "")
    host = s["HOST"] or ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    if host.startswith("/"):
        netloc = f"localhost{port}" if port else ""
        return f"postgresql://{user}:{password}@{netloc}/{s['NAME']}?host={quote(host)}"
    return f"postgresql://{user}:{password}@{host}{port}/{s['NAME']}"


class DaphneServer:
    """`daphne config.asgi:application` with scripted agents, on the test database."""

    def __init__(
        self,
        log_dir: Path,
        redis_url: str = "",
        name: str = "daphne",
        database_url: str = "",
        env: dict[str, str] | None = None,
        daphne_args: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.redis_url = redis_url
        self.database_url = database_url
        self.extra_env = env or {}
        self.log = log_dir / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.extra_env = env or {}
        self.daphne_args = daphne_args

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DaphneServer:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": self.database_url or test_database_url(),
            "REDIS_URL": self.redis_url,
            "OC_AGENT_FACTORY": "tests.websocket.scripted_agents.build_scripted_agent",
            "OC_CHECKPOINT_INTERVAL_SECONDS": "0.1",
            "PYTHONPATH": str(REPO),
            "LOG_LEVEL": "INFO",
            # stop() sends SIGTERM: a running turn gets this long (config/websocket/shutdown.py)
            "OC_SHUTDOWN_GRACE_SECONDS": "2",
            **self.extra_env,
        }
        daphne = Path(sys.executable).with_name("daphne")
        address = ["-b", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(daphne), *address, *self.daphne_args, "config.asgi:application"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.log)
        return self

    def kill_hard(self) -> None:
        """`kill -9`: no cleanup of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def sigterm(self) -> None:
        """What `docker compose stop` sends: the process drains, then exits by itself."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def wait_exit(self, within: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=within)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def redis_server_binary() -> str:
    for candidate in REDIS_SERVER_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise RuntimeError(
        "redis-server is not installed; `make test` installs it (make redis-server)."
    )


class RedisServer:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    redis_server_binary(),
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.log.parent),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
