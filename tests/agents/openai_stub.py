"""A tiny OpenAI-compatible chat-completions server on loopback: SSE chunks for streamed
requests, one JSON completion for the others (e.g. the conversation titler)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pytest_django import Settings as SettingsWrapper

Chunk = dict[str, Any]


@dataclass
class Reply:
    """What the stub answers to one request: SSE chunks, or an HTTP error status."""

    chunks: list[Chunk] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0  # seconds between streamed chunks
    cut: bool = False  # end the stream cleanly after the chunks, with no [DONE] (a cut-off answer)
    garbage: bool = False  # after the chunks, an SSE event whose data is not JSON


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> Chunk:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def usage_chunk(prompt: int, completion: int) -> Chunk:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub-model",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def text_reply(*pieces: str) -> Reply:
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in pieces]
    chunks += [chunk({}, "stop"), usage_chunk(120, 12)]
    return Reply(chunks)


def cut_reply(*pieces: str) -> Reply:
    """Text chunks, then the connection closes: no finish reason, no usage, no [DONE]."""
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in pieces]
    return Reply(chunks, cut=True)


def tool_call_reply(call_id: str, name: str, arguments: str) -> Reply:
    half = len(arguments) // 2
    function = {"name": name, "arguments": arguments[:half]}
    first = {"index": 0, "id": call_id, "type": "function", "function": function}
    rest = {"index": 0, "function": {"arguments": arguments[half:]}}
    return Reply(
        [
            chunk({"role": "assistant", "tool_calls": [first]}),
            chunk({"tool_calls": [rest]}),
            chunk({}, "tool_calls"),
            usage_chunk(100, 8),
        ]
    )


def completion(reply: Reply) -> dict[str, Any]:
    """A non-streamed chat completion with the text of a reply's chunks."""
    text = "".join(
        choice["delta"].get("content") or "" for item in reply.chunks for choice in item["choices"]
    )
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": "stub-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 4, "total_tokens": 24},
    }


@dataclass
class StubServer:
    base_url: str
    received: list[Received]


@asynccontextmanager
async def openai_stub(script: Callable[[dict[str, Any]], Reply]) -> AsyncIterator[StubServer]:
    received: list[Received] = []
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
            received.append(Received(headers, body))
            reply = script(body)
            if reply.status != 200:
                payload = json.dumps({"error": {"message": "stub failure", "type": "server_error"}})
                writer.write(
                    f"HTTP/1.1 {reply.status} Error\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n{payload}".encode()
                )
            elif not body.get("stream"):
                payload = json.dumps(completion(reply))
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n{payload}".encode()
                )
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
                )
                for item in reply.chunks:
                    if reply.delay:
                        await asyncio.sleep(reply.delay)
                    if writer.is_closing() or reader.at_eof():
                        return  # the client went away mid-stream (a cancelled turn)
                    writer.write(f"data: {json.dumps(item)}\n\n".encode())
                    await writer.drain()
                if reply.garbage:
                    writer.write(b"data: {this is not json\n\n")
                if not reply.cut:
                    writer.write(b"data: [DONE]\n\n")
            await writer.drain()
        except ConnectionError:
            pass  # the client went away mid-stream (a cancelled turn)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield StubServer(f"http://127.0.0.1:{port}/v1", received)
    finally:
        server.close()
        await server.wait_closed()
        # Handlers notice a client that went away within one chunk delay; let them end here
        # rather than be cancelled with the event loop.
        await asyncio.gather(*handlers, return_exceptions=True)


def configure(settings: SettingsWrapper, stub: StubServer) -> None:
    """Point the configured model at the stub (requests must be allowed by the test's
    `loopback_requests_only` fixture; the URL is asserted to be loopback)."""
    assert stub.base_url.startswith("http://127.0.0.1:")
    settings.OC_LLM_MODEL = "openai:stub-model"
    settings.OC_LLM_BASE_URL = stub.base_url
    settings.OC_LLM_API_KEY = "stub-key"
    settings.OC_LLM_MAX_RETRIES = 0
