"""Forum and social presets: ``type: reddit``, ``type: mastodon``, ``type: hackernews``.

Each is a short YAML entry that expands to the site's own RSS feed and is read by the RSS source
(these classes subclass :class:`~hirewatch.sources.rss_source.RssSource`: same conditional GET,
same parser), then keeps the site's own fields in ``RawItem.extra``:

- reddit: ``subreddit`` and/or ``query`` -> ``/r/<sub>/new/.rss``, ``/r/<sub>/search.rss?q=...
  &restrict_sr=1&sort=new`` or ``/search.rss?q=...&sort=new``; extra ``subreddit``,
  ``reddit_author``, ``reddit_id``.
- mastodon: ``instance`` + ``tag`` -> ``https://<instance>/tags/<tag>.rss``, or ``account`` ->
  ``https://<instance>/@<account>.rss``; extra ``instance``, ``account``, ``status_id``, ``tags``.
- hackernews (hnrss.org): ``query`` -> ``/newest?q=...`` (``comments: true`` -> ``/newcomments``),
  ``min_points``/``min_comments`` -> ``points=``/``comments=``; extra ``hn_id``, ``hn_url``,
  ``points``, ``comments``.

``base_url`` replaces the site's address (scheme and host) and nothing else: it is for a mirror,
a proxy, or the tests' local server; the path and query are the site's own.

Built by the source registry; raises what the RSS source raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode, urlsplit

from pydantic import Field, field_validator, model_validator

from hirewatch.config import SourceSpec
from hirewatch.extract.html_text import html_to_text
from hirewatch.records import RawItem
from hirewatch.sources.registry import register
from hirewatch.sources.rss_source import RssSource

_NAME = re.compile(r"^[A-Za-z0-9_]{2,32}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?$")


class PresetSpec(SourceSpec):
    """Options shared by the presets: ``base_url`` (see the module doc). ``url`` is not an option:
    the preset builds it (use ``type: rss`` for a feed address of your own)."""

    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
            raise ValueError(f"expected a scheme and host only, such as http://127.0.0.1:8080, got {value!r}")
        return f"{parts.scheme}://{parts.netloc}"

    @model_validator(mode="after")
    def _no_url(self) -> PresetSpec:
        if self.url is not None:
            raise ValueError(f"type {self.type} builds its feed address from its options; "
                             "use type: rss for a feed URL of your own")
        return self


class PresetSource(RssSource):
    """A feed whose address comes from options (subclasses implement :meth:`feed_url`)."""

    default_base: ClassVar[str] = ""

    @property
    def url(self) -> str:
        return self.feed_url(self.spec.base_url or self.default_base)

    def feed_url(self, base: str) -> str:
        raise NotImplementedError


# --------------------------------------------------------------------------- reddit


class RedditSpec(PresetSpec):
    type: Literal["reddit"] = "reddit"
    subreddit: str | None = None
    query: str | None = Field(default=None, min_length=1, max_length=512)
    sort: Literal["new", "relevance", "top", "comments"] = "new"

    @field_validator("subreddit")
    @classmethod
    def _sub(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.strip().removeprefix("/").removeprefix("r/")
        if not re.fullmatch(r"[A-Za-z0-9_]{2,21}", name):
            raise ValueError(f"expected a subreddit name such as recruitinghell, got {value!r}")
        return name

    @model_validator(mode="after")
    def _one_of(self) -> RedditSpec:
        if not self.subreddit and not self.query:
            raise ValueError("give a subreddit, a query, or both")
        return self


@register
class RedditSource(PresetSource):
    """A subreddit's new posts, a search within a subreddit, or a site-wide search, as RSS."""

    kind: ClassVar[str] = "reddit"
    aliases: ClassVar[tuple[str, ...]] = ()
    Spec: ClassVar[type[SourceSpec]] = RedditSpec
    default_base: ClassVar[str] = "https://www.reddit.com"
    spec: RedditSpec

    def feed_url(self, base: str) -> str:
        spec = self.spec
        if spec.query and spec.subreddit:
            query = urlencode({"q": spec.query, "restrict_sr": "1", "sort": spec.sort})
            return f"{base}/r/{spec.subreddit}/search.rss?{query}"
        if spec.query:
            return f"{base}/search.rss?{urlencode({'q': spec.query, 'sort': spec.sort})}"
        return f"{base}/r/{spec.subreddit}/new/.rss"

    def refine(self, item: RawItem) -> RawItem | None:
        """Author, subreddit, permalink and id from whichever of Reddit's formats served the item
        (Atom with HTML or XHTML content, RSS 2.0), and the post's text without Reddit's
        ``submitted by /u/x to r/y [link] [N comments]`` line."""
        extra = dict(item.extra)
        body = item.html or item.text
        footer = _REDDIT_FOOTER.search(html_to_text(body) if item.html else body)
        permalink = _permalink(item, body)
        subreddit = _subreddit_of(item, permalink) or (footer.group("sub") if footer else None)
        if subreddit:
            extra["subreddit"] = subreddit
        author = _bare_user(item.author) or (_bare_user(footer.group("user")) if footer else None)
        if author:
            extra["reddit_author"] = author
        if permalink:
            extra["permalink"] = permalink
        post = re.search(r"/comments/([a-z0-9]+)", permalink or item.url or "")
        if post:
            extra["reddit_id"] = "t3_" + post.group(1)
        elif item.guid and re.fullmatch(r"t3_[a-z0-9]+", item.guid):
            extra["reddit_id"] = item.guid
        extra["site"] = "reddit"
        text = _strip_reddit_footer(html_to_text(item.html) if item.html else item.text)
        url = item.url or permalink or ""
        return replace(item, html="", text=text, url=url, author=author or item.author, extra=extra)


