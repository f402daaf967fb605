"""The pipeline end to end over real HTTP (local web server) into the real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.config import parse_monitor
from hirewatch.errors import SourceError
from hirewatch.pipeline import ingest_source, run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.web_server import WebServer

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "monitors" / "example-feeds"


def monitor_for(web: WebServer, *, broken: bool = False):
    web.set("/en.xml", FEEDS / "careers-blog-en.xml")
    web.set("/nl.xml", FEEDS / "vacatures-nl.xml", content_type="application/atom+xml")
    web.set("/sv.xml", FEEDS / "jobb-sv.xml")
    web.set("/alerts.xml", FEEDS / "google-alerts.xml", content_type="application/atom+xml",
            status=500 if broken else 200)
    text = f"""
name: acme
employer:
  name: Brightwave Logistics
  aliases: [Brightwave]
  exclude: [Brightwave Audio]
competitors:
  - name: Kestrel Freight
sources:
  - {{name: en, type: rss, url: "{web.url('/en.xml')}"}}
  - {{name: nl, type: atom, url: "{web.url('/nl.xml')}"}}
  - {{name: sv, type: rss, url: "{web.url('/sv.xml')}"}}
  - {{name: alerts, type: google_alerts, url: "{web.url('/alerts.xml')}"}}
fetch:
  allow_loopback: true
"""
    return parse_monitor(text, path="acme.yaml")




def test_run_stores_matched_mentions_and_remembers_both_sources(web: WebServer, store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web), store, alert=False)
    assert [s.status for s in report.sources] == ["ok", "ok", "ok", "ok"]
    hits = store.search(MentionQuery(monitor="acme", limit=1000))
    titles = {h.mention.title for h in hits}
    assert not any("Audio" in t for t in titles), "the exclusion phrase must drop the headphone maker"
    assert not any("Port congestion" in t for t in titles), "an item without the employer is not a mention"
    kestrel = [h.mention for h in hits if h.mention.employer == "Kestrel Freight"]
    assert len(kestrel) == 1 and kestrel[0].is_competitor
    # The Rotterdam story is in the English feed and in the Google Alert (wrapped, with utm_*):
    # one mention that remembers both sources.
    rotterdam = [h.mention for h in hits if "rotterdam-hub" in h.mention.url]
    assert len(rotterdam) == 1
    assert rotterdam[0].url == "https://news.example.org/2026/11/brightwave-rotterdam-hub"
    assert set(rotterdam[0].sources) == {"en", "alerts"}
    # Every mention has its language; the ghosting story is negative and pending in the outbox.
    assert {h.mention.language for h in hits} == {"en", "nl", "sv"}
    assert all(h.mention.sentiment_label in {"negative", "neutral", "positive"} for h in hits)
    assert all(h.mention.scorer and h.mention.severity is not None for h in hits)
    scorers = {h.mention.language: h.mention.scorer for h in hits}
    assert "vader" in scorers["en"] and "vader" not in scorers["nl"] and "vader" not in scorers["sv"]
    dutch = next(h.mention for h in hits if "sollicitatiegesprek" in h.mention.title)
    assert dutch.sentiment_label == "negative" and "interview" in dutch.topics
    ghosted = next(h for h in hits if "ghosted" in h.mention.title)
    assert ghosted.mention.sentiment_label == "negative"
    assert ghosted.alert.status == "pending"
    assert report.new_mentions == len(hits)


def test_second_run_is_conditional_and_adds_nothing(web: WebServer, store: SqliteStore) -> None:
    monitor = monitor_for(web)
    first = run_monitor(monitor, store, alert=False)
    count = store.count("acme")
    assert first.new_mentions == count > 0
    web.reset_hits()
    second = run_monitor(monitor, store, alert=False)
    assert second.new_mentions == 0
    assert store.count("acme") == count
    assert [s.status for s in second.sources] == ["not_modified"] * 4
    assert len(web.hits) == 4
    assert all(h.status == 304 for h in web.hits)
    assert all("If-None-Match" in h.headers or "if-none-match" in {k.lower() for k in h.headers} for h in web.hits)


def test_a_failing_source_is_reported_and_the_rest_go_on(web: WebServer, store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web, broken=True), store, alert=False)
    statuses = {s.source: s.status for s in report.sources}
    assert statuses == {"en": "ok", "nl": "ok", "sv": "ok", "alerts": "failed"}
    failed = report.failed_sources[0]
    assert "500" in (failed.error or "")
    assert store.count("acme") > 0
    assert not report.ok and report.to_dict()["ok"] is False



def test_ingest_source_raises_for_its_own_failure_only(web: WebServer, store: SqliteStore) -> None:
    monitor = monitor_for(web, broken=True)
    assert ingest_source(monitor, "en", store).status == "ok"
    with pytest.raises(SourceError, match=r"in source 'alerts' of monitor 'acme': .*500"):
        ingest_source(monitor, "alerts", store)


def test_unchanged_text_is_not_scored_again_in_a_later_run(web: WebServer, store: SqliteStore,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed feed whose old items are unchanged sends only the new text through the model,
    even in a new process (the in-process cache is emptied between the runs)."""
    from hirewatch.enrich import model_scorer

    embedded: list[str] = []

    def fresh_process_scorers() -> None:
        def counting(texts, *depth):
            embedded.extend(texts)
            return model_scorer.embed_texts(texts, *depth)

        monkeypatch.setattr(model_scorer, "_scorers", {
            "multi": model_scorer.ModelScorer(head_path=model_scorer.HEAD_PATH, name=model_scorer.NAME,
                                              embed=counting)})

    monitor = monitor_for(web)
    fresh_process_scorers()
    run_monitor(monitor, store, alert=False)
    first = len(embedded)
    assert first >= 2  # the Dutch and Swedish mentions went through the model

    feed = (FEEDS / "vacatures-nl.xml").read_text(encoding="utf-8")
    new_entry = """  <entry>
    <title>Brightwave Logistics: nieuwe vacatures voor planners</title>
    <id>https://werkblog.example.nl/2026/11/brightwave-planners</id>
    <link href="https://werkblog.example.nl/2026/11/brightwave-planners"/>
    <updated>2026-11-23T09:00:00Z</updated>
    <content type="html">Brightwave Logistics zoekt planners. Het salaris is slecht en de sfeer is vervelend.</content>
  </entry>
</feed>"""
    web.set("/nl.xml", feed.replace("</feed>", new_entry), content_type="application/atom+xml")
    embedded.clear()
    fresh_process_scorers()
    report = run_monitor(monitor, store, alert=False)
    assert report.new_mentions == 1
    # Only the new item's text (whole, and its sentences for per-topic sentiment) reached the model.
    assert embedded and all("planners" in text or "salaris" in text for text in embedded)


