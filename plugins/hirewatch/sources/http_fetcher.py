"""The one polite HTTP fetcher every source uses (aiohttp.ClientSession, one connection pool per run).

Created once per run by the pipeline (``async with HttpFetcher(monitor.fetch) as fetcher``) and
handed to each :meth:`Source.fetch`, which calls :meth:`HttpFetcher.get` with its monitor's
:class:`~hirewatch.config.FetchSettings`. It enforces, per request:

- a time limit for the whole answer (connect, headers and body), not only between two packets;
- a byte cap counted while streaming, on the wire *and* after decompression (we decompress gzip and
  deflate ourselves with a bounded ``zlib`` output, so a gzip bomb stops at the cap);
- a redirect limit, following redirects by hand so that every hop is checked;
- an address policy: a target (or redirect target) that resolves to a loopback, private,
  link-local, reserved or multicast address is refused unless the monitor allows it;
- conditional GET from the :class:`~hirewatch.records.CrawlState` validators (304 -> a
  ``Document`` with status 304 and no body);
- a global concurrency limit, a per-host limit and an optional per-host delay between requests.

Every failure is a :class:`~hirewatch.errors.FetchError` saying which URL and why (timeout,
status, too large, too many redirects, refused address), with ``status`` and ``retry_after`` kept.

The address check resolves the host before connecting; a DNS answer that changes between the
check and the client's own lookup is not caught (no pinning of the checked address).

aiohttp, not httpx: httpx's connection pool rescans every connection on every request, several
times aiohttp's CPU per request on the benchmark's feed farm, and nearly all of the cost of a
re-run where every source answers 304 (bench/RESULTS.md, "HttpFetcher throughput").
"""

from __future__ import annotations

import asyncio
import ipaddress
import mimetypes
import os
import socket
import ssl
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
import certifi

from hirewatch.addresses import address_kind
from hirewatch.config import FetchSettings
from hirewatch.errors import FetchError
from hirewatch.mention import utcnow
from hirewatch.records import CrawlState, Document
from hirewatch.redact import strip_controls, url_has_userinfo

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT_FEEDS = ("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
                "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1")


@lru_cache(maxsize=1)
def _version() -> str:
    try:
        return metadata.version("hirewatch")
    except metadata.PackageNotFoundError:
        return "0"


def user_agent(contact: str | None = None) -> str:
    """The honest User-Agent: ``hirewatch/<version> (+<contact>)``; without a contact the
    parenthesis says what the client is."""
    base = f"hirewatch/{_version()}"
    return f"{base} (+{contact})" if contact else f"{base} (employer-brand monitoring)"


