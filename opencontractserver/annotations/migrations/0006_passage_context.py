"""Passages carry their context: the heading they sit under is stored, indexed and embedded.

- `Annotation.context` is filled for every structural passage from its document's text
  (documents/ingestion/headings.py); stored text and offsets do not change.
- `search_vector` is rebuilt over the passage and its heading (PostgreSQL cannot alter a
  generated column's expression: it is dropped and added again, with its GIN index).
- The offline default's vectors are re-embedded with the title and heading
  (`offline:hashed-ngrams-v2` -> `offline:hashed-ngrams-v2+context-v1`). Vectors of other
  embedders are left as they were; search ignores them until `manage.py reembed` has made the
  new ones (full text still finds those passages meanwhile).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

OLD = "offline:hashed-ngrams-v2"
NEW = "offline:hashed-ngrams-v2+context-v1"
BATCH = 500


def fill_context(apps, schema_editor):
    from opencontractserver.documents.ingestion.headings import section_headings

    Annotation = apps.get_model("annotations", "Annotation")
    Document = apps.get_model("documents", "Document")
    with_passages = Annotation.objects.filter(structural=True).values("document_id").distinct()
    for document in Document.objects.filter(pk__in=with_passages).only("pk", "text").iterator():
        passages = list(
            Annotation.objects.filter(document_id=document.pk, structural=True).only(
                "pk", "char_start", "context"
            )
        )
        headings = section_headings(document.text, [a.char_start for a in passages])
        for annotation, heading in zip(passages, headings, strict=True):
            annotation.context = heading[:200]
        Annotation.objects.bulk_update(passages, ["context"], batch_size=BATCH)


def reembed_offline_vectors(apps, schema_editor):
    from opencontractserver.annotations.passage_context import embedding_text
    from opencontractserver.llms.embeddings import HashedNgramEmbeddingModel, build_embedder

    if build_embedder("").name != NEW:
        return  # a later version's own migration takes over
    model = HashedNgramEmbeddingModel()
    PassageEmbedding = apps.get_model("annotations", "PassageEmbedding")
    Annotation = apps.get_model("annotations", "Annotation")
    Document = apps.get_model("documents", "Document")
    while True:
        old = list(
            PassageEmbedding.objects.filter(embedder=OLD)
            .order_by("pk")
            .values_list("pk", "annotation_id", "document_id")[:BATCH]
        )
        if not old:
            return
        passages = {
            a.pk: a
            for a in Annotation.objects.filter(pk__in=[a for _, a, _ in old]).only(
                "pk", "raw_text", "context"
            )
        }
        titles = dict(
            Document.objects.filter(pk__in={d for _, _, d in old}).values_list("pk", "title")
        )
        vectors = model.vectors(
            [
                embedding_text(titles[d], passages[a].context, passages[a].raw_text)
                for _, a, d in old
            ]
        )
        PassageEmbedding.objects.bulk_create(
            [
                PassageEmbedding(
                    annotation_id=a, document_id=d, embedder=NEW, dimension=len(v), vector=v
                )
                for (_, a, d), v in zip(old, vectors, strict=True)
            ],
            ignore_conflicts=True,
        )
        PassageEmbedding.objects.filter(pk__in=[pk for pk, _, _ in old]).delete()


def drop_context_vectors(apps, schema_editor):
    apps.get_model("annotations", "PassageEmbedding").objects.filter(embedder=NEW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0005_offline_embedder_v2"),
        ("documents", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="context",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.RunPython(fill_context, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="annotation", name="annotation_search_vector"),
        migrations.RemoveField(model_name="annotation", name="search_vector"),
        migrations.AddField(
            model_name="annotation",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    "raw_text", "context", config="english"
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="annotation_search_vector"
            ),
        ),
        migrations.RunPython(reembed_offline_vectors, drop_context_vectors),
    ]
