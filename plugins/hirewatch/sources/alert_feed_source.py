"""Alert feeds: Google Alerts (``type: google_alerts``) and Talkwalker Alerts (``type: talkwalker``).

Both are feeds of search hits, read with the RSS source's code (:class:`AlertFeedSource` subclasses
:class:`~hirewatch.sources.rss_source.RssSource` and only refines each item): the hit's link is
unwrapped from the service's redirect (Google's ``google.com/url?...&url=<target>``), the ``<b>``
highlighting and entities are stripped from title and snippet, and the alert's query (from the
feed title) is kept in ``extra["alert_query"]``. A hit is still only a candidate: the employer
matcher checks it like any other item and drops hits that do not name the employer.

Built by the source registry; called by the pipeline like every source. Raises what
:class:`RssSource` raises.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from hirewatch.dedupe.canonical_url import unwrap_redirect
from hirewatch.extract.html_text import html_to_text
from hirewatch.records import RawItem
from hirewatch.sources.registry import register
from hirewatch.sources.rss_source import RssSource

_QUERY_IN_TITLE = re.compile(r"^\s*(?:google\s+alerts?|talkwalker(?:\s+alerts?)?)\s*[-:\u2013\u2014]\s*(.+?)\s*$",
                             re.IGNORECASE)


def alert_query(feed_title: str) -> str | None:
    """The alert's search query from a feed title such as ``Google Alert - Acme``."""
    match = _QUERY_IN_TITLE.match(feed_title or "")
    return match.group(1).strip('"\u201c\u201d ') if match else None


class AlertFeedSource(RssSource):
    """Common refinement of alert-feed hits (subclasses set ``kind``)."""

    service: ClassVar[str] = "alert"

    def refine(self, item: RawItem) -> RawItem | None:
        url = unwrap_redirect(item.url) if item.url else item.url
        text = html_to_text(item.html) if item.html else item.text
        extra = dict(item.extra)
        extra["alert_service"] = self.service
        query = alert_query(str(extra.get("feed_title", "")))
        if query:
            extra["alert_query"] = query
        host = urlsplit(url).hostname if url else None
        if host:
            extra["site"] = host.removeprefix("www.")
        if url != item.url:
            extra["alert_link"] = item.url
        return RawItem(title=" ".join(item.title.split()), url=url, html="", text=text, author=item.author,
                       published=item.published, guid=item.guid, key=item.key, extra=extra, bozo=item.bozo)


@register
class GoogleAlertsSource(AlertFeedSource):
    """A Google Alerts feed (Atom, delivered "to RSS feed")."""

    kind: ClassVar[str] = "google_alerts"
    aliases: ClassVar[tuple[str, ...]] = ()
    service: ClassVar[str] = "google_alerts"


@register
class TalkwalkerSource(AlertFeedSource):
    """A Talkwalker Alerts RSS feed."""

    kind: ClassVar[str] = "talkwalker"
    aliases: ClassVar[tuple[str, ...]] = ()
    service: ClassVar[str] = "talkwalker"
