"""What an IP address or host name reaches: the one place that tells loopback, private,
link-local, multicast and public addresses apart.

Called by the fetcher's address policy (:mod:`hirewatch.sources.http_fetcher`), the mailer (plain
SMTP only to this machine), ``hirewatch serve`` (no password needed on this machine only) and the
executor check (a broker on this machine means one host). One module, so that every caller judges
an IPv6 form that carries an IPv4 address (``::ffff:127.0.0.1``) by the IPv4 address inside.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

AddressKind = Literal["public", "loopback", "private", "link-local", "multicast"]

#: IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at: IPv4-compatible
#: (``::a.b.c.d``, deprecated but still routed by some stacks), IPv4-translated (``::ffff:0:a.b.c.d``,
#: RFC 2765) and NAT64 (``64:ff9b::/96``, RFC 6052; ``64:ff9b:1::/48``, RFC 8215). IPv4-mapped
#: (``::ffff:a.b.c.d``) and 6to4 (``2002::/16``) have their own accessors.
_EMBEDS_IPV4 = tuple(ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (see :data:`_EMBEDS_IPV4`), or None. ``::`` and
    ``::1`` are themselves, not 0.0.0.0 and 0.0.0.1."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if int(ip) <= 1:
        return None
    if any(ip in network for network in _EMBEDS_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _effective(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address a packet to ``address`` reaches (zone id dropped, IPv4 inside IPv6 unwrapped).
    Raises ``ValueError`` for something that is not an IP address."""
    ip = ipaddress.ip_address(address.strip().strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        return embedded_ipv4(ip) or ip
    return ip


def address_kind(address: str) -> AddressKind:
    """Classify one IP address for the fetcher's address policy: an IPv6 address that carries an
    IPv4 one (mapped, compatible, translated, NAT64, 6to4) is judged by the IPv4 address inside;
    the unspecified address (``0.0.0.0``, ``::``) reaches this host, so it counts as loopback.
    Raises ``ValueError`` for something that is not an IP address."""
    ip = _effective(address)
    if ip.is_loopback or ip.is_unspecified:
        return "loopback"
    if ip.is_multicast:
        return "multicast"
    if ip.is_link_local:
        return "link-local"
    if not ip.is_global:
        return "private"
    return "public"


def is_loopback_host(host: str | None) -> bool:
    """Whether a host name or address can only mean this machine: ``localhost``, 127.0.0.0/8,
    ``::1`` and the IPv6 forms of a 127.x address. The unspecified address is not: bound to, it is
    every interface. No DNS look-up: any other name is not loopback (names under ``.localhost``
    included: the resolver here sends them to DNS and ``/etc/hosts`` like any other)."""
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return _effective(name).is_loopback
    except ValueError:
        return False
