"""Source kinds by their YAML key (``type: rss``). Built-in kinds are imported lazily by module
name so that loading a monitor imports only what it uses.

Called by :mod:`hirewatch.config` (to validate a source entry against its kind's options) and by
the pipeline (to build the source). Raises ``KeyError`` with a readable message for an unknown kind.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hirewatch.config import Monitor, SourceSpec
    from hirewatch.sources.base import Source

BUILTIN: dict[str, str] = {
    "rss": "hirewatch.sources.rss_source",
    "atom": "hirewatch.sources.rss_source",
    "google_alerts": "hirewatch.sources.alert_feed_source",
    "talkwalker": "hirewatch.sources.alert_feed_source",
    "review": "hirewatch.sources.review_source",
    "reddit": "hirewatch.sources.social_sources",
    "mastodon": "hirewatch.sources.social_sources",
    "hackernews": "hirewatch.sources.social_sources",
}

_REGISTRY: dict[str, type[Source]] = {}


def register(cls: type[Source]) -> type[Source]:
    """Class decorator: register a :class:`Source` subclass under its ``kind`` (and ``aliases``)."""
    for key in (cls.kind, *getattr(cls, "aliases", ())):
        _REGISTRY[key] = cls
    return cls


def source_class(kind: object) -> type[Source]:
    """The Source class registered for ``kind``."""
    if not isinstance(kind, str):
        raise KeyError(f"expected a source type, one of {', '.join(sorted(BUILTIN))}")
    if kind not in _REGISTRY and kind in BUILTIN:
        importlib.import_module(BUILTIN[kind])
    if kind not in _REGISTRY:
        raise KeyError(f"unknown source type {kind!r}; expected one of {', '.join(sorted(BUILTIN))}")
    return _REGISTRY[kind]


def spec_class(kind: object) -> type[SourceSpec]:
    return source_class(kind).Spec


def build_source(spec: SourceSpec, monitor: Monitor) -> Source:
    return source_class(spec.type)(spec, monitor)
