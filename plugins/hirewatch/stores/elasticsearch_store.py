"""The production store: Elasticsearch 9 (client ``elasticsearch>=9,<10``), one document per
mention in the index behind the alias ``<prefix>`` (``mentions``), ``_id`` = ``Mention.id``.

Opened by :func:`hirewatch.stores.registry.open_store` for ``store: elasticsearch`` (this module,
and the client library, are imported only then) and by ``hirewatch es setup|sync``. The client is
the ``elasticsearch`` extra: importing this module without it raises
:class:`~hirewatch.errors.MissingExtra` naming it. Implements the
:class:`~hirewatch.stores.base.MentionStore` contract:

- Mentions are written with ``helpers.streaming_bulk`` as ``update`` actions: the ``upsert`` body
  (used only when the document is new) carries ``fetched`` and the initial alert state, the
  ``doc`` body carries content only, so a re-run never overwrites alert status or the Slack ``ts``.
  ``sources`` are merged from a read of the stored copy, guarded by ``if_seq_no``/
  ``if_primary_term``; a concurrent writer's change shows up as a 409 and the merge is redone.
- Alert and triage state change by partial updates only.
- 429/502/503/504, timeouts and connection errors are retried by the client itself
  (``retry_on_status``, ``retry_backoff_base``/``retry_backoff_cap``); after that a
  :class:`~hirewatch.errors.StoreError`. A document Elasticsearch refuses (a mapping error) is
  returned in ``UpsertResult.failed`` with its reason and kept in the ``<prefix>_retry`` index;
  every later upsert retries the kept ones first, so nothing is dropped silently.
- The index is refreshed only where the next step reads what was just written with a search
  (after an upsert: the alerter reads the outbox; after an alert is marked: threading looks it up).

Crawl state, run reports, rating points, delivery records and leases, and the migration's claims
live in small side indices (``<prefix>_crawl_state``, ``_runs``, ``_ratings``, ``_deliveries``,
``_claims``) with their own strict mappings, so the ``mentions`` alias (and Kibana's data view on
it) holds mentions only, and a reindex of mentions never moves them. An index written before the
mention id named the monitor (no ``_meta.mention_ids``) is refused until :meth:`ElasticsearchStore.migrate`
(``hirewatch es migrate``) has copied it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hirewatch.errors import ConfigError, MissingExtra, StoreError
from hirewatch.mention import Mention, monitor_mention_id, utcnow
from hirewatch.records import CrawlState, RatingPoint
from hirewatch.redact import mask
from hirewatch.report import RunReport
from hirewatch.settings import redact_url
from hirewatch.stores.base import (
    AlertState,
    DeliveryState,
    Lease,
    MentionQuery,
    StoredMention,
    TriageStatus,
    UpsertResult,
)
from hirewatch.stores.codec import (
    DELIVERED,
    format_time,
    format_time_opt,
    initial_alert_status,
    merge_sources,
    parse_text_query,
    parse_time,
    run_report_from_dict,
    upsert_result,
)
from hirewatch.stores.es_templates import (
    LANGUAGES,
    SIDE_INDICES,
    TEXT_FIELDS,
    configured_languages,
    mentions_template,
    side_mapping,
)

try:  # the one guard of the optional client
    from elasticsearch import (
        ApiError,
        BadRequestError,
        ConflictError,
        Elasticsearch,
        NotFoundError,
        TransportError,
        helpers,
    )
except ImportError as exc:
    raise MissingExtra("elasticsearch", "the Elasticsearch store", exc) from exc

    from hirewatch.settings import StoreSettings

T = TypeVar("T")

RETRY_STATUS = (429, 502, 503, 504)
MAX_RESULT_WINDOW = 10_000
_MERGE_ROUNDS = 5  # read-merge-write rounds for a mention that concurrent writers keep changing


@dataclass(frozen=True, slots=True)
class SetupStep:
    """One thing ``setup`` did: ``what`` (``index template mentions``) and ``outcome``
    (``created``, ``updated``, ``exists``)."""

    what: str
    outcome: str


def _sha(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _error_reason(error: Any) -> str:
    """A bulk item's or an API error's ``error`` object as one line: ``type: reason (cause)``."""
    if not isinstance(error, dict):
        return str(error)
    text = f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    cause = error.get("caused_by")
    if isinstance(cause, dict) and cause.get("reason"):
        text += f" ({cause.get('type', 'cause')}: {cause['reason']})"
    return text


def _api_reason(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and "error" in body:
        return f"HTTP {exc.meta.status} {_error_reason(body['error'])}"
    status = getattr(getattr(exc, "meta", None), "status", "?")
    return f"HTTP {status} {exc}"


#: What a later copy of a mention leaves alone: the source that first saw it (and its kind), so
#: the run that recorded it as new, the alert and the search name the same source.
FIRST_SEEN_FIELDS = ("source", "source_kind")


def _later_copy(content: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k not in FIRST_SEEN_FIELDS}


class ElasticsearchStore:
    """The :class:`~hirewatch.stores.base.MentionStore` on Elasticsearch.

    ``client`` is an ``elasticsearch.Elasticsearch``; ``prefix`` names the alias (``mentions``),
    the template (``<prefix>``, for ``<prefix>-*``) and the side indices. ``languages`` picks the
    per-language sub-fields of title and text (default: ``HIREWATCH_ES_LANGUAGES`` or all six).
    ``ensure_setup`` creates the template, index, alias and side indices when the alias is missing.
    ``retries``/``initial_backoff_s``/``max_backoff_s`` are the client's own retry settings
    (``max_retries``, ``retry_backoff_base``, ``retry_backoff_cap``) for 429/502/503/504, timeouts and
    connection errors. Raises :class:`StoreError` when the cluster cannot be reached or refuses a request.
    """

    def __init__(self, client: Elasticsearch, *, prefix: str = "mentions", languages: Sequence[str] | None = None,
                 ensure_setup: bool = True, chunk_size: int = 500, retries: int = 5,
                 initial_backoff_s: float = 0.5, max_backoff_s: float = 30.0, where: str | None = None) -> None:
        # The 9.x client retries by itself: the statuses that mean "busy, ask again", timeouts and
        # connection errors, with exponential back-off (full jitter) between the tries.
        self.client = client.options(max_retries=retries, retry_on_status=RETRY_STATUS, retry_on_timeout=True,
                                     retry_backoff_base=initial_backoff_s, retry_backoff_cap=max_backoff_s)
        self.prefix = prefix
        self.alias = prefix
        self.languages = tuple(languages) if languages is not None else configured_languages()
        self.chunk_size = chunk_size
        self.retries = retries
        self.initial_backoff_s = initial_backoff_s
        self.max_backoff_s = max_backoff_s
        self.where = f"Elasticsearch at {where}" if where else "Elasticsearch"
        self.side = {kind: f"{prefix}_{kind}" for kind in SIDE_INDICES}
        self._claims: bool | None = None  # whether the claims index holds anything (read once)
        if ensure_setup:
            if not self._alias_exists():
                self.setup()
            else:
                self.check_migrated()

    @classmethod
    def from_settings(cls, settings: StoreSettings, *, client_options: dict[str, Any] | None = None,
                      **options: Any) -> ElasticsearchStore:
        """Build the client from ``HIREWATCH_ES_URL`` and API key or user/password (``client_options``
        go to ``Elasticsearch(...)`` as they are). The store sets the client's retry options."""
        if not settings.es_url:
            raise StoreError("no Elasticsearch URL configured (HIREWATCH_ES_URL)")
        auth: dict[str, Any] = {}
        if settings.es_api_key is not None:
            auth["api_key"] = settings.es_api_key.get_secret_value()
        elif settings.es_username:
            password = settings.es_password.get_secret_value() if settings.es_password is not None else ""
            auth["basic_auth"] = (settings.es_username, password)
        kwargs: dict[str, Any] = {"request_timeout": 30, **auth}
        kwargs.update(client_options or {})
        try:
            client = Elasticsearch(settings.es_url, **kwargs)
        except ValueError as exc:  # the client's own URL parsing; its message may quote the URL
            raise ConfigError(f"the Elasticsearch client refused the URL: {mask(str(exc))[:200]}",
                              field="HIREWATCH_ES_URL") from None
        return cls(client, prefix=settings.es_index_prefix, where=redact_url(settings.es_url), **options)

    # -- plumbing

    def _call(self, what: str, func: Callable[..., T], *args: Any, passthrough: Collection[int] = (),
              **kwargs: Any) -> T:
        """Call the client (which has retried 429/502/503/504, timeouts and connection errors with
        its own back-off); what still fails becomes a StoreError. ApiErrors whose status is in
        ``passthrough`` (e.g. 404, 409) are re-raised for the caller to handle."""
        attempts = f" after {self.retries + 1} attempts" if self.retries else ""
        try:
            return func(*args, **kwargs)
        except ApiError as exc:
            if exc.meta.status in passthrough:
                raise
            tries = attempts if exc.meta.status in RETRY_STATUS else ""
            raise StoreError(f"{self.where}: {what} failed{tries}: {_api_reason(exc)}") from exc
        except TransportError as exc:  # connection refused/reset, timeout
            raise StoreError(f"{self.where}: {what} failed{attempts}: {exc}") from exc

    def _alias_exists(self) -> bool:
        return bool(self._call("check the alias", self.client.indices.exists_alias, name=self.alias))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ElasticsearchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- set-up

    def template(self) -> dict[str, Any]:
        return mentions_template(self.prefix, self.languages)

    def setup(self) -> list[SetupStep]:
        """Create or update the index template, create the first index with the alias (if there is
        no alias yet) and the side indices. Safe to run twice and from two processes at once."""
        steps: list[SetupStep] = []
        indices = self.client.indices
        existed = self._call("check the template", indices.exists_index_template, name=self.prefix)
        self._call("put the index template", indices.put_index_template, name=self.prefix, **self.template())
        steps.append(SetupStep(f"index template {self.prefix} ({self.prefix}-*)", "updated" if existed else "created"))
        if self._alias_exists():
            self.check_migrated()
            steps.append(SetupStep(f"alias {self.alias}", "exists"))
        else:
            if self._call("check the index", indices.exists, index=self.alias):
                raise StoreError(f"{self.where}: {self.alias!r} is a concrete index, not an alias (something wrote to "
                                 f"it before set-up); reindex it into {self.prefix}-000001 and delete it, see "
                                 "docs/elasticsearch.md")
            first = f"{self.prefix}-000001"
            outcome = self._create_index(first, aliases={self.alias: {"is_write_index": True}})
            if outcome == "exists":  # the index without its alias (interrupted set-up)
                self._call("add the alias", indices.put_alias, index=first, name=self.alias, is_write_index=True)
                outcome = "alias added"
            steps.append(SetupStep(f"index {first} with alias {self.alias}", outcome))
        for kind, name in self.side.items():
            outcome = self._create_index(name, mappings=side_mapping(kind),
                                         settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
            steps.append(SetupStep(f"index {name}", outcome))
        return steps

    def reindex(self, timeout_s: float = 3600.0) -> tuple[str, str, int]:
        """The mapping change path: put the current template, create the next index
        (``<prefix>-000002``, ...), copy every document into it, then swap the alias in one atomic
        step. Returns (old index, new index, documents copied). The old index is kept for the
        operator to delete. If any document does not fit the new mapping the new index is deleted,
        the alias stays where it was, and StoreError lists the first failures. Pause ingestion
        (the DAGs) while this runs: a mention written to the old index after the copy would not
        be in the new one."""
        self.check_migrated()
        indices = self.client.indices
        old, new = self._next_index()

        try:
            response = self._call(f"reindex {old} into {new}", self.client.options(request_timeout=timeout_s).reindex,
                                  source={"index": old}, dest={"index": new}, refresh=True, wait_for_completion=True,
                                  passthrough=(400, 409))
        except ApiError as exc:  # with failures, the answer's status is the worst failure's
            if not (isinstance(exc.body, dict) and exc.body.get("failures")):
                self._call(f"delete {new}", indices.delete, index=new)
                raise StoreError(f"{self.where}: reindex {old} into {new} failed: {_api_reason(exc)}") from exc
            response = exc.body
        failures = response.get("failures") or []
        if failures:
            self._call(f"delete {new}", indices.delete, index=new)
            first = "; ".join(f"{f.get('id')}: {_error_reason(f.get('cause'))}" for f in failures[:3])
            raise StoreError(f"{self.where}: {len(failures)} documents do not fit the new mapping, alias left on "
                             f"{old}: {first}")
        self._call("swap the alias", indices.update_aliases, actions=[
            {"remove": {"index": old, "alias": self.alias}},
            {"add": {"index": new, "alias": self.alias, "is_write_index": True}},
        ])
        copied = int(response.get("created", 0)) + int(response.get("updated", 0))
        return old, new, copied

    def _next_index(self) -> tuple[str, str]:
        """(the alias's write index, the next index, created now from the current template)."""
        indices = self.client.indices
        aliases = self._call("read the alias", indices.get_alias, name=self.alias).body
        writers = [name for name, spec in aliases.items()
                   if spec["aliases"][self.alias].get("is_write_index", len(aliases) == 1)]
        if len(writers) != 1:
            raise StoreError(f"{self.where}: alias {self.alias!r} has no single write index ({sorted(aliases)})")
        old = writers[0]
        number = int(old.rsplit("-", 1)[1]) if old.rsplit("-", 1)[-1].isdigit() else 1
        new = f"{self.prefix}-{number + 1:06d}"
        self._call("put the index template", indices.put_index_template, name=self.prefix, **self.template())
        if self._create_index(new) == "exists":
            raise StoreError(f"{self.where}: {new} already exists; delete it or finish the earlier reindex by hand")
        return old, new

    def legacy_indices(self) -> list[str]:
        """The indices behind the alias whose mention ids do not name the monitor (written before
        alert state was kept per monitor; their mapping lacks ``_meta.mention_ids``)."""
        mappings = self._call("read the mapping", self.client.indices.get_mapping, index=self.alias).body
        return sorted(name for name, spec in mappings.items()
                      if ((spec.get("mappings") or {}).get("_meta") or {}).get("mention_ids") != "monitor")

    def check_migrated(self) -> None:
        """Raise :class:`StoreError` when the index still holds mention ids without the monitor:
        writing to it would give every mention a second copy and alert it again."""
        legacy = self.legacy_indices()
        if legacy:
            raise StoreError(f"{self.where}: {', '.join(legacy)} was written by an older hirewatch (one mention for "
                             "all monitors); pause the DAGs and run `hirewatch es migrate` (see "
                             "docs/elasticsearch.md)")

    def migrate(self, page_size: int = 500) -> dict[str, int]:
        """The migration to alert state per monitor, for an index written by an older hirewatch:
        copy every mention into the next index under its new id (:func:`monitor_mention_id` of its
        monitor and its old id), alert and triage state kept; claim each alert Slack already has
        for every other monitor the store knows (``<prefix>_claims``), so none is sent again; move
        the delivery record out of the crawl state into ``<prefix>_deliveries``; re-key the kept
        failures; then swap the alias in one step (the old index stays for the operator to
        delete). Pause the DAGs while it runs. Returns counts; a store already migrated returns
        zeros."""
        counts = {"mentions": 0, "claims": 0, "deliveries": 0, "kept_failures": 0}
        for kind in ("deliveries", "claims"):
            self._create_index(self.side[kind], mappings=side_mapping(kind),
                               settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
        if not self.legacy_indices():
            return counts
        old, new = self._next_index()
        monitors = self._known_monitors(old)
        claims: list[dict[str, Any]] = []

        def copies() -> Iterator[dict[str, Any]]:
            for hit in self._scan(old, {"match_all": {}}, [{"id": "asc"}], page_size, "read mentions to migrate"):
                src = dict(hit["_source"])
                legacy, monitor = str(hit["_id"]), str(src.get("monitor") or "")
                src["id"] = monitor_mention_id(monitor, legacy)
                alert = src.get("alert") or {}
                if alert.get("status") in DELIVERED:
                    claims.extend({"_op_type": "index", "_index": self.side["claims"],
                                   "_id": monitor_mention_id(other, legacy),
                                   "_source": {k: alert.get(k) for k in ("status", "channel", "ts", "thread_ts",
                                                                         "sent_at")}}
                                  for other in monitors if other != monitor)
                counts["mentions"] += 1
                yield {"_op_type": "index", "_index": new, "_id": src["id"], "_source": src}

        failures = [item for ok, item in helpers.streaming_bulk(self.client, copies(), chunk_size=page_size,
                                                                 raise_on_error=False, max_retries=self.retries)
                    if not ok]
        if failures:
            self._call(f"delete {new}", self.client.indices.delete, index=new)
            raise StoreError(f"{self.where}: {len(failures)} mentions could not be copied, alias left on {old}: "
                             f"{failures[:3]}")
        self._bulk_side(claims)
        counts["claims"] = len(claims)
        counts["deliveries"] = self._migrate_delivery_states(monitors)
        counts["kept_failures"] = self._migrate_kept_failures()
        self._refresh(new)
        self._call("swap the alias", self.client.indices.update_aliases, actions=[
            {"remove": {"index": old, "alias": self.alias}},
            {"add": {"index": new, "alias": self.alias, "is_write_index": True}},
        ])
        return counts

    def _known_monitors(self, index: str) -> list[str]:
        """Every monitor name the store has seen (mentions, crawl state, runs)."""
        names: set[str] = set()
        for where in (index, self.side["crawl_state"], self.side["runs"]):
            response = self._call("list monitors", self.client.search, index=where, size=0,
                                  aggs={"m": {"terms": {"field": "monitor", "size": 10_000}}})
            names.update(str(b["key"]) for b in response["aggregations"]["m"]["buckets"])
        return sorted(names)

    def _bulk_side(self, actions: list[dict[str, Any]]) -> None:
        if actions:
            failed = [item for ok, item in helpers.streaming_bulk(self.client, actions, raise_on_error=False,
                                                                   max_retries=self.retries) if not ok]
            if failed:
                raise StoreError(f"{self.where}: migration writes refused: {failed[:3]}")
            for index in {a["_index"] for a in actions}:
                self._refresh(index)

    def _migrate_delivery_states(self, monitors: list[str]) -> int:
        moved = 0
        for monitor in monitors:
            doc_id = _sha(monitor, "hirewatch:delivery")
            found = self._call("read a delivery state", self.client.options(ignore_status=404).get,
                               index=self.side["crawl_state"], id=doc_id)
            if not found.get("found"):
                continue
            extra = found["_source"].get("extra") or {}
            doc = {"monitor": monitor, "look_failures": int(extra.get("look_failures") or 0)}
            for field, key in (("started", "delivery_started"), ("finished", "delivery_finished"),
                               ("unreconciled_since", "unreconciled_since")):
                try:
                    doc[field] = format_time_opt(parse_time(extra.get(key) or None))
                except ValueError:  # a hand-edited time: look back from the start of records
                    doc[field] = None
            self._call("write a delivery state", self.client.index, index=self.side["deliveries"],
                       id=_sha(monitor), document=doc, refresh=True)
            self._call("drop the old delivery state", self.client.delete, index=self.side["crawl_state"], id=doc_id)
            moved += 1
        return moved

    def _migrate_kept_failures(self) -> int:
        actions: list[dict[str, Any]] = []
        for hit in self._scan(self.side["retry"], {"match_all": {}}, [{"id": "asc"}], what="read kept failures"):
            src = dict(hit["_source"])
            new_id = monitor_mention_id(str(src.get("monitor") or ""), str(hit["_id"]))
            mention = dict(src.get("mention") or {}, id=new_id)
            actions.append({"_op_type": "delete", "_index": self.side["retry"], "_id": hit["_id"]})
            actions.append({"_op_type": "index", "_index": self.side["retry"], "_id": new_id,
                            "_source": {**src, "id": new_id, "mention": mention}})
        self._bulk_side(actions)
        return len(actions) // 2

    def _create_index(self, name: str, **body: Any) -> str:

        if self._call(f"check index {name}", self.client.indices.exists, index=name):
            return "exists"
        try:
            self._call(f"create index {name}", self.client.indices.create, index=name, passthrough=(400,), **body)
        except BadRequestError as exc:
            if "resource_already_exists" in str(exc.body):  # another process won the race
                return "exists"
            raise StoreError(f"{self.where}: create index {name} failed: {_api_reason(exc)}") from exc
        return "created"

    def _refresh(self, index: str) -> None:
        self._call(f"refresh {index}", self.client.indices.refresh, index=index)

    # -- documents

    @staticmethod
    def _content(m: Mention) -> dict[str, Any]:
        """A mention's content fields (no ``fetched``, no alert state: those are set on insert)."""
        return {
            "id": m.id, "monitor": m.monitor, "employer": m.employer, "url": m.url, "title": m.title,
            "text": m.text, "source": m.source, "source_kind": m.source_kind, "sources": list(m.sources),
            "last_seen": format_time(utcnow()), "published": format_time_opt(m.published),
            "is_competitor": m.is_competitor, "author": m.author, "matched_terms": list(m.matched_terms),
            "language": m.language, "sentiment_score": m.sentiment_score, "sentiment_label": m.sentiment_label,
            "scorer": m.scorer, "topics": list(m.topics), "topic_sentiment": dict(m.topic_sentiment),
            "severity": m.severity, "fingerprint": m.fingerprint, "extra": dict(m.extra),
        }

    @staticmethod
    def _alert_doc(alert: AlertState) -> dict[str, Any]:
        return {
            "status": alert.status, "channel": alert.channel, "ts": alert.ts, "thread_ts": alert.thread_ts,
            "sent_at": format_time_opt(alert.sent_at), "attempts": alert.attempts, "last_error": alert.last_error,
            "triage": alert.triage, "triage_by": alert.triage_by, "triage_at": format_time_opt(alert.triage_at),
        }

    @staticmethod
    def _mention(source: dict[str, Any]) -> Mention:
        return Mention.from_dict(source)

    @staticmethod
    def _alert(source: dict[str, Any]) -> AlertState:
        a = source.get("alert") or {}
        return AlertState(
            status=a.get("status") or "none", channel=a.get("channel"), ts=a.get("ts"), thread_ts=a.get("thread_ts"),
            sent_at=parse_time(a.get("sent_at")), attempts=int(a.get("attempts") or 0), last_error=a.get("last_error"),
            triage=a.get("triage") or "open", triage_by=a.get("triage_by"), triage_at=parse_time(a.get("triage_at")),
        )

    def _stored(self, source: dict[str, Any]) -> StoredMention:
        try:
            return StoredMention(self._mention(source), self._alert(source))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.where}: stored mention {source.get('id')!r} is malformed: {exc}") from exc

    # -- upsert

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        return self._upsert(mentions, alerts=None)

    def import_stored(self, stored: Iterable[StoredMention]) -> UpsertResult:
        """Write mentions with the alert state they already have elsewhere (``hirewatch es sync``):
        a mention new to this index gets that alert state; one already here keeps its own."""
        alerts: dict[str, AlertState] = {}

        def mentions() -> Iterator[Mention]:
            for item in stored:
                alerts[item.mention.id] = item.alert
                yield item.mention

        return self._upsert(mentions(), alerts=alerts)

    def _upsert(self, mentions: Iterable[Mention], alerts: dict[str, AlertState] | None) -> UpsertResult:
        new: list[str] = []
        updated: list[str] = []
        failed: dict[str, str] = {}
        failed_mentions: dict[str, Mention] = {}
        seen: set[str] = set()
        origins: set[tuple[str, str]] = set()
        batch: dict[str, Mention] = {}

        def flush() -> None:
            self._write_batch(list(batch.values()), alerts, new, updated, failed)
            failed_mentions.update((mid, m) for mid, m in batch.items() if mid in failed)
            batch.clear()

        def add(mention: Mention) -> None:
            if mention.id in batch:
                first = batch[mention.id]
                mention = mention.with_(sources=merge_sources(first.sources, mention.sources), source=first.source,
                                        source_kind=first.source_kind)
            batch[mention.id] = mention
            seen.add(mention.id)
            origins.add((mention.monitor, mention.source))
            if len(batch) >= self.chunk_size:
                flush()

        for mention in mentions:
            add(mention)
        if batch:
            flush()
        # Retry what earlier calls for the same monitor and source could not write, so the outcome
        # is reported against the source it came from.
        kept = self._kept_failures(origins)
        for mid, (mention, _attempts, _first) in kept.items():
            if mid not in seen:
                add(mention)
        if batch:
            flush()
        if new or updated:
            self._refresh(self.alias)  # the alerter's next step searches the outbox
        self._keep_failures(failed, failed_mentions, kept)
        return upsert_result(new, updated, failed)

    def _existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Stored ``sources``/``fetched`` and sequence numbers of those ids that exist."""
        if not ids:
            return {}
        response = self._call("read stored mentions", self.client.mget, index=self.alias, ids=ids,
                              source_includes=["sources", "fetched"])
        return {doc["_id"]: doc for doc in response["docs"] if doc.get("found")}

    def _claimed(self, ids: list[str]) -> dict[str, AlertState]:
        """The alert state the migration claimed for these new pending mentions (Slack already had
        their story before alert state was kept per monitor): id -> that state."""
        if not ids:
            return {}
        if self._claims is None:
            response = self._call("count claims", self.client.options(ignore_status=404).count,
                                  index=self.side["claims"])
            self._claims = bool(response.get("count"))
        if not self._claims:
            return {}
        response = self._call("read claims", self.client.mget, index=self.side["claims"], ids=ids)
        return {doc["_id"]: AlertState(status=doc["_source"]["status"], channel=doc["_source"].get("channel"),
                                       ts=doc["_source"].get("ts"), thread_ts=doc["_source"].get("thread_ts"),
                                       sent_at=parse_time(doc["_source"].get("sent_at")))
                for doc in response["docs"] if doc.get("found")}

    def _write_batch(self, mentions: list[Mention], alerts: dict[str, AlertState] | None, new: list[str],
                     updated: list[str], failed: dict[str, str]) -> None:
        todo: dict[str, tuple[Mention, dict[str, Any]]] = {}
        for mention in mentions:
            try:
                content = self._content(mention)
                json.dumps(content, allow_nan=False)
            except (TypeError, ValueError) as exc:
                failed[mention.id] = f"cannot store mention: {exc}"
                continue
            todo[mention.id] = (mention, content)
        created: set[str] = set()
        for _round in range(_MERGE_ROUNDS):
            if not todo:
                break
            existing = self._existing(list(todo))
            claimed = self._claimed([mid for mid, (mention, _) in todo.items()
                                     if mid not in existing and initial_alert_status(mention) == "pending"])
            actions = [self._action(mention, content, existing.get(mid), {**claimed, **(alerts or {})})
                       for mid, (mention, content) in todo.items()]
            again: dict[str, tuple[Mention, dict[str, Any]]] = {}
            for ok, item in self._bulk(actions):
                result = item.get("update", {})
                mid = result.get("_id")
                if ok:
                    # _version 1 means this action created the document; osmem-server labels some
                    # created documents "noop" (whole 500-item bulks, now and then), so both count.
                    if result.get("result") == "created" or result.get("_version") == 1:
                        created.add(mid)
                    elif mid not in existing:
                        # created by another writer between our read and our write: merge sources now
                        again[mid] = todo[mid]
                        continue
                    (new if mid in created else updated).append(mid)
                    failed.pop(mid, None)
                elif result.get("status") == 409:
                    again[mid] = todo[mid]
                else:
                    failed[mid] = _error_reason(result.get("error"))
            todo = again
        for mid in todo:
            failed[mid] = f"concurrent writers kept changing it ({_MERGE_ROUNDS} attempts); retried next run"

    def _action(self, mention: Mention, content: dict[str, Any], stored: dict[str, Any] | None,
                alerts: dict[str, AlertState] | None) -> dict[str, Any]:
        action: dict[str, Any] = {"_op_type": "update", "_index": self.alias, "_id": mention.id}
        if stored is not None:
            src = stored.get("_source", {})
            first_seen = src.get("fetched") or format_time(mention.fetched)
            doc = {**_later_copy(content), "sources": list(merge_sources(src.get("sources") or [], mention.sources)),
                   "@timestamp": content["published"] or first_seen}
            action.update(doc=doc, if_seq_no=stored["_seq_no"], if_primary_term=stored["_primary_term"])
            return action
        alert = (alerts or {}).get(mention.id) or AlertState(status=initial_alert_status(mention))  # type: ignore[arg-type]
        fetched = format_time(mention.fetched)
        upsert = {**content, "fetched": fetched, "@timestamp": content["published"] or fetched,
                  "alert": self._alert_doc(alert)}
        # ``doc`` applies only if another writer created the document meanwhile: leave its sources
        # (merged in the next round) and its first-seen time alone.
        doc = {k: v for k, v in _later_copy(content).items() if k != "sources"}
        if content["published"]:
            doc["@timestamp"] = content["published"]
        action.update(doc=doc, upsert=upsert)
        return action

    def _bulk(self, actions: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:

        def run() -> list[tuple[bool, dict[str, Any]]]:
            return list(helpers.streaming_bulk(
                self.client, actions, chunk_size=max(1, len(actions)), raise_on_error=False,
                raise_on_exception=True, max_retries=self.retries, initial_backoff=self.initial_backoff_s,
                max_backoff=self.max_backoff_s, yield_ok=True,
            ))

        # A whole-request failure (connection lost) re-sends the chunk: every action is an update
        # keyed by _id, so a re-send cannot duplicate anything.
        return self._call(f"bulk write of {len(actions)} mentions", run)

    # -- failures kept for the next run

    def _kept_failures(self, origins: set[tuple[str, str]]) -> dict[str, tuple[Mention, int, str]]:
        """Mentions of these (monitor, source) pairs that earlier upserts could not write:
        id -> (mention, attempts so far, first failure)."""
        if not origins:
            return {}
        pairs = [{"bool": {"filter": [{"term": {"monitor": monitor}}, {"term": {"source": source}}]}}
                 for monitor, source in sorted(origins)]
        query = {"bool": {"should": pairs, "minimum_should_match": 1}}
        response = self._call("read kept failures", self.client.search, index=self.side["retry"], query=query,
                              size=self.chunk_size, sort=[{"first_failed": "asc"}, {"id": "asc"}])
        kept: dict[str, tuple[Mention, int, str]] = {}
        for hit in response["hits"]["hits"]:
            src = hit["_source"]
            try:
                kept[src["id"]] = (Mention.from_dict(src["mention"]), int(src.get("attempts") or 0),
                                   src.get("first_failed") or format_time(utcnow()))
            except (KeyError, TypeError, ValueError):
                continue  # unreadable: stays in the retry index for a person to look at
        return kept

    def _keep_failures(self, failed: dict[str, str], mentions: dict[str, Mention],
                       kept: dict[str, tuple[Mention, int, str]]) -> None:
        """Keep this call's failures in the retry index (with a count of attempts); forget the
        kept ones that went through."""

        now = format_time(utcnow())
        actions: list[dict[str, Any]] = []
        for mid in kept:
            if mid not in failed:
                actions.append({"_op_type": "delete", "_index": self.side["retry"], "_id": mid})
        for mid, reason in failed.items():
            mention = mentions[mid]
            try:
                payload = json.loads(json.dumps(mention.to_dict(), allow_nan=False))
            except (TypeError, ValueError):
                continue  # cannot be kept (not JSON); the failure is still returned to the caller
            attempts, first = (kept[mid][1] + 1, kept[mid][2]) if mid in kept else (1, now)
            actions.append({"_op_type": "index", "_index": self.side["retry"], "_id": mid, "_source": {
                "id": mid, "monitor": mention.monitor, "source": mention.source, "reason": reason, "attempts": attempts,
                "first_failed": first, "last_failed": now, "mention": payload,
            }})
        if not actions:
            return
        self._call("keep failed mentions", lambda: list(helpers.streaming_bulk(
            self.client, actions, raise_on_error=False, max_retries=self.retries,
            initial_backoff=self.initial_backoff_s, max_backoff=self.max_backoff_s)))
        self._refresh(self.side["retry"])

    def kept_failures(self) -> list[dict[str, Any]]:
        """What the retry index holds: id, monitor, source, attempts, reason, first/last failure."""
        hits = self._scan(self.side["retry"], {"match_all": {}}, [{"first_failed": "asc"}, {"id": "asc"}],
                          what="read kept failures")
        return [{k: hit["_source"].get(k) for k in ("id", "monitor", "source", "attempts", "reason", "first_failed",
                                                     "last_failed")} for hit in hits]

    # -- reading

    def get(self, mention_id: str) -> StoredMention | None:
        response = self._call("get", self.client.options(ignore_status=404).get, index=self.alias, id=mention_id)
        return self._stored(response["_source"]) if response.get("found") else None

    def _filters(self, query: MentionQuery) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        for field, value in (("monitor", query.monitor), ("employer", query.employer),
                             ("sentiment_label", query.sentiment), ("source_kind", query.source_kind),
                             ("alert.status", query.alert_status), ("sources", query.source)):
            if value is not None:
                filters.append({"term": {field: value}})
        window: dict[str, str] = {}
        if query.since is not None:
            window["gte"] = format_time(query.since)
        if query.until is not None:
            window["lt"] = format_time(query.until)
        if window:
            filters.append({"range": {"@timestamp": window}})
        return filters

    def text_query(self, text: str) -> dict[str, Any] | None:
        """The search syntax of :func:`~hirewatch.stores.codec.parse_text_query` as a
        ``simple_query_string`` over title and text and their language sub-fields."""
        parts = []
        for term in parse_text_query(text):
            if term.kind == "or":
                parts.append("|")
            elif term.kind == "phrase":
                parts.append('"' + " ".join(term.words) + '"')
            else:
                parts.append(term.words[0] + ("*" if term.prefix else ""))
        if not parts:
            return None
        fields = [*TEXT_FIELDS, *(f"{name}.{lang}" for name in TEXT_FIELDS for lang in self.languages
                                  if lang in LANGUAGES)]
        return {"simple_query_string": {"query": " ".join(parts), "fields": fields, "default_operator": "and",
                                        "flags": "AND|OR|PHRASE|PREFIX|WHITESPACE"}}

    def search(self, query: MentionQuery) -> list[StoredMention]:
        must = [q for q in [self.text_query(query.text)] if q] if query.text else []
        body_query = {"bool": {"filter": self._filters(query), "must": must}}
        size = max(0, min(query.limit, MAX_RESULT_WINDOW))
        response = self._call("search", self.client.search, index=self.alias, query=body_query, size=size,
                              sort=[{"@timestamp": {"order": "desc"}}, {"id": "asc"}])
        return [self._stored(hit["_source"]) for hit in response["hits"]["hits"]]

    def _scan(self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], page_size: int = 1000,
              what: str = "scan") -> Iterator[dict[str, Any]]:
        """Every hit of ``query`` in ``sort`` order, page by page with ``search_after``."""
        after: list[Any] | None = None
        while True:
            extra = {"search_after": after} if after is not None else {}
            response = self._call(what, self.client.search, index=index, query=query, sort=sort, size=page_size,
                                  **extra)
            hits = response["hits"]["hits"]
            yield from hits
            if len(hits) < page_size:
                return
            after = hits[-1]["sort"]

    def iter_mentions(self, monitors: Iterable[str] | None, start: datetime, end: datetime,
                      page_size: int = 1000) -> Iterator[Mention]:
        wanted = list(monitors) if monitors is not None else None
        if wanted is not None and not wanted:
            return
        filters: list[dict[str, Any]] = [{"range": {"fetched": {"gte": format_time(start), "lt": format_time(end)}}}]
        if wanted is not None:
            filters.append({"terms": {"monitor": wanted}})
        for hit in self._scan(self.alias, {"bool": {"filter": filters}}, [{"fetched": "asc"}, {"id": "asc"}],
                              page_size, "iter_mentions"):
            yield self._stored(hit["_source"]).mention

    def count(self, monitor: str | None = None) -> int:
        query = {"term": {"monitor": monitor}} if monitor is not None else {"match_all": {}}
        return int(self._call("count", self.client.count, index=self.alias, query=query)["count"])

    # -- crawl state

    def get_crawl_state(self, monitor: str, source: str) -> CrawlState | None:
        response = self._call("get_crawl_state", self.client.options(ignore_status=404).get,
                              index=self.side["crawl_state"], id=_sha(monitor, source))
        if not response.get("found"):
            return None
        src = response["_source"]
        return CrawlState(etag=src.get("etag"), last_modified=src.get("last_modified"),
                          seen_ids=tuple(src.get("seen_ids") or ()), extra=dict(src.get("extra") or {}))

    def put_crawl_state(self, monitor: str, source: str, state: CrawlState) -> None:
        doc = {"monitor": monitor, "source": source, "etag": state.etag, "last_modified": state.last_modified,
               "seen_ids": list(state.seen_ids), "extra": dict(state.extra), "updated_at": format_time(utcnow())}
        try:
            json.dumps(doc, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"crawl state of source {source!r} of monitor {monitor!r} is not JSON: {exc}") from exc
        # Read back by get (real-time), so no refresh.
        self._call("put_crawl_state", self.client.index, index=self.side["crawl_state"], id=_sha(monitor, source),
                   document=doc)

    # -- delivery runs (one document per monitor in <prefix>_deliveries; compare-and-set writes)

    def _delivery_doc(self, monitor: str) -> dict[str, Any]:
        return self._call("read the delivery record", self.client.options(ignore_status=404).get,
                          index=self.side["deliveries"], id=_sha(monitor)).body

    def _put_delivery_doc(self, monitor: str, doc: dict[str, Any], found: dict[str, Any]) -> bool:
        """Write ``doc`` only if the record is still ``found`` (as read); False when another
        process changed it first."""
        guard: dict[str, Any] = ({"if_seq_no": found["_seq_no"], "if_primary_term": found["_primary_term"]}
                                 if found.get("found") else {"op_type": "create"})
        try:
            self._call("write the delivery record", self.client.index, index=self.side["deliveries"],
                       id=_sha(monitor), document=doc, refresh=True, passthrough=(409,), **guard)
        except ConflictError:
            return False
        return True

    def acquire_delivery(self, monitor: str, owner: str, ttl_s: float, *, replace: str | None = None) -> Lease:
        for _round in range(_MERGE_ROUNDS):
            found = self._delivery_doc(monitor)
            src = found.get("_source") or {}
            now = utcnow()
            until = parse_time(src.get("lease_until"))
            held = bool(src.get("owner")) and until is not None and until > now
            if held and src["owner"] not in (owner, replace):
                return Lease(monitor, str(src["owner"]), parse_time(src.get("leased_at")) or now, until or now)
            since = (parse_time(src.get("leased_at")) if held and src["owner"] == owner else None) or now
            lease = Lease(monitor, owner, since, now + timedelta(seconds=ttl_s))
            doc = {**src, "monitor": monitor, "owner": owner, "leased_at": format_time(lease.since),
                   "lease_until": format_time(lease.until)}
            if self._put_delivery_doc(monitor, doc, found):
                return lease
        raise StoreError(f"{self.where}: the delivery lease of {monitor!r} kept changing under concurrent writers")

    def release_delivery(self, monitor: str, owner: str) -> None:
        for _round in range(_MERGE_ROUNDS):
            found = self._delivery_doc(monitor)
            src = found.get("_source") or {}
            if src.get("owner") != owner:
                return
            if self._put_delivery_doc(monitor, {**src, "owner": None, "leased_at": None, "lease_until": None}, found):
                return

    def get_delivery_state(self, monitor: str) -> DeliveryState | None:
        found = self._delivery_doc(monitor)
        src = found.get("_source") or {}
        if not src.get("started"):
            return None
        try:
            return DeliveryState(started=parse_time(src["started"]), finished=parse_time(src.get("finished")),
                                 unreconciled_since=parse_time(src.get("unreconciled_since")),
                                 look_failures=int(src.get("look_failures") or 0))
        except (TypeError, ValueError):
            return DeliveryState(unreadable=True)

    def put_delivery_state(self, monitor: str, state: DeliveryState, *, owner: str) -> None:
        for _round in range(_MERGE_ROUNDS):
            found = self._delivery_doc(monitor)
            src = found.get("_source") or {}
            if src.get("owner") != owner:
                raise StoreError(f"put_delivery_state: the delivery lease of monitor {monitor!r} is no longer held "
                                 f"by {owner} in {self.side['deliveries']}")
            doc = {**src, "started": format_time_opt(state.started), "finished": format_time_opt(state.finished),
                   "unreconciled_since": format_time_opt(state.unreconciled_since),
                   "look_failures": state.look_failures}
            if self._put_delivery_doc(monitor, doc, found):
                return
        raise StoreError(f"{self.where}: the delivery record of {monitor!r} kept changing under concurrent writers")

    # -- outbox and triage

    def pending_alerts(self, monitor: str, limit: int | None = None) -> list[Mention]:
        query = {"bool": {"filter": [{"term": {"monitor": monitor}}, {"term": {"alert.status": "pending"}}]}}
        out: list[Mention] = []
        if limit is not None and limit <= 0:
            return out
        page = min(limit, 1000) if limit is not None else 1000
        for hit in self._scan(self.alias, query, [{"fetched": "asc"}, {"id": "asc"}], page, "pending_alerts"):
            out.append(self._stored(hit["_source"]).mention)
            if limit is not None and len(out) >= limit:
                break
        return out

    def _partial(self, what: str, mention_id: str, alert: dict[str, Any], *, refresh: bool,
                 seq: tuple[int, int] | None = None) -> None:
        """Partial update of the alert object (other alert fields and the content stay)."""

        guard = {"if_seq_no": seq[0], "if_primary_term": seq[1]} if seq else {}
        try:
            self._call(what, self.client.update, index=self.alias, id=mention_id, doc={"alert": alert},
                       refresh=refresh, passthrough=(404, 409), **guard)
        except NotFoundError:
            raise StoreError(f"{what}: no mention with id {mention_id!r} in {self.alias}") from None

    def mark_alert_sent(self, mention_id: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
        # refresh: a later mention of the same story looks this one up (find_alerted) right away
        self._partial("mark_alert_sent", mention_id, {
            "status": "threaded" if thread_ts else "sent", "channel": channel, "ts": ts, "thread_ts": thread_ts,
            "sent_at": format_time(utcnow()), "last_error": None}, refresh=True)

    def mark_alert_suppressed(self, mention_ids: Iterable[str], reason: str) -> None:
        reason = mask(reason)
        ids = list(dict.fromkeys(mention_ids))
        if not ids:
            return
        found = self._existing(ids)
        missing = [mid for mid in ids if mid not in found]
        if missing:
            raise StoreError(f"mark_alert_suppressed: no mention with id {', '.join(map(repr, missing))} "
                             f"in {self.alias}")
        actions = [{"_op_type": "update", "_index": self.alias, "_id": mid,
                    "doc": {"alert": {"status": "suppressed", "last_error": reason}}} for mid in ids]
        failures = [(item.get("update", {}).get("_id"), _error_reason(item.get("update", {}).get("error")))
                    for ok, item in self._bulk(actions) if not ok]
        self._refresh(self.alias)  # the alerter's next outbox read must not see them pending
        if failures:
            raise StoreError(f"mark_alert_suppressed: {len(failures)} not updated: {failures[:3]}")

    def record_alert_failure(self, mention_id: str, error: str) -> None:
        error = mask(error)
        for _attempt in range(_MERGE_ROUNDS):
            doc = self._call("record_alert_failure", self.client.options(ignore_status=404).get, index=self.alias,
                             id=mention_id, source_includes=["alert"])
            if not doc.get("found"):
                raise StoreError(f"record_alert_failure: no mention with id {mention_id!r} in {self.alias}")
            attempts = int((doc["_source"].get("alert") or {}).get("attempts") or 0) + 1
            try:
                self._partial("record_alert_failure", mention_id, {"attempts": attempts, "last_error": error},
                              refresh=False, seq=(doc["_seq_no"], doc["_primary_term"]))
                return
            except ConflictError:
                continue  # another process changed it between our read and write: count again
        raise StoreError(f"record_alert_failure: mention {mention_id!r} kept changing under concurrent writers")

    def set_triage(self, mention_id: str, status: TriageStatus, by: str | None) -> None:
        self._partial("set_triage", mention_id, {"triage": status, "triage_by": by,
                                                 "triage_at": format_time(utcnow())}, refresh=False)

    def find_alerted(self, monitor: str, *, url: str | None = None,
                     fingerprint: str | None = None) -> StoredMention | None:
        keys = []
        if url:
            keys.append({"term": {"url": url}})
        if fingerprint:
            keys.append({"term": {"fingerprint": fingerprint}})
        if not keys:
            return None
        query = {"bool": {"filter": [{"term": {"monitor": monitor}}, {"terms": {"alert.status": list(DELIVERED)}}],
                          "should": keys, "minimum_should_match": 1}}
        # "sent" sorts before "threaded": the thread's root first, then the earliest delivery
        response = self._call("find_alerted", self.client.search, index=self.alias, query=query, size=1,
                              sort=[{"alert.status": "asc"}, {"alert.sent_at": "asc"}, {"id": "asc"}])
        hits = response["hits"]["hits"]
        return self._stored(hits[0]["_source"]) if hits else None

    # -- runs, ratings (once per run: refreshed so the digest and the tests read them at once)

    def record_run(self, report: RunReport) -> None:
        data = report.to_dict()
        try:
            json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"run report of monitor {report.monitor!r} is not JSON: {exc}") from exc
        doc = {"monitor": report.monitor, "started": format_time(report.started),
               "finished": format_time_opt(report.finished), "report": data}
        self._call("record_run", self.client.index, index=self.side["runs"],
                   id=_sha(report.monitor, format_time(report.started)), document=doc, refresh=True)

    def recent_runs(self, monitor: str, since: datetime) -> list[RunReport]:
        query = {"bool": {"filter": [{"term": {"monitor": monitor}},
                                     {"range": {"started": {"gte": format_time(since)}}}]}}
        out = []
        for hit in self._scan(self.side["runs"], query, [{"started": "asc"}], what="recent_runs"):
            try:
                out.append(run_report_from_dict(hit["_source"]["report"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise StoreError(f"{self.where}: a stored run report of {monitor!r} is malformed: {exc}") from exc
        return out

    def record_rating(self, point: RatingPoint) -> None:
        doc = {"monitor": point.monitor, "site": point.site, "at": format_time(point.at),
               "rating": float(point.rating), "count": point.count}
        self._call("record_rating", self.client.index, index=self.side["ratings"],
                   id=_sha(point.monitor, point.site, format_time(point.at)), document=doc, refresh=True)

    def ratings(self, monitor: str, since: datetime) -> list[RatingPoint]:
        query = {"bool": {"filter": [{"term": {"monitor": monitor}}, {"range": {"at": {"gte": format_time(since)}}}]}}
        out = []
        for hit in self._scan(self.side["ratings"], query, [{"at": "asc"}, {"site": "asc"}], what="ratings"):
            src = hit["_source"]
            at = parse_time(src["at"])
            assert at is not None
            out.append(RatingPoint(monitor=src["monitor"], site=src["site"], at=at, rating=float(src["rating"]),
                                   count=src.get("count")))
        return out
