"""Refuses any API request carrying text the database cannot store (opencontractserver/shared/
text_input.py): a NUL or a lone surrogate in the path, a query parameter, a form field, an upload's
file name or a JSON body. One check for the whole API, before any view runs, so no field can be
forgotten; the answer is the API's 422 `validation_error`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.deprecation import MiddlewareMixin

from opencontractserver.api.errors import BODY_LIMITS, ApiError, error_response
from opencontractserver.shared.text_input import TextProblem, first_text_problem, text_problem

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class UnstorableTextMiddleware(MiddlewareMixin):
    """Answers 422 for a request under /api/ whose text input cannot be stored (a
    `MiddlewareMixin` hook: async views stay async behind it)."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        try:
            problem = request_text_problem(request)
        except BODY_LIMITS as exc:
            # Django's body limits, answered as the API answers them (reading the body
            # again in the view would find it already marked as unparseable).
            return error_response(exc)
        except MultiPartParserError as exc:
            return error_response(ApiError(400, "bad_request", f"Malformed form body: {exc}"))
        if problem is not None:
            message = f"Invalid request. {problem.describe()}."
            return error_response(ApiError(422, "validation_error", message))
        return None


def request_text_problem(request: HttpRequest) -> TextProblem | None:
    """The first unstorable text of the request, if any; reading a form body may raise Django's
    body-limit errors or MultiPartParserError."""
    problem = text_problem(request.path)
    if problem is not None:
        return TextProblem("path", problem)
    found = _pairs_problem("query", request.GET.lists())
    if found is not None:
        return found
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if content_type == "application/json":
        return _json_body_problem(request)
    if content_type in _FORM_TYPES:
        fields = list(request.POST.lists())
        names = [
            (f"{field}.name", [str(getattr(upload, "name", "") or "") for upload in uploads])
            for field, uploads in request.FILES.lists()
        ]
        return _pairs_problem("form", [*fields, *names])
    return None


def _pairs_problem(where: str, pairs: Iterable[tuple[str, list[str]]]) -> TextProblem | None:
    for name, values in pairs:
        problem = text_problem(name)
        if problem is not None:
            return TextProblem(where, problem)
        for value in values:
            problem = text_problem(value)
            if problem is not None:
                return TextProblem(f"{where}.{name}", problem)
    return None


def _json_body_problem(request: HttpRequest) -> TextProblem | None:
    try:
        decoded = json.loads(request.body)
    except RecursionError:
        return TextProblem("body", "the JSON nests too deeply")
    except ValueError:
        return None  # malformed JSON: the API's own 400 answers it
    problem = first_text_problem(decoded)
    if problem is None:
        return None
    return TextProblem(f"body.{problem.where}" if problem.where else "body", problem.problem)
