"""Which reverse proxies to believe: the client address and scheme they forward.

Only a peer inside TRUSTED_PROXIES may speak for the client. X-Forwarded-For is read from the
right: each trusted proxy appends the address it saw, so the right-most address that is not a
trusted proxy is the client; anything further left was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from a header value ("1.2.3.4", "1.2.3.4:80", "[::1]:80"); None if it is none."""
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    """True when `address` is inside one of the trusted networks."""
    ip = _ip(address) if trusted else None
    return ip is not None and any(ip.version == net.version and ip in net for net in trusted)


def _forwarded_for(values: Iterable[str]) -> list[str]:
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def client_ip(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client's address: the peer itself, unless a trusted proxy forwarded the request."""
    if not is_trusted(peer, trusted):
        return peer
    address = peer
    for hop in reversed(_forwarded_for(forwarded_for)):
        ip = _ip(hop)
        if ip is None:
            break  # garbage: the hop to its right (a trusted proxy) is as far as we can see
        address = str(ip)
        if not is_trusted(address, trusted):
            break
    return address


def forwarded_https(peer: str, forwarded_proto: Iterable[str], trusted: Sequence[Network]) -> bool:
    """True when a trusted proxy says the client spoke HTTPS to it."""
    if not is_trusted(peer, trusted):
        return False
    protos = [p.strip().lower() for value in forwarded_proto for p in value.split(",") if p.strip()]
    return bool(protos) and protos[-1] == "https"
