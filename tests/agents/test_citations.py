"""Citation numbering and the stream filter that keeps only citations of sent sources."""

from __future__ import annotations

from opencontractserver.annotations.sources import Source
from opencontractserver.llms.agents.citations import CitationFilter, CitationRegistry, cited_numbers


def source(annotation_id: int) -> Source:
    return Source(
        annotation_id=annotation_id,
        document_id=1,
        page=1,
        char_start=0,
        char_end=1,
        rawText="x",
        score=1.0,
    )


def test_sources_are_numbered_in_first_seen_order_and_sent_once() -> None:
    registry = CitationRegistry()
    assert [registry.cite(source(a)) for a in (10, 20, 10, 30)] == [1, 2, 1, 3]
    assert [s.annotation_id for s in registry.take_unsent()] == [10, 20, 30]
    assert registry.take_unsent() == []
    assert registry.cite(source(20)) == 2
    assert registry.take_unsent() == []


def test_a_restored_registry_continues_the_numbering() -> None:
    registry = CitationRegistry([10, 20])
    assert registry.sent_count == 2
    assert registry.cite(source(30)) == 3
    assert registry.annotation_ids() == [10, 20, 30]


def stream_through(pieces: list[str], sent: int) -> str:
    registry = CitationRegistry(list(range(1, sent + 1)))
    citation_filter = CitationFilter(registry)
    return "".join(citation_filter.feed(p) for p in pieces) + citation_filter.flush()


def test_filter_keeps_sent_citations_even_when_split_across_deltas() -> None:
    assert stream_through(["Rent [", "1", "] and fee [2, ", "1]."], sent=2) == (
        "Rent [1] and fee [2, 1]."
    )


def test_filter_drops_citations_of_sources_never_sent() -> None:
    assert stream_through(["A [3] B [1; 4] C [0]"], sent=1) == "A  B [1] C "


def test_filter_leaves_other_brackets_alone() -> None:
    text = "See [Schedule A] and [a [1] and an open [bracket"
    assert stream_through([text[:9], text[9:30], text[30:]], sent=1) == text


def test_cited_numbers_lists_every_marker() -> None:
    assert cited_numbers("a [1] b [2, 3] c [x] d [1]") == [1, 2, 3, 1]
