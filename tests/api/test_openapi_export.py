"""The browser client's HTTP types come from the committed OpenAPI document: it must be live.

frontend/scripts/check-api-types.mjs (run by `make test`) checks the other half: that
frontend/src/types/api.ts is what openapi-typescript makes of that document.
"""

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "src" / "types" / "openapi.json"


def test_committed_openapi_document_is_the_live_one(tmp_path: Path) -> None:
    live = tmp_path / "openapi.json"
    call_command(
        "export_openapi_schema",
        api="opencontractserver.api.api.api",
        output=str(live),
        indent=2,
        sorted=True,
    )
    assert live.read_text() == COMMITTED.read_text(), (
        "frontend/src/types/openapi.json is stale: run `make api-types` and commit the result."
    )
