from django.apps import AppConfig

# Imported for its system check (passages lacking the configured embedder's vectors).
from opencontractserver.annotations import checks  # noqa: F401


class AnnotationsConfig(AppConfig):
    name = "opencontractserver.annotations"
    label = "annotations"
