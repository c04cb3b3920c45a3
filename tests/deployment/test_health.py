"""/healthz and /readyz (config/health.py), in process and against real daphne processes through
the probe the compose healthchecks run (config/health_probe.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from config import health
from config.websocket import shutdown
from tests.websocket.servers import DaphneServer, RedisServer, free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_migration_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_healthz_answers_for_any_host_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any database access would fail this test.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")  # not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_migrations_and_channel_layer_are(
    client: Client, fresh_migration_check: None
) -> None:
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "channel_layer": "ok", "process": "ok"},
    }


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_not_applied(
    client: Client, fresh_migration_check: None
) -> None:
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 not applied"


@pytest.mark.django_db
def test_readyz_is_503_while_the_process_shuts_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutdown, "_draining", True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["process"] == "shutting down"


@pytest.mark.django_db
def test_readyz_is_503_when_redis_does_not_answer(client: Client, settings: Any) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == "unreachable: ConnectionError"


def probe(path: str, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "config.health_probe", path, str(port)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.django_db(transaction=True)
def test_the_compose_healthcheck_probe_against_real_servers(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path).start()
    healthy = DaphneServer(tmp_path, redis.url, name="healthy")
    orphaned = DaphneServer(tmp_path, f"redis://127.0.0.1:{free_port()}/0", name="no-redis")
    try:
        healthy.start()
        orphaned.start()
        ready = probe("/readyz", healthy.port)
        assert ready.returncode == 0, ready.stdout + ready.stderr
        assert '"status": "ready"' in ready.stdout
        not_ready = probe("/readyz", orphaned.port)
        assert not_ready.returncode == 1
        assert "unreachable" in not_ready.stdout
        assert probe("/healthz", orphaned.port).returncode == 0  # alive, just not ready
    finally:
        healthy.stop()
        orphaned.stop()
        redis.stop()
    nobody = probe("/healthz", free_port())
    assert nobody.returncode == 1 and "Connection refused" in nobody.stderr
