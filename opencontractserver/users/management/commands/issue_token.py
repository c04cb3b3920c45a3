"""`manage.py issue_token USERNAME`: print an access token for scripts and WebSocket clients."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opencontractserver.users.models import User
from opencontractserver.users.tokens import issue_token


class Command(BaseCommand):
    help = (
        "Print an access token (JWT) for USERNAME on stdout, e.g. "
        "TOKEN=$(python manage.py issue_token demo). The expiry goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--ttl",
            type=int,
            default=None,
            help="Lifetime in seconds (default: settings.OC_TOKEN_TTL_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"No user named {username!r}. Create one with `manage.py createsuperuser` "
                "or run `manage.py seed_demo` for the demo user."
            )
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; activate it first.")
        ttl: int | None = options["ttl"]
        if ttl is not None and ttl <= 0:
            raise CommandError("--ttl must be a positive number of seconds.")
        token = issue_token(user, ttl_seconds=ttl)
        self.stdout.write(token.access)
        self.stderr.write(f"Expires at {token.expires_at.isoformat()}", ending="\n")
