"""What only the Elasticsearch store has: set-up, the index design, bulk failures kept for the next
run, back-off on 429 and dropped connections, concurrent writers, sync from another store.

Runs against osmem-server on 127.0.0.1 (``elasticsearch_store``/``osmem_es`` fixtures in conftest).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hirewatch.errors import ConfigError, StoreError
from hirewatch.settings import StoreSettings
from hirewatch.stores.base import AlertState, MentionQuery, StoredMention
from hirewatch.stores.elasticsearch_store import ElasticsearchStore, redact_url
from hirewatch.stores.es_templates import LANGUAGES, configured_languages, mentions_template
from pydantic import SecretStr

from tests.stores.conftest import OSMEM_LANGUAGES, REAL_ES_URL, T0, make_mention
from tests.support.es_shim import PlainJsonNode, osmem_client
from tests.support.flaky_proxy import FlakyProxy

pytestmark = pytest.mark.elasticsearch


def _store(client, **options) -> ElasticsearchStore:
    options.setdefault("languages", OSMEM_LANGUAGES)
    options.setdefault("initial_backoff_s", 0.01)
    options.setdefault("max_backoff_s", 0.05)
    return ElasticsearchStore(client, **options)


def test_real_elasticsearch_runs_the_contract_suite_when_configured() -> None:
    if not REAL_ES_URL:
        pytest.skip("HIREWATCH_ES_URL is not set: the contract suite ran on SQLite and osmem-server only")
    from elasticsearch import Elasticsearch

    info = Elasticsearch(REAL_ES_URL, request_timeout=10).info()
    assert int(info["version"]["number"].split(".")[0]) >= 9


# -- set-up and index design


def test_setup_creates_template_index_alias_and_side_indices(osmem_es) -> None:
    store = _store(osmem_es)
    aliases = osmem_es.indices.get_alias(name="mentions").body
    assert aliases == {"mentions-000001": {"aliases": {"mentions": {"is_write_index": True}}}}
    template = osmem_es.indices.get_index_template(name="mentions").body["index_templates"][0]["index_template"]
    assert template["index_patterns"] == ["mentions-*"]
    for name in ("mentions_crawl_state", "mentions_runs", "mentions_ratings", "mentions_retry", "mentions_deliveries",
                 "mentions_claims"):
        assert osmem_es.indices.exists(index=name)
    mapping = osmem_es.indices.get_mapping(index="mentions-000001").body["mentions-000001"]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert set(mapping["properties"]["title"]["fields"]) == {"english", "german", "keyword"}
    assert mapping["properties"]["alert"]["properties"]["status"]["type"] == "keyword"
    again = store.setup()
    assert [step.outcome for step in again] == ["updated", "exists", *["exists"] * 6]


def test_mapping_covers_every_mention_field_and_the_alert_state() -> None:
    from dataclasses import fields

    from hirewatch.mention import Mention
    from hirewatch.stores.es_templates import mapped_fields

    mapped = mapped_fields("mentions", ())
    assert {f.name for f in fields(Mention)} <= mapped
    assert {f"alert.{f.name}" for f in fields(AlertState)} <= mapped
    assert {f"extra.{name}" for name in ("rating", "review_site", "role", "location", "employment_status",
                                         "subreddit", "submitted_by")} <= mapped


def test_store_opens_an_existing_setup_without_changing_it(osmem_es) -> None:
    first = _store(osmem_es)
    m = make_mention("kept", sentiment_label="negative")
    first.upsert_mentions([m])
    second = _store(osmem_es)
    assert second.count() == 1 and second.get(m.id).alert.status == "pending"


def test_a_concrete_index_where_the_alias_belongs_is_refused(osmem_es) -> None:
    osmem_es.indices.create(index="mentions")
    with pytest.raises(StoreError, match="'mentions' is a concrete index, not an alias"):
        _store(osmem_es)


def test_strict_mapping_refuses_unknown_fields(elasticsearch_store, osmem_es) -> None:
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError):
        osmem_es.index(index="mentions", id="x", document={"id": "x", "surprise": 1})


def test_missing_language_analyzer_is_a_clear_error(osmem_es) -> None:
    with pytest.raises(StoreError, match=r"analyzer \[dutch\]"):
        _store(osmem_es, languages=("english", "dutch"))


def test_languages_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_languages() == LANGUAGES
    monkeypatch.setenv("HIREWATCH_ES_LANGUAGES", "English, german")
    assert configured_languages() == ("english", "german")
    monkeypatch.setenv("HIREWATCH_ES_LANGUAGES", "none")
    assert configured_languages() == ()
    monkeypatch.setenv("HIREWATCH_ES_LANGUAGES", "english,klingon")
    with pytest.raises(ConfigError, match="klingon"):
        configured_languages()
    fields = mentions_template("x", ("german",))["template"]["mappings"]["properties"]["text"]["fields"]
    assert set(fields) == {"german"}


def test_language_subfields_are_searchable(elasticsearch_store) -> None:
    de = make_mention("de", title="Vorstellungsgespräche", text="Die Bewerbungen wurden nie beantwortet.")
    elasticsearch_store.upsert_mentions([de])
    # "bewerbung" only matches through the german stemmer on text.german
    assert [s.mention.id for s in elasticsearch_store.search(MentionQuery(text="bewerbung"))] == [de.id]
    # the folded main field matches without the accent
    assert [s.mention.id for s in elasticsearch_store.search(MentionQuery(text="vorstellungsgesprache"))] == [de.id]


# -- re-runs and bulk failures


def test_rerun_adds_no_document_and_keeps_alert_state(elasticsearch_store, osmem_es) -> None:
    run = [make_mention(f"r{i}", sentiment_label="negative" if i % 2 else "neutral") for i in range(20)]
    assert len(elasticsearch_store.upsert_mentions(run).new) == 20
    neg = run[1]
    elasticsearch_store.mark_alert_sent(neg.id, "C0ONCALL", "1714550400.000100")
    elasticsearch_store.record_alert_failure(run[3].id, "ratelimited")
    result = elasticsearch_store.upsert_mentions(run)
    assert result.new == () and len(result.updated) == 20
    assert osmem_es.count(index="mentions")["count"] == 20
    source = osmem_es.get(index="mentions", id=neg.id)["_source"]
    assert source["alert"]["status"] == "sent" and source["alert"]["ts"] == "1714550400.000100"
    assert elasticsearch_store.get(run[3].id).alert.attempts == 1
    assert source["fetched"] == "2024-05-01T08:00:00.000000Z"


def test_one_bad_document_fails_alone_and_is_retried_next_run(elasticsearch_store, osmem_es) -> None:
    good = [make_mention(f"g{i}") for i in range(5)]
    bad = make_mention("bad", extra={"rating": "four stars", "review_site": "glassdoor"})
    result = elasticsearch_store.upsert_mentions([*good[:2], bad, *good[2:]])
    assert set(result.new) == {m.id for m in good}
    assert [mid for mid, _ in result.failed] == [bad.id]
    assert "extra.rating" in result.failed[0][1]
    assert elasticsearch_store.count() == 5 and elasticsearch_store.get(bad.id) is None
    kept = osmem_es.get(index="mentions_retry", id=bad.id)["_source"]
    assert kept["attempts"] == 1 and "extra.rating" in kept["reason"] and kept["source"] == "feed-a"

    # next run of the same source: the kept one is retried (and fails again, counted)
    result = elasticsearch_store.upsert_mentions([make_mention("g9")])
    assert [mid for mid, _ in result.failed] == [bad.id]
    assert osmem_es.get(index="mentions_retry", id=bad.id)["_source"]["attempts"] == 2

    # another source's run does not carry this source's failure
    result = elasticsearch_store.upsert_mentions([make_mention("other-src", source="feed-z")])
    assert result.failed == ()

    # the source now gives a usable copy: stored, and no longer kept
    result = elasticsearch_store.upsert_mentions([bad.with_(extra={"rating": 4.0, "review_site": "glassdoor"})])
    assert result.new == (bad.id,) and result.failed == ()
    assert elasticsearch_store.get(bad.id).mention.extra["rating"] == 4.0
    assert not osmem_es.options(ignore_status=404).get(index="mentions_retry", id=bad.id).get("found")


def test_kept_mention_is_written_even_when_the_source_no_longer_carries_it(elasticsearch_store, osmem_es) -> None:
    gone = make_mention("gone", sentiment_label="negative")
    # as left by an earlier run whose bulk item was rejected (e.g. 429 after every retry)
    osmem_es.index(index="mentions_retry", id=gone.id, refresh=True, document={
        "id": gone.id, "monitor": "acme", "source": "feed-a", "reason": "es_rejected_execution_exception",
        "attempts": 1, "first_failed": "2024-05-01T08:00:00Z", "last_failed": "2024-05-01T08:00:00Z",
        "mention": gone.to_dict()})
    result = elasticsearch_store.upsert_mentions([make_mention("today")])
    assert set(result.new) == {gone.id, make_mention("today").id}
    assert elasticsearch_store.get(gone.id).alert.status == "pending"
    assert osmem_es.count(index="mentions_retry")["count"] == 0


# -- back-off and unreachable clusters


@pytest.fixture()
def proxy(osmem_clone):
    with FlakyProxy(osmem_clone.url) as server:
        yield server


def test_bulk_backs_off_on_429_and_dropped_connections(proxy) -> None:
    store = _store(osmem_client(proxy.url))
    proxy.fail("/_bulk", 2, "429")
    proxy.fail("/_bulk", 1, "drop")
    result = store.upsert_mentions([make_mention(f"b{i}") for i in range(10)])
    assert len(result.new) == 10 and not result.failed
    assert proxy.outcomes("/_bulk") == [429, 429, "dropped", 200]
    assert store.count() == 10


def test_the_clients_own_retry_settings_are_used(proxy) -> None:
    store = _store(osmem_client(proxy.url), retries=3, initial_backoff_s=0.2, max_backoff_s=4.0)
    client = store.client
    assert (client._max_retries, tuple(client._retry_on_status), client._retry_on_timeout) == (
        3, (429, 502, 503, 504), True)
    assert (client._retry_backoff_base, client._retry_backoff_cap) == (0.2, 4.0)


def test_searches_back_off_then_give_up_with_a_store_error(proxy) -> None:
    store = _store(osmem_client(proxy.url), retries=2)
    store.upsert_mentions([make_mention("x")])
    proxy.fail("/mentions/_search", 100, "429")
    with pytest.raises(StoreError, match=r"search failed after 3 attempts: HTTP 429 es_rejected_execution_exception"):
        store.search(MentionQuery())
    assert proxy.outcomes("/_search")[-3:] == [429, 429, 429]


def test_unreachable_cluster_is_a_store_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(StoreError, match=rf"Elasticsearch at http://127.0.0.1:{port}: check the alias failed "
                                             r"after 2 attempts"):
            ElasticsearchStore.from_settings(StoreSettings(kind="elasticsearch", es_url=f"http://127.0.0.1:{port}"),
                                             retries=1, initial_backoff_s=0.01)


def test_from_settings_sends_the_api_key_and_hides_credentials(proxy) -> None:
    settings = StoreSettings(kind="elasticsearch", es_url=proxy.url.replace("http://", "http://user:pw@"),
                             es_api_key=SecretStr("c2VjcmV0"), es_index_prefix="hw")
    store = ElasticsearchStore.from_settings(settings, client_options={"node_class": PlainJsonNode},
                                             languages=OSMEM_LANGUAGES)
    assert store.alias == "hw" and "pw" not in store.where
    auth = [{k.lower(): v for k, v in h.items()}.get("authorization") for h in proxy.headers]
    assert auth and all(value == "ApiKey c2VjcmV0" for value in auth)
    assert redact_url("https://u:p@es.example:9243/x") == "https://es.example:9243/x"


# -- concurrent writers


class _RacingStore(ElasticsearchStore):
    """Lets another writer change the documents between this store's read and its bulk write,
    once, to drive both conflict paths (created meanwhile; stale sequence number)."""

    rival: ElasticsearchStore | None = None
    rival_batch: list = []  # noqa: RUF012

    def _existing(self, ids):
        found = super()._existing(ids)
        if self.rival is not None:
            rival, self.rival = self.rival, None
            rival.upsert_mentions(self.rival_batch)
        return found


def test_concurrent_writers_lose_no_source(osmem_es) -> None:
    known = make_mention("known", source="feed-a")
    fresh = make_mention("fresh", source="feed-a")
    base = _store(osmem_es)
    base.upsert_mentions([known])
    racer = _RacingStore(osmem_es, languages=OSMEM_LANGUAGES, initial_backoff_s=0.01)
    racer.rival = _store(osmem_es)
    racer.rival_batch = [known.with_(source="feed-r", sources=("feed-r",)),
                         fresh.with_(source="feed-r", sources=("feed-r",))]
    result = racer.upsert_mentions([known.with_(source="feed-b", sources=("feed-b",)),
                                    fresh.with_(source="feed-b", sources=("feed-b",))])
    assert set(result.updated) == {known.id, fresh.id} and not result.new and not result.failed
    assert set(base.get(known.id).mention.sources) == {"feed-a", "feed-r", "feed-b"}
    assert set(base.get(fresh.id).mention.sources) == {"feed-r", "feed-b"}
    assert base.count() == 2


# -- sync from another store


def test_import_stored_keeps_alert_state_of_new_documents_only(elasticsearch_store) -> None:
    sent = make_mention("sent", sentiment_label="negative")
    already = make_mention("already", sentiment_label="negative")
    elasticsearch_store.upsert_mentions([already])
    delivered = AlertState(status="sent", channel="C1", ts="1.1", sent_at=T0 + timedelta(minutes=1))
    result = elasticsearch_store.import_stored([StoredMention(sent, delivered), StoredMention(already, delivered)])
    assert result.new == (sent.id,) and result.updated == (already.id,)
    assert elasticsearch_store.get(sent.id).alert == delivered
    assert elasticsearch_store.get(already.id).alert.status == "pending", "the index's own state wins"
    assert elasticsearch_store.pending_alerts("acme") == [already]


# -- mapping change path


def test_reindex_moves_the_alias_to_a_new_index_with_the_new_mapping(osmem_es) -> None:
    old = _store(osmem_es, languages=("english",))
    ms = [make_mention(f"x{i}", sentiment_label="negative") for i in range(30)]
    old.upsert_mentions(ms)
    old.mark_alert_sent(ms[0].id, "C1", "9.9")
    new = _store(osmem_es, languages=("english", "german"))
    assert new.reindex() == ("mentions-000001", "mentions-000002", 30)
    assert list(osmem_es.indices.get_alias(name="mentions").body) == ["mentions-000002"]
    mapping = osmem_es.indices.get_mapping(index="mentions-000002").body["mentions-000002"]["mappings"]
    assert "german" in mapping["properties"]["text"]["fields"]
    assert new.count() == 30 and new.get(ms[0].id).alert.ts == "9.9"
    assert len(new.pending_alerts("acme")) == 29
    assert osmem_es.indices.exists(index="mentions-000001"), "the old index is kept until the operator deletes it"
    new.upsert_mentions([make_mention("after")])
    assert osmem_es.count(index="mentions-000002")["count"] == 31


def test_reindex_into_an_incompatible_mapping_leaves_the_alias(osmem_es) -> None:
    store = _store(osmem_es)
    store.upsert_mentions([make_mention("a"), make_mention("b")])

    class Incompatible(ElasticsearchStore):
        def template(self):
            body = super().template()
            body["template"]["mappings"]["properties"]["author"] = {"type": "long"}
            return body

    changed = Incompatible(osmem_es, languages=OSMEM_LANGUAGES)
    with pytest.raises(StoreError, match="2 documents do not fit the new mapping, alias left on mentions-000001"):
        changed.reindex()
    assert list(osmem_es.indices.get_alias(name="mentions").body) == ["mentions-000001"]
    assert not osmem_es.indices.exists(index="mentions-000002")


# -- a monitor run end to end


def test_rerunning_the_example_monitor_adds_no_document_and_keeps_alert_state(elasticsearch_store, osmem_es) -> None:
    from hirewatch.config import load_monitor
    from hirewatch.pipeline import run_monitor

    from tests.conftest import ROOT

    monitor = load_monitor(ROOT / "monitors" / "example.yaml")
    first = run_monitor(monitor, elasticsearch_store, alert=False)
    assert not first.failed_sources and not first.store_failures
    stored = osmem_es.count(index="mentions")["count"]
    assert stored == first.new_mentions > 0
    pending = elasticsearch_store.pending_alerts("example")
    assert pending, "the example has negative candidate-experience items"
    elasticsearch_store.mark_alert_sent(pending[0].id, "C0ONCALL", "1714550400.000200")

    second = run_monitor(monitor, elasticsearch_store, alert=False)
    assert second.new_mentions == 0 and not second.store_failures
    assert osmem_es.count(index="mentions")["count"] == stored
    alert = elasticsearch_store.get(pending[0].id).alert
    assert (alert.status, alert.ts) == ("sent", "1714550400.000200")
    assert [m.id for m in elasticsearch_store.pending_alerts("example")] == [m.id for m in pending[1:]]
    assert len(elasticsearch_store.recent_runs("example", first.started)) == 2