def address_refusal(address: str, settings: FetchSettings) -> str | None:
    """Why ``address`` may not be fetched under ``settings``, or None when it may."""
    kind = address_kind(address)
    if kind == "public":
        return None
    if kind == "loopback" and settings.allow_loopback:
        return None
    if kind in ("private", "link-local") and settings.allow_private_addresses:
        return None
    allow = {"loopback": "fetch.allow_loopback", "multicast": None}.get(kind, "fetch.allow_private_addresses")
    hint = f" (the monitor can allow it with {allow}: true)" if allow else ""
    return f"refused: the address {address} is {kind}{hint}"


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds (it may be a number or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


class _BodyReader:
    """Counts wire bytes and decoded bytes against the cap while the body streams in."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.wire = 0
        self.parts: list[bytes] = []
        self.size = 0
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self.coding = codings[0] if codings else None
        # 32 + 15: zlib detects a gzip or zlib header; raw deflate is tried if that fails.
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS) if self.coding else None
        self._first = True

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise OverflowError(f"the body is larger than the limit of {self.max_bytes} bytes"
                                + (" once decompressed" if self.coding else ""))
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        self.wire += len(chunk)
        if self.wire > self.max_bytes:
            raise OverflowError(f"the body is larger than the limit of {self.max_bytes} bytes")
        if self._zlib is None:
            self._keep(chunk)
            return
        if self._first and self.coding == "deflate" and chunk and (chunk[0] & 0x0F) != 8:
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
        self._first = False
        data = chunk
        while data:
            try:
                out = self._zlib.decompress(data, self.max_bytes - self.size + 1)
            except zlib.error as exc:
                raise ValueError(f"the {self.coding} body is corrupt: {exc}") from None
            self._keep(out)
            data = self._zlib.unconsumed_tail

    def finish(self) -> bytes:
        if self._zlib is not None:
            try:
                self._keep(self._zlib.flush())
            except zlib.error as exc:
                raise ValueError(f"the {self.coding} body is corrupt: {exc}") from None
        return b"".join(self.parts)


#: The time budget the current task's requests must start within (the event loop's clock) and
#: its name for the message: set by the pipeline around each source's fetch (a contextvar, so
#: each source's task sees its own). None: no budget.
request_budget: ContextVar[tuple[float, str] | None] = ContextVar("hirewatch_request_budget", default=None)


@contextmanager
def budget_lifted(lift: bool = True) -> Iterator[None]:
    """Within the block (when ``lift``), requests may start after the budget: for the one page a
    run reads past it so that a crawl always progresses (the source's hard stop still applies)."""
    if not lift:
        yield
        return
    token = request_budget.set(None)
    try:
        yield
    finally:
        request_budget.reset(token)


class _Deadline:
    """The time limit of one answer: it starts with the first hop's request and is shared by the
    redirect hops that follow, so ``timeout_s`` bounds the whole answer (a chain of slow
    redirects included); time spent waiting for the per-host delay is added back."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.when: float | None = None
        self.hops = 0

    def at(self, loop: asyncio.AbstractEventLoop) -> float:
        self.hops += 1
        if self.when is None:
            self.when = loop.time() + self.seconds
        return self.when

    def extend(self, seconds: float) -> None:
        if self.when is not None and seconds > 0:
            self.when += seconds


class HttpFetcher:
    """A polite, bounded HTTP client shared by every source of a run.

    ``settings`` gives the pool-wide limits (``concurrency``, ``per_host_concurrency``) and the
    defaults for :meth:`get`; each call may pass its own monitor's settings for the per-request
    limits (time, bytes, redirects, address policy, delay). ``connector`` is for embedding (an
    ``aiohttp.TCPConnector`` with other options), not for faking the network.

    ``base_dir`` (the monitor file's directory) enables ``file:relative/path`` URLs for feeds
    shipped beside a monitor (the offline example): only files inside ``base_dir`` are read, with
    the same byte cap, and an ETag/Last-Modified from size and mtime so re-runs answer 304.
    """

    def __init__(self, settings: FetchSettings | None = None, *, base_dir: str | os.PathLike[str] | None = None,
                 connector: aiohttp.BaseConnector | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.base_dir = Path(base_dir).resolve() if base_dir is not None else None
        self._connector = connector
        self._client: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._next_start: dict[str, float] = {}
        self._resolved: dict[tuple[str, int], tuple[str, ...]] = {}
        self.requests = 0

    # -- life
    async def __aenter__(self) -> HttpFetcher:
        self._open()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def _open(self) -> aiohttp.ClientSession:
        if self._client is None:
            # The same trust store as before (certifi's), not the system's.
            tls = ssl.create_default_context(cafile=certifi.where())
            connector = self._connector or aiohttp.TCPConnector(limit=self.settings.concurrency, limit_per_host=0,
                                                                ssl=tls)
            self._client = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                auto_decompress=False,  # _BodyReader decompresses within the byte cap
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"Accept-Encoding": "gzip, deflate"},
                timeout=aiohttp.ClientTimeout(total=None),  # asyncio.timeout per request, below
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # -- the one public call
    async def get(self, url: str, *, state: CrawlState | None = None, settings: FetchSettings | None = None,
                  monitor: str | None = None, source: str | None = None, accept: str = ACCEPT_FEEDS,
                  conditional: bool = True, headers: Mapping[str, str] | None = None) -> Document:
        """GET ``url`` within the limits; conditional on ``state``'s validators when given.

        ``headers`` are extra request headers (an API key for a source that reads an API): never
        logged, and dropped when a redirect leaves ``url``'s scheme, host and port.

        Returns a :class:`Document` (status 2xx with the decoded body, or 304 with an empty one;
        ``headers`` have lower-case names; ``final_url`` is the address after redirects). Raises
        :class:`FetchError` for anything else, with ``monitor``/``source`` as context.
        """
        settings = settings or self.settings
        ctx = {"monitor": monitor, "source": source}
        if url.lower().startswith("file:"):
            return await self._get_file(url, state if conditional else None, settings, ctx)
        request_headers = {"User-Agent": user_agent(settings.contact), "Accept": accept}
        headers = {**(headers or {}), **request_headers}
        if conditional and state is not None:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        current = url
        seen = {url}
        deadline = _Deadline(settings.timeout_s)  # one limit for the whole answer, every hop included
        for hop in range(settings.max_redirects + 1):
            response_status, response_headers, body = await self._one(current, headers, settings, ctx, deadline)
            if response_status in REDIRECT_STATUSES:
                location = response_headers.get("location")
                if not location:
                    raise FetchError(f"{current} answered {response_status} without a Location header",
                                     url=current, status=response_status, **ctx)
                try:
                    target = urljoin(current, location.strip())
                except ValueError:
                    raise FetchError(f"{current} redirects to a malformed Location {location[:200]!r}",
                                     url=current, status=response_status, **ctx) from None
                if target in seen:
                    raise FetchError(f"redirect loop: {current} points back to {target}", url=current,
                                     status=response_status, **ctx)
                if hop == settings.max_redirects:
                    break
                seen.add(target)
                if urlsplit(target)[:2] != urlsplit(url)[:2]:
                    headers = {k: v for k, v in headers.items() if k in request_headers}
                current = target
                continue
            if response_status == 304:
                return Document(url=url, status=304, body=b"", headers=response_headers, final_url=current)
            if 200 <= response_status < 300:
                return Document(url=url, status=response_status, body=body, headers=response_headers,
                                final_url=current)
            raise self._status_error(current, response_status, response_headers, ctx)
        raise FetchError(f"too many redirects (more than {settings.max_redirects}) starting at {url}",
                         url=current, **ctx)

    # -- internals
    async def _get_file(self, url: str, state: CrawlState | None, settings: FetchSettings,
                        ctx: dict[str, str | None]) -> Document:
        """A ``file:`` URL relative to ``base_dir`` (never outside it)."""
        if self.base_dir is None:
            raise FetchError(f"{url}: file: URLs are read relative to the monitor file's directory, "
                             "and this run has none", url=url, **ctx)
        rest = unquote(url[len("file:"):])
        if rest.startswith("//"):
            raise FetchError(f"{url}: only relative file: URLs (file:feeds/x.xml) are allowed", url=url, **ctx)
        path = (self.base_dir / rest).resolve()
        if not path.is_relative_to(self.base_dir):
            raise FetchError(f"{url}: refused, the file is outside {self.base_dir}", url=url, **ctx)
        self.requests += 1
        try:
            info = path.stat()
            if info.st_size > settings.max_bytes:
                raise FetchError(f"the file is larger than the limit of {settings.max_bytes} bytes: {url}",
                                 url=url, **ctx)
            etag = f'"{info.st_size:x}-{info.st_mtime_ns:x}"'
            headers = {"content-type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                       "etag": etag, "last-modified": formatdate(info.st_mtime, usegmt=True)}
            if state is not None and (state.etag == etag or (
                    not state.etag and state.last_modified == headers["last-modified"])):
                return Document(url=url, status=304, body=b"", headers=headers, final_url=url)
            body = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise FetchError(f"cannot read {url}: {exc.strerror or exc}", url=url, **ctx) from None
        headers["content-length"] = str(len(body))
        return Document(url=url, status=200, body=body, headers=headers, final_url=url)

    @staticmethod
    def _status_error(url: str, status: int, headers: dict[str, str], ctx: dict[str, str | None]) -> FetchError:
        retry = retry_after_seconds(headers.get("retry-after"))
        if status == 429:
            reason = "rate limited (429 Too Many Requests)"
        elif status >= 500:
            reason = f"server error {status}"
        else:
            reason = f"HTTP {status}"
        if retry is not None:
            reason += f"; retry after {retry:.0f} s"
        return FetchError(f"{reason} from {url}", url=url, status=status, retry_after=retry, **ctx)

    async def _one(self, url: str, headers: dict[str, str], settings: FetchSettings,
                   ctx: dict[str, str | None], deadline: _Deadline | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request, no redirect following: status, lower-cased headers, decoded body.
        ``deadline``: the whole answer's (shared by the hops of one :meth:`get`)."""
        deadline = deadline or _Deadline(settings.timeout_s)
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            # urlsplit's reason would quote a password whose '#', '/' or '?' ended the host early.
            why = "its user:password part is not percent-encoded" if url_has_userinfo(url) else exc
            raise FetchError(f"malformed URL {url[:200]!r}: {why}", url=url, **ctx) from None
        if parts.scheme not in ("http", "https") or not hostname:
            raise FetchError(f"not an http(s) URL: {url[:200]!r}", url=url, **ctx)
        await self._check_address(hostname, port, url, settings, ctx)
        host_key = f"{hostname}:{port}"
        client = self._open()
        # The host slot first: a task waiting for a busy host must not hold a global slot.
        async with self._host_semaphore(host_key), self._global:
            loop = asyncio.get_running_loop()
            waited = loop.time()
            await self._pace(host_key, settings.per_host_delay_s)
            deadline.extend(loop.time() - waited)  # a polite wait between hops is not the server's time
            budget = request_budget.get()
            if budget is not None and loop.time() > budget[0]:
                raise FetchError(f"not fetched: {budget[1]} was spent before this request could start "
                                 f"({url}); it is fetched in the next run", url=url, **ctx)
            self.requests += 1
            try:
                async with asyncio.timeout_at(deadline.at(loop)):
                    return await self._request(client, url, headers, settings)
            except (TimeoutError, aiohttp.ServerTimeoutError):
                hops = " (the whole answer, redirects included)" if deadline.hops > 1 else ""
                raise FetchError(f"timed out after {settings.timeout_s:g} s{hops} fetching {url}", url=url,
                                 **ctx) from None
            except aiohttp.ClientConnectorError as exc:
                reason = exc.os_error.strerror if exc.os_error and exc.os_error.strerror else "refused"
                raise FetchError(f"could not connect to {hostname}:{port}: {reason}", url=url, **ctx) from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"connection error fetching {url}: {type(exc).__name__}: {exc}",
                                 url=url, **ctx) from None
            except OverflowError as exc:
                raise FetchError(f"{exc} at {url}", url=url, **ctx) from None
            except ValueError as exc:
                raise FetchError(f"{exc} at {url}", url=url, **ctx) from None

    async def _request(self, client: aiohttp.ClientSession, url: str, headers: dict[str, str],
                       settings: FetchSettings) -> tuple[int, dict[str, str], bytes]:
        async with client.get(url, headers=headers, allow_redirects=False) as response:
            response_headers: dict[str, str] = {}
            for name, value in response.headers.items():  # repeated headers joined, as HTTP allows
                key = name.lower()
                value = strip_controls(value)  # a server's ESC sequence never reaches a report or terminal
                response_headers[key] = f"{response_headers[key]}, {value}" if key in response_headers else value
            status = response.status
            if status in REDIRECT_STATUSES or status == 304 or status >= 400:
                await self._drain(response)
                return status, response_headers, b""
            declared = response_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_bytes:
                raise OverflowError(f"the body is larger than the limit of {settings.max_bytes} bytes "
                                    f"(Content-Length {declared})")
            reader = _BodyReader(response_headers.get("content-encoding", ""), settings.max_bytes)
            async for chunk in response.content.iter_chunked(65_536):
                reader.feed(chunk)
            body = reader.finish()
        response_headers.pop("content-encoding", None)
        response_headers["content-length"] = str(len(body))
        return status, response_headers, body

    @staticmethod
    async def _drain(response: aiohttp.ClientResponse, limit: int = 65_536) -> None:
        """Read a body we do not need (304, redirect, error page) when it is small, so the
        connection goes back to the pool; a larger one is left and the connection closed."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            return
        seen = 0
        async for chunk in response.content.iter_chunked(65_536):
            seen += len(chunk)
            if seen > limit:
                response.close()
                return

    def _host_semaphore(self, host_key: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host_key)
        if sem is None:
            sem = self._hosts[host_key] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return sem

    async def _pace(self, host_key: str, delay: float) -> None:
        """Keep at least ``delay`` seconds between the starts of two requests to one host."""
        if delay <= 0:
            return
        loop = asyncio.get_running_loop()
        async with self._pace_locks[host_key]:
            wait = self._next_start.get(host_key, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next_start[host_key] = loop.time() + delay

    async def _check_address(self, host: str, port: int, url: str, settings: FetchSettings,
                             ctx: dict[str, str | None]) -> None:
        addresses = await self._resolve(host, port, url, ctx)
        for address in addresses:
            refusal = address_refusal(address, settings)
            if refusal:
                where = host if host == address else f"{host} ({address})"
                raise FetchError(f"{refusal}; not fetching {url} [{where}]", url=url, **ctx)

    async def _resolve(self, host: str, port: int, url: str, ctx: dict[str, str | None]) -> tuple[str, ...]:
        key = (host, port)
        if key in self._resolved:
            return self._resolved[key]
        try:
            addresses: tuple[str, ...] = (str(ipaddress.ip_address(host.strip("[]"))),)
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise FetchError(f"could not resolve {host}: {exc}", url=url, **ctx) from None
            addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise FetchError(f"could not resolve {host}: no address", url=url, **ctx)
        self._resolved[key] = addresses
        return addresses
