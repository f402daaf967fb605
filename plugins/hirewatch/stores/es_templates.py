"""The Elasticsearch index template and side-index mappings, read from the JSON files in
``docker/elasticsearch/`` (the same files the docker stack's setup service uses), adapted to an
index prefix and to the language analyzers a cluster has.

Called by :class:`~hirewatch.stores.elasticsearch_store.ElasticsearchStore` (set-up) and by the
tests that check the Kibana saved objects against the mapping. Raises
:class:`~hirewatch.errors.ConfigError` when the files are missing or a language is unknown.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from hirewatch.errors import ConfigError
from hirewatch.settings import es_languages

#: The per-language multi-fields of ``title`` and ``text`` (built-in Elasticsearch analyzers).
LANGUAGES = ("english", "dutch", "german", "swedish", "norwegian", "danish")
TEXT_FIELDS = ("title", "text")
TEMPLATE_FILE = "mentions-template.json"
SIDE_FILE = "side-indices.json"
SIDE_INDICES = ("crawl_state", "runs", "ratings", "retry", "deliveries", "claims")


def template_dir() -> Path:
    """Where the JSON files are: inside the installed wheel (``hirewatch/stores/es_template_files``,
    force-included from ``docker/elasticsearch``) or, in a checkout, ``<repo>/docker/elasticsearch``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "es_template_files", here.parents[2] / "docker" / "elasticsearch"):
        if (candidate / TEMPLATE_FILE).is_file():
            return candidate
    raise ConfigError(f"Elasticsearch templates not found (looked for {TEMPLATE_FILE} in {here / 'es_template_files'} "
                      f"and {here.parents[2] / 'docker' / 'elasticsearch'})")


@cache
def _load(name: str) -> dict[str, Any]:
    path = template_dir() / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def configured_languages() -> tuple[str, ...]:
    """``HIREWATCH_ES_LANGUAGES`` (comma-separated analyzer names; ``none`` for no language
    sub-fields), default all of :data:`LANGUAGES`. A cluster without an analyzer (osmem-server
    lacks dutch, swedish, norwegian, danish) leaves it out here."""
    raw = es_languages()
    if raw is None:
        return LANGUAGES
    if raw.strip().lower() == "none":
        return ()
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown:
        raise ConfigError(f"unknown language analyzer(s) {', '.join(unknown)}; expected some of "
                          f"{', '.join(LANGUAGES)} or 'none'", field="HIREWATCH_ES_LANGUAGES")
    return chosen


def mentions_template(prefix: str = "mentions", languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    """The composable index template body for ``<prefix>-*`` with only ``languages`` as
    per-language sub-fields of title and text."""
    body = copy.deepcopy(_load(TEMPLATE_FILE))
    body["index_patterns"] = [f"{prefix}-*"]
    properties = body["template"]["mappings"]["properties"]
    for name in TEXT_FIELDS:
        subfields = properties[name].get("fields", {})
        for lang in LANGUAGES:
            if lang not in languages:
                subfields.pop(lang, None)
    return body


def side_mapping(kind: str) -> dict[str, Any]:
    """The mapping of one side index (one of :data:`SIDE_INDICES`)."""
    return copy.deepcopy(_load(SIDE_FILE)[kind])


def mapped_fields(prefix: str = "mentions", languages: tuple[str, ...] = LANGUAGES) -> set[str]:
    """Every field path the mentions mapping defines (``alert.status``, ``title.english``, ...)."""
    out: set[str] = set()

    def walk(props: dict[str, Any], path: str) -> None:
        for name, spec in props.items():
            full = f"{path}{name}"
            out.add(full)
            walk(spec.get("properties", {}), full + ".")
            for sub in spec.get("fields", {}):
                out.add(f"{full}.{sub}")

    walk(mentions_template(prefix, languages)["template"]["mappings"]["properties"], "")
    return out
