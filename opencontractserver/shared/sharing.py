"""Explicit per-user shares of an owned object, one service for every kind that has them.

Each kind describes itself once with a `Sharing` (its share model, the share's foreign key to
it, and its area's write check: `corpuses.services.writable_corpus`,
`documents.services.writable_document`); `shares` / `share` / `unshare` are the writes (and the
read) the HTTP API calls, each running that check first; refusals are `Refused`
(shared/refusals.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.db.models import QuerySet

from opencontractserver.users.models import User

from .models import Share, SharePermission
from .refusals import Refused, not_found

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


class Owned(Protocol):
    """An object with an owner (who needs no share)."""

    @property
    def pk(self) -> object: ...

    @property
    def creator_id(self) -> int: ...


ObjectT = TypeVar("ObjectT", bound=Owned)
ShareT = TypeVar("ShareT", bound=Share)


class CannotShareWithOwner(Refused):
    """The owner of an object already has every right on it."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid", message)


@dataclass(frozen=True)
class Sharing(Generic[ObjectT, ShareT]):
    """How one kind of object is shared: e.g. `Sharing(Corpus, CorpusShare, "corpus",
    writable_corpus)`, where "corpus" is the share model's foreign key to the shared object and
    `writable_corpus` the check of every change to a corpus."""

    object_model: type[ObjectT]  # the shared model (it also fixes ObjectT)
    share_model: type[ShareT]
    object_field: str
    check: Callable[[AnyUser, int], ObjectT]

    def __post_init__(self) -> None:
        self.share_model._meta.get_field(self.object_field)  # a typo fails at import

    @property
    def noun(self) -> str:
        """What the object is called in messages: its foreign key's name ("corpus")."""
        return self.object_field.replace("_", " ")

    # --- what the HTTP API calls: the check, then the change ----------------------------------

    def shares(self, caller: AnyUser, object_id: int) -> list[ShareT]:
        """Who the object is shared with (for those who may change it)."""
        return list(self.shares_of(self.check(caller, object_id)))

    def share(
        self, caller: AnyUser, object_id: int, username: str, permission: SharePermission
    ) -> ShareT:
        """Share the object with the named user (replacing an earlier share)."""
        return self.grant_by_username(self.check(caller, object_id), username, permission)

    def unshare(self, caller: AnyUser, object_id: int, username: str) -> None:
        """Withdraw the named user's share."""
        self.withdraw_by_username(self.check(caller, object_id), username)

    # --- on an object already checked -----------------------------------------------------------

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

    def grant_by_username(self, obj: ObjectT, username: str, permission: SharePermission) -> ShareT:
        """Grant the named active user access (`not_found` for an unknown user)."""
        target = User.objects.filter(username=username, is_active=True).first()
        if target is None:
            raise not_found("User", username)
        return self.grant(obj, target, permission)

    def withdraw_by_username(self, obj: ObjectT, username: str) -> None:
        """Withdraw the named user's share (`not_found` when there is none)."""
        share = self.shares_of(obj).filter(user__username=username).first()
        if share is None:
            raise Refused(
                "not_found", f"{self.noun.capitalize()} {obj.pk} is not shared with {username}."
            )
        self.withdraw(obj, share.user)
