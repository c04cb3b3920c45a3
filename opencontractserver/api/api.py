"""The HTTP API (django-ninja): thin views over service functions; OpenAPI at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="OpenContracts Chat API", version="1.0.0", urls_namespace="api")
api.add_router("/", "opencontractserver.api.routers.search.router")
