"""A real HTTP server on 127.0.0.1 serving tests/data/web/, plus a few misbehaving routes."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/rss+xml",
    ".png": "image/png",
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        base = f"http://{self.headers.get('Host')}"
        if parts.path == "/redirect":
            self._send(302, b"", "text/plain", {"Location": query["to"][0]})
        elif parts.path == "/loop":
            self._send(302, b"", "text/plain", {"Location": "/loop"})
        elif parts.path == "/slow":
            time.sleep(float(query.get("s", ["3"])[0]))
            self._send(200, b"<html><body><p>late</p></body></html>", TYPES[".html"])
        elif parts.path == "/big":
            self._send(
                200, b"<html><body><p>" + b"a" * (3 << 20) + b"</p></body></html>", TYPES[".html"]
            )
        elif parts.path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, TYPES[".png"])
        else:
            f = WEB / parts.path.lstrip("/")
            if not f.is_file() or WEB not in f.resolve().parents:
                self._send(404, b"not found", "text/plain")
                return
            body = f.read_bytes()
            if f.suffix == ".xml":
                body = body.replace(b"{base}", base.encode())
            self._send(200, body, TYPES.get(f.suffix, "application/octet-stream"))


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose (size and time caps): not an error of the test server.
        pass


class Server:
    """Start with ``Server()``; ``.base`` is its URL; ``.close()`` stops it."""

    def __init__(self) -> None:
        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
