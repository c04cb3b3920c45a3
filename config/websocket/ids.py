"""Object ids in routes and frames: integer primary keys, or Relay global ids
(base64 of `DocumentType:<pk>`)."""

from __future__ import annotations

import base64
import binascii


def decode_object_id(raw: str | None, type_name: str) -> int | None:
    """The primary key `raw` names, or None when it is not an id of `type_name`."""
    if raw is None or raw == "":
        return None
    if raw.isdigit():
        return int(raw)
    try:
        padded = raw + "=" * (-len(raw) % 4)
        decoded = base64.b64decode(padded, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, pk = decoded.partition(":")
    if prefix != type_name or not pk.isdigit():
        return None
    return int(pk)
