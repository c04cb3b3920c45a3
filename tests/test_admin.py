"""Every model of ours is in the Django admin, and its list page renders for a superuser."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

OUR_MODELS = [
    model
    for model in apps.get_models()
    if model.__module__.startswith("opencontractserver.")
    and not model._meta.auto_created
    and not model.__name__.endswith("Share")  # edited inline on their corpus/document/conversation
]


def test_every_model_is_registered() -> None:
    missing = [model.__name__ for model in OUR_MODELS if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model.__name__)
def test_changelist_renders(model: type, private_document: object) -> None:
    superuser = User.objects.create_superuser("admin", password="admin-pass")
    client = Client()
    client.force_login(superuser)
    meta = model._meta  # type: ignore[attr-defined]
    response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert response.status_code == 200