def _bare_user(name: str | None) -> str | None:
    """``/u/name``, ``u/name`` or ``name`` as ``name``."""
    bare = (name or "").strip().removeprefix("/").removeprefix("u/").strip()
    return bare or None


def _subreddit_of(item: RawItem, permalink: str | None = None) -> str | None:
    for url in (permalink, item.url):
        match = re.search(r"/r/([A-Za-z0-9_]+)/", url or "")
        if match:
            return match.group(1)
    for tag in item.extra.get("tags") or ():
        if isinstance(tag, str) and re.fullmatch(r"(?:/?r/)?[A-Za-z0-9_]{2,21}", tag):
            return tag.removeprefix("/").removeprefix("r/")
    return None


_COMMENTS_LINK = re.compile(r"""href=["']([^"']+/comments/[^"']+)["'][^>]*>\s*\[(?:\d+\s+)?comments?\]""", re.I)


def _permalink(item: RawItem, body: str) -> str | None:
    """The post's comments page: the item's own link when it is one (Atom), else the ``[comments]``
    link of the body (RSS 2.0 and link posts, whose item link is the linked site)."""
    if re.search(r"/comments/[a-z0-9]+", item.url or ""):
        return item.url
    match = _COMMENTS_LINK.search(body or "")
    return match.group(1).replace("&amp;", "&") if match else None


_REDDIT_FOOTER = re.compile(
    r"\s*submitted\s+by\s+(?P<user>/?u/[\w-]+|[\w-]+)(?:\s+to\s+(?:/?r/)?(?P<sub>\w+))?"
    r"\s*(?:\[link\])?\s*(?:\[(?:\d+\s+)?comments?\])?\s*$", re.IGNORECASE)


def _strip_reddit_footer(text: str) -> str:
    """Reddit's bodies end with ``submitted by /u/x to r/y [link] [N comments]``: not the post."""
    return _REDDIT_FOOTER.sub("", text).strip()


# --------------------------------------------------------------------------- mastodon


class MastodonSpec(PresetSpec):
    type: Literal["mastodon"] = "mastodon"
    instance: str
    tag: str | None = None
    account: str | None = None

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        host = value.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
        if "@" in host:  # never repeated: what comes before the @ may be a password
            raise ValueError("expected only an instance host name such as mastodon.social, without a user "
                             "or password (a token goes in the environment, never in the monitor file)")
        if not _HOST.fullmatch(host):
            raise ValueError(f"expected an instance host name such as mastodon.social, got {value!r}")
        return host.lower()

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tag = value.strip().removeprefix("#")
        if not re.fullmatch(r"\w{1,100}", tag):
            raise ValueError(f"expected a hashtag such as recruiting, got {value!r}")
        return tag

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is None:
            return None
        account = value.strip().removeprefix("@")
        if not re.fullmatch(r"[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?", account):
            raise ValueError(f"expected an account such as brightwave or brightwave@other.social, got {value!r}")
        return account

    @model_validator(mode="after")
    def _exactly_one(self) -> MastodonSpec:
        if bool(self.tag) == bool(self.account):
            raise ValueError("give either a tag or an account (one source each)")
        return self


