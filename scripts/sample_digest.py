"""Write the sample digest (docs/sample-digest.html) for the README.

Two ways:

- ``--from-store``: the digest of the example monitor (``monitors/example.yaml``) from the
  configured store, i.e. after ``make run``; the day is the last local day with mentions.
- default (fixture run): a temporary SqliteStore filled with 21 days of mentions, runs and review
  ratings for the example monitor (Brightwave Logistics, competitor Kestrel Freight) plus one
  review site, so every section of the digest has something to show. The items are written for
  this project, in the example feeds' languages (English, Dutch, Swedish); nothing is real.

Usage: ``.venv/bin/python scripts/sample_digest.py [--from-store] [--out docs/sample-digest.html]``
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from hirewatch.config import Monitor, load_monitor
from hirewatch.digest import run_digest
from hirewatch.mention import Mention, mention_id
from hirewatch.records import RatingPoint
from hirewatch.report import RunReport, SourceReport
from hirewatch.stores.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 17)  # a Tuesday
NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam, when the digest goes out
EMPLOYER, COMPETITOR = "Brightwave Logistics", "Kestrel Freight"
NEWS, BLOG_NL, BLOG_SV, ALERT, REVIEWS = "industry-news-en", "werkblog-nl", "jobbsnack-sv", "google-alert", \
    "employer-reviews"

# The day's stories: (key, source, kind, title, text, label, score, severity, topics, topic scores, extra)
STORIES = [
    ("ghosted", NEWS, "rss", '"They ghosted me after four interviews": a candidate on Brightwave\'s hiring process',
     "Four rounds, a take-home test and then nothing. Six weeks later I am still waiting for an answer from the "
     "recruiter, who stopped replying after the final interview.", "negative", -0.74, 0.86,
     ("interview", "rejection"), {"interview": -0.5, "rejection": -0.8}, {}),
    ("lowball", ALERT, "google_alerts", "Lowball offer and a bait and switch: Brightwave Logistics offer story goes "
     "viral", "The role was advertised at one salary band and the written offer came in 20% lower, with the "
     "signing bonus gone.", "negative", -0.81, 0.78, ("offer",), {"offer": -0.81}, {}),
    ("utan-svar", BLOG_SV, "rss", "Brightwave Logistics lämnade mig utan svar efter intervjun",
     "Jag gick på intervju för tre veckor sedan och har inte hört något sedan dess.", "negative", -0.55, 0.7,
     ("rejection",), {"rejection": -0.55}, {}),
    ("robots", NEWS, "rss", "Brightwave's warehouse robots stall again during the morning shift",
     "A software fault stopped the sorting robots for two hours.", "negative", -0.42, 0.35, (), {}, {}),
    ("review-interview", REVIEWS, "review", "Recruiter was great, the interview was awful",
     "The recruiter kept me informed at every step, but the panel interview was disorganised and one "
     "interviewer was openly dismissive.", "negative", -0.2, 0.64, ("recruiter", "interview"),
     {"recruiter": 0.62, "interview": -0.71}, {"rating": 0.25}),
    ("review-onboarding", REVIEWS, "review", "Great colleagues, chaotic first week",
     "Nice team and a fair manager; my laptop arrived on day four.", "neutral", 0.04, 0.3, ("onboarding",
     "culture"), {"onboarding": -0.35, "culture": 0.6}, {"rating": 0.5}),
    ("rotterdam", NEWS, "rss", "Brightwave Logistics opens a new hub in Rotterdam, hiring 300",
     "The company plans to hire warehouse staff, drivers and planners in the coming months.", "positive", 0.62,
     0.1, ("job_ad",), {"job_ad": 0.62}, {}),
    ("tilburg", BLOG_NL, "atom", "Brightwave Logistics zoekt chauffeurs in Tilburg",
     "Vacatures voor chauffeurs met rijbewijs C, fulltime en parttime.", "neutral", 0.0, 0.05, ("job_ad",),
     {}, {}),
    ("sollicitatie", BLOG_NL, "atom", "Slechte ervaring met het sollicitatiegesprek bij Brightwave Logistics",
     "Het gesprek begon een half uur te laat en niemand had mijn cv gelezen.", "negative", -0.6, 0.66,
     ("interview",), {"interview": -0.6}, {}),
]
TRIAGE = {"ghosted": ("sent", "open"), "lowball": ("sent", "acknowledged"), "utan-svar": ("sent", "open"),
          "robots": ("sent", "false_positive"), "sollicitatie": ("sent", "open"),
          "review-interview": ("sent", "open")}
BACKGROUND_TOPICS = ["job_ad", "application", "recruiter", "interview", "offer", "rejection", "onboarding",
                     "culture", "workload"]


def example_monitor() -> Monitor:
    """monitors/example.yaml plus one review site. Built from the config model (the source kinds
    need not be installed to draw a digest: it never fetches)."""
    data = yaml.safe_load((ROOT / "monitors" / "example.yaml").read_text(encoding="utf-8"))
    data["sources"].append({"name": REVIEWS, "type": "review", "url": "https://reviews.example/brightwave"})
    return Monitor.model_validate(data)


def _mention(key: str, at: datetime, *, employer: str = EMPLOYER, competitor: bool = False, **fields) -> Mention:
    url = fields.pop("url", f"https://{fields.get('source', NEWS)}.example/{key}")
    base = {"source": NEWS, "source_kind": "rss", "title": key, "text": "", "sentiment_label": "neutral",
            "sentiment_score": 0.0, "language": "en"}
    base.update(fields)
    return Mention(id=mention_id(employer, url, monitor="example"), monitor="example", employer=employer, url=url,
                   fetched=at, published=at - timedelta(hours=2), is_competitor=competitor, scorer="vader", **base)


def fill(store: SqliteStore, monitor: Monitor) -> None:
    rng = random.Random(8)
    start = DAY - timedelta(days=20)
    mentions: list[Mention] = []
    for offset in range(21):
        day = start + timedelta(days=offset)
        base = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
        if day < DAY:
            for i in range(rng.randint(3, 9) + (3 if day.weekday() < 5 else 0)):
                roll = rng.random()
                label, score = (("negative", -rng.uniform(0.1, 0.8)) if roll < 0.22 else
                                ("positive", rng.uniform(0.1, 0.8)) if roll < 0.55 else ("neutral", 0.0))
                topic = rng.choice(BACKGROUND_TOPICS)
                source = rng.choice([NEWS, NEWS, BLOG_NL, ALERT] + ([BLOG_SV] if day < DAY - timedelta(days=4)
                                                                    else []))
                mentions.append(_mention(f"bg-{day}-{i}", base + timedelta(minutes=rng.randint(0, 900)),
                                         source=source, title=f"Background story {i} of {day}",
                                         sentiment_label=label, sentiment_score=round(score, 2), topics=(topic,),
                                         severity=round(rng.uniform(0, 0.6), 2)))
        for i in range(rng.randint(2, 6)):
            mentions.append(_mention(f"kf-{day}-{i}", base + timedelta(minutes=rng.randint(0, 900)),
                                     employer=COMPETITOR, competitor=True, title=f"{COMPETITOR} story {i}",
                                     sentiment_label="positive" if rng.random() < 0.5 else "neutral",
                                     sentiment_score=round(rng.uniform(0, 0.5), 2)))
        for hour in (5, 11, 17, 23):
            failing = day == DAY and hour >= 11
            reports = [
                SourceReport(NEWS, "rss", "ok", items=12, new_mentions=1),
                SourceReport(BLOG_NL, "atom", "not_modified" if hour != 5 else "ok", new_mentions=int(hour == 5)),
                SourceReport(BLOG_SV, "rss", "not_modified", new_mentions=int(day < DAY - timedelta(days=4)
                                                                              and hour == 5)),
                SourceReport(ALERT, "google_alerts", "failed" if failing else "ok",
                             error="HTTP 503 Service Unavailable" if failing else None, new_mentions=0 if failing
                             else 1),
                SourceReport(REVIEWS, "review", "ok", items=20, new_mentions=int(hour == 5)),
            ]
            at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            store.record_run(RunReport("example", at, at + timedelta(seconds=40), reports))
    store.record_rating(RatingPoint("example", REVIEWS, datetime(2026, 11, 10, 5, tzinfo=UTC), 0.65, 212))
    store.record_rating(RatingPoint("example", REVIEWS, datetime(2026, 11, 17, 5, tzinfo=UTC), 0.625, 214))
    day_base = datetime(2026, 11, 17, 6, tzinfo=UTC)
    for index, (key, source, kind, title, text, label, score, severity, topics, topic_scores, extra) in \
            enumerate(STORIES):
        mentions.append(_mention(key, day_base + timedelta(minutes=53 * index), source=source, source_kind=kind,
                                 title=title, text=text, sentiment_label=label, sentiment_score=score,
                                 severity=severity, topics=topics, topic_sentiment=topic_scores, extra=extra,
                                 language={"utan-svar": "sv", "tilburg": "nl", "sollicitatie": "nl"}.get(key, "en")))
    mentions.append(_mention("top-employer", day_base + timedelta(hours=3), employer=COMPETITOR, competitor=True,
                             title=f"{COMPETITOR} named a top employer for the third year",
                             sentiment_label="positive", sentiment_score=0.71))
    store.upsert_mentions(mentions)
    for index, (key, *_rest) in enumerate(STORIES):
        status, triage = TRIAGE.get(key, (None, None))
        mid = next(m.id for m in mentions if m.url.endswith("/" + key))
        if status == "sent":
            store.mark_alert_sent(mid, "#ta-oncall", f"1763359200.{index:06d}")
        if triage and triage != "open":
            store.set_triage(mid, triage, "maria")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sample-digest.html")
    parser.add_argument("--from-store", action="store_true", help="the example monitor from the configured store")
    args = parser.parse_args()
    if args.from_store:
        from hirewatch.stores.registry import open_store

        monitor = load_monitor(ROOT / "monitors" / "example.yaml")
        store = open_store()
        try:
            latest = max((m.fetched for m in store.iter_mentions(["example"], datetime(2000, 1, 1, tzinfo=UTC),
                                                                  datetime.now(UTC))), default=None)
            if latest is None:
                print("no mentions of the example monitor in the store: run `make run` first", file=sys.stderr)
                return 2
            day = latest.astimezone(monitor.tz).date()
            result = run_digest([monitor], store, day, out_file=args.out)
        finally:
            store.close()
    else:
        monitor = example_monitor()
        with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "sample.db") as store:
            fill(store, monitor)
            result = run_digest([monitor], store, DAY, out_file=args.out, now=NOW)
    for group in result.groups:
        print(f"{group.path}: {group.digest.headline}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
