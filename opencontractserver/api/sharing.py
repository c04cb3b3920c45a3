"""The bodies of the share endpoints, one for every shared kind (corpora, documents).

The routers keep their own endpoints (paths, names, OpenAPI docs) and authorize the object;
these take it from there.
"""

from __future__ import annotations

from opencontractserver.api.errors import ApiError
from opencontractserver.api.schemas import ShareIn
from opencontractserver.shared.models import SharePermission
from opencontractserver.shared.sharing import CannotShareWithOwner, ObjectT, ShareT, Sharing
from opencontractserver.users.models import User


def list_shares(sharing: Sharing[ObjectT, ShareT], obj: ObjectT) -> list[ShareT]:
    return list(sharing.shares_of(obj))


def share_by_username(sharing: Sharing[ObjectT, ShareT], obj: ObjectT, payload: ShareIn) -> ShareT:
    """Grant the named active user access: 404 for an unknown user, 422 for the owner."""
    target = User.objects.filter(username=payload.username, is_active=True).first()
    if target is None:
        raise ApiError(404, "not_found", f"User {payload.username} was not found.")
    try:
        return sharing.grant(obj, target, SharePermission(payload.permission))
    except CannotShareWithOwner as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc


def unshare_by_username(sharing: Sharing[ObjectT, ShareT], obj: ObjectT, username: str) -> None:
    """Withdraw the named user's share: 404 when there is none."""
    share = sharing.shares_of(obj).filter(user__username=username).first()
    if share is None:
        raise ApiError(
            404, "not_found", f"{sharing.noun.capitalize()} {obj.pk} is not shared with {username}."
        )
    sharing.withdraw(obj, share.user)
