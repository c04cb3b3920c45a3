"""The offline extractive model: answers with no provider and no network, using the same tools.

It is a pydantic-ai `FunctionModel` that behaves like a small, honest model: it recognises plain
write requests ("add a note: …", "highlight “…”", "set the summary to: …", "set the corpus
description to: …") and calls the approval-gated tool; otherwise it searches for the question's
keywords and streams the most relevant sentence of each passage found that mentions them, each
followed by its citation marker, at OC_OFFLINE_TOKENS_PER_SECOND (0: as fast as possible).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pydantic import ValidationError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from opencontractserver.llms.tools.approvals import WRITE_TOOLS, WriteToolName
from opencontractserver.llms.tools.passages import PassageResults

OFFLINE_LABEL = "Offline extractive mode (no LLM configured)"
OFFLINE_MODEL_NAME = "offline-extractive"
SEARCH_TOOLS = ("search_document", "search_corpus")
ANSWER_PASSAGES = 3
# The offline model searches once (its embedder's synonym table is all the rewording it can do)
# and says so, so nobody takes a miss for proof that the text is silent.
SEARCHED_ONCE = "one search, offline mode: no follow-up searches"
NOT_FOUND = (
    f"I could not find passages about that in the text I can read ({SEARCHED_ONCE}; "
    "try the words the contract would use)."
)
CANNOT_SEARCH = "I can only answer from documents, and there is nothing I can search in this chat."

_STOPWORD_TEXT = """a about above after again all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further
had
has have having he her here hers him his how i if in into is it its itself just me more most my no
nor not now of off on once only or other our out over own please same she should so some such
tell than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your document
documents say says said"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WRITE_INTENTS: list[tuple[WriteToolName, re.Pattern[str], str]] = [
    (
        "add_document_note",
        re.compile(
            r"^\s*(?:please\s+)?(?:add|make|create|leave|write)\s+(?:a\s+)?note\s*[:\-]\s*(.+)$",
            re.I | re.S,
        ),
        "content",
    ),
    (
        "add_annotation",
        re.compile(
            r"^\s*(?:please\s+)?(?:highlight|annotate)\s*:?\s*[\"“'](.+?)[\"”']", re.I | re.S
        ),
        "exact_text",
    ),
    (
        "update_document_summary",
        re.compile(
            r"^\s*(?:please\s+)?(?:set|update|change)\s+(?:the\s+)?(?:document\s+)?summary"
            r"\s+(?:to|as)\s*:?\s*(.+)$",
            re.I | re.S,
        ),
        "summary",
    ),
    (
        "update_corpus_description",
        re.compile(
            r"^\s*(?:please\s+)?(?:set|update|change)\s+(?:the\s+)?(?:corpus\s+)?description"
            r"\s+(?:to|as)\s*:?\s*(.+)$",
            re.I | re.S,
        ),
        "description",
    ),
]


@dataclass(frozen=True)
class _Turn:
    question: str
    calls: list[ToolCallPart]
    last_returns: list[ToolReturnPart]


def offline_model() -> FunctionModel:
    return FunctionModel(stream_function=_offline_stream, model_name=OFFLINE_MODEL_NAME)


def keywords(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower().replace("'s", ""))
    return [w for w in dict.fromkeys(words) if len(w) > 2 and w not in STOPWORDS]


def _stem(word: str) -> str:
    """Crude stemming, enough to match "terminated" with "terminate" or "repairs" with "repair"."""
    return word[:6] if len(word) > 6 else word.rstrip("s")


def mentions(text: str, terms: list[str]) -> int:
    """How many of the (stemmed) terms occur in `text`."""
    lowered = text.lower()
    return sum(_stem(term) in lowered for term in terms)


def write_intent(question: str, tools: set[str]) -> tuple[WriteToolName, dict[str, Any]] | None:
    for tool, pattern, argument in _WRITE_INTENTS:
        match = pattern.match(question)
        if match and tool in tools:
            return tool, {argument: match.group(1).strip()}
    return None


