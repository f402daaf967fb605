"""Soak: many runs of one monitor over a local feed farm with random faults, then a check that
nothing was lost and nothing was sent twice.

A farm of ``--feeds`` RSS feeds (tests/support/web_server.py on 127.0.0.1) publishes new items
between runs (some negative, some neutral, some carried by two feeds, some with a GUID that changes
on every fetch). Before each run every feed and every Slack message independently fails with
probability ``--fault-rate`` (seeded): a feed answers 500, 503, 429 with Retry-After, too slowly
(past the monitor's time limit), with truncated XML or with an HTML page; Slack (the local Web API
server in tests/support/slack_server.py, driven by the real slack_sdk client) answers 500, 503
or 429. After ``--runs`` runs one more run without faults delivers what the last runs left
pending (the outbox's "next run completes delivery"). Then:

- every negative mention of the store was alerted exactly once (Slack's accepted messages,
  counted per mention id), and nothing else was;
- the store holds exactly one mention per distinct item the farm served.

``--racing``: three monitors in one store over the same farm, whose items are about Acme or
Globex: ``acme-ta`` (#ta-oncall) and ``acme-eng`` (#eng-hiring) watch Acme, ``globex``
(#globex-ta) watches Globex with Acme as its competitor. In every run a ``hirewatch slack
deliver`` process (all three monitors) is started at the same moment as the scheduled runs, so the
two deliveries of each monitor race for its delivery lease: each run stores the new mentions of
the three monitors first, starts the CLI delivery, waits until that process holds a delivery
lease (or ended with nothing to do), then runs the scheduled deliveries of the three monitors in
a random order; the local Slack server takes 50 ms per message, as a real one does, so the two
overlap. The figures say how often a delivery waited for the lease or found it held. The checks become per monitor: each
stores one mention per item about its employer (globex: about either), and every negative is
alerted exactly once by each monitor that should alert it (acme-ta and acme-eng both, each in its
own channel; globex never for an Acme item), whichever of the two deliveries sent it.

    .venv/bin/python -m bench.soak [--runs 100] [--feeds 20] [--fault-rate 0.1] [--seed 7] [--racing]

Prints the figures (and exits 1 if a check fails). Not part of ``make test``: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hirewatch.alerts import deliver_alerts
from hirewatch.config import parse_monitor
from hirewatch.mention import utcnow
from hirewatch.pipeline import run_monitor
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.slack_server import BOT_TOKEN, Answer, Received, SlackServer, channel_id
from tests.support.web_server import WebServer

FEED_FAULTS = ("500", "503", "429", "slow", "truncated", "html")
SLACK_FAULTS = ("500", "503", "429")
NEGATIVE = ("Acme interview was a terrible, humiliating experience", "The recruiter at Acme was rude and dishonest.")
NEUTRAL = ("Acme opens an office in Utrecht", "Acme said it will move two teams to the new office.")


class FaultySlack(SlackServer):
    """The local Slack Web API, failing each ``chat.postMessage`` with probability ``rate``
    before accepting it (a failure after accepting would be the documented crash window, which
    is the crash test's subject, not this soak's)."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        super().__init__()
        self.rng, self.rate, self.enabled = rng, rate, True
        self.latency_s = 0.0
        self.faults: Counter[str] = Counter()

    def _answer(self, req: Received) -> Answer:
        if req.method == "chat.postMessage" and self.latency_s:
            time.sleep(self.latency_s)
        if self.enabled and req.method == "chat.postMessage" and self.rng.random() < self.rate:
            kind = self.rng.choice(SLACK_FAULTS)
            self.faults[kind] += 1
            if kind == "429":
                return Answer(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"})
            return Answer(status=int(kind), raw=b"<html>unavailable</html>")
        return super()._answer(req)


class Farm:
    """The feeds and what they have served. Items stay in their feed (newest first)."""

    def __init__(self, web: WebServer, feeds: int, rng: random.Random, employers: tuple[str, ...] = ("Acme",)) -> None:
        self.web, self.rng, self.employers = web, rng, employers
        self.items: dict[str, list[dict[str, Any]]] = {f"/feed/{n}.xml": [] for n in range(feeds)}
        self.served: set[str] = set()  # canonical links of items in a body answered 200
        self.negative_served: set[str] = set()
        self.count = 0
        self.faults: Counter[str] = Counter()
        self.churn = set(list(self.items)[: max(1, feeds // 5)])  # feeds whose GUIDs change every fetch
        self.run = 0

    def publish(self) -> None:
        paths = list(self.items)
        for path in paths:
            for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
                self.count += 1
                negative = self.rng.random() < 0.4
                employer = self.rng.choice(self.employers) if len(self.employers) > 1 else self.employers[0]
                title, text = (t.replace("Acme", employer) for t in (NEGATIVE if negative else NEUTRAL))
                # "ref s187", not "#187": VADER's lexicon scores some bare numbers (182, 187) negative.
                item = {"title": f"{title} (ref s{self.count})", "text": text, "negative": negative,
                        "employer": employer, "date": utcnow(),
                        "link": f"https://news.example.com/{employer.lower()}/{self.count}"}
                self.items[path].insert(0, item)
                if self.rng.random() < 0.1:  # syndicated: the same story in a second feed
                    self.items[self.rng.choice(paths)].insert(0, item)

    def body(self, path: str) -> bytes:
        parts = []
        for item in self.items[path]:
            guid = f"{item['link']}#{self.run}" if path in self.churn else item["link"]
            parts.append(f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
                         f"<description>{escape(item['text'])}</description><guid isPermaLink=\"false\">"
                         f"{escape(guid)}</guid><pubDate>{format_datetime(item['date'])}</pubDate></item>")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>farm</title>'
                + "".join(parts) + "</channel></rss>").encode()

    def arm(self, rate: float) -> dict[str, str | None]:
        """Set every feed's answer for the next run: its body, or a fault."""
        self.run += 1
        plan: dict[str, str | None] = {}
        for path in self.items:
            body = self.body(path)
            fault = self.rng.choice(FEED_FAULTS) if self.rng.random() < rate else None
            plan[path] = fault
            if fault:
                self.faults[fault] += 1
            if fault in ("500", "503"):
                self.web.set(path, b"<html>down</html>", status=int(fault), content_type="text/html")
            elif fault == "429":
                self.web.set(path, b"slow down", status=429, headers={"Retry-After": "1"})
            elif fault == "slow":
                self.web.set(path, body, delay_s=2.0)
            elif fault == "truncated":
                self.web.set(path, body[: len(body) * 2 // 3])
            elif fault == "html":
                self.web.set(path, "<!doctype html><html><body>Acme careers</body></html>",
                             content_type="text/html")
            else:
                self.web.set(path, body)
        return plan

    def note_served(self, plan: dict[str, str | None], hits_before: Counter[str]) -> None:
        """Items of every feed that answered 200 in full (truncated bodies: only complete items)."""
        for path, fault in plan.items():
            if self.web.count(path, 200) <= hits_before[path]:
                continue
            if fault in (None, "truncated"):
                body = self.web.routes[path].body
                for link in re.findall(rb"<item><title>[^<]*</title><link>([^<]+)</link>.*?</item>", body):
                    self.served.add(link.decode())
        self.negative_served = {i["link"] for items in self.items.values() for i in items
                                if i["negative"] and i["link"] in self.served}

    def served_about(self, employer: str) -> set[str]:
        return {i["link"] for items in self.items.values() for i in items
                if i["employer"] == employer and i["link"] in self.served}


def start_round(farm: Farm, slack: FaultySlack, web: WebServer, *, drain: bool,
                fault_rate: float) -> tuple[dict[str, str | None], Counter[str]]:
    """One round's start, in both modes: new items published and faults armed (the last round,
    ``drain``, has neither, and Slack takes every message); returns the fault plan and each
    feed's count of good answers so far, for :meth:`Farm.note_served`."""
    slack.enabled = not drain
    if not drain:
        farm.publish()
    plan = farm.arm(0.0 if drain else fault_rate)
    return plan, Counter({path: web.count(path, 200) for path in farm.items})


def alerted_ids(slack: SlackServer) -> Counter[str]:
    return alerted_ids_of(slack.posted())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--racing", action="store_true", help="three monitors, a CLI delivery racing every run")
    args = parser.parse_args()
    return racing(args) if args.racing else single(args)


def slack_stream(seed: int) -> random.Random:
    """The Slack fault server's own random stream: how many messages a run posts (which depends on
    timing, a feed that times out while the models load) never shifts the farm's items and faults."""
    return random.Random(f"{seed}:slack")


def single(args: argparse.Namespace) -> int:
    """One monitor, the scheduled runs only."""
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, WebServer() as web:
        slack = FaultySlack(slack_stream(args.seed), args.fault_rate).start()
        # One process: with 8+ sources the pipeline otherwise starts a pool of worker processes per
        # run, and each worker loads the language and sentiment models again (seconds per run).
        os.environ["HIREWATCH_WORKERS"] = "1"
        os.environ["HIREWATCH_SLACK_TOKEN"] = BOT_TOKEN
        os.environ["HIREWATCH_SLACK_BASE_URL"] = slack.base_url
        farm = Farm(web, args.feeds, rng)
        sources = "\n".join(f'  - {{name: feed{n}, type: rss, url: "{web.url(path)}"}}'
                            for n, path in enumerate(farm.items))
        monitor = parse_monitor(f"""
name: acme
employer: {{name: Acme}}
sources:
{sources}
fetch: {{allow_loopback: true, timeout_s: 1}}
routing:
  alerts: {{default_channel: "#ta-oncall", min_interval_s: 0, max_per_run: 1000, storm_factor: 1000000}}
""", path="soak.yaml")
        store = SqliteStore(Path(tmp) / "soak.db")
        failed_sources = alerts_sent = alerts_failed = 0
        run_seconds: list[float] = []
        try:
            for run in range(args.runs + 1):
                plan, hits = start_round(farm, slack, web, drain=run == args.runs, fault_rate=args.fault_rate)
                t0 = time.perf_counter()
                report = run_monitor(monitor, store)
                run_seconds.append(time.perf_counter() - t0)
                farm.note_served(plan, hits)
                failed_sources += len(report.failed_sources)
                alerts_sent += report.alerts_sent
                alerts_failed += report.alerts_failed
            mentions = store.search(MentionQuery(monitor="acme", limit=1_000_000))
            counts = alerted_ids(slack)
        finally:
            store.close()
            slack.stop()
    stored_urls = [h.mention.url for h in mentions]
    negatives = {h.mention.id for h in mentions if h.mention.is_negative}
    negative_urls = {h.mention.url for h in mentions if h.mention.is_negative}
    checks = {
        "store count == distinct items served": len(stored_urls) == len(set(stored_urls)) == len(farm.served)
        and set(stored_urls) == farm.served,
        "every negative alerted exactly once": set(counts) == negatives and set(counts.values()) <= {1},
        "negatives stored == negative items served": negative_urls == farm.negative_served,
    }
    wall = time.perf_counter() - started
    print(f"runs: {args.runs} with faults + 1 without; feeds: {args.feeds}; fault rate: {args.fault_rate}; "
          f"seed: {args.seed}")
    print(f"items published: {farm.count}; distinct items served: {len(farm.served)}; "
          f"mentions stored: {len(stored_urls)}; negatives: {len(negatives)}")
    print(f"feed faults: {dict(farm.faults)} ({sum(farm.faults.values())}); failed source-runs: {failed_sources}")
    print(f"Slack faults: {dict(slack.faults)} ({sum(slack.faults.values())}); alerts sent: {alerts_sent}; "
          f"delivery failures (retried next run): {alerts_failed}; Slack messages accepted: {len(slack.posted())}")
    print(f"alerts per negative: {dict(Counter(counts.values()))}")
    print(f"wall: {wall:.0f} s; run median {sorted(run_seconds)[len(run_seconds) // 2]:.2f} s, "
          f"max {max(run_seconds):.2f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if negative_urls != farm.negative_served:
        print(f"negative items served but not stored as negative: {sorted(farm.negative_served - negative_urls)[:5]}; "
              f"stored as negative but not served as such: {sorted(negative_urls - farm.negative_served)[:5]}")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


# --------------------------------------------------------------------------- racing mode

#: name, employer, channel, competitors
RACING_MONITORS = (("acme-ta", "Acme", "#ta-oncall", ()), ("acme-eng", "Acme", "#eng-hiring", ()),
                   ("globex", "Globex", "#globex-ta", ("Acme",)))


def racing_monitors(folder: Path, farm: Farm, web: WebServer) -> list:
    sources = "\n".join(f'  - {{name: feed{n}, type: rss, url: "{web.url(path)}"}}'
                        for n, path in enumerate(farm.items))
    out = []
    for name, employer, channel, competitors in RACING_MONITORS:
        rivals = f"competitors: [{', '.join(f'{{name: {c}}}' for c in competitors)}]\n" if competitors else ""
        text = (f"name: {name}\nemployer: {{name: {employer}}}\n{rivals}sources:\n{sources}\n"
                "fetch: {allow_loopback: true, timeout_s: 1}\nrouting:\n"
                f'  alerts: {{default_channel: "{channel}", min_interval_s: 0, max_per_run: 1000, '
                "storm_factor: 1000000}\n")
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        out.append(parse_monitor(text, path=f"{name}.yaml"))
    return out


def cli_delivery(folder: Path) -> subprocess.Popen:
    """``hirewatch slack deliver`` of every monitor, in its own process (the environment says
    where the store and Slack are)."""
    return subprocess.Popen([sys.executable, "-m", "hirewatch.cli", "slack", "deliver", "--monitors", str(folder),
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def racing(args: argparse.Namespace) -> int:
    """Three monitors in one store; every run, a CLI delivery races the scheduled runs."""
    rng = random.Random(args.seed)
    started = time.perf_counter()
    tally: Counter[str] = Counter()
    run_seconds: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, WebServer() as web:
        slack = FaultySlack(slack_stream(args.seed), args.fault_rate).start()
        folder = Path(tmp) / "monitors"
        folder.mkdir()
        os.environ.update(HIREWATCH_WORKERS="1", HIREWATCH_SLACK_TOKEN=BOT_TOKEN,
                          HIREWATCH_SLACK_BASE_URL=slack.base_url, HIREWATCH_STORE="sqlite",
                          HIREWATCH_SQLITE_PATH=str(Path(tmp) / "soak.db"), HIREWATCH_HOME=tmp)
        farm = Farm(web, args.feeds, rng, employers=("Acme", "Globex"))
        monitors = racing_monitors(folder, farm, web)
        store = SqliteStore(Path(tmp) / "soak.db")
        slack.latency_s = 0.05
        timing = random.Random(args.seed + 1)  # its own stream: the farm and the faults stay as without it
        t0 = time.perf_counter()  # how long the CLI process takes with nothing pending (bounds the wait)
        cli_delivery(folder).communicate(timeout=600)  # nothing pending yet: how long the process takes
        startup = time.perf_counter() - t0
        try:
            for run in range(args.runs + 1):
                plan, hits = start_round(farm, slack, web, drain=run == args.runs, fault_rate=args.fault_rate)
                t0 = time.perf_counter()
                for monitor in monitors:
                    tally["failed source-runs"] += len(run_monitor(monitor, store, alert=False).failed_sources)
                cli = cli_delivery(folder)
                _until_it_holds_a_lease(cli, store.path, startup * 2)
                for monitor in timing.sample(monitors, len(monitors)):
                    result = deliver_alerts(monitor, store)
                    tally["alerts sent by the scheduled deliveries"] += result.sent + result.threaded
                    tally["delivery failures (retried next run)"] += result.failed
                    notes = " ".join(result.notes)
                    tally["scheduled deliveries that waited for the lease"] += "waited for another delivery" in notes
                    tally["scheduled deliveries that found the lease held, gave up"] += " is running: " in notes
                _count_cli(tally, *cli.communicate(timeout=600))
                run_seconds.append(time.perf_counter() - t0)
                farm.note_served(plan, hits)
            stored = {m.name: store.search(MentionQuery(monitor=m.name, limit=1_000_000)) for m in monitors}
            posted = slack.posted()
        finally:
            store.close()
            slack.stop()
    checks = _racing_checks(farm, stored, posted)
    wall = time.perf_counter() - started
    print(f"racing: monitors {', '.join(m.name for m in monitors)}; runs: {args.runs} with faults + 1 without; "
          f"feeds: {args.feeds}; fault rate: {args.fault_rate}; seed: {args.seed}")
    print(f"items published: {farm.count}; distinct items served: {len(farm.served)} "
          f"(Acme {len(farm.served_about('Acme'))}, Globex {len(farm.served_about('Globex'))})")
    for name, hits in stored.items():
        alerted = sum(1 for h in hits if h.alert.status in ("sent", "threaded"))
        print(f"  {name}: mentions stored {len(hits)}, negatives to alert "
              f"{sum(1 for h in hits if h.mention.is_negative and not h.mention.is_competitor)}, alerted {alerted}")
    print(f"feed faults: {sum(farm.faults.values())}; Slack faults: {dict(slack.faults)} "
          f"({sum(slack.faults.values())}); Slack messages accepted: {len(posted)}")
    for name, value in sorted(tally.items()):
        print(f"{name}: {value}")
    print(f"wall: {wall:.0f} s; run median {sorted(run_seconds)[len(run_seconds) // 2]:.2f} s, "
          f"max {max(run_seconds):.2f} s; CLI process start-up {startup:.1f} s")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


def _until_it_holds_a_lease(cli: subprocess.Popen, db: Path, limit_s: float) -> None:
    """Wait until the CLI process holds a monitor's delivery lease (read from the SQLite file),
    has ended (nothing was pending), or ``limit_s`` passed: then the scheduled deliveries start."""
    import sqlite3

    deadline = time.monotonic() + limit_s
    conn = sqlite3.connect(db)
    try:
        while cli.poll() is None and time.monotonic() < deadline:
            if conn.execute("SELECT 1 FROM deliveries WHERE owner LIKE ?", (f"% pid {cli.pid} %",)).fetchone():
                return
            time.sleep(0.01)
    finally:
        conn.close()


def _count_cli(tally: Counter[str], out: str, err: str) -> None:
    try:
        reports = json.loads(out)
    except ValueError:
        tally["CLI deliveries that printed no report"] += 1
        print(f"CLI delivery printed no report: {err.strip()[-300:]}", file=sys.stderr)
        return
    for report in reports:
        tally["alerts sent by the CLI deliveries"] += report["sent"] + report["threaded"]
        notes = " ".join(report["notes"])
        tally["CLI deliveries that waited for the lease"] += "waited for another delivery" in notes
        tally["CLI deliveries that found the lease held, gave up"] += " is running: " in notes


def _racing_checks(farm: Farm, stored: dict[str, list], posted: list) -> dict[str, bool]:
    """Per monitor: one mention per item it should have; every negative it should alert, alerted
    exactly once, in its own channel."""
    channel_of = {name: channel_id(channel) for name, _, channel, _ in RACING_MONITORS}
    owner = {h.mention.id: name for name, hits in stored.items() for h in hits}
    expected = {h.mention.id for hits in stored.values() for h in hits
                if h.mention.is_negative and not h.mention.is_competitor}
    counts = alerted_ids_of(posted)
    wrong_channel = [m for m in posted for mid in _ids(m) if channel_of.get(owner.get(mid, "")) != m.channel]
    checks = {}
    for name, employer, _, competitors in RACING_MONITORS:
        urls = [h.mention.url for h in stored[name]]
        want = set().union(*(farm.served_about(e) for e in (employer, *competitors)))
        checks[f"{name}: one mention per item served about its employer or competitors"] = (
            len(urls) == len(set(urls)) and set(urls) == want)
        negatives = {h.mention.url for h in stored[name] if h.mention.is_negative and not h.mention.is_competitor}
        checks[f"{name}: its negatives == the negative items served about {employer}"] = (
            negatives == farm.negative_served & farm.served_about(employer))
    checks["every negative alerted exactly once per monitor that should alert it"] = (
        set(counts) == expected and set(counts.values()) <= {1})
    checks["each alert in its own monitor's channel"] = not wrong_channel
    return checks


def _ids(message) -> set[str]:
    blocks = message.args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return {mid for block in blocks if block.get("type") == "context" for element in block.get("elements", [])
            for mid in re.findall(r"\bid ([0-9a-f]{32})\b", str(element.get("text", "")))}


def alerted_ids_of(posted: list) -> Counter[str]:
    counts: Counter[str] = Counter()
    for message in posted:
        counts.update(_ids(message))
    return counts


if __name__ == "__main__":
    sys.exit(main())
