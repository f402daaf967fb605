"""What only the SQLite store has: schema versions, FTS5 details, locking between processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hirewatch.errors import StoreError
from hirewatch.records import CrawlState
from hirewatch.report import RunReport
from hirewatch.stores import sqlite_store
from hirewatch.stores.base import MentionQuery
from hirewatch.stores.sqlite_store import SCHEMA_VERSION, SqliteStore, fts_query

from tests.stores.conftest import T0, make_mention


def test_new_file_gets_current_schema_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "h.db"
    with SqliteStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_reopen_keeps_data(tmp_path: Path) -> None:
    m = make_mention("keep", sentiment_label="negative")
    with SqliteStore(tmp_path / "h.db") as store:
        store.upsert_mentions([m])
    with SqliteStore(tmp_path / "h.db") as store:
        assert store.get(m.id).mention == m and store.get(m.id).alert.status == "pending"


def test_migrations_apply_in_order_from_an_older_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.db"
    m = make_mention("old")
    with SqliteStore(path) as store:
        store.upsert_mentions([m])
    step = ("ALTER TABLE mentions ADD COLUMN reviewed_by TEXT",
            "CREATE INDEX mentions_reviewed ON mentions (reviewed_by)")
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", (*sqlite_store.MIGRATIONS, step))
    monkeypatch.setattr(sqlite_store, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with SqliteStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION + 1
        assert store.get(m.id).mention == m
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(mentions)")]
    conn.close()
    assert "reviewed_by" in columns


def test_fts_index_of_a_version_3_store_is_rebuilt_with_quoted_options(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.db"
    old = make_mention("old", title="Rude interview at Acme")
    with monkeypatch.context() as patch:  # a store as version 3 wrote it
        patch.setattr(sqlite_store, "MIGRATIONS", sqlite_store.MIGRATIONS[:3])
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 3)
        with SqliteStore(path) as store:
            store.upsert_mentions([old])
    with SqliteStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 4
        new = make_mention("new", title="Two more interviews at Acme")  # stemmed: interviews -> interview
        store.upsert_mentions([new])
        found = {s.mention.id for s in store.search(MentionQuery(text="interview"))}
        assert found == {old.id, new.id}
    conn = sqlite3.connect(path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'mentions_fts'").fetchone()[0]
    conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")  # raises if out of sync
    conn.close()
    assert 'content="mentions"' in sql and 'content_rowid="rowid"' in sql


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this hirewatch"):
        SqliteStore(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a hirewatch store"):
        SqliteStore(path)


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=str(path.name)):
        SqliteStore(path)


def test_unserialisable_mention_fails_alone(sqlite_store: SqliteStore) -> None:
    good = make_mention("good")
    bad = make_mention("bad", extra={"when": object()})
    result = sqlite_store.upsert_mentions([bad, good])
    assert result.new == (good.id,)
    assert [mid for mid, _ in result.failed] == [bad.id]
    assert "cannot store mention" in result.failed[0][1]
    assert sqlite_store.get(bad.id) is None


# -- full-text search


def test_fts_folds_accents_and_case(sqlite_store: SqliteStore) -> None:
    nl = make_mention("nl", title="Sollicitatie bij Acme", text="Géén reactie na het gesprek in Göteborg.")
    sqlite_store.upsert_mentions([nl])
    for text in ["sollicitatie", "geen", "GOTEBORG", "göteborg", "reactie gesprek", "sollic*"]:
        assert [s.mention.id for s in sqlite_store.search(MentionQuery(text=text))] == [nl.id], text


def test_fts_follows_updates(sqlite_store: SqliteStore) -> None:
    m = make_mention("u", title="Original headline", text="first body")
    sqlite_store.upsert_mentions([m])
    sqlite_store.upsert_mentions([m.with_(title="Corrected headline", text="second body")])
    assert sqlite_store.search(MentionQuery(text="original")) == []
    assert sqlite_store.search(MentionQuery(text="first")) == []
    assert len(sqlite_store.search(MentionQuery(text="corrected second"))) == 1
    conn = sqlite3.connect(sqlite_store.path)
    conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")  # raises if out of sync
    conn.close()


def test_fts_phrases_and_or(sqlite_store: SqliteStore) -> None:
    a = make_mention("a", text="the interview was cancelled")
    b = make_mention("b", text="cancelled the second interview round")
    c = make_mention("c", text="recruiter ghosting")
    sqlite_store.upsert_mentions([a, b, c])

    def found(text: str) -> set[str]:
        return {s.mention.id for s in sqlite_store.search(MentionQuery(text=text))}

    assert found('"interview was cancelled"') == {a.id}
    assert found("interview cancelled") == {a.id, b.id}
    assert found("ghosting OR round") == {b.id, c.id}


@pytest.mark.parametrize(("text", "expected"), [
    ("interview", '"interview"'),
    ("final interview", '"final" "interview"'),
    ('"final round" OR ghost*', '"final round" OR "ghost"*'),
    ("C++ -NOT (x)", '"C" "NOT" "x"'),
    ("OR OR", ""),
    ('"', ""),
])
def test_fts_query_escapes_syntax(text: str, expected: str) -> None:
    assert fts_query(text) == expected


# -- locking and concurrent writers


def test_locked_file_gives_a_clear_error_after_bounded_retries(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    SqliteStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        store = SqliteStore(path, busy_timeout_ms=10, lock_retries=2, max_backoff_s=0.01)
        with pytest.raises(StoreError, match=r"stayed locked by another writer; gave up upsert .* after 3 attempts"):
            store.upsert_mentions([make_mention("x")])
        assert store.count() == 0, "readers are not blocked by a writer under WAL"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.upsert_mentions([make_mention("x")])
    assert store.count() == 1
    store.close()


def _writer(path: str, worker: int, n: int) -> int:
    store = SqliteStore(path, busy_timeout_ms=200)
    for start in range(0, n, 50):
        # overlapping ids: both workers see mentions 0..n/2 (the same story from two sources)
        batch = [make_mention(f"c{i if i < n // 2 else f'{worker}-{i}'}", source=f"feed-{worker}",
                              sentiment_label="negative", fetched=T0 + timedelta(seconds=i))
                 for i in range(start, min(n, start + 50))]
        store.upsert_mentions(batch)
        store.put_crawl_state("acme", f"feed-{worker}", CrawlState(etag=str(start)))
        store.record_run(RunReport(monitor="acme", started=T0 + timedelta(seconds=start)))
    store.close()
    return worker


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    SqliteStore(path).close()
    n = 600
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        assert sorted(pool.starmap(_writer, [(str(path), 1, n), (str(path), 2, n)])) == [1, 2]
    with SqliteStore(path) as store:
        assert store.count() == n // 2 + 2 * (n - n // 2)
        shared = store.get(make_mention("c0").id)
        assert set(shared.mention.sources) == {"feed-1", "feed-2"}, "neither writer lost the other's source"
        assert store.get_crawl_state("acme", "feed-1") == CrawlState(etag=str(n - 50))
        assert len(store.recent_runs("acme", T0)) == 2 * (n // 50)
        assert len(store.pending_alerts("acme")) == store.count()


def test_counts_by_a_facet_column_and_the_newest_first_order_come_from_indexes(sqlite_store: SqliteStore) -> None:
    sqlite_store.upsert_mentions([make_mention(f"m{i}", sentiment_label="negative" if i % 2 else "neutral")
                                  for i in range(20)])
    conn = sqlite3.connect(sqlite_store.path)
    try:
        plans = {sql: " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)) for sql in (
            "SELECT source, count(*) FROM (SELECT * FROM mentions WHERE sentiment_label = 'negative') GROUP BY 1",
            "SELECT j.value, count(*) FROM mentions JOIN json_each(mentions.topics) j GROUP BY 1",
            "SELECT * FROM mentions ORDER BY sort_at DESC LIMIT 50",
        )}
    finally:
        conn.close()
    assert [("COVERING INDEX mentions_facets" in p, "mentions_sort_at" in p) for p in plans.values()] == [
        (True, False), (True, False), (False, True)], plans
