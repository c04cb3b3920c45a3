"""What a passage is embedded with: the document's title and the heading it sits under.

A passage alone often does not say what it is about ("The Processor notifies the Controller
within forty-eight hours ..." never says "breach" if its heading does). A reader sees the title
and the heading, so the embedder gets them too, as lines before the passage (the heading is left
out when the passage starts with it). Stored text and offsets, which citations point at, are the
passage alone. Full text indexes the heading too (`Annotation.context`, in `search_vector`).

`CONTEXT_VERSION` is part of every stored embedder name (llms/embeddings.py): vectors embedded
without context, or with another recipe, are never compared with the new ones, and
`manage.py reembed` fills them in.
"""

from __future__ import annotations

CONTEXT_VERSION = "context-v1"


def embedding_text(title: str, heading: str, raw_text: str) -> str:
    """The text an embedder sees for one passage."""
    lines = [title.strip()]
    heading = heading.strip()
    if heading and heading not in raw_text[: len(heading) + 8]:
        lines.append(heading)
    lines.append(raw_text)
    return "\n".join(line for line in lines if line)
