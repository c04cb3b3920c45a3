"""The one paging shape {items, count, page, page_size} and its bounds."""

from __future__ import annotations

import pytest

from opencontractserver.corpuses.models import Corpus
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_five_corpora(owner: User) -> list[int]:
    return [Corpus.objects.create(title=f"Corpus {i:02d}", creator=owner).pk for i in range(25)]


def test_pages_split_the_list_newest_first(owner: User, twenty_five_corpora: list[int]) -> None:
    client = ApiClient(owner)
    seen: list[int] = []
    for page, size in ((1, 10), (2, 10), (3, 5)):
        body = client.get("/api/corpuses", {"page": page, "page_size": 10}).json()
        assert body["count"] == 25
        assert body["page"] == page and body["page_size"] == 10
        assert len(body["items"]) == size
        seen += [item["id"] for item in body["items"]]
    assert seen == list(reversed(twenty_five_corpora))


def test_page_past_the_end_is_empty_with_the_true_count(
    owner: User, twenty_five_corpora: list[int]
) -> None:
    body = ApiClient(owner).get("/api/corpuses", {"page": 4, "page_size": 10}).json()
    assert body == {"items": [], "count": 25, "page": 4, "page_size": 10}


def test_default_page_size_is_twenty(owner: User, twenty_five_corpora: list[int]) -> None:
    body = ApiClient(owner).get("/api/corpuses").json()
    assert (body["page"], body["page_size"], len(body["items"])) == (1, 20, 20)


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": -1}, {"page_size": 0}, {"page_size": 101}, {"page": "two"}],
)
def test_out_of_bounds_paging_is_a_validation_error(owner: User, params: dict[str, object]) -> None:
    response = ApiClient(owner).get("/api/corpuses", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert next(iter(params)) in body["message"]


def test_search_narrows_the_count(owner: User, twenty_five_corpora: list[int]) -> None:
    body = ApiClient(owner).get("/api/corpuses", {"search": "corpus 1"}).json()
    assert body["count"] == 10
