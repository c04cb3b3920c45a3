from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opencontractserver.api"
    label = "api"
