"""The digest as plain text: the mail's text/plain alternative (and what a terminal can show).

Called by :func:`hirewatch.digest.run_digest` and the mailer's message builder. Crawled text is
passed through as text (plain text has nothing to escape); control characters are removed so a
crawled title cannot rewrite the reader's terminal. Never raises for any :class:`Digest`.
"""

from __future__ import annotations

from hirewatch.digest import formatting as f
from hirewatch.digest.model import Digest, Item
from hirewatch.escaping import terminal_text

WIDTH = 72
BAR = 30
#: Text without control or bidi-override characters, whitespace collapsed.
clean = terminal_text


def subject(digest: Digest) -> str:
    """The mail subject: who, how many, how many negative, which day."""
    t = digest.today
    counts = (f"{f.number(t.total)} new mention{'s' if t.total != 1 else ''}"
              + (f", {f.number(t.negative)} negative" if t.negative else "")) if t.total else "no new mentions"
    failing = len(digest.failing)
    trouble = f", {failing} source{'s' if failing != 1 else ''} failing" if failing else ""
    return clean(f"hirewatch digest {digest.day:%a} {digest.day.day} {digest.day:%b}: "
                 f"{', '.join(digest.employers)}: {counts}{trouble}")


def _heading(title: str) -> list[str]:
    return ["", title.upper(), "-" * len(title)]


def _item_lines(index: int, item: Item, timezone: str) -> list[str]:
    tags = []
    if item.sentiment_label:
        tags.append(f"{item.sentiment_label} {f.score(item.sentiment_score)}")
    if item.severity is not None:
        tags.append(f"severity {f.severity(item.severity)}")
    tags.append(item.status_label)
    lines = [f"{index}. {clean(item.title)}",
             f"   [{' · '.join(tags)}]",
             *([f"   why: {clean('; '.join(item.reasons))}"] if item.reasons else []),
             f"   {clean(f.source_line(item.source, item.source_kind))}{_published(item, timezone)}"
             f" · seen {f.local_time(item.seen, timezone)}"]
    if item.excerpt:
        lines.append(f"   {clean(item.excerpt)}")
    url = f.safe_url(item.url)
    if url:
        lines.append(f"   {url}")
    return lines


def _published(item: Item, timezone: str) -> str:
    return f" · published {f.local_time(item.published, timezone, True)}" if item.published else ""


def render_text(digest: Digest, *, link: str | None = None) -> str:
    """The whole digest as text lines of about ``WIDTH`` characters."""
    out = _summary(digest)
    for section in (_items, _trend, _topics, _reviews, _entities, _health):
        out += section(digest)
    out += ["", f"Day window: {f.window_text(digest)}."]
    safe_link = f.safe_url(link) if link else None
    if safe_link:
        out.append(f"Full digest: {safe_link}")
    return "\n".join(out) + "\n"


def _summary(d: Digest) -> list[str]:
    out = [f"hirewatch daily digest: {clean(', '.join(d.employers))}",
           f"{d.day_name} · {d.window.timezone}" + (f" · a {d.window.hours:g}-hour day (clocks changed)"
                                                     if d.window.hours != 24 else ""),
           "", clean(d.headline)]
    out += [clean(note) for note in d.notes]
    before = (lambda value: value) if d.has_history else (lambda value: f.DASH)
    out += ["", f"{'':16}{'that day':>10}{'day before':>12}{'7-day avg':>11}",
            f"{'Mentions':16}{f.number(d.today.total):>10}{before(f.number(d.previous_day.total)):>12}"
            f"{before(f.number(d.baseline.total)):>11}",
            f"{'Negative':16}{f.number(d.today.negative):>10}{before(f.number(d.previous_day.negative)):>12}"
            f"{before(f.number(d.baseline.negative)):>11}",
            f"{'Avg sentiment':16}{f.score(d.today.avg_sentiment):>10}"
            f"{before(f.score(d.previous_day.avg_sentiment)):>12}{before(f.score(d.baseline.avg_sentiment)):>11}"]
    return out


