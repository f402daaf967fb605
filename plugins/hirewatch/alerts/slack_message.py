"""Block Kit payloads for the on-call channel: one alert, a same-story reply, the storm message,
and the triaged version of an alert (after a button click).

Called by :mod:`hirewatch.alerts.delivery` and :mod:`hirewatch.alerts.slack_listener`; pure
functions of their arguments (no I/O, never raise on odd text).

Crawled text is data: every piece of it is escaped for mrkdwn (``&``, ``<``, ``>``) so that
``<!channel>``, ``<!here>`` or ``<@U123>`` in an article reach Slack as plain text, and every mrkdwn
object that carries it has ``verbatim: true`` so Slack does not link-ify bare ``@here`` or
``#channel`` either. Messages go out with ``link_names`` off and unfurls off. Block Kit limits
(header 150 characters, section text 3000, field 2000, button URL 3000, 50 blocks) are respected
after escaping, never by cutting an escape in half.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hirewatch import escaping
from hirewatch.config import Monitor
from hirewatch.mention import Mention
from hirewatch.stores.kibana import kibana_mention_url

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
URL_LIMIT = 3000
MAX_BLOCKS = 50
EXCERPT_CHARS = 700
STORM_TOP_ITEMS = 5

ACK, FALSE_POSITIVE, ASSIGN = "hw_ack", "hw_false_positive", "hw_assign"
TRIAGE_ACTIONS = {ACK: "acknowledged", FALSE_POSITIVE: "false_positive", ASSIGN: "assigned"}
OPEN_SOURCE, OPEN_KIBANA = "hw_open_source", "hw_open_kibana"
ACTIONS_BLOCK, STATUS_BLOCK = "hw_actions", "hw_status"

MESSAGE_OPTIONS: dict[str, Any] = {"link_names": False, "unfurl_links": False, "unfurl_media": False}
# Slack message metadata event types (``metadata.event_type``) of hirewatch's messages
ALERT_EVENT = "hirewatch_alert"  # an alert or a same-story reply; the payload names the mention
STORM_EVENT = "hirewatch_storm"  # a storm message; the alerts of the burst follow in its thread
STORM_IDS = 200  # mention ids a storm message's metadata names per list (32 characters each)
# Payload key saying the ids name the monitor (mention.mention_id); messages posted before that carry
# the old ids, which the look-up after a crash maps with the payload's monitor.
ID_SCHEME = "id_scheme"

_ESCAPES = escaping.MRKDWN_ESCAPES
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


# --------------------------------------------------------------------------- text


def escape(text: str) -> str:
    """Escape text for Slack mrkdwn: ``&`` ``<`` ``>`` (the only characters Slack reserves)."""
    return escaping.escape_mrkdwn(text)


def fit(text: str, limit: int) -> str:
    """``text`` escaped and cut to at most ``limit`` characters (an ellipsis marks a cut)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for ch in text:
        piece = _ESCAPES.get(ch, ch)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + "…"


