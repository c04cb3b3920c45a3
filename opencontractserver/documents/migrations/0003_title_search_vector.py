"""Documents keep their title's tsvector (a stored generated column, GIN-indexed): search matches
a query against the titles in scope through the index instead of computing `to_tsvector` of every
title per search. PostgreSQL fills it for existing rows when the column is added, and keeps it
when a title changes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='title_search_vector',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.SearchVector('title', config='english'), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='document',
            index=django.contrib.postgres.indexes.GinIndex(fields=['title_search_vector'], name='document_title_search'),
        ),
    ]
