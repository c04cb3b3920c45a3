from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opencontractserver.annotations.embedding_store import retitle_document
from opencontractserver.llms.embeddings import get_embedder

from .models import Document, DocumentShare


class DocumentShareInline(admin.TabularInline[DocumentShare, Document]):
    model = DocumentShare
    extra = 0


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["id", "title", "mime_type", "status", "creator", "is_public", "created"]
    list_filter = ["status", "mime_type", "is_public"]
    search_fields = ["title"]
    inlines = [DocumentShareInline]

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        """A changed title re-embeds the passages (they are embedded with their title)."""
        title_changed = change and "title" in form.changed_data
        title = obj.title
        super().save_model(request, obj, form, change)
        if title_changed:
            retitle_document(obj, title, get_embedder())
