"""Pages served by Django itself (the React frontend arrives later)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    """A small start page linking to the API docs, the admin and login."""
    return render(request, "landing.html")
