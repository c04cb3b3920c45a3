"""Retrieval benchmark: search latency and ingestion throughput on generated passages.

    .venv/bin/python bench/retrieval.py                   # 10k and 100k passages
    .venv/bin/python bench/retrieval.py --sizes 10000     # just 10k
    .venv/bin/python bench/quality.py                     # recall@5 on labelled questions

Runs against a separate database (`opencontracts_bench`) on the embedded PostgreSQL (or on
BENCH_DATABASE_URL), never the development one. Passages are generated locally from clause
templates, about one passage per generated paragraph. Latency is measured end to end through
`search_passages` (scope check, query embedding, one hybrid SQL statement), after a warm-up.
Not a test: timing depends on the machine; results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench_database  # noqa: E402


def setup_django(database: str = "opencontracts_bench", fresh: bool = False) -> None:
    """Point Django at the benchmark database (dropped and recreated when `fresh`), migrate it."""
    bench_database.setup_django(database, fresh=fresh)


PARTIES = ["Acme Corp", "Globex Ltd", "Initech LLC", "Umbrella plc", "Stark GmbH", "Wayne SA"]
TOPICS = {
    "payment": [
        "The {a} shall pay each invoice within {n} days of receipt by bank transfer.",
        "Late payments bear interest at {p} percent per month until paid in full.",
        "All fees are exclusive of value added tax, which the {a} pays in addition.",
        "The {b} may suspend the services if any amount remains unpaid for {n} days.",
    ],
    "termination": [
        "Either party may terminate this agreement on {n} days written notice.",
        "The {b} may end the agreement at once if the {a} commits a material breach.",
        "On termination the {a} returns all materials and pays the fees accrued to date.",
        "Clauses on confidentiality and liability survive the end of this agreement.",
    ],
    "confidentiality": [
        "The {a} keeps the confidential information of the {b} secret for {n} years.",
        "Confidential information excludes what is public or already known to the recipient.",
        "The recipient may disclose information when a court orders it, after notice.",
        "Each party limits access to its employees who need to know the information.",
    ],
    "liability": [
        "Neither party is liable for indirect or consequential losses of any kind.",
        "The total liability of the {b} is capped at the fees paid in the last {n} months.",
        "The {a} indemnifies the {b} against third party claims arising from its breach.",
        "Nothing limits liability for death, personal injury, fraud or wilful misconduct.",
    ],
    "lease": [
        "The tenant pays a monthly rent of {m} dollars on the first day of each month.",
        "A security deposit of {m} dollars is returned within {n} days after the lease ends.",
        "The landlord repairs the roof, the structure and the heating installation.",
        "The tenant may not sublet the premises without the landlord's written consent.",
    ],
    "employment": [
        "The employee works {n} hours per week from the employer's main office.",
        "The employee receives {n} days of paid vacation per calendar year.",
        "During {n} months after leaving, the employee does not join a competitor.",
        "Inventions made by the employee during the employment belong to the employer.",
    ],
    "law": [
        "This agreement is governed by the laws of {s}.",
        "The courts of {s} have exclusive jurisdiction over any dispute.",
        "Disputes are first referred to mediation for {n} days before any claim is filed.",
        "An arbitrator appointed under the rules of {s} decides any remaining dispute.",
    ],
}
STATES = ["Delaware", "New York", "Ontario", "England and Wales", "Bavaria", "Victoria"]
QUESTIONS = [
    "How many days do we have to pay an invoice?",
    "What interest applies to late payment?",
    "Can the supplier stop the service when we do not pay?",
    "How can the contract be cancelled?",
    "What happens after termination?",
    "How long must secrets be kept?",
    "When may confidential information be disclosed?",
    "Is there a cap on liability?",
    "Who pays for claims from third parties?",
    "How much is the monthly rent?",
    "When is the deposit returned?",
    "Who fixes the heating?",
    "May the tenant sublet the flat?",
    "How many vacation days does the employee get?",
    "Is there a non-compete?",
    "Who owns the inventions?",
    "Which law governs the agreement?",
    "Which courts decide disputes?",
    "Is there arbitration or mediation?",
    "Delaware",
    '"security deposit"',
    "VAT on fees",
]


def paragraph(rng: random.Random) -> str:
    """A paragraph of 4-6 clause sentences on one topic, 450-800 characters."""
    topic = rng.choice(list(TOPICS))
    a, b = rng.sample(PARTIES, 2)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < 450:
        template = rng.choice(TOPICS[topic])
        sentences.append(
            template.format(
                a="Customer" if rng.random() < 0.5 else a,
                b="Supplier" if rng.random() < 0.5 else b,
                n=rng.choice([5, 10, 14, 30, 45, 60, 90]),
                p=rng.choice([1, 1.5, 2]),
                m=rng.choice([900, 1200, 1850, 2400]),
                s=rng.choice(STATES),
            )
        )
    return " ".join(sentences)[:800]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def grow_corpus(target_passages: int, paragraphs_per_document: int, seed: int) -> float:
    """Add generated documents until the corpus holds `target_passages`; returns passages/s."""
    from opencontractserver.annotations.models import Annotation
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.documents.ingestion import ingest_document
    from opencontractserver.documents.models import Document
    from opencontractserver.users.models import User

    user, _ = User.objects.get_or_create(username="bench")
    corpus, _ = Corpus.objects.get_or_create(title="bench", creator=user)
    rng = random.Random(seed)
    have = Annotation.objects.filter(structural=True, document__corpuses=corpus).count()
    start = time.perf_counter()
    added = 0
    number = Document.objects.filter(creator=user).count()
    while have + added < target_passages:
        text = "\n\n".join(paragraph(rng) for _ in range(paragraphs_per_document))
        document = Document.objects.create(title=f"generated {number}", creator=user, text=text)
        number += 1
        document = ingest_document(document.pk)
        corpus.documents.add(document)
        added += document.annotations.count()
        if number % 50 == 0:
            rate = added / (time.perf_counter() - start)
            print(f"  {have + added} passages ({rate:.0f} passages/s)", flush=True)
    elapsed = time.perf_counter() - start
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would give
        cursor.execute("ANALYZE annotations_annotation, annotations_passageembedding")
    return added / elapsed if added else float("nan")


def measure_search(queries: int, seed: int) -> dict[str, tuple[float, float]]:
    from django.db import connection

    from opencontractserver.annotations.search import search_passages
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.users.models import User

    user = User.objects.get(username="bench")
    corpus = Corpus.objects.get(title="bench", creator=user)
    document_ids = list(corpus.documents.values_list("pk", flat=True))
    rng = random.Random(seed)
    results: dict[str, tuple[float, float]] = {}
    for scope in ("corpus", "document"):
        timings: list[float] = []
        for i in range(queries + 20):
            question = rng.choice(QUESTIONS)
            kwargs = (
                {"corpus_id": corpus.pk}
                if scope == "corpus"
                else {"document_id": rng.choice(document_ids)}
            )
            start = time.perf_counter()
            found = search_passages(user, question, limit=8, **kwargs)
            elapsed = (time.perf_counter() - start) * 1000
            assert found, question
            if i >= 20:
                timings.append(elapsed)
        results[scope] = (statistics.median(timings), percentile(timings, 0.95))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM annotations_passageembedding")
        print(f"  vectors stored: {cursor.fetchone()[0]}")
    return results


def pdf_throughput(pages: int, seed: int) -> tuple[float, float]:
    """Ingest a generated PDF of `pages` pages; returns (pages/s, passages/s)."""
    from django.core.files.base import ContentFile
    from fpdf import FPDF

    from opencontractserver.documents.ingestion import ingest_document
    from opencontractserver.documents.models import Document
    from opencontractserver.users.models import User

    rng = random.Random(seed)
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 13, "\n\n".join(paragraph(rng) for _ in range(4)))
    user, _ = User.objects.get_or_create(username="bench-pdf")
    user.documents.all().delete()
    document = Document.objects.create(title="bench.pdf", creator=user, mime_type="application/pdf")
    document.file.save("bench.pdf", ContentFile(bytes(pdf.output())), save=True)
    start = time.perf_counter()
    document = ingest_document(document.pk)
    elapsed = time.perf_counter() - start
    assert document.status == "ready", document.status_reason
    return document.page_count / elapsed, document.annotations.count() / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--paragraphs-per-document", type=int, default=100)
    parser.add_argument("--fresh", action="store_true", help="Recreate the bench database.")
    parser.add_argument("--database", default="opencontracts_bench")
    parser.add_argument("--pdf-pages", type=int, default=50, help="Pages of the PDF to ingest.")
    args = parser.parse_args()
    setup_django(args.database, fresh=args.fresh)
    from opencontractserver.llms.embeddings import get_embedder

    print(f"embedder: {get_embedder().name}")
    if args.pdf_pages:
        pages_per_second, passages_per_second = pdf_throughput(args.pdf_pages, seed=7)
        print(
            f"== PDF of {args.pdf_pages} pages: {pages_per_second:.1f} pages/s,"
            f" {passages_per_second:.0f} passages/s"
        )
    for size in sorted(args.sizes):
        print(f"growing the corpus to {size} passages ...", flush=True)
        rate = grow_corpus(size, args.paragraphs_per_document, seed=size)
        latency = measure_search(args.queries, seed=1)
        print(f"== {size} passages: ingestion {rate:.0f} passages/s")
        for scope, (p50, p95) in latency.items():
            print(f"   search in a {scope}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
