"""`manage.py seed_demo`: the demo user, the public "Demo contracts" corpus and its documents."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opencontractserver.documents.seeding import DEMO_CORPUS_TITLE, seed_demo


class Command(BaseCommand):
    help = (
        "Create (idempotently) the demo user, the public corpus 'Demo contracts' and its sample "
        "documents, ingested and ready. Login from OC_DEMO_USERNAME / OC_DEMO_PASSWORD."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_demo(settings.OC_DEMO_USERNAME, settings.OC_DEMO_PASSWORD)
        made = [
            *(["user"] if report.user_created else []),
            *(["corpus"] if report.corpus_created else []),
            *(f"document '{title}'" for title in report.documents_created),
        ]
        if made:
            self.stdout.write(self.style.SUCCESS("Demo created: " + ", ".join(made) + "."))
        else:
            self.stdout.write("Demo already present: nothing new created.")
        if report.password_reset:
            self.stdout.write("Demo password reset to the configured OC_DEMO_PASSWORD.")
        if report.passages_embedded:
            self.stdout.write(
                f"Embedded {report.passages_embedded} stored passages with the configured embedder."
            )
        for title in report.documents_ingested:
            self.stdout.write(f"Ingested '{title}'.")
        self.stdout.write(
            f"Demo login: username '{report.username}', password '{report.password}' "
            f"(corpus '{DEMO_CORPUS_TITLE}')."
        )
        if not settings.DEBUG and report.password == "demo-password":
            self.stderr.write(
                self.style.WARNING(
                    "The demo user has the default password; set OC_DEMO_PASSWORD in production."
                )
            )
        if report.documents_failed:
            raise CommandError("Ingestion failed for: " + "; ".join(report.documents_failed))
