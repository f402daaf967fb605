"""The end-to-end check of the distributed stack: many monitors on Airflow's CeleryExecutor, over
scheduled intervals with feed changes between them, then everything counted.

Runs inside ``scripts/stack-local`` (which starts PostgreSQL, Redis, Airflow with N Celery workers,
the Elasticsearch store on osmem-server, the Slack-like server and the feed farm, and passes their
addresses in ``STACK_*`` variables):

    scripts/stack-local --workers 2 --farm "--feeds 60 --fresh 3 --mention-share 0.25" \\
        -- .venv/bin/python -m bench.scaleout --monitors 8 --feeds-per-monitor 15

What it does:

1. writes ``--monitors`` monitor files into the stack's monitor folder: half watch the farm's
   employer (Brightwave Logistics, competitor Kestrel Freight), half the competitor (with
   Brightwave as *their* competitor); each takes ``--feeds-per-monitor`` of the farm's feeds,
   overlapping its neighbours' by half (the same stories reach several monitors, of both kinds);
   every monitor alerts to its own channel and posts its digest to another;
2. waits for the DAGs, unpauses the monitor DAGs, and lets the schedule run them: one scheduled
   run per monitor on the farm as it starts, then ``--rounds`` times: the farm changes (new items
   on every feed, one story shared by each group of feeds), and one more scheduled run per
   monitor that started after the change;
3. triggers every monitor's digest DAG for today;
4. checks, against the farm's manifest (whom each item names), the store (Elasticsearch) and the
   Slack-like server's history:
   - every mention stored once: per monitor, one stored mention per item that names the employer,
     its alias or the competitor in a feed that answered (duplicates = 0, lost = 0, none
     unexpected);
   - every negative alerted exactly once per monitor: each mention of a monitor that the decide
     step wants alerted (its negative mentions of the employer, and neutral or positive ones with
     a clearly negative candidate-experience topic) has exactly one alert (message metadata
     ``hirewatch_alert``) in that monitor's channel, and nothing else was alerted; none is left
     pending;
   - the digests written: each digest run succeeded, its HTML file exists on the worker that ran
     it, and its Slack summary is in the digest channel;
   - no task failed except the fetch of a source the farm breaks on purpose (5xx, invalid feed,
     feedparser's ill-formed corpus files) and the report task of such a run.

Prints the counts and the throughput (fetch tasks and mentions per minute of each round's
busy window, first task start to last task end), and with ``--record`` appends them to
bench/RESULTS.md. Exits 1 when a check fails. Not part of ``make test``: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import append_results, command_line, machine_line
from bench.feed_farm import COMPETITOR, EMPLOYER, EMPLOYER_ALIAS, HOMONYM

#: Whom a monitor's mentions name, by the farm's names: every monitor here watches the employer or
#: the competitor and has the other as its competitor, so both kinds want the same three.
WANTED = {"employer", "alias", "competitor"}
#: Farm source kinds that fail on purpose (or may: feedparser's ill-formed corpus files).
FAULTY = {"failing", "invalid", "corpus"}
TAG = re.compile(r"/(hw\d+-(?:r\d+-)?\d+|story-r\d+-g\d+)(?=/|$|\?|#)")


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: run this inside scripts/stack-local (see the module's doc)")
    return value


# --------------------------------------------------------------------------- the monitors


@dataclass
class Plan:
    name: str
    watches: str  # "employer" or "competitor" (the farm's names)
    feeds: list[int]
    channel: str
    digest_channel: str


def plan_monitors(count: int, per_monitor: int, farm_feeds: int) -> list[Plan]:
    step = max(1, per_monitor // 2)
    return [Plan(name=f"so{i:02d}", watches="employer" if i % 2 == 0 else "competitor",
                 feeds=sorted({(i * step + k) % farm_feeds for k in range(per_monitor)}),
                 channel=f"#so{i:02d}-alerts", digest_channel=f"#so{i:02d}-digest") for i in range(count)]


def monitor_yaml(plan: Plan, urls: list[str]) -> str:
    brightwave = [f"  name: {EMPLOYER}", f"  aliases: [{EMPLOYER_ALIAS}]", f"  exclude: [{HOMONYM}]"]
    kestrel = [f"  name: {COMPETITOR}"]
    employer, competitor = (brightwave, kestrel) if plan.watches == "employer" else (kestrel, brightwave)
    lines = ["# written by bench/scaleout.py for the end-to-end check of the distributed stack",
             f"name: {plan.name}", "employer:", *employer, "competitors:",
             "  - " + competitor[0].strip(), *("  " + line for line in competitor[1:]),
             "fetch:", "  allow_loopback: true", "sentiment:", "  mode: fast", "routing:", "  alerts:",
             f'    default_channel: "{plan.channel}"', "    min_interval_s: 0", "    max_per_run: 1000",
             "    storm_factor: 1000000", "  digest:", f'    slack_channel: "{plan.digest_channel}"', "sources:"]
    for index in plan.feeds:
        lines += [f"  - name: feed-{index}", "    type: rss", f"    url: {urls[index]}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Airflow's REST API


class Airflow:
    def __init__(self, url: str, passwords: Path) -> None:
        password = json.loads(passwords.read_text())["admin"]
        self.http = httpx.Client(base_url=url, timeout=60)
        token = self.http.post("/auth/token", json={"username": "admin", "password": password})
        token.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    def listed(self, path: str, key: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            answer = self.http.post(path, json={**body, "page_offset": len(out), "page_limit": 100})
            answer.raise_for_status()
            page = answer.json()
            out += page[key]
            if not page[key] or len(out) >= page["total_entries"]:
                return out

    def dag_ids(self, prefix: str) -> set[str]:
        return {d["dag_id"] for d in self.get("/api/v2/dags", dag_id_pattern=prefix, limit=100)["dags"]
                if d["dag_id"].startswith(prefix)}

    def unpause(self, dag_id: str, paused: bool = False) -> None:
        self.http.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": paused}).raise_for_status()

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        answer = self.http.post(f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        answer.raise_for_status()
        return str(answer.json()["dag_run_id"])

    def runs(self, dag_ids: list[str]) -> list[dict[str, Any]]:
        return self.listed("/api/v2/dags/~/dagRuns/list", "dag_runs", {"dag_ids": dag_ids})

    def task_instances(self, dag_ids: list[str]) -> list[dict[str, Any]]:
        return self.listed("/api/v2/dags/~/dagRuns/~/taskInstances/list", "task_instances", {"dag_ids": dag_ids})

    def xcom(self, ti: dict[str, Any], key: str = "return_value") -> Any:
        path = (f"/api/v2/dags/{ti['dag_id']}/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}"
                f"/xcomEntries/{key}")
        answer = self.http.get(path, params={"map_index": ti.get("map_index", -1), "deserialize": True})
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        return answer.json().get("value")


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


FINISHED = {"success", "failed"}


def wait_for_runs(airflow: Airflow, dag_ids: list[str], after: datetime, timeout_s: float) -> dict[str, dict]:
    """Per DAG, its first scheduled run that started after ``after`` and has finished."""
    deadline = time.monotonic() + timeout_s
    while True:
        chosen: dict[str, dict] = {}
        for run in sorted(airflow.runs(dag_ids), key=lambda r: r.get("start_date") or "9"):
            start = when(run.get("start_date"))
            if run["run_type"] == "scheduled" and start and start > after and run["dag_id"] not in chosen:
                chosen[run["dag_id"]] = run
        done = {d: r for d, r in chosen.items() if r["state"] in FINISHED}
        if len(done) == len(dag_ids):
            return done
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {len(done)} of {len(dag_ids)} monitor DAGs finished a run started "
                             f"after {after:%H:%M:%S}")
        time.sleep(5)


# --------------------------------------------------------------------------- Slack and the store


def slack_messages(base_url: str) -> list[dict[str, Any]]:
    """Every message the Slack-like server took, with channel name and metadata (threads too)."""
    from slack_sdk import WebClient

    from tests.support.slack_server import BOT_TOKEN

    client = WebClient(token=BOT_TOKEN, base_url=base_url)
    out: list[dict[str, Any]] = []
    for page in client.conversations_list(limit=200):
        for channel in page["channels"]:
            for history in client.conversations_history(channel=channel["id"], include_all_metadata=True, limit=200):
                for message in history["messages"]:
                    out.append({**message, "channel_name": channel["name"]})
                    if message.get("reply_count"):
                        for replies in client.conversations_replies(channel=channel["id"], ts=message["ts"],
                                                                    include_all_metadata=True, limit=200):
                            out += [{**r, "channel_name": channel["name"]} for r in replies["messages"]
                                    if r["ts"] != message["ts"]]
    return out


@dataclass
class Counts:
    mentions: int = 0
    negatives: int = 0
    to_alert: int = 0
    alerts: int = 0
    duplicates: int = 0
    lost: int = 0
    unexpected: int = 0
    duplicate_alerts: int = 0
    lost_alerts: int = 0
    stray_alerts: int = 0
    pending: int = 0
    examples: list[str] = field(default_factory=list)


def check_store_and_alerts(plans: list[Plan], manifest: dict[str, Any], messages: list[dict]) -> Counts:
    from hirewatch.settings import StoreSettings
    from hirewatch.stores.base import MentionQuery
    from hirewatch.stores.registry import open_store

    counts = Counts()
    sources = manifest["sources"]
    alerts: dict[tuple[str, str], Counter[str]] = {}
    for message in messages:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == "hirewatch_alert":
            payload = meta.get("event_payload") or {}
            monitor, mid = str(payload.get("monitor")), str(payload.get("mention_id"))
            alerts.setdefault((monitor, message["channel_name"]), Counter())[mid] += 1
            counts.alerts += 1
    store = open_store(StoreSettings(kind="elasticsearch", es_url=env("STACK_ES_URL")))
    try:
        for plan in plans:
            expected = {tag for i in plan.feeds for tag, whom in sources[i]["named"].items() if whom in WANTED}
            stored = store.search(MentionQuery(monitor=plan.name, limit=10_000))
            tags = Counter(m.group(1) for hit in stored if (m := TAG.search(hit.mention.url)))
            counts.mentions += len(stored)
            counts.duplicates += sum(n - 1 for n in tags.values() if n > 1)
            counts.duplicates += len(stored) - len({hit.mention.url for hit in stored}) - sum(
                n - 1 for n in tags.values() if n > 1)
            lost, unexpected = expected - set(tags), set(tags) - expected
            counts.lost += len(lost)
            counts.unexpected += len(unexpected) + sum(1 for hit in stored if not TAG.search(hit.mention.url))
            if lost or unexpected:
                counts.examples.append(f"{plan.name}: lost {sorted(lost)[:3]}, unexpected {sorted(unexpected)[:3]}")
            counts.negatives += sum(1 for hit in stored if hit.mention.is_negative and not hit.mention.is_competitor)
            # What the decide step wants alerted: the negative mentions of the employer, and
            # neutral or positive ones with a clearly negative candidate-experience topic.
            negatives = {hit.mention.id for hit in stored if hit.mention.wants_alert}
            counts.to_alert += len(negatives)
            sent = alerts.get((plan.name, plan.channel.lstrip("#")), Counter())
            counts.duplicate_alerts += sum(n - 1 for n in sent.values() if n > 1)
            counts.lost_alerts += len(negatives - set(sent))
            counts.stray_alerts += len(set(sent) - negatives)
            counts.pending += len(store.pending_alerts(plan.name))
            if negatives != set(sent) or any(n > 1 for n in sent.values()):
                counts.examples.append(f"{plan.name}: alerts missing {len(negatives - set(sent))}, "
                                       f"stray {len(set(sent) - negatives)}, twice {sum(n > 1 for n in sent.values())}")
        elsewhere = sum(sum(c.values()) for (monitor, channel), c in alerts.items()
                        if channel != f"{monitor}-alerts")
        counts.stray_alerts += elsewhere
    finally:
        store.close()
    return counts


# --------------------------------------------------------------------------- failures and digests


def unexpected_failures(airflow: Airflow, tis: list[dict], manifest: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(failed task instances, of which not explained by the farm's faults, examples)."""
    kinds = [s["kind"] for s in manifest["sources"]]
    failed = [ti for ti in tis if ti["state"] in ("failed", "upstream_failed")]
    bad: list[str] = []
    runs_with_faults: set[tuple[str, str]] = set()
    for ti in failed:
        if ti["task_id"] == "fetch":
            name = ti.get("rendered_map_index") or ""
            index = int(name.split("-", 1)[1]) if name.startswith("feed-") else -1
            if index >= 0 and kinds[index] in FAULTY:
                runs_with_faults.add((ti["dag_id"], ti["dag_run_id"]))
                continue
            report = airflow.xcom(ti, "source_report") or {}
            bad.append(f"{ti['dag_id']} fetch {name}: {str(report.get('error'))[:200]}")
    for ti in failed:
        if ti["task_id"] == "report" and (ti["dag_id"], ti["dag_run_id"]) in runs_with_faults:
            continue
        if ti["task_id"] != "fetch":
            bad.append(f"{ti['dag_id']} {ti['task_id']} ({ti['dag_run_id']}): {ti['state']}")
    return len(failed), len(bad), bad[:10]