@register
class MastodonSource(PresetSource):
    """A hashtag's or an account's public posts on one Mastodon instance, as RSS."""

    kind: ClassVar[str] = "mastodon"
    aliases: ClassVar[tuple[str, ...]] = ()
    Spec: ClassVar[type[SourceSpec]] = MastodonSpec
    spec: MastodonSpec

    def feed_url(self, base: str) -> str:
        base = base or f"https://{self.spec.instance}"
        if self.spec.tag:
            return f"{base}/tags/{quote(self.spec.tag)}.rss"
        return f"{base}/@{self.spec.account}.rss"

    def refine(self, item: RawItem) -> RawItem | None:
        text = html_to_text(item.html) if item.html else item.text
        extra = dict(item.extra)
        extra["site"] = "mastodon"
        extra["instance"] = self.spec.instance
        if self.spec.tag:
            extra["tag"] = self.spec.tag
        match = re.search(r"/@([^/]+)/(\d+)", item.url or "")
        if match:
            account = match.group(1)
            # A tag feed carries posts from other instances too: the post's own host says where.
            host = urlsplit(item.url).hostname or self.spec.instance
            extra["account"] = account if "@" in account else f"{account}@{host}"
            extra["status_id"] = match.group(2)
        elif self.spec.account:
            extra["account"] = self.spec.account
        author = item.author or (f"@{extra['account']}" if extra.get("account") else None)
        # Mastodon posts have no title: the first words stand in for one.
        title = item.title or _first_words(text)
        return replace(item, title=title, html="", text=text, author=author, extra=extra)


def _first_words(text: str, limit: int = 100) -> str:
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut + "…"


# --------------------------------------------------------------------------- hacker news


class HackerNewsSpec(PresetSpec):
    type: Literal["hackernews"] = "hackernews"
    query: str = Field(min_length=1, max_length=512)
    comments: bool = False
    min_points: int | None = Field(default=None, ge=0)
    min_comments: int | None = Field(default=None, ge=0)


@register
class HackerNewsSource(PresetSource):
    """Hacker News stories (or comments) matching a query, through hnrss.org's feeds."""

    kind: ClassVar[str] = "hackernews"
    aliases: ClassVar[tuple[str, ...]] = ()
    Spec: ClassVar[type[SourceSpec]] = HackerNewsSpec
    default_base: ClassVar[str] = "https://hnrss.org"
    spec: HackerNewsSpec

    def feed_url(self, base: str) -> str:
        spec = self.spec
        params: dict[str, str] = {"q": spec.query}
        if spec.min_points is not None:
            params["points"] = str(spec.min_points)
        if spec.min_comments is not None:
            params["comments"] = str(spec.min_comments)
        return f"{base}/{'newcomments' if spec.comments else 'newest'}?{urlencode(params)}"

    def item_from_entry(self, entry: Mapping[str, Any], context: Mapping[str, Any], bozo: str | None) -> RawItem:
        item = super().item_from_entry(entry, context, bozo)
        hn_url = entry.get("comments") or (entry.get("id") if "ycombinator.com/item" in str(entry.get("id")) else None)
        if isinstance(hn_url, str) and hn_url:
            return replace(item, extra={**item.extra, "hn_url": hn_url.strip()})
        return item

    def refine(self, item: RawItem) -> RawItem | None:
        html = item.html or item.text
        extra = dict(item.extra)
        extra["site"] = "hackernews"
        hn_url = extra.get("hn_url") or _after(html, "Comments URL") or _after(html, "Comment URL")
        if hn_url:
            extra["hn_url"] = hn_url
            match = re.search(r"[?&]id=(\d+)", hn_url)
            if match:
                extra["hn_id"] = match.group(1)
        for label, key in (("Points", "points"), ("# Comments", "comments")):
            value = _after(html, label)
            if value and value.isdigit():
                extra[key] = int(value)
        text = html_to_text(_HN_FOOTER.sub("", html)) if html else ""
        if self.spec.comments:
            extra["hn_kind"] = "comment"
        return replace(item, html="", text=text, extra=extra)


_HN_FOOTER = re.compile(
    r"(?:<hr\s*/?>\s*)?(?:<p>\s*(?:Article URL|Comments URL|Comment URL|Points|# Comments):.*?</p>\s*)+\s*$",
    re.IGNORECASE | re.DOTALL)


def _after(html: str, label: str) -> str | None:
    """The value after ``<label>:`` in hnrss's description footer (a link's href or plain text)."""
    match = re.search(re.escape(label) + r":\s*(?:<a [^>]*href=\"([^\"]+)\"[^>]*>[^<]*</a>|([^<\s]+))", html)
    if not match:
        return None
    return (match.group(1) or match.group(2) or "").strip() or None
