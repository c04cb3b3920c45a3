"""Fixtures for ingestion and search: stored uploads in a temporary media folder (the files
themselves are made with tests/support/made_files.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.made_files import MakeDocument


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Uploads of these tests go to a temporary folder."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def make_document(owner: User) -> MakeDocument:
    """A stored upload owned by `owner` (not yet ingested)."""

    def make(
        data: bytes,
        name: str,
        mime_type: str = "text/plain",
        creator: User | None = None,
        is_public: bool = False,
    ) -> Document:
        document = Document.objects.create(
            title=name, creator=creator or owner, mime_type=mime_type, is_public=is_public
        )
        document.file.save(name, ContentFile(data), save=True)
        return document

    return make
