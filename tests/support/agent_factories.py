"""The agent factories tests select with OC_AGENT_FACTORY: scripted agents, or the real default."""

from __future__ import annotations

SCRIPTED_FACTORY = "tests.websocket.scripted_agents.build_scripted_agent"
DEFAULT_AGENT_FACTORY = "opencontractserver.llms.agents.factory.build_agent"
