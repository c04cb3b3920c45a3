from django.contrib import admin

from .models import ChatMessage, Conversation, ConversationShare


class ConversationShareInline(admin.TabularInline[ConversationShare, Conversation]):
    model = ConversationShare
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["id", "title", "creator", "chat_with_document", "chat_with_corpus", "created"]
    search_fields = ["title"]
    raw_id_fields = ["chat_with_document", "chat_with_corpus", "creator"]
    inlines = [ConversationShareInline]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin[ChatMessage]):
    list_display = ["id", "conversation", "msg_type", "state", "created"]
    list_filter = ["msg_type", "state"]
    raw_id_fields = ["conversation", "creator"]
    filter_horizontal = ["source_annotations"]
