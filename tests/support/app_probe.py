"""Run a snippet of Python in a fresh interpreter that loads the project's production settings
without a database (none is needed to load the ASGI application: settling turns logs and goes
on), and return what it printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_app_probe(code: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "LOG_LEVEL": "CRITICAL",
        "OC_DB_POOL": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
