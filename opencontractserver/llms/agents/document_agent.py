"""The document agent: answers about one document with its read tools and (approved) write tools.

Also the sub-agent the corpus agent's `ask_document` tool hands a document to.
"""

from __future__ import annotations

from functools import cache

from opencontractserver.llms.tools.document_tools import document_read_tools
from opencontractserver.llms.tools.document_writes import document_write_tools

from .agent_run import RunAgent, turn_agent
from .prompts import document_instructions


@cache
def document_agent() -> RunAgent:
    return turn_agent(
        "document_agent", document_instructions, [document_read_tools(), document_write_tools()]
    )
