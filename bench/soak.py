"""Soak: many sockets for a long time with turns running; errors and memory over time.

    .venv/bin/python bench/soak.py                          # 500 sockets, 10 minutes, both setups
    .venv/bin/python bench/soak.py --minutes 2 --sockets 500

Two setups, one after the other: one daphne process (in-memory channel layer), then two daphne
processes behind one redis-server (the sockets split between them). In each, `--sockets`
authenticated sockets stay open for `--minutes`; `--askers` of them ask a question again and again
(the scripted agent of bench/streaming_agent.py: 100 deltas at 50 per second, ~2 s a turn) and
check every turn ends with ASYNC_FINISH and the full text. Sockets open at `--connect-rate` per
second (a burst of hundreds at once overruns daphne's 5 s handshake timeout on one process: every
handshake waits for the one database thread). RSS of each daphne process is sampled
once a minute (and at the start and end). Reported: turns completed, errors (ASYNC_ERROR, a wrong
text, a socket closed by the server, a timeout), and the RSS samples. Not a test; results go in
docs/performance.md ("Soak").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from streaming import (  # noqa: E402
    Fixtures,
    Process,
    chat_url,
    daphne,
    frames_until_end,
    make_fixtures,
    open_socket,
    redis_server,
    rss_kb,
    setup_django,
)

TURN = json.dumps({"tokens": 100, "rate": 50})
EXPECTED = "tok " * 100


class Tally:
    def __init__(self) -> None:
        self.turns = 0
        self.errors: list[str] = []


async def connect_or_count(url: str, tally: Tally) -> ClientConnection | None:
    try:
        ws, _ = await open_socket(url)
    except Exception as exc:
        tally.errors.append(f"connect: {exc!r}")
        return None
    return ws


async def asker(url: str, until: float, tally: Tally) -> None:
    ws = await connect_or_count(url, tally)
    if ws is None:
        return
    try:
        while time.monotonic() < until:
            await ws.send(json.dumps({"query": TURN}))
            frames = await frames_until_end(ws)
            final = frames[-1]
            if final["type"] != "ASYNC_FINISH" or final["content"] != EXPECTED:
                tally.errors.append(f"turn ended {final['type']}: {str(final)[:200]}")
            else:
                tally.turns += 1
    except Exception as exc:
        tally.errors.append(f"asker: {exc!r}")
    finally:
        with contextlib.suppress(Exception):
            await ws.close()


async def idler(url: str, until: float, tally: Tally) -> None:
    ws = await connect_or_count(url, tally)
    if ws is None:
        return
    try:
        while time.monotonic() < until:
            with contextlib.suppress(asyncio.TimeoutError):
                frame = await asyncio.wait_for(
                    ws.recv(), timeout=min(30, until - time.monotonic() + 0.1)
                )
                tally.errors.append(f"idle socket got a frame: {str(frame)[:100]}")
        await ws.ping()
    except Exception as exc:
        tally.errors.append(f"idle socket: {exc!r}")
    finally:
        with contextlib.suppress(Exception):
            await ws.close()


async def soak(
    servers: list[Any], fixtures: Fixtures, options: argparse.Namespace
) -> dict[str, Any]:
    tally = Tally()
    start = time.monotonic()
    until = start + options.minutes * 60
    samples: list[dict[str, object]] = []

    async def sample_rss() -> None:
        while True:
            samples.append(
                {
                    "minute": round((time.monotonic() - start) / 60, 1),
                    "rss_mb": [round(rss_kb(s.pid) / 1024) for s in servers],
                }
            )
            if time.monotonic() >= until:
                return
            await asyncio.sleep(min(60, max(0.1, until - time.monotonic())))

    sampler = asyncio.create_task(sample_rss())
    tasks = []
    for index in range(options.sockets):
        server = servers[index % len(servers)]
        url = chat_url(server, fixtures)
        work = asker if index < options.askers else idler
        tasks.append(asyncio.create_task(work(url, until, tally)))
        await asyncio.sleep(1 / options.connect_rate)  # clients arrive, not all in one instant
    await asyncio.gather(*tasks)
    await sampler
    samples.append({"minute": "end", "rss_mb": [round(rss_kb(s.pid) / 1024) for s in servers]})
    return {
        "sockets": options.sockets,
        "askers": options.askers,
        "minutes": options.minutes,
        "turns_completed": tally.turns,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "rss": samples,
    }


def redis_url(redis: Process) -> str:
    return f"redis://127.0.0.1:{redis.port}/0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--askers", type=int, default=25)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--only", choices=["one", "two"], help="run one setup only")
    parser.add_argument("--code", type=Path, default=ROOT, help="serve another checkout (A/B)")
    parser.add_argument(
        "--connect-rate", type=float, default=25.0, help="new sockets per second while opening"
    )
    options = parser.parse_args()
    database_url = setup_django()
    fixtures = make_fixtures()
    log_dir = Path(tempfile.mkdtemp(prefix="oc-bench-soak-"))
    print(f"logs in {log_dir}", flush=True)
    if options.only in (None, "one"):
        with daphne(log_dir, database_url, 40, code=options.code) as server:
            print(
                "one process",
                json.dumps(asyncio.run(soak([server], fixtures, options))),
                flush=True,
            )
    if options.only in (None, "two"):
        with (
            redis_server(log_dir) as redis,
            daphne(log_dir, database_url, 40, redis_url(redis), options.code) as a,
            daphne(log_dir, database_url, 40, redis_url(redis), options.code) as b,
        ):
            result = asyncio.run(soak([a, b], fixtures, options))
            print("two processes + Redis", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
