"""`manage.py issue_token USERNAME`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opencontractserver.users.models import User
from opencontractserver.users.tokens import user_for_token

pytestmark = pytest.mark.django_db


def test_prints_a_token_that_authenticates_the_user(owner: User) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_token", "owner", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert "\n" not in token
    assert user_for_token(token) == owner
    assert err.getvalue().startswith("Expires at ")


def test_token_works_against_the_api(owner: User) -> None:
    from django.test import Client

    out = StringIO()
    call_command("issue_token", "owner", stdout=out, stderr=StringIO())
    response = Client().get(
        "/api/me", headers={"Authorization": f"Bearer {out.getvalue().strip()}"}
    )
    assert response.json()["username"] == "owner"


def test_unknown_user_is_a_clear_error(db: None) -> None:
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("issue_token", "ghost", stdout=StringIO(), stderr=StringIO())


def test_inactive_user_gets_no_token(owner: User) -> None:
    owner.is_active = False
    owner.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("issue_token", "owner", stdout=StringIO(), stderr=StringIO())


def test_custom_lifetime(owner: User) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_token", "owner", "--ttl", "60", stdout=out, stderr=err)
    assert user_for_token(out.getvalue().strip()) == owner
    with pytest.raises(CommandError, match="positive"):
        call_command("issue_token", "owner", "--ttl", "0", stdout=out, stderr=err)
