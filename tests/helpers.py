"""Shared test helpers: accounts, a hand-driven clock, and a thin Plivo HTTP client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx

from emulator.config import DEFAULT_ACCOUNT
from emulator.delivery.clock import EmulatedClock
from emulator.domain.backend import Credentials

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

    def seed_mpc(self, name: str = "standup", members: tuple[str, ...] = ("10", "11"), **extra: Any) -> dict:
        """An Active MPC with the given members, made through the control plane."""
        body = {"friendly_name": name, "participants": [{"member_id": m} for m in members], **extra}
        response = self.client.post(f"/__emulator__/accounts/{self.creds.auth_id}/mpcs", json=body)
        assert response.status_code == 201, response.text
        return response.json()


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
