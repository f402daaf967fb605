"""Lenient schema.org extraction from HTML: JSON-LD blocks and microdata.

Review sites ship broken JSON-LD (``// <![CDATA[`` wrappers, JS comments, raw control characters,
``\\'`` and ``\\x26`` escapes, unescaped quotes, a stray ``}``, several blocks, ``null``). Each
block is tried with :mod:`json` first, then with targeted repairs, then with :mod:`json5` (unquoted
keys, single quotes, trailing commas). Nothing here raises on bad input: a block that cannot be
read is skipped and named in ``problems``.

Called by :mod:`hirewatch.extract.review_extract` (review pages) and by the review site adapters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import json5
from bs4 import BeautifulSoup, Tag

__all__ = [
    "Extracted",
    "extract",
    "extract_jsonld",
    "extract_microdata",
    "iter_nodes",
    "microdata_item",
    "microdata_to_jsonld",
    "node_types",
    "parse_json_lenient",
    "soup_of",
]

_DECODER = json.JSONDecoder(strict=False)
#: Blocks larger than this (characters) are read only if they are valid JSON (repairing one this
#: large would hold a run for seconds).
REPAIR_LIMIT = 1_500_000
_WRAPPER = re.compile(
    r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)\s*|\s*(?://\s*)?(?:\]\]>|-->)\s*$",
)
_ESCAPE = re.compile(r"""\\(u[0-9a-fA-F]{4}|["\\/bfnrt]|x[0-9a-fA-F]{2}|'|.?)""", re.DOTALL)


@dataclass(slots=True)
class Extracted:
    """What one page holds: JSON-LD top-level values (``null`` blocks dropped, a block holding a
    list contributes its members), microdata items in extruct's ``{"type", "properties"}`` shape,
    and one line per block that could not be read."""

    jsonld: list[Any] = field(default_factory=list)
    microdata: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def soup_of(html: str | bytes) -> BeautifulSoup:
    """Parse markup with lxml (fast, forgiving); html.parser if lxml refuses it."""
    try:
        return BeautifulSoup(html, "lxml")
    except Exception:  # noqa: BLE001 - lxml rejects some byte soups that html.parser reads
        return BeautifulSoup(html, "html.parser")


def extract(html: str | bytes | BeautifulSoup, base_url: str | None = None) -> Extracted:
    """JSON-LD and microdata of one page. Never raises."""
    soup = html if isinstance(html, BeautifulSoup) else soup_of(html)
    out = Extracted()
    out.jsonld = extract_jsonld(soup, problems=out.problems)
    try:
        out.microdata = extract_microdata(soup, base_url=base_url)
    except Exception as exc:  # noqa: BLE001 - malformed markup must not stop the JSON-LD results
        out.problems.append(f"microdata: {type(exc).__name__}: {exc}")
    return out


# --------------------------------------------------------------------------- JSON-LD


def extract_jsonld(html: str | bytes | BeautifulSoup, problems: list[str] | None = None) -> list[Any]:
    """Every ``<script type="application/ld+json">`` block, parsed leniently, in page order."""
    soup = html if isinstance(html, BeautifulSoup) else soup_of(html)
    values: list[Any] = []
    for index, script in enumerate(soup.find_all("script")):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        text = script.string if script.string is not None else script.get_text()
        parsed = parse_json_lenient(text or "")
        if parsed is None:
            if (text or "").strip() and problems is not None:
                problems.append(f"JSON-LD block {index + 1}: not readable as JSON ({(text or '').strip()[:60]!r})")
            continue
        for value in parsed:
            if isinstance(value, list):
                values.extend(v for v in value if v is not None)
            elif value is not None:
                values.append(value)
    return values


def parse_json_lenient(text: str) -> list[Any] | None:
    """The JSON values in ``text`` (a script body), or None when no reading works.

    Steps, each tried only when the one before failed: strict-free :mod:`json` (raw control
    characters allowed; trailing junk after complete values ignored); wrappers (CDATA, HTML
    comments) and JS comments removed; bad escapes repaired; :mod:`json5`; unescaped inner quotes
    escaped. A block that is literally ``null`` gives ``[None]``. Blocks over :data:`REPAIR_LIMIT`
    characters get the first step only.
    """
    values = _json_values(text)
    if values is not None:
        return values  # the common case: valid JSON, no repair work at all
    if len(text) > REPAIR_LIMIT:
        return None  # the repairs are character loops in Python: a hostile block must not stall a run
    stripped = _strip_js_comments(_WRAPPER.sub("", text))
    values = _json_values(stripped)
    if values is not None:
        return values
    escaped = _ESCAPE.sub(_fix_escape, stripped)
    values = _json_values(escaped)
    if values is not None:
        return values
    try:
        return [json5.loads(escaped)]
    except Exception:  # noqa: BLE001, S110 - json5 raises ValueError and friends; try the next repair
        pass
    quoted = _escape_inner_quotes(escaped)
    values = _json_values(quoted)
    if values is not None:
        return values
    try:
        return [json5.loads(quoted)]
    except Exception:  # noqa: BLE001 - every reading failed: the caller reports the block
        return None


def _json_values(text: str) -> list[Any] | None:
    """Complete JSON values one after another; junk after at least one value is ignored
    (``}}``, ``;``). None when the first value does not parse."""
    values: list[Any] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= end:
            break
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            if not values:
                return None
            break
        values.append(value)
    return values or None


def _fix_escape(match: re.Match[str]) -> str:
    body = match.group(1)
    if (body.startswith("u") and len(body) == 5) or (len(body) == 1 and body in '"\\/bfnrt'):
        return match.group(0)
    if body.startswith("x") and len(body) == 3:
        return "\\u00" + body[1:]
    if body == "'":
        return "'"
    # Not an escape JSON knows (``C:\videos``): keep the backslash as a character.
    return "\\\\" + body


def _strip_js_comments(text: str) -> str:
    """Remove ``// ...`` and ``/* ... */`` outside strings (URLs inside strings keep their ``//``)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string: str | None = None
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == in_string:
                in_string = None
            i += 1
            continue
        if ch in "\"'" and not _is_apostrophe(text, i):
            in_string = ch
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _is_apostrophe(text: str, i: int) -> bool:
    """A ``'`` between two letters is prose, not a JS string delimiter."""
    return text[i] == "'" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _escape_inner_quotes(text: str) -> str:
    """Escape a ``"`` inside a string when what follows it cannot follow a closing quote
    (``"two "buttons"."`` -> ``"two \\"buttons\\"."``)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if not in_string:
            if ch == '"':
                in_string = True
            out.append(ch)
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == '"':
            if _closes_string(text, i + 1):
                in_string = False
                out.append(ch)
            else:
                out.append('\\"')
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _closes_string(text: str, j: int) -> bool:
    n = len(text)
    while j < n and text[j] in " \t\r\n":
        j += 1
    if j >= n or text[j] in "}]:":
        return True
    if text[j] != ",":
        return False
    j += 1
    while j < n and text[j] in " \t\r\n":
        j += 1
    if j >= n or text[j] in '"{[-0123456789}]':
        return True
    return re.match(r"(?:true|false|null)\b", text[j : j + 6]) is not None


# --------------------------------------------------------------------------- nodes


def iter_nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``, depth first (``@graph`` members, nested ``review`` arrays,
    ``itemListElement`` entries...), each once."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def node_types(node: dict[str, Any]) -> set[str]:
    """The node's ``@type`` (or microdata ``type``) names without vocabulary prefix:
    ``http://schema.org/Review`` and ``schema:Review`` both give ``Review``."""
    raw = node.get("@type", node.get("type"))
    names = raw if isinstance(raw, list) else [raw]
    out = set()
    for name in names:
        if isinstance(name, str) and name:
            out.add(re.split(r"[/#:]", name.rstrip("/"))[-1])
    return out


# --------------------------------------------------------------------------- microdata


_URL_ATTR = {"a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src", "iframe": "src",
             "img": "src", "source": "src", "track": "src", "video": "src", "object": "data"}


def extract_microdata(html: str | bytes | BeautifulSoup, base_url: str | None = None) -> list[dict[str, Any]]:
    """Top-level microdata items (``itemscope`` without ``itemprop``, or whose ``itemprop`` has no
    item around it, as review cards often do) as
    ``{"type": ..., "properties": {...}}`` (the shape extruct gives); a property seen twice
    becomes a list. URLs are resolved against ``base_url`` when it is given."""
    soup = html if isinstance(html, BeautifulSoup) else soup_of(html)
    items = []
    for tag in soup.find_all(attrs={"itemscope": True}):
        if tag.has_attr("itemprop") and tag.find_parent(attrs={"itemscope": True}) is not None:
            continue
        items.append(microdata_item(tag, base_url))
    return items


def microdata_item(tag: Tag, base_url: str | None = None, depth: int = 0) -> dict[str, Any]:
    """One ``itemscope`` element as ``{"type", "id", "properties"}`` (site adapters call this on
    the elements they locate themselves)."""
    item: dict[str, Any] = {}
    types = (tag.get("itemtype") or "").split() if isinstance(tag.get("itemtype"), str) else tag.get("itemtype")
    if types:
        item["type"] = types[0] if len(types) == 1 else types
    if tag.get("itemid"):
        item["id"] = str(tag.get("itemid")).strip()
    properties: dict[str, Any] = {}
    for prop_tag in _property_tags(tag):
        names = prop_tag.get("itemprop")
        names = names.split() if isinstance(names, str) else list(names or [])
        if prop_tag.has_attr("itemscope"):
            value: Any = microdata_item(prop_tag, base_url, depth + 1) if depth < 20 else {}
        else:
            value = _property_value(prop_tag, base_url)
        for name in names:
            if name in properties:
                existing = properties[name]
                properties[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                properties[name] = value
    item["properties"] = properties
    return item


def _property_tags(scope: Tag) -> Iterator[Tag]:
    """Descendants with ``itemprop`` that belong to ``scope`` (not to a nested item)."""
    stack = list(reversed([c for c in scope.children if isinstance(c, Tag)]))
    while stack:
        tag = stack.pop()
        if tag.has_attr("itemprop"):
            yield tag
        if tag.has_attr("itemscope"):
            continue
        stack.extend(reversed([c for c in tag.children if isinstance(c, Tag)]))


def _property_value(tag: Tag, base_url: str | None) -> str:
    name = tag.name.lower()
    if tag.has_attr("content"):
        return str(tag["content"]).strip()
    if name in _URL_ATTR and tag.has_attr(_URL_ATTR[name]):
        url = str(tag[_URL_ATTR[name]]).strip()
        return urljoin(base_url, url) if base_url else url
    if name in {"data", "meter"} and tag.has_attr("value"):
        return str(tag["value"]).strip()
    if name == "time" and tag.has_attr("datetime"):
        return str(tag["datetime"]).strip()
    return " ".join(tag.get_text(" ").split())


def microdata_to_jsonld(item: dict[str, Any]) -> dict[str, Any]:
    """A microdata item in JSON-LD form (``@type`` + properties; nested items too), so review
    extraction reads both the same way."""
    out: dict[str, Any] = {}
    if item.get("type"):
        types = item["type"] if isinstance(item["type"], list) else [item["type"]]
        names = sorted(node_types({"@type": types}))
        out["@type"] = names[0] if len(names) == 1 else names
    if item.get("id"):
        out["@id"] = item["id"]
    for key, value in (item.get("properties") or {}).items():
        out[key] = _md_value(value)
    return out


def _md_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_md_value(v) for v in value]
    if isinstance(value, dict) and "properties" in value:
        return microdata_to_jsonld(value)
    return value
