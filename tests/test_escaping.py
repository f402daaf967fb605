"""Crawled text made safe for Slack mrkdwn and links (shared by the alerts and the digest)."""

from __future__ import annotations

import pytest
from hirewatch.escaping import escape_mrkdwn, safe_url, slack_data


def test_escape_mrkdwn_escapes_only_what_slack_reserves() -> None:
    assert escape_mrkdwn("<!channel> & <@U123> <https://x|y> @here *bold*") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x|y&gt; @here *bold*")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
                                 "https://", "mailto:a@example.com", "", None, "http://[::1"])
def test_safe_url_refuses_what_is_not_an_http_address(url) -> None:
    assert safe_url(url) is None


def test_safe_url_encodes_what_would_break_out_of_a_link() -> None:
    assert safe_url(" HTTPS://x.example/a b<c>|d\"e?q=1&r=2 ") == "HTTPS://x.example/a%20b%3Cc%3E%7Cd%22e?q=1&r=2"


def test_safe_url_length_cap() -> None:
    url = "https://x.example/" + "a" * 100
    assert safe_url(url, max_length=len(url)) == url
    assert safe_url(url, max_length=len(url) - 1) is None


def test_slack_data_drops_controls_escapes_and_breaks_broadcasts() -> None:
    assert slack_data("a & b <!channel> <https://x|y> @here @Everyone\u202e") == (
        "a &amp; b &lt;!channel&gt; &lt;https://x|y&gt; @\u200bhere @\u200bEveryone")
