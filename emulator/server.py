"""Serving the app over real HTTP, with uvicorn or hypercorn.

Both servers are handed a socket bound here, so a caller asking for port 0
learns the port it got before the server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from starlette.applications import Starlette

from emulator.app import create_app
from emulator.config import ServerName, Settings
from emulator.domain.backend import Backend
from emulator.http.state import state_of
from emulator.testing import EmulatorControl, EmulatorError

# On a stop, requests in progress get this long to finish (long-polls are answered at once);
# then the callbacks' own grace period (Settings.shutdown_grace) runs.
GRACEFUL_REQUESTS_SECONDS = 2


def tune_gc() -> None:
    """Garbage collection for a long-running emulator process (not for a test process hosting one).

    With the default thresholds, full collections over a large state (thousands of MPCs, a full
    journal) stall callback delivery for 50-700 ms; bench/ measures it. Objects alive at start-up
    are frozen out of collection, and full collections run ten times less often. The young
    generations keep their default size: enlarging them makes each of their collections stall
    for longer (a gen-1 pass over a million objects took 750 ms).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _uvicorn(
    app: Starlette, sock: socket.socket, settings: Settings
) -> tuple[Callable[[], None], Callable[[], None]]:
    import uvicorn

    from emulator.tunnel import tunnelling_protocol

    tls = state_of(app).tls
    config = uvicorn.Config(
        app,
        http=tunnelling_protocol(settings.limits, state_of(app).certificates),
        log_level=settings.log_level,
        access_log=settings.log_level == "debug",
        lifespan="on",
        timeout_keep_alive=settings.limits.keep_alive_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=GRACEFUL_REQUESTS_SECONDS,
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
    )

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            state_of(app).engine.begin_shutdown()  # long-polls answer now, not after the grace period
            await super().shutdown(sockets)

    server = Server(config)

    def stop() -> None:
        server.should_exit = True

    return (lambda: server.run(sockets=[sock])), stop


def _hypercorn(
    app: Starlette, sock: socket.socket, settings: Settings
) -> tuple[Callable[[], None], Callable[[], None]]:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    # Hypercorn closes the socket it is given; hand it a duplicate so ours stays valid.
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.loglevel = settings.log_level.upper()
    # Hypercorn's messages go through the logging the command line configures, like uvicorn's: given a
    # name, hypercorn would add its own handler and each line would be printed twice.
    config.errorlog = logging.getLogger("hypercorn.error")
    config.accesslog = "-" if settings.log_level == "debug" else None
    config.graceful_timeout = GRACEFUL_REQUESTS_SECONDS
    # Hypercorn bounds headers by this size, and closes a connection that has not sent a whole
    # request's headers within its keep-alive timeout (so that is its header timeout too).
    config.h11_max_incomplete_size = settings.limits.max_header_bytes
    config.keep_alive_timeout = min(settings.limits.keep_alive_timeout, settings.limits.header_timeout)
    tls = state_of(app).tls
    if tls is not None:
        config.certfile, config.keyfile = str(tls.cert), str(tls.key)
    loop = asyncio.new_event_loop()
    shutdown = asyncio.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, shutdown.set)

        async def trigger() -> None:
            await shutdown.wait()
            state_of(app).engine.begin_shutdown()

        try:
            loop.run_until_complete(serve(app, config, shutdown_trigger=trigger, mode="asgi"))  # type: ignore[arg-type]
        finally:
            loop.close()

    def stop() -> None:
        with contextlib.suppress(RuntimeError):  # loop already closed
            loop.call_soon_threadsafe(shutdown.set)

    return run, stop


RUNNERS = {"uvicorn": _uvicorn, "hypercorn": _hypercorn}


def run_server(app: Starlette, sock: socket.socket, settings: Settings) -> None:
    """Serve until SIGINT/SIGTERM (blocking)."""
    run, _ = RUNNERS[settings.server](app, sock, settings)
    run()


class ThreadedServer:
    """The emulator on a free loopback port, in a background thread.

    >>> with ThreadedServer() as server:
    ...     server.url  # 'http://127.0.0.1:41234'
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        server: ServerName | None = None,
        app: Starlette | None = None,
    ) -> None:
        base = settings or Settings(port=0, log_level="warning")
        if server is not None:
            base = dataclasses.replace(base, server=server)
        self.settings = base
        self.app = app or create_app(self.settings)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop: Callable[[], None] | None = None

    @property
    def backend(self) -> Backend:
        return state_of(self.app).backend

    @property
    def port(self) -> int:
        assert self._sock is not None, "server not started"
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        host = self.settings.host
        scheme = "https" if self.settings.tls else "http"
        return f"{scheme}://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def ca_file(self) -> Path | None:
        """In TLS mode, the CA certificate a client must trust."""
        tls = state_of(self.app).tls
        return tls.ca_cert if tls else None

    def control(self, timeout: float = 30.0) -> EmulatorControl:
        """A control-plane client for this server (with its CA and its control token)."""
        return EmulatorControl(
            self.url, timeout=timeout, ca_file=self.ca_file, token=self.settings.control_token
        )

    def start(self, timeout: float = 10.0) -> Self:
        self._sock = bind_socket(self.settings.host, self.settings.port)
        run, self._stop = RUNNERS[self.settings.server](self.app, self._sock, self.settings)
        self._thread = threading.Thread(target=run, name=f"plivo-mpc-emulator:{self.port}", daemon=True)
        self._thread.start()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        probe = self.control(timeout=1)
        while True:
            try:
                if probe.health()["status"] == "ok":
                    return
            except (OSError, EmulatorError):
                pass
            if time.monotonic() > deadline or (self._thread is not None and not self._thread.is_alive()):
                raise RuntimeError(f"emulator ({self.settings.server}) did not become ready on {self.url}")
            time.sleep(0.02)

    def reset(self, auth_id: str | None = None) -> None:
        """Reset through the server's own event loop (the backend is not for other threads to mutate)."""
        self.control(timeout=10).reset(auth_id)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self._thread = self._stop = self._sock = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
