from django.apps import AppConfig


class CorpusesConfig(AppConfig):
    name = "opencontractserver.corpuses"
    label = "corpuses"
