"""Feed item -> Mention, from items fetched over HTTP by the real sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hirewatch.extract.item_to_mention import to_mention
from hirewatch.match.employer_matcher import EmployerMatcher
from hirewatch.mention import mention_id
from hirewatch.records import RawItem

from tests.conftest import FIXTURES
from tests.support.monitors import fetch_items, make_monitor
from tests.support.web_server import WebServer

FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_feed_item_to_mention(web: WebServer) -> None:
    url = web.set("/blog.xml", FIXTURES / "sources" / "feedburner_rss.xml")
    monitor = make_monitor([{"type": "rss", "name": "careers-weekly", "url": url}],
                           competitors=[{"name": "Kestrel"}])
    from hirewatch.sources.registry import build_source

    source = build_source(monitor.sources[0], monitor)
    _, items = fetch_items(source)
    (match,) = EmployerMatcher(monitor).match_item(items[0])
    mention = to_mention(items[0], monitor, monitor.sources[0], match.entity, match.terms, FETCHED)
    canonical = "https://careers-weekly.example/2024/05/acme-interview"  # origLink, utm_* dropped
    assert mention.url == canonical
    assert mention.id == mention_id("Acme", canonical, monitor=monitor.name)
    assert mention.title == "Interview loop at Acme took eleven weeks"
    assert mention.text == "Candidates say the Acme interview loop was slow.\n\nSecond paragraph."
    assert mention.published == datetime(2024, 5, 14, 7, 30, tzinfo=UTC)
    assert mention.fetched == FETCHED
    assert (mention.source, mention.source_kind, mention.sources) == ("careers-weekly", "rss", ("careers-weekly",))
    assert mention.monitor == "acme" and mention.employer == "Acme" and not mention.is_competitor
    assert mention.matched_terms == ("Acme",) and mention.author == "Jo Writer"
    assert mention.extra["guid"] == "cw-1001" and mention.extra["original_url"].endswith("utm_medium=feed")
    assert mention.fingerprint and len(mention.fingerprint) == 16
    assert mention.to_dict()["published"] == "2024-05-14T07:30:00+00:00"


def test_same_story_from_two_spellings_has_one_id() -> None:
    monitor = make_monitor([{"type": "rss", "name": "a", "url": "https://a.example/feed"},
                            {"type": "google_alerts", "name": "b", "url": "https://b.example/feed"}])
    entity = monitor.employer
    direct = RawItem(title="Acme", url="https://News.example/story?id=5&utm_source=rss#top")
    wrapped = RawItem(title="Acme", url="https://www.google.com/url?rct=j&sa=t&url=https://news.example/story?id=5&ct=ga")
    one = to_mention(direct, monitor, monitor.sources[0], entity, ["Acme"], FETCHED)
    two = to_mention(wrapped, monitor, monitor.sources[1], entity, ["Acme"], FETCHED)
    assert one.id == two.id and one.url == two.url == "https://news.example/story?id=5"
    assert two.source_kind == "google_alerts"


def test_ids_differ_per_entity_and_competitor_flag_follows_the_monitor() -> None:
    monitor = make_monitor([{"type": "rss", "url": "https://a.example/feed"}], competitors=[{"name": "Kestrel"}])
    item = RawItem(title="Acme and Kestrel", url="https://n.example/1")
    acme = to_mention(item, monitor, monitor.sources[0], monitor.employer, ["Acme"], FETCHED)
    kestrel = to_mention(item, monitor, monitor.sources[0], monitor.competitors[0], ["Kestrel"], FETCHED)
    assert acme.id != kestrel.id and not acme.is_competitor and kestrel.is_competitor


def test_items_without_url_use_their_key_and_dates_become_utc() -> None:
    monitor = make_monitor([{"type": "rss", "url": "https://a.example/feed"}])
    cet = timezone(timedelta(hours=2))
    item = RawItem(title="t", url="", text="Acme text", key="guid:42", published=datetime(2024, 1, 1, 12, tzinfo=cet))
    mention = to_mention(item, monitor, monitor.sources[0], monitor.employer, ["Acme"], datetime(2024, 1, 2))
    assert mention.id == mention_id("Acme", "guid:42", monitor=monitor.name) and mention.url == ""
    assert mention.published == datetime(2024, 1, 1, 10, tzinfo=UTC) and mention.published.tzinfo is UTC
    assert mention.fetched.tzinfo is UTC and mention.text == "Acme text"
    keyless = RawItem(title="t", url="", text="Acme text")
    first = to_mention(keyless, monitor, monitor.sources[0], monitor.employer, ["Acme"], FETCHED)
    again = to_mention(keyless, monitor, monitor.sources[0], monitor.employer, ["Acme"], FETCHED)
    assert first.id == again.id  # stable from the content


def test_plain_title_is_kept_as_text() -> None:
    monitor = make_monitor([{"type": "rss", "url": "https://a.example/feed"}])
    item = RawItem(title="Acme  drops the <blink>\n tag", url="https://n.example/blink", text="Acme &amp; co")
    mention = to_mention(item, monitor, monitor.sources[0], monitor.employer, ["Acme"], FETCHED)
    assert mention.title == "Acme drops the <blink> tag"
    assert mention.text == "Acme &amp; co"  # text is plain already: not decoded twice