def squash(text: str) -> str:
    """Runs of whitespace (newlines too) to one space."""
    return " ".join(text.split())


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a button or a ``<url|label>`` link (``<``, ``>``, ``|``, spaces and
    quotes percent-encoded), or None when it is not one or is longer than a button allows (no
    button rather than a refused message)."""
    return escaping.safe_url(url, max_length=URL_LIMIT)


def user_ref(user_id: str | None) -> str:
    """``<@U123>`` for a real Slack user id (from Slack's own payload), else the escaped text."""
    if user_id and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape(user_id or "someone")


def plain(text: str, limit: int = HEADER_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(squash(text), limit) or "-", "emoji": False}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object for text that is already escaped; ``verbatim`` keeps Slack from
    turning bare ``@here``/``#channel`` words into mentions and links."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "unknown"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


# --------------------------------------------------------------------------- links


def kibana_search_url(kibana: str, monitor: str, since: datetime) -> str:
    """Kibana Discover over the monitor's negative mentions since ``since`` (the storm's link)."""
    start = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    kql = f'monitor:"{monitor}" and sentiment_label:"negative"'.replace("!", "!!").replace("'", "!'")
    state = (f"_g=(time:(from:'{start}',to:now))"
             f"&_a=(query:(language:kuery,query:'{kql}'))")
    return f"{kibana.rstrip('/')}/app/discover#/?" + quote(state, safe="/:(),'=&!*-_.~")


def title_of(mention: Mention) -> str:
    """What to call the item: its title, else the start of its text, else its URL."""
    return squash(mention.title) or squash(mention.text)[:120] or mention.url


# --------------------------------------------------------------------------- alert


def _score(mention: Mention) -> str:
    parts = [mention.sentiment_label or "unscored"]
    if mention.sentiment_score is not None:
        parts.append(f"({mention.sentiment_score:+.2f})")
    text = " ".join(parts)
    if mention.severity is not None:
        text += f", severity {mention.severity:.2f}"
    return text


def _source(mention: Mention) -> str:
    text = f"{mention.source} ({mention.source_kind})"
    others = len(set(mention.sources) - {mention.source})
    if others:
        text += f", +{others} more"
    return text


def _field(label: str, value: str) -> dict[str, Any]:
    return mrkdwn(f"*{label}*\n" + fit(value, FIELD_LIMIT - len(label) - 4))


def _buttons(mention: Mention, kibana: str | None, *, triage: Sequence[str] = (ACK, FALSE_POSITIVE, ASSIGN),
             ) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    url = safe_url(mention.url)
    if url:
        elements.append({"type": "button", "action_id": OPEN_SOURCE, "text": plain("Open source"), "url": url})
    if kibana:
        elements.append({"type": "button", "action_id": OPEN_KIBANA, "text": plain("Open in Kibana"),
                         "url": kibana_mention_url(kibana, mention.id)})
    elements.extend(_triage_button(action, mention.id) for action in triage)
    return elements


def _triage_button(action: str, mention_id: str) -> dict[str, Any]:
    label = {ACK: "Acknowledge", FALSE_POSITIVE: "False positive", ASSIGN: "Assign to me"}[action]
    button: dict[str, Any] = {"type": "button", "action_id": action, "text": plain(label), "value": mention_id}
    if action == ACK:
        button["style"] = "primary"
    return button


def _context(mention: Mention, monitor: Monitor) -> dict[str, Any]:
    parts = [f"hirewatch · monitor {escape(monitor.name)}"]
    if mention.matched_terms:
        parts.append("matched " + fit(", ".join(mention.matched_terms), 200))
    if mention.author:
        parts.append("by " + fit(squash(mention.author), 100))
    parts.append(f"id {mention.id}")
    return {"type": "context", "elements": [mrkdwn(" · ".join(parts))]}


def alert_blocks(mention: Mention, monitor: Monitor, *, kibana: str | None = None) -> list[dict[str, Any]]:
    """The blocks of one alert: header, fields, excerpt, buttons, context."""
    fields = [
        _field("Employer", mention.employer),
        *([_field("Why", "; ".join(mention.alert_reasons))] if mention.alert_reasons else []),
        _field("Source", _source(mention)),
        _field("Sentiment", _score(mention)),
        _field("Topics", ", ".join(mention.topics) or "none"),
        _field("Language", mention.language or "unknown"),
        _field("Published", local_time(mention.published or mention.fetched, monitor.tz)),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(title_of(mention))},
        {"type": "section", "fields": fields},
    ]
    excerpt = squash(mention.text)
    if excerpt:
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[:EXCERPT_CHARS].rstrip() + "…"
        blocks.append({"type": "section", "text": mrkdwn("> " + fit(excerpt, SECTION_LIMIT - 2))})
    blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": _buttons(mention, kibana)})
    blocks.append(_context(mention, monitor))
    return blocks


def alert_text(mention: Mention) -> str:
    """The plain-text fallback (notifications, screen readers), escaped like the blocks."""
    why = "; ".join(mention.alert_reasons)
    lead = f"Alert ({why})" if why else "Negative mention"
    return fit(f"{lead} of {mention.employer} in {mention.source}: {title_of(mention)}", 500)


def alert_metadata(mention: Mention, monitor: Monitor) -> dict[str, Any]:
    """Slack message metadata naming the mention: after a crash between Slack's ok and the
    store's mark, the next delivery run finds the message by it instead of posting it again
    (:meth:`hirewatch.alerts.slack_alerter.SlackAlerter.find_posted`). Ids only, no crawled text."""
    return {"event_type": ALERT_EVENT,
            "event_payload": {"mention_id": mention.id, "monitor": monitor.name, ID_SCHEME: "monitor"}}


def alert_message(mention: Mention, monitor: Monitor, *, kibana: str | None = None) -> dict[str, Any]:
    """The ``chat.postMessage`` arguments (all but ``channel``/``thread_ts``) for one alert."""
    return {"text": alert_text(mention), "blocks": alert_blocks(mention, monitor, kibana=kibana), **MESSAGE_OPTIONS,
            "metadata": alert_metadata(mention, monitor)}


# --------------------------------------------------------------------------- same story again


def thread_reply_message(mention: Mention, monitor: Monitor, *, kibana: str | None = None) -> dict[str, Any]:
    """A later copy of an already-alerted story, posted in the first alert's thread."""
    line = (f"*Same story, also in {fit(_source(mention), 300)}*"
            f" ({escape(_score(mention))}, {local_time(mention.published or mention.fetched, monitor.tz)})\n"
            + fit(title_of(mention), 500))
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(line)}]
    elements = _buttons(mention, kibana, triage=())
    if elements:
        blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": elements})
    blocks.append(_context(mention, monitor))
    text = fit(f"Same story, also in {mention.source}: {title_of(mention)}", 500)
    return {"text": text, "blocks": blocks, **MESSAGE_OPTIONS, "metadata": alert_metadata(mention, monitor)}


