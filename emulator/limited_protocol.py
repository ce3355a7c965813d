"""Uvicorn's HTTP protocol (httptools) with the limits it lacks.

Uvicorn bounds neither the size of a request's headers nor the time a client may take to send
them, and caps connections only by answering 503 while still holding each one. An emulator that
CI depends on (and that may listen on a shared network) needs all three: without them, twenty
clients sending endless headers took the process from 77 to 508 MB, and two hundred slowloris
connections stayed open for as long as they liked.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.config import ServerLimits

_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """One connection; ``limits`` is set on the subclass the server is given
    (:func:`emulator.tunnel.tunnelling_protocol`)."""

    limits = ServerLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse(503, f"too many connections (at most {self.limits.max_connections}); try again")
            return
        self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._awaiting_headers and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._headers_too_large()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._awaiting_headers:  # the next request on a kept-alive connection
            self._awaiting_headers = True
            self._header_bytes = 0
            self._arm_deadline()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._disarm_deadline()
        super().on_headers_complete()

    def _arm_deadline(self) -> None:
        self._disarm_deadline()
        self._header_deadline = self.loop.call_later(self.limits.header_timeout, self._headers_too_slow)

    def _disarm_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._awaiting_headers and not self.transport.is_closing():
            self._refuse(408, f"request headers not received within {self.limits.header_timeout:g} s")

    def _headers_too_large(self) -> None:
        self._refuse(431, f"request line and headers larger than {self.limits.max_header_bytes} bytes")

    def _refuse(self, status: int, message: str) -> None:
        """Answer in Plivo's error shape and close: the connection is in no state to go on."""
        self._awaiting_headers = False
        self._disarm_deadline()
        body = json.dumps({"api_id": str(uuid.uuid1()), "error": message}).encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()
