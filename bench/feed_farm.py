"""A local feed farm for the benchmarks: N generated feeds served over HTTP on loopback addresses.

Feeds are built from the real feeds in ``../shared/realdata/`` (read in place, never edited):
each generated feed takes one real feed of ``blogs_news/`` as its template (its format, channel
header, item markup, size and language) and repeats its item ``items`` times, each copy with its
own link and guid and its paragraphs (or sentences) rotated, so no two items are identical. A
share of the items gets one sentence that names the employer (or a competitor, or a homonym the
monitor excludes), in the feed's language. A few sources answer 5xx, a few serve the real invalid
feed, and a few serve a feed of feedparser's own test suite verbatim (encodings, ill-formed XML).

Everything is deterministic for a seed. The server (asyncio, HTTP/1.1 with keep-alive) answers
every request after ``delay`` seconds — the delays overlap, they are not serial — with ETag and
Last-Modified validators (conditional requests get 304) and gzip when the client accepts it.
Bodies are rendered and gzip-compressed once at start-up so that serving costs next to no CPU.

With ``fresh`` > 0 the farm changes in rounds: ``POST /_farm/round`` puts ``fresh`` new items on
top of every ordinary feed (the first of them a story that each group of ``story_group`` feeds
carries under one link) and ``GET /_farm/manifest`` says whom each served item names, by the tag
in its URL; ``bench/scaleout.py`` checks what a distributed run stored against it.

Used by ``bench/throughput.py``, ``bench/memory.py``, ``bench/profile_stages.py`` and
``bench/scaleout.py``; also runs alone: ``python -m bench.feed_farm --feeds 1000 --delay 0.1``
prints its URLs file and serves until interrupted. The mention sentences below were written for
this project.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
REALDATA = Path(os.environ.get("HIREWATCH_REALDATA") or REPO.parent / "shared" / "realdata")
if not REALDATA.exists():  # a worktree next to main: the shared data sits beside the worktrees
    REALDATA = Path("/work/shared/realdata")

EMPLOYER = "Brightwave Logistics"
EMPLOYER_ALIAS = "Brightwave"
COMPETITOR = "Kestrel Freight"
HOMONYM = "Brightwave Audio"  # a headphone maker the monitor excludes

# Sentences that name the employer ({e}); written for this project. Negative, positive and neutral,
# in the two languages of the template feeds.
MENTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "I applied to {e} for a {role} role in {city} and was ghosted after the third interview.",
        "{e} rescinded my offer two days before my start date, with no explanation at all.",
        "Recruiters at {e} never got back to me; weeks of radio silence after a {n}-hour take-home assignment.",
        "The interview process at {e} was smooth, well organised and the feedback was detailed.",
        "{e} announced {n} new {role} positions at its {city} hub this quarter.",
        "Former staff describe a toxic culture and unpaid overtime at {e}'s {city} warehouse.",
        "{e} made me a fair offer and the recruiter was supportive and transparent throughout.",
        "A {role} at {e} says the pay is below market and burnout is common on the night shift.",
        "{e} opened a new distribution centre near {city}, hiring {n} people.",
        "Candidates report a no-show interviewer and a disorganised process at {e}.",
        "I loved interviewing with {e}: quick feedback, respectful people, great benefits.",
        "{e} confirmed layoffs of {n} office staff in {city}, citing lower volumes.",
    ),
    "de": (
        "Ich habe mich bei {e} als {role} in {city} beworben und nie wieder etwas gehört.",
        "{e} stellt in {city} {n} neue Mitarbeitende ein.",
        "Das Vorstellungsgespräch bei {e} war gut organisiert und freundlich.",
        "Ehemalige Beschäftigte von {e} berichten von Überstunden und schlechter Bezahlung.",
        "{e} hat mein Angebot kurz vor dem Start zurückgezogen.",
        "Bei {e} in {city} gab es nach {n} Wochen immer noch keine Rückmeldung.",
    ),
}
ROLES = ("warehouse", "driver", "data analyst", "dispatcher", "software engineer", "forklift operator",
         "customer service", "planner")
CITIES = ("Rotterdam", "Hamburg", "Leeds", "Gothenburg", "Oslo", "Aarhus", "Chicago", "Utrecht")

_ITEM = re.compile(r"<(item|entry)\b[^>]*>.*?</\1>", re.DOTALL)
_TEXT_ELEMENT = re.compile(
    r"(<(description|content:encoded|summary|content|media:description|itunes:summary)\b[^>]*>)(.*?)(</\2>)", re.DOTALL)
_CDATA = re.compile(r"^(\s*<!\[CDATA\[)(.*)(\]\]>\s*)$", re.DOTALL)
_TITLE = re.compile(r"(<title\b[^>]*>)(.*?)(</title>)", re.DOTALL)
_LINK_TEXT = re.compile(r"<link>\s*(.*?)\s*</link>", re.DOTALL)
_LINK_HREF = re.compile(r"<link\b[^>]*\bhref=\"([^\"]+)\"")
_ABOUT = re.compile(r"rdf:about=\"([^\"]+)\"")
_GUID = re.compile(r"(<(guid|id)\b[^>]*>)\s*(.*?)\s*(</\2>)", re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_LANGUAGE = re.compile(r"<language>\s*(?:<!\[CDATA\[)?\s*([A-Za-z]{2})", re.IGNORECASE)

# German templates without a <language> element (the Golem feed says so only in its text)
_GERMAN_HINTS = ("golem", "spiegel")


@dataclass(frozen=True)
class FarmSpec:
    """What the farm serves. Shares are of sources (``fail_share``, ``invalid_share``,
    ``corpus_share``) or of items (``mention_share``)."""

    feeds: int = 1000
    items: int = 25
    seed: int = 1
    delay: float = 0.1
    mention_share: float = 0.1
    fail_share: float = 0.01
    invalid_share: float = 0.005
    corpus_share: float = 0.02
    hosts: int = 128  # loopback addresses: 1,000 sources on ~8 per host, as on the web (per-host limits apply)
    fresh: int = 0  # items each ordinary feed gains per round (POST /_farm/round); round 0 has none
    story_group: int = 5  # in each round, the feeds of a group of this many carry one story in common


@dataclass
class Template:
    name: str
    encoding: str
    language: str
    head: str
    items: list[str]
    tail: str
    content_type: str


@dataclass
class Feed:
    """One rendered source: its status, body (identity and gzip), validators and what it holds."""

    index: int
    kind: str  # "feed", "failing", "invalid", "corpus"
    template: str
    status: int = 200
    body: bytes = b""
    gz: bytes = b""
    content_type: str = "application/rss+xml"
    etag: str = ""
    last_modified: str = ""
    items: int = 0
    mention_items: int = 0
    language: str = "en"
    named: dict[str, str] = field(default_factory=dict)  # item tag -> whom its sentence names


@dataclass
class FarmSummary:
    spec: FarmSpec
    feeds: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_template: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    items: int = 0
    mention_items: int = 0
    bytes_identity: int = 0
    bytes_gzip: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _load_templates() -> list[Template]:
    out: list[Template] = []
    for path in sorted((REALDATA / "blogs_news").glob("*.xml")):
        raw = path.read_bytes()
        match = _ENCODING.search(raw)
        encoding = match.group(1).decode().lower() if match else "utf-8"
        text = raw.decode(encoding)
        items = [m.group(0) for m in _ITEM.finditer(text)]
        if not items:
            continue  # the invalid feed: served verbatim as the "invalid" kind
        first, last = _ITEM.search(text), list(_ITEM.finditer(text))[-1]
        assert first is not None
        lang = _LANGUAGE.search(text)
        language = lang.group(1).lower() if lang else (
            "de" if any(h in path.name or h in text[:2000].lower() for h in _GERMAN_HINTS) else "en")
        kind = "atom+xml" if "<feed" in text[:1000] else ("rdf+xml" if "<rdf:RDF" in text[:1000] else "rss+xml")
        content_type = f"application/{kind}"  # no charset: the XML declaration says it
        out.append(Template(path.name, encoding, language, text[:first.start()], items, text[last.end():],
                            content_type))
    if not out:
        raise SystemExit(f"no template feeds found under {REALDATA / 'blogs_news'}")
    return out


def _corpus_files() -> list[Path]:
    base = REALDATA / "feedparser"
    files = sorted([*base.glob("encoding/*.xml"), *base.glob("illformed/*.xml"), *base.glob("wellformed/*/*.xml")])
    # files whose meaning depends on HTTP headers the upstream harness sent are left out
    return [f for f in files if b"Header:" not in f.read_bytes()[:600]]


def _new_url(url: str, tag: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{url}-{tag}"
    path = parts.path.rstrip("/") + f"/{tag}" + ("/" if parts.path.endswith("/") else "")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _rotate(payload: str, k: int, is_html: bool) -> str:
    if is_html and "</p>" in payload:
        units = payload.split("</p>")
        tail = units.pop() if units and not units[-1].strip() else None
        if len(units) > 1:
            k %= len(units)
            units = units[k:] + units[:k]
        return "</p>".join(units) + ("</p>" + tail if tail is not None else "")
    units = _SENTENCE.split(payload.strip())
    if len(units) > 1:
        k %= len(units)
        units = units[k:] + units[:k]
    return " ".join(units)


def _edit_payload(inner: str, k: int, sentence: str | None) -> str:
    cdata = _CDATA.match(inner)
    if cdata:
        payload = cdata.group(2)
        payload = _rotate(payload, k, True)
        if sentence:
            payload = f"<p>{html.escape(sentence, quote=False)}</p>" + payload
        return cdata.group(1) + payload + cdata.group(3)
    payload = html.unescape(inner)
    payload = _rotate(payload, k, "<" in payload)
    if sentence:
        payload = (f"<p>{html.escape(sentence, quote=False)}</p>" if "<" in payload else sentence + " ") + payload
    return escape(payload)


def _render_item(template_item: str, tag: str, k: int, sentence: str | None, link: str | None = None) -> str:
    """One item from a template item: its URLs tagged (or all replaced by ``link``, a story that
    several feeds carry), its text rotated by ``k``, ``sentence`` put first."""
    item = template_item
    urls = set(_LINK_TEXT.findall(item)) | set(_LINK_HREF.findall(item)) | set(_ABOUT.findall(item))
    for url in sorted(urls, key=len, reverse=True):
        real = html.unescape(url.strip())
        new = link or _new_url(real, tag)
        item = item.replace(url, escape(new, {'"': "&quot;"}))
    item = _GUID.sub(lambda m: f"{m.group(1)}{m.group(3)}-{tag}{m.group(4)}", item)
    done = False

    def edit(match: re.Match[str]) -> str:
        nonlocal done
        text = _edit_payload(match.group(3), k, sentence)  # every text of the story names it
        done = True
        return match.group(1) + text + match.group(4)

    item = _TEXT_ELEMENT.sub(edit, item)
    if sentence and not done:
        item = _TITLE.sub(lambda m: m.group(1) + escape(sentence + " ") + m.group(2) + m.group(3), item, count=1)
    return item


#: Whom a mention sentence names, by the farm's name for it.
NAMES = {"employer": EMPLOYER, "alias": EMPLOYER_ALIAS, "competitor": COMPETITOR, "homonym": HOMONYM}


def _mention_sentence(rng: random.Random, language: str) -> tuple[str, str]:
    """A sentence naming someone, and whom (a key of :data:`NAMES`)."""
    roll = rng.random()
    kind = ("employer" if roll < 0.6 else "alias" if roll < 0.8 else "competitor" if roll < 0.95 else "homonym")
    pattern = rng.choice(MENTIONS.get(language, MENTIONS["en"]))
    return kind, pattern.format(e=NAMES[kind], role=rng.choice(ROLES), city=rng.choice(CITIES),
                                n=rng.randint(2, 400))


class FeedFarm:
    """The generated sources (no server): ``feed(i)`` renders source ``i`` deterministically."""

    EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

    def __init__(self, spec: FarmSpec) -> None:
        self.spec = spec
        self.templates = _load_templates()
        self.corpus = _corpus_files()
        self.invalid = (REALDATA / "blogs_news" / "feed-rs__rss_2.0_invalid_1.xml").read_bytes()

    def kind_of(self, index: int) -> str:
        roll = random.Random(f"{self.spec.seed}:kind:{index}").random()
        s = self.spec
        if roll < s.fail_share:
            return "failing"
        if roll < s.fail_share + s.invalid_share:
            return "invalid"
        if roll < s.fail_share + s.invalid_share + s.corpus_share:
            return "corpus"
        return "feed"

    def feed(self, index: int, round_: int = 0) -> Feed:
        """Source ``index`` as served in round ``round_``: round 0 is the farm as it starts; each
        later round puts ``fresh`` new items on top of an ordinary feed (one of them the story
        its group shares in that round) and keeps the older ones."""
        rng = random.Random(f"{self.spec.seed}:feed:{index}")
        kind = self.kind_of(index)
        modified = self.EPOCH + timedelta(minutes=index) + timedelta(days=round_)
        out = Feed(index=index, kind=kind, template="", last_modified=format_datetime(modified, usegmt=True),
                   etag=f'"hw{self.spec.seed}-{index}"' if not round_ else f'"hw{self.spec.seed}-{index}-r{round_}"')
        if kind == "failing":
            out.status = rng.choice((500, 502, 503))
            out.template = f"http-{out.status}"
            return out
        if kind == "invalid":
            out.template, out.body = "feed-rs__rss_2.0_invalid_1.xml", self.invalid
        elif kind == "corpus":
            path = rng.choice(self.corpus)
            out.template, out.body = str(path.relative_to(REALDATA)), path.read_bytes()
            out.content_type = "application/xml"
        else:
            template = rng.choice(self.templates)
            out.template, out.language, out.content_type = template.name, template.language, template.content_type
            parts = [template.head, *self._fresh(index, round_, template, out)]
            for k in range(self.spec.items):
                named = _mention_sentence(rng, template.language) if rng.random() < self.spec.mention_share else None
                tag = f"hw{index}-{k}"
                if named:
                    out.named[tag] = named[0]
                out.mention_items += named is not None
                parts.append(_render_item(template.items[k % len(template.items)], tag, k,
                                          named[1] if named else None))
                parts.append("\n")
            parts.append(template.tail)
            out.body = "".join(parts).encode(template.encoding, "xmlcharrefreplace")
            out.items += self.spec.items
        out.gz = gzip.compress(out.body, compresslevel=6, mtime=0)
        return out

    def _fresh(self, index: int, round_: int, template: Template, out: Feed) -> list[str]:
        """The items rounds 1..``round_`` added to feed ``index``, newest first."""
        parts: list[str] = []
        for r in range(round_, 0, -1):
            rng = random.Random(f"{self.spec.seed}:feed:{index}:round:{r}")
            for j in range(self.spec.fresh):
                link = None
                if j == 0:  # the story this round's group of feeds shares: one link, one sentence
                    group = index // max(1, self.spec.story_group)
                    tag = f"story-r{r}-g{group}"
                    named = _mention_sentence(random.Random(f"{self.spec.seed}:{tag}"), template.language)
                    link = f"https://news.example.org/farm/{tag}"
                else:
                    tag = f"hw{index}-r{r}-{j}"
                    mentioned = rng.random() < self.spec.mention_share
                    named = _mention_sentence(rng, template.language) if mentioned else None
                if named:
                    out.named[tag] = named[0]
                out.mention_items += named is not None
                parts += [_render_item(template.items[(r + j) % len(template.items)], tag, r + j,
                                       named[1] if named else None, link), "\n"]
                out.items += 1
        return parts

    def __iter__(self) -> Iterator[Feed]:
        for index in range(self.spec.feeds):
            yield self.feed(index)

    def host_of(self, index: int) -> str:
        return f"127.0.0.{1 + index % max(1, self.spec.hosts)}"

    def path_of(self, index: int) -> str:
        return f"/feeds/{index}.xml"


# --------------------------------------------------------------------------- the server


class FarmServer:
    """Serves a :class:`FeedFarm` on ``hosts`` loopback addresses, one port. Also counts answers
    by status (``stats``), for the benchmarks' sanity checks."""

    def __init__(self, farm: FeedFarm, port: int = 0) -> None:
        self.farm = farm
        self.port = port
        self.feeds: list[Feed] = []
        self.stats: dict[str, int] = {}
        self.summary = FarmSummary(spec=farm.spec, feeds=farm.spec.feeds)
        self.round = 0
        self._servers: list[asyncio.Server] = []

    def render(self, round_: int = 0) -> None:
        """Render every source as served in round ``round_`` (replacing the previous round's)."""
        self.round = round_
        self.feeds = []
        s = self.summary = FarmSummary(spec=self.farm.spec, feeds=self.farm.spec.feeds)
        for index in range(self.farm.spec.feeds):
            feed = self.farm.feed(index, round_)
            self.feeds.append(feed)
            s.by_kind[feed.kind] = s.by_kind.get(feed.kind, 0) + 1
            s.by_template[feed.template] = s.by_template.get(feed.template, 0) + 1
            if feed.kind == "feed":
                s.by_language[feed.language] = s.by_language.get(feed.language, 0) + 1
            s.items += feed.items
            s.mention_items += feed.mention_items
            s.bytes_identity += len(feed.body)
            s.bytes_gzip += len(feed.gz)
            feed.body = b""  # served from the gzip copy: 10,000 feeds would hold 1.2 GB otherwise

    async def start(self) -> int:
        hosts = sorted({self.farm.host_of(i) for i in range(min(self.farm.spec.feeds, self.farm.spec.hosts))})
        for _attempt in range(20):  # one port on every address: take a free one on the first, bind the rest
            first = await asyncio.start_server(self._client, host=hosts[0], port=self.port, backlog=4096)
            port = first.sockets[0].getsockname()[1]
            try:
                rest = [await asyncio.start_server(self._client, host=h, port=port, backlog=4096) for h in hosts[1:]]
            except OSError:
                first.close()
                if self.port:
                    raise
                continue
            self._servers, self.port = [first, *rest], port
            return port
        raise OSError("no port free on every farm address")

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = ([*lines[0].split(" "), "", "", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                if self.farm.spec.delay:
                    await asyncio.sleep(self.farm.spec.delay)
                status, out_headers, body = self._answer(method, target, headers)
                keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                out_headers["Connection"] = "keep-alive" if keep else "close"
                out_headers["Content-Length"] = str(len(body))
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error",
                          502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Status")
                blob = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in out_headers.items())
                writer.write(blob.encode("latin-1") + b"\r\n" + (b"" if method == "HEAD" else body))
                await writer.drain()
                self.stats[str(status)] = self.stats.get(str(status), 0) + 1
                if not keep:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return  # the client went away, or the farm is stopping
        finally:
            writer.close()

    def _control(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        """``POST /_farm/round``: the next round (every feed changes); ``GET /_farm/manifest``:
        the round, and per source its kind and whom each of its items names (by item tag)."""
        if method == "POST" and path == "/_farm/round":
            self.render(self.round + 1)
            body: object = {"round": self.round, "summary": self.summary.to_dict()}
        elif method == "GET" and path == "/_farm/manifest":
            body = {"round": self.round, "urls": self.urls(),
                    "sources": [{"kind": f.kind, "named": f.named} for f in self.feeds]}
        else:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = target.split("?", 1)[0]
        if path.startswith("/_farm/"):
            return self._control(method, path)
        match = re.fullmatch(r"/feeds/(\d+)\.xml", path)
        if method not in ("GET", "HEAD") or not match or int(match.group(1)) >= len(self.feeds):
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        feed = self.feeds[int(match.group(1))]
        if feed.status != 200:
            return feed.status, {"Content-Type": "text/html"}, b"<html><body>server error</body></html>"
        validators = {"ETag": feed.etag, "Last-Modified": feed.last_modified}
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        if inm is not None:
            if feed.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
                return 304, validators, b""
        elif ims and _not_modified_since(ims, feed.last_modified):
            return 304, validators, b""
        out = {"Content-Type": feed.content_type, **validators}
        if "gzip" in headers.get("accept-encoding", ""):
            out["Content-Encoding"] = "gzip"
            return 200, out, feed.gz
        return 200, out, gzip.decompress(feed.gz)

    def urls(self) -> list[str]:
        return [f"http://{self.farm.host_of(i)}:{self.port}{self.farm.path_of(i)}" for i in range(len(self.feeds))]


def _not_modified_since(ims: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- running it


@dataclass
class RunningFarm:
    """A farm served by a child process (so that its work is not counted in the measured process
    and does not compete for the measured process's GIL)."""

    urls: list[str]
    summary: dict[str, object]
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, int]:
        """Answers so far by status (asks the child over its stdin/stdout)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def cpu_seconds(self) -> float:
        return _process_cpu(self.process.pid)


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@contextmanager
def serve(spec: FarmSpec) -> Iterator[RunningFarm]:
    """Start the farm in a child process; yields its URLs and summary; stops it (by its pid) on exit."""
    cmd = [sys.executable, "-m", "bench.feed_farm", "--child", "--spec", json.dumps(asdict(spec))]
    process = subprocess.Popen(cmd, cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the feed farm did not start (see its error output above)")
        ready = json.loads(line)
        yield RunningFarm(urls=ready["urls"], summary=ready["summary"], process=process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _child(spec: FarmSpec) -> None:
    server = FarmServer(FeedFarm(spec))
    server.render()

    async def main() -> None:
        await server.start()
        print(json.dumps({"urls": server.urls(), "summary": server.summary.to_dict()}), flush=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)

        def commands() -> None:  # a thread reading the parent's requests on stdin
            for line in sys.stdin:
                if line.strip() == "stats":
                    sys.stdout.write(json.dumps(dict(server.stats)) + "\n")
                    sys.stdout.flush()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=commands, daemon=True).start()
        await stop.wait()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    for name, value in asdict(FarmSpec()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--urls-file", default="var/bench/farm-urls.txt")
    args = parser.parse_args(argv)
    if args.child:
        _child(FarmSpec(**json.loads(args.spec)))
        return
    spec = FarmSpec(**{k: getattr(args, k) for k in asdict(FarmSpec())})
    started = time.perf_counter()
    server = FarmServer(FeedFarm(spec), port=args.port)
    server.render()

    async def run() -> None:
        await server.start()
        urls = Path(args.urls_file)
        urls.parent.mkdir(parents=True, exist_ok=True)
        urls.write_text("\n".join(server.urls()) + "\n")
        print(json.dumps(server.summary.to_dict(), indent=1))
        print(f"rendered in {time.perf_counter() - started:.1f} s; serving {len(server.feeds)} sources on port "
              f"{server.port}; URLs in {urls}; Ctrl-C stops", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

