"""The Slack alerter: ``chat.postMessage`` with slack-sdk's ``WebClient`` and a bot token.

Created by :func:`hirewatch.alerts.deliver_alerts` when a token is configured
(``HIREWATCH_SLACK_TOKEN`` or the Airflow Connection ``hirewatch_slack``). slack-sdk's retry
handlers answer a 429 by waiting ``Retry-After``, and retry a read (never a post: Slack may have
taken it, see :meth:`SlackAlerter.find_posted`) once after a dropped connection. On top of that
this alerter paces each channel (at most one message per ``min_interval_s``, Slack's "about one
message per second per channel") and turns every failure into
:class:`~hirewatch.alerts.base.SlackUnavailable` (stop, retry next run) or
:class:`~hirewatch.alerts.base.SlackRefused` (this message only). The token is never logged
(slack-sdk redacts the ``Authorization`` header in its own debug log).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from http.client import HTTPException
from typing import Any

from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from hirewatch.alerts.base import Alerter, Found, Lookup, Posted, SlackRefused, SlackUnavailable
from hirewatch.alerts.slack_message import ALERT_EVENT, ID_SCHEME, STORM_EVENT
from hirewatch.mention import monitor_mention_id
from hirewatch.redact import mask_data

# Slack error codes that mean "not now" (retry next run) rather than "not this message".
UNAVAILABLE_CODES = frozenset({
    "ratelimited", "rate_limited", "fatal_error", "internal_error", "service_unavailable", "request_timeout",
    "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "team_access_not_granted",
    "missing_scope", "no_permission",
})
# Error codes after which every message to the same channel fails too.
CHANNEL_CODES = frozenset({"channel_not_found", "not_in_channel", "is_archived", "restricted_action"})
# Error codes of conversations.history/replies/list that mean "this token cannot look": the
# delivery run then posts an unmarked alert again rather than guess.
CANNOT_LOOK_CODES = frozenset({"missing_scope", "no_permission", "not_in_channel", "channel_not_found",
                               "thread_not_found", "not_allowed_token_type", "method_not_supported_for_channel_type",
                               "ekm_access_denied", "access_denied", "unknown_method"})
CLOCK_SKEW_S = 300.0  # look back this much further than the unfinished run's start (our clock vs Slack's)
MAX_PAGES = 50  # of 200 messages, per channel or thread: a bound, never reached by one run's window
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")


def _ours(message: dict[str, Any], monitor: str | None) -> tuple[str, dict[str, Any]] | None:
    """(event type, payload) of a hirewatch message of ``monitor`` (any monitor when None), from
    its metadata; None for every other message. The ids of a message posted before the mention id
    named the monitor are mapped to the ids the store now has."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") not in (ALERT_EVENT, STORM_EVENT):
        return None
    if monitor is not None and payload.get("monitor") != monitor:
        return None
    if payload.get(ID_SCHEME) != "monitor" and payload.get("monitor"):
        owner = str(payload["monitor"])
        payload = dict(payload)
        if payload.get("mention_id"):
            payload["mention_id"] = monitor_mention_id(owner, str(payload["mention_id"]))
        for key in ("thread", "suppressed"):
            payload[key] = [monitor_mention_id(owner, str(mid)) for mid in payload.get(key) or ()]
    return str(metadata["event_type"]), payload


def _code(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "") if exc.response is not None else ""


