"""Streaming under load: N concurrent conversations on one server, against two bare baselines.

    .venv/bin/python bench/concurrency.py                       # N = 1, 50, 200, 500; burst 50
    .venv/bin/python bench/concurrency.py --sizes 200 --rounds 1 --systems ours,B
    .venv/bin/python bench/concurrency.py --redis 1000          # also two processes on Redis
    git archive COMMIT | tar -x -C /tmp/old && .venv/bin/python bench/concurrency.py \
        --systems before,ours,B,C --baseline /tmp/old             # COMMIT's server in the same run

Systems, all served on this machine in the same run, rounds interleaved (ours, B, C, ours, ...)
so all see the same load:
- **ours**: daphne serving config.asgi with production settings and the scripted agent of
  bench/streaming_agent.py (stamped deltas); each socket opens its own conversation (created
  beforehand for the bench user) and asks once.
- **B**: a bare Channels AsyncWebsocketConsumer on daphne, one frame per delta, no database.
- **C**: a bare `websockets` server doing the same (bench/baseline_servers.py).
- **before** (with `--baseline DIR`): ours, served from another checkout (e.g. an older commit).
- **ours-Nt** (system names like `ours-2t`): ours with N database threads (OC_TURN_DB_THREADS),
  to measure how many threads serve the loop best, in the same run.

Every delta carries its emit time (bench/pacing.py). The load client runs in separate processes
(`--clients`, default 2; this file with `--worker`), opens all N sockets first, then every socket
sends its query at once. Per delta: latency = receipt of the frame carrying it - its emit time; per
frame: receipt - the newest delta in the frame (the coalescing wait is not counted); first content:
from sending the query to the first ASYNC_CONTENT; last content to end: from a turn's last
ASYNC_CONTENT to its ASYNC_FINISH (the final write, which that frame waits for); deltas/s: the
deltas delivered over the time from the queries to the last turn's end as the clients saw it (before
this was measured in the client, it also counted the clients' reports and the sockets' closing
handshakes). A turn that does not end within `--timeout` seconds counts as an error. Server CPU (all
threads, /proc) and RSS are read around the streaming part of each round, so CPU per 1 000 deltas
excludes connecting.

With `--redis N`: N/2 conversations, each with its asking socket on one of two daphne processes
and a second socket on the other one, so every frame crosses processes through Redis.

At the end, "pacing alone" is the CPU per 1 000 deltas of the delta schedule itself (one sleep
per delta) run in this process with nothing sent: every system pays it.

Runs against its own database (`opencontracts_bench_load`). Not a test; results go in
docs/performance.md ("Streaming under load").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

TERMINAL = ("ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED")
# Each client process opens its sockets this many at a time, each batch once the previous one got
# SYNC_STATE (a ramp: connecting is not what is measured here; a storm of 500 handshakes once
# queued behind Channels' one database thread past daphne's 5 s handshake timeout).
CONNECT_BATCH = 25


# --- the load client (one process of it) ------------------------------------------------------


async def _one_socket(
    url: str,
    query: str,
    go: asyncio.Event,
    out: dict[str, list[float]],
    errors: list[str],
    limit: float,
    asks: bool,
    ready: asyncio.Semaphore,
) -> None:
    from websockets.asyncio.client import connect

    try:
        ws = await connect(url, open_timeout=60, max_size=None, compression=None)
    except Exception as exc:
        errors.append(f"connect: {exc!r}")
        ready.release()
        return
    try:
        first = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
        if first.get("type") != "SYNC_STATE":
            errors.append(f"expected SYNC_STATE: {first}")
            return
        ready.release()
        await go.wait()
        sent = time.time()
        if asks:
            await ws.send(json.dumps({"query": query}))
        deadline = sent + limit
        got_first = False
        last_content = sent
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                errors.append("timeout")
                return
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=remaining)
            except TimeoutError:
                errors.append("timeout")
                return
            now = time.time()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ASYNC_CONTENT":
                stamps = [float(s) for s in frame["content"].split(";") if s]
                out["delta"].extend(now - s for s in stamps)
                out["frame"].append(now - stamps[-1])
                last_content = now
                if not got_first and asks:
                    out["first"].append(now - sent)
                got_first = True
            elif kind in TERMINAL:
                out["ended"].append(now)
                out["tail"].append(now - last_content)
                if kind != "ASYNC_FINISH":
                    errors.append(f"{kind}: {frame.get('data')}")
                else:
                    out["finished"].append(float(frame["content"].count(";")))
                return
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        with contextlib.suppress(Exception):
            await ws.close()


async def _worker(spec: dict[str, object]) -> None:
    urls = [(str(u), bool(a)) for u, a in spec["sockets"]]  # type: ignore[attr-defined]
    out: dict[str, list[float]] = {
        "delta": [],
        "frame": [],
        "first": [],
        "finished": [],
        "ended": [],
        "tail": [],
    }
    errors: list[str] = []
    go = asyncio.Event()
    ready = asyncio.Semaphore(0)
    tasks = []
    for i, (url, asks) in enumerate(urls):
        tasks.append(
            asyncio.create_task(
                _one_socket(
                    url,
                    str(spec["query"]),
                    go,
                    out,
                    errors,
                    float(str(spec["timeout"])),
                    asks,
                    ready,
                )
            )
        )
        if i % CONNECT_BATCH == CONNECT_BATCH - 1:  # a ramp, not a connection storm
            for _ in range(CONNECT_BATCH):
                await ready.acquire()
    for _ in range(len(urls) % CONNECT_BATCH):
        await ready.acquire()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    go.set()
    await asyncio.gather(*tasks)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps({"out": out, "errors": errors, "cpu": usage.ru_utime + usage.ru_stime}),
        flush=True,
    )


# --- the controller ---------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    pids: list[int]
    urls: list[str]  # one per process; for ours the base of a conversation URL


@dataclass
class Result:
    system: str
    n: int
    mode: str
    delta: list[float] = field(default_factory=list)
    frame: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    tail: list[float] = field(default_factory=list)
    delivered: int = 0
    expected: int = 0
    seconds: float = 0.0
    errors: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    rss_before: int = 0
    rss_after: int = 0
    frames: int = 0


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def make_conversations(count: int) -> tuple[str, int, list[int]]:
    from opencontractserver.conversations.models import Conversation
    from opencontractserver.documents.models import Document
    from opencontractserver.users.models import User
    from opencontractserver.users.tokens import issue_token

    user, _ = User.objects.get_or_create(username="bench-load")
    document, _ = Document.objects.get_or_create(
        title="Bench load document",
        creator=user,
        defaults={"text": "A short lease.", "status": "ready"},
    )
    conversations = Conversation.objects.bulk_create(
        [Conversation(creator=user, chat_with_document=document) for _ in range(count)]
    )
    token = issue_token(user, ttl_seconds=6 * 3600).access
    return token, document.pk, [c.pk for c in conversations]


def profile_summary(path: Path, top: int = 12) -> str:
    """Shares of busy samples (py-spy --format raw --threads): per thread, then the frames found
    most often anywhere on the stack (inclusive), for project, Channels and daphne code."""
    threads: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        threads[frames[0]] = threads.get(frames[0], 0) + count
        for name in {f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] for f in frames[1:]}:
            wanted = ("config/", "opencontractserver/", "channels/", "daphne/")
            if any(k in name for k in wanted) and "cli.py" not in name and "Server.run" not in name:
                inclusive[name] = inclusive.get(name, 0) + count
    if not total:
        return "    (no samples)"
    lines = [f"    {total} busy samples"]
    for name, count in sorted(threads.items(), key=lambda kv: -kv[1])[:4]:
        lines.append(f"    thread {name}: {count / total:.0%}")
    for name, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"    {count / total:5.1%}  {name}")
    return "\n".join(lines)


def run_round(
    server: Server,
    n: int,
    mode: str,
    tokens: int,
    rate: float,
    clients: int,
    timeout: float,
    cross: bool = False,
    profile: Path | None = None,
) -> Result:
    from streaming import cpu_seconds, rss_kb

    query = json.dumps({"tokens": tokens, "rate": rate, "stamp": True})
    sockets: list[tuple[str, bool]] = []
    if server.name.startswith("ours") or server.name == "before":  # (ours-Nt, ours-redis too)
        conversations = n // 2 if cross else n
        token, document_id, ids = make_conversations(conversations)
        for i, cid in enumerate(ids):
            base = server.urls[i % len(server.urls)]
            url = f"{base}/ws/document/{document_id}/query/?token={token}"
            url += f"&load_from_conversation_id={cid}"
            sockets.append((url, True))
            if cross:
                other = server.urls[(i + 1) % len(server.urls)]
                sockets.append((url.replace(base, other, 1), False))
    else:
        sockets = [(server.urls[0], True) for _ in range(n)]
    shares = [sockets[i::clients] for i in range(clients) if sockets[i::clients]]
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in shares
    ]
    for worker, share in zip(workers, shares, strict=True):
        assert worker.stdin is not None
        worker.stdin.write(json.dumps({"sockets": share, "query": query, "timeout": timeout}))
        worker.stdin.write("\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"worker failed: {line!r}")
    time.sleep(0.5)
    result = Result(server.name, n, mode, expected=tokens * n)
    result.rss_before = sum(rss_kb(p) for p in server.pids)
    cpu_before = sum(cpu_seconds(p) for p in server.pids)
    spies = []
    if profile is not None and server.name != "B" and server.name != "C":
        seconds = int(tokens / rate) + 2 if rate else 3
        spy = Path(sys.executable).with_name("py-spy")
        for pid in server.pids:
            out = profile / f"{server.name}-{n}-{mode}-{pid}.txt"
            spies.append(
                (
                    out,
                    subprocess.Popen(
                        [
                            str(spy),
                            "record",
                            "--pid",
                            str(pid),
                            "--duration",
                            str(seconds),
                            "--rate",
                            "100",
                            "--format",
                            "raw",
                            "--threads",
                            "--nonblocking",
                            "--output",
                            str(out),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            )
        time.sleep(1.0)
    started = time.time()
    ended: list[float] = []
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdout is not None
        report = json.loads(worker.stdout.readline())
        worker.wait(timeout=60)
        out = report["out"]
        ended += out["ended"]
        result.delta += out["delta"]
        result.frame += out["frame"]
        result.first += out["first"]
        result.tail += out["tail"]
        result.errors += len(report["errors"])
        result.client_cpu += report["cpu"]
        if report["errors"]:
            print(f"    {server.name}: errors e.g. {report['errors'][:2]}", file=sys.stderr)
    # From the queries to the last turn's end as the clients saw it (not their reporting, nor
    # the sockets' closing handshakes after it).
    result.seconds = max(ended, default=time.time()) - started
    result.server_cpu = sum(cpu_seconds(p) for p in server.pids) - cpu_before
    result.rss_after = sum(rss_kb(p) for p in server.pids)
    for out, spy_process in spies:
        spy_process.wait(timeout=60)
        if out.exists():
            print(f"  profile of {server.name} N={n} {mode}:\n{profile_summary(out)}", flush=True)
    result.frames = len(result.frame)
    # Deltas that reached an asking socket (watchers of --redis rounds count separately).
    result.delivered = len(result.delta)
    if cross:
        result.expected = tokens * n
    return result


def _spread(values: list[float]) -> str:
    """p50 / p99 / max in milliseconds."""
    top = max(values, default=float("nan"))
    return f"{pct(values, 50) * 1000:.1f} / {pct(values, 99) * 1000:.1f} / {top * 1000:.0f}"


def row(r: Result, ideal_seconds: float) -> str:
    rate = r.delivered / max(r.seconds, ideal_seconds)
    per_k = r.server_cpu * 1000 / max(r.delivered / 1000, 1e-9)
    first = f"{pct(r.first, 50) * 1000:.0f} / {pct(r.first, 99) * 1000:.0f}"
    tail = f"{pct(r.tail, 50) * 1000:.0f} / {pct(r.tail, 99) * 1000:.0f}"
    share = r.delivered / max(r.expected, 1)
    return (
        f"| {r.system} | {r.n} | {r.mode} | {_spread(r.delta)} | {_spread(r.frame)} | {first} | "
        f"{tail} | "
        f"{rate:,.0f} ({share:.1%}) | {r.frames:,} | {r.errors} | {per_k:.0f} ms | "
        f"{r.client_cpu:.1f} s | {r.rss_before / 1024:.0f} → {r.rss_after / 1024:.0f} MB |"
    )


HEADER = (
    "| system | N | case | delta p50 / p99 / max (ms) | frame p50 / p99 / max (ms) | "
    "first content p50 / p99 (ms) | last content to end p50 / p99 (ms) | "
    "deltas/s (delivered) | frames | errors | "
    "server CPU / 1 000 deltas | client CPU | RSS before → after |\n"
    "|---|---:|---|---|---|---|---|---:|---:|---:|---:|---:|---|"
)


@contextlib.contextmanager
def servers(
    names: list[str], log_dir: Path, database_url: str, redis_procs: int, baseline: str
) -> Iterator[dict[str, Server]]:
    from streaming import Process, daphne, free_port, redis_server

    with contextlib.ExitStack() as stack:
        found: dict[str, Server] = {}
        if "ours" in names:
            ours = stack.enter_context(daphne(log_dir, database_url, 40))
            found["ours"] = Server("ours", [ours.pid], [f"ws://127.0.0.1:{ours.port}"])
        for name in names:
            threads = name.removeprefix("ours-").removesuffix("t")
            if name.startswith("ours-") and name.endswith("t") and threads.isdigit():
                extra = {"OC_TURN_DB_THREADS": threads}
                one = stack.enter_context(daphne(log_dir, database_url, 40, extra_env=extra))
                found[name] = Server(name, [one.pid], [f"ws://127.0.0.1:{one.port}"])
        if "before" in names:
            old = stack.enter_context(daphne(log_dir, database_url, 40, code=Path(baseline)))
            found["before"] = Server("before", [old.pid], [f"ws://127.0.0.1:{old.port}"])
        if "B" in names:
            port = free_port()
            binary = Path(sys.executable).with_name("daphne")
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            b = Process(
                [
                    str(binary),
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "bench.baseline_servers:channels_app",
                ],
                log_dir / "b.log",
                port,
                env,
            )
            stack.callback(b.stop)
            found["B"] = Server("B", [b.pid], [f"ws://127.0.0.1:{port}/"])
        if "C" in names:
            port = free_port()
            c = Process(
                [sys.executable, str(ROOT / "bench" / "baseline_servers.py"), str(port)],
                log_dir / "c.log",
                port,
                dict(os.environ),
            )
            stack.callback(c.stop)
            found["C"] = Server("C", [c.pid], [f"ws://127.0.0.1:{port}/"])
        if redis_procs:
            redis = stack.enter_context(redis_server(log_dir))
            url = f"redis://127.0.0.1:{redis.port}/0"
            one = stack.enter_context(daphne(log_dir, database_url, 40, redis_url=url))
            two = stack.enter_context(daphne(log_dir, database_url, 40, redis_url=url))
            found["ours-redis"] = Server(
                "ours-redis",
                [one.pid, two.pid],
                [f"ws://127.0.0.1:{one.port}", f"ws://127.0.0.1:{two.port}"],
            )
        yield found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1,50,200,500")
    parser.add_argument("--burst", default="50", help="N for the burst case ('' to skip)")
    parser.add_argument("--systems", default="ours,B,C")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--redis", type=int, default=0, help="sockets across two processes")
    parser.add_argument("--baseline", default="", help="checkout served as system 'before'")
    parser.add_argument("--profile", default="", help="py-spy the servers into this directory")
    args = parser.parse_args()
    if args.worker:
        asyncio.run(_worker(json.loads(sys.stdin.readline())))
        return
    import resource as res

    _soft, hard = res.getrlimit(res.RLIMIT_NOFILE)
    res.setrlimit(res.RLIMIT_NOFILE, (hard, hard))
    from streaming import setup_django

    database_url = setup_django("opencontracts_bench_load", fresh=True)
    names = args.systems.split(",")
    cases = [(int(n), "paced", args.rate) for n in args.sizes.split(",") if n]
    cases += [(int(n), "burst", 0.0) for n in args.burst.split(",") if n]
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="oc-bench-load-") as tmp,
        servers(names, Path(tmp), database_url, args.redis, args.baseline) as found,
    ):
        results: dict[tuple[str, int, str], list[Result]] = {}
        profile = Path(args.profile) if args.profile else None
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
        for n, mode, rate in cases:
            for round_number in range(args.rounds):
                for name in names:
                    r = run_round(
                        found[name],
                        n,
                        mode,
                        args.tokens,
                        rate,
                        args.clients,
                        args.timeout,
                        profile=profile if round_number == 0 else None,
                    )
                    results.setdefault((name, n, mode), []).append(r)
                    print(
                        f"  {name} N={n} {mode}: {r.delivered}/{r.expected} deltas, "
                        f"{r.errors} errors, load {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
        if args.redis:
            for _ in range(args.rounds):
                r = run_round(
                    found["ours-redis"],
                    args.redis,
                    "paced",
                    args.tokens,
                    args.rate,
                    args.clients,
                    args.timeout,
                    cross=True,
                    profile=profile if _ == 0 else None,
                )
                results.setdefault(("ours-redis", args.redis, "paced"), []).append(r)
                print(
                    f"  ours-redis N={args.redis}: {r.delivered}/{r.expected} deltas, "
                    f"{r.errors} errors",
                    flush=True,
                )
        print(f"load average at end: {os.getloadavg()}")
        for n, mode, rate in cases:
            if mode == "paced" and n > 1:
                print(pacing_floor(n, args.tokens, rate), flush=True)
        print(HEADER)
        for (_name, _n, mode), rounds in results.items():
            merged = Result(rounds[0].system, rounds[0].n, mode)
            for r in rounds:
                merged.delta += r.delta
                merged.frame += r.frame
                merged.first += r.first
                merged.tail += r.tail
                merged.delivered += r.delivered
                merged.expected += r.expected
                merged.seconds += r.seconds
                merged.errors += r.errors
                merged.server_cpu += r.server_cpu
                merged.client_cpu += r.client_cpu
                merged.frames += r.frames
            merged.rss_before = rounds[0].rss_before
            merged.rss_after = rounds[-1].rss_after
            ideal = args.tokens / rate if (rate := args.rate if mode == "paced" else 0) else 0.0
            print(row(merged, ideal * len(rounds)))


def pacing_floor(n: int, tokens: int, rate: float) -> str:
    """CPU per 1 000 deltas of the delta schedule alone (bench/pacing.py: N generators, one
    sleep per delta, stamped) on an idle loop in this process: a cost every system above pays
    per delta before it sends anything, so the CPU goal is read against it."""
    from pacing import stamped_deltas

    async def run() -> int:
        async def one() -> int:
            return len([delta async for delta in stamped_deltas(tokens, rate)])

        return sum(await asyncio.gather(*(one() for _ in range(n))))

    before = time.process_time()
    deltas = asyncio.run(run())
    cpu = time.process_time() - before
    return f"pacing alone, N={n}: {1000 * cpu / (deltas / 1000):.1f} ms CPU per 1 000 deltas"


if __name__ == "__main__":
    main()
