"""Ingestion under load: the server's memory and /api/me latency while a large upload ingests.

    .venv/bin/python bench/ingestion_load.py                       # a 20 MB text, this checkout
    .venv/bin/python bench/ingestion_load.py --mb 5 --shape nospace
    .venv/bin/python bench/ingestion_load.py --shape pdf --pages 200  # a PDF of 200 dense pages
    git archive COMMIT | tar -x -C /tmp/old && \\
      .venv/bin/python bench/ingestion_load.py --baseline /tmp/old  # the same, before and after
    .venv/bin/python bench/ingestion_load.py --stalls /tmp/stalls   # py-spy dump at each stall
    .venv/bin/python bench/ingestion_load.py --warm --repeats 4    # the same upload 4 times

A real daphne subprocess (production settings: DEBUG off) on a database of its own. One user
uploads a text file through POST /api/documents; while the server ingests it, this script samples
the daphne process's RSS (/proc/<pid>/status, every 20 ms: the upload request lasts about a
second) and calls GET /api/me one request after another, timing each. It reports RSS before the
upload, the peak (also split: while the upload request ran, and after it) and the RSS 5 s after
ingestion, the ingestion time (and MB/s and passages/s from upload to ready), and
/api/me latency (median, p95, max) before and during
ingestion. Shapes: `words` (one line of words, no paragraph breaks), `paragraphs`, `nospace`
(one 20 MB "word"), `pdf` (`--pages` A4 pages of 60 lines of 14 words in 8-point type, made
with fpdf2: ~840 words and ~6,000 characters a page). With `--stalls DIR`, a watchdog runs
`py-spy dump` on daphne whenever one /api/me call has been waiting for `--stall-ms`, so a stall
shows what every thread was doing; the dumps go to DIR (the first lines are printed). Not a
`--repeats N` uploads the same file N times to the one server (RSS before, at the peak and 5 s
after each: does memory plateau or grow?); `--warm` first ingests a 10 KB text, so the embedder,
which loads on first use and stays, is in memory before the measured uploads. Not a
test; results go in docs/performance.md ("Ingestion under load").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
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

from streaming import PRODUCTION_ENV, Process, free_port, rss_kb, setup_django  # noqa: E402

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


def make_pdf(pages: int) -> bytes:
    """Many dense pages: the shape that made pdfplumber's per-page caches add up."""
    from fpdf import FPDF

    rng = random.Random(7)
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=8)
    pdf.set_auto_page_break(auto=False)
    for _ in range(pages):
        pdf.add_page()
        for line in range(60):
            words = " ".join(rng.choice(WORDS) for _ in range(14))
            pdf.text(40, 40 + line * 12.5, words + ("." if line % 6 == 5 else ""))
    return bytes(pdf.output())


