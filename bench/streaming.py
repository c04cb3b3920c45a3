"""WebSocket streaming benchmark: frames, server CPU, database writes and memory per connection.

    .venv/bin/python bench/streaming.py                     # everything (~5 minutes)
    .venv/bin/python bench/streaming.py --quick             # fewer turns, 200 idle sockets
    .venv/bin/python bench/streaming.py --no-redis          # skip the Redis channel layer
    .venv/bin/python bench/streaming.py --rates             # CPU per turn shape, ~1 minute
    git archive COMMIT | tar -x -C /tmp/old && \\
      .venv/bin/python bench/streaming.py --rates --baseline /tmp/old   # A/B against COMMIT

A real `daphne` subprocess on a free loopback port, driven by the `websockets` client, with the
scripted agent of bench/streaming_agent.py (OC_AGENT_FACTORY): 1 000 content deltas at 200 per
second ("paced") or with no delay ("burst"). For each coalescing window (OC_COALESCE_WINDOW_MS
0, 20, 40, 50) a fresh server measures frames per turn, the daphne process's CPU time per turn
(/proc/<pid>/stat), time to the first content frame, and the UPDATEs of the turn's LLM
ChatMessage (counted by a trigger in the benchmark database, with their times). Then the RSS of
one daphne process with 0, 200 and 1 000 idle authenticated sockets, and, with a redis-server of
its own, the same turns through the Redis channel layer and replay buffer.

Runs against its own database (`opencontracts_bench_ws`) on the embedded PostgreSQL (or on
BENCH_DATABASE_URL). Every loop is bounded; servers are stopped on exit. Not a test: timing
depends on the machine; results go in docs/performance.md ("WebSocket streaming").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from asgiref.sync import sync_to_async
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench_database  # noqa: E402

DATABASE = "opencontracts_bench_ws"
AGENT_FACTORY = "bench.streaming_agent.build"
TERMINAL = ("ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FRAME_TIMEOUT = 30.0  # seconds without a frame before a turn counts as hung
POSTMASTER: list[int | None] = [None]  # set in main()
SETTLE = 0.3  # seconds after ASYNC_FINISH before reading the CPU time (post-turn work)
# Signs the bench user's token here and checks it in daphne.
SECRET_KEY = "bench-only-secret-key-0123456789abcdef0123456789abcdef"
# Production settings (DEBUG off: no query log in memory) served over plain loopback HTTP.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1,http://localhost",
    "OC_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}


# --- Django, fixtures and the UPDATE counter ------------------------------------------------


def setup_django(database: str = DATABASE, fresh: bool = False) -> str:
    """Point Django at the benchmark database (created if missing), migrate it; its URL."""
    os.environ["SECRET_KEY"] = SECRET_KEY
    return bench_database.setup_django(database, fresh=fresh)


@dataclass(frozen=True)
class Fixtures:
    token: str
    document_id: int


def make_fixtures() -> Fixtures:
    from opencontractserver.documents.models import Document
    from opencontractserver.users.models import User
    from opencontractserver.users.tokens import issue_token

    user, _ = User.objects.get_or_create(username="bench-ws")
    document, _ = Document.objects.get_or_create(
        title="Bench WS document",
        creator=user,
        defaults={"text": "A short lease.", "status": "ready"},
    )
    return Fixtures(token=issue_token(user, ttl_seconds=6 * 3600).access, document_id=document.pk)


UPDATE_COUNTER_SQL = """
CREATE TABLE IF NOT EXISTS bench_llm_updates (
    message_id bigint NOT NULL, at timestamptz NOT NULL, chars integer NOT NULL, state text
);
CREATE OR REPLACE FUNCTION bench_count_llm_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bench_llm_updates
        VALUES (NEW.id, clock_timestamp(), length(NEW.content), NEW.state);
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS bench_llm_update ON {table};
CREATE TRIGGER bench_llm_update AFTER UPDATE ON {table}
    FOR EACH ROW WHEN (NEW.msg_type = 'LLM') EXECUTE FUNCTION bench_count_llm_update();
