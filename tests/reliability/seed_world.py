"""`python -m tests.reliability.seed_world` (with DATABASE_URL): a user, an access token and a
document, printed as one JSON line, for tests that run daphne on their own database."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from opencontractserver.documents.models import Document
    from opencontractserver.users.models import User
    from opencontractserver.users.tokens import issue_token

    user = User.objects.create_user("fault-user", password="fault-pass")
    document = Document.objects.create(
        title="Lease",
        creator=user,
        text="The tenant shall pay rent monthly.",
        mime_type="text/plain",
    )
    print(json.dumps({"token": issue_token(user).access, "document_id": document.pk}))


if __name__ == "__main__":
    main()
