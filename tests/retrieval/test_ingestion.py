"""Ingestion end to end on the real database: every file type, offsets, boxes, idempotence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.core.files.base import ContentFile
from pydantic_ai import Embedder
from pydantic_ai.embeddings import EmbeddingModel, EmbeddingResult, EmbeddingSettings
from pydantic_ai.embeddings.result import EmbedInputType

from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.ingestion import pipeline as pipeline_module
from opencontractserver.documents.ingestion.extraction import extract
from opencontractserver.documents.ingestion.pipeline import ingest
from opencontractserver.documents.models import Document, IngestionStatus
from opencontractserver.llms.embeddings import OFFLINE_DIMENSIONS, PassageEmbedder, get_embedder
from opencontractserver.users.models import User
from tests.support.made_files import MakeDocument, make_pdf, make_scanned_pdf
from tests.support.odd_pages_pdf import (
    CROP,
    MEDIA_HEIGHT,
    MEDIA_WIDTH,
    ODD_PAGES,
    TURNED_LINES,
    TURNED_PARAGRAPH,
    odd_pages_pdf,
    turned_lines_pdf,
)

pytestmark = pytest.mark.django_db

LEASE = "\n\n".join(
    f"{n}. Clause {n}. The tenant shall pay the rent of {n * 100} dollars before the fifth day "
    f"of each month. Late payments carry a fee of {n} percent. " * 3
    for n in range(1, 9)
)


def passages(document: Document) -> list[Annotation]:
    return list(document.annotations.filter(structural=True).order_by("char_start"))


def assert_offsets_match_text(document: Document) -> None:
    found = passages(document)
    assert found
    for passage in found:
        assert passage.raw_text == document.text[passage.char_start : passage.char_end]
        assert passage.json["start"] == passage.char_start
        assert passage.json["end"] == passage.char_end


def test_text_file_becomes_ready_passages_with_offsets_and_vectors(
    make_document: MakeDocument,
) -> None:
    document = ingest_document(make_document(LEASE.encode(), "lease.txt").pk)

    assert document.status == IngestionStatus.READY, document.status_reason
    assert document.text == LEASE
    assert len(document.content_hash) == 64
    assert_offsets_match_text(document)
    assert len(passages(document)) > 1
    vectors = PassageEmbedding.objects.filter(document=document)
    assert vectors.count() == len(passages(document))
    assert set(vectors.values_list("embedder", "dimension")) == {
        (get_embedder().name, OFFLINE_DIMENSIONS)
    }


def test_markdown_file_is_ingested_with_char_offsets(make_document: MakeDocument) -> None:
    markdown = "# Services Agreement\n\n## 1. Scope\n\nThe Supplier provides hosting.\n\n" + LEASE
    document = ingest_document(make_document(markdown.encode(), "msa.md", "text/markdown").pk)

    assert document.status == IngestionStatus.READY, document.status_reason
    assert document.text.startswith("# Services Agreement")
    assert_offsets_match_text(document)


def test_pdf_passages_know_their_page_and_the_boxes_of_their_words(
    make_document: MakeDocument,
) -> None:
    first = "Lease agreement between Alice and Bob.\n\nThe tenant pays rent monthly."
    second = "Either party may terminate this lease with thirty days written notice."
    data = make_pdf([first, second])
    document = ingest_document(make_document(data, "lease.pdf", "application/pdf").pk)

    assert document.status == IngestionStatus.READY, document.status_reason
    assert document.page_count == 2
    assert_offsets_match_text(document)
    found = passages(document)
    assert {p.page for p in found} == {1, 2}
    last = found[-1]
    assert last.page == 2
    assert last.raw_text == second
    layout = last.json["pages"][0]
    assert layout["page"] == 2
    assert layout["width"] == pytest.approx(595.28, abs=0.1)
    assert layout["height"] == pytest.approx(841.89, abs=0.1)
    assert len(layout["words"]) == len(second.split())
    x0, top, x1, bottom = layout["words"][0]  # "Either", written at (50, 60) points
    assert x0 == pytest.approx(50, abs=4)  # fpdf2 adds a small cell margin
    assert 55 < top < bottom < 80
    assert x1 > x0
    assert layout["bounds"][0] == x0
    for word_box in layout["words"]:
        assert 0 <= word_box[0] < word_box[2] <= layout["width"]
        assert 0 <= word_box[1] < word_box[3] <= layout["height"]


def test_pdf_paragraphs_are_separated_like_in_the_text(make_document: MakeDocument) -> None:
    data = make_pdf(["First paragraph here.\n\nSecond paragraph here."])
    document = ingest_document(make_document(data, "p.pdf", "application/pdf").pk)

    assert document.text == "First paragraph here.\n\nSecond paragraph here."


def test_reingesting_the_same_content_changes_nothing(make_document: MakeDocument) -> None:
    document = ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    before = [(p.pk, p.modified) for p in passages(document)]
    modified = document.modified

    again = ingest_document(document.pk)

    assert again.status == IngestionStatus.READY
    assert [(p.pk, p.modified) for p in passages(again)] == before
    assert again.modified == modified


def test_a_changed_file_replaces_every_passage(make_document: MakeDocument) -> None:
    document = ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    old_ids = {p.pk for p in passages(document)}
    note = Annotation.objects.create(
        document=document, char_start=0, char_end=2, raw_text="1.", structural=False
    )

    document.file.save("lease.txt", ContentFile(b"A short new lease. Rent is free."), save=True)
    document = ingest_document(document.pk)

    assert document.status == IngestionStatus.READY
    assert document.text == "A short new lease. Rent is free."
    new = passages(document)
    assert [p.raw_text for p in new] == ["A short new lease. Rent is free."]
    assert not old_ids & {p.pk for p in new}
    assert not PassageEmbedding.objects.filter(annotation_id__in=old_ids).exists()
    assert Annotation.objects.filter(pk=note.pk).exists()  # people's annotations stay


def test_unchanged_passages_keep_their_ids_when_the_file_changes(
    make_document: MakeDocument,
) -> None:
    clauses = [
        " ".join(f"Clause {n} sentence {i} says the tenant pays rent on time." for i in range(9))
        for n in range(4)
    ]
    document = ingest_document(make_document("\n\n".join(clauses).encode(), "lease.txt").pk)
    before = {(p.page, p.raw_text): p for p in passages(document)}
    assert len(before) == 4

    preamble = " ".join(f"Preamble sentence {i} was added at the top." for i in range(8))
    rewritten = " ".join(f"Clause 3 was rewritten, part {i} of it." for i in range(10))
    changed = [preamble, *clauses[:3], rewritten]
    document.file.save("lease.txt", ContentFile("\n\n".join(changed).encode()), save=True)
    document = ingest_document(document.pk)

    after = passages(document)
    kept = [p for p in after if (p.page, p.raw_text) in before]
    assert len(kept) == 2  # clauses 1 and 2 (clause 0 now overlaps the preamble)
    for passage in kept:
        old = before[(passage.page, passage.raw_text)]
        assert passage.pk == old.pk  # citations to it still resolve
        assert passage.char_start == old.char_start + len(preamble) + 2  # moved down
    assert_offsets_match_text(document)
    assert PassageEmbedding.objects.filter(document=document).count() == len(after)
    assert not Annotation.objects.filter(pk__in=[p.pk for p in before.values()][3:]).exists()


def test_a_failure_while_writing_leaves_the_old_passages_untouched(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    old = [(p.pk, p.raw_text) for p in passages(document)]

    def crash(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline_module, "store_vectors", crash)
    document.file.save("lease.txt", ContentFile(b"An entirely new lease text."), save=True)
    with pytest.raises(RuntimeError):
        ingest_document(document.pk)

    document.refresh_from_db()
    assert [(p.pk, p.raw_text) for p in passages(document)] == old  # all or nothing
    assert document.text == LEASE
    assert PassageEmbedding.objects.filter(document=document).count() == len(old)


BAD_FILES = [
    pytest.param(b"", "empty.txt", "text/plain", "empty", id="empty"),
    pytest.param(b"  \n\n ", "blank.txt", "text/plain", "empty", id="whitespace-only"),
    pytest.param(
        b"%PDF-1.7\n%garbage\x00\x01", "broken.pdf", "application/pdf", "corrupt", id="corrupt-pdf"
    ),
    pytest.param(b"hello, not a pdf", "fake.pdf", "application/pdf", "not a PDF", id="not-a-pdf"),
    pytest.param(
        b"PK\x03\x04word", "contract.docx", "application/msword", "Unsupported", id="docx"
    ),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "scan.png", "image/png", "Unsupported", id="image"),
    pytest.param(b"\x00\x01binary\x00", "data.txt", "text/plain", "binary", id="binary-as-text"),
    pytest.param(b"caf\xe9 latin-1", "latin.txt", "text/plain", "UTF-8", id="not-utf8"),
]


@pytest.mark.parametrize(("data", "name", "mime", "reason"), BAD_FILES)
def test_a_bad_file_fails_with_a_reason_and_writes_no_passage(
    make_document: MakeDocument, data: bytes, name: str, mime: str, reason: str
) -> None:
    document = ingest_document(make_document(data, name, mime).pk)

    assert document.status == IngestionStatus.FAILED
    assert reason in document.status_reason
    assert not document.annotations.exists()
    assert not PassageEmbedding.objects.filter(document=document).exists()
    assert document.text == ""


def test_a_scanned_pdf_without_text_layer_fails_with_a_reason(
    make_document: MakeDocument,
) -> None:
    document = ingest_document(make_document(make_scanned_pdf(), "scan.pdf", "application/pdf").pk)

    assert document.status == IngestionStatus.FAILED
    assert "no text layer" in document.status_reason
    assert not document.annotations.exists()


def test_a_bad_new_version_keeps_the_previous_passages(make_document: MakeDocument) -> None:
    document = ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    old = [p.pk for p in passages(document)]

    document.file.save("lease.txt", ContentFile(b""), save=True)
    document = ingest_document(document.pk)

    assert document.status == IngestionStatus.FAILED
    assert [p.pk for p in passages(document)] == old
    assert document.text == LEASE


class BrokenEmbeddingModel(EmbeddingModel):
    """An embedder whose provider is down."""

    @property
    def model_name(self) -> str:
        return "broken"

    @property
    def system(self) -> str:
        return "test"

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        raise ConnectionError("provider unreachable")


def test_an_embedder_failure_fails_the_document_and_writes_nothing(
    make_document: MakeDocument,
) -> None:
    document = make_document(LEASE.encode(), "lease.txt")
    broken = PassageEmbedder(name="test:broken", embedder=Embedder(BrokenEmbeddingModel()))

    document = ingest(document, broken)

    assert document.status == IngestionStatus.FAILED
    assert "could not be embedded" in document.status_reason
    assert "provider unreachable" in document.status_reason
    assert not document.annotations.exists()


def test_a_document_without_file_is_ingested_from_its_text(owner: User) -> None:
    document = Document.objects.create(title="inline", creator=owner, text="Rent is due monthly.")

    document = ingest_document(document.pk)

    assert document.status == IngestionStatus.READY
    assert [p.raw_text for p in passages(document)] == ["Rent is due monthly."]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_a_turned_pages_text_reads_in_lines_and_paragraphs_as_shown(rotation: int) -> None:
    """A page turned by /Rotate reads like an upright one: its words joined into lines in reading
    order (not one word per line, nor lines or letters reversed), its paragraphs kept."""
    extracted = extract(turned_lines_pdf(rotation), "pdf")

    assert extracted.text == "\n".join(TURNED_LINES) + "\n\n" + TURNED_PARAGRAPH
    (page,) = extracted.pages
    assert page.width is not None and page.height is not None
    words = list(page.words)
    assert [extracted.text[w.char_start : w.char_end] for w in words] == extracted.text.split()
    for word in words:
        assert 0 <= word.x0 < word.x1 <= page.width and 0 <= word.top < word.bottom <= page.height


def test_pdf_word_boxes_are_on_the_page_as_shown_cropped_or_rotated(
    make_document: MakeDocument,
) -> None:

    document = ingest_document(make_document(odd_pages_pdf(), "odd.pdf", "application/pdf").pk)
    assert document.status == IngestionStatus.READY, document.status_reason
    crop_left, crop_bottom, crop_right, crop_top = CROP
    crop_width, crop_height = crop_right - crop_left, crop_top - crop_bottom
    # (page width, page height, first word's x0, first word's top) as a viewer shows the page;
    # the sentence starts at (100 + fpdf2's cell margin, 200) from the MediaBox's top-left.
    margin_top = MEDIA_HEIGHT - crop_top
    expected = [
        (MEDIA_WIDTH, MEDIA_HEIGHT, 102.8, 200.0),
        (crop_width, crop_height, 102.8 - crop_left, 200.0 - margin_top),
        # turned clockwise: the text runs down, its left edge is the old bottom of the line
        (MEDIA_HEIGHT, MEDIA_WIDTH, MEDIA_HEIGHT - 200.0 - 14.0, 102.8),
        # turned, the crop's bottom edge becomes its left edge
        (crop_height, crop_width, MEDIA_HEIGHT - 200.0 - 14.0 - crop_bottom, 102.8 - crop_left),
    ]
    found = passages(document)
    assert [p.raw_text for p in found] == [page.sentence for page in ODD_PAGES]
    for passage, (width, height, x0, top) in zip(found, expected, strict=True):
        layout = passage.json["pages"][0]
        assert (layout["width"], layout["height"]) == (width, height)
        first = layout["words"][0]
        assert first[0] == pytest.approx(x0, abs=2), passage.page
        assert first[1] == pytest.approx(top, abs=2), passage.page
        for x_0, top_0, x_1, bottom_0 in layout["words"]:
            assert 0 <= x_0 < x_1 <= width and 0 <= top_0 < bottom_0 <= height
