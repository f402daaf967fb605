"""The digest as a short Slack message for the talent-acquisition leads' channel: the headline,
four numbers, the top three items and a link to the full digest (Block Kit, with a text fallback).

Called by :func:`hirewatch.digest.run_digest` (:func:`post_summary`) and the tests
(:func:`summary_payload`, pure). Crawled text is mrkdwn-escaped (``&``, ``<``, ``>``) and
``@channel``/``@here``/``@everyone`` are broken with a zero-width space, so a crawled title can
neither format a link nor ping anyone. :func:`post_summary` raises
:class:`~hirewatch.errors.NotConfigured` without a token and
:class:`~hirewatch.errors.AlertError` when Slack refuses.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import SecretStr

from hirewatch import escaping
from hirewatch.digest import formatting as f
from hirewatch.digest.model import Digest
from hirewatch.digest.text_renderer import clean
from hirewatch.errors import AlertError, NotConfigured
from hirewatch.escaping import slack_data
from hirewatch.redact import mask_data
from hirewatch.settings import slack_base_url, slack_token

log = logging.getLogger(__name__)

TOP_ITEMS = 3
#: A longer item URL is shown as its label only: three links must fit a 3000-character section
#: without the clip cutting one in half.
LINK_URL_LIMIT = 700


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _link(url: str | None, label: str) -> str:
    safe = escaping.safe_url(url, max_length=LINK_URL_LIMIT)
    return f"<{safe.replace('&', '&amp;')}|{label}>" if safe else label


def summary_payload(digest: Digest, *, link: str | None = None) -> dict[str, Any]:
    """``{"text": ..., "blocks": [...]}`` for ``chat.postMessage``. ``link``: the full digest's
    address; without one the message says the digest went out by e-mail."""
    d = digest
    title = _clip(clean(f"Digest: {', '.join(d.employers)}, {d.day:%a} {d.day.day} {d.day:%b}"), 150)
    t = d.today
    if d.has_history:
        fields = [
            f"*Mentions*\n{f.number(t.total)}  ({f.delta(t.total, d.previous_day.total)} vs day before,"
            f" 7-day avg {f.number(d.baseline.total)})",
            f"*Negative*\n{f.number(t.negative)}  ({f.delta(t.negative, d.previous_day.negative)})",
            f"*Avg sentiment*\n{f.score(t.avg_sentiment)}  (7-day {f.score(d.baseline.avg_sentiment)})",
        ]
    else:
        fields = [f"*Mentions*\n{f.number(t.total)}  (no earlier days on record)",
                  f"*Negative*\n{f.number(t.negative)}", f"*Avg sentiment*\n{f.score(t.avg_sentiment)}"]
    fields.append(f"*Sources*\n{d.healthy}/{len(d.checked)} ok" + (f", {len(d.quiet)} quiet" if d.quiet else "")
                  if d.checked else "*Sources*\nnot checked (no run)")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(slack_data(d.headline), 3000)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in fields]},
    ]
    if d.items:
        lines = []
        for item in d.items[:TOP_ITEMS]:
            label = slack_data(_clip(item.title, 120))
            tag = f"{item.sentiment_label} {f.score(item.sentiment_score)}" if item.sentiment_label else "unscored"
            lines.append(f"• {_link(item.url, label)}\n    {slack_data(item.source)} · {tag} · "
                         f"{slack_data(item.status_label)}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                    "text": _clip("*Worth reading*\n" + "\n".join(lines), 3000)}})
    if d.failing:
        failing = ", ".join(f"{slack_data(s.source)} ({slack_data(_clip(s.error or 'failed', 80))})"
                            for s in d.failing)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(f":warning: *Failing sources*: "
                                                                                     f"{failing}", 3000)}})
    safe = f.safe_url(link) if link else None
    if safe:
        more = _link(safe, "Open the full digest")
    elif d.recipients:
        more = f"Full digest sent by e-mail to {len(d.recipients)} recipient{'s' if len(d.recipients) != 1 else ''}"
    else:
        more = "Full digest: `hirewatch digest`"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"{more} · {d.window.timezone}"}]})
    text = _clip(f"{title}: {slack_data(d.headline)}", 3000)
    return {"text": text, "blocks": blocks}


def post_summary(digest: Digest, channel: str, *, link: str | None = None, token: SecretStr | None = None,
                 base_url: str | None = None) -> str:
    """Post the summary with the real slack_sdk WebClient; returns the message ``ts``. The token
    and address default to the alerts' (:func:`hirewatch.settings.slack_token`,
    ``HIREWATCH_SLACK_BASE_URL``); a 429 is retried after Slack's ``Retry-After`` (twice at most)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    token = token or slack_token()
    if token is None:
        raise NotConfigured("no Slack token (HIREWATCH_SLACK_TOKEN or Airflow Connection hirewatch_slack)")
    base = base_url or slack_base_url()
    client = WebClient(token=token.get_secret_value(), **({"base_url": base.rstrip("/") + "/"} if base else {}))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    payload = mask_data(summary_payload(digest, link=link))
    try:
        response = client.chat_postMessage(channel=channel, text=payload["text"], blocks=payload["blocks"],
                                           unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        reason = data.get("error") or f"HTTP {exc.response.status_code}"
        raise AlertError(f"Slack refused the digest summary for {channel}: {reason}") from None
    except OSError as exc:
        raise AlertError(f"Slack could not be reached for the digest summary: {exc}") from None
    log.info("posted digest summary of %s to %s", digest.group, channel)
    return str(response.get("ts"))
