"""The delivery lease as a run holds it: a crashed holder blocks nobody for ever, a holder on this
machine whose process is gone is replaced at once, a lease lost mid-run stops the run. The real
SqliteStore; real processes for the dead holder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from hirewatch.alerts import deliver_alerts
from hirewatch.alerts.lease import DeliveryLease, holder_is_gone, lease_from_settings, process_owner
from hirewatch.alerts.slack_alerter import SlackAlerter
from hirewatch.errors import ConfigError
from hirewatch.stores.sqlite_store import SqliteStore

from tests.alerts.conftest import make_mention, make_monitor
from tests.support.slack_server import BOT_TOKEN, SlackServer


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_holder_on_this_machine_whose_process_is_gone_is_replaced_at_once(store: SqliteStore) -> None:
    crashed = f"hirewatch on {socket.gethostname()} pid {dead_pid()} [deadbeef]"
    assert holder_is_gone(crashed)
    store.acquire_delivery("acme", crashed, 600)
    lease = DeliveryLease(store, "acme", wait_s=0)
    started = time.monotonic()
    assert lease.acquire() and time.monotonic() - started < 1
    assert store.acquire_delivery("acme", "someone", 60).owner == lease.owner
    assert not holder_is_gone(lease.owner), "a run of this process that holds its lease is alive"
    lease.release()
    assert holder_is_gone(lease.owner) and holder_is_gone(process_owner()), "one that ended is not"


def test_a_holder_elsewhere_blocks_until_its_lease_expires(store: SqliteStore) -> None:
    store.acquire_delivery("acme", "airflow on worker-7 pid 12 [0badf00d]", 0.6)
    waiting = DeliveryLease(store, "acme", wait_s=0)
    assert not waiting.acquire() and "worker-7" in waiting.busy() and "since" in waiting.busy()
    patient = DeliveryLease(store, "acme", wait_s=3)
    assert patient.acquire(), "an expired lease is taken"


def test_a_lease_lost_mid_run_stops_the_run(store: SqliteStore, slack: SlackServer) -> None:
    store.upsert_mentions([make_mention(i) for i in range(3)])
    lease = DeliveryLease(store, "acme", ttl_s=1, wait_s=0)

    class Thief(SlackAlerter):
        """After the first post, the lease expires and another run takes it."""

        def post(self, channel, message, *, thread_ts=None):  # type: ignore[no-untyped-def]
            posted = super().post(channel, message, thread_ts=thread_ts)
            time.sleep(1.1)
            store.acquire_delivery("acme", "the other run", 60)
            return posted

    report = deliver_alerts(make_monitor(), store, alerter=Thief(BOT_TOKEN, base_url=slack.base_url,
                                                                 min_interval_s=0), lease=lease)
    assert report.sent == 1 and report.deferred == 2 and len(slack.posted()) == 1
    assert any("another delivery of monitor acme is running: the other run" in e for e in report.errors)


def test_bad_lease_settings_are_a_clear_error(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREWATCH_DELIVERY_WAIT_S", "soon")
    with pytest.raises(ConfigError, match="HIREWATCH_DELIVERY_WAIT_S: expected a number of seconds"):
        lease_from_settings(store, "acme")
    monkeypatch.setenv("HIREWATCH_DELIVERY_WAIT_S", "2.5")
    monkeypatch.setenv("HIREWATCH_DELIVERY_LEASE_S", "0")
    with pytest.raises(ConfigError, match="HIREWATCH_DELIVERY_LEASE_S"):
        lease_from_settings(store, "acme")
    monkeypatch.setenv("HIREWATCH_DELIVERY_LEASE_S", "30")
    lease = lease_from_settings(store, "acme")
    assert (lease.ttl_s, lease.wait_s) == (30.0, 2.5)
