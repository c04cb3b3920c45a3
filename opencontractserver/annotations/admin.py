from django.contrib import admin
from django.http import HttpRequest

from .models import Annotation, Note, PassageEmbedding


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin[Annotation]):
    list_display = ["id", "document", "page", "char_start", "char_end", "label", "structural"]
    list_filter = ["structural"]
    raw_id_fields = ["document", "creator"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin[Note]):
    list_display = ["id", "document", "title", "creator", "created"]
    raw_id_fields = ["document", "creator"]


@admin.register(PassageEmbedding)
class PassageEmbeddingAdmin(admin.ModelAdmin[PassageEmbedding]):
    """Read-only: vectors are written by ingestion and `manage.py reembed`."""

    list_display = ["id", "annotation", "document", "embedder", "dimension"]
    list_filter = ["embedder", "dimension"]
    raw_id_fields = ["annotation", "document"]
    exclude = ["vector"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
