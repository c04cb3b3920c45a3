"""The WebSocket routes, where the Channels documentation looks for them.

`python manage.py shell -c "from config.routing import websocket_urlpatterns;
print(websocket_urlpatterns)"` lists them (docs/deployment.md, troubleshooting).
"""

from config.websocket.routing import websocket_urlpatterns

__all__ = ["websocket_urlpatterns"]
