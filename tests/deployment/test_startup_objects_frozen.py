"""Issue 13 defect 6 (requests starved while a large file ingested: /api/me took 5.4 s): the
served process hides its startup objects from the garbage collector (gc.freeze)."""

from __future__ import annotations

from tests.support.app_probe import run_app_probe

PROBE = """
import gc
import config.asgi
frozen = gc.get_freeze_count()
print(frozen, len(gc.get_objects()))
"""


def test_loading_the_asgi_application_freezes_what_it_loaded() -> None:
    frozen, still_tracked = (int(n) for n in run_app_probe(PROBE).split())
    # what a full collection walks is only what was made after startup
    assert frozen > 50_000
    assert still_tracked < frozen / 10
