"""Crawled text is written by strangers: it reaches Slack, the digest, the terminal and a
spreadsheet as data, never as markup, mentions, formulas or control sequences; huge fields are cut
at documented limits (hirewatch.extract.limits) and never break the store or Slack's block limits.
End to end: feeds over the local web server, the pipeline, the real SQLite store, the local Slack
server, the digest file, the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hirewatch.cli import app
from hirewatch.config import Monitor
from hirewatch.extract.limits import AUTHOR_LIMIT, EXTRA_TEXT_LIMIT, TEXT_LIMIT, TITLE_LIMIT
from hirewatch.pipeline import run_monitor
from hirewatch.settings import store_settings
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SqliteStore
from typer.testing import CliRunner

from tests.reliability.conftest import rss, story
from tests.support.monitors import make_monitor
from tests.support.slack_server import BOT_TOKEN, SlackServer
from tests.support.web_server import WebServer

INJECTIONS = ["<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<#C0123ABC>", "<https://evil.example|click>",
              "<!subteam^S123>", "&lt;!channel&gt;"]


def hostile_items() -> list[dict[str, Any]]:
    items = []
    for n, payload in enumerate(INJECTIONS):
        items.append(story(n, title=f"Acme is awful {payload} *bold* `code` ~strike~",
                           description=f"Terrible recruiter at Acme {payload} ping everyone @here @channel",
                           link=f"https://news.example.com/acme/{n}?q=<!channel>|x"))
    return items


def monitor_for(web: WebServer, items: list[dict[str, Any]], **routing: Any) -> Monitor:
    web.set("/hostile.xml", rss(items, title="Feed <!channel> " + "T" * 50))
    alerts = {"default_channel": "#ta-oncall", "min_interval_s": 0, "max_per_run": 100, **routing}
    return make_monitor([{"type": "rss", "name": "hostile", "url": web.url("/hostile.xml")}],
                        routing={"alerts": alerts, "digest": {"recipients": ["ta@example.com"]}})


@pytest.fixture()
def slack_env(slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> SlackServer:
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack.base_url)
    return slack


@pytest.fixture()
def cli_store() -> Iterator[SqliteStore]:
    """The store the CLI opens (``$HIREWATCH_HOME/hirewatch.db``)."""
    path = store_settings().sqlite_path
    assert path is not None
    with SqliteStore(path) as store:
        yield store


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from text_objects(value)


OUR_LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>]*>")


def assert_no_injection(body: dict[str, Any]) -> None:
    assert body["link_names"] is False and body["unfurl_links"] is False
    pieces = [body["text"], *(o["text"] for o in text_objects(body.get("blocks") or []))]
    for obj in text_objects(body.get("blocks") or []):
        if obj["type"] == "mrkdwn":
            assert obj.get("verbatim") is True, obj
    for piece in pieces:
        # Allowed: the excerpt's own "> " quote marker and the storm message's own links.
        rest = OUR_LINK.sub("", piece.removeprefix("> "))
        assert "<" not in rest and ">" not in rest, piece
        for link in OUR_LINK.findall(piece):
            assert "<!" not in link and "<@" not in link
    for block in body.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("url"):
                assert re.fullmatch(r"https?://[^\s<>|\"]+", element["url"]), element["url"]


def wire(slack: SlackServer) -> list[dict[str, Any]]:
    return [json.loads(call.raw) for call in slack.calls("chat.postMessage")]


# --------------------------------------------------------------------------- Slack


def test_mrkdwn_and_mention_injection_reach_slack_as_text(web: WebServer, slack_env: SlackServer,
                                                          store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web, hostile_items()), store)
    assert report.alerts_sent == len(INJECTIONS)
    bodies = wire(slack_env)
    assert len(bodies) == len(INJECTIONS)
    for body in bodies:
        assert_no_injection(body)
    shown = " ".join(o["text"] for body in bodies for o in text_objects(body["blocks"]))
    assert "&lt;!channel&gt;" in shown and "&lt;@U123ABC&gt;" in shown, "shown as text, not dropped"


def test_injection_in_a_storm_message(web: WebServer, slack_env: SlackServer, store: SqliteStore) -> None:
    report = run_monitor(monitor_for(web, hostile_items(), max_per_run=2), store)
    assert report.alerts_suppressed >= 1
    bodies = wire(slack_env)
    storm = [b for b in bodies if b["text"].startswith("Alert storm")]
    assert len(storm) == 1 and OUR_LINK.search(json.dumps(storm[0]["blocks"])) is not None
    for body in bodies:
        assert_no_injection(body)


# --------------------------------------------------------------------------- the digest


def test_html_and_script_in_the_digest(web: WebServer, store: SqliteStore, tmp_path: Path) -> None:
    from hirewatch.digest import run_digest

    script = '<script>alert("x")</script><img src=x onerror=alert(1)><a href="javascript:alert(2)">go</a>'
    items = [story(n, title=f"Acme is awful {script} {n}", description=f"Acme terrible. {script}",
                   link=f"https://news.example.com/x{n}\"><script>alert(3)</script>") for n in range(3)]
    items.append(story(9, link="javascript:alert(4)"))
    run_monitor(monitor_for(web, items), store, alert=False)
    result = run_digest([monitor_for(web, items)], store, datetime.now(UTC).date(), out_dir=tmp_path / "d")
    (group,) = result.groups
    assert group.path is not None
    html = group.path.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    assert "alert(" not in " ".join(s.get_text() for s in soup.find_all("script")), "no crawled script runs"
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name)
            if name in ("href", "src"):
                assert not str(value).strip().lower().startswith(("javascript:", "data:text")), value
    assert "Acme is awful" in soup.get_text() and '<script>alert("x")</script>' in soup.get_text(), \
        "the hostile title is shown as text"


# --------------------------------------------------------------------------- control characters


CONTROL = "Acme\x00 is awful\x1b[31m red\x1b]52;c;ZXZpbA==\x07 \u202eevil\u202c \x85next\x08\x7f done"


def test_control_characters_never_reach_the_store_or_the_terminal(web: WebServer, cli_store: SqliteStore) -> None:
    items = [story(1, title=CONTROL, description=CONTROL + "\nsecond line\ttab")]
    items[0]["title"] = items[0]["title"].replace("\x00", "")  # XML 1.0 cannot carry NUL at all
    web.set("/ctl.xml", rss(items).replace(b"Acme is awful", b"Acme is awful&#27;[1m"))
    monitor = make_monitor([{"type": "rss", "name": "ctl", "url": web.url("/ctl.xml")}])
    report = run_monitor(monitor, cli_store, alert=False)
    assert report.sources[0].status == "ok" and report.sources[0].mentions == 1, report
    (hit,) = cli_store.search(MentionQuery(monitor="acme"))
    control = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    assert not control.search(hit.mention.title), repr(hit.mention.title)
    assert not control.search(hit.mention.text), repr(hit.mention.text)
    assert "\nsecond line" in hit.mention.text, "line breaks stay in text"
    out = CliRunner().invoke(app, ["search", "--monitor", "acme"])
    assert out.exit_code == 0 and "\x1b" not in out.output and "evil" in out.output


SERVER_CONTROL = "\x1b[2J\x1b]0;pwned\x07\x1b[31m\x9b1m"


def test_control_characters_from_server_headers_never_reach_a_report_or_the_terminal(
        web: WebServer, cli_store: SqliteStore, tmp_path: Path) -> None:
    """An ESC sequence in ``Content-Type`` (an HTML page where a feed was expected) and in a
    redirect's ``Location``, a 500 whose body is control characters: the run report (returned,
    stored, ``--json``) and the terminal get the reason without them."""
    web.set("/ctype", "<html><body>no feed</body></html>", content_type="text/html" + SERVER_CONTROL)
    web.set("/moved", status=302, headers={"Location": "/loop" + SERVER_CONTROL + "x"})
    web.set("/loop" + SERVER_CONTROL + "x", status=302, headers={"Location": "/moved"})
    web.set("/broken", SERVER_CONTROL.encode() * 10, status=500, content_type="text/plain" + SERVER_CONTROL)
    folder = tmp_path / "monitors"
    folder.mkdir()
    (folder / "acme.yaml").write_text(f"""
