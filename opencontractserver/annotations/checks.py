"""A system check: passages without vectors from the configured embedder (OC_EMBEDDER changed).

Vectors are stored under their embedder's name, and search compares only the configured
embedder's: after a change of `OC_EMBEDDER` (or an upgrade that changes what passages are embedded
with), passages embedded before are found by full text only until `manage.py reembed` has run.
`migrate` re-embeds the offline model's vectors itself (annotations/migrations/0005); for every
other embedder, re-embedding can take minutes (a CPU model) or send every passage to a provider,
so it is not done behind the operator's back: this check, which `migrate` and `manage.py check
--database default` run, names the command instead.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage, Tags, register
from django.db import connections

from opencontractserver.llms.embeddings import get_embedder

STALE_VECTORS = "annotations.W001"
UNLOADABLE_EMBEDDER = "annotations.W002"


@register(Tags.database)
def passages_lack_the_configured_embedders_vectors(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Warn when stored passages have no vector from the embedder OC_EMBEDDER names."""
    if not databases or "default" not in databases or not _tables_exist():
        return []
    try:
        embedder = get_embedder()
    except Exception as exc:  # a missing optional extra, a malformed model string
        return [
            checks.Warning(
                f"OC_EMBEDDER={settings.OC_EMBEDDER!r} cannot be loaded: {exc}",
                id=UNLOADABLE_EMBEDDER,
            )
        ]
    missing, embedded_with = missing_vectors_by_embedder(embedder.name)
    if not missing:
        return []
    before = f" (they have vectors from {', '.join(embedded_with)})" if embedded_with else ""
    return [
        checks.Warning(
            f"{missing} passages have no vector from the configured embedder {embedder.name}"
            f"{before}: search finds them by full text only.",
            hint="Run `python manage.py reembed` (add --prune to delete the other embedders'"
            " vectors); `make run` does it in its seed step.",
            id=STALE_VECTORS,
        )
    ]


def missing_vectors_by_embedder(embedder_name: str) -> tuple[int, list[str]]:
    """How many passages have no vector from `embedder_name` (as `manage.py reembed` counts
    them), and the embedders those passages have vectors from (none: never embedded)."""
    # Models through the registry: this module is imported with the app's config, before them.
    annotation = apps.get_model("annotations", "Annotation")
    passage_embedding = apps.get_model("annotations", "PassageEmbedding")
    missing = annotation.objects.filter(structural=True).exclude(embeddings__embedder=embedder_name)
    count = missing.count()
    if not count:
        return 0, []
    others = (
        passage_embedding.objects.filter(annotation__in=missing.values("pk"))
        .order_by("embedder")
        .values_list("embedder", flat=True)
        .distinct()
    )
    return count, list(others)


def _tables_exist() -> bool:
    """Before the first `migrate` there is nothing to check (and nothing to query)."""
    tables = set(connections["default"].introspection.table_names())
    return {"annotations_annotation", "annotations_passageembedding"} <= tables
