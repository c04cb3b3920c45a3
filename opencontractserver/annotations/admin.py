from django.contrib import admin

from .models import Annotation, Note


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "page", "char_start", "char_end", "label", "structural"]
    list_filter = ["structural"]
    raw_id_fields = ["document", "creator"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "title", "creator", "created"]
    raw_id_fields = ["document", "creator"]
