"""Proxy mode: the emulator's own listener is an HTTPS proxy for Plivo's hosts.

The SDKs send to ``https://api.plivo.com`` whatever their options say; most of them can be given an
HTTPS proxy. When one of them sends ``CONNECT api.plivo.com:443`` to the emulator, the emulator
answers the tunnel itself: it never dials out, it terminates TLS inside the tunnel with a
certificate from its own CA, and serves the emulated API there. A user needs only the proxy setting
and the CA: no root, no hosts file, no port 443.

Only the hosts the certificate covers (``api.plivo.com``, ``media.plivo.com``, ``--tls-host``
names) on port 443 are tunnelled; any other target is refused with a 403 and never contacted.
A CONNECT is looked for only as a connection's first request, where proxy clients send it.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any

from emulator.config import ServerLimits
from emulator.limited_protocol import LimitedHttpToolsProtocol
from emulator.tls import Certificates

logger = logging.getLogger("plivo_mpc_emulator.proxy")

_CONNECT = b"CONNECT "
_HANDSHAKE_TIMEOUT = 10.0
# The tunnels being opened: the event loop keeps only weak references to its tasks.
_OPENING: set[asyncio.Task[None]] = set()


class _Waiting(asyncio.Protocol):
    """Holds what the tunnel's TLS delivers between the handshake and the moment the HTTP protocol
    that serves the tunnel is attached (the client's first request can come in the same flight as
    its handshake's end)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.eof = False
        self.lost: tuple[Exception | None] | None = None

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def eof_received(self) -> bool | None:
        self.eof = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = (exc,)

    def hand_over(self, protocol: asyncio.Protocol, transport: asyncio.Transport) -> None:
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        for chunk in self.chunks:
            protocol.data_received(chunk)
        if self.eof:
            protocol.eof_received()
        if self.lost is not None:
            protocol.connection_lost(self.lost[0])


def connect_target(head: bytes) -> tuple[str, int] | None:
    """``CONNECT host:port HTTP/1.x`` → (host, port); None when the request line is not one."""
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != "CONNECT" or not parts[2].startswith("HTTP/1."):
        return None
    host, sep, port = parts[1].rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]").lower(), int(port)


class TunnellingProtocol(LimitedHttpToolsProtocol):
    """Uvicorn's protocol (with the emulator's limits) that also answers ``CONNECT``.
    ``certificates`` is set on the subclass :func:`tunnelling_protocol` makes."""

    certificates: Certificates

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._make: Callable[[], LimitedHttpToolsProtocol] = lambda: type(self)(*args, **kwargs)
        self._first: bytearray | None = bytearray()  # the connection's first bytes, until decided

    def data_received(self, data: bytes) -> None:
        if self._first is None:
            super().data_received(data)
            return
        self._first += data
        head = bytes(self._first)
        if not _CONNECT.startswith(head[: len(_CONNECT)]):  # an ordinary request
            self._first = None
            super().data_received(head)
        elif b"\r\n\r\n" in head:
            self._first = None
            self._connect(head)
        elif len(head) > self.limits.max_header_bytes:
            self._first = None
            self._headers_too_large()

    def _connect(self, head: bytes) -> None:
        request, _, early = head.partition(b"\r\n\r\n")
        target = connect_target(request)
        hosts = self.certificates.hosts
        if target is None or early:
            self._refuse(400, "a CONNECT must be 'CONNECT host:port HTTP/1.1' alone, then wait for 200")
            return
        host, port = target
        if port != 443 or host not in hosts:
            named = ", ".join(f"{h}:443" for h in hosts)
            self._refuse(403, f"the emulator tunnels only to {named}; it never dials {host}:{port}")
            return
        self._awaiting_headers = False
        self._disarm_deadline()
        self.connections.discard(self)  # the tunnel's own HTTP protocol counts from here
        self.transport.pause_reading()  # the client's TLS waits for start_tls
        self.transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        task = self.loop.create_task(self._tunnel(host))
        _OPENING.add(task)
        task.add_done_callback(_OPENING.discard)

    async def _tunnel(self, host: str) -> None:
        transport = self.transport
        waiting = _Waiting()
        try:
            context = await asyncio.to_thread(self.certificates.server_context)
            tls = await self.loop.start_tls(
                transport, waiting, context, server_side=True, ssl_handshake_timeout=_HANDSHAKE_TIMEOUT
            )
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            # Most often the client does not trust the emulator's CA: say so where users look.
            logger.warning(
                "proxy: TLS for %s failed (does the client trust the emulator's CA?): %s", host, exc
            )
            transport.close()
            return
        if tls is None:
            transport.close()
            return
        inner = self._make()
        if isinstance(inner, TunnellingProtocol):
            inner._first = None  # inside the tunnel: plain HTTP, no CONNECT within CONNECT
        waiting.hand_over(inner, tls)


def tunnelling_protocol(limits: ServerLimits, certificates: Certificates) -> type[TunnellingProtocol]:
    return type("TunnellingProtocol", (TunnellingProtocol,), {"limits": limits, "certificates": certificates})
