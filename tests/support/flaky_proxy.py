"""An HTTP proxy on 127.0.0.1 in front of a real server (osmem-server in the tests) that fails on
demand: answers 429 Too Many Requests, or closes the connection without an answer, for the next
N requests whose path contains a given string; everything else is forwarded unchanged, except
that with ``plain_json=True`` the Elasticsearch 9 client's ``compatible-with`` media types are
rewritten to plain JSON on the way (osmem-server answers them with 406; see es_shim.py), so code
that builds its own client (the CLI) can be pointed at osmem-server through this proxy.

Used by the Elasticsearch store tests to show back-off and retries against real HTTP. Written for
this project.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Fault:
    path_contains: str
    remaining: int
    kind: str  # "429" or "drop"


class FlakyProxy:
    def __init__(self, upstream: str, *, plain_json: bool = False) -> None:
        self.plain_json = plain_json
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int | str]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy._lock:
                    proxy.headers.append(dict(self.headers.items()))
                fault = proxy._take_fault(self.path)
                if fault == "drop":
                    proxy._record(self.command, self.path, "dropped")
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault == "429":
                    payload = (b'{"error":{"type":"es_rejected_execution_exception","reason":"rejected by the test'
                               b' proxy"},"status":429}')
                    proxy._record(self.command, self.path, 429)
                    self.send_response(429)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                if proxy.plain_json:
                    for key, value in headers.items():
                        if key.lower() in ("accept", "content-type") and "compatible-with" in value:
                            headers[key] = "application/x-ndjson" if "ndjson" in value else "application/json"
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                proxy._record(self.command, self.path, resp.status)
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _take_fault(self, path: str) -> str | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.path_contains in path:
                    fault.remaining -= 1
                    return fault.kind
        return None

    def _record(self, method: str, path: str, outcome: int | str) -> None:
        with self._lock:
            self.log.append((method, path, outcome))

    def fail(self, path_contains: str, times: int, kind: str = "429") -> None:
        """The next ``times`` requests whose path contains ``path_contains`` get ``kind``."""
        with self._lock:
            self.faults.append(Fault(path_contains, times, kind))

    def outcomes(self, path_contains: str) -> list[int | str]:
        with self._lock:
            return [outcome for _m, path, outcome in self.log if path_contains in path]

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
