from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "opencontractserver.conversations"
    label = "conversations"
