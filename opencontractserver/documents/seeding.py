"""The demo: a user, a public corpus "Demo contracts" and five contract-like documents.

The texts live in opencontractserver/documents/demo/ (written for this project). The supply
agreement is rendered to a real PDF at seed time, so the demo has a PDF among its documents.
Seeding is idempotent: objects are found by owner and title, and only missing ones are created.
Documents are ingested synchronously so the demo is ready to chat with when the server starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from fpdf import FPDF

from opencontractserver.annotations.embedding_store import reembed_missing
from opencontractserver.corpuses.models import Corpus
from opencontractserver.corpuses.services import add_documents, create_corpus
from opencontractserver.llms.embeddings import get_embedder
from opencontractserver.users.models import User

from .ingestion import ingest_document
from .models import Document, IngestionStatus
from .services import store_document

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_CORPUS_TITLE = "Demo contracts"
DEMO_CORPUS_DESCRIPTION = (
    "Five sample agreements (lease, NDA, SaaS subscription, offer letter, supply agreement) "
    "to try document and corpus chat with."
)


@dataclass(frozen=True)
class DemoDocument:
    source: str  # file name in DEMO_DIR
    title: str
    description: str
    as_pdf: bool = False


DEMO_DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        "commercial_lease.md",
        "Commercial Lease - Harbor Point Suite 710",
        "Five-year Boston office lease: Harbor Point Properties and Brightline Analytics.",
    ),
    DemoDocument(
        "mutual_nda.md",
        "Mutual NDA - Northwind Robotics and Cobalt Ridge",
        "Mutual non-disclosure agreement for a possible EUR 15 million investment.",
    ),
    DemoDocument(
        "saas_subscription_agreement.md",
        "SaaS Subscription Agreement - Lumenfield Route",
        "Three-year, 250-seat subscription: Lumenfield Software and Greenway Logistics.",
    ),
    DemoDocument(
        "employment_offer_letter.txt",
        "Offer Letter - Senior Data Engineer",
        "Employment offer from Meridian Health Technologies to Sofia Alvarez.",
    ),
    DemoDocument(
        "supply_agreement.md",
        "Supply Agreement - Atlas Polymer and Redwood Appliance",
        "Four-year supply agreement for injection-molded appliance housings (PDF).",
        as_pdf=True,
    ),
)


@dataclass
class SeedReport:
    username: str
    password: str
    user_created: bool = False
    password_reset: bool = False
    corpus_created: bool = False
    documents_created: list[str] = field(default_factory=list)
    documents_ingested: list[str] = field(default_factory=list)
    documents_failed: list[str] = field(default_factory=list)
    passages_embedded: int = 0  # passages that had no vector from the configured embedder


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render_pdf(markdown: str, title: str) -> bytes:
    """A simple, real PDF of a demo text: headings in bold, paragraphs wrapped, pages numbered."""
    pdf = FPDF(format="Letter")
    pdf.set_title(title)
    pdf.set_creation_date(datetime(2024, 10, 1, tzinfo=UTC))  # the same bytes on every run
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    for block in re.split(r"\n\s*\n", markdown.strip()):
        text = " ".join(line.strip() for line in block.splitlines())
        if text.startswith("# "):
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 9, text[2:], new_x="LMARGIN", new_y="NEXT", align="C")
            pdf.ln(3)
        elif text.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, text[3:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(0, 5.5, _BOLD.sub(r"\1", text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def demo_file(demo: DemoDocument) -> ContentFile[bytes]:
    """The bytes to upload for a demo document, named as the upload would be."""
    source = DEMO_DIR / demo.source
    text = source.read_text(encoding="utf-8")
    if demo.as_pdf:
        return ContentFile(render_pdf(text, demo.title), name=f"{source.stem}.pdf")
    return ContentFile(text.encode("utf-8"), name=source.name)


def _ensure_user(username: str, password: str, report: SeedReport) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username, email=f"{username}@example.com", password=password, first_name="Demo"
        )
        report.user_created = True
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        report.password_reset = True
    return user


def _ensure_corpus(user: User, report: SeedReport) -> Corpus:
    corpus = Corpus.objects.filter(creator=user, title=DEMO_CORPUS_TITLE).first()
    if corpus is None:
        corpus = create_corpus(
            creator=user,
            title=DEMO_CORPUS_TITLE,
            description=DEMO_CORPUS_DESCRIPTION,
            is_public=True,
        )
        report.corpus_created = True
    return corpus


def seed_demo(username: str, password: str) -> SeedReport:
    """Create whatever part of the demo is missing and ingest documents that are not ready."""
    report = SeedReport(username=username, password=password)
    user = _ensure_user(username, password, report)
    corpus = _ensure_corpus(user, report)
    for demo in DEMO_DOCUMENTS:
        document = Document.objects.filter(creator=user, title=demo.title).first()
        if document is None:
            document = store_document(
                creator=user,
                upload=demo_file(demo),
                title=demo.title,
                description=demo.description,
                corpus=corpus,
                is_public=True,
            )
            report.documents_created.append(demo.title)
        elif not corpus.documents.filter(pk=document.pk).exists():
            add_documents(user, corpus.pk, [document.pk])
        if document.status != IngestionStatus.READY:
            ingest_document(document.pk)
            document.refresh_from_db()
            if document.status == IngestionStatus.READY:
                report.documents_ingested.append(demo.title)
            else:
                report.documents_failed.append(f"{demo.title}: {document.status_reason}")
    # After OC_EMBEDDER changed (or its default did), passages stored earlier have no vector
    # from the new embedder: `make run` fills them in, as `manage.py reembed` would.
    report.passages_embedded = reembed_missing(get_embedder())
    return report
