"""The digest mail, sent to a real SMTP server on 127.0.0.1 (aiosmtpd) and read back: recipients,
subject, text and HTML parts, inline charts by Content-ID, STARTTLS and AUTH, and failures that
name the server but never the password."""

from __future__ import annotations

import logging
import re

import pytest
from bs4 import BeautifulSoup
from hirewatch.digest.html_renderer import render_html
from hirewatch.digest.mailer import MailError, build_message, parse_smtp_url, send_message, smtp_settings
from hirewatch.digest.text_renderer import render_text, subject
from hirewatch.errors import NotConfigured

from tests.digest.conftest import PASSWORD, USER, _free_port
from tests.digest.sample import HOSTILE, digest, item


def _message(d, recipients, sender="digest@example.com"):
    return build_message(subject=subject(d), sender=sender, recipients=recipients, text=render_text(d),
                         html=render_html(d, "mail", png=True))


def test_parse_smtp_url() -> None:
    s = parse_smtp_url("smtp://bot%40example.com:p%40ss%3Aword@mail.example.com:587?from=digest%40example.com")
    assert (s.host, s.port, s.username, s.password.get_secret_value(), s.sender, s.ssl, s.starttls) == (
        "mail.example.com", 587, "bot@example.com", "p@ss:word", "digest@example.com", False, "auto")
    assert "p@ss" not in repr(s.password) and "p@ss" not in repr(s)
    assert parse_smtp_url("smtps://mail.example.com").port == 465
    assert parse_smtp_url("smtp://mail.example.com").sender == "hirewatch@mail.example.com"


@pytest.mark.parametrize(("url", "message"), [
    ("http://user:hunter22@mail.example.com", "expected the scheme smtp:// or smtps://"),
    ("smtp://user:hunter22@:25", "the host is missing"),
    ("smtp://user:hunter22@mail.example.com:99999", "not a URL"),
    ("smtp://user:hunter22@mail.example.com?starttls=maybe", "starttls must be auto, require or never"),
])
def test_bad_smtp_url_is_a_clear_error_without_the_password(url, message) -> None:
    with pytest.raises(MailError, match=message) as info:
        parse_smtp_url(url)
    assert "hunter22" not in str(info.value)


def test_no_smtp_setting_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match="HIREWATCH_SMTP_URL"):
        smtp_settings()


