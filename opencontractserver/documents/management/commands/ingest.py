"""manage.py ingest PATH... [--corpus NAME] [--owner USERNAME] [--force] [--pending]"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.ingestion.files import files_under, ingest_file
from opencontractserver.documents.models import Document, IngestionStatus
from opencontractserver.users.models import User


class Command(BaseCommand):
    help = (
        "Ingest .txt, .md and .pdf files (or folders of them) into documents with searchable "
        "passages. Unchanged files are skipped; changed files replace their passages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="Files or folders.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Re-ingest unchanged files too (e.g. after the passage cutting changed).",
        )
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Also ingest every document still pending (e.g. left so by a restart).",
        )
        parser.add_argument("--corpus", help="Corpus title to add the documents to (created).")
        parser.add_argument("--owner", help="Username owning the documents (default: a superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        if options["pending"]:
            self._ingest_pending()
            if not paths:
                return
        if not paths:
            raise CommandError("Give at least one PATH (or --pending).")
        owner = _owner(options["owner"])
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        corpus = None
        if options["corpus"]:
            corpus, _ = Corpus.objects.get_or_create(title=options["corpus"], creator=owner)
        files = list(files_under(paths))
        counts: Counter[str] = Counter()
        for path in tqdm(files, unit="file", desc="Ingesting", file=sys.stderr, disable=None):
            result = ingest_file(path, owner=owner, corpus=corpus, force=options["force"])
            counts[result.outcome] += 1
            if result.outcome == "failed":
                self.stderr.write(f"{path}: {result.document.status_reason}")
        summary = ", ".join(
            f"{counts[k]} {k}" for k in ("created", "replaced", "unchanged", "failed")
        )
        self.stdout.write(f"{len(files)} files: {summary}.")

    def _ingest_pending(self) -> None:
        pending = list(
            Document.objects.filter(status=IngestionStatus.PENDING).values_list("pk", flat=True)
        )
        counts: Counter[str] = Counter()
        for document_id in tqdm(pending, unit="document", file=sys.stderr, disable=None):
            counts[ingest_document(document_id).status] += 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"{len(pending)} pending documents: {summary or 'nothing to do'}.")


def _owner(username: str | None) -> User:
    if username:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    if owner is None:
        raise CommandError("No superuser exists: pass --owner USERNAME.")
    return owner
