"""The HTTP API's error codes are a closed set in its OpenAPI document, like the WebSocket's."""

from __future__ import annotations

from typing import get_args

from opencontractserver.api.api import api
from opencontractserver.api.errors import ErrorCode


def test_the_openapi_error_shape_lists_every_code_and_nothing_else() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    code = schema["components"]["schemas"]["ErrorOut"]["properties"]["code"]
    assert sorted(code["enum"]) == sorted(get_args(ErrorCode))