def check_digests(airflow: Airflow, plans: list[Plan], stack_dir: Path, timeout_s: float) -> tuple[int, list[str]]:
    """Trigger each monitor's digest for today; count those whose run succeeded with its HTML file
    on a worker and its Slack summary posted."""
    dag_ids = [f"hirewatch_digest_{p.name}" for p in plans]
    started = datetime.now(UTC)
    for dag_id in dag_ids:
        airflow.unpause(dag_id)
        airflow.trigger(dag_id, {"day": "today"})
    deadline = time.monotonic() + timeout_s
    while True:
        runs = [r for r in airflow.runs(dag_ids) if r["run_type"] == "manual" and when(r["run_after"]) >= started]
        if len(runs) >= len(dag_ids) and all(r["state"] in FINISHED for r in runs):
            break
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the digest runs")
        time.sleep(5)
    problems = [f"{r['dag_id']}: {r['state']}" for r in runs if r["state"] != "success"]
    tis = [ti for ti in airflow.task_instances(dag_ids) if ti["dag_run_id"] in {r["dag_run_id"] for r in runs}]
    written = 0
    homes = sorted(stack_dir.glob("worker-*/home"))
    for ti in tis:
        groups = ((airflow.xcom(ti) or {}).get("result") or {}).get("groups") or [{}]
        paths = [Path(g["path"]) for g in groups if g.get("path")]
        if paths and all(p.is_file() and any(home in p.parents for home in homes) for p in paths):
            written += 1
        else:
            problems.append(f"{ti['dag_id']}: no HTML file under a worker's HIREWATCH_HOME ({paths})")
    messages = slack_messages(env("STACK_SLACK_URL"))
    summaries = Counter(m["channel_name"] for m in messages if m["channel_name"].endswith("-digest"))
    for plan in plans:
        if not summaries.get(plan.digest_channel.lstrip("#")):
            problems.append(f"{plan.name}: no digest summary in {plan.digest_channel}")
    return written, problems


