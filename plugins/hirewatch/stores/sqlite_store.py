"""The embedded default store: one SQLite file (WAL, FTS5 full-text search, versioned schema).

Opened by :func:`hirewatch.stores.registry.open_store` for ``store: sqlite``; used by the pipeline,
the alerter, the digest and the CLI through the :class:`~hirewatch.stores.base.MentionStore`
contract. Several processes may write at once (Airflow's mapped tasks): every write is one short
``BEGIN IMMEDIATE`` transaction, retried with a bounded back-off while another writer holds the
lock, then :class:`~hirewatch.errors.StoreError`; a monitor's delivery lease (a ``deliveries`` row)
is taken or renewed in one such transaction. Every failure to read or write is a ``StoreError``
that names the file. Opening a file of an older schema migrates it (:data:`MIGRATIONS`).
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hirewatch.errors import StoreError
from hirewatch.mention import Mention, monitor_mention_id, utcnow
from hirewatch.records import CrawlState, RatingPoint
from hirewatch.redact import mask
from hirewatch.report import RunReport
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
    sort_time,
    upsert_result,
)

T = TypeVar("T")

#: Ordered schema migrations: step ``i`` takes ``PRAGMA user_version`` from ``i`` to ``i + 1``.
#: Append new steps; never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE mentions (
            id TEXT PRIMARY KEY,
            monitor TEXT NOT NULL,
            employer TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            fetched TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            published TEXT,
            sort_at TEXT NOT NULL,
            is_competitor INTEGER NOT NULL DEFAULT 0,
            sources TEXT NOT NULL DEFAULT '[]',
            author TEXT,
            matched_terms TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            sentiment_score REAL,
            sentiment_label TEXT,
            scorer TEXT,
            topics TEXT NOT NULL DEFAULT '[]',
            topic_sentiment TEXT NOT NULL DEFAULT '{}',
            severity REAL,
            fingerprint TEXT,
            extra TEXT NOT NULL DEFAULT '{}',
            alert_status TEXT NOT NULL DEFAULT 'none',
            alert_channel TEXT,
            alert_ts TEXT,
            alert_thread_ts TEXT,
            alert_sent_at TEXT,
            alert_attempts INTEGER NOT NULL DEFAULT 0,
            alert_last_error TEXT,
            triage TEXT NOT NULL DEFAULT 'open',
            triage_by TEXT,
            triage_at TEXT
        )""",
        "CREATE INDEX mentions_monitor_sort ON mentions (monitor, sort_at)",
        "CREATE INDEX mentions_fetched ON mentions (fetched, id)",
        "CREATE INDEX mentions_outbox ON mentions (monitor, alert_status, fetched)",
        "CREATE INDEX mentions_url ON mentions (monitor, url)",
        "CREATE INDEX mentions_fingerprint ON mentions (monitor, fingerprint)",
        # External-content FTS5 index over title and text, kept in sync by the triggers below.
        # remove_diacritics 2: "sollicitatie" finds "sollicitatié", "Goteborg" finds "Göteborg".
        """CREATE VIRTUAL TABLE mentions_fts USING fts5(
            title, text, content='mentions', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
            INSERT INTO mentions_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END""",
        """CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
            INSERT INTO mentions_fts (mentions_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END""",
        """CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text ON mentions BEGIN
            INSERT INTO mentions_fts (mentions_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO mentions_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END""",
        """CREATE TABLE crawl_state (
            monitor TEXT NOT NULL,
            source TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            seen_ids TEXT NOT NULL DEFAULT '[]',
            extra TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (monitor, source)
        )""",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            monitor TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            report TEXT NOT NULL
        )""",
        "CREATE INDEX runs_monitor_started ON runs (monitor, started)",
        """CREATE TABLE ratings (
            monitor TEXT NOT NULL,
            site TEXT NOT NULL,
            at TEXT NOT NULL,
            rating REAL NOT NULL,
            count INTEGER,
            PRIMARY KEY (monitor, site, at)
        )""",
    ),
    # 2: the digest reads one monitor's day window (iter_mentions); without this index SQLite sorted
    # every row of the monitor per page.
    ("CREATE INDEX mentions_monitor_fetched ON mentions (monitor, fetched, id)",),
    # 3: alert state per monitor. The mention id names the monitor (mention.monitor_mention_id of
    # the old id); a story Slack already has (sent or threaded) is claimed for every other monitor
    # the store knows, so no monitor alerts it again when it next sees it; the delivery record
    # leaves the crawl state for its own table, with the delivery lease.
    (
        """CREATE TABLE deliveries (
            monitor TEXT PRIMARY KEY,
            started TEXT,
            finished TEXT,
            unreconciled_since TEXT,
            look_failures INTEGER NOT NULL DEFAULT 0,
            owner TEXT,
            leased_at TEXT,
            lease_until TEXT
        )""",
        """INSERT INTO deliveries (monitor, started, finished, unreconciled_since, look_failures)
            SELECT monitor, json_extract(extra, '$.delivery_started'), json_extract(extra, '$.delivery_finished'),
                   json_extract(extra, '$.unreconciled_since'),
                   coalesce(CAST(json_extract(extra, '$.look_failures') AS INTEGER), 0)
            FROM crawl_state WHERE source = 'hirewatch:delivery' AND json_valid(extra)""",
        "DELETE FROM crawl_state WHERE source = 'hirewatch:delivery'",
        """CREATE TABLE alert_claims (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            channel TEXT,
            ts TEXT,
            thread_ts TEXT,
            sent_at TEXT
        )""",
        """INSERT OR IGNORE INTO alert_claims (id, status, channel, ts, thread_ts, sent_at)
            SELECT hirewatch_monitor_id(known.monitor, m.id), m.alert_status, m.alert_channel, m.alert_ts,
                   m.alert_thread_ts, m.alert_sent_at
            FROM mentions m JOIN (SELECT monitor FROM mentions UNION SELECT monitor FROM crawl_state
                                  UNION SELECT monitor FROM runs) known ON known.monitor != m.monitor
            WHERE m.alert_status IN ('sent', 'threaded')""",
        "UPDATE mentions SET id = hirewatch_monitor_id(monitor, id)",
    ),
    # 4: the full-text index again, with its options double-quoted: tools that read the schema
    # (Datasette, ``hirewatch serve``) find an external-content index only by ``content="mentions"``.
    # Porter stemming on top, as the Elasticsearch store's English sub-fields do: "interview" finds
    # "interviews". The triggers of step 1 keep working: they name the index, rebuilt from the table.
    (
        "DROP TABLE mentions_fts",
        """CREATE VIRTUAL TABLE mentions_fts USING fts5(
            title, text, content="mentions", content_rowid="rowid",
            tokenize='porter unicode61 remove_diacritics 2'
        )""",
        "INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild')",
    ),
    # 5: the columns people filter and count by (``hirewatch serve``'s facets), in one covering
    # index: a count by sentiment or source reads this index, not every row past its long text;
    # and the order of every listing (newest first) from an index instead of a sort.
    (
        """CREATE INDEX mentions_facets ON mentions (sentiment_label, employer, language, source_kind, source,
            alert_status, triage, is_competitor, topics, sort_at)""",
        "CREATE INDEX mentions_sort_at ON mentions (sort_at)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)

# Columns written from a Mention; on re-upsert all but ``fetched``, ``source`` and ``source_kind`` (first
# seen) are overwritten.
_CONTENT_COLUMNS = (
    "monitor", "employer", "url", "title", "text", "source", "source_kind", "last_seen", "published",
    "sort_at", "is_competitor", "sources", "author", "matched_terms", "language", "sentiment_score",
    "sentiment_label", "scorer", "topics", "topic_sentiment", "severity", "fingerprint", "extra",
)
_INSERT_SQL = (
    "INSERT INTO mentions (id, fetched, alert_status, " + ", ".join(_CONTENT_COLUMNS) + ") VALUES ("
    + ", ".join(f":{c}" for c in ("id", "fetched", "alert_status", *_CONTENT_COLUMNS)) + ")"
)
# A later copy leaves ``source``/``source_kind`` as they are: the source that first saw the mention
# (the one whose run recorded it as new) is the one the alert and the search name.
_UPDATE_SQL = (
    "UPDATE mentions SET " + ", ".join(f"{c} = :{c}" for c in _CONTENT_COLUMNS if c not in ("source", "source_kind"))
    + " WHERE id = :id"
)

BATCH_SIZE = 500  # mentions per write transaction: big enough for executemany, short enough to share the lock
_SQLITE_MAX_VARS = 900  # stays under SQLITE_MAX_VARIABLE_NUMBER of old builds (999)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _is_locked(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class SqliteStore:
    """The :class:`~hirewatch.stores.base.MentionStore` on one SQLite file.

    ``busy_timeout_ms`` is how long SQLite itself waits for another writer; on top of that each
    write is retried ``lock_retries`` times with jittered exponential back-off (at most
    ``max_backoff_s`` per wait) before a :class:`StoreError` says the file stayed locked.
    Raises :class:`StoreError` when the file cannot be opened, is not a hirewatch store, or was
    written by a newer schema than this code knows.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000, lock_retries: int = 6,
                 max_backoff_s: float = 2.0, read_only: bool = False) -> None:
        self.path = Path(path)
        self.lock_retries = lock_retries
        self.max_backoff_s = max_backoff_s
        self.read_only = read_only
        self._lock = threading.RLock()
        if read_only:
            self._conn = self._open_read_only(busy_timeout_ms)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
            self._conn = sqlite3.connect(str(self.path), timeout=busy_timeout_ms / 1000,
                                         isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the SQLite store {self.path}: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            self._retry("set up", self._configure, busy_timeout_ms)
            self._retry("migrate", self._migrate)
        except BaseException:
            self._conn.close()
            raise

    def _open_read_only(self, busy_timeout_ms: int) -> sqlite3.Connection:
        """For the read commands (``search``): open without writing anything, so a store on a
        read-only file system (a mounted backup, a read-only volume) can be searched. SQLite
        first tries ``mode=ro``; where it cannot even create the WAL index beside the file, the
        file is opened ``immutable`` (nothing can write it there either)."""
        if not self.path.is_file():
            raise StoreError(f"there is no SQLite store at {self.path} yet (a `hirewatch run` makes it)")
        last: sqlite3.Error | None = None
        for options in ("mode=ro", "mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?{options}", uri=True,
                                       timeout=busy_timeout_ms / 1000, isolation_level=None,
                                       check_same_thread=False)
            except sqlite3.Error as exc:
                last = exc
                continue
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.Error as exc:
                conn.close()
                last = exc
                continue
            if version != SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"SQLite store {self.path} has schema version {version}, this hirewatch reads "
                                 f"{SCHEMA_VERSION}: open it once where it can be written (any `hirewatch run`)")
            conn.row_factory = sqlite3.Row
            return conn
        raise StoreError(f"cannot open the SQLite store {self.path} to read: {last}")

    # -- connection plumbing

    def _configure(self, busy_timeout_ms: int) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"SQLite store {self.path}: could not switch to WAL journal mode (got {mode})")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        # used by migration 3 (the mention id that names the monitor)
        self._conn.create_function("hirewatch_monitor_id", 2, monitor_mention_id, deterministic=True)

    def _migrate(self) -> None:
        if self._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # the common case: no write lock needed to open the store
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"SQLite store {self.path} has schema version {version}, newer than this hirewatch "
                    f"knows ({SCHEMA_VERSION}); upgrade hirewatch or point HIREWATCH_SQLITE_PATH elsewhere"
                )
            if version == 0 and conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]:
                raise StoreError(f"{self.path} is an SQLite file but not a hirewatch store (no schema version)")
            for step in MIGRATIONS[version:]:
                for statement in step:
                    conn.execute(statement)
            if version != SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self._conn)

    def _retry(self, what: str, func: Callable[..., T], *args: Any) -> T:
        """Run ``func`` under the connection lock; retry while the file is locked by another
        process, then raise StoreError. Any other SQLite error is a StoreError at once."""
        delay = 0.02
        for attempt in range(self.lock_retries + 1):
            try:
                with self._lock:
                    return func(*args)
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc):
                    raise StoreError(f"SQLite store {self.path}: {what} failed: {exc}") from exc
                if attempt == self.lock_retries:
                    raise StoreError(
                        f"SQLite store {self.path} stayed locked by another writer; gave up {what} after "
                        f"{attempt + 1} attempts ({exc})"
                    ) from exc
                time.sleep(min(self.max_backoff_s, delay) * (0.5 + random.random()))
                delay *= 2
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite store {self.path}: {what} failed: {exc}") from exc
        raise AssertionError("unreachable")

    @property
    def schema_version(self) -> int:
        return int(self._retry("read the schema version",
                               lambda: self._conn.execute("PRAGMA user_version").fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- mentions

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        new: list[str] = []
        updated: list[str] = []
        failed: list[tuple[str, str]] = []
        batch: dict[str, Mention] = {}
        for mention in mentions:
            if mention.id in batch:  # the same story twice in one batch: one row, both sources
                previous = batch[mention.id]
                mention = mention.with_(sources=merge_sources(previous.sources, mention.sources),
                                        source=previous.source, source_kind=previous.source_kind)
            batch[mention.id] = mention
            if len(batch) >= BATCH_SIZE:
                self._upsert_batch(list(batch.values()), new, updated, failed)
                batch = {}
        if batch:
            self._upsert_batch(list(batch.values()), new, updated, failed)
        return upsert_result(new, updated, failed)

    def _upsert_batch(self, mentions: Sequence[Mention], new: list[str], updated: list[str],
                      failed: list[tuple[str, str]]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        now = format_time(utcnow())
        for mention in mentions:
            try:
                rows[mention.id] = self._row(mention, now)
            except (TypeError, ValueError) as exc:
                failed.append((mention.id, f"cannot store mention: {exc}"))

        def write() -> tuple[list[str], list[str]]:
            with self._write() as conn:
                existing = self._existing_sources(conn, list(rows))
                inserts, updates = [], []
                for mid, row in rows.items():
                    if mid in existing:
                        row = {**row, "sources": _dumps(list(merge_sources(existing[mid], json.loads(row["sources"]))))}
                        updates.append(row)
                    else:
                        inserts.append(row)
                conn.executemany(_INSERT_SQL, inserts)
                self._apply_claims(conn, [r["id"] for r in inserts if r["alert_status"] == "pending"])
                conn.executemany(_UPDATE_SQL, updates)
                return [r["id"] for r in inserts], [r["id"] for r in updates]

        if rows:
            batch_new, batch_updated = self._retry(f"upsert of {len(rows)} mentions", write)
            new.extend(batch_new)
            updated.extend(batch_updated)

    @staticmethod
    def _apply_claims(conn: sqlite3.Connection, ids: list[str]) -> None:
        """New pending mentions whose story Slack already had before the store's migration to
        per-monitor ids (``alert_claims``) take that alert state instead of being sent again."""
        for start in range(0, len(ids), _SQLITE_MAX_VARS):
            chunk = ids[start:start + _SQLITE_MAX_VARS]
            marks = ",".join("?" * len(chunk))
            conn.execute(
                "UPDATE mentions SET (alert_status, alert_channel, alert_ts, alert_thread_ts, alert_sent_at) ="
                " (SELECT status, channel, ts, thread_ts, sent_at FROM alert_claims c WHERE c.id = mentions.id)"
                f" WHERE id IN ({marks}) AND id IN (SELECT id FROM alert_claims)", chunk)

    @staticmethod
    def _existing_sources(conn: sqlite3.Connection, ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for start in range(0, len(ids), _SQLITE_MAX_VARS):
            chunk = ids[start:start + _SQLITE_MAX_VARS]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT id, sources FROM mentions WHERE id IN ({marks})", chunk):
                found[row["id"]] = json.loads(row["sources"])
        return found

    @staticmethod
    def _row(m: Mention, now: str) -> dict[str, Any]:
        return {
            "id": m.id, "monitor": m.monitor, "employer": m.employer, "url": m.url, "title": m.title,
            "text": m.text, "source": m.source, "source_kind": m.source_kind, "fetched": format_time(m.fetched),
            "last_seen": now, "published": format_time_opt(m.published), "sort_at": format_time(sort_time(m)),
            "is_competitor": int(m.is_competitor), "sources": _dumps(list(m.sources)), "author": m.author,
            "matched_terms": _dumps(list(m.matched_terms)), "language": m.language,
            "sentiment_score": m.sentiment_score, "sentiment_label": m.sentiment_label, "scorer": m.scorer,
            "topics": _dumps(list(m.topics)), "topic_sentiment": _dumps(m.topic_sentiment),
            "severity": m.severity, "fingerprint": m.fingerprint, "extra": _dumps(m.extra),
            "alert_status": initial_alert_status(m),
        }

    @staticmethod
    def _mention(row: sqlite3.Row) -> Mention:
        fetched = parse_time(row["fetched"])
        assert fetched is not None
        return Mention(
            id=row["id"], monitor=row["monitor"], employer=row["employer"], url=row["url"],
            title=row["title"], text=row["text"], source=row["source"], source_kind=row["source_kind"],
            fetched=fetched, is_competitor=bool(row["is_competitor"]),
            sources=tuple(json.loads(row["sources"])), author=row["author"],
            published=parse_time(row["published"]), matched_terms=tuple(json.loads(row["matched_terms"])),
            language=row["language"], sentiment_score=row["sentiment_score"],
            sentiment_label=row["sentiment_label"], scorer=row["scorer"], topics=tuple(json.loads(row["topics"])),
            topic_sentiment=json.loads(row["topic_sentiment"]), severity=row["severity"],
            fingerprint=row["fingerprint"], extra=json.loads(row["extra"]),
        )

    @staticmethod
    def _alert(row: sqlite3.Row) -> AlertState:
        return AlertState(
            status=row["alert_status"], channel=row["alert_channel"], ts=row["alert_ts"],
            thread_ts=row["alert_thread_ts"], sent_at=parse_time(row["alert_sent_at"]),
            attempts=row["alert_attempts"], last_error=row["alert_last_error"], triage=row["triage"],
            triage_by=row["triage_by"], triage_at=parse_time(row["triage_at"]),
        )

    def _stored(self, row: sqlite3.Row) -> StoredMention:
        return StoredMention(self._mention(row), self._alert(row))

    def _read(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._retry(what, lambda: self._conn.execute(sql, params).fetchall())

    def get(self, mention_id: str) -> StoredMention | None:
        rows = self._read("get", "SELECT * FROM mentions WHERE id = ?", (mention_id,))
        return self._stored(rows[0]) if rows else None

    def search(self, query: MentionQuery) -> list[StoredMention]:
        where, params = [], []
        if query.text and query.text.strip():
            fts = fts_query(query.text)
            if fts:
                where.append("rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)")
                params.append(fts)
        for column, value in (("monitor", query.monitor), ("employer", query.employer),
                              ("sentiment_label", query.sentiment), ("source_kind", query.source_kind),
                              ("alert_status", query.alert_status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if query.source is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(mentions.sources) WHERE value = ?)")
            params.append(query.source)
        if query.since is not None:
            where.append("sort_at >= ?")
            params.append(format_time(query.since))
        if query.until is not None:
            where.append("sort_at < ?")
            params.append(format_time(query.until))
        sql = "SELECT * FROM mentions" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY sort_at DESC, id LIMIT ?"
        params.append(max(0, query.limit))
        return [self._stored(row) for row in self._read("search", sql, params)]

    def iter_mentions(self, monitors: Iterable[str] | None, start: datetime, end: datetime,
                      page_size: int = 1000) -> Iterator[Mention]:
        # Keyset pagination: no read transaction stays open while the caller works on a page.
        wanted = list(monitors) if monitors is not None else None
        if wanted is not None and not wanted:
            return
        monitor_sql = f" AND monitor IN ({','.join('?' * len(wanted))})" if wanted is not None else ""
        cursor = (format_time(start), "")
        end_s = format_time(end)
        while True:
            rows = self._read(
                "iter_mentions",
                "SELECT * FROM mentions WHERE (fetched, id) > (?, ?) AND fetched < ?" + monitor_sql
                + " ORDER BY fetched, id LIMIT ?",
                [*cursor, end_s, *(wanted or []), page_size],
            )
            for row in rows:
                yield self._mention(row)
            if len(rows) < page_size:
                return
            cursor = (rows[-1]["fetched"], rows[-1]["id"])

    def count(self, monitor: str | None = None) -> int:
        if monitor is None:
            rows = self._read("count", "SELECT count(*) FROM mentions")
        else:
            rows = self._read("count", "SELECT count(*) FROM mentions WHERE monitor = ?", (monitor,))
        return int(rows[0][0])

    # -- crawl state

    def get_crawl_state(self, monitor: str, source: str) -> CrawlState | None:
        rows = self._read("get_crawl_state", "SELECT * FROM crawl_state WHERE monitor = ? AND source = ?",
                          (monitor, source))
        return _crawl_state(rows[0]) if rows else None

    def put_crawl_state(self, monitor: str, source: str, state: CrawlState) -> None:
        try:
            params = (monitor, source, state.etag, state.last_modified, _dumps(list(state.seen_ids)),
                      _dumps(state.extra), format_time(utcnow()))
        except (TypeError, ValueError) as exc:
            raise StoreError(f"crawl state of source {source!r} of monitor {monitor!r} is not JSON: {exc}") from exc

        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO crawl_state (monitor, source, etag, last_modified, seen_ids, extra, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (monitor, source) DO UPDATE SET"
                    " etag = excluded.etag, last_modified = excluded.last_modified, seen_ids = excluded.seen_ids,"
                    " extra = excluded.extra, updated_at = excluded.updated_at",
                    params,
                )

        self._retry("put_crawl_state", write)

    # -- delivery runs

    def acquire_delivery(self, monitor: str, owner: str, ttl_s: float, *, replace: str | None = None) -> Lease:
        def write() -> Lease:
            now = utcnow()
            with self._write() as conn:
                row = conn.execute("SELECT owner, leased_at, lease_until FROM deliveries WHERE monitor = ?",
                                   (monitor,)).fetchone()
                held = row is not None and row["owner"] and (parse_time(row["lease_until"]) or now) > now
                if held and row["owner"] not in (owner, replace):
                    return Lease(monitor, row["owner"], parse_time(row["leased_at"]) or now,
                                 parse_time(row["lease_until"]) or now)
                since = parse_time(row["leased_at"]) if held and row["owner"] == owner else now
                lease = Lease(monitor, owner, since or now, now + timedelta(seconds=ttl_s))
                conn.execute(
                    "INSERT INTO deliveries (monitor, owner, leased_at, lease_until) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (monitor) DO UPDATE SET owner = excluded.owner, leased_at = excluded.leased_at,"
                    " lease_until = excluded.lease_until",
                    (monitor, owner, format_time(lease.since), format_time(lease.until)))
                return lease

        return self._retry("acquire_delivery", write)

    def release_delivery(self, monitor: str, owner: str) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute("UPDATE deliveries SET owner = NULL, leased_at = NULL, lease_until = NULL"
                             " WHERE monitor = ? AND owner = ?", (monitor, owner))

        self._retry("release_delivery", write)

    def get_delivery_state(self, monitor: str) -> DeliveryState | None:
        rows = self._read("get_delivery_state", "SELECT * FROM deliveries WHERE monitor = ?", (monitor,))
        if not rows or rows[0]["started"] is None:
            return None
        row = rows[0]
        try:
            return DeliveryState(started=parse_time(row["started"]), finished=parse_time(row["finished"]),
                                 unreconciled_since=parse_time(row["unreconciled_since"]),
                                 look_failures=int(row["look_failures"] or 0))
        except (TypeError, ValueError):
            return DeliveryState(unreadable=True)

    def put_delivery_state(self, monitor: str, state: DeliveryState, *, owner: str) -> None:
        def write() -> None:
            with self._write() as conn:
                changed = conn.execute(
                    "UPDATE deliveries SET started = ?, finished = ?, unreconciled_since = ?, look_failures = ?"
                    " WHERE monitor = ? AND owner = ?",
                    (format_time_opt(state.started), format_time_opt(state.finished),
                     format_time_opt(state.unreconciled_since), state.look_failures, monitor, owner)).rowcount
                if not changed:
                    raise _LeaseLost(monitor)

        try:
            self._retry("put_delivery_state", write)
        except _LeaseLost:
            raise StoreError(f"put_delivery_state: the delivery lease of monitor {monitor!r} is no longer held by "
                             f"{owner} in {self.path}") from None

    # -- outbox and triage

    def pending_alerts(self, monitor: str, limit: int | None = None) -> list[Mention]:
        sql = "SELECT * FROM mentions WHERE monitor = ? AND alert_status = 'pending' ORDER BY fetched, id"
        params: list[Any] = [monitor]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, limit))
        return [self._mention(row) for row in self._read("pending_alerts", sql, params)]

    def _update(self, what: str, ids: Sequence[str], sql: str, params: Sequence[Any]) -> None:
        """Run ``sql`` (which ends in ``WHERE id = ?``) for each id; StoreError if an id is unknown."""

        def write() -> None:
            with self._write() as conn:
                missing = [mid for mid in ids if conn.execute(sql, (*params, mid)).rowcount == 0]
                if missing:
                    raise _UnknownIds(missing)  # rolls the whole call back

        try:
            self._retry(what, write)
        except _UnknownIds as exc:
            raise StoreError(f"{what}: no mention with id {', '.join(map(repr, exc.ids))} in {self.path}") from None

    def mark_alert_sent(self, mention_id: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
        status = "threaded" if thread_ts else "sent"
        self._update("mark_alert_sent", [mention_id],
                     "UPDATE mentions SET alert_status = ?, alert_channel = ?, alert_ts = ?, alert_thread_ts = ?,"
                     " alert_sent_at = ?, alert_last_error = NULL WHERE id = ?",
                     (status, channel, ts, thread_ts, format_time(utcnow())))

    def mark_alert_suppressed(self, mention_ids: Iterable[str], reason: str) -> None:
        reason = mask(reason)
        ids = list(dict.fromkeys(mention_ids))
        if ids:
            # The reason goes to last_error: "why this mention was not sent".
            self._update("mark_alert_suppressed", ids,
                         "UPDATE mentions SET alert_status = 'suppressed', alert_last_error = ? WHERE id = ?",
                         (reason,))

    def record_alert_failure(self, mention_id: str, error: str) -> None:
        error = mask(error)
        self._update("record_alert_failure", [mention_id],
                     "UPDATE mentions SET alert_attempts = alert_attempts + 1, alert_last_error = ? WHERE id = ?",
                     (error,))

    def set_triage(self, mention_id: str, status: TriageStatus, by: str | None) -> None:
        self._update("set_triage", [mention_id],
                     "UPDATE mentions SET triage = ?, triage_by = ?, triage_at = ? WHERE id = ?",
                     (status, by, format_time(utcnow())))

    def find_alerted(self, monitor: str, *, url: str | None = None,
                     fingerprint: str | None = None) -> StoredMention | None:
        keys, params = [], [monitor, *DELIVERED]
        if url:
            keys.append("url = ?")
            params.append(url)
        if fingerprint:
            keys.append("fingerprint = ?")
            params.append(fingerprint)
        if not keys:
            return None
        # The thread's root first (sent before threaded), then the earliest delivery.
        rows = self._read(
            "find_alerted",
            "SELECT * FROM mentions WHERE monitor = ? AND alert_status IN (?, ?) AND (" + " OR ".join(keys) + ")"
            " ORDER BY alert_status = 'threaded', alert_sent_at, id LIMIT 1",
            params,
        )
        return self._stored(rows[0]) if rows else None

    # -- runs, ratings

    def record_run(self, report: RunReport) -> None:
        data = report.to_dict()
        try:
            blob = _dumps(data)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"run report of monitor {report.monitor!r} is not JSON: {exc}") from exc

        def write() -> None:
            with self._write() as conn:
                conn.execute("INSERT INTO runs (monitor, started, finished, report) VALUES (?, ?, ?, ?)",
                             (report.monitor, format_time(report.started), format_time_opt(report.finished), blob))

        self._retry("record_run", write)

    def recent_runs(self, monitor: str, since: datetime) -> list[RunReport]:
        rows = self._read("recent_runs",
                          "SELECT report FROM runs WHERE monitor = ? AND started >= ? ORDER BY started, id",
                          (monitor, format_time(since)))
        try:
            return [run_report_from_dict(json.loads(row["report"])) for row in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"SQLite store {self.path}: a stored run report of {monitor!r} "
                             f"is malformed: {exc}") from exc

    def record_rating(self, point: RatingPoint) -> None:
        def write() -> None:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO ratings (monitor, site, at, rating, count) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (monitor, site, at) DO UPDATE SET rating = excluded.rating, count = excluded.count",
                    (point.monitor, point.site, format_time(point.at), float(point.rating), point.count),
                )

        self._retry("record_rating", write)

    def ratings(self, monitor: str, since: datetime) -> list[RatingPoint]:
        rows = self._read("ratings", "SELECT * FROM ratings WHERE monitor = ? AND at >= ? ORDER BY at, site",
                          (monitor, format_time(since)))
        return [_rating(row) for row in rows]

    # -- export (``hirewatch es sync``); not part of the MentionStore contract

    def iter_stored(self, page_size: int = 1000) -> Iterator[StoredMention]:
        """Every mention with its alert state, in insertion order, page by page."""
        last = 0
        while True:
            rows = self._read("export mentions", "SELECT rowid, * FROM mentions WHERE rowid > ? ORDER BY rowid LIMIT ?",
                              (last, page_size))
            for row in rows:
                yield self._stored(row)
            if len(rows) < page_size:
                return
            last = rows[-1]["rowid"]

    def iter_crawl_states(self) -> Iterator[tuple[str, str, CrawlState]]:
        for row in self._read("export crawl state", "SELECT * FROM crawl_state ORDER BY monitor, source"):
            yield row["monitor"], row["source"], _crawl_state(row)

    def iter_runs(self) -> Iterator[RunReport]:
        for row in self._read("export runs", "SELECT report FROM runs ORDER BY id"):
            yield run_report_from_dict(json.loads(row["report"]))

    def iter_ratings(self) -> Iterator[RatingPoint]:
        for row in self._read("export ratings", "SELECT * FROM ratings ORDER BY monitor, site, at"):
            yield _rating(row)


def _crawl_state(row: sqlite3.Row) -> CrawlState:
    return CrawlState(etag=row["etag"], last_modified=row["last_modified"],
                      seen_ids=tuple(json.loads(row["seen_ids"])), extra=json.loads(row["extra"]))


def _rating(row: sqlite3.Row) -> RatingPoint:
    return RatingPoint(monitor=row["monitor"], site=row["site"], at=parse_time(row["at"]),  # type: ignore[arg-type]
                       rating=row["rating"], count=row["count"])


class _WriteTransaction:
    """``with`` block around one ``BEGIN IMMEDIATE`` transaction: commit on success, roll back on
    any exception (which then propagates)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


class _LeaseLost(Exception):
    """Raised inside a write transaction when the writer no longer holds the delivery lease."""


class _UnknownIds(Exception):
    """Raised inside a write transaction to roll it back when an id is not in the store."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(ids)
        self.ids = ids


def fts_query(text: str) -> str:
    """A user's search words (see :func:`~hirewatch.stores.codec.parse_text_query`) as a safe FTS5
    query: characters FTS5 would read as syntax never get through, so no input is an error."""
    out = []
    for term in parse_text_query(text):
        if term.kind == "or":
            out.append("OR")
        else:
            out.append('"' + " ".join(term.words) + '"' + ("*" if term.prefix else ""))
    return " ".join(out)
