"""The client's address, as the rate limits key it: the TCP peer, or, when the peer is a proxy we
trust (`SERANG_TRUSTED_PROXIES`), the address that proxy saw, from `X-Forwarded-For`.

`X-Forwarded-For` is read right to left: each proxy appends the address it received the request
from, so the rightmost entries were written by our own proxies and the first address that is not
one of them is the client. Anything further left was written by the client and may be made up.
Without trusted proxies (the default) the header is ignored: anyone could send it.

IPv6 clients are keyed by their /64: one subscriber usually holds a whole /64, and keying single
addresses would let one phone take a new limit with every address of its prefix.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED_FOR = b"x-forwarded-for"


def parse_networks(text: str) -> list[Network]:
    """`10.0.0.0/8, 192.168.1.7` -> networks; raises ValueError naming a bad entry."""
    networks = []
    for entry in text.split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(f"expected IP addresses or CIDR networks, got {entry.strip()!r}") from None
    return networks


def client_address(scope: Any, trusted: Sequence[Network]) -> str:
    """The client's address as a limit key (an IPv6 address as its /64)."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not trusted and ":" not in peer:
        return peer  # IPv4 (or a name) and no proxy to ask: the common case, without parsing
    address = _parsed(peer)
    if address is None or not trusted or not _is_trusted(address, trusted):
        return _key(address, peer)
    forwarded = [value for name, value in scope["headers"] if name == _FORWARDED_FOR]
    hops = b",".join(forwarded).decode("latin-1").split(",") if forwarded else []
    for hop in reversed(hops):
        hop_address = _parsed(hop.strip())
        if hop_address is None:
            break  # written by the client: the last proxy's own peer is what we know
        address = hop_address
        if not _is_trusted(address, trusted):
            break
    return _key(address, peer)


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def _key(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, peer: str) -> str:
    if address is None:
        return peer  # not an IP address (a test client, a unix socket)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
