"""Turning a stored document into text and passages (see pipeline.py for the guarantees).

Entry points: `submit_ingestion(document_id)` from request handlers (runs in a worker pool after
commit) and `ingest_document(document_id)` where blocking is fine (commands, seeding, tests).
"""

from .extraction import IngestionError, detect_kind, extract
from .pipeline import ingest_document
from .worker import submit_ingestion, wait_for_ingestions

__all__ = [
    "IngestionError",
    "detect_kind",
    "extract",
    "ingest_document",
    "submit_ingestion",
    "wait_for_ingestions",
]
