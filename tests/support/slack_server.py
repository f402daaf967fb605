"""A local HTTP server that answers like Slack's Web API, for the real ``slack_sdk.WebClient``
(``WebClient(base_url=server.base_url)``) and for slack-bolt's ``App``. Written for this project.

It implements the methods hirewatch calls (``auth.test``, ``chat.postMessage``, ``chat.update``,
``chat.postEphemeral``, ``apps.connections.open``, and ``conversations.history`` /
``conversations.replies`` / ``conversations.list`` with message metadata, cursor pagination and
``oldest``), keeps the messages it accepted (so ``chat.update`` of an unknown message fails like
Slack's, and the history holds what was posted), hands out a Socket Mode URL (see
tests/support/slack_socket.py), records every request with its raw body and arrival time, and on demand:

- enforces a per-channel rate limit like Slack's (``rate_limit_s``): a message that arrives sooner
  than that after the previous accepted one in the same channel gets 429 with ``Retry-After`` and
  is counted in :attr:`SlackServer.rate_violations`;
- answers the next requests with scripted answers (:meth:`SlackServer.answer_next`: 429 with
  ``Retry-After``, 500, a Slack error such as ``channel_not_found``, or a slow answer);
- is "down" for every request (:meth:`SlackServer.outage`);
- answers the history methods like real Slack for a token without their scopes
  (``history_scope_missing``), without ``groups:read`` (private channels are not listed unless
  ``groups_read``), or for a channel the bot is not in (``not_member``);
- takes a message and drops the connection before answering (``drop_after_accept``).

Used by tests/alerts/ (the alerter, the outbox delivery, the Socket Mode handlers).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qsl

BOT_TOKEN = "xoxb-test-0000-hirewatch"
APP_TOKEN = "xapp-test-0000-hirewatch"
BOT_USER_ID = "U0BOT0001"
TEAM_ID = "T0HIREWATCH"


@dataclass
class Answer:
    """A scripted answer: HTTP ``status`` with a JSON ``body`` (or ``raw``), extra ``headers``,
    after ``delay_s``. ``Answer(status=429, headers={"Retry-After": "1"})``,
    ``Answer(status=500, raw=b"upstream error")``, ``Answer(body={"ok": False, "error": "x"})``."""

    status: int = 200
    body: dict[str, Any] | None = None
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Received:
    """One request as it arrived: the API method, headers, the raw body bytes, the decoded
    arguments, when it arrived (``time.monotonic``) and what status it got."""

    method: str
    headers: dict[str, str]
    raw: bytes
    args: dict[str, Any]
    at: float
    status: int = 0
    ok: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    args: dict[str, Any]
    thread_ts: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)
    # wall-clock arrival (time.time()): ``ts`` counts from a fixed 2023 epoch so that recorded
    # payloads stay stable, so ``oldest`` in the history methods is compared with this instead
    posted_at: float = field(default_factory=time.time)
    name: str = ""  # the channel as the poster named it


def channel_id(name: str) -> str:
    """Slack answers with channel ids, not names: ``#ta-oncall`` -> a stable ``C...`` id."""
    if name.startswith(("C", "G", "D")) and name.isupper() and name.isalnum():
        return name
    return "C" + hashlib.sha1(name.lstrip("#").encode()).hexdigest()[:10].upper()


