"""Who the client is: trusted proxies, X-Forwarded-For checked hop by hop, IPv6 keyed by /64."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# More hops than any real proxy chain; past this a header is someone's junk, not a route.
MAX_HOPS = 16


def parse_ip(value: str) -> IPAddress | None:
    """An address from a peer or a forwarded hop ("1.2.3.4", "1.2.3.4:80", "[::1]:80"), or
    None for anything else; an IPv4-mapped IPv6 address becomes the IPv4 one."""
    value = value.strip()
    if value.startswith("["):  # [v6] or [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    if not value or len(value) > 45:
        return None
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@lru_cache(maxsize=8192)
def client_key(host: str) -> str:
    """The key a client is counted under: its IPv4 address, or its IPv6 /64 (one subscriber
    usually holds a whole /64 and could rotate within it); other strings as they are."""
    ip = parse_ip(host)
    if ip is None:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class TrustedProxies:
    """The proxies whose X-Forwarded-For is believed (IPQA_TRUSTED_PROXIES: addresses or
    networks); empty means no forwarded header is ever believed."""

    def __init__(self, entries: Iterable[str] = ()):
        self.networks = [ipaddress.ip_network(e.strip(), strict=False) for e in entries]
        self._trusted = lru_cache(maxsize=4096)(self._check)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def _check(self, host: str) -> bool:
        ip = parse_ip(host)
        return ip is not None and any(ip in net for net in self.networks)

    def __contains__(self, host: str | None) -> bool:
        return bool(self.networks) and host is not None and self._trusted(host)

    def resolve(self, peer: str, forwarded_for: list[str]) -> str:
        """The client address: walk X-Forwarded-For from the right while each hop is a trusted
        proxy; stop at the first untrusted hop (the client) or at a hop that is not an address
        (then the last proxy that vouched for it stands as the client)."""
        client = peer
        if client not in self or not forwarded_for:
            return client
        hops = [h for value in forwarded_for for h in value.split(",")][-MAX_HOPS:]
        for hop in reversed(hops):
            ip = parse_ip(hop)
            if ip is None:
                break
            client = str(ip)
            if client not in self:
                break
        return client
