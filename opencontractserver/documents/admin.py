from django.contrib import admin

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
