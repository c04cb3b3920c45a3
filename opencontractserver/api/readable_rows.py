"""What the HTTP API lists and shows of a kind of object: the rows a user may read, each with
its creator and whether that user may change it (`can_write`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Model, OuterRef

from opencontractserver.permissions import AnyUser


def readable_rows(model: type[Model], user: AnyUser, **annotations: Any) -> Any:
    """`model`'s rows `user` may read, with `creator`, `can_write` and `annotations`."""
    manager: Any = model._default_manager
    writable = manager.writable_by(user).filter(pk=OuterRef("pk"))
    return (
        manager.visible_to(user)
        .select_related("creator")
        .annotate(**annotations, can_write=Exists(writable))
    )
