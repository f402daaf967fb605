"""Crawled text made safe for the places it is shown: Slack mrkdwn and links, a terminal.

Called by the Slack alert messages (:mod:`hirewatch.alerts.slack_message`), by the digest's
renderings (:mod:`hirewatch.digest.formatting`, :mod:`hirewatch.digest.slack_summary`,
:mod:`hirewatch.digest.text_renderer`), the operators' messages (:mod:`hirewatch.alerts.operators`)
and by ``hirewatch search``, so an
article's text or URL is handled the same way in an alert and in the digest. Pure functions;
none raises for any input. HTML escaping is Jinja's autoescape (the digest's HTML) or
``html.escape``; it is not repeated here.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from hirewatch.redact import clean, strip_controls

#: The only characters Slack reserves in mrkdwn (``<!channel>``, ``<@U123>``, ``<url|label>``).
MRKDWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

#: Characters left as they are in a safe URL; everything else (space, ``<``, ``>``, ``|``, ``"``)
#: is percent-encoded so the URL cannot close a ``<url|label>`` link or an HTML attribute.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def escape_mrkdwn(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped for Slack mrkdwn."""
    return "".join(MRKDWN_ESCAPES.get(ch, ch) for ch in text)


_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def slack_data(text: str) -> str:
    """Crawled or server text as Slack mrkdwn data: control characters, secrets and URL
    credentials out (:func:`hirewatch.redact.clean`), ``&<>`` escaped, ``@here``-style broadcasts
    broken with a zero-width space (a plain ``@here`` may still notify in some clients)."""
    escaped = escape_mrkdwn(clean(text))
    return _BROADCAST.sub(lambda m: "@\u200b" + m.group(1), escaped)


def safe_url(url: str | None, max_length: int | None = None) -> str | None:
    """``url`` if it is an http(s) address (percent-encoded where it would break out of a link),
    else None: a crawled ``javascript:``, ``data:`` or ``file:`` link is never made a link. With
    ``max_length``, a longer result is None too (no link rather than a message Slack refuses)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    cleaned = quote(url.strip(), safe=_URL_SAFE)
    return cleaned if max_length is None or len(cleaned) <= max_length else None


def terminal_text(text: str | None) -> str:
    """Text without control or bidi characters (:func:`hirewatch.redact.strip_controls`: a
    terminal's escape sequences start with one, the bidi ones make text read differently from
    what it is), whitespace collapsed: safe to print."""
    return " ".join(strip_controls(text or "").split())
