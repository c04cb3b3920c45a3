"""Fixtures of the fault suite: a throwaway PostgreSQL and daphne processes on it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.websocket.servers import DaphneServer

from .postgres import ThrowawayPostgres


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    # Not under pytest's basetemp: concurrent pytest runs on this machine prune each other's.
    folder = Path(tempfile.mkdtemp(prefix="oc-faults-pg-"))
    server = ThrowawayPostgres(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def fault_world(postgres: ThrowawayPostgres) -> dict[str, Any]:
    return postgres.seed_world()


@pytest.fixture(scope="module")
def daphne_on_postgres(
    postgres: ThrowawayPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaphneServer]:
    server = DaphneServer(
        Path(tmp_path_factory.mktemp("daphne")),
        database_url=postgres.url,
        env={"OC_DB_POOL_TIMEOUT_SECONDS": "2"},
    ).start()
    yield server
    server.stop()