# --------------------------------------------------------------------------- storm


def storm_message(monitor: Monitor, *, reason: str, total: int, items: Sequence[Mention], in_thread: int,
                  kibana: str | None = None, since: datetime | None = None,
                  thread_ids: Sequence[str] = (), suppressed_ids: Sequence[str] = ()) -> dict[str, Any]:
    """ONE message for a burst: ``total`` negatives in this channel, ``reason`` (already plain
    words, no crawled text), the top ``items`` by severity as links, and what happened to the rest:
    the ``in_thread`` most severe follow in this message's thread, the others are suppressed."""
    employer = monitor.employer.name
    lines = []
    for mention in items[:STORM_TOP_ITEMS]:
        severity = f"{mention.severity:.2f}" if mention.severity is not None else "n/a"
        url = safe_url(mention.url)
        title = fit(title_of(mention), 150)
        label = f"<{url}|{title}>" if url else title
        lines.append(f"• *{severity}* {label} · {fit(mention.source, 100)}")
    rest = total - in_thread
    after = (f"The {in_thread} most severe follow in this thread with their buttons. " if in_thread else "")
    after += (f"The other {rest} are marked suppressed: they are in the daily digest"
              + (" and in Kibana." if kibana else " and in `hirewatch search`.")) if rest else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(f"Alert storm: {total} negative mentions of {employer}")},
        {"type": "section", "text": mrkdwn(escape(reason))},
    ]
    if lines:
        blocks.append({"type": "section", "text": mrkdwn(fit_lines(["*Most severe*", *lines], SECTION_LIMIT))})
    if kibana and since is not None:
        blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": [
            {"type": "button", "action_id": OPEN_KIBANA, "text": plain("Open in Kibana"),
             "url": kibana_search_url(kibana, monitor.name, since)}]})
    if after:
        blocks.append({"type": "context", "elements": [mrkdwn(after.strip())]})
    text = fit(f"Alert storm: {total} negative mentions of {employer}. {reason}", 500)
    # the metadata names the burst (ids of the alerts that follow in the thread and of those marked
    # suppressed), so a run after a crash mid-storm finishes this storm and nothing else in it
    payload = {"monitor": monitor.name, ID_SCHEME: "monitor", "thread": list(thread_ids)[:STORM_IDS],
               "suppressed": list(suppressed_ids)[:STORM_IDS]}
    return {"text": text, "blocks": blocks, **MESSAGE_OPTIONS,
            "metadata": {"event_type": STORM_EVENT, "event_payload": payload}}


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Join already-escaped lines, dropping whole lines from the end to stay within ``limit``."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


# --------------------------------------------------------------------------- triage


STATUS_TEXT = {
    "acknowledged": ":white_check_mark: Acknowledged by {user}",
    "false_positive": ":no_entry_sign: Marked false positive by {user}",
    "assigned": ":bust_in_silhouette: Assigned to {user}",
    "open": ":arrows_counterclockwise: Reopened by {user}",
}
BUTTONS_AFTER = {
    "acknowledged": (FALSE_POSITIVE, ASSIGN),
    "false_positive": (),
    "assigned": (ACK, FALSE_POSITIVE),
    "open": (ACK, FALSE_POSITIVE, ASSIGN),
}


def triaged_blocks(blocks: Sequence[dict[str, Any]], *, status: str, user_id: str | None, at: datetime,
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    """The alert's ``blocks`` (as Slack sent them back in the action payload) after a triage
    click: the triage buttons adjusted to what still makes sense, one status line (replacing an
    earlier one). URL buttons and everything else are kept as they are (still escaped)."""
    keep = set(BUTTONS_AFTER[status])
    out: list[dict[str, Any]] = []
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith(STATUS_BLOCK):
            continue
        if block.get("type") == "actions" and block_id.startswith(ACTIONS_BLOCK):
            elements = [e for e in block.get("elements", [])
                        if e.get("action_id") not in TRIAGE_ACTIONS or e.get("action_id") in keep]
            mention_value = next((e.get("value") for e in block.get("elements", []) if e.get("value")), None)
            present = {e.get("action_id") for e in elements}
            if mention_value:
                elements.extend(_triage_button(action, mention_value) for action in keep - present)
            elements.sort(key=lambda e: _BUTTON_ORDER.get(str(e.get("action_id")), 0))
            if elements:
                out.append({**block, "block_id": f"{ACTIONS_BLOCK}-{status}", "elements": elements})
            continue
        out.append(block)
    line = STATUS_TEXT[status].format(user=user_ref(user_id)) + f" · {local_time(at, tz)}"
    out.append({"type": "context", "block_id": f"{STATUS_BLOCK}-{status}", "elements": [mrkdwn(line)]})
    return out[:MAX_BLOCKS]


_BUTTON_ORDER = {OPEN_SOURCE: 0, OPEN_KIBANA: 1, ACK: 2, FALSE_POSITIVE: 3, ASSIGN: 4}
