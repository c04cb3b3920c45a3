"""Pages served by Django itself: the browser app's index for each of its routes."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@lru_cache(maxsize=1)
def _built_index(path: Path) -> str | None:
    """The built app's index.html (read once per process), or None when it was not built."""
    return path.read_text(encoding="utf-8") if path.is_file() else None


@ensure_csrf_cookie
def app_index(request: HttpRequest) -> HttpResponse:
    """The browser app (frontend/dist/index.html); its router takes the URL from there.

    The CSRF cookie is set here so the app's first unsafe request (signing in) can send it back.
    Without a build (no Node at setup), a page that says how to build it.
    """
    html = _built_index(settings.OC_FRONTEND_INDEX)
    if html is None:
        return render(request, "landing.html", status=503)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-cache"  # the index names the current hashed assets
    return response
