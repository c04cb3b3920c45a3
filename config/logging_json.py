"""LOG_FORMAT=json: one JSON object per line and event, for log collectors.

Fields: `time` (UTC, ISO 8601), `level`, `logger`, `message` (formatted, so the readable
`session=… message=…` prefix of chat lines stays greppable), and on chat lines `session` and
`message_id` as fields of their own (config/websocket/session_log.py passes them); `exception`
holds a traceback, escaped into the same line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# Attributes config/websocket/session_log.py sets through `extra`.
CHAT_FIELDS = ("session", "message_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CHAT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                event[name] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=False, default=str)