async def _offline_stream(
    messages: list[ModelMessage], info: AgentInfo
) -> AsyncIterator[str | DeltaToolCalls]:
    tools = {tool.name for tool in info.function_tools}
    turn = _current_turn(messages)
    search_tool = next((t for t in SEARCH_TOOLS if t in tools), None)
    if not turn.calls:
        intent = write_intent(turn.question, tools)
        elsewhere = write_intent(turn.question, set(WRITE_TOOLS))
        if intent is not None:
            yield _call(*intent, number=1)
        elif elsewhere is not None:
            # A write this chat has no tool for: say where it can be done, never search for it.
            async for token in _paced(WRITE_TOOLS[elsewhere[0]].elsewhere):
                yield token
        elif search_tool is not None:
            query = " or ".join(keywords(turn.question)) or turn.question
            yield _call(search_tool, {"query": query, "limit": ANSWER_PASSAGES}, number=1)
        else:
            async for token in _paced(CANNOT_SEARCH):
                yield token
        return
    async for token in _paced(_answer(turn, _passages(turn.last_returns))):
        yield token


def _current_turn(messages: list[ModelMessage]) -> _Turn:
    start = 0
    question = ""
    for index, message in enumerate(messages):
        if isinstance(message, ModelRequest):
            prompts = [p for p in message.parts if isinstance(p, UserPromptPart)]
            if prompts:
                start = index
                content = prompts[-1].content
                question = content if isinstance(content, str) else " ".join(map(str, content))
    calls = [
        part
        for message in messages[start:]
        if isinstance(message, ModelResponse)
        for part in message.parts
        if isinstance(part, ToolCallPart)
    ]
    last = messages[-1] if messages else None
    returns = (
        [p for p in last.parts if isinstance(p, ToolReturnPart)]
        if isinstance(last, ModelRequest)
        else []
    )
    return _Turn(question=question, calls=calls, last_returns=returns)


def _call(tool: str, args: dict[str, Any], *, number: int) -> DeltaToolCalls:
    return {
        0: DeltaToolCall(name=tool, json_args=json.dumps(args), tool_call_id=f"offline-{number}")
    }


def _passages(returns: list[ToolReturnPart]) -> PassageResults | None:
    for part in returns:
        if isinstance(part.content, PassageResults):
            return part.content
        if isinstance(part.content, dict):
            try:
                return PassageResults.model_validate(part.content)
            except ValidationError:
                continue
    return None


def _answer(turn: _Turn, results: PassageResults | None) -> str:
    if results is None:
        said = " ".join(
            p.content if isinstance(p.content, str) else p.model_response_str()
            for p in turn.last_returns
        )
        return said.strip() or "Done."
    terms = keywords(turn.question)
    relevant = [p for p in results.passages if not terms or mentions(p.text, terms)]
    if not relevant:
        return NOT_FOUND
    several_documents = len({p.document_id for p in relevant}) > 1
    lines = [f"Here is what the text says ({SEARCHED_ONCE}):", ""]
    quoted: list[str] = []
    for passage in relevant:
        sentence = _best_sentence(passage.text, terms)
        # Overlapping passages (chunks share text) must not quote the same words twice.
        if any(sentence in earlier or earlier in sentence for earlier in quoted):
            continue
        quoted.append(sentence)
        where = f"{passage.document_title}, p. {passage.page}: " if several_documents else ""
        lines.append(f"- {where}{sentence} [{passage.cite}]")
        if len(quoted) == ANSWER_PASSAGES:
            break
    return "\n".join(lines)


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)
_MD_HEADING_THEN_TEXT = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?\S)[ \t#]*\n\s*(?=\S)", re.M)
_MD_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+", re.M)
_MD_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.M)
_MD_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_CODE = re.compile(r"`+([^`]*)`+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_STRAY = re.compile(r"\*\*|__")


def plain_text(text: str) -> str:
    """`text` without Markdown markup (headings, bullets, quotes, rules, bold, italics, code,
    links), on one line. For what the offline model quotes: stored passages keep their markup,
    since their offsets index the document text."""
    text = _MD_RULE.sub("", text)
    text = _MD_BULLET.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_HEADING_THEN_TEXT.sub(r"\1 — ", text)  # one sentence with what it heads
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EMPHASIS.sub(r"\1", text)
    text = _MD_STRAY.sub("", text)
    return " ".join(text.split())


def _best_sentence(text: str, terms: list[str]) -> str:
    flat = plain_text(text)
    if len(flat) <= 280:
        return flat
    sentences = [s for s in re.split(r"(?<=[.;!?])\s+", flat) if s]
    best = max(sentences, key=lambda s: mentions(s, terms))
    return best if len(best) <= 400 else best[:399] + "…"


async def _paced(text: str) -> AsyncIterator[str]:
    rate = float(settings.OC_OFFLINE_TOKENS_PER_SECOND)
    for token in re.findall(r"\S+\s*|\s+", text):
        if rate > 0:
            await asyncio.sleep(1.0 / rate)
        yield token
