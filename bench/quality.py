"""Retrieval quality: recall@5 on labelled questions over bench/fixtures/contracts.

    .venv/bin/python bench/quality.py
    OC_EMBEDDER=sentence-transformers <venv with the extra>/bin/python bench/quality.py

Each question names the document and a span of its text that answers it; a question counts as
found when one of the top 5 passages contains that span. The search scope is the corpus of all
five contracts (so the right document must be found too). Three rankings are scored: hybrid
(what `search_passages` returns), vectors only and full text only. Uses its own database
(`opencontracts_quality`) and ingests the contracts afresh on each run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from retrieval import setup_django

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOP = 5


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def main() -> None:
    setup_django(database="opencontracts_quality")
    from django.db import connection

    from opencontractserver.annotations.embedding_store import reembed_missing
    from opencontractserver.annotations.search import (
        _vector_literal,
        full_text_query,
        resolve_scope,
        search_passages,
    )
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.documents.ingestion.files import ingest_file
    from opencontractserver.llms.embeddings import get_embedder
    from opencontractserver.users.models import User

    user, _ = User.objects.get_or_create(username="quality")
    user.documents.all().delete()  # re-ingest: chunking may have changed since the last run
    corpus, _ = Corpus.objects.get_or_create(title="quality", creator=user)
    embedder = get_embedder()
    titles: dict[int, str] = {}
    for path in sorted((FIXTURES / "contracts").iterdir()):
        result = ingest_file(path, owner=user, corpus=corpus)
        assert result.document.status == "ready", result.document.status_reason
        titles[result.document.pk] = path.name
    reembed_missing(embedder)
    scope = resolve_scope(user, corpus_id=corpus.pk)
    questions = json.loads((FIXTURES / "questions.json").read_text())

    def vector_only(question: str) -> list[tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.document_id, a.raw_text FROM annotations_passageembedding e"
                " JOIN annotations_annotation a ON a.id = e.annotation_id"
                " WHERE e.embedder = %s AND e.document_id = ANY(%s)"
                " ORDER BY e.vector <=> %s::vector LIMIT %s",
                [
                    embedder.name,
                    scope.document_ids,
                    _vector_literal(embedder.embed_query(question)),
                    TOP,
                ],
            )
            return list(cursor.fetchall())

    def text_only(question: str) -> list[tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.document_id, a.raw_text FROM annotations_annotation a,"
                " websearch_to_tsquery('english', %s) q"
                " WHERE a.structural AND a.document_id = ANY(%s) AND a.search_vector @@ q"
                " ORDER BY ts_rank_cd(a.search_vector, q, 1) DESC, a.id LIMIT %s",
                [full_text_query(question), scope.document_ids, TOP],
            )
            return list(cursor.fetchall())

    def hybrid(question: str) -> list[tuple[int, str]]:
        found = search_passages(user, question, corpus_id=corpus.pk, limit=TOP)
        return [(s.document_id, s.rawText) for s in found]

    passages = sum(1 for _ in connection.cursor().execute("SELECT 1 FROM annotations_annotation"))
    print(f"embedder: {embedder.name}; {len(questions)} questions; {passages} passages")
    for name, rank in (("hybrid", hybrid), ("vector only", vector_only), ("text only", text_only)):
        hits = 0
        reciprocal = 0.0
        misses = []
        for item in questions:
            results = rank(item["question"])
            answer = normalise(item["answer"])
            position = next(
                (
                    i
                    for i, (document_id, text) in enumerate(results, start=1)
                    if titles[document_id] == item["document"] and answer in normalise(text)
                ),
                None,
            )
            if position is None:
                misses.append(item["question"])
            else:
                hits += 1
                reciprocal += 1 / position
        print(
            f"  {name:12s} recall@{TOP} {hits / len(questions):.2f}"
            f"  MRR@{TOP} {reciprocal / len(questions):.2f}"
        )
        for question in misses:
            print(f"      missed: {question}")


if __name__ == "__main__":
    main()