name: acme
employer: {{name: Acme}}
sources:
  - {{name: ctype, type: rss, url: "{web.url('/ctype')}"}}
  - {{name: moved, type: rss, url: "{web.url('/moved')}"}}
  - {{name: broken, type: rss, url: "{web.url('/broken')}"}}
fetch: {{allow_loopback: true}}
""", encoding="utf-8")
    control = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    for args in (["run", "--monitors", str(folder), "--no-alerts"],
                 ["run", "--monitors", str(folder), "--no-alerts", "--json"]):
        out = CliRunner().invoke(app, args)
        assert out.exit_code == 1, out.output
        assert "failed" in out.output and not control.search(out.output), repr(out.output)
    reports = cli_store.recent_runs("acme", datetime(2000, 1, 1, tzinfo=UTC))
    errors = [s.error or "" for report in reports for s in report.sources]
    assert len(errors) == 6 and all(errors), errors
    assert any("text/html" in e for e in errors) and not any(control.search(e) for e in errors), errors


# --------------------------------------------------------------------------- huge fields


def test_huge_fields_are_cut_at_the_documented_limits(web: WebServer, slack_env: SlackServer,
                                                      store: SqliteStore) -> None:
    five_mb = "Acme is awful and rude. " * 220_000
    assert len(five_mb) > 5_000_000
    items = [story(1, title=five_mb), story(2, description=five_mb)]
    body = rss(items).replace(b"<title>Reliability feed</title>",
                              b"<title>" + b"F" * 2_000_000 + b"</title>")
    web.set("/huge.xml", body)
    monitor = make_monitor([{"type": "rss", "name": "huge", "url": web.url("/huge.xml")}],
                           fetch={"max_bytes": 20_000_000},
                           routing={"alerts": {"default_channel": "#ta-oncall", "min_interval_s": 0}})
    report = run_monitor(monitor, store)
    assert report.sources[0].status == "ok" and report.sources[0].new_mentions == 2, report
    assert report.alerts_sent == 2 and report.alerts_failed == 0
    for hit in store.search(MentionQuery(monitor="acme")):
        m = hit.mention
        assert len(m.title) <= TITLE_LIMIT and len(m.text) <= TEXT_LIMIT
        assert len(m.extra["feed_title"]) <= EXTRA_TEXT_LIMIT
        assert m.author is None or len(m.author) <= AUTHOR_LIMIT
    clipped = [h.mention for h in store.search(MentionQuery(monitor="acme")) if len(h.mention.title) > 900]
    assert len(clipped) == 1 and clipped[0].title.endswith("…")
    for body in wire(slack_env):  # Block Kit limits on the wire
        blocks = body["blocks"]
        assert len(blocks) <= 50 and len(body["text"]) <= 40_000
        for block in blocks:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
            if block["type"] == "section":
                assert len(block.get("text", {}).get("text", "")) <= 3000
                assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))


# --------------------------------------------------------------------------- CSV export

FORMULAS = ['=HYPERLINK("https://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_csv_export_defuses_formulas(web: WebServer, cli_store: SqliteStore) -> None:
    items = [story(n, title=f"{formula} Acme is awful") for n, formula in enumerate(FORMULAS)]
    items.append(story(50, title="Acme is awful, plain title"))
    items = [{**item, "link": f"https://news.example.com/csv/{n}"} for n, item in enumerate(items)]
    web.set("/csv.xml", rss(items))
    monitor = make_monitor([{"type": "rss", "name": "=csv", "url": web.url("/csv.xml")}])
    report = run_monitor(monitor, cli_store, alert=False)
    assert report.sources[0].mentions == len(items)
    out = CliRunner().invoke(app, ["search", "--monitor", "acme", "--csv", "--limit", "100"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == len(items)
    for row in rows:
        for column, cell in row.items():
            if column in ("score", "severity"):
                assert cell == "" or float(cell) <= 1, "numbers stay numbers"
                continue
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    titles = {row["title"] for row in rows}
    assert "Acme is awful, plain title" in titles, "ordinary text is not touched"
    assert any(t.startswith("'=HYPERLINK") for t in titles) and any(t.startswith("'@SUM") for t in titles)
    assert {row["source"] for row in rows} == {"'=csv"}


# --------------------------------------------------------------------------- cost follows size


def _feed_of_self_closing_items(count: int, *, doctype: bool, encoding: str = "utf-8") -> bytes:
    head = '<!DOCTYPE rss [<!ENTITY e "x">]>' if doctype else ""
    first = ("<item><title>Acme interview was a terrible experience</title>"
             "<link>https://news.example/acme/1</link><description>Rude.</description></item>")
    text = (f'<?xml version="1.0" encoding="{encoding}"?>{head}<rss version="2.0"><channel><title>t</title>'
            f"<link>https://news.example/</link>{first}{'<item/>' * count}</channel></rss>")
    return text.encode(encoding)


def test_self_closing_items_a_doctype_and_utf_16_are_cut_like_any_other_feed(web: WebServer,
                                                                            store: SqliteStore) -> None:
    """Self-closing ``<item/>`` elements count as items when a feed is cut at MAX_FEED_ITEMS,
    in UTF-16 too, and a DOCTYPE no longer turns the pre-filter off: each such feed costs what a
    feed of 1,000 items costs (figures: bench/RESULTS.md)."""
    from hirewatch.sources.feed_prefilter import candidate_document
    from hirewatch.sources.rss_source import MAX_FEED_ITEMS, cap_items

    big = _feed_of_self_closing_items(200_000, doctype=True)
    cut, capped = cap_items(big)
    assert capped and cut.count(b"<item/>") == MAX_FEED_ITEMS - 1 and len(cut) < 20_000
    wide = _feed_of_self_closing_items(100_000, doctype=False, encoding="utf-16")
    cut, capped = cap_items(wide)
    assert capped and cut.startswith(wide[:2]) and cut.decode("utf-16").count("<item/>") == MAX_FEED_ITEMS - 1
    small = _feed_of_self_closing_items(50, doctype=True)
    candidates = candidate_document(small, "application/rss+xml", lambda text, parts: "acme" in text.lower())
    assert candidates is not None and candidates.total == 51 and candidates.kept == 1
    for name, body, ctype in (("doctype", big, "application/rss+xml"),
                              ("utf16", wide, "application/rss+xml; charset=utf-16")):
        web.set(f"/{name}.xml", body, content_type=ctype)
        report = run_monitor(make_monitor([{"type": "rss", "name": name, "url": web.url(f"/{name}.xml")}],
                                          fetch={"max_bytes": 20_000_000}), store, alert=False)
        (source,) = report.sources
        assert source.status == "ok" and "only the first 1000 items were read" in (source.bozo or ""), source
        assert source.items <= MAX_FEED_ITEMS and source.mentions == 1, source


def test_a_submitted_page_is_bounded_in_size_and_depth_before_parsing(store: SqliteStore) -> None:
    """A 10 MB page of tags nested a million deep: cut to PAGE_BYTES_LIMIT and nested at most
    PAGE_DEPTH_LIMIT before the HTML parser sees it, then submitted like any page."""
    import re as _re

    from hirewatch.extract.limits import PAGE_BYTES_LIMIT, PAGE_DEPTH_LIMIT, bound_markup
    from hirewatch.records import Document
    from hirewatch.submit import submit_document

    page = (b"<html><head><title>Acme interview was awful</title></head><body>"
            + b"<div><span>Acme was rude. " * 700_000 + b"</body></html>")
    assert len(page) > 10_000_000
    bounded = bound_markup(page)
    assert len(bounded) <= PAGE_BYTES_LIMIT
    depth = deepest = 0
    for closing, _name in _re.findall(rb"<(/?)(div|span)", bounded):
        depth = depth - 1 if closing else depth + 1
        deepest = max(deepest, depth)
    assert deepest <= PAGE_DEPTH_LIMIT
    ordinary = b"<html><body><main><p>Acme<p>again<ul><li>one<li>two</ul></main></body></html>"
    assert bound_markup(ordinary) == ordinary
    monitor = make_monitor([{"type": "rss", "url": "https://x.example/f"}])
    result = submit_document(Document(url="https://blog.example/acme", status=200, body=page,
                                      headers={"content-type": "text/html"}), monitor, store, by="test")
    assert result.kind == "article" and result.new and "Acme was rude" in result.mentions[0].text