TRUNCATE bench_llm_updates;
"""


def install_update_counter() -> None:
    """A trigger in the benchmark database that logs every UPDATE of an LLM ChatMessage."""
    from django.db import connection

    from opencontractserver.conversations.models import ChatMessage

    with connection.cursor() as cursor:
        cursor.execute(UPDATE_COUNTER_SQL.format(table=ChatMessage._meta.db_table))


@dataclass(frozen=True)
class Writes:
    updates: int  # every UPDATE of the LLM message during its turn
    checkpoints: int  # of which while still in_progress with new text
    longest_gap: float  # seconds, longest time without a write while the turn ran


def writes_of(message_id: int) -> Writes:
    from django.db import connection

    from opencontractserver.conversations.models import ChatMessage

    created = ChatMessage.objects.get(pk=message_id).created
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT at, chars, state FROM bench_llm_updates WHERE message_id = %s ORDER BY at",
            [message_id],
        )
        rows = cursor.fetchall()
    times = [created, *(row[0] for row in rows)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    checkpoints = sum(1 for row in rows if row[2] == "in_progress" and row[1] > 0)
    return Writes(updates=len(rows), checkpoints=checkpoints, longest_gap=max(gaps, default=0.0))


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    """A free port: in OC_BENCH_PORTS ("8110-8119") when set, so engineers sharing a machine keep
    to their own ports; otherwise any the system picks."""
    first, _, last = os.environ.get("OC_BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = sock.getsockname()[1]
            return port
    raise RuntimeError(f"no free port in OC_BENCH_PORTS={os.environ['OC_BENCH_PORTS']}")


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}:\n{log.read_text()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _stat_fields(pid: int | str) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def postmaster_pid() -> int | None:
    """The PostgreSQL server's pid when it runs on this machine (the embedded one does)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory')")
        data_dir = Path(cursor.fetchone()[0])
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        _stat_fields(pid)
        return pid
    return None


def postgres_cpu_seconds(postmaster: int | None) -> float:
    """CPU of the PostgreSQL server: the postmaster, its live children and its exited ones."""
    if postmaster is None:
        return 0.0
    fields = _stat_fields(postmaster)
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            child = _stat_fields(entry.name)
            if int(child[1]) == postmaster:
                ticks += int(child[11]) + int(child[12])
    return ticks / CLOCK_TICKS