def test_airflow_connection_supplies_the_settings(monkeypatch, tmp_path) -> None:
    """The real Airflow Connection lookup (the environment-variable secrets backend)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("AIRFLOW_CONN_HIREWATCH_SMTP",
                       "smtp://bot:pa%24%24word@mail.example.com:2525?from=digest%40example.com&starttls=require")
    settings = smtp_settings()
    assert (settings.host, settings.port, settings.username, settings.password.get_secret_value(), settings.sender,
            settings.starttls) == ("mail.example.com", 2525, "bot", "pa$$word", "digest@example.com", "require")


def test_digest_mail_reaches_the_server_with_text_html_and_inline_charts(smtp_server) -> None:
    d = digest()
    recipients = ("ta-leads@example.com", "head-of-ta@example.com")
    settings = parse_smtp_url(smtp_server.url(**{"from": "digest@example.com"}))
    accepted = send_message(_message(d, recipients), recipients, settings)
    assert accepted == recipients

    (got,) = smtp_server.received
    assert got.mail_from == "digest@example.com"
    assert got.rcpt_tos == list(recipients)
    msg = got.message
    assert msg["Subject"] == "hirewatch digest Mon 9 Mar: Brightwave Logistics: 6 new mentions, 1 negative, " \
                             "1 source failing"
    assert msg["To"] == "ta-leads@example.com, head-of-ta@example.com"
    assert msg.get_content_type() == "multipart/alternative"
    text_part, related = msg.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert "6 new mentions yesterday (1 negative)" in text_part.get_content()
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    html = html_part.get_content()
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert len(images) == 2 and len(referenced) == 2
    for image in images:
        assert image.get_content_type() == "image/png"
        assert image["Content-ID"].strip("<>") in referenced
        assert image.get_content_disposition() == "inline"
        assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    # The body preferred by mail clients is the last alternative: the HTML.
    assert msg.get_body(("html", "plain")).get_content_type() == "text/html"


def test_hostile_title_travels_as_text_in_the_mail(smtp_server) -> None:
    d = digest(items=(item(HOSTILE),))
    send_message(_message(d, ("a@example.com",)), ("a@example.com",), parse_smtp_url(smtp_server.url()))
    html = smtp_server.received[0].message.get_body(("html",)).get_content()
    soup = BeautifulSoup(html, "lxml")
    assert soup.find("script") is None
    assert not soup.find_all(attrs={"onerror": True})
    assert soup.find("a", href="https://news.example/a?b=1&c=2").get_text() == HOSTILE


def test_starttls_and_login_when_offered(tls_smtp_server, caplog) -> None:
    server, cafile = tls_smtp_server
    caplog.set_level(logging.DEBUG)
    settings = parse_smtp_url(f"smtp://{USER}:{PASSWORD}@{server.host}:{server.port}?cafile={cafile}")
    d = digest()
    send_message(_message(d, ("a@example.com",)), ("a@example.com",), settings)
    (got,) = server.received
    assert got.tls is True
    assert got.auth == USER
    assert PASSWORD not in caplog.text


def test_wrong_password_names_server_not_password(tls_smtp_server) -> None:
    server, cafile = tls_smtp_server
    settings = parse_smtp_url(f"smtp://{USER}:wrong-pass-123@{server.host}:{server.port}?cafile={cafile}")
    with pytest.raises(MailError, match=rf"SMTP 127.0.0.1:{server.port} refused the login") as info:
        send_message(_message(digest(), ("a@example.com",)), ("a@example.com",), settings)
    assert "wrong-pass-123" not in str(info.value)
    assert server.received == []


def test_untrusted_certificate_is_refused(tls_smtp_server) -> None:
    server, _ = tls_smtp_server
    settings = parse_smtp_url(f"smtp://{USER}:{PASSWORD}@{server.host}:{server.port}")
    with pytest.raises(MailError, match="could not be reached or failed: SSLCertVerificationError"):
        send_message(_message(digest(), ("a@example.com",)), ("a@example.com",), settings)
    assert server.received == []


def test_starttls_required_but_not_offered(smtp_server) -> None:
    settings = parse_smtp_url(smtp_server.url(starttls="require"))
    with pytest.raises(MailError, match="offers no STARTTLS"):
        send_message(_message(digest(), ("a@example.com",)), ("a@example.com",), settings)
    assert smtp_server.received == []


def test_the_password_is_never_sent_in_clear_to_another_machine(smtp_server, monkeypatch) -> None:
    """A server that offers no encryption gets no password unless it is this machine. The test's
    server is on loopback; the mailer's loopback check is told otherwise, standing in for a
    remote server (no test talks to another machine)."""
    from hirewatch.digest import mailer

    monkeypatch.setattr(mailer, "is_loopback_host", lambda host: False)
    settings = parse_smtp_url(smtp_server.url().replace("smtp://", f"smtp://{USER}:{PASSWORD}@"))
    with pytest.raises(MailError, match="the password is not sent in clear") as caught:
        send_message(_message(digest(), ("a@example.com",)), ("a@example.com",), settings)
    assert PASSWORD not in str(caught.value)
    assert smtp_server.received == []


def test_server_down_is_a_mail_error() -> None:
    settings = parse_smtp_url(f"smtp://127.0.0.1:{_free_port()}?timeout=5")
    with pytest.raises(MailError, match="could not be reached"):
        send_message(_message(digest(), ("a@example.com",)), ("a@example.com",), settings)


def test_header_injection_is_refused() -> None:
    with pytest.raises(ValueError):
        build_message(subject="digest\r\nBcc: victim@example.com", sender="d@example.com",
                      recipients=("a@example.com",), text="x", html=render_html(digest(), "mail", png=False))
