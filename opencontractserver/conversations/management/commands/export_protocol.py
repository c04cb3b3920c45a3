"""Write the protocol's JSON schema and TypeScript types (frontend/src/types/) from protocol.py."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.websocket.protocol_export import (
    SCHEMA_FILE,
    TYPESCRIPT_FILE,
    protocol_schema_json,
    protocol_typescript,
    write_protocol_files,
)


class Command(BaseCommand):
    help = "Generate frontend/src/types/protocol.ts and protocol.schema.json from protocol.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the files are stale")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            stale = [
                str(path)
                for path, text in (
                    (SCHEMA_FILE, protocol_schema_json()),
                    (TYPESCRIPT_FILE, protocol_typescript()),
                )
                if not path.exists() or path.read_text() != text
            ]
            if stale:
                raise CommandError(f"stale: {', '.join(stale)}; run `manage.py export_protocol`")
            self.stdout.write("protocol files are up to date")
            return
        for path in write_protocol_files():
            self.stdout.write(f"wrote {path}")
