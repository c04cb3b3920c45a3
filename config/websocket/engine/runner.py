"""One turn, driven as its own asyncio task: agent events in, numbered frames out, state saved.

The agent's stream is pumped by a separate task into an inbox, so STOP can cancel the agent (the
model call and running tools with it) while the runner stays alive to save the partial answer and
send the final frame. When the loop is busy and several deltas wait in the inbox, one frame
carries them all. Database work runs on the turn pool (db_pool.py), and a checkpoint runs beside
the stream: the next frame never waits for it. The runner builds the answer from ContentDelta,
the sources from SourcesFound and the timeline from Thought and SourcesFound, so what is stored
is what was streamed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from config.websocket.protocol import (
    ApprovalNeededData,
    ApprovalResultData,
    AsyncApprovalNeededFrame,
    AsyncApprovalResultFrame,
    AsyncContentData,
    AsyncContentFrame,
    AsyncErrorData,
    AsyncErrorFrame,
    AsyncFinishData,
    AsyncFinishFrame,
    AsyncResumeData,
    AsyncResumeFrame,
    AsyncSourcesData,
    AsyncSourcesFrame,
    AsyncStartData,
    AsyncStartFrame,
    AsyncThoughtData,
    AsyncThoughtFrame,
    TurnFrame,
    frame_to_wire,
)
from config.websocket.session_log import SessionLog
from opencontractserver.annotations.sources import Source
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.message_data import TimelineEntry, TurnErrorCode, Usage
from opencontractserver.conversations.models import MessageState
from opencontractserver.llms.agents.events import (
    AgentEvent,
    ApprovalNeeded,
    ContentDelta,
    RunFailed,
    RunFinished,
    SourcesFound,
    Thought,
)
from opencontractserver.llms.agents.interface import (
    AgentScope,
    ChatAgent,
    PausedRun,
    get_agent_factory,
)

from . import checkpoint_batches, finish_batches
from .checkpoints import Checkpoints
from .coalescer import ContentCoalescer
from .database_outage import store_when_the_database_returns
from .db_pool import run_db
from .frame_limits import take_new_sources
from .replay import Frame, get_replay_buffer

FrameSink = Callable[[Frame], Awaitable[None]]
INTERRUPTED_BY_SHUTDOWN = (
    "The server restarted while this answer was being written; the text so far is kept."
)
SERVER_ERROR: TurnErrorCode = "server_error"


@dataclass(frozen=True)
class LiveTurnTarget:
    """The turn being run: ids are 0 for anonymous chats, which are never persisted."""

    message_id: int
    conversation_id: int | None
    user_message_id: int
    persist: bool


class _Stopped:
    """The agent task was cancelled (STOP)."""


@dataclass(frozen=True)
class _Crashed:
    error: Exception


class _Exhausted:
    """The agent's stream ended without a final event."""


class _Flush:
    """The coalescing window of the pending content has passed."""


_QueueItem = AgentEvent | _Stopped | _Crashed | _Exhausted | _Flush


class _Inbox:
    """The runner's queue of agent events; `take_text` drains the deltas waiting at its head.

    While `deltas_wait` is set (the runner has pending text and a flush timer armed), a content
    delta is only queued: it does not wake the runner, which takes it with the flush. So a
    window of deltas costs two wake-ups of the runner (its first delta, its flush), not one per
    delta. Any other event wakes the runner at once."""

    def __init__(self) -> None:
        self._items: deque[_QueueItem] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.deltas_wait = False

    def put_nowait(self, item: _QueueItem) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if self.deltas_wait and type(item) is ContentDelta:
            return
        waiter.set_result(None)

    async def get(self) -> _QueueItem:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def take_text(self) -> str:
        """The text of the content deltas at the head of the inbox (removed), in order."""
        parts: list[str] = []
        items = self._items
        while items and isinstance(items[0], ContentDelta):
            delta = items.popleft()
            assert isinstance(delta, ContentDelta)
            parts.append(delta.text)
        return "".join(parts)


async def _pump(make_stream: Callable[[], AsyncIterator[AgentEvent]], queue: _Inbox) -> None:
    try:
        async for event in make_stream():
            queue.put_nowait(event)
    except asyncio.CancelledError:
        queue.put_nowait(_Stopped())
        raise
    except Exception as exc:
        queue.put_nowait(_Crashed(exc))
    else:
        queue.put_nowait(_Exhausted())


def build_agent(scope: AgentScope) -> ChatAgent:
    """The configured agent for `scope` (sync: a factory may read the database)."""
    return get_agent_factory()(scope)


