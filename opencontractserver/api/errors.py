"""Every API error is JSON `{"code": <stable string>, "message": <human text>}`.

`code` is what clients branch on; `message` is for people. A missing object and one the caller may
not see produce the very same 404 body.
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from opencontractserver.documents.services import UploadRejected, human_size
from opencontractserver.shared.refusals import RefusalCode, Refused

ErrorCode = Literal[
    "not_authenticated",
    "invalid_credentials",
    "token_expired",
    "token_invalid",
    "csrf_failed",
    "permission_denied",
    "not_found",
    "validation_error",
    "file_too_large",
    "empty_file",
    "unsupported_file_type",
    "invalid_file_content",
    "bad_request",
    "method_not_allowed",
    "invalid_query",
    "scope_required",
    "invalid_limit",
]

_CODES_BY_STATUS: dict[int, ErrorCode] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    413: "file_too_large",
    422: "validation_error",
}


class ApiError(Exception):
    """An error the API reports to the client as-is."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# How a service's refusal (shared/refusals.py) answers over HTTP.
_REFUSALS: dict[RefusalCode, tuple[int, ErrorCode]] = {
    "not_found": (404, "not_found"),
    "permission_denied": (403, "permission_denied"),
    "invalid": (422, "validation_error"),
}


def _describe_validation_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("", None)]
        if len(loc) > 2 and loc[0] == "body":
            del loc[1]  # the view's parameter name ("payload") means nothing to the client
        location = ".".join(loc)
        message = str(error.get("msg", "is invalid"))
        parts.append(f"{location}: {message}" if location else message)
    return "Invalid request. " + "; ".join(parts) if parts else "Invalid request."


_NOT_AUTHENTICATED = (
    "Authentication required: send 'Authorization: Bearer <access token>' "
    "(from POST /api/auth/token) or log in at /accounts/login/."
)


def describe_error(exc: object) -> tuple[int, str, str]:
    """(HTTP status, code, message) for an exception raised while serving the API."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, Refused):
        status, code = _REFUSALS[exc.code]
        return status, code, exc.message
    if isinstance(exc, UploadRejected):
        return (413 if exc.code == "file_too_large" else 422), exc.code, str(exc)
    if isinstance(exc, AuthenticationError):
        return 401, "not_authenticated", _NOT_AUTHENTICATED
    if isinstance(exc, ValidationError):
        return 422, "validation_error", _describe_validation_errors(exc)
    if isinstance(exc, Http404):
        return 404, "not_found", "Not found."
    if isinstance(exc, HttpError):
        return exc.status_code, _CODES_BY_STATUS.get(exc.status_code, "bad_request"), str(exc)
    if isinstance(exc, RequestDataTooBig):
        limit = human_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return 413, "file_too_large", f"The request body is too large; the limit is {limit}."
    if isinstance(exc, TooManyFieldsSent):
        fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, "bad_request", f"The request has too many form fields; the limit is {fields}."
    if isinstance(exc, TooManyFilesSent):
        files = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return 400, "bad_request", f"The request has too many files; the limit is {files}."
    raise TypeError(f"No API error description for {type(exc).__name__}")


# Django's own limits on a request body (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_*).
BODY_LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
HANDLED = (
    ApiError,
    Refused,
    UploadRejected,
    AuthenticationError,
    ValidationError,
    Http404,
    HttpError,
    *BODY_LIMITS,
)


def error_response(exc: object) -> JsonResponse:
    """The `{code, message}` response for `exc`, for code that runs outside django-ninja."""
    status, code, message = describe_error(exc)
    return JsonResponse({"code": code, "message": message}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error the API can raise answer with the `{code, message}` shape."""

    def respond(request: HttpRequest, exc: object) -> HttpResponse:
        status, code, message = describe_error(exc)
        return api.create_response(request, {"code": code, "message": message}, status=status)

    for exception_class in HANDLED:
        api.add_exception_handler(exception_class, respond)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (`handler400`: a suspicious request, e.g. a Host header that is not allowed or
    not a host name, refused before any view runs): `{code, message}` under /api/, Django's
    page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "bad_request", "message": "Bad request (refused before it reached the API)."},
            status=400,
        )
    return defaults.bad_request(request, exception or Exception())


def unknown_api_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """The JSON 404 for a path under /api/ that names no endpoint."""
    return JsonResponse(
        {"code": "not_found", "message": f"No API endpoint at {request.path}; see /api/docs."},
        status=404,
    )