def tasks_per_worker(stack_dir: Path) -> dict[str, int]:
    """Task attempts each worker ran, from the log files in its own log folder."""
    return {d.parent.name: sum(1 for _ in d.rglob("attempt=*.log")) for d in sorted(stack_dir.glob("worker-*/logs"))}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=8)
    parser.add_argument("--feeds-per-monitor", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2, help="farm changes, each followed by a scheduled run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for one round")
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    stack_dir = Path(env("STACK_DIR"))
    farm = httpx.Client(base_url=env("STACK_FARM_URL"), timeout=120)
    manifest = farm.get("/_farm/manifest").json()
    plans = plan_monitors(args.monitors, args.feeds_per_monitor, len(manifest["urls"]))
    monitors = Path(env("STACK_MONITORS"))
    for plan in plans:
        (monitors / f"{plan.name}.yaml").write_text(monitor_yaml(plan, manifest["urls"]), encoding="utf-8")
    airflow = Airflow(env("STACK_AIRFLOW_URL"), Path(env("STACK_AIRFLOW_PASSWORDS")))
    dag_ids = [f"hirewatch_{p.name}" for p in plans]
    t0 = time.monotonic()
    while not set(dag_ids) <= airflow.dag_ids("hirewatch_"):
        if time.monotonic() - t0 > 300:
            raise SystemExit(f"the DAG processor did not list the monitors' DAGs in 5 minutes: "
                             f"{sorted(set(dag_ids) - airflow.dag_ids('hirewatch_'))[:5]}")
        time.sleep(3)
    print(f"scaleout: {len(plans)} monitors x {args.feeds_per_monitor} feeds on {len(manifest['urls'])} farm feeds; "
          f"{env('STACK_WORKERS')} workers x {env('STACK_CONCURRENCY')}; schedule '{env('STACK_SCHEDULE')}'",
          flush=True)
    started = datetime.now(UTC)
    for dag_id in dag_ids:
        airflow.unpause(dag_id)
    rounds: list[dict[str, dict]] = []
    after = started
    for round_ in range(args.rounds + 1):
        if round_:
            changed = farm.post("/_farm/round").json()
            after = datetime.now(UTC)
            print(f"scaleout: farm round {changed['round']}: {changed['summary']['items']} items, "
                  f"{changed['summary']['mention_items']} naming someone", flush=True)
        runs = wait_for_runs(airflow, dag_ids, after, args.timeout)
        rounds.append(runs)
        states = dict(Counter(r["state"] for r in runs.values()))
        print(f"scaleout: round {round_}: {len(runs)} runs finished, states {states}", flush=True)
    # Pause the monitors and let a run that started meanwhile finish, so that nothing moves while
    # it is counted.
    for dag_id in dag_ids:
        airflow.unpause(dag_id, paused=True)
    while any(r["state"] == "running" for r in airflow.runs(dag_ids)):  # a paused DAG's queued run waits
        time.sleep(5)
    manifest = farm.get("/_farm/manifest").json()
    tis = airflow.task_instances(dag_ids)
    messages = slack_messages(env("STACK_SLACK_URL"))
    counts = check_store_and_alerts(plans, manifest, messages)
    failed, unexplained, failure_examples = unexpected_failures(airflow, tis, manifest)
    written, digest_problems = check_digests(airflow, plans, stack_dir, args.timeout)
    per_round = []
    for index, runs in enumerate(rounds):
        ids = {r["dag_run_id"] for r in runs.values()}
        mine = [ti for ti in tis if ti["dag_run_id"] in ids and ti.get("start_date") and ti.get("end_date")]
        begin = min(when(ti["start_date"]) for ti in mine)
        end = max(when(ti["end_date"]) for ti in mine)
        fetches = sum(1 for ti in mine if ti["task_id"] == "fetch")
        window = (end - begin).total_seconds()
        per_round.append((index, len(mine), fetches, window))
    workers = tasks_per_worker(stack_dir)
    checks = {
        "every mention stored once (duplicates 0, lost 0, unexpected 0)":
            counts.duplicates == 0 and counts.lost == 0 and counts.unexpected == 0,
        "every mention to alert (negatives included) alerted exactly once per monitor, nothing else, none pending":
            counts.duplicate_alerts == 0 and counts.lost_alerts == 0 and counts.stray_alerts == 0
            and counts.pending == 0,
        "the digests written (HTML on a worker, Slack summary)": not digest_problems and written == len(plans),
        "no task failed except for the farm's injected faults": unexplained == 0,
    }
    lines = [
        f"- {machine_line()}",
        f"- `{command_line()}` inside `scripts/stack-local --workers {env('STACK_WORKERS')} "
        f"--concurrency {env('STACK_CONCURRENCY')}`; schedule `{env('STACK_SCHEDULE')}`",
        f"- {len(plans)} monitors x {args.feeds_per_monitor} feeds ({len(manifest['urls'])} farm feeds, each in about "
        f"two monitors), {args.rounds + 1} scheduled runs per monitor with {args.rounds} farm changes between them",
        f"- mentions {counts.mentions}, negatives {counts.negatives}, to alert (decide step) {counts.to_alert}, "
        f"alerts {counts.alerts}, duplicates "
        f"{counts.duplicates}, lost {counts.lost}, unexpected {counts.unexpected}; alerts twice "
        f"{counts.duplicate_alerts}, not alerted {counts.lost_alerts}, alerts of a mention not to alert "
        f"{counts.stray_alerts}, pending {counts.pending}",
        f"- failed task instances {failed} (unexplained by the farm's faults: {unexplained}); digests written "
        f"{written} of {len(plans)}; task attempts per worker {workers}",
        *(f"- round {i}: {n} task instances ({f} fetch) in {w:.0f} s busy window: {60 * f / w:.1f} fetch tasks/min"
          for i, n, f, w in per_round if w > 0),
    ]
    for name, ok in checks.items():
        lines.append(f"- {'PASS' if ok else 'FAIL'} {name}")
    block = "\n".join(lines)
    print(block)
    for example in [*counts.examples, *failure_examples, *digest_problems][:20]:
        print("  ", example)
    if args.record:
        append_results("Scale-out: the CeleryExecutor stack end to end", block)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
