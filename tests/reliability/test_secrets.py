"""Secrets never show: recognisable fake secrets are set in the environment, the CLI runs (run,
search, slack deliver, digest --send) with logging at DEBUG into a file, against services that
work and services that fail (Slack refusing and down, Elasticsearch unreachable, SMTP refusing the
login and unreachable) so the error paths run too; then everything the runs wrote (stdout,
stderr, the log, the store files, the digest files) is searched for the secrets, also as they
would look in a Basic auth header."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hirewatch.settings import store_settings

from tests.reliability.conftest import rss, story
from tests.support.slack_server import SlackServer
from tests.support.web_server import WebServer

SLACK_TOKEN = "xoxb-FAKE-slack-token-7f3a9c1e"
SLACK_APP_TOKEN = "xapp-FAKE-app-token-2b8d40aa"
ES_PASSWORD = "FAKE-es-password-41d2e9"
ES_API_KEY = "FAKE-es-api-key-c0ffee77"
SMTP_PASSWORD = "FAKE-smtp-password-88e1b3"
SECRETS = (SLACK_TOKEN, SLACK_APP_TOKEN, ES_PASSWORD, ES_API_KEY, SMTP_PASSWORD)

DRIVER = """
import logging, sys
logging.basicConfig(filename=sys.argv[1], level=logging.DEBUG,
                    format="%(asctime)s %(levelname)s %(name)s %(message)s")
sys.argv = ["hirewatch", *sys.argv[2:]]
from hirewatch.cli import main
main()
"""


def forms(secret: str) -> list[str]:
    """The secret as it may leak: itself, percent-encoded, in base64 (alone or as user:secret)."""
    b64 = base64.b64encode(secret.encode()).decode()
    return [secret, secret.replace("-", "%2D"), b64, b64[:-4] if len(b64) > 8 else b64,
            *(base64.b64encode(f"{user}:{secret}".encode()).decode()[8:-4] for user in ("bot", "elastic"))]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Runner:
    """Runs the CLI in a subprocess with the secrets set and DEBUG logging to ``home/debug.log``;
    keeps every output for the search."""

    def __init__(self, home: Path, monitors: Path, env: dict[str, str]) -> None:
        self.home, self.monitors, self.env = home, monitors, env
        self.outputs: list[str] = []
        self.log = home / "debug.log"

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        full = {**self.env, **env}
        done = subprocess.run([sys.executable, "-c", DRIVER, str(self.log), *args], env=full, capture_output=True,
                              text=True, timeout=180)
        self.outputs += [done.stdout, done.stderr]
        assert "Traceback" not in done.stderr, done.stderr
        return done


@pytest.fixture()
def runner(tmp_path: Path, web: WebServer) -> Iterator[Runner]:
    home = tmp_path / "home"
    home.mkdir()
    monitors = tmp_path / "monitors"
    monitors.mkdir()
    web.set("/feed.xml", rss([story(n) for n in range(3)] + [story(10, negative=False)]))
    (monitors / "acme.yaml").write_text(f"""
name: acme
employer: {{name: Acme}}
sources:
  - {{name: news, type: rss, url: "{web.url('/feed.xml')}"}}
fetch: {{allow_loopback: true}}
routing:
  alerts: {{default_channel: "#ta-oncall", min_interval_s: 0}}
  digest: {{recipients: [ta@example.com], slack_channel: "#ta-leads"}}
""", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HIREWATCH_HOME": str(home),
        "HIREWATCH_SLACK_TOKEN": SLACK_TOKEN, "HIREWATCH_SLACK_APP_TOKEN": SLACK_APP_TOKEN,
        "HIREWATCH_ES_USERNAME": "elastic", "HIREWATCH_ES_PASSWORD": ES_PASSWORD, "HIREWATCH_ES_API_KEY": ES_API_KEY,
        "HIREWATCH_SMTP_URL": f"smtp://bot:{SMTP_PASSWORD}@127.0.0.1:{closed_port()}?from=digest@example.com",
        "HIREWATCH_STORE": "sqlite",
    }
    yield Runner(home, monitors, env)


def written_files(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}


def assert_nothing_leaked(runner: Runner) -> None:
    files = written_files(runner.home)
    assert runner.log in files and len(files[runner.log]) > 1000, "DEBUG logging was captured"
    assert any(p.suffix == ".db" for p in files) and any(p.suffix == ".html" for p in files)
    texts = {f"output {n}": out for n, out in enumerate(runner.outputs)}
    texts.update({str(p): data.decode("utf-8", "replace") for p, data in files.items()})
    # The search can find what is there: the clients' own DEBUG lines and the store's content.
    log = texts[str(runner.log)]
    assert "chat.postMessage" in log and "slack_sdk" in log and "urllib3" in log, "client DEBUG logs captured"
    assert any("Acme interview was a terrible" in text for where, text in texts.items() if where.endswith(".db")
               or where.endswith("-wal"))
    for secret in SECRETS:
        for form in forms(secret):
            leaks = [where for where, text in texts.items() if form in text]
            assert not leaks, f"{secret!r} (as {form!r}) found in {leaks}"


def test_secrets_never_appear_in_anything_a_run_writes(runner: Runner, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    slack = SlackServer(token=SLACK_TOKEN).start()
    try:
        base = {"HIREWATCH_SLACK_BASE_URL": slack.base_url}
        # Slack down: alerts stay pending, the error is reported.
        with slack.outage():
            done = runner("run", "--monitors", str(runner.monitors), **base)
        assert done.returncode == 1 and "alert" in done.stdout
        # Slack refusing the token (a wrong one is sent on purpose).
        done = runner("slack", "deliver", "--monitors", str(runner.monitors), **base,
                      HIREWATCH_SLACK_TOKEN=SLACK_TOKEN + "-revoked")
        assert done.returncode == 1
        # Slack working: the alerts go out (the server checks the real token).
        done = runner("run", "--monitors", str(runner.monitors), **base)
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(slack.posted()) == 3
        done = runner("search", "--json")
        assert done.returncode == 0 and "Acme" in done.stdout
        done = runner("search", "--csv")
        assert done.returncode == 0
        # The digest: SMTP unreachable, then refusing the login; Slack summary posted.
        day = ["--date", __import__("datetime").datetime.now(__import__("datetime").UTC).date().isoformat()]
        done = runner("digest", "--send", "--monitors", str(runner.monitors), *day, **base)
        assert done.returncode == 1 and "could not be reached" in done.stderr, done.stderr
        refusing = _AuthRefusing()
        port = closed_port()
        controller = Controller(refusing, hostname="127.0.0.1", port=port, auth_require_tls=False,
                                authenticator=refusing.authenticate)
        controller.start()
        try:
            done = runner("digest", "--send", "--monitors", str(runner.monitors), *day, **base,
                          HIREWATCH_SMTP_URL=f"smtp://bot:{SMTP_PASSWORD}@127.0.0.1:{port}?from=d@example.com")
        finally:
            controller.stop()
        assert done.returncode == 1 and "refused the login" in done.stderr, done.stderr
        assert refusing.attempts and refusing.attempts[0] == SMTP_PASSWORD, "the password was really used"
        # Elasticsearch unreachable, with credentials in the URL as well as in the variables.
        port = closed_port()
        done = runner("run", "--monitors", str(runner.monitors), HIREWATCH_STORE="elasticsearch",
                      HIREWATCH_ES_URL=f"http://elastic:{ES_PASSWORD}@127.0.0.1:{port}")
        # One line on stderr naming the cluster without its credentials, no traceback (Runner checks).
        assert done.returncode == 1 and f"Elasticsearch at http://127.0.0.1:{port}" in done.stderr, done.stderr
    finally:
        slack.stop()
    assert any(SLACK_TOKEN in call.headers.get("Authorization", "") for call in slack.received), \
        "the token was really sent to Slack"
    assert_nothing_leaked(runner)


class _AuthRefusing:
    def __init__(self) -> None:
        self.attempts: list[str] = []

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        self.attempts.append(auth_data.password.decode())
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def test_reprs_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.alerts.slack_alerter import SlackAlerter
    from hirewatch.digest.mailer import smtp_settings
    from hirewatch.settings import slack_token

    monkeypatch.setenv("HIREWATCH_ES_PASSWORD", ES_PASSWORD)
    monkeypatch.setenv("HIREWATCH_ES_API_KEY", ES_API_KEY)
    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", SLACK_TOKEN)
    monkeypatch.setenv("HIREWATCH_SMTP_URL", f"smtp://bot:{SMTP_PASSWORD}@mail.example.com:587")
    shown = " ".join([repr(store_settings()), str(store_settings()), repr(smtp_settings()), repr(slack_token()),
                      f"{slack_token()}", repr(SlackAlerter(slack_token(), base_url="http://127.0.0.1:9/api/"))])
    for secret in SECRETS:
        assert secret not in shown, secret


# --------------------------------------------------------------------------- secrets that come back

ECHOED_TOKEN = "xoxb-FAKE-echoed-token-5e6f7a8b"
TRUSTPILOT_KEY = "FAKE-trustpilot-key-9a8b7c6d"
KIBANA_PASSWORD = "FAKE-kibana-password-3c4d5e"
ECHO_SECRETS = (ECHOED_TOKEN, TRUSTPILOT_KEY, KIBANA_PASSWORD, ES_PASSWORD, ES_API_KEY, SMTP_PASSWORD)


def assert_no_secret(texts: dict[str, str], secrets: tuple[str, ...] = ECHO_SECRETS) -> None:
    assert texts, "something was searched"
    for secret in secrets:
        for form in forms(secret):
            leaks = [where for where, text in texts.items() if form in text]
            assert not leaks, f"{secret!r} (as {form!r}) found in {leaks}"


def echo_monitor(folder: Path, web: WebServer, echo: Any, alerts: str = "") -> None:
    """Monitor ``acme`` in ``folder``: a good feed, a feed on ``echo`` answering 500 with the
    request quoted, a Trustpilot API on ``echo`` echoing its key into the reviews."""
    web.set("/feed.xml", rss([story(n) for n in range(3)]))
    folder.mkdir(exist_ok=True)
    (folder / "acme.yaml").write_text(f"""
