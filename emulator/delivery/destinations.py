"""Where a callback may be sent: decided by the address its host resolves to, at send time.

The rule, in one place (the README and ``--help`` point here):

- A host matching a ``--callback-host`` glob (``"*"`` matches every host) is trusted by name,
  whatever it resolves to; an address or network given to ``--callback-host`` (``203.0.113.7``,
  ``100.64.0.0/10``) is allowed like a local one.
- Otherwise every name is resolved when a connection is made (no DNS cache: each new connection
  resolves again) and only addresses on this machine or a private network are used: loopback
  (127.0.0.0/8, ::1), RFC 1918 (10/8, 172.16/12, 192.168/16) and unique-local IPv6 (fc00::/7).
- Everything else is refused, the reason journaled on the attempt and never retried: link-local
  (169.254/16 holds cloud metadata services; fe80::/10), public, shared (100.64/10), multicast,
  reserved and unspecified addresses.
- A host is judged by its numeric address in every spelling the resolver accepts (``0x7f000001``,
  ``0177.1``, ``2130706433``), and an IPv4 address inside IPv6 (``::ffff:8.8.8.8``, NAT64
  ``64:ff9b::8.8.8.8``) by its IPv4 address.

Names are never trusted for what they look like: ``*.internal``, ``*.local`` and single-label names
often resolve to public addresses (search domains, split DNS).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from emulator.delivery import networks

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOCAL_NETWORKS: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in networks.LOCAL_NETWORKS)
LOOPBACK_NETWORKS: tuple[IPNetwork, ...] = tuple(n for n in LOCAL_NETWORKS if n.network_address.is_loopback)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")

ALLOW_HINT = "allow it with --callback-host"


class DestinationRefused(OSError):
    """A callback host that resolves only to addresses the policy refuses."""

    def __init__(self, host: str, reason: str, *, looked_up: bool = True) -> None:
        if looked_up:
            super().__init__(f"refused: {host} resolves to {reason} ({ALLOW_HINT})")
        else:
            super().__init__(f"refused: {host} {reason}")
        self.host = host
        self.reason = reason


def _as_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def parse_address(text: str) -> IPAddress | None:
    """An IP address written in a standard form (``[::1]`` included), else None."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _kind(address: IPAddress) -> str:
    if address.is_link_local:
        return "a link-local address (cloud metadata services live here)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "the unspecified address"
    if address in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if address.is_global:
        return "a public address"
    if address.is_private:
        return "a private address (the emulator was started with --loopback-callbacks)"
    return "a reserved or non-private address"


class HostPolicy:
    """Which callback destinations are allowed: local and private addresses, plus what the user adds."""

    def __init__(self, extra: Iterable[str] = (), *, loopback_only: bool = False) -> None:
        """``extra``: host name globs (``*`` for any host), IP addresses or networks;
        ``loopback_only``: this machine's addresses only, no private network (tests, CI)."""
        self.loopback_only = loopback_only
        self.local = LOOPBACK_NETWORKS if loopback_only else LOCAL_NETWORKS
        patterns: list[str] = []
        networks: list[IPNetwork] = []
        for item in extra:
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                patterns.append(item.lower().rstrip("."))
        self.patterns = tuple(patterns)
        self.networks = tuple(networks)

    def trusts_name(self, host: str) -> bool:
        """A name the user allowed explicitly: used whatever it resolves to."""
        name = host.lower().strip("[]").rstrip(".")
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def refusal(self, address: IPAddress) -> str | None:
        """What an address is when a callback may not go there (``8.8.8.8, a public address``), or None."""
        why = self._refused_kind(address)
        if why is None:
            return None
        judged, kind = why
        shown = str(address) if judged == address else f"{address} (that is {judged})"
        return f"{shown}, {kind}"

    def _refused_kind(self, address: IPAddress) -> tuple[IPAddress, str] | None:
        """The address judged (an IPv4 one inside IPv6 unwrapped) and its kind, when refused."""
        judged = _as_ipv4(address)
        if any(judged in n for n in self.local) or any(judged in n or address in n for n in self.networks):
            return None
        return judged, _kind(judged)

    def check_literal(self, host: str) -> str | None:
        """For a host written as a standard IP literal (which is connected to without resolving)."""
        if self.trusts_name(host):
            return None
        address = parse_address(host)
        if address is None:
            return None
        why = self._refused_kind(address)
        if why is None:
            return None
        judged, kind = why
        shown = kind if judged == address else f"{address} (that is {judged}), {kind}"
        return f"refused: {host} is {shown} ({ALLOW_HINT})"


class PolicyResolver(AbstractResolver):
    """The system resolver (as ``getaddrinfo``: numeric forms included), keeping only allowed addresses."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self.policy.loopback_only and not self._readable_here(host):
            # Not even a DNS query leaves the machine: only addresses and localhost are read.
            reason = "is not looked up: with --loopback-callbacks, callbacks go to IP addresses and localhost"
            raise DestinationRefused(host.rstrip("."), reason, looked_up=False)
        results = await self._inner.resolve(host, port, family)
        if self.policy.trusts_name(host):
            return results
        allowed: list[ResolveResult] = []
        reasons: list[str] = []
        for result in results:
            address = parse_address(result["host"])
            why = f"{result['host']}, not an IP address" if address is None else self.policy.refusal(address)
            if why is None:
                allowed.append(result)
            else:
                reasons.append(why)
        if not allowed:
            raise DestinationRefused(host.rstrip("."), reasons[0] if reasons else "no address")
        return allowed

    def _readable_here(self, host: str) -> bool:
        name = host.rstrip(".").lower()
        return name == "localhost" or parse_address(host) is not None or self.policy.trusts_name(host)

    async def close(self) -> None:
        await self._inner.close()


def describe_refusal(error: BaseException) -> str | None:
    """The journaled reason when an aiohttp connection error was the policy's refusal."""
    cause: Any = getattr(error, "os_error", None) or error.__cause__
    return str(cause) if isinstance(cause, DestinationRefused) else None
