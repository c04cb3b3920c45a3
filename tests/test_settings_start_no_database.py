"""Importing settings (as mypy's Django plugin and `manage.py check` do) starts no database: the
embedded PostgreSQL starts on the first connection (config/embedded_db/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import django
django.setup()
from django.conf import settings
from config import embedded_postgres
assert settings.DATABASES["default"]["ENGINE"] == "config.embedded_db"
print(len(embedded_postgres._servers))
"""


def test_loading_settings_and_apps_leaves_the_embedded_server_unstarted(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", OC_PGDATA=str(pgdata), DEBUG="1")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    assert not pgdata.exists()
