from django.apps import AppConfig


class LlmsConfig(AppConfig):
    name = "opencontractserver.llms"
    label = "llms"
