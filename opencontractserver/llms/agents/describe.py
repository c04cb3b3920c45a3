"""Words for the timeline: what a tool call is doing and what its result was."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from opencontractserver.llms.tools.approvals import WRITE_TOOLS

_CALLS: dict[str, str] = {
    "get_document_outline": "Reading the document outline",
    "get_document_summary": "Reading the document summary",
    "list_annotations": "Listing the document's annotations",
    "list_documents": "Listing the documents of the corpus",
    **{name: tool.proposing for name, tool in WRITE_TOOLS.items()},
}


def describe_call(tool: str, args: dict[str, Any]) -> str:
    if tool in ("search_document", "search_corpus"):
        return f"Searching for “{args.get('query', '')}”"
    if tool == "read_passage":
        if args.get("annotation_id") is not None:
            return f"Reading passage {args['annotation_id']}"
        first = args.get("first_page")
        return f"Reading page(s) {first} to {args.get('last_page') or first}"
    if tool == "ask_document":
        return f"Asking document {args.get('document_id')}: “{args.get('question', '')}”"
    return _CALLS.get(tool, f"Calling {tool}")


def passage_count(content: object) -> int | None:
    """How many passages a tool result carries, if it carries passages."""
    passages: object = None
    if isinstance(content, BaseModel):
        passages = getattr(content, "passages", None)
    elif isinstance(content, dict):
        passages = content.get("passages")
    return len(passages) if isinstance(passages, list) else None


def describe_result(tool: str, content: object) -> str:
    count = passage_count(content)
    if count is not None:
        return f"Found {count} passage{'s' if count != 1 else ''}"
    text = content if isinstance(content, str) else str(content)
    return text if len(text) <= 200 else text[:199] + "…"
