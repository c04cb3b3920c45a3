"""ASGI entry point: HTTP goes to Django, WebSockets through auth middleware to the router."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.websocket.routing import websocket_urlpatterns  # noqa: E402

logger = logging.getLogger("config.asgi")
if not settings.REDIS_URL:
    logger.info(
        "REDIS_URL is not set: in-memory channel layer, single-process mode "
        "(run one server process; set REDIS_URL to fan out across processes)."
    )

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
