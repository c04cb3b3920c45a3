"""Issue 13 defect 6: ingestion memory is a small multiple of the file, whatever its size (a
19.5 MB text took a server from 149 to 549 MB). Measured with tracemalloc: the most Python held
at once while a made text ingested; no timing involved. The upload request
itself: tests/deployment/test_upload_request_memory.py; RSS in a real server: bench/
ingestion_load.py and docs/performance.md."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.models import IngestionStatus
from opencontractserver.llms.embeddings import get_embedder
from tests.support.made_files import MakeDocument

pytestmark = pytest.mark.django_db

WORDS = ["tenant", "landlord", "shall", "pay", "rent", "notice", "premises", "deposit"]


def _sentences(size: int) -> bytes:
    """One line of sentences (no paragraph breaks), like the bench's `words` shape."""
    rng = random.Random(7)
    out: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize()
        out.append(sentence + ". ")
        total += len(sentence) + 2
    return "".join(out).encode()[:size]


# What one embedding batch of 256 passages holds while it is embedded, whatever the file's size.
BATCH_BYTES = 3_500_000


def _ingestion_peak(make_document: MakeDocument, data: bytes) -> int:
    document = make_document(data, "big.txt")
    get_embedder().embed_documents(["warm"])  # its model lives as long as the process
    tracemalloc.start()
    try:
        ingested = ingest_document(document.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ingested.status == IngestionStatus.READY, ingested.status_reason
    return peak


@pytest.mark.parametrize("megabytes", [1, 3])
def test_ingesting_a_text_holds_a_small_multiple_of_the_file(
    make_document: MakeDocument, megabytes: int
) -> None:
    size = megabytes * 1_000_000
    # the file's bytes and its text for a moment, then the text and one batch of passages
    assert _ingestion_peak(make_document, _sentences(size)) < 2.5 * size + BATCH_BYTES


def test_one_character_outside_the_bmp_does_not_multiply_it(make_document: MakeDocument) -> None:
    """More than the file itself, by the text alone: a Python str holding one emoji takes 4
    bytes for every character, so the file's bytes and its text are 5x the file at once."""
    data = _sentences(2_000_000) + "🏠".encode()
    assert _ingestion_peak(make_document, data) < 5.5 * len(data) + BATCH_BYTES
