"""Explicit per-user shares of an owned object, one service for every kind that has them.

Each kind describes itself once with a `Sharing` (its noun, its share model and the share's
foreign key to it); grant/withdraw/list are the same for all. Callers authorize first (the API
checks `writable_by` on the object).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.db.models import QuerySet

from opencontractserver.users.models import User

from .models import Share, SharePermission


class Owned(Protocol):
    """An object with an owner (who needs no share)."""

    @property
    def pk(self) -> object: ...

    @property
    def creator_id(self) -> int: ...


ObjectT = TypeVar("ObjectT", bound=Owned)
ShareT = TypeVar("ShareT", bound=Share)


class CannotShareWithOwner(Exception):
    """The owner of an object already has every right on it."""


@dataclass(frozen=True)
class Sharing(Generic[ObjectT, ShareT]):
    """How one kind of object is shared: e.g. `Sharing(Corpus, CorpusShare, "corpus")`, where
    "corpus" is the share model's foreign key to the shared object."""

    object_model: type[ObjectT]  # the shared model (it also fixes ObjectT)
    share_model: type[ShareT]
    object_field: str

    def __post_init__(self) -> None:
        self.share_model._meta.get_field(self.object_field)  # a typo fails at import

    @property
    def noun(self) -> str:
        """What the object is called in messages: its foreign key's name ("corpus")."""
        return self.object_field.replace("_", " ")

    def shares_of(self, obj: ObjectT) -> QuerySet[ShareT]:
        """The object's shares with their users, by username."""
        return (
            self.share_model._default_manager.filter(**{self.object_field: obj})
            .select_related("user")
            .order_by("user__username")
        )

    def grant(self, obj: ObjectT, user: User, permission: SharePermission) -> ShareT:
        """Grant `user` read or write access (replacing an earlier grant)."""
        if user.pk == obj.creator_id:
            raise CannotShareWithOwner(f"{user.username} owns this {self.noun} already.")
        match: dict[str, Any] = {self.object_field: obj, "user": user}
        share, _ = self.share_model._default_manager.update_or_create(
            defaults={"permission": permission}, **match
        )
        return share

    def withdraw(self, obj: ObjectT, user: User) -> None:
        """Withdraw `user`'s grant, if any."""
        self.share_model._default_manager.filter(**{self.object_field: obj, "user": user}).delete()
