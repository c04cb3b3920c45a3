from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "opencontractserver.documents"
    label = "documents"
