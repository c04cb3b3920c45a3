"""Keeping one ingestion's memory a small multiple of its file (issue 13: a 19.5 MB text took a
server from 149 to 549 MB and kept part of it; then 262 MB with vectors in arrays).

- The document is held once: its text. Passages are spans (three integers each,
  passages.PassageSpans) that become text, JSON and rows a batch at a time.
- Vectors are embedded in batches and written, as 4-byte floats, to an anonymous temporary file
  (`SpilledVectors`), then read back batch by batch while the rows are written: embedding stays
  before the write transaction, and the ~1.5 KB a passage (32 MB for a 20 MB text) is on disk,
  not in the heap.
- Rows are written in batches through COPY (annotations/copy_rows.py), never as one giant INSERT.
- Between batches the ingestion thread yields the interpreter, so requests keep being served,
  and drops its DEBUG query log (with DEBUG on, Django keeps every batch's SQL otherwise).
- Afterwards the freed memory is handed back to the operating system (`malloc_trim`), so repeated
  uploads do not ratchet the process up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import itertools
import tempfile
import time
from array import array
from collections.abc import Iterable, Sequence
from typing import TypeAlias

from django.db import reset_queries

from opencontractserver.llms.embeddings import PassageEmbedder

EMBED_BATCH_SIZE = 256
_FLOAT_BYTES = array("f").itemsize

# array('f'): one passage's vector in 4-byte floats (subscriptable at runtime only from 3.12)
CompactVector: TypeAlias = "array[float]"


class SpilledVectors:
    """Vectors of one dimension in 4-byte floats, appended to an anonymous temporary file and
    read back in the same order (`rewind`, then `read` batch by batch). Close it when done."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.count = 0
        self.dimension = 0

    def append(self, vectors: Iterable[Sequence[float]]) -> None:
        for vector in vectors:
            packed = array("f", vector)
            if self.count == 0:
                self.dimension = len(packed)
            elif len(packed) != self.dimension:
                raise ValueError(f"a vector of {len(packed)} dimensions among {self.dimension}")
            packed.tofile(self._file)
            self.count += 1

    def rewind(self) -> None:
        self._file.seek(0)

    def read(self, count: int) -> list[CompactVector]:
        """The next `count` vectors (fewer at the end)."""
        data = self._file.read(count * self.dimension * _FLOAT_BYTES)
        step = self.dimension * _FLOAT_BYTES
        return [array("f", data[offset : offset + step]) for offset in range(0, len(data), step)]

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SpilledVectors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def embed_compactly(embedder: PassageEmbedder, texts: Iterable[str]) -> SpilledVectors:
    """The vectors of `texts`, embedded batch by batch and spilled to a temporary file."""
    spilled = SpilledVectors()
    try:
        iterator = iter(texts)
        while batch := list(itertools.islice(iterator, EMBED_BATCH_SIZE)):
            spilled.append(embedder.embed_documents(batch))
            yield_to_requests()
    except BaseException:
        spilled.close()
        raise
    spilled.rewind()
    return spilled


def yield_to_requests() -> None:
    """Let the other threads (the event loop, request handlers) run before the next batch, and
    drop this thread's DEBUG query log (under DEBUG, Django keeps the last 9,000 queries' SQL,
    which for batched inserts is the whole document, several times over)."""
    reset_queries()
    time.sleep(0)


def release_memory() -> None:
    """Collect garbage and return freed heap pages to the OS (glibc only; a no-op elsewhere)."""
    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


LARGE_BLOCK_BYTES = 1024 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def keep_large_blocks_mapped() -> None:
    """Make glibc give every block of LARGE_BLOCK_BYTES or more its own mapping, returned to the
    OS when freed (a no-op elsewhere). By default glibc raises that threshold to the size of the
    largest block freed so far (up to 32 MB): after one 20 MB upload, every later block under
    20 MB came from the heap and stayed in the process after it was freed. Call it at startup."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None
