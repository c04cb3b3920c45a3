"""Debian's nginx running compose's own site configuration (compose/nginx/templates/) in front of
test servers: rendered with the same variables the nginx image substitutes, the upload limit from
the same envsh script; only the upstream block (compose's names Docker's DNS) lists test ports."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.websocket.servers import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "compose" / "nginx" / "templates"
UPLOAD_LIMIT_SCRIPT = REPO / "compose" / "nginx" / "15-upload-limit.envsh"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
# The client's own loopback address, distinct from nginx's (127.0.0.1), to tell them apart.
CLIENT_ADDRESS = "127.0.0.2"


def nginx_binary() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise RuntimeError("nginx is not installed; `make test` installs it (make nginx).")


def client_max_body_size(max_upload_bytes: int) -> str:
    """What compose/nginx/15-upload-limit.envsh exports for this OC_MAX_UPLOAD_BYTES."""
    result = subprocess.run(
        ["sh", "-c", f'. "{UPLOAD_LIMIT_SCRIPT}" && printf %s "$OC_CLIENT_MAX_BODY_SIZE"'],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "OC_MAX_UPLOAD_BYTES": str(max_upload_bytes),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def render(template: Path, values: dict[str, str]) -> str:
    """envsubst as the nginx image runs it: only the named variables, every one of them."""
    text = template.read_text()
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    left = re.findall(r"\$\{OC_[A-Z_]+\}", text)
    assert not left, f"{template.name}: no value for {left}"
    return text


def self_signed_certificate(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return directory


@dataclass
class Nginx:
    workdir: Path
    upstreams: list[int]
    web_root: Path
    max_upload_bytes: int
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "nginx.log"

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.workdir / "tls" / "fullchain.pem"))

    def start(self) -> Nginx:
        tls = self_signed_certificate(self.workdir / "tls")
        site = render(
            TEMPLATES / "opencontracts.conf.template",
            {
                "OC_NGINX_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
                "OC_NGINX_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
                "OC_TLS_DIR": str(tls),
                "OC_WEB_ROOT": str(self.web_root),
                "OC_CLIENT_MAX_BODY_SIZE": client_max_body_size(self.max_upload_bytes),
            },
        )
        (self.workdir / "opencontracts.conf").write_text(site)
        servers = "".join(f"    server 127.0.0.1:{port};\n" for port in self.upstreams)
        temp = self.workdir / "temp"
        temp.mkdir(exist_ok=True)
        (self.workdir / "nginx.conf").write_text(
            "daemon off;\nuser root;\nworker_processes 1;\n"
            f"pid {self.workdir}/nginx.pid;\nerror_log {self.workdir}/error.log info;\n"
            "events { worker_connections 256; }\n"
            "http {\n    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            + "".join(
                f"    {kind}_temp_path {temp}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"    upstream app {{\n{servers}    }}\n"
            f"    include {self.workdir}/opencontracts.conf;\n}}\n"
        )
        args = [nginx_binary(), "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")]
        checked = subprocess.run([*args, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.https_port, self.process, self.workdir / "error.log")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        https: bool = True,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request from CLIENT_ADDRESS; (response, body)."""
        connection: http.client.HTTPConnection
        if https:
            connection = http.client.HTTPSConnection(
                "127.0.0.1",
                self.https_port,
                context=self.tls_context(),
                source_address=(CLIENT_ADDRESS, 0),
                timeout=30,
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, source_address=(CLIENT_ADDRESS, 0), timeout=30
            )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()