def database_sessions() -> int:
    """Connections ever opened to the benchmark database (pg_stat_database.sessions)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


class Process:
    def __init__(
        self, args: list[str], log: Path, port: int, env: dict[str, str], cwd: Path = ROOT
    ) -> None:
        self.port = port
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_for_port(port, self.popen, log)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


@contextlib.contextmanager
def daphne(
    log_dir: Path,
    database_url: str,
    window_ms: int,
    redis_url: str = "",
    code: Path = ROOT,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Process]:
    """A daphne process serving the code in `code` (this checkout unless comparing), with
    `extra_env` on top of the production settings."""
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "OC_AGENT_FACTORY": AGENT_FACTORY,
        "OC_COALESCE_WINDOW_MS": str(window_ms),
        "OC_QUERIES_PER_MINUTE": "0",
        "OC_CONNECTIONS_PER_MINUTE": "0",
        "PYTHONPATH": str(code),
        **(extra_env or {}),
    }
    binary = Path(sys.executable).with_name("daphne")
    args = [str(binary), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    process = Process(args, log_dir / f"daphne-{port}.log", port, env, cwd=code)
    try:
        yield process
    finally:
        process.stop()


@contextlib.contextmanager
def redis_server(log_dir: Path) -> Iterator[Process]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    args += ["no", "--dir", str(log_dir)]
    process = Process(args, log_dir / f"redis-{port}.log", port, dict(os.environ))
    try:
        yield process
    finally:
        process.stop()


# --- the client -------------------------------------------------------------------------------


@dataclass
class Turn:
    message_id: int
    frames: int  # frames of the turn, ASYNC_START to ASYNC_FINISH
    content_frames: int
    first_content: float  # seconds from sending the query to the first ASYNC_CONTENT
    duration: float  # seconds from sending the query to ASYNC_FINISH
    cpu: float  # daphne CPU seconds from the query to SETTLE after ASYNC_FINISH
    redis_cpu: float  # redis-server CPU seconds over the same time (0 without Redis)
    postgres_cpu: float  # PostgreSQL server CPU seconds over the same time
    sessions: int  # database connections opened over the same time
    watcher_frames: list[int] = field(default_factory=list)  # frames other sockets received


def chat_url(server: Process, fixtures: Fixtures, conversation_id: int | None = None) -> str:
    url = f"ws://127.0.0.1:{server.port}/ws/document/{fixtures.document_id}/query/"
    url += f"?token={fixtures.token}"
    if conversation_id is not None:
        url += f"&load_from_conversation_id={conversation_id}"
    return url


async def open_socket(url: str) -> tuple[ClientConnection, dict[str, object]]:
    ws = await connect(url, open_timeout=30, max_size=None)
    state = json.loads(await asyncio.wait_for(ws.recv(), timeout=FRAME_TIMEOUT))
    if state.get("type") != "SYNC_STATE":
        await ws.close()
        raise RuntimeError(f"expected SYNC_STATE, got {state}")
    return ws, state


async def frames_until_end(ws: ClientConnection) -> list[dict[str, object]]:
    frames: list[dict[str, object]] = []
    while not frames or frames[-1]["type"] not in TERMINAL:
        frames.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=FRAME_TIMEOUT)))
    return frames


async def run_turn(
    server: Process,
    ws: ClientConnection,
    tokens: int,
    rate: float,
    watchers: list[ClientConnection],
    redis: Process | None = None,
) -> Turn:
    """One query on `ws`; `watchers` are other sockets on the same conversation."""
    cpu_before = cpu_seconds(server.pid)
    redis_before = cpu_seconds(redis.pid) if redis else 0.0
    postgres_before = postgres_cpu_seconds(POSTMASTER[0])
    sessions_before = await sync_to_async(database_sessions)()
    sent = time.perf_counter()
    await ws.send(json.dumps({"query": json.dumps({"tokens": tokens, "rate": rate})}))
    watching = [asyncio.create_task(frames_until_end(w)) for w in watchers]
    count = content = 0
    first: float | None = None
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=FRAME_TIMEOUT))
        count += 1
        if frame["type"] == "ASYNC_CONTENT":
            content += 1
            if first is None:
                first = time.perf_counter() - sent
        if frame["type"] in TERMINAL:
            break
    duration = time.perf_counter() - sent
    seen = [len(frames) for frames in await asyncio.gather(*watching)]
    if frame["type"] != "ASYNC_FINISH" or frame["content"] != "tok " * tokens:
        raise RuntimeError(f"turn did not finish with the whole answer: {frame['type']}")
    await asyncio.sleep(SETTLE)
    return Turn(
        message_id=int(frame["data"]["message_id"]),
        frames=count,
        content_frames=content,
        first_content=first if first is not None else duration,
        duration=duration,
        cpu=cpu_seconds(server.pid) - cpu_before,
        redis_cpu=cpu_seconds(redis.pid) - redis_before if redis else 0.0,
        postgres_cpu=postgres_cpu_seconds(POSTMASTER[0]) - postgres_before,
        sessions=await sync_to_async(database_sessions)() - sessions_before,
        watcher_frames=seen,
    )


@dataclass
class Config:
    tokens: int
    rate: float
    paced_turns: int
    burst_turns: int
    fanout: bool


@dataclass
class WindowResult:
    window_ms: int
    layer: str
    paced: list[Turn]
    burst: list[Turn]
    single: list[Turn]  # one-token turns: the fixed cost of a turn
    fanout: list[Turn]


async def measure_window(
    server: Process,
    fixtures: Fixtures,
    config: Config,
    window_ms: int,
    layer: str,
    redis: Process | None = None,
) -> WindowResult:
    async def turn(tokens: int, rate: float, watchers: list[ClientConnection]) -> Turn:
        return await run_turn(server, ws, tokens, rate, watchers, redis)

    ws, _ = await open_socket(chat_url(server, fixtures))
    try:
        warm = await turn(50, 0, [])  # imports, first queries, the conversation
        paced = [await turn(config.tokens, config.rate, []) for _ in range(config.paced_turns)]
        burst = [await turn(config.tokens, 0, []) for _ in range(config.burst_turns)]
        single = [await turn(1, 0, []) for _ in range(config.burst_turns)]
        fanout: list[Turn] = []
        if config.fanout:
            conversation_id = await conversation_of(warm.message_id)
            other, _ = await open_socket(chat_url(server, fixtures, conversation_id))
            try:
                for _ in range(config.paced_turns):
                    fanout.append(await turn(config.tokens, config.rate, [other]))
            finally:
                await other.close()
    finally:
        await ws.close()
    return WindowResult(window_ms, layer, paced, burst, single, fanout)


async def conversation_of(message_id: int) -> int:
    from opencontractserver.conversations.models import ChatMessage

    def lookup() -> int:
        return int(ChatMessage.objects.get(pk=message_id).conversation_id)

    return int(await sync_to_async(lookup)())


# --- idle connections -------------------------------------------------------------------------


@dataclass
class MemoryPoint:
    sockets: int
    rss_kb: int


async def idle_memory(
    server: Process, fixtures: Fixtures, steps: list[int], budget_seconds: float
) -> tuple[list[MemoryPoint], float, bool]:
    """RSS with 0 and then `steps` idle sockets open; (points, seconds per connect, compressed)."""
    deadline = time.monotonic() + budget_seconds
    url = chat_url(server, fixtures)
    warm, _ = await open_socket(url)  # one turn's worth of imports and caches before the baseline
    await run_turn(server, warm, 50, 0, [])
    await warm.close()
    await asyncio.sleep(1.0)
    points = [MemoryPoint(0, rss_kb(server.pid))]
    sockets: list[ClientConnection] = []
    opened_in = 0.0
    compressed = False
    try:
        for target in steps:
            started = time.monotonic()
            while len(sockets) < target:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"opening {target} sockets took over {budget_seconds} s")
                batch = min(50, target - len(sockets))
                opened = await asyncio.gather(*(open_socket(url) for _ in range(batch)))
                sockets.extend(ws for ws, _ in opened)
            opened_in += time.monotonic() - started
            extensions = (
                sockets[-1].response.headers.get("Sec-WebSocket-Extensions")
                if sockets[-1].response
                else None
            )
            compressed = compressed or bool(extensions)
            await asyncio.sleep(2.0)  # let the server finish every SYNC_STATE and settle
            points.append(MemoryPoint(len(sockets), rss_kb(server.pid)))
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return points, opened_in / max(1, len(sockets)), compressed


# --- turn shapes (a quick check of where CPU goes) -----------------------------------------

RATE_SHAPES = [(1000, 200.0), (250, 50.0), (1000, 0.0), (1, 0.0)]  # (tokens, tokens/s; 0 burst)


async def shape_costs(
    servers: list[Process], fixtures: Fixtures, rounds: int
) -> list[dict[str, list[float]]]:
    """Daphne CPU ms per turn of each shape, per server; shapes and servers alternate, so a
    comparison of servers sees the same load on the machine."""
    sockets = [(await open_socket(chat_url(server, fixtures)))[0] for server in servers]
    costs: list[dict[str, list[float]]] = [{} for _ in servers]
    try:
        for server, ws in zip(servers, sockets, strict=True):
            await run_turn(server, ws, 50, 0, [])
        for _ in range(rounds):
            for tokens, rate in RATE_SHAPES:
                key = f"{tokens} tokens {'burst' if not rate else f'@ {rate:g}/s'}"
                for server, ws, cost in zip(servers, sockets, costs, strict=True):
                    turn = await run_turn(server, ws, tokens, rate, [])
                    cost.setdefault(key, []).append(1000 * turn.cpu)
    finally:
        for ws in sockets:
            await ws.close()
    return costs


# --- report -----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def describe(result: WindowResult, config: Config) -> dict[str, float]:
    paced, burst, fanout = result.paced, result.burst, result.fanout
    writes = [writes_of(turn.message_id) for turn in paced]
    row = {
        "window_ms": result.window_ms,
        "paced_frames": median([t.frames for t in paced]),
        "paced_cpu_ms": 1000 * median([t.cpu for t in paced]),
        "paced_first_ms": 1000 * median([t.first_content for t in paced]),
        "paced_duration_s": median([t.duration for t in paced]),
        "burst_frames": median([t.frames for t in burst]),
        "burst_cpu_ms": 1000 * median([t.cpu for t in burst]),
        "burst_first_ms": 1000 * median([t.first_content for t in burst]),
        "burst_duration_ms": 1000 * median([t.duration for t in burst]),
        "paced_postgres_cpu_ms": 1000 * median([t.postgres_cpu for t in paced]),
        "paced_db_connections": median([t.sessions for t in paced]),
        "one_token_cpu_ms": 1000 * median([t.cpu for t in result.single]),
        "one_token_first_ms": 1000 * median([t.first_content for t in result.single]),
        "updates": median([w.updates for w in writes]),
        "checkpoints": median([w.checkpoints for w in writes]),
        "longest_write_gap_s": max(w.longest_gap for w in writes),
        "tokens": config.tokens,
    }
    if fanout:
        row["fanout_cpu_ms"] = 1000 * median([t.cpu for t in fanout])
        row["fanout_frames"] = median([t.frames for t in fanout])
        row["fanout_watcher_frames"] = median([t.watcher_frames[0] for t in fanout])
    if result.layer == "redis":
        row["redis_cpu_paced_ms"] = 1000 * median([t.redis_cpu for t in paced])
        row["redis_cpu_burst_ms"] = 1000 * median([t.redis_cpu for t in burst])
    return row


def print_rows(title: str, rows: list[dict[str, float]]) -> None:
    print(f"\n## {title}")
    for row in rows:
        print(
            "  "
            + ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
            )
        )


def ratios(rows: list[dict[str, float]]) -> None:
    base = next(r for r in rows if r["window_ms"] == 0)
    print("\n## ratios against no coalescing (window 0)")
    for row in rows:
        if row is base:
            continue
        print(
            f"  {int(row['window_ms'])} ms:"
            f" paced frames x{row['paced_frames'] / base['paced_frames']:.3f}"
            f" (-{100 * (1 - row['paced_frames'] / base['paced_frames']):.1f}%),"
            f" paced CPU x{row['paced_cpu_ms'] / base['paced_cpu_ms']:.2f},"
            f" burst frames x{row['burst_frames'] / base['burst_frames']:.3f},"
            f" burst CPU x{row['burst_cpu_ms'] / base['burst_cpu_ms']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--quick", action="store_true", help="fewer turns and sockets")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis channel layer")
    parser.add_argument("--windows", default="0,20,40,50", help="coalescing windows in ms")
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="tokens per second (paced)")
    parser.add_argument("--sockets", default="200,1000", help="idle socket counts")
    parser.add_argument("--rates", action="store_true", help="only CPU per turn shape")
    parser.add_argument("--rounds", type=int, default=3, help="with --rates")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="with --rates: also serve this other checkout (e.g. `git archive` of an older"
        " commit) and compare, turns alternating between the two servers",
    )
    args = parser.parse_args()
    turns = 1 if args.quick else 3
    config = Config(args.tokens, args.rate, paced_turns=turns, burst_turns=turns + 2, fanout=True)
    steps = [200] if args.quick else [int(n) for n in args.sockets.split(",")]
    soft, _hard = __import__("resource").getrlimit(__import__("resource").RLIMIT_NOFILE)
    if max(steps) + 100 > soft:
        raise SystemExit(f"ulimit -n is {soft}: too low for {max(steps)} sockets")

    database_url = setup_django(fresh=args.fresh)
    fixtures = make_fixtures()
    install_update_counter()
    POSTMASTER[0] = postmaster_pid()
    print(f"# bench/streaming.py {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"# load average before: {os.getloadavg()}; cpus: {os.cpu_count()}; ulimit -n {soft}")
    print(f"# {config}")

    if args.rates:
        codes = [ROOT] + ([args.baseline.resolve()] if args.baseline else [])
        with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
            for window in [int(w) for w in args.windows.split(",")]:
                with contextlib.ExitStack() as stack:
                    servers = [
                        stack.enter_context(daphne(Path(tmp), database_url, window, code=code))
                        for code in codes
                    ]
                    costs = asyncio.run(shape_costs(servers, fixtures, rounds=args.rounds))
                print(f"\n## window {window} ms: daphne CPU ms per turn (median [each round])")
                for key in costs[0]:
                    line = f"  {key}: this checkout {median(costs[0][key]):.0f} "
                    line += str([round(v) for v in costs[0][key]])
                    if len(costs) > 1:
                        base = median(costs[1][key])
                        line += f"; baseline {base:.0f} {[round(v) for v in costs[1][key]]}"
                        line += f"; ratio x{median(costs[0][key]) / base:.2f}"
                    print(line)
        print(f"\n# load average after: {os.getloadavg()}")
        return

    with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
        log_dir = Path(tmp)
        rows = []
        for window in [int(w) for w in args.windows.split(",")]:
            with daphne(log_dir, database_url, window) as server:
                result = asyncio.run(measure_window(server, fixtures, config, window, "memory"))
            rows.append(describe(result, config))
            print_rows(f"in-memory layer, window {window} ms", rows[-1:])
        if any(r["window_ms"] == 0 for r in rows):
            ratios(rows)

        with daphne(log_dir, database_url, 40) as server:
            points, per_connect, compressed = asyncio.run(
                idle_memory(server, fixtures, steps, budget_seconds=180)
            )
        print("\n## idle sockets (window 40 ms, in-memory layer)")
        print(
            f"  permessage-deflate negotiated: {compressed};"
            f" {1000 * per_connect:.1f} ms per connect"
        )
        for before, after in itertools.pairwise(points):
            grown = after.rss_kb - before.rss_kb
            per = grown / (after.sockets - before.sockets)
            print(
                f"  {before.sockets} -> {after.sockets} sockets: RSS {before.rss_kb} -> "
                f"{after.rss_kb} KB, {per:.1f} KB per socket"
            )

        if not args.no_redis:
            redis_rows = []
            with redis_server(log_dir) as redis:
                redis_url = f"redis://127.0.0.1:{redis.port}/0"
                for window in (0, 40):
                    with daphne(log_dir, database_url, window, redis_url) as server:
                        result = asyncio.run(
                            measure_window(server, fixtures, config, window, "redis", redis)
                        )
                    redis_rows.append(describe(result, config))
                    print_rows(f"Redis layer, window {window} ms", redis_rows[-1:])
    print(f"\n# load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
