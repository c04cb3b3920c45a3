from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "opencontractserver.annotations"
    label = "annotations"

    def ready(self) -> None:
        from opencontractserver.annotations import checks  # noqa: F401  (registers the check)