class SlackServer:
    """Start with :meth:`start` (or as a context manager); ``base_url`` is what WebClient takes."""

    def __init__(self, *, token: str = BOT_TOKEN, rate_limit_s: float | None = None,
                 socket_url: str | None = None) -> None:
        self.token = token
        self.socket_url = socket_url
        self.rate_limit_s = rate_limit_s
        self.received: list[Received] = []
        self.messages: list[Message] = []
        self.rate_violations: list[tuple[str, float]] = []
        self.refused_channels: dict[str, str] = {}
        self.channels: dict[str, str] = {}  # name -> id of channels that exist before anything is posted
        self.history_scope_missing = False  # answer the history methods like a token without their scopes
        self.groups_read = False  # listing private channels needs groups:read, which a default token lacks
        self.not_member: set[str] = set()  # channel ids whose history the bot may not read (not_in_channel)
        self.drop_after_accept = 0  # accept the next N posts, then drop the connection without answering
        self._script: dict[str, list[Answer]] = {}
        self._outage: Answer | None = None
        self._last_accepted: dict[str, float] = {}
        self._seq = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                method = path.rsplit("/", 1)[-1]
                args = {**dict(parse_qsl(query, keep_blank_values=True)), **_decode(self.headers, raw)}
                received = Received(method, dict(self.headers.items()), raw, args, time.monotonic())
                answer = server._answer(received)
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                if method == "chat.postMessage" and (answer.body or {}).get("ok") and server._take_drop():
                    self.close_connection = True  # Slack took the message; the answer never arrives
                    return
                body = answer.raw if answer.raw is not None else json.dumps(answer.body or {}).encode()
                received.status = answer.status
                received.ok = answer.status == 200 and bool((answer.body or {}).get("ok"))
                with server._lock:
                    server.received.append(received)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- what Slack would answer
    def _answer(self, req: Received) -> Answer:
        with self._lock:
            scripted = self._script.get(req.method) or self._script.get("*")
            if scripted:
                return scripted.pop(0)
            if self._outage is not None:
                return self._outage
        expected = APP_TOKEN if req.method == "apps.connections.open" else self.token
        if req.headers.get("Authorization") != f"Bearer {expected}":
            return Answer(body={"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + req.method.replace(".", "_"), None)
        if handler is None:
            return Answer(status=404, body={"ok": False, "error": "unknown_method"})
        return handler(req.args)

    def _take_drop(self) -> bool:
        with self._lock:
            if self.drop_after_accept > 0:
                self.drop_after_accept -= 1
                return True
            return False

    def _next_ts(self) -> str:
        self._seq += 1
        return f"{1_700_000_000 + self._seq}.{self._seq:06d}"

    def _api_auth_test(self, args: dict[str, Any]) -> Answer:
        return Answer(body={"ok": True, "url": "https://hirewatch-test.slack.com/", "team": "hirewatch-test",
                            "user": "hirewatch", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0BOT0001",
                            "is_enterprise_install": False})

    def _api_chat_postMessage(self, args: dict[str, Any]) -> Answer:
        name = str(args.get("channel") or "")
        if not name:
            return Answer(body={"ok": False, "error": "channel_not_found"})
        if name in self.refused_channels:
            return Answer(body={"ok": False, "error": self.refused_channels[name]})
        if not (args.get("text") or args.get("blocks")):
            return Answer(body={"ok": False, "error": "no_text"})
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None and len(blocks) > 50:
            return Answer(body={"ok": False, "error": "invalid_blocks"})
        cid = channel_id(name)
        with self._lock:
            now = time.monotonic()
            last = self._last_accepted.get(cid)
            if self.rate_limit_s is not None and last is not None and now - last < self.rate_limit_s:
                self.rate_violations.append((cid, now - last))
                return Answer(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"})
            self._last_accepted[cid] = now
            ts = self._next_ts()
            message = Message(cid, ts, args, thread_ts=args.get("thread_ts"), name=name)
            self.messages.append(message)
        echoed = {"type": "message", "user": BOT_USER_ID, "bot_id": "B0BOT0001", "ts": ts,
                  "text": args.get("text", ""), "blocks": blocks or []}
        if message.thread_ts:
            echoed["thread_ts"] = message.thread_ts
        return Answer(body={"ok": True, "channel": cid, "ts": ts, "message": echoed})

    def _api_chat_update(self, args: dict[str, Any]) -> Answer:
        cid, ts = channel_id(str(args.get("channel") or "")), str(args.get("ts") or "")
        with self._lock:
            for message in self.messages:
                if message.channel == cid and message.ts == ts:
                    message.updates.append(args)
                    break
            else:
                return Answer(body={"ok": False, "error": "message_not_found"})
        return Answer(body={"ok": True, "channel": cid, "ts": ts, "text": args.get("text", ""),
                            "message": {"type": "message", "ts": ts, "text": args.get("text", ""),
                                        "blocks": args.get("blocks") or []}})

    # -- reading back (the delivery run looks for what an unfinished run posted)
    history_page_size = 3  # small pages, so the tests exercise the cursor

    def _as_read(self, message: Message, include_metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": "B0BOT0001", "ts": message.ts,
                               "text": message.args.get("text", "")}
        if message.thread_ts:
            out["thread_ts"] = message.thread_ts
        replies = [m for m in self.messages if m.channel == message.channel and m.thread_ts == message.ts]
        if replies:
            out.update(thread_ts=message.ts, reply_count=len(replies), latest_reply=replies[-1].ts)
        metadata = message.args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if include_metadata and metadata:
            out["metadata"] = metadata
        return out

    def _page(self, args: dict[str, Any], items: list[Any], key: str) -> Answer:
        start = int(args.get("cursor") or 0)
        size = min(int(args.get("limit") or 100), self.history_page_size)
        body: dict[str, Any] = {"ok": True, key: items[start:start + size]}
        more = start + size < len(items)
        body["has_more"] = more
        body["response_metadata"] = {"next_cursor": str(start + size) if more else ""}
        return Answer(body=body)

    def _history_scope(self) -> Answer | None:
        if self.history_scope_missing:
            return Answer(body={"ok": False, "error": "missing_scope", "needed": "channels:history",
                                "provided": "chat:write"})
        return None

    def _api_conversations_history(self, args: dict[str, Any]) -> Answer:
        refused = self._history_scope()
        if refused:
            return refused
        cid = str(args.get("channel") or "")
        oldest = float(args.get("oldest") or 0)
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            if not any(m.channel == cid for m in self.messages) and cid not in self.channels.values():
                return Answer(body={"ok": False, "error": "channel_not_found"})
            if cid in self.not_member:
                return Answer(body={"ok": False, "error": "not_in_channel"})
            top = [m for m in self.messages if m.channel == cid and not m.thread_ts and m.posted_at > oldest]
            items = [self._as_read(m, meta) for m in reversed(top)]  # newest first, as Slack does
        return self._page(args, items, "messages")

    def _api_conversations_replies(self, args: dict[str, Any]) -> Answer:
        refused = self._history_scope()
        if refused:
            return refused
        cid, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        oldest = float(args.get("oldest") or 0)
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            if cid in self.not_member:
                return Answer(body={"ok": False, "error": "not_in_channel"})
            parent = next((m for m in self.messages if m.channel == cid and m.ts == ts), None)
            if parent is None:
                return Answer(body={"ok": False, "error": "thread_not_found"})
            thread = [m for m in self.messages if m.channel == cid and m.thread_ts == ts and m.posted_at > oldest]
            items = [self._as_read(m, meta) for m in [parent, *thread]]  # parent first, then oldest first
        return self._page(args, items, "messages")

    def _api_conversations_list(self, args: dict[str, Any]) -> Answer:
        types = set(str(args.get("types") or "public_channel").split(","))
        if self.history_scope_missing or ("private_channel" in types and not self.groups_read):
            return Answer(body={"ok": False, "error": "missing_scope",
                                "needed": "groups:read" if "private_channel" in types else "channels:read"})
        if "public_channel" not in types:
            return Answer(body={"ok": True, "channels": [], "response_metadata": {"next_cursor": ""}})
        with self._lock:
            names = dict(self.channels)
            for m in self.messages:
                if m.name and not m.name.startswith(("C", "G", "D")):
                    names.setdefault(m.name.lstrip("#"), m.channel)
        items = [{"id": cid, "name": name, "is_channel": True, "is_archived": False}
                 for name, cid in sorted(names.items())]
        return self._page({**args, "limit": args.get("limit") or 100}, items, "channels")

    def _api_apps_connections_open(self, args: dict[str, Any]) -> Answer:
        if not self.socket_url:
            return Answer(body={"ok": False, "error": "not_allowed_token_type"})
        return Answer(body={"ok": True, "url": self.socket_url})

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> Answer:
        if not args.get("user"):
            return Answer(body={"ok": False, "error": "user_not_in_channel"})
        with self._lock:
            ts = self._next_ts()
        return Answer(body={"ok": True, "message_ts": ts})

    # -- set-up
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/"

    def answer_next(self, method: str, *answers: Answer) -> None:
        """Answer the next requests to ``method`` (``"*"``: any method) with ``answers`` in order."""
        with self._lock:
            self._script.setdefault(method, []).extend(answers)

    @contextmanager
    def outage(self, answer: Answer | None = None) -> Iterator[None]:
        """While inside, every request gets ``answer`` (default: 500 with a non-JSON body)."""
        with self._lock:
            self._outage = answer or Answer(status=500, raw=b"<html>upstream unavailable</html>")
        try:
            yield
        finally:
            with self._lock:
                self._outage = None

    # -- what happened
    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if (method is None or r.method == method)
                    and (ok is None or r.ok == ok)]

    def posted(self) -> list[Message]:
        """Messages accepted by ``chat.postMessage``, in arrival order."""
        with self._lock:
            return list(self.messages)

    def min_gap_per_channel(self) -> dict[str, float]:
        """The smallest time between two accepted messages of the same channel (seconds)."""
        arrivals: dict[str, list[float]] = {}
        with self._lock:
            for r in self.received:
                if r.method == "chat.postMessage" and r.ok:
                    arrivals.setdefault(channel_id(str(r.args.get("channel"))), []).append(r.at)
        return {c: min(b - a for a, b in pairwise(t)) for c, t in arrivals.items() if len(t) > 1}

    # -- life
    def start(self) -> SlackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SlackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _decode(headers: Any, raw: bytes) -> dict[str, Any]:
    """Decode a Web API request body: JSON (``chat.postMessage`` from WebClient) or a form."""
    content_type = (headers.get("Content-Type") or "").lower()
    if not raw:
        return {}
    if "json" in content_type:
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
