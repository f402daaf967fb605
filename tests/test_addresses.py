"""hirewatch.addresses: one judgement of what an address reaches, for every caller."""

from __future__ import annotations

import pytest
from hirewatch.addresses import address_kind, is_loopback_host
from hirewatch.stores.executor_fit import _loopback_broker


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST.", True), ("db.localhost", False), ("127.0.0.1", True),
    ("127.45.0.2", True), ("::1", True), ("[::1]", True),
    # the IPv6 forms of a 127.x address reach this machine too
    ("::ffff:127.0.0.1", True), ("[::ffff:7f00:1]", True), ("64:ff9b::127.0.0.1", True), ("2002:7f00:1::", True),
    # bound to, the unspecified address is every interface; a name is never resolved here
    ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("10.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("localhost.example.org", False), ("mylocalhost", False),
])
def test_loopback_host(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(("address", "kind"), [
    ("8.8.8.8", "public"), ("2001:4860:4860::8888", "public"), ("::ffff:127.0.0.1", "loopback"),
    ("0.0.0.0", "loopback"), ("::", "loopback"), ("fe80::1%eth0", "link-local"), ("::ffff:169.254.1.1", "link-local"),
    ("10.0.0.1", "private"), ("64:ff9b::10.0.0.1", "private"), ("100.64.0.1", "private"), ("224.0.0.1", "multicast"),
])
def test_address_kind(address: str, kind: str) -> None:
    assert address_kind(address) == kind


def test_address_kind_refuses_a_name() -> None:
    with pytest.raises(ValueError):
        address_kind("example.org")


@pytest.mark.parametrize(("url", "local"), [
    ("redis://127.0.0.1:6379/0", True), ("redis://[::ffff:127.0.0.1]:6379/0", True),
    ("redis+socket:///tmp/r.sock", True), ("redis://localhost:6379/0", True),
    ("redis://broker.internal:6379/0", False), ("amqp://10.1.2.3//", False),
    (None, False),
])
def test_a_broker_on_this_machine_is_told_apart_the_same_way(url: str | None, local: bool) -> None:
    assert _loopback_broker(url) is local

