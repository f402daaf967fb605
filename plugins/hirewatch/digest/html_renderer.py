"""The digest as HTML: the e-mail body and the file on disk, from one Jinja2 template with
autoescape on (crawled titles, excerpts and errors are always text) and CSS inlined by css-inline.

Called by :func:`hirewatch.digest.run_digest` and the tests. Two modes of one rendering:

- ``file``: charts as inline SVG (every browser shows it; the file is self-contained);
- ``mail``: charts as PNG images referenced by Content-ID (``cid:``), which Gmail, Outlook and
  Apple Mail all show, while most of them drop inline SVG. Without Pillow the mail draws the
  charts as bars of table cells instead, which every client renders.

Raises ``jinja2.TemplateError`` only for a broken template (a bug, not bad data).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from hirewatch.digest import charts, formatting
from hirewatch.digest.model import Digest, Item, TopicRow, TrendDay, topic_label

Mode = Literal["file", "mail"]


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image the mail carries in its multipart/related part, referenced as ``cid:<cid>``."""

    cid: str
    filename: str
    data: bytes
    alt: str
    mime_subtype: str = "png"


@dataclass(frozen=True, slots=True)
class RenderedHtml:
    html: str
    images: tuple[InlineImage, ...] = ()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("hirewatch.digest", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = formatting.safe_url
    env.filters["topic_label"] = topic_label
    return env


def _badge_class(item: Item) -> str:
    if item.triage == "false_positive":
        return "badge-false"
    if item.triage == "acknowledged":
        return "badge-acknowledged"
    if item.status_label == "open":
        return "badge-open"
    return ""


def _stars(value: float, out_of: int = 5) -> str:
    full = max(0, min(out_of, round(value)))
    return "★" * full + "☆" * (out_of - full)


def render_html(digest: Digest, mode: Mode = "file", *, link: str | None = None,
                png: bool | None = None) -> RenderedHtml:
    """Render ``digest``. ``link``: where the full digest can be opened (the mail's "open in a
    browser"); ``png``: force (True/False) or auto-detect (None) the PNG charts of the mail."""
    trend = charts.trend_chart(digest.trend, highlight=digest.day)
    topics = charts.topic_chart(digest.topics)
    use_png = mode == "mail" and (charts.png_available() if png is None else png)
    images: list[InlineImage] = []
    stamp = f"{digest.day:%Y%m%d}"

    def chart(name: str) -> Markup:
        spec = trend if name == "trend" else topics
        if mode == "file":
            return Markup(charts.to_svg(spec))  # noqa: S704 - built by charts.to_svg, every text XML-escaped
        if use_png:
            cid = f"{name}-{stamp}@hirewatch.digest"
            images.append(InlineImage(cid, f"{name}-{stamp}.png", charts.to_png(spec), spec.alt))
            return Markup('<img src="cid:{}" width="{}" height="{}" alt="{}" style="display:block;border:0;'
                          'width:100%;max-width:{}px;height:auto">').format(cid, spec.width, spec.height,
                                                                           spec.alt, spec.width)
        return _trend_table(digest.trend, digest) if name == "trend" else _topic_table(digest.topics)

    safe_link = formatting.safe_url(link) if link else None
    html = _environment().get_template("digest.html.j2").render(
        d=digest, f=formatting, chart=chart, link=safe_link, colors=charts.COLORS, badge_class=_badge_class,
        stars=_stars, trend_total=sum(day.total for day in digest.trend),
    )
    return RenderedHtml(_inliner().inline(html), tuple(images))


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # Nothing is fetched: the template has no <link>, and crawled text cannot add one (escaped).
    return css_inline.CSSInliner(load_remote_stylesheets=False)


# --------------------------------------------------------------------------- table-cell charts


def _cell(color: str, height: int) -> str:
    return (f'<tr><td height="{height}" style="height:{height}px;background:{color};font-size:0;line-height:0">'
            "&nbsp;</td></tr>")


def _trend_table(trend: tuple[TrendDay, ...], digest: Digest, plot_h: int = 120) -> Markup:
    """The trend as a row of columns built from table cells (the mail's fallback chart)."""
    peak = max((d.total for d in trend), default=0) or 1
    cols = []
    for day in trend:
        parts = []
        used = 0
        for key in ("positive", "neutral", "negative"):
            count = getattr(day, key)
            if count:
                h = max(2, round(plot_h * count / peak))
                used += h
                parts.append(_cell(charts.COLORS[key], h))
        spacer = _cell("#ffffff", plot_h - used) if plot_h - used > 0 else ""
        bold = "font-weight:bold;color:#1f2933;" if day.day == digest.day else ""
        cols.append(
            f'<td valign="bottom" align="center" width="{100 // max(len(trend), 1)}%" style="padding:0 3px">'
            f'<div style="font-size:10px;color:#1f2933">{day.total or ""}</div>'
            f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0">{spacer}{"".join(parts)}</table>'
            f'<div style="font-size:10px;color:#616e7c;{bold}">{day.day.day}</div></td>')
    alt = escape(charts.trend_chart(trend).alt)
    return Markup(  # noqa: S704 - numbers and colours only; the one text (alt) is escaped above
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" summary="{alt}" '
        'style="table-layout:fixed"><tr>'
        + "".join(cols) + "</tr></table>")


def _topic_table(topics: tuple[TopicRow, ...]) -> Markup:
    """Topics as horizontal bars of table cells (the mail's fallback chart)."""
    peak = max((t.count for t in topics), default=1) or 1
    rows = []
    for topic in topics:
        cells = []
        for key in ("negative", "neutral", "positive"):
            count = getattr(topic, key)
            if count:
                cells.append(f'<td width="{round(100 * count / peak)}%" style="background:{charts.COLORS[key]};'
                             'height:12px;font-size:0;line-height:0">&nbsp;</td>')
        rest = 100 - round(100 * topic.count / peak)
        if rest > 0:
            cells.append(f'<td width="{rest}%" style="font-size:0;line-height:0">&nbsp;</td>')
        rows.append(f'<tr><td width="170" style="font-size:12px;padding:3px 8px 3px 0">{escape(topic.label)}</td>'
                    '<td style="padding:3px 0"><table role="presentation" width="100%" cellpadding="0" '
                    f'cellspacing="0"><tr>{"".join(cells)}</tr></table></td>'
                    '<td width="30" style="font-size:12px;font-weight:bold;padding:3px 0 3px 6px">'
                    f"{topic.count}</td></tr>")
    return Markup(  # noqa: S704 - labels escaped above, the rest numbers and colours
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">' + "".join(rows) + "</table>")
