"""manage.py reembed [--prune]: vectors of the configured embedder for every passage."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from opencontractserver.annotations.embedding_store import (
    REEMBED_BATCH_SIZE,
    passages_missing_vectors,
    prune_other_embedders,
    reembed_missing,
)
from opencontractserver.llms.embeddings import get_embedder


class Command(BaseCommand):
    help = (
        "Embed every passage that has no vector from the embedder set by OC_EMBEDDER "
        "(run it after changing OC_EMBEDDER). --prune deletes other embedders' vectors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=REEMBED_BATCH_SIZE)
        parser.add_argument(
            "--prune", action="store_true", help="Delete vectors made by other embedders."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        embedder = get_embedder()
        total = passages_missing_vectors(embedder.name)
        with tqdm(
            total=total, unit="passage", desc=embedder.name, file=sys.stderr, disable=None
        ) as bar:
            done = reembed_missing(embedder, batch_size=options["batch_size"], on_batch=bar.update)
        self.stdout.write(f"Embedded {done} passages with {embedder.name}.")
        if options["prune"]:
            pruned = prune_other_embedders(embedder.name)
            self.stdout.write(f"Deleted {pruned} vectors of other embedders.")
