"""A local stand-in for the Slack Web API, for the real ``slack_sdk.WebClient`` (``base_url``).

Answers every method like Slack does on success (``{"ok": true, ...}`` with a channel and a fresh
``ts``) and records each call's method, form/JSON fields and Authorization header, so tests assert
on what was really sent over HTTP. ``fail_with`` makes every call answer ``{"ok": false, "error":
...}``. Written for this project.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class SlackCall:
    method: str
    fields: dict[str, object]
    authorization: str | None


class FakeSlackApi:
    def __init__(self) -> None:
        self.calls: list[SlackCall] = []
        self.fail_with: str | None = None
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    fields = json.loads(raw or "{}")
                else:
                    fields = dict(parse_qsl(raw))
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                with api._lock:
                    api.calls.append(SlackCall(method, fields, self.headers.get("Authorization")))
                if api.fail_with:
                    answer: dict[str, object] = {"ok": False, "error": api.fail_with}
                else:
                    answer = {"ok": True, "channel": fields.get("channel", "C0"), "ts": f"{time.time():.6f}",
                              "message": {"text": fields.get("text", "")}}
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/"

    def messages(self, channel: str | None = None) -> list[SlackCall]:
        with self._lock:
            return [c for c in self.calls if c.method == "chat.postMessage"
                    and (channel is None or c.fields.get("channel") == channel)]

    def __enter__(self) -> FakeSlackApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
