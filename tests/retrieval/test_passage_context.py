"""Passages carry their context: the heading they sit under is found, stored, indexed and
embedded with the document's title, while their text and offsets stay the passage's own."""

from __future__ import annotations

import pytest

from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.annotations.search import search_passages
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.ingestion.headings import section_headings
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import get_embedder
from opencontractserver.users.models import User

RECITAL = (
    "Made between Lumen Retail and Cirrus Mail for the email marketing services. " * 6
).strip()
MARKDOWN = f"""# Data Processing Addendum

{RECITAL}

## 6. Personal Data Breach

The Processor notifies the Controller within forty-eight hours after becoming aware of it."""

PLAIN = """SOFTWARE LICENCE AGREEMENT

1. DEFINITIONS

"Software" means the PlanDesk software.

4. SALARY. The Company pays a gross annual salary in twelve instalments."""


def test_each_passage_sits_under_the_last_heading_before_it() -> None:
    starts = [0, MARKDOWN.index("Made"), MARKDOWN.index("## 6"), MARKDOWN.index("The Processor")]

    assert section_headings(MARKDOWN, starts) == [
        "Data Processing Addendum",
        "Data Processing Addendum",
        "6. Personal Data Breach",
        "6. Personal Data Breach",
    ]


def test_plain_text_headings_and_numbered_lead_ins_count_and_text_before_any_has_none() -> None:
    text = "Preamble without a heading.\n\n" + PLAIN
    starts = [0, text.index('"Software"'), text.index("The Company")]

    assert section_headings(text, starts) == ["", "1. DEFINITIONS", "4. SALARY"]


def test_the_embedded_text_has_title_and_heading_once() -> None:
    body = "The Processor notifies the Controller."
    assert embedding_text("DPA", "6. Breach", body) == "DPA\n6. Breach\n" + body
    assert embedding_text("DPA", "6. Breach", "## 6. Breach\n\n" + body) == (
        "DPA\n## 6. Breach\n\n" + body
    )
    assert embedding_text("", "", body) == body


@pytest.mark.django_db
def test_ingestion_stores_the_heading_beside_unchanged_text_and_embeds_both(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = get_embedder()
    seen: list[str] = []
    real = type(embedder).embed_documents

    def spy(self: object, texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        return real(embedder, texts)

    monkeypatch.setattr(type(embedder), "embed_documents", spy)
    document = Document.objects.create(title="Mail DPA", creator=owner, text=MARKDOWN)
    ingest_document(document.pk)

    passages = list(Annotation.objects.filter(document=document, structural=True))
    document.refresh_from_db()
    assert all(p.raw_text == document.text[p.char_start : p.char_end] for p in passages)
    breach = next(p for p in passages if "forty-eight" in p.raw_text)
    assert breach.context == "6. Personal Data Breach"
    assert any(t.startswith("Mail DPA\n") and "forty-eight" in t for t in seen), seen
    assert PassageEmbedding.objects.filter(annotation=breach, embedder=embedder.name).exists()


@pytest.mark.django_db
def test_a_continuation_passage_is_found_by_the_words_of_its_heading(owner: User) -> None:
    # The second passage of a long section never says "indemnity"; its heading does.
    clause = ("The Licensor defends the Licensee against every claim of that kind. " * 8).strip()
    rest = ("It pays any damages finally awarded, provided it is notified promptly. " * 7).strip()
    text = "# Licence\n\n## 9. Intellectual Property Indemnity\n\n" + clause + "\n\n" + rest
    document = Document.objects.create(title="Licence", creator=owner, text=text)
    ingest_document(document.pk)
    continuation = Annotation.objects.filter(
        document=document, structural=True, raw_text__contains="damages finally awarded"
    ).get()
    assert "Indemnity" not in continuation.raw_text
    assert continuation.context == "9. Intellectual Property Indemnity"

    found = search_passages(owner, "indemnity damages", document_id=document.pk, limit=1)

    assert [s.annotation_id for s in found] == [continuation.pk]
    assert found[0].rawText == continuation.raw_text  # the heading is not part of the text
