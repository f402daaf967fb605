"""Charts: one shape list, written as SVG (valid XML, escaped text) and as PNG (Pillow)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from hirewatch.digest import charts
from hirewatch.digest.model import TopicRow

from tests.digest.sample import DAY, digest

SVG = "{http://www.w3.org/2000/svg}"


def test_trend_svg_is_valid_xml_with_one_column_per_day() -> None:
    d = digest()
    chart = charts.trend_chart(d.trend, highlight=DAY)
    root = ET.fromstring(charts.to_svg(chart))
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == sum(1 for t in d.trend for n in (t.negative, t.neutral, t.positive) if n)
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert labels[-1] == "6"  # the digest day's total on top of its bar
    assert labels[:5] == ["0", "3", "6", "9", "12"]  # y axis: peak 9, four whole steps
    days = [t.text for t in root.findall(f"{SVG}text")
            if t.get("text-anchor") == "middle" and t.get("font-size") == "10"]
    assert days[0] == "24" and days[-2:] == ["9", "6"]
    bold = [t.text for t in root.findall(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert bold == ["9", "Mo", "6"]
    total, negative = sum(t.total for t in d.trend), sum(t.negative for t in d.trend)
    assert chart.alt.startswith(f"Mentions per day from 2026-02-24 to 2026-03-09: {total} in all, {negative} negative; "
                                "24 Feb 3, 25 Feb 6")


def test_topic_svg_escapes_labels() -> None:
    topics = (TopicRow("x", '<script>alert("1")</script>&', 3, 1, 1, 1, 0.0, 1.0),)
    svg = charts.to_svg(charts.topic_chart(topics))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}script") is None
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert '<script>alert("1")</script>&' in texts


def test_png_has_the_chart_size_at_twice_the_pixels() -> None:
    from PIL import Image

    chart = charts.trend_chart(digest().trend)
    image = Image.open(io.BytesIO(charts.to_png(chart)))
    assert image.size == (chart.width * 2, chart.height * 2)
    # The negative colour is drawn (red pixels exist), the background is white.
    colours = {c for _, c in image.getcolors(1 << 20)}
    assert (255, 255, 255) in colours and (0xD6, 0x45, 0x45) in colours


@pytest.mark.parametrize(("peak", "top"), [(0, 4), (3, 4), (5, 8), (9, 12), (41, 60), (99, 100), (1234, 1600)])
def test_axis_top_has_four_whole_steps(peak, top) -> None:
    assert charts._nice_max(peak) == top
    assert top % 4 == 0


def test_entity_chart_puts_the_employer_beside_its_competitors() -> None:
    bars = [charts.SplitBar("Acme", 3, 1, 2), charts.SplitBar("<Globex> (competitor)", 1, 0, 0)]
    chart = charts.entity_chart(bars)
    root = ET.fromstring(charts.to_svg(chart))
    assert len(root.findall(f"{SVG}rect")) == 4  # one segment per non-zero count
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert texts == ["Acme", "6", "<Globex> (competitor)", "1"]
    assert chart.alt == "Mentions by employer and competitor: Acme 6 (3 negative); <Globex> (competitor) 1 (1 negative)"
