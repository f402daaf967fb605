"""A local web server for the tests: serves fixture bodies on 127.0.0.1 with ETag/Last-Modified,
latency, errors, redirects and oversized, chunked or gzip bodies on demand, and records every request.

Used by the source, pipeline, review, Airflow and reliability tests (``web`` fixture in
tests/conftest.py) and by the benchmarks' feed farm. Written for this project.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    """How one path answers. ``body`` may be changed between requests (``web.set``)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    conditional: bool = True
    redirect_to: str | None = None
    gzip: bool = False
    chunked: bool = False
    last_modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Hit:
    path: str
    method: str
    headers: dict[str, str]
    status: int
    at: float


class WebServer:
    """Start with :meth:`start` (or as a context manager); ``url(path)`` gives the address.
    ``host`` is the address to listen on (127.0.0.1 unless a test needs a non-loopback one)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.connections = 0  # TCP connections accepted (keep-alive reuse shows as fewer)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                path = self.path
                route = server.routes.get(path) or server.routes.get(path.split("?", 1)[0])
                status, body, headers = server._answer(route, self.headers)
                if route and route.delay_s:
                    time.sleep(route.delay_s)
                with server._lock:
                    server.hits.append(Hit(path, self.command, dict(self.headers.items()), status, time.time()))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                chunked = bool(route and route.chunked and status == 200)
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and status != 304:
                    try:
                        if chunked:
                            for start in range(0, len(body), 65536):
                                piece = body[start:start + 65536]
                                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                            self.wfile.write(b"0\r\n\r\n")
                        else:
                            self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def _answer(self, route: Route | None, req_headers) -> tuple[int, bytes, dict[str, str]]:
        if route is None:
            return 404, b"not found", {"Content-Type": "text/plain"}
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.redirect_to is not None:
            target = route.redirect_to
            if target.startswith("/"):
                target = self.url(target)
            headers["Location"] = target
            return route.status if 300 <= route.status < 400 else 302, b"", headers
        if route.status != 200:
            return route.status, route.body, headers
        last_modified = formatdate(route.last_modified, usegmt=True)
        if route.conditional:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = last_modified
            if req_headers.get("If-None-Match") == route.etag or (
                req_headers.get("If-None-Match") is None and req_headers.get("If-Modified-Since") == last_modified
            ):
                return 304, b"", {k: v for k, v in headers.items() if k != "Content-Type"}
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        return 200, body, headers

    # -- set-up
    def set(self, path: str, body: bytes | str | Path = b"", **options: object) -> str:
        """Serve ``body`` (bytes, text, or a file's contents) at ``path``; returns its URL."""
        if isinstance(body, Path):
            body = body.read_bytes()
        elif isinstance(body, str):
            body = body.encode("utf-8")
        old = self.routes.get(path)
        route = Route(body=body, **options)  # type: ignore[arg-type]
        if old is not None and old.body == body and "last_modified" not in options:
            route.last_modified = old.last_modified
        self.routes[path] = route
        return self.url(path)

    def url(self, path: str = "/") -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    # -- what happened
    def count(self, path: str | None = None, status: int | None = None) -> int:
        with self._lock:
            return sum(
                1 for h in self.hits if (path is None or h.path == path) and (status is None or h.status == status)
            )

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(h.status for h in self.hits)

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    # -- life
    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
