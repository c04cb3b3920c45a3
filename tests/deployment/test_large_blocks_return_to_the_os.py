"""Issue 13 defect 6 (memory kept after each repeated upload): after a large block is freed,
later large blocks still go back to the OS when freed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "1")
import django
django.setup()
from opencontractserver.documents.ingestion.memory import keep_large_blocks_mapped
if sys.argv[1] == "fixed":
    keep_large_blocks_mapped()

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

upload = bytearray(20_000_000)  # a 20 MB upload, freed: glibc may raise its threshold to 20 MB
del upload
before = rss_mb()
blocks = [bytearray(4_000_000) for _ in range(8)]  # 32 MB in blocks under 20 MB
del blocks
print(rss_mb() - before)
"""


def kept_mb(mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return float(result.stdout)


def test_freed_large_blocks_leave_the_process() -> None:
    assert kept_mb("fixed") < 5
    assert kept_mb("default") > 25  # what glibc does otherwise (the reason for the setting)
