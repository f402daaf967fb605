"""Kibana: links to a mention, and loading the saved objects shipped in ``docker/kibana/``.

:func:`kibana_mention_url` is called by the Slack alerter to link an alert to its mention,
:func:`kibana_negatives_url` by the digest for the negatives it does not list;
:func:`import_saved_objects` by ``hirewatch kibana import``. Import raises
:class:`~hirewatch.errors.ConfigError` for missing files and :class:`~hirewatch.errors.StoreError`
when Kibana cannot be reached or refuses the request as a whole; per-object errors are returned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from hirewatch.errors import ConfigError, StoreError
from hirewatch.redact import strip_userinfo
from hirewatch.settings import kibana_url as configured_kibana_url

if TYPE_CHECKING:
    from hirewatch.settings import StoreSettings

#: The fixed id of the data view on the ``mentions`` alias (docker/kibana/hirewatch.ndjson); the Slack
#: alerter's links (alerts/slack_message.py) use the same id.
DATA_VIEW_ID = "mentions"


def kibana_url(monitor_url: str | None = None) -> str | None:
    """The Kibana URL to link to: the monitor's ``kibana_url``, else ``HIREWATCH_KIBANA_URL``
    (without credentials: a link is shown)."""
    url = monitor_url or configured_kibana_url()
    return strip_userinfo(url) if url else None


def kibana_mention_url(base_url: str, mention_id: str, *, index: str = "mentions",
                       data_view_id: str = DATA_VIEW_ID) -> str:
    """The address of one mention in Kibana (Discover's single-document view through the
    ``mentions`` alias and the shipped data view)."""
    base = strip_userinfo(base_url).rstrip("/")
    return (f"{base}/app/discover#/doc/{quote(data_view_id, safe='')}/{quote(index, safe='')}"
            f"?id={quote(mention_id, safe='')}")


def kibana_negatives_url(base_url: str, monitors: Sequence[str], since: datetime,
                         until: datetime | None = None) -> str:
    """Kibana Discover over the negative mentions of ``monitors`` first seen (``fetched``) from
    ``since`` (to ``until``): the digest's link to the negatives it does not list."""
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    names = " or ".join(f'monitor:"{name}"' for name in monitors)
    kql = f'({names}) and sentiment_label:"negative" and fetched >= "{stamp(since)}"'
    if until is not None:
        kql += f' and fetched < "{stamp(until)}"'
    kql = kql.replace("!", "!!").replace("'", "!'")
    # Discover's time filter is on @timestamp (published, else first seen): wide open, the KQL
    # picks the window by first seen.
    state = f"_g=(time:(from:'{stamp(since - timedelta(days=3650))}',to:now))&_a=(query:(language:kuery,query:'{kql}'))"
    return f"{base_url.rstrip('/')}/app/discover#/?" + quote(state, safe="/:(),'=&!*-_.~")


def saved_object_files(directory: Path | None = None) -> list[Path]:
    """The ``*.ndjson`` files to import, in name order (default: the copy inside the installed
    wheel, ``hirewatch/stores/kibana_objects``, or in a checkout ``<repo>/docker/kibana``)."""
    here = Path(__file__).resolve().parent
    folder = directory or next((d for d in (here / "kibana_objects", here.parents[2] / "docker" / "kibana")
                                if d.is_dir()), here.parents[2] / "docker" / "kibana")
    files = sorted(folder.glob("*.ndjson"))
    if not files:
        raise ConfigError(f"no Kibana saved objects (*.ndjson) in {folder}", field="--dir")
    return files


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    success_count: int
    errors: tuple[str, ...]


def _with_index(body: bytes, index: str) -> bytes:
    """Point the data view at ``index`` when the deployment uses another prefix than ``mentions``."""
    if index == "mentions":
        return body
    lines = []
    for line in body.decode("utf-8").splitlines():
        obj = json.loads(line) if line.strip() else None
        if obj and obj.get("type") == "index-pattern" and obj.get("attributes", {}).get("title") == "mentions":
            obj["attributes"]["title"] = index
            line = json.dumps(obj, ensure_ascii=False)
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _describe(error: dict) -> str:
    kind = (error.get("error") or {}).get("type", "error")
    detail = (error.get("error") or {}).get("references") or (error.get("error") or {}).get("message") or ""
    return f"{error.get('type')} {error.get('id')!r}: {kind} {detail}".rstrip()


def import_saved_objects(base_url: str, files: list[Path], *, settings: StoreSettings | None = None,
                         space: str | None = None, timeout_s: float = 30.0) -> list[ImportResult]:
    """POST each file to ``/api/saved_objects/_import?overwrite=true`` (multipart ``file``, header
    ``kbn-xsrf``). Credentials: the Elasticsearch API key or user/password from ``settings``."""
    headers = {"kbn-xsrf": "hirewatch"}
    auth: httpx.Auth | None = None
    index = "mentions"
    if settings is not None:
        index = settings.es_index_prefix
        if settings.es_api_key is not None:
            headers["Authorization"] = f"ApiKey {settings.es_api_key.get_secret_value()}"
        elif settings.es_username:
            password = settings.es_password.get_secret_value() if settings.es_password is not None else ""
            auth = httpx.BasicAuth(settings.es_username, password)
    prefix = f"/s/{quote(space, safe='')}" if space else ""
    endpoint = f"{base_url.rstrip('/')}{prefix}/api/saved_objects/_import"
    results = []
    with httpx.Client(timeout=timeout_s, headers=headers, auth=auth) as client:
        for path in files:
            try:
                body = _with_index(path.read_bytes(), index)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read {path}: {exc}") from exc
            try:
                response = client.post(endpoint, params={"overwrite": "true"},
                                       files={"file": (path.name, body, "application/ndjson")})
            except httpx.HTTPError as exc:
                raise StoreError(f"Kibana at {base_url}: import of {path.name} failed: {exc}") from exc
            if response.status_code != 200:
                raise StoreError(f"Kibana at {base_url}: import of {path.name} refused: HTTP {response.status_code} "
                                 f"{response.text[:300]}")
            try:
                data = response.json()
            except ValueError as exc:
                raise StoreError(f"Kibana at {base_url}: import of {path.name}: answer is not JSON") from exc
            errors = tuple(_describe(e) for e in data.get("errors") or [])
            results.append(ImportResult(path, int(data.get("successCount") or 0), errors))
    return results
