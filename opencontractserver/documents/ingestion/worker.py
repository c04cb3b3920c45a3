"""Running ingestion off the request: a small thread pool, fed after the transaction commits.

Parsing and embedding a large PDF takes seconds; the ASGI loop must not wait for it. The upload
view calls `submit_ingestion(document_id)`; once its transaction commits, a worker thread ingests
the document and the API reports progress through `Document.status`. Threads (not processes)
suffice: the heavy parts release the GIL (PostgreSQL I/O, network embedders) or are short.
`OC_INGESTION_WORKERS` sets the pool size.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connections, transaction

from ..models import Document, IngestionStatus
from .pipeline import ingest_document

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_running: set[Future[None]] = set()


def submit_ingestion(document_id: int) -> None:
    """Ingest the document in the background once the current transaction commits."""
    transaction.on_commit(lambda: _start(document_id))


def wait_for_ingestions(timeout: float | None = None) -> None:
    """Block until every submitted ingestion has finished (for commands and tests)."""
    with _lock:
        running = list(_running)
    wait(running, timeout=timeout)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.OC_INGESTION_WORKERS, thread_name_prefix="ingestion"
            )
        return _executor


def _start(document_id: int) -> None:
    future = _pool().submit(_run, document_id)
    with _lock:
        _running.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[None]) -> None:
    with _lock:
        _running.discard(future)


def _run(document_id: int) -> None:
    close_old_connections()
    try:
        ingest_document(document_id)
    except Document.DoesNotExist:
        logger.info("Document %s was deleted before it could be ingested", document_id)
    except Exception:
        logger.exception("Ingesting document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            status=IngestionStatus.FAILED,
            status_reason="Ingestion failed because of an internal error; try again later.",
        )
    finally:
        connections.close_all()
