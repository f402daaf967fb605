"""``hirewatch.digest.run_digest`` end to end: a real SqliteStore in, an HTML file, a mail to a
local SMTP server and a Slack post to a local Slack out; failures of one delivery recorded while
the others go on."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hirewatch.digest import run_digest

from tests.digest.conftest import _free_port
from tests.digest.factory import mention, monitor, run, utc
from tests.support.slack_server import BOT_TOKEN

DAY = date(2026, 5, 12)
NOW = utc(2026, 5, 13, 5)


def _fill(store) -> None:
    store.upsert_mentions([
        mention("bad", utc(2026, 5, 12, 9), label="negative", score=-0.7, severity=0.8,
                title="Ghosted after the <script>alert(1)</script> final round", topics=("rejection",)),
        mention("good", utc(2026, 5, 12, 11), label="positive", score=0.6, topics=("onboarding",)),
        mention("old", utc(2026, 5, 10, 11)),
        mention("rival", utc(2026, 5, 12, 12), employer="Rival", is_competitor=True),
    ])
    store.record_run(run("acme", utc(2026, 5, 12, 5), news=("ok", "", 2), blog=("failed", "HTTP 503"),
                         reviews="ok"))


def _configure(monkeypatch, smtp_server, slack_server) -> None:
    monkeypatch.setenv("HIREWATCH_SMTP_URL", smtp_server.url(**{"from": "digest@example.com"}))
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack_server.base_url)
    monkeypatch.setenv("HIREWATCH_DIGEST_URL", "https://intranet.example/digests/")


def test_send_writes_file_mails_and_posts(store, smtp_server, slack_server, monkeypatch, tmp_path) -> None:
    _fill(store)
    _configure(monkeypatch, smtp_server, slack_server)
    result = run_digest([monitor()], store, DAY, send=True, now=NOW)

    assert result.ok
    (group,) = result.groups
    path = tmp_path / "hirewatch-home" / "digests" / "acme-2026-05-12.html"
    assert group.path == path and result.paths == (path,)
    assert group.link == "https://intranet.example/digests/acme-2026-05-12.html"
    assert group.mailed_to == ("ta-leads@example.com",)
    assert (group.slack_channel, group.slack_ts) == ("#ta-leads", slack_server.posted()[0].ts)
    assert group.skipped == () and group.errors == ()

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    assert soup.find("script") is None
    assert soup.find("a", href="https://news.example/bad").get_text() == \
        "Ghosted after the <script>alert(1)</script> final round"
    assert ("2 new mentions yesterday (1 negative), up from none the day before; 1 source failed: blog (HTTP 503)."
            in soup.get_text())
    assert "The 7-day average covers the 1 of the last 7 days on which hirewatch ran." in soup.get_text()

    (mail,) = smtp_server.received
    assert mail.rcpt_tos == ["ta-leads@example.com"]
    message = mail.message
    assert message["Subject"] == "hirewatch digest Tue 12 May: Acme: 2 new mentions, 1 negative, 1 source failing"
    html = message.get_body(("html",)).get_content()
    assert "https://intranet.example/digests/acme-2026-05-12.html" in html
    assert len([p for p in message.walk() if p.get_content_type() == "image/png"]) == 2

    (post,) = (m.args for m in slack_server.posted())
    assert post["channel"] == "#ta-leads"
    assert post["blocks"][-1]["elements"][0]["text"].startswith(
        "<https://intranet.example/digests/acme-2026-05-12.html|Open the full digest>")
    assert "&lt;script&gt;" in post["blocks"][3]["text"]["text"]


def test_without_send_only_the_file(store, smtp_server, slack_server, monkeypatch, tmp_path) -> None:
    _fill(store)
    _configure(monkeypatch, smtp_server, slack_server)
    result = run_digest([monitor()], store, "2026-05-12", out_dir=tmp_path / "out", now=NOW)
    assert result.paths == (tmp_path / "out" / "acme-2026-05-12.html",)
    assert result.paths[0].is_file()
    assert smtp_server.received == [] and slack_server.calls() == []


def test_send_without_settings_skips_and_says_why(store, tmp_path) -> None:
    _fill(store)
    result = run_digest([monitor()], store, DAY, send=True, now=NOW)
    assert result.ok
    (group,) = result.groups
    assert group.skipped == ("mail: no SMTP settings (HIREWATCH_SMTP_URL or Airflow Connection hirewatch_smtp)",
                             "slack: no Slack token (HIREWATCH_SLACK_TOKEN or Airflow Connection hirewatch_slack)")
    assert group.path is not None and group.path.is_file()


def test_smtp_down_is_recorded_and_slack_still_posts(store, slack_server, monkeypatch) -> None:
    _fill(store)
    monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://digest:hunter22@127.0.0.1:{_free_port()}?timeout=5")
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", slack_server.base_url)
    result = run_digest([monitor()], store, DAY, send=True, now=NOW)
    assert not result.ok
    (group,) = result.groups
    assert len(group.errors) == 1 and group.errors[0].startswith("mail: SMTP 127.0.0.1:")
    assert "hunter22" not in group.errors[0]
    assert group.slack_ts is not None and len(slack_server.posted()) == 1
    assert group.to_dict()["errors"] == list(group.errors)


def test_groups_get_one_file_each(store, tmp_path) -> None:
    a, b = monitor("acme"), monitor("beta", employer="Beta", recipients=("beta-ta@example.com",))
    result = run_digest([a, b], store, DAY, out_dir=tmp_path, now=NOW)
    assert sorted(p.name for p in result.paths) == ["acme-2026-05-12.html", "beta-2026-05-12.html"]
    with pytest.raises(ValueError, match="one output file was given for 2 digests"):
        run_digest([a, b], store, DAY, out_file=tmp_path / "one.html", now=NOW)


def test_default_day_per_group_time_zone(store, tmp_path) -> None:
    ams = monitor("ams", timezone="Europe/Amsterdam", recipients=("a@example.com",))
    la = monitor("la", timezone="America/Los_Angeles", recipients=("b@example.com",))
    # 06:00 UTC on 13 May: 08:00 in Amsterdam (yesterday: 12 May), 23:00 on 12 May in LA (yesterday: 11 May).
    result = run_digest([ams, la], store, out_dir=tmp_path, now=utc(2026, 5, 13, 6))
    assert {g.group: g.day for g in result.groups} == {"ams": DAY, "la": DAY - timedelta(days=1)}


def test_empty_store_still_gives_a_readable_digest(store, tmp_path) -> None:
    result = run_digest([monitor()], store, DAY, out_dir=tmp_path, now=NOW)
    text = " ".join(BeautifulSoup(Path(result.paths[0]).read_text(encoding="utf-8"), "lxml").get_text().split())
    assert "No new mentions yesterday; no run recorded for acme." in text


def test_bad_day_is_a_value_error(store) -> None:
    with pytest.raises(ValueError, match="expected a day as YYYY-MM-DD"):
        run_digest([monitor()], store, "12/05/2026")
