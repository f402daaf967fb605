"""Forum and social presets: each short YAML entry expands to the right feed URL, is fetched through
the RSS source from the local web server (``base_url``), and keeps the site's own fields."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hirewatch.config import parse_monitor
from hirewatch.errors import ConfigError
from hirewatch.records import RawItem
from hirewatch.sources.base import Source
from hirewatch.sources.http_fetcher import HttpFetcher
from hirewatch.sources.registry import build_source
from hirewatch.sources.rss_source import RssSource

from tests.conftest import FIXTURES
from tests.support.web_server import WebServer

SOCIAL = FIXTURES / "social"


def _source(entry: str) -> Source:
    monitor = parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics, aliases: [Brightwave]}}
fetch: {{allow_loopback: true, contact: ta-ops@brightwave.example}}
sources:
  - {entry}
""")
    return build_source(monitor.sources[0], monitor)


def _items(source: Source) -> list[RawItem]:
    async def go():
        async with HttpFetcher(source.monitor.fetch) as fetcher:
            return await source.fetch(fetcher, None)

    outcome = asyncio.run(go())
    return [item for doc in outcome.documents for item in source.parse(doc)]


@pytest.mark.parametrize(
    ("entry", "url"),
    [
        ("{type: reddit, subreddit: recruitinghell}", "https://www.reddit.com/r/recruitinghell/new/.rss"),
        ("{type: reddit, subreddit: r/recruitinghell, query: Brightwave Logistics}",
         "https://www.reddit.com/r/recruitinghell/search.rss?q=Brightwave+Logistics&restrict_sr=1&sort=new"),
        ('{type: reddit, query: "\\"Brightwave\\" interview"}',
         "https://www.reddit.com/search.rss?q=%22Brightwave%22+interview&sort=new"),
        ("{type: mastodon, instance: mastodon.social, tag: '#recruiting'}",
         "https://mastodon.social/tags/recruiting.rss"),
        ("{type: mastodon, instance: https://mastodon.social/, account: '@brightwave'}",
         "https://mastodon.social/@brightwave.rss"),
        ("{type: hackernews, query: Brightwave}", "https://hnrss.org/newest?q=Brightwave"),
        ("{type: hackernews, query: Brightwave Logistics, comments: true, min_points: 10, min_comments: 2}",
         "https://hnrss.org/newcomments?q=Brightwave+Logistics&points=10&comments=2"),
        ("{type: hackernews, query: Brightwave, base_url: 'http://127.0.0.1:8080/'}",
         "http://127.0.0.1:8080/newest?q=Brightwave"),
    ],
)
def test_presets_expand_to_the_site_feed_url(entry: str, url: str) -> None:
    source = _source(entry)
    assert isinstance(source, RssSource)
    assert source.url == url


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{type: reddit}", "subreddit, a query"),
        ("{type: reddit, subreddit: 'no spaces allowed'}", "subreddit name"),
        ("{type: reddit, subreddit: jobs, url: 'https://www.reddit.com/r/x/.rss'}", "type: rss"),
        ("{type: mastodon, instance: mastodon.social}", "either a tag or an account"),
        ("{type: mastodon, instance: mastodon.social, tag: a, account: b}", "either a tag or an account"),
        ("{type: mastodon, instance: 'not a host', tag: a}", "instance host"),
        ("{type: hackernews}", "query"),
        ("{type: hackernews, query: x, base_url: 'http://127.0.0.1:8080/feed?x=1'}", "scheme and host only"),
    ],
)
def test_bad_preset_options_are_config_errors(entry: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _source(entry)


@pytest.mark.parametrize(("fixture", "content_type", "expected"), [
    ("reddit_search.atom", "application/atom+xml", [
        ("tired_applicant", "recruitinghell", "t3_1cabcd",
         "https://www.reddit.com/r/recruitinghell/comments/1cabcd/ghosted_by_brightwave_after_five_rounds/",
         "Five interview rounds at Brightwave Logistics, a take-home task, then nothing. Not even a rejection email."),
        ("hr_person", "recruitinghell", "t3_1c9xyz",
         "https://www.reddit.com/r/recruitinghell/comments/1c9xyz/a_positive_story/",
         "Brightwave's recruiter actually sent feedback within a day."),
    ]),
    ("reddit_old_rss2.xml", "application/rss+xml", [
        ("waiting_since_march", "recruitinghell", "t3_2xyzab",
         "http://www.reddit.com/r/recruitinghell/comments/2xyzab/brightwave_logistics_never_sent_a_rejection/",
         "Three rounds with Brightwave Logistics and then silence for a month."),
        ("hr_watcher", "jobs", "t3_2xyzac",
         "http://www.reddit.com/r/jobs/comments/2xyzac/brightwave_careers_page/", ""),
    ]),
    ("realdata/newsyacht__reddit.xml", "application/atom+xml", [  # a real feed: an image post
        ("NaturePerson88", "pics", "t3_1pz1lp2",
         "https://www.reddit.com/r/pics/comments/1pz1lp2/oc_the_aspen_trees_of_colorado_dont_feel_real/", ""),
    ]),
    ("reddit_xhtml.atom", "application/atom+xml", [
        ("night_shift_planner", "jobs", "t3_1dxyz9", "https://www.reddit.com/r/jobs/comments/1dxyz9/offer_withdrawn/",
         "They withdrew the offer from Brightwave Logistics a day before my start date."),
    ]),
])
def test_reddit_every_format_gives_author_subreddit_permalink_and_clean_text(
        web: WebServer, fixture: str, content_type: str, expected: list[tuple]) -> None:
    web.set("/r/jobs/new/.rss", SOCIAL / fixture, content_type=content_type)
    items = _items(_source(f"{{type: reddit, subreddit: jobs, base_url: '{web.url('')}'}}"))
    got = [(i.author, i.extra.get("subreddit"), i.extra.get("reddit_id"), i.extra.get("permalink"), i.text)
           for i in items]
    assert got == expected
    assert all("submitted by" not in i.text and "[link]" not in i.text for i in items)
    assert all(i.guid is None or not i.guid.startswith("http") or "/comments/" in i.guid for i in items)
    if fixture == "reddit_xhtml.atom":
        (item,) = items
        assert item.guid == "t3_1dxyz9"  # an id stays an id, not a made-up address
        assert item.url == "https://www.reddit.com/r/jobs/comments/1dxyz9/offer_withdrawn/"


def test_reddit_items_keep_subreddit_author_and_id(web: WebServer) -> None:
    web.set("/r/recruitinghell/search.rss", SOCIAL / "reddit_search.atom", content_type="application/atom+xml")
    base = web.url("")
    items = _items(_source(f"{{type: reddit, subreddit: recruitinghell, query: Brightwave, base_url: '{base}'}}"))
    assert web.hits[0].path == "/r/recruitinghell/search.rss?q=Brightwave&restrict_sr=1&sort=new"
    ghosted, positive = items
    assert ghosted.title == "Ghosted by Brightwave after five rounds"
    assert ghosted.url == "https://www.reddit.com/r/recruitinghell/comments/1cabcd/ghosted_by_brightwave_after_five_rounds/"
    assert ghosted.extra["subreddit"] == "recruitinghell" and ghosted.extra["reddit_id"] == "t3_1cabcd"
    assert ghosted.extra["reddit_author"] == "tired_applicant" and ghosted.author == "tired_applicant"
    assert ghosted.text == ("Five interview rounds at Brightwave Logistics, a take-home task, then nothing. "
                            "Not even a rejection email.")
    assert positive.text == "Brightwave's recruiter actually sent feedback within a day."
    assert ghosted.published == datetime(2024, 5, 2, 9, 12, 44, tzinfo=UTC)


def test_mastodon_tag_items_name_their_accounts(web: WebServer) -> None:
    web.set("/tags/recruiting.rss", SOCIAL / "mastodon_tag.rss", content_type="application/rss+xml")
    base = web.url("")
    items = _items(_source(f"{{type: mastodon, instance: mastodon.example, tag: recruiting, base_url: '{base}'}}"))
    local, remote = items
    assert local.extra["account"] == "jobseeker@mastodon.example" and local.author == "@jobseeker@mastodon.example"
    assert local.extra["status_id"] == "112233445566778899" and local.extra["tag"] == "recruiting"
    assert local.text == "Brightwave Logistics asked me for three references before the first interview. #recruiting"
    assert local.title.startswith("Brightwave Logistics asked me for three references")
    assert remote.extra["account"] == "bob@other.social"
    assert remote.extra["instance"] == "mastodon.example"


def test_mastodon_account_feed(web: WebServer) -> None:
    web.set("/@brightwave.rss", SOCIAL / "mastodon_account.rss", content_type="application/rss+xml")
    (item,) = _items(_source(f"{{type: mastodon, instance: mastodon.example, account: brightwave, "
                             f"base_url: '{web.url('')}'}}"))
    assert item.extra["account"] == "brightwave@mastodon.example"
    assert item.title == "We are hiring dispatchers in Rotterdam. Apply by Friday."


def test_hackernews_items_keep_points_comments_and_ids(web: WebServer) -> None:
    web.set("/newest", SOCIAL / "hnrss_newest.rss", content_type="application/rss+xml")
    story, ask = _items(_source(f"{{type: hackernews, query: Brightwave, base_url: '{web.url('')}'}}"))
    assert web.hits[0].path == "/newest?q=Brightwave"
    assert story.url == "https://news.example/brightwave-layoffs" and story.author == "hnuser1"
    assert (story.extra["points"], story.extra["comments"], story.extra["hn_id"]) == (57, 23, "40212345")
    assert story.extra["hn_url"] == "https://news.ycombinator.com/item?id=40212345"
    assert story.text == ""  # only hnrss's footer: no text of its own
    assert ask.text == "Their process has a paid trial day. Worth it?"
    assert (ask.extra["points"], ask.extra["comments"]) == (4, 2)


def test_presets_are_registered_kinds() -> None:
    from hirewatch.sources.registry import BUILTIN

    assert {"reddit", "mastodon", "hackernews", "review"} <= set(BUILTIN)
