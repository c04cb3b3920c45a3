"""What a turn's database work costs the server: CPU and wall per turn start, per checkpoint,
per final write and per title check, this checkout against another one in the same run.

    git archive COMMIT | tar -x -C /tmp/old
    .venv/bin/python bench/turn_costs.py --baseline /tmp/old            # before vs after
    .venv/bin/python bench/turn_costs.py --baseline before=/tmp/old --baseline mid=/tmp/mid \
        --cprofile 20

Each system runs in its own process (this file with `--worker`, the checkout first on
sys.path) against the same database (`opencontracts_bench_turns`, migrated by this checkout),
rounds alternating (before, after, before, ...). A round: `--turns` fresh conversations of one
user about one document; in each, `turn_store.start_turn` (an existing conversation, as
bench/concurrency.py asks), `--checkpoints` x `checkpoint_turn`, `finish_turn`, then the title
check (`titles._first_exchange` + `save_title_if_blank`), each timed on its own, on one kept
connection; "checkout" is what the server's database threads add to every call (a pooled
connection taken, checked and given back: shared/db_threads.py). CPU is the
calling thread's (`time.thread_time`: Django, psycopg, everything but PostgreSQL), wall is
`perf_counter`, PostgreSQL CPU is the connection's backend's (its /proc schedstat, when the
database runs on this machine, as the embedded one does). The first `--warmup` turns of a round
are not counted. `--cprofile K` prints cProfile's top functions over K more starts of the after
system.

Not a test; results go in docs/performance.md ("Streaming under load", third pass).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "opencontracts_bench_turns"
OPERATIONS = ("start", "checkpoint", "finish", "title", "checkout")


def _worker(code: Path, turns: int, checkpoints: int, warmup: int, cprofile: int) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    import time

    from django.db import close_old_connections, connection

    from opencontractserver.conversations import services, turn_store
    from opencontractserver.conversations.message_data import Usage
    from opencontractserver.conversations.models import Conversation, MessageState
    from opencontractserver.conversations.subject import ChatSubject
    from opencontractserver.documents.models import Document
    from opencontractserver.llms.agents import titles
    from opencontractserver.users.models import User

    user, _ = User.objects.get_or_create(username="bench-turn-costs")
    document, _ = Document.objects.get_or_create(
        title="Bench turn costs", creator=user, defaults={"text": "A lease.", "status": "ready"}
    )
    subject = ChatSubject(document, None)
    conversations = Conversation.objects.bulk_create(
        [Conversation(creator=user, chat_with_document=document) for _ in range(turns + cprofile)]
    )
    owner_key = 424242
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in OPERATIONS}
    backend = [0]

    def backend_cpu() -> float:
        """CPU seconds of this connection's PostgreSQL backend so far (schedstat: ns); 0 when
        it is not a process of this machine."""
        try:
            with open(f"/proc/{backend[0]}/schedstat") as stat:  # noqa: PTH123
                return int(stat.read().split()[0]) / 1e9
        except (OSError, ValueError):
            return 0.0

    def follow_backend() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend[0] = cursor.fetchone()[0]

    def timed(name: str, index: int, call: object) -> object:
        cpu, wall, pg = time.thread_time(), time.perf_counter(), backend_cpu()
        result = call()  # type: ignore[operator]
        if index >= warmup:
            samples[name].append(
                (time.thread_time() - cpu, time.perf_counter() - wall, backend_cpu() - pg)
            )
        return result

    follow_backend()

    def start(conversation_id: int) -> object:
        return turn_store.start_turn(
            user=user,
            subject=subject,
            conversation_id=conversation_id,
            query="What is the rent?",
            client_id=None,
            owner_key=owner_key,
        )

    for index, conversation in enumerate(conversations[:turns]):
        started = timed("start", index, lambda c=conversation: start(c.pk))
        message_id = started.llm_message_id  # type: ignore[attr-defined]
        text = ""
        for step in range(checkpoints):
            text += f"word {step} " * 50
            timed(
                "checkpoint",
                index,
                lambda t=text, m=message_id: turn_store.checkpoint_turn(m, t),
            )
        timed(
            "finish",
            index,
            lambda t=text, m=message_id: turn_store.finish_turn(
                m,
                state=MessageState.COMPLETED,
                content=t,
                sources=[],
                timeline=[],
                usage=Usage(),
                model_messages=[],
                last_seq=checkpoints + 2,
            ),
        )

        def title(c: int = conversation.pk) -> None:
            exchange = titles._first_exchange(c)
            assert exchange is not None
            services.save_title_if_blank(c, titles.offline_title(exchange[1]))

        timed("title", index, title)

        def checkout() -> None:
            """What every call on the database threads adds: a pooled connection taken (the
            pool checks it with a round trip) and given back."""
            close_old_connections()
            connection.ensure_connection()
            close_old_connections()

        timed("checkout", index, checkout)
        follow_backend()  # the checkout may have brought another connection
    connection.close()
    profile_text = ""
    if cprofile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for conversation in conversations[turns:]:
            start(conversation.pk)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
        profile_text = out.getvalue()
    print(json.dumps({"samples": samples, "profile": profile_text}), flush=True)


def _run_worker(code: Path, args: argparse.Namespace, cprofile: int) -> dict[str, object]:
    from streaming import PRODUCTION_ENV  # production settings, as the server runs (DEBUG off)

    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            "--code",
            str(code),
            "--turns",
            str(args.turns),
            "--checkpoints",
            str(args.checkpoints),
            "--warmup",
            str(args.warmup),
            "--cprofile",
            str(cprofile),
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env={**os.environ, **PRODUCTION_ENV},
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _summary(values: list[tuple[float, float, float]]) -> str:
    cpu = [c * 1000 for c, _, _ in values]
    wall = [w * 1000 for _, w, _ in values]
    pg = [p * 1000 for _, _, p in values]
    return (
        f"{statistics.median(cpu):.2f} / {statistics.mean(cpu):.2f} | "
        f"{statistics.median(pg):.2f} / {statistics.mean(pg):.2f} | "
        f"{statistics.median(wall):.2f} / {statistics.mean(wall):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="NAME=DIR: another checkout measured as NAME (repeatable; 'before' if no NAME=)",
    )
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--checkpoints", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cprofile", type=int, default=0)
    args = parser.parse_args()
    if args.worker:
        _worker(Path(args.code), args.turns, args.checkpoints, args.warmup, args.cprofile)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from streaming import setup_django

    setup_django(DATABASE, fresh=True)  # sets DATABASE_URL and SECRET_KEY for the workers
    os.environ.setdefault("OC_EMBEDDER", "offline")
    systems: dict[str, Path] = {}
    for spec in args.baseline:
        name, _, code = spec.rpartition("=")
        systems[name or "before"] = Path(code)
    systems["after"] = ROOT
    print(f"load average at start: {os.getloadavg()}", flush=True)
    merged: dict[str, dict[str, list[tuple[float, float, float]]]] = {
        name: {op: [] for op in OPERATIONS} for name in systems
    }
    profile = ""
    for round_number in range(args.rounds):
        for name, code in systems.items():
            last = round_number == args.rounds - 1 and name == "after"
            result = _run_worker(code, args, args.cprofile if last else 0)
            samples = result["samples"]
            assert isinstance(samples, dict)
            for op in OPERATIONS:
                merged[name][op] += [(float(c), float(w), float(p)) for c, w, p in samples[op]]
            profile = str(result["profile"]) or profile
            print(f"  round {round_number + 1} {name}: load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"load average at end: {os.getloadavg()}")
    print(
        "| system | operation | n | server CPU median / mean (ms) | PostgreSQL CPU median / mean "
        "(ms) | wall median / mean (ms) |\n"
        "|---|---|---:|---|---|---|"
    )
    for op in OPERATIONS:
        for name in systems:
            values = merged[name][op]
            print(f"| {name} | {op} | {len(values)} | {_summary(values)} |")
    if profile:
        print(profile)


if __name__ == "__main__":
    main()
