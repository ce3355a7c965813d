"""A webhook receiver for tests: records every request, answers as told (status, delay)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def url_path(self) -> str:
        return self.path

    @property
    def params(self) -> dict[str, str]:
        """The callback's parameters, from the form body (POST) or the query string (GET)."""
        source = self.body.decode() if self.method == "POST" else self.query
        return {k: v[0] for k, v in parse_qs(source, keep_blank_values=True).items()}

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class Behaviour:
    """How to answer request number n (from 1): a status and a delay in seconds."""

    decide: Callable[[int, str], tuple[int, float]] = lambda n, path: (200, 0.0)


@dataclass
class Receiver:
    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    # What to answer on a path (default: "ok"), e.g. an XML document, and with which Content-Type.
    bodies: dict[str, bytes] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    tls: tuple[Path, Path] | None = None  # (certificate chain, key): an HTTPS receiver

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with receiver._lock:
                    n = len(receiver.received) + 1
                    status, delay = receiver.behaviour.decide(n, parts.path)
                if delay:
                    time.sleep(delay)
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            self.command, parts.path, parts.query, dict(self.headers), body, time.monotonic()
                        )
                    )
                    receiver._lock.notify_all()
                answer = receiver.bodies.get(parts.path, b"ok")
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    if parts.path in receiver.content_types:
                        self.send_header("Content-Type", receiver.content_types[parts.path])
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the emulator gave up waiting (timeout) and closed the connection

            do_GET = do_POST = _handle

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str = "/cb") -> str:
        return self.base + path

    def answer(self, decide: Callable[[int, str], tuple[int, float]]) -> None:
        self.behaviour.decide = decide

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} requests, got {len(self.received)}")
                self._lock.wait(remaining)
            return list(self.received)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
