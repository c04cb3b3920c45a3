"""Log lines that always name the WebSocket session and the message they are about."""

from __future__ import annotations

import logging
import secrets


def new_session_id() -> str:
    return secrets.token_hex(4)


class SessionLog:
    """`log.info(message_id, "text %s", arg)` → `session=ab12cd34 message=17 text …`."""

    def __init__(self, logger: logging.Logger, session_id: str) -> None:
        self.logger = logger
        self.session_id = session_id

    def _log(
        self, level: int, message_id: int | None, msg: str, *args: object, exc_info: bool = False
    ) -> None:
        mid = "-" if message_id is None else str(message_id)
        self.logger.log(
            level,
            f"session=%s message=%s {msg}",
            self.session_id,
            mid,
            *args,
            exc_info=exc_info,
            # The ids as record attributes too, for LOG_FORMAT=json (config/logging_json.py).
            extra={"session": self.session_id, "message_id": message_id},
        )

    def info(self, message_id: int | None, msg: str, *args: object) -> None:
        self._log(logging.INFO, message_id, msg, *args)

    def warning(self, message_id: int | None, msg: str, *args: object) -> None:
        self._log(logging.WARNING, message_id, msg, *args)

    def exception(self, message_id: int | None, msg: str, *args: object) -> None:
        self._log(logging.ERROR, message_id, msg, *args, exc_info=True)