def test_a_review_that_never_names_the_employer_is_its_mention_with_only_the_reviewers_text() -> None:
    from datetime import UTC, datetime

    from hirewatch.pipeline import process_items
    from hirewatch.records import RawItem

    monitor = parse_monitor("employer:\n  name: Acme\nsources:\n  - type: rss\n    url: http://127.0.0.1/f.xml\n",
                            path="acme.yaml", default_name="acme")
    item = RawItem(title="", url="https://reviews.example/acme#r1", text="Langweilig.",
                   extra={"entity": "Acme", "rating": 0.0,
                          "rating_raw": {"value": 1, "best": 5, "worst": 1, "normalised": 0.0}})
    [m], count = process_items(monitor, monitor.sources[0], [item], datetime.now(UTC))
    assert count == 1 and m.employer == "Acme" and m.text == "Langweilig."
    assert m.wants_alert and m.alert_reasons == ("1-star review",)


def test_each_source_says_what_it_read_and_a_feed_turned_html_is_flagged(web: WebServer, tmp_path: Path) -> None:
    monitor = monitor_for(web)
    with SqliteStore(tmp_path / "h.db") as store:
        first = run_monitor(monitor, store, alert=False)
        read = {s.source: (s.status, s.via) for s in first.sources}
        assert read == {"en": ("ok", "feed (rss20)"), "nl": ("ok", "feed (atom10)"), "sv": ("ok", "feed (rss20)"),
                        "alerts": ("ok", "feed (atom10)")}
        assert all(s.items > 0 for s in first.sources)
        web.set("/en.xml", b"<!DOCTYPE html><html><body><h1>We moved our blog</h1></body></html>",
                content_type="text/html")
        second = run_monitor(monitor, store, alert=False)
    en = next(s for s in second.sources if s.source == "en")
    assert en.status == "failed" and en.error is not None
    assert en.error.startswith(f"markup changed? the last good run read {first.sources[0].items} items by feed (rss20)")
    assert "is not an RSS/Atom feed (text/html)" in en.error


def test_a_portuguese_feed_is_dated_detected_and_not_scored_by_vader(web: WebServer, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    url = web.set("/pt.rss", ROOT / "tests" / "fixtures" / "sources" / "noticias_pt.rss",
                  content_type="application/rss+xml")
    monitor = parse_monitor(f"""
name: acme
employer: {{name: Brightwave Logistics, aliases: [Brightwave]}}
sources: [{{name: pt, type: rss, url: "{url}"}}]
fetch: {{allow_loopback: true}}
""")
    with SqliteStore(tmp_path / "h.db") as store:
        report = run_monitor(monitor, store, alert=False)
        assert report.ok and report.sources[0].new_mentions == 2
        mentions = sorted((h.mention for h in store.search(MentionQuery(monitor="acme"))), key=lambda m: m.url)
    layoffs, openings = mentions
    assert layoffs.published == datetime(2018, 9, 24, 13, 0, tzinfo=UTC)
    assert openings.published == datetime(2018, 10, 3, 11, 30, tzinfo=UTC)
    assert [m.language for m in mentions] == ["pt", "pt"]
    assert all(m.scorer not in (None, "vader+hr") for m in mentions), [m.scorer for m in mentions]
