# HNSW indexes for the common embedding dimensions (see annotations/vector_indexes.py).
# 384: the offline default and all-MiniLM-L6-v2; 768: nomic/bge-base; 1024: bge-large/cohere;
# 1536: openai text-embedding-3-small.

from django.db import migrations

DIMENSIONS = (384, 768, 1024, 1536)


def _create(dim):
    return (
        f"CREATE INDEX IF NOT EXISTS passage_embedding_hnsw_{dim} ON annotations_passageembedding "
        f"USING hnsw ((vector::vector({dim})) vector_cosine_ops) WHERE dimension = {dim}"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0003_passage_search"),
    ]

    operations = [
        migrations.RunSQL(
            sql=_create(dim), reverse_sql=f"DROP INDEX IF EXISTS passage_embedding_hnsw_{dim}"
        )
        for dim in DIMENSIONS
    ]
