"""Keeping one ingestion's memory a small multiple of its file (issue 13: a 19.5 MB text took a
server from 149 to 549 MB and kept part of it).

- Vectors are embedded in batches and kept as 4-byte floats (`array('f')`), not as lists of Python
  floats (32 bytes each: 20,000 passages x 384 dimensions were 245 MB).
- Rows are written in batches (annotation_store / embedding_store), never as one giant INSERT.
- Between batches the ingestion thread yields the interpreter, so requests keep being served,
  and drops its DEBUG query log (with DEBUG on, Django keeps every batch's SQL otherwise).
- Afterwards the freed memory is handed back to the operating system (`malloc_trim`), so repeated
  uploads do not ratchet the process up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time
from array import array
from collections.abc import Sequence
from typing import TypeAlias

from django.db import reset_queries

from opencontractserver.llms.embeddings import PassageEmbedder

EMBED_BATCH_SIZE = 256

# array('f'): one passage's vector in 4-byte floats (subscriptable at runtime only from 3.12)
CompactVector: TypeAlias = "array[float]"


def embed_compactly(embedder: PassageEmbedder, texts: Sequence[str]) -> list[CompactVector]:
    """The vectors of `texts`, embedded batch by batch and stored as 4-byte floats."""
    vectors: list[CompactVector] = []
    for start in range(0, len(texts), EMBED_BATCH_SIZE):
        batch = embedder.embed_documents(texts[start : start + EMBED_BATCH_SIZE])
        vectors.extend(array("f", vector) for vector in batch)
        yield_to_requests()
    return vectors


def yield_to_requests() -> None:
    """Let the other threads (the event loop, request handlers) run before the next batch, and
    drop this thread's DEBUG query log (under DEBUG, Django keeps the last 9,000 queries' SQL,
    which for batched inserts is the whole document, several times over)."""
    reset_queries()
    time.sleep(0)


def release_memory() -> None:
    """Collect garbage and return freed heap pages to the OS (glibc only; a no-op elsewhere)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return
    libc = ctypes.CDLL(name)
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