class ChannelPacer:
    """At most one message per ``min_interval_s`` per channel, measured from the end of the
    previous request to that channel (so arrival gaps at Slack are never shorter)."""

    def __init__(self, min_interval_s: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval_s = min_interval_s
        self._last: dict[str, float] = {}
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def wait(self, *channels: str) -> None:
        """Sleep until a message may go to every one of ``channels``."""
        with self._lock:
            times = [self._last[c] for c in channels if c in self._last]
        if times:
            delay = max(times) + self.min_interval_s - self._clock()
            if delay > 0:
                self._sleep(delay)

    def channels(self) -> set[str]:
        with self._lock:
            return set(self._last)

    def done(self, *channels: str) -> None:
        now = self._clock()
        with self._lock:
            for channel in channels:
                self._last[channel] = now


class SlackAlerter(Alerter):
    """Posts with a ``WebClient``. ``base_url``: another Web API address (the tests' local Slack).
    ``client``: a ready ``WebClient`` (then ``token``/``base_url``/``timeout_s`` are not used), for
    posts and reads alike; give it no ``ConnectionErrorRetryHandler`` (slack-sdk's default set has
    one), or a post that Slack took before the connection dropped is posted twice."""

    name = "slack"

    def __init__(self, token: str | SecretStr | None = None, *, base_url: str | None = None,
                 min_interval_s: float = 1.0, timeout_s: float = 15.0, max_rate_limit_retries: int = 3,
                 client: WebClient | None = None) -> None:
        if client is None:
            if not token:
                raise ValueError("SlackAlerter needs a bot token or a WebClient")
            value = token.get_secret_value() if isinstance(token, SecretStr) else str.__str__(token)
            kwargs: dict[str, Any] = {"token": value, "timeout": timeout_s}
            if base_url:
                kwargs["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
            client = WebClient(**kwargs)
            # Posting retries a 429 (Slack took nothing) but not a dropped connection: Slack may
            # have taken the message before the connection dropped, and the delivery run then
            # looks it up instead (find_posted). Reads retry both.
            client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries)]
            reader = WebClient(**kwargs)
            reader.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=1),
                                     RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries)]
        else:
            reader = client
        self.client = client
        self.reader = reader
        self.pacer = ChannelPacer(min_interval_s)
        self._channel_ids: dict[str, str] = {}
        self._names: dict[str, str] | None = None  # "#name" -> id, from conversations.list when needed

    def __repr__(self) -> str:
        return f"SlackAlerter(base_url={self.client.base_url!r})"

    def post(self, channel: str, message: dict[str, Any], *, thread_ts: str | None = None) -> Posted:
        """``chat.postMessage``; raises :class:`SlackUnavailable` or :class:`SlackRefused`."""
        key = self._channel_ids.get(channel, channel)
        if key == channel and not _CHANNEL_ID.fullmatch(channel):
            # A name this alerter has not posted to yet may be one of the ids it has posted to
            # (a thread reply goes to the id the store kept): pace it against those too.
            named = set(self._channel_ids.values())
            self.pacer.wait(channel, *(c for c in self.pacer.channels() if c not in named))
        else:
            self.pacer.wait(key)
        args = mask_data(dict(message))
        if thread_ts:
            args["thread_ts"] = thread_ts
        try:
            response = self.client.chat_postMessage(channel=channel, **args)
        except SlackApiError as exc:
            raise self._error(exc, channel) from None
        except (SlackClientError, OSError, HTTPException) as exc:  # URLError, TimeoutError, refused, reset
            raise SlackUnavailable(f"Slack could not be reached: {type(exc).__name__}: {exc}") from None
        finally:
            self.pacer.done(key)
        channel_id = str(response.get("channel") or channel)
        self._channel_ids[channel] = channel_id
        self.pacer.done(channel_id)
        return Posted(channel_id, str(response["ts"]))

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        """``chat.update`` of an earlier message; raises like :meth:`post`."""
        try:
            self.client.chat_update(channel=channel, ts=ts, **mask_data(message))
        except SlackApiError as exc:
            raise self._error(exc, channel) from None
        except (SlackClientError, OSError) as exc:
            raise SlackUnavailable(f"Slack could not be reached: {type(exc).__name__}: {exc}") from None

    def find_posted(self, channels: Iterable[str], threads: Iterable[tuple[str, str]], since: datetime, *,
                    monitor: str | None = None) -> Lookup | None:
        """See :meth:`Alerter.find_posted`: ``conversations.history`` of each channel since
        ``since`` (less :data:`CLOCK_SKEW_S`), then ``conversations.replies`` of the threads of this
        app's own messages found there and of ``threads``; a message counts when its metadata is a
        hirewatch alert (of ``monitor``, when given), and a storm message of ``monitor`` tells
        which alerts it promised to its thread and which it marked suppressed. A channel given by
        name is resolved with ``conversations.list``. Needs the bot in the channel and the scopes
        ``channels:history`` + ``channels:read`` (``groups:history`` + ``groups:read`` for private
        channels). A channel or thread that
        cannot be read is named in :attr:`Lookup.unreadable` (what was meant for it is posted
        again) and the rest is still read. Raises :class:`SlackUnavailable` when Slack cannot
        answer now."""
        oldest = f"{since.timestamp() - CLOCK_SKEW_S:.6f}"
        lookup = Lookup()
        try:
            ids = self._resolve_all(lookup, {*channels, *(c for c, _ in threads)})
            expand = {(ids[name], ts) for name, ts in threads if name in ids}
            for name in sorted(set(channels) & set(ids)):
                expand |= self._read_channel(lookup, name, ids[name], oldest, monitor)
            for cid, thread_ts in sorted(expand):
                self._read_thread(lookup, cid, thread_ts, oldest, monitor)
        except SlackApiError as exc:  # conversations.list, or a read that means Slack is unavailable
            lookup.unreadable.append(f"channel list: {self._cannot_look(exc, 'conversations.list')}")
        except (SlackClientError, OSError, HTTPException) as exc:
            raise SlackUnavailable(f"Slack could not be reached: {type(exc).__name__}: {exc}") from None
        return lookup

    def _resolve_all(self, lookup: Lookup, names: set[str]) -> dict[str, str]:
        """Channel name or id -> id; a name not found is noted as unreadable."""
        ids: dict[str, str] = {}
        for name in sorted(names):
            cid = self._resolve(name)
            if cid is None:
                lookup.unreadable.append(f"{name}: not found by conversations.list")
            else:
                ids[name] = cid
        return ids

    def _read_channel(self, lookup: Lookup, name: str, cid: str, oldest: str,
                      monitor: str | None) -> set[tuple[str, str]]:
        """Note this app's alerts and storm messages in one channel's history; returns the threads
        to read (those of its messages that have replies)."""
        messages = self._read(lookup, f"{name} history", self.reader.conversations_history, channel=cid, oldest=oldest)
        threads: set[tuple[str, str]] = set()
        for message in messages or []:
            ours = _ours(message, monitor)
            if ours is None:
                continue
            here = Found(cid, str(message["ts"]))
            kind, payload = ours
            if kind == ALERT_EVENT and payload.get("mention_id"):
                lookup.found.setdefault(str(payload["mention_id"]), here)
            elif kind == STORM_EVENT:  # history is newest first: the newest storm naming an id wins
                for mid in payload.get("thread") or ():
                    lookup.storm_thread.setdefault(str(mid), here)
                lookup.storm_suppressed.update(str(mid) for mid in payload.get("suppressed") or ())
            if message.get("reply_count"):
                threads.add((cid, str(message["ts"])))
        return threads

    def _read_thread(self, lookup: Lookup, cid: str, thread_ts: str, oldest: str, monitor: str | None) -> None:
        """Note this app's alerts among one thread's replies."""
        messages = self._read(lookup, f"thread {thread_ts} in {cid}", self.reader.conversations_replies,
                              channel=cid, ts=thread_ts, oldest=oldest)
        for message in messages or []:
            ours = _ours(message, monitor)
            if ours and ours[0] == ALERT_EVENT and ours[1].get("mention_id") and message["ts"] != thread_ts:
                lookup.found.setdefault(str(ours[1]["mention_id"]), Found(cid, str(message["ts"]), thread_ts))

    def _read(self, lookup: Lookup, what: str, method: Callable[..., Any],
              **kwargs: Any) -> list[dict[str, Any]] | None:
        """Every page of one history read, or None (and ``what`` noted as unreadable) when Slack
        refuses it for this channel or thread, or it has more than :data:`MAX_PAGES` pages.
        Raises :class:`SlackUnavailable` when Slack cannot answer now."""
        try:
            messages, complete = self._pages(method, **kwargs)
        except SlackApiError as exc:
            lookup.unreadable.append(f"{what}: {self._cannot_look(exc, what)}")
            return None
        if not complete:
            lookup.unreadable.append(f"{what}: more than {MAX_PAGES} pages")
            return None
        return messages

    def _resolve(self, channel: str) -> str | None:
        """A channel's id: as given when it is one, else from this alerter's posts or
        ``conversations.list`` (public channels, then private ones where the token may list them;
        read once per alerter). Raises SlackApiError when the public list cannot be read."""
        if _CHANNEL_ID.fullmatch(channel):
            return channel
        if channel in self._channel_ids:
            return self._channel_ids[channel]
        if self._names is None:
            names: dict[str, str] = {}
            for types in ("public_channel", "private_channel"):
                try:
                    items, _ = self._pages(self.reader.conversations_list, key="channels", types=types,
                                           exclude_archived=True)
                except SlackApiError as exc:
                    if types == "private_channel" and _code(exc) in CANNOT_LOOK_CODES:
                        continue  # no groups:read: public channels only
                    raise
                names.update({"#" + str(item.get("name")): str(item["id"]) for item in items})
            self._names = names
        return self._names.get("#" + channel.lstrip("#"))

    @staticmethod
    def _pages(method: Callable[..., Any], *, key: str = "messages",
               **kwargs: Any) -> tuple[list[dict[str, Any]], bool]:
        """All items of a cursor-paginated read (at most :data:`MAX_PAGES` pages) and whether the
        last page was reached."""
        items: list[dict[str, Any]] = []
        cursor = None
        for _ in range(MAX_PAGES):
            args = {**kwargs, "limit": 200, **({"cursor": cursor} if cursor else {})}
            if key == "messages":
                args["include_all_metadata"] = True
            response = method(**args)
            items.extend(response.get(key) or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return items, True
        return items, False

    def _cannot_look(self, exc: SlackApiError, what: str) -> str:
        """Why a history read was refused (to name in :attr:`Lookup.unreadable`); raises
        :class:`SlackUnavailable` instead when the error means "not now" rather than "this token
        cannot read that"."""
        error = self._error(exc, what)
        if isinstance(error, SlackUnavailable) and _code(exc) not in CANNOT_LOOK_CODES:
            raise error from None
        return _code(exc) or str(error)

    @staticmethod
    def _error(exc: SlackApiError, channel: str) -> SlackUnavailable | SlackRefused:
        response = exc.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error") or "unknown_error") if response is not None else "unknown_error"
        if status >= 500 or status == 429 or code in UNAVAILABLE_CODES or code.startswith("Received a response"):
            return SlackUnavailable(f"Slack answered HTTP {status}: {code[:200]}")
        return SlackRefused(f"Slack refused the message to {channel}: {code}", code=code, channel=channel,
                            channel_wide=code in CHANNEL_CODES)