def build_agent_or_error(scope: AgentScope) -> ChatAgent | Exception:
    """`build_agent`, with a failure returned for the runner to report (as `_build_agent`)."""
    try:
        return build_agent(scope)
    except Exception as exc:
        return exc


class LiveTurnRunner:
    def __init__(
        self,
        *,
        target: LiveTurnTarget,
        scope: AgentScope,
        sink: FrameSink,
        log: SessionLog,
        start_seq: int = 0,
        content: str = "",
        sources: list[Source] | None = None,
        timeline: list[TimelineEntry] | None = None,
    ) -> None:
        self.target = target
        self.scope = scope
        self.sink = sink
        self.log = log
        self.seq = start_seq
        self.content = content
        self.sources = list(sources or [])
        self.timeline = list(timeline or [])
        self._coalescer = ContentCoalescer(settings.OC_COALESCE_WINDOW_MS / 1000)
        self._producer: asyncio.Task[None] | None = None
        self._queue = _Inbox()
        self._flush_timer: asyncio.TimerHandle | None = None
        self._stop_requested = False
        # True when the process shuts down (config/websocket/shutdown.py): end as interrupted.
        self._interrupted = False
        # True when the task ended waiting for a decision (its frames must stay replayable).
        self.paused = False
        # True when the turn was answered to the end and saved as completed.
        self.completed = False
        # The frames of this task, stored with a pause so replay survives losing the buffer.
        self.frames: list[Frame] = []
        self._last_checkpoint = time.monotonic()
        self._checkpointed = content
        self._checkpoints = Checkpoints(
            self._write_checkpoint, lambda: checkpoint_batches.withdraw(self.target.message_id)
        )

    # --- control -------------------------------------------------------------------------

    def stop(self) -> None:
        """STOP: cancel the agent; the runner saves the partial answer as cancelled."""
        if not self._stop_requested:
            self.log.info(self.target.message_id, "stop requested")
        self._stop_requested = True
        if self._producer is not None and not self._producer.done():
            self._producer.cancel()

    def interrupt(self) -> None:
        """Shutdown: cancel the agent; the runner saves the partial answer as interrupted."""
        self._interrupted = True
        self.stop()

    async def fail_after_server_error(self) -> None:
        """The runner itself failed (most likely the database went away): end the turn as error.
        When even that cannot be stored, the sockets get the error frame at once and the error,
        with the text streamed so far, is stored once the database is back (database_outage.py)."""
        error = "The server failed while answering; the text so far is kept."
        try:
            await self._fail(error, SERVER_ERROR)
            return
        except Exception as exc:
            self.log.warning(self.target.message_id, "could not store the failed turn: %r", exc)
        stamp = self._stamp()
        with contextlib.suppress(Exception):
            await self._emit(
                AsyncErrorFrame(data=AsyncErrorData(**stamp, error=error, error_code=SERVER_ERROR))
            )
        if not self.target.persist:
            return
        message_id, content, sources, timeline = (
            self.target.message_id,
            self.content,
            list(self.sources),
            list(self.timeline),
        )
        await store_when_the_database_returns(
            lambda: turn_store.fail_turn(
                message_id,
                content=content,
                sources=sources,
                timeline=timeline,
                error=error,
                error_code=SERVER_ERROR,
                last_seq=stamp["seq"],
            ),
            log=self.log,
            message_id=message_id,
        )

    # --- entry points --------------------------------------------------------------------

    async def run_new_turn(self, query: str, built: ChatAgent | Exception | None = None) -> None:
        """Stream the answer to `query`; `built`: its agent (or why it could not be built), when
        the start's database call built it already (one hop to the database threads fewer)."""
        await self._emit(
            AsyncStartFrame(
                content=query,
                data=AsyncStartData(
                    **self._stamp(),
                    conversation_id=self.target.conversation_id,
                    user_message_id=self.target.user_message_id,
                ),
            )
        )
        agent = await self._build_agent(built)
        if agent is not None:
            await self._drive(lambda: agent.run(query))

    async def run_after_decision(
        self, paused: PausedRun, approved: bool, frames_before: list[Frame]
    ) -> None:
        """Continue a paused turn; the decision itself was claimed atomically by the caller.
        `frames_before` (stored at the pause) refill the replay buffer if it lost them."""
        await self._restore_replay(frames_before)
        await self._emit(
            AsyncApprovalResultFrame(
                data=ApprovalResultData(
                    **self._stamp(),
                    decision="approved" if approved else "rejected",
                    pending_tool_call=paused.pending_tool_call,
                )
            )
        )
        await self._emit(AsyncResumeFrame(data=AsyncResumeData(**self._stamp())))
        agent = await self._build_agent()
        if agent is not None:
            await self._drive(lambda: agent.resume(paused, approved))

    # --- the loop ------------------------------------------------------------------------

    async def _build_agent(self, built: ChatAgent | Exception | None = None) -> ChatAgent | None:
        try:
            if isinstance(built, Exception):
                raise built
            agent = built if built is not None else await run_db(build_agent, self.scope)
        except Exception as exc:
            self.log.exception(self.target.message_id, "could not build the agent")
            await self._fail(f"The assistant could not start: {exc}", "agent_error")
            return None
        return agent

    async def _drive(self, make_stream: Callable[[], AsyncIterator[AgentEvent]]) -> None:
        if self._stop_requested:
            await self._end_stopped()
            return
        queue = _Inbox()
        self._queue = queue
        self._producer = asyncio.create_task(_pump(make_stream, queue))
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Flush):
                    self._flush_timer = None
                    queue.deltas_wait = False
                    await self._release_content()
                elif await self._handle(item):
                    return
        finally:
            if self._flush_timer is not None:
                self._flush_timer.cancel()
                self._flush_timer = None
            producer = self._producer
            if producer is not None and not producer.done():
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await producer

    async def _handle(self, item: _QueueItem) -> bool:
        """Act on one agent event; True when the turn's task is over."""
        loop = asyncio.get_running_loop()
        if isinstance(item, ContentDelta):
            # Everything that arrived since: a busy loop sends fewer, larger frames, not more.
            more = self._queue.take_text() if self._coalescer.window > 0 else ""
            text = self._coalescer.add(item.text + more, loop.time(), inline=False)
            if text:
                await self._send_content(text)
            elif self._flush_timer is None:
                # One timer per window (not a timed wait per delta) releases what is pending.
                wait = self._coalescer.due_in(loop.time()) or 0.0
                self._flush_timer = loop.call_later(wait, self._queue.put_nowait, _Flush())
                self._queue.deltas_wait = True
            return False
        await self._release_content()
        if isinstance(item, Thought):
            self.timeline.append(item.entry)
            entry = item.entry
            await self._emit(
                AsyncThoughtFrame(
                    content=item.text,
                    data=AsyncThoughtData(
                        **self._stamp(),
                        tool_name=entry.tool
                        if entry.type in ("tool_call", "tool_result")
                        else None,
                        args=entry.args if entry.type == "tool_call" else None,
                        entry=entry,
                    ),
                )
            )
            return False
        if isinstance(item, SourcesFound):
            fresh = take_new_sources(self.sources, item.sources)
            if not fresh:
                return False
            count = len(fresh)
            self.timeline.append(
                TimelineEntry(type="sources", text=f"{count} source(s) found", count=count)
            )
            await self._emit(
                AsyncSourcesFrame(data=AsyncSourcesData(**self._stamp(), sources=fresh))
            )
            return False
        if isinstance(item, ApprovalNeeded):
            await self._pause(item)
        elif isinstance(item, RunFinished):
            await self._finish(MessageState.COMPLETED, item.usage, item.model_messages)
        elif isinstance(item, RunFailed):
            await self._fail(item.error, item.error_code)
        elif isinstance(item, _Stopped):
            await self._end_stopped()
        elif isinstance(item, _Crashed):
            self.log.warning(self.target.message_id, "agent failed: %r", item.error)
            await self._fail(f"The assistant failed: {item.error}", "agent_error")
        else:
            await self._finish(MessageState.COMPLETED, Usage(), None)
        return True

    # --- frames --------------------------------------------------------------------------

    def _stamp(self) -> dict[str, int]:
        self.seq += 1
        return {"message_id": self.target.message_id, "seq": self.seq}

    @contextlib.contextmanager
    def _seq_returned_on_error(self) -> Iterator[None]:
        """A final write that fails gives its seq back, so the error frame keeps seq gap-free."""
        seq = self.seq
        try:
            yield
        except BaseException:
            self.seq = seq - 1
            raise

    async def _emit(self, frame: TurnFrame) -> None:
        await self._emit_wire(frame_to_wire(frame))

    async def _emit_wire(self, wire: Frame) -> None:
        await self.sink(wire)
        if self.target.persist:
            self.frames.append(wire)

    async def _restore_replay(self, frames_before: list[Frame]) -> None:
        buffer = get_replay_buffer()
        if not frames_before or await buffer.last_seq(self.target.message_id) is not None:
            return
        self.log.info(self.target.message_id, "refilling the replay buffer from the pause")
        for frame in frames_before:
            await buffer.append(self.target.message_id, frame)

    async def _send_content(self, text: str) -> None:
        self.content += text
        await self._emit(AsyncContentFrame(content=text, data=AsyncContentData(**self._stamp())))
        await self._maybe_checkpoint()

    async def _release_content(self) -> None:
        text = self._coalescer.release(asyncio.get_running_loop().time())
        if text:
            await self._send_content(text)

    async def _maybe_checkpoint(self) -> None:
        now = time.monotonic()
        if not self.target.persist or self.content == self._checkpointed:
            return
        if now - self._last_checkpoint < settings.OC_CHECKPOINT_INTERVAL_SECONDS:
            return
        self._last_checkpoint, self._checkpointed = now, self.content
        self._checkpoints.submit(self.content)

    async def _write_checkpoint(self, content: str) -> None:
        await checkpoint_batches.write(self.target.message_id, content)

    # --- endings -------------------------------------------------------------------------

    async def _store_ending(self, store: Callable[[], Awaitable[None]]) -> None:
        """The turn's last write, after every checkpoint; a write that fails gives its seq
        back (the error frame keeps seq gap-free)."""
        with self._seq_returned_on_error():
            await self._checkpoints.settle()
            await store()

    def _in_turn_lane(
        self, write: Callable[..., None], seq: int, **fields: Any
    ) -> Callable[[], Awaitable[None]]:
        """`write` (`fail_turn`, `pause_turn`) of what was streamed, on the database threads."""
        return lambda: run_db(
            write,
            self.target.message_id,
            content=self.content,
            sources=self.sources,
            timeline=self.timeline,
            last_seq=seq,
            **fields,
        )

    async def _finish(
        self, state: MessageState, usage: Usage, model_messages: list[dict[str, object]] | None
    ) -> None:
        stamp = self._stamp()
        if self.target.persist:
            ending = turn_store.TurnEnding(
                message_id=self.target.message_id,
                state=state,
                content=self.content,
                sources=list(self.sources),
                timeline=list(self.timeline),
                usage=usage,
                model_messages=model_messages,
                last_seq=stamp["seq"],
            )
            # With the final writes of the other turns ending in this loop turn.
            await self._store_ending(lambda: finish_batches.finish(ending))
        self.completed = state == MessageState.COMPLETED and self.target.persist
        self.log.info(self.target.message_id, "turn %s after %s frames", state, stamp["seq"])
        await self._emit(
            AsyncFinishFrame(
                content=self.content,
                data=AsyncFinishData(
                    **stamp,
                    state="cancelled" if state == MessageState.CANCELLED else "completed",
                    sources=self.sources,
                    timeline=self.timeline,
                    usage=usage,
                ),
            )
        )

    async def _end_stopped(self) -> None:
        """The agent was cancelled: by STOP (cancelled) or by a shutdown (interrupted)."""
        if self._interrupted:
            await self._fail(INTERRUPTED_BY_SHUTDOWN, "interrupted")
        else:
            await self._finish(MessageState.CANCELLED, Usage(), None)

    async def _fail(self, error: str, error_code: TurnErrorCode) -> None:
        stamp = self._stamp()
        if self.target.persist:
            await self._store_ending(
                self._in_turn_lane(
                    turn_store.fail_turn, stamp["seq"], error=error, error_code=error_code
                )
            )
        self.log.info(self.target.message_id, "turn failed: %s", error_code)
        await self._emit(
            AsyncErrorFrame(data=AsyncErrorData(**stamp, error=error, error_code=error_code))
        )

    async def _pause(self, event: ApprovalNeeded) -> None:
        if not self.target.persist:
            await self._fail(
                "Actions that change data need a signed-in user.", "approval_requires_login"
            )
            return
        stamp = self._stamp()
        wire = frame_to_wire(
            AsyncApprovalNeededFrame(
                data=ApprovalNeededData(**stamp, pending_tool_call=event.pending_tool_call)
            )
        )
        await self._store_ending(
            self._in_turn_lane(
                turn_store.pause_turn,
                stamp["seq"],
                pending_tool_call=event.pending_tool_call,
                model_messages=event.model_messages,
                frames=[*self.frames, wire],
            )
        )
        self.paused = True
        self.log.info(
            self.target.message_id, "turn waits for approval of %s", event.pending_tool_call.name
        )
        await self._emit_wire(wire)
