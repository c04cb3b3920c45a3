"""ASGI entry point: HTTP goes to Django, WebSockets through our auth middleware to the router."""

import gc
import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from config.daphne_requests import leave_form_bodies_to_the_application  # noqa: E402
from config.daphne_writes import send_writes_at_once  # noqa: E402
from config.websocket.application import (  # noqa: E402
    settle_turns_of_dead_processes,
    websocket_application,
)
from config.websocket.oversize_messages import close_oversize_messages_with_1009  # noqa: E402
from config.websocket.shutdown import install_graceful_shutdown  # noqa: E402
from opencontractserver.api.middleware import EarlyUploadSizeGuard  # noqa: E402
from opencontractserver.documents.ingestion.memory import keep_large_blocks_mapped  # noqa: E402

logger = logging.getLogger("config.asgi")
if not settings.REDIS_URL:
    logger.info(
        "REDIS_URL is not set: in-memory channel layer, single-process mode "
        "(run one server process; set REDIS_URL to fan out across processes)."
    )

settle_turns_of_dead_processes()
install_graceful_shutdown()  # SIGTERM: finish or save the running turns, then exit
close_oversize_messages_with_1009()

application = ProtocolTypeRouter(
    {"http": EarlyUploadSizeGuard(django_asgi_app), "websocket": websocket_application()}
)

keep_large_blocks_mapped()  # a large upload's freed buffers go back to the OS at once
leave_form_bodies_to_the_application()  # daphne does not parse an upload's body into objects
send_writes_at_once()  # a frame to an idle socket is sent in `write`, not a loop turn later

# Everything loaded by now lives as long as the process: take it out of the garbage collector's
# sight. A full collection, which any thread's allocations can trigger (an ingestion's batches),
# otherwise walks these ~230,000 objects holding the GIL (0.35 s on this machine, seconds under
# load): every request of the process waited (docs/performance.md, "Ingestion under load").
gc.freeze()
