from django.contrib import admin

from .models import Corpus, CorpusShare


class CorpusShareInline(admin.TabularInline[CorpusShare, Corpus]):
    model = CorpusShare
    extra = 0


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin[Corpus]):
    list_display = ["id", "title", "creator", "is_public", "llm_model", "created"]
    search_fields = ["title"]
    filter_horizontal = ["documents"]
    inlines = [CorpusShareInline]
