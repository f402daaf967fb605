"""How much feedparser's sanitize_html / resolve_relative_uris cost on a large feed.

The RSS source parses with both switched off (we never render feed HTML: extract turns it into
text). This measures that choice on large feeds built from the real blog/news feeds in
realdata/blogs_news (each feed's entries repeated with unique guids and links until the feed has
``--entries`` entries), parsing the same bytes with feedparser's defaults and with our options.

    .venv/bin/python -m bench.feed_parse [--entries 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import time
from pathlib import Path

import feedparser

REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata" / "blogs_news"
ITEM = re.compile(rb"<item[\s>].*?</item>|<entry[\s>].*?</entry>", re.DOTALL)


def large_feed(path: Path, entries: int) -> bytes | None:
    """The feed with its entries repeated (guid/link made unique) up to ``entries``."""
    body = path.read_bytes()
    found = ITEM.findall(body)
    if not found:
        return None
    first, last = body.find(found[0]), body.rfind(found[-1]) + len(found[-1])
    copies = []
    for i in range(entries):
        entry = found[i % len(found)]
        entry = re.sub(rb"(</(?:guid|id|link)>)", b"-%d\\1" % i, entry)
        copies.append(entry)
    return body[:first] + b"\n".join(copies) + body[last:]


def timed(body: bytes, **options: bool) -> float:
    started = time.perf_counter()
    feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"}, **options)
    return time.perf_counter() - started


def best_of(body: bytes, repeat: int) -> tuple[float, float]:
    """Best times with defaults and with our options, interleaved so that load from other
    processes hits both alike."""
    default, ours = [], []
    for _ in range(repeat):
        default.append(timed(body))
        ours.append(timed(body, sanitize_html=False, resolve_relative_uris=False))
    return min(default), min(ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"feedparser {feedparser.__version__}; {args.entries} entries per feed; best of {args.repeat}")
    print(f"{'feed':42} {'MB':>6} {'defaults s':>11} {'ours s':>8} {'speed-up':>9}")
    ratios, total_default, total_ours = [], 0.0, 0.0
    for path in sorted(REALDATA.glob("*.xml")):
        body = large_feed(path, args.entries)
        if body is None:
            continue
        default, ours = best_of(body, args.repeat)
        total_default, total_ours = total_default + default, total_ours + ours
        ratios.append(default / ours)
        print(f"{path.name:42} {len(body) / 1e6:6.1f} {default:11.2f} {ours:8.2f} {default / ours:8.2f}x")
    print(f"{'all':42} {'':>6} {total_default:11.2f} {total_ours:8.2f} {total_default / total_ours:8.2f}x"
          f"  (median per feed {statistics.median(ratios):.2f}x)")


if __name__ == "__main__":
    main()
