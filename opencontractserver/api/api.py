"""The HTTP API (django-ninja): thin views over service functions; OpenAPI at /api/docs.

Every endpoint accepts `Authorization: Bearer <access>` or the browser session (with CSRF on
unsafe methods); see opencontractserver/api/auth.py. Errors: opencontractserver/api/errors.py.
"""

from ninja import NinjaAPI

from opencontractserver.api.auth import AUTH_REQUIRED
from opencontractserver.api.errors import install_error_handlers
from opencontractserver.api.routers import auth, conversations, corpuses, documents, search

api = NinjaAPI(
    title="OpenContracts Chat API",
    version="1.0.0",
    description=(
        "Documents, corpora and conversations. Authenticate with a Bearer token from "
        "POST /api/auth/token (or `manage.py issue_token USERNAME`), or with the browser session. "
        'Errors are JSON {"code", "message"}; lists are {items, count, page, page_size}.'
    ),
    urls_namespace="api",
    auth=AUTH_REQUIRED,
)
install_error_handlers(api)

api.add_router("/", auth.router)
api.add_router("/", corpuses.router)
api.add_router("/", documents.router)
api.add_router("/", conversations.router)
api.add_router("/", search.router)