name: acme
employer: {{name: Acme}}
sources:
  - {{name: news, type: rss, url: "{web.url('/feed.xml')}"}}
  - {{name: echoing-feed, type: rss, url: "{echo.url('/500/feed.xml')}"}}
  - {{name: reviews, type: review, api: trustpilot, delay_s: 0, max_pages: 1,
      url: "{echo.url('/json/v1/business-units/acme/reviews')}"}}
fetch: {{allow_loopback: true}}
routing:
  alerts: {{default_channel: "#ta-oncall", min_interval_s: 0{alerts}}}
  digest: {{recipients: [ta@example.com], slack_channel: "#ta-leads"}}
""", encoding="utf-8")


def test_secrets_echoed_back_by_broken_endpoints_never_appear(runner: Runner, web: WebServer) -> None:
    """Slack answering with the token in a 500 body, in an ``error`` field and in the reason
    phrase; a review API echoing its key into the reviews; a feed echoing the request; Kibana's
    address with credentials in it. The CLI runs against each with DEBUG logging; then stdout,
    stderr, the log, the store and the digest are searched for every secret."""
    from tests.support.echo_server import EchoServer

    slack = SlackServer(token=ECHOED_TOKEN).start()
    echo = EchoServer().start()
    try:
        echo_monitor(runner.monitors, web, echo)
        env = {"HIREWATCH_SLACK_TOKEN": ECHOED_TOKEN, "HIREWATCH_TRUSTPILOT_API_KEY": TRUSTPILOT_KEY,
               "HIREWATCH_KIBANA_URL": f"https://kibana-user:{KIBANA_PASSWORD}@kibana.example.com"}
        for broken in ("/500/api/", "/slack-json/api/", "/reason/api/"):
            done = runner("run", "--monitors", str(runner.monitors), **env,
                          HIREWATCH_SLACK_BASE_URL=echo.url(broken))
            assert done.returncode == 1, done.stdout + done.stderr
        done = runner("run", "--json", "--monitors", str(runner.monitors), **env,
                      HIREWATCH_SLACK_BASE_URL=slack.base_url)
        (report,) = json.loads(done.stdout)
        assert report["alerts_sent"] == 4, done.stdout + done.stderr  # 3 stories, 1 echoed review
        done = runner("search", "--json", **env)
        assert done.returncode == 0 and "Acme" in done.stdout
        day = ["--date", __import__("datetime").datetime.now(__import__("datetime").UTC).date().isoformat()]
        runner("digest", "--send", "--monitors", str(runner.monitors), *day, **env,
               HIREWATCH_SLACK_BASE_URL=echo.url("/slack-json/api/"))
    finally:
        slack.stop()
        echo.stop()
    sent = [headers for _, headers in echo.requests]
    assert any(ECHOED_TOKEN in h.get("Authorization", "") for h in sent), "the token was really sent"
    assert any(h.get("apikey") == TRUSTPILOT_KEY for h in sent), "the API key was really sent"
    posted = json.dumps([m.args for m in slack.posted()])
    assert "kibana.example.com" in posted, "Slack buttons link to Kibana"
    texts = {f"output {n}": out for n, out in enumerate(runner.outputs)}
    texts.update({str(p): data.decode("utf-8", "replace") for p, data in written_files(runner.home).items()})
    texts["slack messages"] = posted
    assert any("invalid_auth" in text or "Bad Gateway" in text for text in texts.values())
    assert_no_secret(texts)
    assert "kibana-user" not in posted


def test_url_credentials_in_a_monitor_file_are_refused_with_file_and_line(tmp_path: Path) -> None:
    from hirewatch.config import load_monitor
    from hirewatch.errors import ConfigError

    cases = {
        "feed": ('sources:\n  - {type: rss, url: "https://bot:FAKE-feed-pw-771@feeds.example.com/x"}\n', 4),
        "kibana": ('sources:\n  - {type: rss, url: "https://feeds.example.com/x"}\n'
                   'kibana_url: "https://admin:FAKE-kibana-pw-771@kibana.example.com"\n', 5),
        "user-only": ('sources:\n  - {type: rss, url: "https://token-FAKE-771@feeds.example.com/x"}\n', 4),
        # A password with an unencoded '#', '/' or '?' ends the host early for a URL parser.
        "hash": ('sources:\n  - {type: rss, url: "https://bot:FAKE#pw-771@feeds.example.com/x"}\n', 4),
        "slash": ('sources:\n  - {type: rss, url: "https://bot:FAKE/pw-771@feeds.example.com/x"}\n', 4),
        "query": ('sources:\n  - {type: review, url: "https://bot:FAKE?pw-771@reviews.example.com/x"}\n', 4),
        "kibana-hash": ('sources:\n  - {type: rss, url: "https://feeds.example.com/x"}\n'
                        'kibana_url: "https://admin:FAKE#kibana-pw-771@kibana.example.com"\n', 5),
        "preset-base-url": ('sources:\n  - {type: mastodon, instance: mastodon.social, tag: acme, '
                            'base_url: "https://bot:FAKE-pw-771@mastodon.example"}\n', 4),
    }
    for name, (body, line) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: {name}\nemployer: {{name: Acme}}\n{body}", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_monitor(path)
        message = str(caught.value)
        assert message.startswith(f"{path}:{line}:"), message
        assert "environment" in message and "Connection" in message, message
        assert "FAKE" not in message and "771" not in message, message
    # An @ elsewhere in a URL (a Mastodon handle, a query) is not userinfo.
    path = tmp_path / "fine.yaml"
    path.write_text('name: fine\nemployer: {name: Acme}\nsources:\n'
                    '  - {type: rss, url: "https://mastodon.example/@acme.rss?q=a@b"}\n'
                    '  - {type: rss, name: port, url: "https://mastodon.example:8443/@acme.rss"}\n'
                    '  - {type: rss, name: ipv6, url: "https://[2001:db8::1]:8443/@acme.rss"}\n', encoding="utf-8")
    assert load_monitor(path).name == "fine"


def test_credentials_written_without_a_scheme_are_never_repeated(tmp_path: Path) -> None:
    """A value refused by a validator that quotes it (a Mastodon ``instance:`` written as
    ``bot:token@host``, any field holding ``user:password@host``) never repeats the password."""
    from hirewatch import redact
    from hirewatch.config import load_monitor
    from hirewatch.errors import ConfigError

    cases = {
        "instance": ("  - {type: mastodon, instance: 'bot:FAKE-inst-771@mastodon.social', tag: acme}\n", 4),
        "instance-scheme": ("  - {type: mastodon, instance: 'https://bot:FAKE-inst-771@mastodon.social', "
                            "tag: acme}\n", 4),
        "tag": ("  - {type: mastodon, instance: mastodon.social, tag: 'bot:FAKE-tag-771@x'}\n", 4),
        # a password holding '/' or '@' (a base64 token), in a value and in a key
        "slash": ("  - {type: rss, url: 'bot:FAKE/tok771@example.com/feed'}\n", 4),
        "at": ("  - {type: rss, url: 'bot:FAKE@tok771@example.com/feed'}\n", 4),
        "key": ("  - {type: rss, url: 'https://example.com/feed', 'bot:FAKE771@x': 1}\n", 4),
    }
    for name, (body, line) in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: {name}\nemployer: {{name: Acme}}\nsources:\n{body}", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_monitor(path)
        message = str(caught.value)
        assert message.startswith(f"{path}:{line}:"), message
        assert "FAKE" not in message and "771" not in message, message
    assert redact.strip_credentials("got 'bot:FAKE-771@mastodon.social'") == "got 'mastodon.social'"
    assert redact.strip_credentials("contact mailto:ops@acme.example") == "contact mailto:ops@acme.example"
    assert redact.strip_credentials("a handle @acme@mastodon.social, at 10:30") == (
        "a handle @acme@mastodon.social, at 10:30")


def test_urls_printed_or_stored_lose_their_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch import redact
    from hirewatch.errors import FetchError
    from hirewatch.settings import kibana_url

    monkeypatch.setenv("HIREWATCH_KIBANA_URL", f"https://kibana-user:{KIBANA_PASSWORD}@kibana.example.com/")
    assert kibana_url() == "https://kibana.example.com"
    error = FetchError("server error 500", url=f"https://u:{KIBANA_PASSWORD}@feeds.example.com/x")
    assert error.url == "https://feeds.example.com/x"
    assert redact.strip_userinfo("see http://a:b@h.example/x and more") == "see http://h.example/x and more"
    for reserved in "#/?":  # the password ends the host early for urlsplit; it is stripped all the same
        url = f"https://u:{KIBANA_PASSWORD}{reserved}x@feeds.example.com/x"
        assert FetchError("server error 500", url=url).url == "https://feeds.example.com/x"
        assert redact.strip_userinfo(f"fetching {url} failed") == "fetching https://feeds.example.com/x failed"
    assert redact.strip_userinfo("https://h.example:8443/@acme") == "https://h.example:8443/@acme"


def test_a_redirect_to_a_url_with_credentials_shows_none_of_them(runner: Runner, web: WebServer) -> None:
    """A server redirects to ``user:password@`` URLs (one whose password holds a '#', which
    urlsplit reads as a port): the failed sources' errors name the address without the
    credentials in stdout, ``--json``, the DEBUG log and the runs table."""
    port = web.url("/").split(":")[2].split("/")[0]
    web.set("/to-creds", redirect_to=f"http://bot:FAKE-redirect-pw-63@127.0.0.1:{port}/gone")
    web.set("/to-hash", redirect_to=f"http://bot:FAKEHASH#redirect-pw-63@127.0.0.1:{port}/gone")
    web.set("/gone", b"boom", status=500, content_type="text/plain")
    (runner.monitors / "acme.yaml").write_text(f"""
