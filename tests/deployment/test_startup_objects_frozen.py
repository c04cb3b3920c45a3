"""Issue 13 defect 6 (requests starved while a large file ingested: /api/me took 5.4 s): the
served process hides its startup objects from the garbage collector (gc.freeze)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
import config.asgi
frozen = gc.get_freeze_count()
print(frozen, len(gc.get_objects()))
"""


def test_loading_the_asgi_application_freezes_what_it_loaded() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        # no database is needed to load the application (settling turns logs and goes on)
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
        "LOG_LEVEL": "CRITICAL",
        "OC_DB_POOL": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, still_tracked = (int(n) for n in result.stdout.split())
    # what a full collection walks is only what was made after startup
    assert frozen > 50_000
    assert still_tracked < frozen / 10
