"""Small adapters for review sites whose reviews are not (all) in schema.org markup.

One module per site, each exposing ``ADAPTER`` with ``site`` and
``extract(soup, extracted, url) -> AdapterResult``. Looked up by site key (``glassdoor``,
``indeed``, ``kununu``, ``trustpilot``) from :func:`hirewatch.extract.review_extract.extract_review_page`,
which falls back to plain JSON-LD/microdata when an adapter finds nothing or raises.

The structures read here are the sites' embedded page data as documented or observed at the time
of writing; sites change their markup, so every adapter looks for review-shaped objects rather than
one fixed path, and returns nothing (not an error) when it does not recognise the page.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from hirewatch.extract.jsonld import parse_json_lenient

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

    from hirewatch.extract.jsonld import Extracted
    from hirewatch.extract.review_extract import AggregateRating, ReviewRecord

ADAPTERS: dict[str, str] = {
    "glassdoor": "hirewatch.extract.review_sites.glassdoor",
    "indeed": "hirewatch.extract.review_sites.indeed",
    "kununu": "hirewatch.extract.review_sites.kununu",
    "trustpilot": "hirewatch.extract.review_sites.trustpilot",
}


@dataclass(slots=True)
class AdapterResult:
    reviews: list[ReviewRecord] = field(default_factory=list)
    aggregate: AggregateRating | None = None
    next_url: str | None = None


class SiteAdapter(Protocol):
    site: str

    def extract(self, soup: BeautifulSoup, extracted: Extracted, url: str) -> AdapterResult: ...


def adapter_for(site: str) -> SiteAdapter | None:
    """The adapter of ``site``, or None for a site without one."""
    module = ADAPTERS.get(site)
    if module is None:
        return None
    return importlib.import_module(module).ADAPTER


# --------------------------------------------------------------------------- shared helpers


def next_data(soup: BeautifulSoup) -> Any:
    """The JSON of a Next.js page (``<script id="__NEXT_DATA__">``), or None."""
    script = soup.find("script", id="__NEXT_DATA__")
    if script is None:
        return None
    values = parse_json_lenient(script.string or script.get_text() or "")
    return values[0] if values else None


_ASSIGNMENT = re.compile(r"(?:window\.)?(__APOLLO_STATE__|apolloState)\s*=\s*")


def apollo_state(soup: BeautifulSoup) -> dict[str, Any] | None:
    """An Apollo client cache embedded in the page: ``window.__APOLLO_STATE__ = {...};``, or the
    ``apolloCache``/``apolloState`` member of the Next.js data."""
    for script in soup.find_all("script"):
        text = script.string or ""
        match = _ASSIGNMENT.search(text)
        if match:
            values = parse_json_lenient(text[match.end():])
            if values and isinstance(values[0], dict):
                return values[0]
    data = next_data(soup)
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in ("apolloCache", "apolloState", "__APOLLO_STATE__"):
                if isinstance(item.get(key), dict):
                    return item[key]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def resolve(value: Any, cache: dict[str, Any], depth: int = 0) -> Any:
    """Follow Apollo ``{"__ref": "Type:id"}`` references through ``cache``."""
    if depth > 8:
        return value
    if isinstance(value, dict) and set(value) == {"__ref"}:
        return resolve(cache.get(value["__ref"]), cache, depth + 1)
    return value


def text_of(value: Any) -> str | None:
    """A display string from a plain value or a ``{"text"|"name"|"value": ...}`` object."""
    if isinstance(value, dict):
        for key in ("text", "name", "value", "displayName"):
            if isinstance(value.get(key), str):
                return value[key].strip() or None
        return None
    if isinstance(value, str):
        return value.strip() or None
    return None
