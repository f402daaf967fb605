"""The digest's charts, drawn once as shapes and written two ways: SVG (the HTML file and the
browser) and PNG (the e-mail, as an inline image by Content-ID, because Gmail and Outlook do not
show inline SVG).

Called by :mod:`hirewatch.digest.html_renderer` and the overview page of ``hirewatch serve``
(:mod:`hirewatch.serve.overview`). The PNG backend uses Pillow with the TrueType
font Pillow ships, so it needs no system fonts; :func:`png_available` says whether it can run, and
the mail falls back to bars made of table cells when it cannot. Text in a chart is escaped
(it may be a monitor's own topic tag).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape as xml_escape

from hirewatch.digest.model import TopicRow, TrendDay

COLORS = {"negative": "#d64545", "neutral": "#a0aab4", "positive": "#2f9e6e"}
INK, MUTED, GRID = "#1f2933", "#616e7c", "#e4e7eb"
FONT_FAMILY = "Helvetica, Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0


@dataclass(frozen=True, slots=True)
class Text:
    """``y`` is the baseline; ``anchor`` is start, middle or end (as in SVG)."""

    x: float
    y: float
    text: str
    size: float = 11
    anchor: str = "start"
    fill: str = MUTED
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart as shapes on a ``width`` x ``height`` canvas (CSS pixels), with its alt text."""

    name: str
    width: int
    height: int
    alt: str
    shapes: tuple[Rect | Line | Text, ...] = field(default_factory=tuple)


def _nice_max(value: float) -> int:
    """The top of a y axis with four whole-number steps at or above ``value``."""
    step_needed = max(value, 1) / 4
    exponent = 10 ** max(0, math.floor(math.log10(step_needed)))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exponent >= step_needed and float(step * exponent).is_integer():
            return int(4 * step * exponent)
    return int(40 * exponent)


def trend_chart(trend: tuple[TrendDay, ...], highlight: date | None = None, width: int = 600,
                height: int = 190) -> Chart:
    """Stacked bars of mentions per day, negative at the bottom (what a lead looks for first)."""
    left, right, top, bottom = 34, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((d.total for d in trend), default=0)
    y_max = _nice_max(peak)
    shapes: list[Rect | Line | Text] = []
    for tick in range(5):
        value = y_max * tick / 4
        y = top + plot_h - plot_h * tick / 4
        shapes.append(Line(left, y, width - right, y, GRID))
        shapes.append(Text(left - 6, y + 4, f"{value:g}", size=10, anchor="end"))
    n = max(len(trend), 1)
    slot = plot_w / n
    bar_w = max(4.0, slot * 0.68)
    for index, day in enumerate(trend):
        x = left + index * slot + (slot - bar_w) / 2
        base = top + plot_h
        for key in ("negative", "neutral", "positive"):
            count = getattr(day, key)
            if count:
                h = plot_h * count / y_max
                base -= h
                shapes.append(Rect(x, base, bar_w, h, COLORS[key]))
        is_day = highlight is not None and day.day == highlight
        cx = x + bar_w / 2
        shapes.append(Text(cx, top + plot_h + 14, f"{day.day.day}", size=10, anchor="middle",
                           fill=INK if is_day else MUTED, bold=is_day))
        shapes.append(Text(cx, top + plot_h + 26, f"{day.day:%a}"[:2], size=9, anchor="middle",
                           fill=INK if is_day else MUTED, bold=is_day))
        if is_day and day.total:
            shapes.append(Text(cx, base - 4, str(day.total), size=10, anchor="middle", fill=INK, bold=True))
    shapes.append(Line(left, top + plot_h, width - right, top + plot_h, MUTED))
    total = sum(d.total for d in trend)
    negatives = sum(d.negative for d in trend)
    first, last = (trend[0].day, trend[-1].day) if trend else (None, None)
    alt = (f"Mentions per day from {first} to {last}: {total} in all, {negatives} negative; "
           + ", ".join(f"{d.day:%d %b} {d.total}" for d in trend))
    return Chart("trend", width, height, alt, tuple(shapes))


@dataclass(frozen=True, slots=True)
class SplitBar:
    """One bar of a split-bar chart: a label and its mentions by sentiment."""

    label: str
    negative: int
    neutral: int
    positive: int

    @property
    def count(self) -> int:
        return self.negative + self.neutral + self.positive


