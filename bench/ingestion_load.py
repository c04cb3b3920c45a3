"""Ingestion under load: the server's memory and /api/me latency while a large upload ingests.

    .venv/bin/python bench/ingestion_load.py                       # a 20 MB text, this checkout
    .venv/bin/python bench/ingestion_load.py --mb 5 --shape nospace
    git archive COMMIT | tar -x -C /tmp/old && \\
      .venv/bin/python bench/ingestion_load.py --baseline /tmp/old  # the same, before and after

A real daphne subprocess (production settings: DEBUG off) on a database of its own. One user
uploads a text file through POST /api/documents; while the server ingests it, this script samples
the daphne process's RSS (/proc/<pid>/status, every 0.25 s) and calls GET /api/me one request
after another, timing each. It reports RSS before the upload, the peak during ingestion and the
RSS 5 s after it, the ingestion time, and /api/me latency (median, p95, max) before and during
ingestion. Shapes: `words` (one line of words, no paragraph breaks), `paragraphs`, `nospace`
(one 20 MB "word"). Not a test; results go in docs/performance.md ("Ingestion under load").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from streaming import SECRET_KEY, Process, free_port, rss_kb, setup_django  # noqa: E402

WORDS = [
    "tenant",
    "landlord",
    "shall",
    "pay",
    "rent",
    "notice",
    "terminate",
    "agreement",
    "premises",
    "deposit",
]


def make_text(shape: str, megabytes: float) -> bytes:
    size = int(megabytes * 1_000_000)
    rng = random.Random(7)
    if shape == "nospace":
        return b"x" * size
    out: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize()
        piece = sentence + (". " if shape == "words" else ".\n\n")
        out.append(piece)
        total += len(piece)
    return "".join(out).encode()[:size]


def multipart(data: bytes, name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def request(
    base: str, path: str, token: str, body: bytes | None = None, ctype: str = ""
) -> dict[str, Any]:
    req = urllib.request.Request(base + path, data=body, method="POST" if body else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if ctype:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=120) as response:
        answer: dict[str, Any] = json.loads(response.read() or b"{}")
        return answer


def run(code: Path, database_url: str, token: str, data: bytes, log_dir: Path) -> dict[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(log_dir / "media"),
        "PYTHONPATH": str(code),
        "LOG_LEVEL": "WARNING",
    }
    daphne = Path(sys.executable).with_name("daphne")
    args = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    server = Process(args, log_dir / f"daphne-{port}.log", port, env, cwd=code)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(20):
            request(base, "/api/me", token)
        before = _latencies(base, token, seconds=3)
        rss_before = rss_kb(server.pid)
        samples: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(rss_kb(server.pid))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        body, boundary = multipart(data, "big.txt")
        document = request(
            base, "/api/documents", token, body, f"multipart/form-data; boundary={boundary}"
        )
        during: list[float] = []
        status = "pending"
        while status == "pending":
            during += _latencies(base, token, seconds=1)
            status = request(base, f"/api/documents/{document['id']}", token)["status"]
        ingest_seconds = time.monotonic() - started
        time.sleep(5)
        done.set()
        sampler.join()
        return {
            "status": status,
            "ingest_seconds": round(ingest_seconds, 1),
            "rss_before_mb": round(rss_before / 1024),
            "rss_peak_mb": round(max(samples) / 1024),
            "rss_after_mb": round(rss_kb(server.pid) / 1024),
            "me_before_ms": _summary(before),
            "me_during_ms": _summary(during),
        }
    finally:
        server.stop()


def _latencies(base: str, token: str, seconds: float) -> list[float]:
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        request(base, "/api/me", token)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--shape", choices=["words", "paragraphs", "nospace"], default="words")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first")
    options = parser.parse_args()
    database_url = setup_django("opencontracts_bench_ingest", fresh=True)
    from opencontractserver.users.models import User
    from opencontractserver.users.tokens import issue_token

    user = User.objects.create_user("bench-ingest")
    token = issue_token(user).access
    data = make_text(options.shape, options.mb)
    log_dir = Path(tempfile.mkdtemp(prefix="oc-bench-ingest-"))
    print(f"{options.shape} text, {len(data) / 1e6:.1f} MB; logs in {log_dir}", flush=True)
    checkouts = [("baseline", options.baseline)] if options.baseline else []
    for label, code in [*checkouts, ("this checkout", ROOT)]:
        result = run(code, database_url, token, data, log_dir)
        print(label, json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