name: acme
employer: {{name: Acme}}
fetch: {{allow_loopback: true}}
sources:
  - {{name: creds, type: rss, url: "{web.url('/to-creds')}"}}
  - {{name: hash, type: rss, url: "{web.url('/to-hash')}"}}
""", encoding="utf-8")
    done = runner("run", "--json", "--monitors", str(runner.monitors))
    (report,) = json.loads(done.stdout)
    errors = {s["source"]: s["error"] for s in report["sources"]}
    assert errors["creds"] == f"server error 500 from http://127.0.0.1:{port}/gone", errors
    assert errors["hash"].startswith(f"malformed URL 'http://127.0.0.1:{port}/gone'"), errors
    runner("run", "--monitors", str(runner.monitors))
    texts = {f"output {n}": out for n, out in enumerate(runner.outputs)}
    texts.update({str(p): data.decode("utf-8", "replace") for p, data in written_files(runner.home).items()})
    assert any("/gone" in text for where, text in texts.items() if where.endswith(".db") or where.endswith("-wal"))
    assert_no_secret(texts, ("FAKE-redirect-pw-63", "FAKEHASH", "redirect-pw-63"))


def test_a_bad_elasticsearch_url_is_one_line_without_the_password(tmp_path: Path) -> None:
    """A password with an unencoded '#' or '/', a port that is not a port, another scheme: one
    line on stderr naming the problem, exit 2, no traceback, no part of the password."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HIREWATCH_HOME": str(tmp_path)}
    cases = {
        "http://elastic:FAKE#pw-hash-41@127.0.0.1:9200": "percent-encoded",
        "http://elastic:FAKE/pw-slash-41@127.0.0.1:9200": "percent-encoded",
        "https://elastic:FAKE?pw-query-41@127.0.0.1:9200": "percent-encoded",
        "http://elastic:FAKE-pw-port-41@127.0.0.1:99999": "port",
        "http://elastic:FAKE-pw-port-41@127.0.0.1:92o0": "port",
        "elastic:FAKE-pw-scheme-41@127.0.0.1:9200": "http",
    }
    for url, expected in cases.items():
        done = subprocess.run([sys.executable, "-c", "from hirewatch.cli import main; main()", "search"],
                              env={**env, "HIREWATCH_ES_URL": url}, capture_output=True, text=True, timeout=60)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, (url, done.stderr)
        assert "HIREWATCH_ES_URL" in lines[0] and expected in lines[0], (url, lines)
        assert "Traceback" not in done.stderr and "pw-" not in done.stderr and "FAKE" not in done.stderr, lines
