"""Shared test helpers: accounts, a hand-driven clock, a thin Plivo HTTP client, and the suite's
in-process emulator.

The suite starts emulators two ways only: in-process (:func:`in_process`, Starlette's TestClient,
no port) and as a real server (the ``start_server`` and ``server`` fixtures of conftest.py). Both
are driven through :class:`EmulatorControl` for the control plane.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import httpx2 as httpx
from starlette.testclient import TestClient

from emulator import Settings, ThreadedServer, create_app
from emulator.config import DEFAULT_ACCOUNT
from emulator.delivery.clock import EmulatedClock
from emulator.domain.credentials import Credentials
from emulator.testing import EmulatorControl, client_transport

MAIN = DEFAULT_ACCOUNT
OTHER = Credentials("MAOTHERACCOUNT000001", "other-token")
SUB = Credentials("SASUBACCOUNT00000001", "sub-token")
ACCOUNTS = (MAIN, OTHER, SUB)
SEED = 4242


class FakeClock(EmulatedClock):
    """A manual clock the test moves by hand (no scheduled job fires: that is the scheduler's job)."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)) -> None:
        super().__init__("manual", start=start)

    def advance(self, seconds: float) -> None:
        self.move_to(self.now() + timedelta(seconds=seconds))


@dataclass
class PlivoHTTP:
    """Requests to ``/v1/Account/{auth_id}/...`` with Basic auth preset."""

    client: httpx.Client
    creds: Credentials = MAIN

    def url(self, path: str, auth_id: str | None = None) -> str:
        return f"/v1/Account/{auth_id or self.creds.auth_id}/{path}"

    def request(self, method: str, path: str, *, auth: Any = "default", **kwargs: Any) -> httpx.Response:
        if auth == "default":
            auth = (self.creds.auth_id, self.creds.auth_token)
        return self.client.request(method, self.url(path), auth=auth, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def delete(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, json=json, **kwargs)

    def as_account(self, creds: Credentials) -> PlivoHTTP:
        return PlivoHTTP(self.client, creds)

    @cached_property
    def control(self) -> EmulatorControl:
        """The control plane of the same emulator, through the same client."""
        return EmulatorControl(str(self.client.base_url), transport=client_transport(self.client))

    def seed_mpc(
        self, name: str = "standup", members: tuple[str | dict[str, Any], ...] = ("10", "11"), **extra: Any
    ) -> dict:
        """An Active MPC with the given members, made through the control plane."""
        return self.control.create_mpc(self.creds.auth_id, name, members=members, **extra)


def suite_settings(**overrides: Any) -> Settings:
    """The suite's settings: its seed and accounts, quiet logs; ``overrides`` on top."""
    return Settings(**{"seed": SEED, "accounts": ACCOUNTS, "log_level": "warning", **overrides})


@contextlib.contextmanager
def in_process(test_clock: EmulatedClock | None = None, **overrides: Any) -> Iterator[PlivoHTTP]:
    """The emulator in-process, on ``test_clock`` (default: a fresh :class:`FakeClock`, unless the
    settings ask for a real clock)."""
    if test_clock is None and overrides.get("clock") != "real":
        test_clock = FakeClock()
    app = create_app(suite_settings(**overrides), clock=test_clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield PlivoHTTP(client)


def assert_plivo_error(response: httpx.Response, status: int, *fragments: str) -> dict:
    """A Plivo-shaped error: the status, JSON {api_id, error}, and the expected words in it."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"api_id", "error"}, body
    assert isinstance(body["api_id"], str) and len(body["api_id"]) == 36
    for fragment in fragments:
        assert fragment in body["error"], (fragment, body["error"])
    return body


# The start_server fixture: ``start_server(**settings)`` -> a started real server.
StartServer = Callable[..., ThreadedServer]


def real_server(**overrides: Any) -> ThreadedServer:
    """A started real server on a free loopback port (the fixtures' one way to make one; a module-
    or session-scoped fixture calls it and stops the server itself)."""
    return ThreadedServer(suite_settings(port=0, **overrides)).start()
