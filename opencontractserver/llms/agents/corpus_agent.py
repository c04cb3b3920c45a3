"""The corpus agent: answers across a corpus and hands single documents to the document agent."""

from __future__ import annotations

from functools import cache

from opencontractserver.llms.tools.corpus_tools import corpus_tools

from .agent_run import RunAgent, turn_agent
from .prompts import corpus_instructions


@cache
def corpus_agent() -> RunAgent:
    return turn_agent("corpus_agent", corpus_instructions, [corpus_tools()])