def _items(d: Digest) -> list[str]:
    out = _heading("Worth reading")
    if not d.items:
        return [*out, f"Nothing to read {d.day_phrase}: no new mentions."]
    for index, item in enumerate(d.items, 1):
        out += _item_lines(index, item, d.window.timezone)
        out.append("")
    out.pop()
    return out + _more_negatives(d)


def _more_negatives(d: Digest) -> list[str]:
    """The day's negatives not listed, and where to read them all."""
    if not d.more_negatives:
        return []
    out = ["", f"{d.more_negatives} more negative{'s' if d.more_negatives != 1 else ''} {d.day_phrase}:"]
    link = f.safe_url(d.negatives_link) if d.negatives_link else None
    if link:
        out.append(f"   Kibana: {link}")
    return [*out, f"   {d.negatives_command}"]


def _trend(d: Digest) -> list[str]:
    out = _heading("Last 14 days (# negative, = neutral, + positive)")
    peak = max((day.total for day in d.trend), default=0)
    if not peak:
        return [*out, "No mentions in the last 14 days."]
    scale = BAR / peak
    for day in d.trend:
        bar = ("#" * round(day.negative * scale) + "=" * round(day.neutral * scale)
               + "+" * round(day.positive * scale))
        mark = " <" if day.day == d.day else ""
        out.append(f"{day.day:%a %d %b}  {bar:<{BAR}} {day.total:>4}{mark}")
    return out


def _topics(d: Digest) -> list[str]:
    out = _heading("Topics of the candidate journey")
    if not d.topics:
        return [*out, f"No candidate-journey topics {d.day_phrase}."]
    for t in d.topics:
        usual = f.number(t.baseline) if d.has_history else f.DASH
        out.append(f"{clean(t.label)[:28]:28} {t.count:>4}  negative {t.negative:>3}"
                   f"  avg {f.score(t.avg_sentiment):>6}  usual {usual}")
    return out


def _reviews(d: Digest) -> list[str]:
    if not d.reviews and not d.ratings:
        return []
    out = _heading("Reviews")
    for r in d.ratings:
        was = f" (was {f.rating(r.previous)})" if r.previous is not None else ""
        count = f", {r.count} reviews" if r.count is not None else ""
        out.append(f"{clean(r.site)}: {f.rating(r.rating)}{was} {f.rating_delta(r.delta)}{count}")
    if not d.reviews:
        return [*out, f"No new reviews {d.day_phrase}."]
    for index, item in enumerate(d.reviews, 1):
        stars = f"{item.rating:.0f}/5 " if item.rating is not None else ""
        out.append(f"{index}. {stars}{clean(item.title)} ({clean(item.source)})")
        url = f.safe_url(item.url)
        if url:
            out.append(f"   {url}")
    if d.more_reviews:
        out.append(f"and {d.more_reviews} more reviews.")
    return out


def _entities(d: Digest) -> list[str]:
    if not d.entities:
        return []
    out = _heading("Competitors side by side")
    out.append(f"{'':24}{'mentions':>9}{'share':>7}{'avg':>7}{'7 days':>8}{'share':>7}")
    for e in d.entities:
        name = clean(e.name)[:22] + ("" if e.is_competitor else " *")
        out.append(f"{name:24}{e.volume:>9}{f.share(e.share):>7}{f.score(e.avg_sentiment):>7}"
                   f"{e.week_volume:>8}{f.share(e.week_share):>7}")
    out.append("* the monitored employer")
    return out


def _health(d: Digest) -> list[str]:
    out = _heading("Source health")
    for s in d.failing:
        since = f" (since {f.local_time(s.failing_since, d.window.timezone, True)})" if s.failing_since else ""
        out.append(f"FAILING  {clean(s.source)}: {clean(s.error or 'failed')}{since}")
    for s in d.quiet:
        out.append(f"QUIET    {clean(s.source)}: no new mention for {s.days_quiet} days")
    for s in d.not_run:
        out.append(f"NOT RUN  {clean(s.source)}")
    if d.monitors_without_runs:
        out.append(f"No run recorded {d.day_phrase} for {', '.join(d.monitors_without_runs)}: its sources "
                   "were not checked, so the counts above may be incomplete.")
    if d.checked:
        out.append(f"{d.healthy} of {len(d.checked)} sources ran without trouble.")
    return out
