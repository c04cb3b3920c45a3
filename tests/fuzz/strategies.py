"""Hypothesis strategies for hostile client input: any JSON, any Unicode, wrong types, deep
nesting, and mutations of the protocol's real frames."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Every Unicode category, lone surrogates included (codec=None allows them), NUL too.
ANY_CHAR = st.characters(codec=None)
NASTY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(
        [
            "\x00",
            "\ud800",
            "\udfff",
            "a\x00b",
            "\u202e\u05e9\u05dc\u05d5\u05dd",
            "e\u0301\u0301",
            "\ufeff",
            "\U0001f4dc",
            "",
            " ",
            "\n\n",
            "null",
            "[]",
            "{}",
        ]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    NASTY_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(NASTY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "query",
    "client_id",
    "approval_decision",
    "llm_message_id",
    "type",
    "message_id",
    "after_seq",
    "token",
]
TYPES = ["STOP", "RESUME_STREAM", "AUTH", "DANCE", "stop", ""]


def deep(depth: int, inner: Any = 1) -> str:
    return "[" * depth + json.dumps(inner) + "]" * depth


@st.composite
def mutated_frames(draw: st.DrawFn) -> dict[str, Any]:
    """A real frame shape with some fields replaced by anything (wrong types, nasty text)."""
    frame: dict[str, Any] = draw(
        st.sampled_from(
            [
                {"query": "What is the rent?"},
                {"query": "hi", "client_id": "8c8e7f52-8d2e-4bd4-9d1e-2f7a8f1e9c01"},
                {"approval_decision": True, "llm_message_id": 1},
                {"type": "STOP", "message_id": 1},
                {"type": "RESUME_STREAM", "message_id": 1, "after_seq": 0},
                {"type": "AUTH", "token": "x"},
            ]
        )
    )
    frame = dict(frame)
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        frame[field] = draw(JSON_VALUES | st.sampled_from(TYPES))
    return frame


FRAME_TEXTS = st.one_of(
    JSON_VALUES.map(json.dumps),
    mutated_frames().map(json.dumps),
    st.text(ANY_CHAR, max_size=60),
    st.integers(min_value=30, max_value=6000).map(deep),
    st.integers(min_value=30, max_value=3000).map(
        lambda d: json.dumps({"type": "STOP"})[:-1] + ', "message_id": ' + deep(d) + "}"
    ),
)
