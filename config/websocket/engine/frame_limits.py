"""What bounds the size of a frame: the sources an answer keeps, and a last guard on every frame.

daphne refuses (and closes the socket over) any WebSocket message over 1 MiB, in both directions.
An answer's sources are bounded where the runner takes them in: each passage at most once, at most
OC_MAX_SOURCES_PER_ANSWER of them, each `rawText` an excerpt of at most SOURCE_EXCERPT_CHARS
(passages are shorter than that since ingestion bounds them; older, longer ones are cut, and the
whole text stays readable by `annotation_id` through /api/documents/{id}/annotations), and at most
MAX_LAYOUT_WORDS word boxes per page. `fit_frame` then guarantees that no frame sent to a client
exceeds OC_MAX_FRAME_BYTES, shrinking the least useful parts first.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from opencontractserver.annotations.sources import Source

from .replay import Frame

logger = logging.getLogger(__name__)

SOURCE_EXCERPT_CHARS = 2000
MAX_LAYOUT_WORDS = 300
_SHRUNK_TEXT_CHARS = 200
_ELLIPSIS = "\u2026"


def excerpt(text: str, limit: int = SOURCE_EXCERPT_CHARS) -> str:
    """`text`, or its start followed by an ellipsis, in at most `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS


def bounded_source(source: Source) -> Source:
    """`source` with its text cut to an excerpt and its word boxes capped per page."""
    layout = source.json_
    pages = layout.get("pages")
    if len(source.rawText) <= SOURCE_EXCERPT_CHARS and not _too_many_words(pages):
        return source
    bounded_layout = dict(layout)
    if isinstance(pages, list):
        bounded_layout["pages"] = [
            {**page, "words": page["words"][:MAX_LAYOUT_WORDS]}
            if isinstance(page, dict) and isinstance(page.get("words"), list)
            else page
            for page in pages
        ]
    return source.model_copy(update={"rawText": excerpt(source.rawText), "json_": bounded_layout})


def _too_many_words(pages: Any) -> bool:
    return isinstance(pages, list) and any(
        isinstance(page, dict) and len(page.get("words") or ()) > MAX_LAYOUT_WORDS for page in pages
    )


def take_new_sources(kept: list[Source], found: list[Source]) -> list[Source]:
    """Append to `kept` the sources of `found` it does not hold yet (by passage), bounded, up to
    OC_MAX_SOURCES_PER_ANSWER; returns the ones appended (what the next frame carries)."""
    known = {source.annotation_id for source in kept}
    fresh: list[Source] = []
    for source in found:
        if len(kept) >= settings.OC_MAX_SOURCES_PER_ANSWER:
            break
        if source.annotation_id in known:
            continue
        known.add(source.annotation_id)
        bounded = bounded_source(source)
        kept.append(bounded)
        fresh.append(bounded)
    return fresh


# --- the guard on every frame -------------------------------------------------------------------


def wire_text(frame: Frame) -> str:
    """The text a frame is sent as (ASCII-only JSON: its length is its size in bytes)."""
    return json.dumps(frame)


def fit_frame(frame: Frame, limit: int | None = None) -> Frame:
    """`frame` itself when it fits in `limit` bytes (OC_MAX_FRAME_BYTES); otherwise a copy shrunk
    step by step: sources' word boxes, then long texts of sources, timeline and tool arguments,
    and as the very last resort the content itself (cut, with an ellipsis)."""
    return fitted_wire(frame, limit)[0]


def fitted_wire(frame: Frame, limit: int | None = None) -> tuple[Frame, str]:
    """`fit_frame(frame)` and its wire text; a frame that fits is encoded once."""
    budget = limit if limit is not None else settings.OC_MAX_FRAME_BYTES
    text = wire_text(frame)
    if len(text) <= budget:
        return frame, text
    shrunk = _shrunk(frame, budget)
    return shrunk, wire_text(shrunk)


def _shrunk(frame: Frame, budget: int) -> Frame:
    shrunk = copy.deepcopy(frame)
    for step in _SHRINK_STEPS:
        step(shrunk)
        if len(wire_text(shrunk)) <= budget:
            break
    else:
        _cut_content(shrunk, budget)
    logger.warning(
        "frame %s of message %s shrunk to fit %s bytes",
        frame.get("type"),
        (frame.get("data") or {}).get("message_id"),
        budget,
    )
    return shrunk


def _sources_of(frame: Frame) -> list[dict[str, Any]]:
    data = frame.get("data") or {}
    sources = data.get("sources")
    return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []


def _drop_word_boxes(frame: Frame) -> None:
    for source in _sources_of(frame):
        layout = source.get("json")
        pages = layout.get("pages") if isinstance(layout, dict) else None
        for page in pages if isinstance(pages, list) else []:
            if isinstance(page, dict):
                page.pop("words", None)


def _shorten_texts(frame: Frame) -> None:
    for source in _sources_of(frame):
        if isinstance(source.get("rawText"), str):
            source["rawText"] = excerpt(source["rawText"], _SHRUNK_TEXT_CHARS)
    data = frame.get("data") or {}
    for entry in data.get("timeline") or []:
        if isinstance(entry, dict):
            entry["args"] = None
            if isinstance(entry.get("text"), str):
                entry["text"] = excerpt(entry["text"], _SHRUNK_TEXT_CHARS)
    if data.get("args") is not None:
        data["args"] = None
    if isinstance(data.get("entry"), dict):
        data["entry"]["args"] = None


def _drop_sources(frame: Frame) -> None:
    data = frame.get("data") or {}
    if isinstance(data.get("sources"), list):
        data["sources"] = data["sources"][:1]


def _shorten_every_long_string(frame: Frame) -> None:
    """Tool arguments, pending approvals, anything else: every long string becomes an excerpt."""
    stack: list[Any] = [frame.get("data")]
    while stack:
        item = stack.pop()
        children = item.items() if isinstance(item, dict) else enumerate(item or [])
        if not isinstance(item, dict | list):
            continue
        for key, value in list(children):
            if isinstance(value, str) and len(value) > _SHRUNK_TEXT_CHARS:
                item[key] = excerpt(value, _SHRUNK_TEXT_CHARS)
            elif isinstance(value, dict | list):
                stack.append(value)


_SHRINK_STEPS: list[Callable[[Frame], None]] = [
    _drop_word_boxes,
    _shorten_texts,
    _drop_sources,
    _shorten_every_long_string,
]


def _cut_content(frame: Frame, budget: int) -> None:
    content = frame.get("content")
    if not isinstance(content, str):
        return
    keep = len(content)
    while keep > 0 and len(wire_text(frame)) > budget:
        overflow = len(wire_text(frame)) - budget
        keep = max(0, keep - max(overflow, keep // 8))
        frame["content"] = content[:keep] + _ELLIPSIS
