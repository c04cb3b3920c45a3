from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "opencontractserver.annotations"
    label = "annotations"