def split_bar_chart(name: str, bars: Sequence[SplitBar], alt: str, width: int = 600) -> Chart:
    """One horizontal bar per row, split by sentiment, with its count at the end."""
    label_w, right, row_h, top = 180, 40, 26, 6
    height = top + row_h * max(len(bars), 1) + 6
    peak = max((b.count for b in bars), default=1) or 1
    plot_w = width - label_w - right
    shapes: list[Rect | Line | Text] = []
    for index, bar in enumerate(bars):
        y = top + index * row_h
        shapes.append(Text(label_w - 8, y + 16, _clip(bar.label, 28), size=11, anchor="end", fill=INK))
        x = float(label_w)
        for key in ("negative", "neutral", "positive"):
            count = getattr(bar, key)
            if count:
                w = plot_w * count / peak
                shapes.append(Rect(x, y + 4, w, row_h - 8, COLORS[key]))
                x += w
        shapes.append(Text(x + 6, y + 16, str(bar.count), size=11, fill=INK, bold=True))
    return Chart(name, width, height, alt, tuple(shapes))


def topic_chart(topics: tuple[TopicRow, ...], width: int = 600) -> Chart:
    """One horizontal bar per topic, split by sentiment, with its count at the end."""
    alt = "Topics: " + "; ".join(f"{t.label} {t.count} ({t.negative} negative)" for t in topics)
    bars = [SplitBar(t.label, t.negative, t.neutral, t.positive) for t in topics]
    return split_bar_chart("topics", bars, alt, width)


def entity_chart(entities: Sequence[SplitBar], width: int = 600) -> Chart:
    """The employer and its competitors side by side: one bar each, split by sentiment."""
    alt = "Mentions by employer and competitor: " + "; ".join(
        f"{e.label} {e.count} ({e.negative} negative)" for e in entities)
    return split_bar_chart("entities", entities, alt, width)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- SVG


def to_svg(chart: Chart) -> str:
    """The chart as a standalone ``<svg>`` element; every text is XML-escaped."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" height="{chart.height}" '
           f'viewBox="0 0 {chart.width} {chart.height}" role="img" aria-label="{_attr(chart.alt)}" '
           f'font-family="{FONT_FAMILY}">',
           f"<title>{xml_escape(chart.alt)}</title>"]
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            out.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                       f'fill="{shape.fill}"/>')
        elif isinstance(shape, Line):
            out.append(f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                       f'stroke="{shape.stroke}" stroke-width="{shape.width:g}"/>')
        else:
            weight = ' font-weight="bold"' if shape.bold else ""
            out.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size:g}" '
                       f'text-anchor="{shape.anchor}" fill="{shape.fill}"{weight}>{xml_escape(shape.text)}</text>')
    out.append("</svg>")
    return "".join(out)


def _attr(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


# --------------------------------------------------------------------------- PNG


def png_available() -> bool:
    """Whether Pillow with FreeType is importable (the PNG backend's one requirement)."""
    try:
        from PIL import features
    except ImportError:
        return False
    return bool(features.check("freetype2"))


_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


def to_png(chart: Chart, scale: int = 2) -> bytes:
    """The chart as a PNG at ``scale`` x its CSS size (sharp on high-density screens).

    Raises ``ImportError`` when Pillow is missing (check :func:`png_available` first).
    """
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[float, bool], ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            box = (shape.x * scale, shape.y * scale, (shape.x + shape.w) * scale - 1, (shape.y + shape.h) * scale - 1)
            if box[2] >= box[0] and box[3] >= box[1]:
                draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Line):
            draw.line((shape.x1 * scale, shape.y1 * scale, shape.x2 * scale, shape.y2 * scale), fill=shape.stroke,
                      width=max(1, round(shape.width * scale)))
        else:
            key = (shape.size, shape.bold)
            if key not in fonts:
                fonts[key] = ImageFont.load_default(size=shape.size * scale)
            x, y = shape.x * scale, shape.y * scale
            draw.text((x, y), shape.text, fill=shape.fill, font=fonts[key], anchor=_ANCHORS[shape.anchor])
            if shape.bold:  # the bundled font has no bold face: overstrike by one pixel
                draw.text((x + 1, y), shape.text, fill=shape.fill, font=fonts[key], anchor=_ANCHORS[shape.anchor])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
