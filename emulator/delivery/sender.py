"""Sending one callback request, the way Plivo's webhook client does.

POST sends the parameters form-encoded; GET appends them to the URL's query.
One pooled async client is shared by every delivery (connection reuse), and
each attempt has one deadline for connecting, the answer's headers and a bounded
prefix of its body. Nothing is sent to an address outside the :class:`HostPolicy`
(``destinations.py`` has the rule): by default loopback and private networks, judged
on the resolved address, so a test can never call a production webhook by mistake.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
from yarl import URL

from emulator.delivery.destinations import HostPolicy, PolicyResolver, describe_refusal
from emulator.domain.values import CallbackMethod
from emulator.version import __version__

USER_AGENT = f"plivo-mpc-emulator/{__version__} (emulated Plivo callbacks)"

# How much of a receiver's answer is read and journaled: a receiver answering with gigabytes
# must cost neither memory nor time.
RESPONSE_PREFIX_BYTES = 1024
# How much of an XML document (an answer, music, an exit action) is read: Plivo's limit is 100 KB,
# and one byte more tells a document over it.
XML_READ_BYTES = 100 * 1024 + 1


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Building a verifying context costs tens of milliseconds: once per process is enough.
    return ssl.create_default_context()


def _tls_context_with(ca_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=str(ca_file))
    return context


@dataclass(frozen=True)
class Outcome:
    status: int | None
    latency_ms: float
    error: str | None
    # How long the attempt waited for a free connection to its receiver before being sent.
    queued_ms: float = 0.0
    # The destination policy refused it: nothing was sent, and a retry would be refused too.
    refused: bool = False
    # The first RESPONSE_PREFIX_BYTES of the answer (decoded as UTF-8), and whether there was more.
    body: str | None = None
    body_truncated: bool = False
    # The answer's media type (Content-Type without parameters; "" when the answer had none).
    content_type: str = ""

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
            resolver=PolicyResolver(self.policy),
            use_dns_cache=False,  # each new connection resolves, and the policy judges the answer
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
        read: int = RESPONSE_PREFIX_BYTES,
    ) -> Outcome:
        """One attempt; ``read``: how much of the answer's body to read (and no more)."""
        host = urlsplit(url).hostname or ""
        refused = self.policy.check_literal(host)
        if refused is not None:
            return Outcome(None, 0.0, refused, refused=True)
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
            waited = (started - queued) * 1000
            try:
                # One deadline for connecting, the answer's headers and the part of its body we read.
                async with asyncio.timeout(timeout):
                    answer = await self._exchange(method, target, body, {**headers, **extra}, read)
            except TimeoutError:
                return Outcome(None, _ms(started), f"timeout after {timeout:g} s", waited)
            except aiohttp.ClientError as exc:
                why = describe_refusal(exc)
                if why is not None:
                    return Outcome(None, _ms(started), why, waited, refused=True)
                return Outcome(None, _ms(started), _describe(exc), waited)
            except (ValueError, OSError) as exc:  # a URL the client cannot use after all
                return Outcome(None, _ms(started), f"cannot send: {type(exc).__name__}: {exc}", waited)
        status, prefix, truncated, content_type = answer
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(
            status,
            _ms(started),
            error,
            waited,
            body=prefix,
            body_truncated=truncated,
            content_type=content_type,
        )

    async def _exchange(
        self, method: CallbackMethod, target: str, body: bytes | None, headers: Mapping[str, str], read: int
    ) -> tuple[int, str, bool, str]:
        """Send; read at most ``read`` bytes of the answer (the connection is dropped if more)."""
        assert self._session is not None
        async with self._session.request(
            method.value,
            URL(target, encoded=True),  # sent exactly as built, not re-quoted
            data=body,
            headers=headers,
            allow_redirects=False,
        ) as response:
            data = b""
            while len(data) < read:
                chunk = await response.content.read(read - len(data))
                if not chunk:
                    break
                data += chunk
            truncated = not response.content.at_eof()
            if truncated:
                response.close()  # never drain an answer we will not read
            header = response.headers.get("Content-Type")
            media_type = header.split(";", 1)[0].strip().lower() if header else ""
            return response.status, data.decode("utf-8", "replace"), truncated, media_type


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
