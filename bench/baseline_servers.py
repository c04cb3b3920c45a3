"""The baselines of bench/concurrency.py: one frame per delta, no database, no coalescing.

B: `daphne bench.baseline_servers:channels_app` — a bare Channels AsyncWebsocketConsumer.
C: `python bench/baseline_servers.py PORT` — a bare `websockets` server.

Both speak the benchmark's subset of the chat protocol: SYNC_STATE on connect; a {"query"} frame
whose query is {"tokens", "rate"} gets one ASYNC_CONTENT per stamped delta (bench/pacing.py), then
ASYNC_FINISH with the whole text. Never used by the application or the tests.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pacing import stamped_deltas

SYNC_STATE = json.dumps({"type": "SYNC_STATE", "data": {}})


async def stream_answer(query_frame: str, send: Callable[[str], Awaitable[None]]) -> None:
    script = json.loads(json.loads(query_frame)["query"])
    parts: list[str] = []
    async for text in stamped_deltas(int(script["tokens"]), float(script.get("rate", 0))):
        parts.append(text)
        await send(json.dumps({"type": "ASYNC_CONTENT", "content": text, "data": {}}))
    await send(json.dumps({"type": "ASYNC_FINISH", "content": "".join(parts), "data": {}}))


def _channels_app() -> object:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(CHANNEL_LAYERS={})
        django.setup()
    from channels.generic.websocket import AsyncWebsocketConsumer

    class BareRelay(AsyncWebsocketConsumer):
        async def connect(self) -> None:
            await self.accept()
            await self.send(text_data=SYNC_STATE)

        async def receive(
            self, text_data: str | None = None, bytes_data: bytes | None = None
        ) -> None:
            assert text_data is not None
            self.turn = asyncio.create_task(stream_answer(text_data, self._send_text))

        async def _send_text(self, text: str) -> None:
            await self.send(text_data=text)

    return BareRelay.as_asgi()


async def _serve_websockets(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    async def handler(ws: ServerConnection) -> None:
        await ws.send(SYNC_STATE)
        turns = set()
        async for message in ws:
            task = asyncio.create_task(stream_answer(str(message), ws.send))
            turns.add(task)
            task.add_done_callback(turns.discard)

    async with serve(handler, "127.0.0.1", port, max_size=None, compression=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(_serve_websockets(int(sys.argv[1])))
else:
    channels_app = _channels_app()
