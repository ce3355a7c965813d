"""Sending one callback request, the way Plivo's webhook client does.

POST sends the parameters form-encoded; GET appends them to the URL's query.
One pooled async client is shared by every delivery (connection reuse), and
each attempt has its own timeout. Nothing is sent to a host outside the
:class:`HostPolicy`: by default loopback, private networks and names that
cannot be public, so a test can never call a production webhook by mistake.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx2

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

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender:
    def __init__(self, policy: HostPolicy | None = None, *, max_connections: int = 200) -> None:
        self.policy = policy or HostPolicy()
        self.max_connections = max_connections
        self._client: httpx2.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool (in the event loop that will use it)."""
        self._client = httpx2.AsyncClient(
            trust_env=False,  # never through a proxy from the environment
            verify=_tls_context(),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            limits=httpx2.Limits(
                max_connections=self.max_connections, max_keepalive_connections=self.max_connections
            ),
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

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
        if self._client is None:
            raise RuntimeError("Sender.start() was not awaited")
        started = time.perf_counter()
        try:
            if method is CallbackMethod.GET:
                separator = "&" if urlsplit(url).query else "?"
                target = f"{url}{separator}{urlencode(params)}" if params else url
                response = await self._client.get(target, headers=dict(headers), timeout=timeout)
            else:
                response = await self._client.post(
                    url,
                    content=urlencode(params).encode(),
                    headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                    timeout=timeout,
                )
            await response.aread()
        except httpx2.TimeoutException:
            return Outcome(None, _ms(started), f"timeout after {timeout:g} s")
        except httpx2.HTTPError as exc:
            return Outcome(
                None, _ms(started), f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            )
        return Outcome(
            response.status_code,
            _ms(started),
            None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
