"""Re-embed the offline default's vectors: `offline:hashed-ngrams-v1` became `-v2`.

v2 weighs common contract words less and knows a few more synonyms (llms/embeddings.py,
llms/synonyms.py). Search only compares vectors of the configured embedder, so v1 vectors would
leave every existing passage findable by full text only until `manage.py reembed`. This replaces
each v1 vector by its v2 vector (v1 can no longer be computed, so its rows are deleted). Vectors of
other embedders are untouched. Going back deletes the v2 vectors; `manage.py reembed` under the
older code fills them in again.
"""

from django.db import migrations

OLD = "offline:hashed-ngrams-v1"
NEW = "offline:hashed-ngrams-v2"
BATCH = 500


def reembed_v1_vectors(apps, schema_editor):
    from opencontractserver.llms.embeddings import HashedNgramEmbeddingModel

    model = HashedNgramEmbeddingModel()
    if f"{model.system}:{model.model_name}" != NEW:
        return  # a later version's own migration takes over
    PassageEmbedding = apps.get_model("annotations", "PassageEmbedding")
    Annotation = apps.get_model("annotations", "Annotation")
    while True:
        old = list(
            PassageEmbedding.objects.filter(embedder=OLD)
            .order_by("pk")
            .values_list("pk", "annotation_id", "document_id")[:BATCH]
        )
        if not old:
            return
        texts = dict(
            Annotation.objects.filter(pk__in=[a for _, a, _ in old]).values_list("pk", "raw_text")
        )
        vectors = model.vectors([texts[a] for _, a, _ in old])
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


def drop_v2_vectors(apps, schema_editor):
    apps.get_model("annotations", "PassageEmbedding").objects.filter(embedder=NEW).delete()


class Migration(migrations.Migration):
    dependencies = [("annotations", "0004_passage_vector_indexes")]

    operations = [migrations.RunPython(reembed_v1_vectors, drop_v2_vectors)]
