"""A scripted agent for bench/streaming.py: N content deltas at a given rate, nothing else.

The daphne process under test loads it through OC_AGENT_FACTORY=bench.streaming_agent.build.
The query is a JSON object: {"tokens": 1000, "rate": 200} streams 1 000 deltas at 200 per
second on a fixed schedule (delta i is due i/rate seconds after the first, so pacing does not
drift); "rate": 0 streams them with no delay (a burst). The first delta is sent at once.
With "stamp": true each delta is its emit time (bench/pacing.py, for bench/concurrency.py).
Never used by the application or the tests.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from opencontractserver.conversations.message_data import Usage
from opencontractserver.llms.agents.events import AgentEvent, ContentDelta, RunFinished
from opencontractserver.llms.agents.interface import AgentScope, PausedRun

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pacing import paced, stamp

TOKEN = "tok "


class PacedAgent:
    def __init__(self, scope: AgentScope) -> None:
        self.scope = scope

    @property
    def model_label(self) -> str:
        return "bench:paced"

    async def run(self, query: str) -> AsyncIterator[AgentEvent]:
        script = json.loads(query)
        tokens = int(script["tokens"])
        rate = float(script.get("rate", 0))
        stamped = bool(script.get("stamp"))
        async for _ in paced(tokens, rate):
            yield ContentDelta(stamp() if stamped else TOKEN)
        yield RunFinished(
            usage=Usage(requests=1, output_tokens=tokens, total_tokens=tokens),
            model_messages=[{"kind": "bench", "tokens": tokens}],
        )

    async def resume(self, paused: PausedRun, approved: bool) -> AsyncIterator[AgentEvent]:
        yield RunFinished(usage=Usage(), model_messages=paused.model_messages)


def build(scope: AgentScope) -> PacedAgent:
    return PacedAgent(scope)
