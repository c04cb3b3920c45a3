"""`python -m config.health_probe [PATH] [PORT]`: exit 0 when this container's server answers
PATH (default /readyz) with 200, else 1. The compose healthchecks run it (the slim image has no
curl); it needs neither Django nor settings, so it is fast and works before migrations.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request


def probe(path: str = "/readyz", port: int = 8000, timeout: float = 5.0) -> int:
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = response.status
            body = response.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    print(f"{url}: {status} {body}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(probe(args[0] if args else "/readyz", int(args[1]) if len(args) > 1 else 8000))
