"""The one typed refusal every service check raises, and the two checks every write starts with.

A write service first resolves its object for the caller and authorizes it (`readable` /
`writable`), then does the change; both the HTTP API and the agent tools call the same service.
The API answers a `Refused` with its status (api/errors.py); a tool tells the model its message.
Something the caller may not see is refused exactly like something missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from django.db.models import Model, QuerySet

from opencontractserver.users.models import User

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser

RefusalCode = Literal["not_found", "permission_denied", "invalid"]

M = TypeVar("M", bound=Model)


class Refused(Exception):
    """A change (or read) that is not made; `code` is stable, the message safe to show anyone
    who asked (it never reveals an object they may not see)."""

    def __init__(self, code: RefusalCode, message: str) -> None:
        super().__init__(message)
        self.code: RefusalCode = code
        self.message = message


def not_found(what: str, pk: int | str) -> Refused:
    """The refusal for an object that is missing or not visible: the two are indistinguishable."""
    return Refused("not_found", f"{what} {pk} was not found.")


def readable(visible: QuerySet[M], what: str, pk: int) -> M:
    """The object `pk` of `visible` (a `visible_to(user)` queryset), else `not_found`."""
    obj = visible.filter(pk=pk).first()
    if obj is None:
        raise not_found(what, pk)
    return obj


def writable(visible: QuerySet[M], writable_by: QuerySet[M], what: str, pk: int) -> M:
    """The object `pk` if the caller may change it; `not_found` if they cannot even see it, else
    `permission_denied`."""
    obj = writable_by.filter(pk=pk).first()
    if obj is not None:
        return obj
    if visible.filter(pk=pk).exists():
        raise Refused("permission_denied", f"You may read {what.lower()} {pk} but not change it.")
    raise not_found(what, pk)


def author(user: AnyUser) -> User:
    """The signed-in user who makes a change (anonymous users make none)."""
    if not isinstance(user, User):
        raise Refused("permission_denied", "Only signed-in users can make changes.")
    return user
