"""Fixtures of the reliability suite: a guard that no test ever connects anywhere but loopback,
feed builders, a raw socket server that misbehaves below HTTP, the local Slack server and the real
SQLite store. Written for this project."""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import pytest

from tests.support.slack_server import SlackServer

# --------------------------------------------------------------------------- network guard

_ATTEMPTS: list[tuple[str, Any]] = []
_HOOKED = False
_ARMED = False  # the hook cannot be removed; it acts only while a test holds the fixture


def _is_loopback(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host == "localhost"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Every ``socket.connect`` of this process is recorded; one to a non-loopback address is
    refused before the system call (the audit event fires first), so no packet ever leaves."""
    if event != "socket.connect" or not _ARMED:
        return
    address = args[1]
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        _ATTEMPTS.append((address[0], address))
        if not _is_loopback(address[0]):
            raise PermissionError(f"reliability tests never connect beyond loopback (tried {address!r})")


@pytest.fixture()
def connections() -> Iterator[Callable[[], list[tuple[str, Any]]]]:
    """A function giving the addresses this process has tried to connect to since the test began
    (non-loopback ones were refused by the guard before any packet was sent)."""
    global _HOOKED, _ARMED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    start = len(_ATTEMPTS)
    _ARMED = True
    try:
        yield lambda: list(_ATTEMPTS[start:])
    finally:
        _ARMED = False


# --------------------------------------------------------------------------- feeds

NOW = datetime.now(UTC)


def rss(items: list[dict[str, Any]], *, title: str = "Reliability feed", encoding: str = "utf-8",
        declare: bool = True) -> bytes:
    """An RSS 2.0 document. Each item: ``title``, ``link``, ``description``, ``guid``, ``date``
    (a datetime) — all optional."""
    parts = []
    for item in items:
        fields = []
        if "title" in item:
            fields.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            fields.append(f"<link>{escape(item['link'])}</link>")
        if "description" in item:
            fields.append(f"<description>{escape(item['description'])}</description>")
        if "guid" in item:
            fields.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if item.get("date") is not None:
            fields.append(f"<pubDate>{format_datetime(item['date'])}</pubDate>")
        parts.append("<item>" + "".join(fields) + "</item>")
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    text = (head + f'<rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>https://news.example.com/</link>" + "".join(parts) + "</channel></rss>")
    return text.encode(encoding)


def story(n: int, *, negative: bool = True, employer: str = "Acme", **extra: Any) -> dict[str, Any]:
    """One item about ``employer``; negative ones are worded so VADER scores them clearly negative
    (the number is "s12", not "12": VADER's lexicon scores some bare numbers, 182 and 187, negative)."""
    if negative:
        title = f"{employer} interview was a terrible, awful experience (ref s{n})"
        text = f"The recruiter at {employer} ghosted me. Horrible, rude and disrespectful process. Avoid."
    else:
        title = f"{employer} opens a new office (ref s{n})"
        text = f"{employer} announced a new office and said it is hiring engineers."
    return {"title": title, "link": f"https://news.example.com/{employer.lower()}/{n}", "description": text,
            "guid": f"guid-{n}", "date": NOW, **extra}


# --------------------------------------------------------------------------- raw sockets


class RawServer:
    """A TCP server on 127.0.0.1 that reads a request and answers with ``reply`` bytes, then
    closes: ``reset=True`` closes with an RST (SO_LINGER 0) instead of a FIN. For what an HTTP
    server library will not do: cut a response in the middle."""

    def __init__(self, reply: bytes, *, reset: bool = False) -> None:
        self.reply, self.reset = reply, reset
        self.accepted = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.address = self._sock.getsockname()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str = "/feed.xml") -> str:
        host, port = self.address
        return f"http://{host}:{port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(2)
                try:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    conn.sendall(self.reply)
                    if self.reset:
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                except OSError:
                    pass

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


# --------------------------------------------------------------------------- services


_MENTION_ID = re.compile(r"\bid ([0-9a-f]{32})\b")


def alerted_ids(slack: SlackServer) -> Counter[str]:
    """Mention id -> how many messages Slack accepted for it (an alert or a same-story reply; both
    name the mention in their context line). Storm messages name no single mention."""
    counts: Counter[str] = Counter()
    for message in slack.posted():
        blocks = message.args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        ids: set[str] = set()
        for block in blocks:
            if block.get("type") == "context":
                for element in block.get("elements", []):
                    ids.update(_MENTION_ID.findall(str(element.get("text", ""))))
        counts.update(ids)
    return counts