def multipart(data: bytes, name: str, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
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


class StallWatch:
    """Runs `py-spy dump` on the server while an /api/me call has waited `threshold` seconds
    (once per call), keeping each dump; the latency loop marks calls with `started`/`ended`."""

    def __init__(self, pid: int, out_dir: Path | None, threshold: float) -> None:
        self.pid, self.out_dir, self.threshold = pid, out_dir, threshold
        self.dumps: list[Path] = []
        self._since: float | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            self._thread.start()

    def started(self) -> None:
        self._since = time.monotonic()

    def ended(self) -> None:
        self._since = None

    def stop(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        spy = Path(sys.executable).with_name("py-spy")
        dumped_for: float | None = None
        while not self._done.wait(0.02):
            since = self._since
            if since is None or since == dumped_for or time.monotonic() - since < self.threshold:
                continue
            dumped_for = since
            assert self.out_dir is not None
            out = self.out_dir / f"stall-{self.pid}-{len(self.dumps)}.txt"
            waited = time.monotonic() - since
            dump = subprocess.run(
                [str(spy), "dump", "--pid", str(self.pid), "--native"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            out.write_text(f"/api/me waiting {waited:.2f} s\n{dump.stdout}{dump.stderr}")
            self.dumps.append(out)


def run(
    code: Path,
    database_url: str,
    token: str,
    upload: tuple[bytes, str, str],
    log_dir: Path,
    stalls: Path | None = None,
    stall_ms: float = 1000,
    repeats: int = 1,
    warm: bool = False,
) -> list[dict[str, Any]]:
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(log_dir / "media"),
        "PYTHONPATH": str(code),
    }
    daphne = Path(sys.executable).with_name("daphne")
    args = [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    server = Process(args, log_dir / f"daphne-{port}.log", port, env, cwd=code)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(20):
            request(base, "/api/me", token)
        before = _latencies(base, token, seconds=3)
        if warm:
            _warm_up(base, token, server.pid)
        results = []
        for _ in range(repeats):
            result = _ingest_once(base, server.pid, token, upload, before, stalls, stall_ms)
            results.append(result)
            if repeats > 1:
                print(json.dumps(result), flush=True)
        return results
    finally:
        server.stop()


def _warm_up(base: str, token: str, pid: int) -> None:
    """Ingest a small text first: the embedder (WordLlama by default: numpy, its tokenizer and a
    ~32 MB matrix) loads on first use and stays for the life of the process; without this, the
    first measured upload's "kept" memory is mostly the model."""
    rss_before = rss_kb(pid)
    body, boundary = multipart(make_text("words", 0.01), "warm.txt", "text/plain")
    ctype = f"multipart/form-data; boundary={boundary}"
    document = request(base, "/api/documents", token, body, ctype)
    while request(base, f"/api/documents/{document['id']}", token)["status"] == "pending":
        time.sleep(0.2)
    time.sleep(2)
    print(
        f"warm-up (10 KB text, the embedder loaded): RSS {round(rss_before / 1024)} -> "
        f"{round(rss_kb(pid) / 1024)} MB",
        flush=True,
    )


def _ingest_once(
    base: str,
    pid: int,
    token: str,
    upload: tuple[bytes, str, str],
    before: list[float],
    stalls: Path | None,
    stall_ms: float,
) -> dict[str, Any]:
    watch = StallWatch(pid, stalls, stall_ms / 1000)
    rss_before = rss_kb(pid)
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    data, name, content_type = upload
    body, boundary = multipart(data, name, content_type)
    document = request(
        base, "/api/documents", token, body, f"multipart/form-data; boundary={boundary}"
    )
    uploaded = len(samples)  # samples taken while the upload request ran
    del body
    during: list[float] = []
    status = "pending"
    while status == "pending":
        during += _latencies(base, token, seconds=1, watch=watch)
        status = request(base, f"/api/documents/{document['id']}", token)["status"]
    ingest_seconds = time.monotonic() - started
    watch.stop()
    passages = request(base, f"/api/documents/{document['id']}/annotations?page_size=1", token)
    time.sleep(5)
    done.set()
    sampler.join()
    return {
        "status": status,
        "ingest_seconds": round(ingest_seconds, 1),
        "passages": passages["count"],
        "mb_per_s": round(len(data) / 1e6 / ingest_seconds, 3),
        "passages_per_s": round(passages["count"] / ingest_seconds),
        "rss_before_mb": round(rss_before / 1024),
        "rss_peak_mb": round(max(samples) / 1024),
        "rss_peak_upload_mb": round(max(samples[: uploaded + 1]) / 1024),
        "rss_peak_ingestion_mb": round(max(samples[uploaded:]) / 1024),
        "rss_after_mb": round(rss_kb(pid) / 1024),
        "rss_after_anonymous_mb": round(_rollup_kb(pid, "Anonymous") / 1024),
        "rss_after_file_mb": round(
            _rollup_kb(pid, "Rss") / 1024 - _rollup_kb(pid, "Anonymous") / 1024
        ),
        "me_before_ms": _summary(before),
        "me_during_ms": _summary(during),
        "stall_dumps": [str(path) for path in watch.dumps],
    }


def _rollup_kb(pid: int, field: str) -> int:
    """A field of /proc/<pid>/smaps_rollup (Anonymous: the heap; the rest of Rss is files)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _latencies(
    base: str, token: str, seconds: float, watch: StallWatch | None = None
) -> list[float]:
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        if watch is not None:
            watch.started()
        request(base, "/api/me", token)
        if watch is not None:
            watch.ended()
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


def _repeat_table(results: list[dict[str, Any]]) -> str:
    """RSS before, at the peak and 5 s after each repeat, in MB, one line each."""
    lines = ["repeat  before  peak  after (anonymous)  seconds"]
    for number, result in enumerate(results, 1):
        lines.append(
            f"{number:>6}  {result['rss_before_mb']:>6}  {result['rss_peak_mb']:>4}  "
            f"{result['rss_after_mb']:>5} ({result['rss_after_anonymous_mb']})  "
            f"{result['ingest_seconds']:>7}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument(
        "--shape", choices=["words", "paragraphs", "nospace", "pdf"], default="words"
    )
    parser.add_argument("--pages", type=int, default=200, help="pages of the pdf shape")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first")
    parser.add_argument("--stalls", type=Path, help="py-spy dump each stall into this folder")
    parser.add_argument("--stall-ms", type=float, default=1000.0)
    parser.add_argument(
        "--repeats", type=int, default=1, help="uploads of the same file, one after another"
    )
    parser.add_argument(
        "--warm", action="store_true", help="ingest a small text first (loads the embedder)"
    )
    options = parser.parse_args()
    database_url = setup_django("opencontracts_bench_ingest", fresh=True)
    from opencontractserver.users.models import User
    from opencontractserver.users.tokens import issue_token

    user = User.objects.create_user("bench-ingest")
    token = issue_token(user).access
    if options.shape == "pdf":
        upload = (make_pdf(options.pages), "big.pdf", "application/pdf")
        shown = f"pdf, {options.pages} pages"
    else:
        upload = (make_text(options.shape, options.mb), "big.txt", "text/plain")
        shown = f"{options.shape} text"
    log_dir = Path(tempfile.mkdtemp(prefix="oc-bench-ingest-"))
    print(f"{shown}, {len(upload[0]) / 1e6:.1f} MB; logs in {log_dir}", flush=True)
    checkouts = [("baseline", options.baseline)] if options.baseline else []
    for label, code in [*checkouts, ("this checkout", ROOT)]:
        stalls = options.stalls / label.replace(" ", "-") if options.stalls else None
        results = run(
            code,
            database_url,
            token,
            upload,
            log_dir,
            stalls,
            options.stall_ms,
            options.repeats,
            options.warm,
        )
        for result in results if options.repeats == 1 else []:
            print(label, json.dumps(result), flush=True)
            for path in result["stall_dumps"][:3]:
                print(f"--- {path}\n" + "\n".join(Path(path).read_text().splitlines()[:40]))
        if options.repeats > 1:
            print(label, _repeat_table(results), flush=True)


if __name__ == "__main__":
    main()
