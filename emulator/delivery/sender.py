"""Sending one callback request, the way Plivo's webhook client does.

POST sends the parameters form-encoded; GET appends them to the URL's query.
One pooled async client is shared by every delivery (connection reuse), and
each attempt has its own timeout. Nothing is sent to a host outside the
:class:`HostPolicy`: by default loopback, private networks and names that
cannot be public, so a test can never call a production webhook by mistake.
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import ipaddress
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
from yarl import URL

from emulator.domain.values import CallbackMethod
from emulator.version import __version__

USER_AGENT = f"plivo-mpc-emulator/{__version__} (emulated Plivo callbacks)"

# Reserved or local-only names (RFC 2606, RFC 6761, RFC 6762, Docker's host alias).
LOCAL_HOST_PATTERNS = (
    "localhost",
    "*.localhost",
    "*.local",
    "*.internal",
    "*.test",
    "*.example",
    "*.invalid",
    "host.docker.internal",
)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Building a verifying context costs tens of milliseconds: once per process is enough.
    return ssl.create_default_context()


def _tls_context_with(ca_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=str(ca_file))
    return context


class HostPolicy:
    """Which callback hosts may be called: local ones, plus any extra glob patterns."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        self.extra_patterns = tuple(p.lower() for p in extra_patterns)

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not host:
            return False
        if any(fnmatch.fnmatchcase(host, p) for p in (*LOCAL_HOST_PATTERNS, *self.extra_patterns)):
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return "." not in host  # a single-label name: a container or service on a local network
        return address.is_loopback or address.is_private or address.is_link_local


@dataclass(frozen=True)
class Outcome:
    status: int | None
    latency_ms: float
    error: str | None
    # How long the attempt waited for a free connection to its receiver before being sent.
    queued_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender:
    """Sends callbacks, at most ``connections_per_receiver`` at a time to each receiver.

    One aiohttp session (keep-alive connection reuse) serves every receiver; each receiver
    (scheme, host, port) has its own queue, so a slow or hanging receiver delays only its own
    callbacks. aiohttp rather than httpx: on one core it sends about five times as many requests
    per second (bench/), which is what the 2,000 callbacks/s goal needs.
    """

    def __init__(
        self,
        policy: HostPolicy | None = None,
        *,
        connections_per_receiver: int = 16,
        ca_file: Path | None = None,
    ) -> None:
        """``ca_file``: a CA (PEM) trusted beside the system's, for HTTPS receivers with local certs."""
        self.policy = policy or HostPolicy()
        self.ca_file = ca_file
        self.connections_per_receiver = connections_per_receiver
        self._session: aiohttp.ClientSession | None = None
        self._queues: dict[tuple[str, str, int | None], asyncio.Semaphore] = {}

    async def start(self) -> None:
        """Open the session (in the event loop that will use it)."""
        connector = aiohttp.TCPConnector(
            limit=0,
            limit_per_host=self.connections_per_receiver,
            ssl=_tls_context() if self.ca_file is None else _tls_context_with(self.ca_file),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": USER_AGENT},
            trust_env=False,  # never through a proxy from the environment
            auto_decompress=False,
        )
        self._queues = {}

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _queue(self, url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        key = (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Semaphore(self.connections_per_receiver)
        return queue

    async def send(
        self,
        method: CallbackMethod,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        timeout: float,
    ) -> Outcome:
        if not self.policy.allows(url):
            host = urlsplit(url).hostname
            return Outcome(None, 0.0, f"blocked: {host} is not a local host (allow it with --callback-host)")
        if self._session is None:
            raise RuntimeError("Sender.start() was not awaited")
        if method is CallbackMethod.GET:
            separator = "&" if urlsplit(url).query else "?"
            target, body, extra = (f"{url}{separator}{urlencode(params)}" if params else url), None, {}
        else:
            target, body = url, urlencode(params).encode()
            extra = {"Content-Type": "application/x-www-form-urlencoded"}
        queued = time.perf_counter()
        async with self._queue(url):
            started = time.perf_counter()
            try:
                async with self._session.request(
                    method.value,
                    URL(target, encoded=True),  # sent exactly as built, not re-quoted
                    data=body,
                    headers={**headers, **extra},
                    timeout=aiohttp.ClientTimeout(total=timeout),
                    allow_redirects=False,
                ) as response:
                    await response.read()
                    status = response.status
            except TimeoutError:
                return Outcome(None, _ms(started), f"timeout after {timeout:g} s", _ms(queued) - _ms(started))
            except aiohttp.ClientError as exc:
                return Outcome(None, _ms(started), _describe(exc), _ms(queued) - _ms(started))
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(status, _ms(started), error, _ms(queued) - _ms(started))


def _describe(exc: aiohttp.ClientError) -> str:
    """A transport failure, in words a webhook author recognises."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or str(exc.os_error) or "refused"
        return f"cannot connect to {exc.host}:{exc.port}: {reason.lower()}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the receiver closed the connection without answering"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
