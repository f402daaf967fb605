"""A broken endpoint on 127.0.0.1 that reflects what it was sent: every request (GET or POST, any
path) is answered with the request's headers and body in the answer, the way a misconfigured
proxy's error page or a debugging endpoint does. Used by the secrets tests to check that a
secret coming back from outside never reaches an output. Written for this project.

Paths choose the answer:

- ``/500/...``: HTTP 500, a text body that quotes every request header and the body;
- ``/slack-json/api/<method>``: HTTP 200 with a Slack-like ``{"ok": false, "error": ...}`` whose
  ``error`` quotes the ``Authorization`` header;
- ``/reason/...``: HTTP 502 whose reason phrase and ``X-Debug`` header quote the Authorization
  header;
- ``/json/...``: HTTP 200, a JSON document (``{"reviews": [...]}``) whose text quotes every
  header (a review API that echoes its key into the data).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EchoServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._echo()

            def do_POST(self) -> None:
                self._echo()

            def _echo(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                headers = dict(self.headers.items())
                server.requests.append((self.path, headers))
                quoted = "\n".join(f"{k}: {v}" for k, v in headers.items()) + "\n\n" + body
                auth = headers.get("Authorization", "") or headers.get("apikey", "")
                if self.path.startswith("/slack-json/"):
                    status, reason, ctype = 200, "OK", "application/json"
                    payload = json.dumps({"ok": False, "error": f"invalid_auth ({auth})", "echo": quoted}).encode()
                    extra = {}
                elif self.path.startswith("/reason/"):
                    status, reason, ctype = 502, f"Bad Gateway for {auth}", "text/plain"
                    payload, extra = quoted.encode(), {"X-Debug": auth}
                elif self.path.startswith("/json/"):
                    status, reason, ctype = 200, "OK", "application/json"
                    review = {"id": "r1", "title": f"Acme echo {auth}", "text": f"Acme was terrible. {quoted}",
                              "stars": 1, "createdAt": "2026-01-01T00:00:00Z"}
                    payload, extra = json.dumps({"reviews": [review]}).encode(), {}
                else:
                    status, reason, ctype = 500, "Internal Server Error", "text/plain"
                    payload, extra = ("error, you sent:\n" + quoted).encode(), {"X-Echo-Auth": auth}
                self.send_response(status, reason)
                self.send_header("Content-Type", ctype)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def start(self) -> EchoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> EchoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
