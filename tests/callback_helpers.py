"""Helpers for callback tests: an emulator on a manual clock, a receiver, and checks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from plivo.utils.signature_v3 import validate_v3_signature

from emulator import ThreadedServer
from emulator.testing import Advance, Callback, EmulatorControl
from tests.helpers import MAIN, PlivoHTTP, in_process
from tests.receiver import Received, Receiver

RECORDING_KEYS = {
    "EventName",
    "EventTimestamp",
    "MPCName",
    "MPCUUID",
    "RecordingDuration",
    "RecordingEndTime",
    "RecordingFormat",
    "RecordingResourceURL",
    "RecordingStartTime",
    "RecordingURL",
    "RecordingUUID",
    "SequenceNumber",
}


@dataclass
class Harness:
    """An in-process emulator on a manual test clock, with a receiver for its callbacks."""

    api: PlivoHTTP
    receiver: Receiver

    @property
    def control(self) -> EmulatorControl:
        return self.api.control

    def advance(self, seconds: float) -> Advance:
        return self.control.advance(seconds)

    def journal(self, **filters: Any) -> list[Callback]:
        return self.control.callbacks(**filters)

    def start(
        self,
        name: str = "standup",
        path: str = "Record/",
        url: str | None = None,
        method: str = "POST",
        **body: Any,
    ) -> dict[str, Any]:
        payload = {
            "recording_callback_url": url or self.receiver.url(),
            "recording_callback_method": method,
            **body,
        }
        response = self.api.post(f"MultiPartyCall/name_{name}/{path}", payload)
        assert response.status_code in (200, 202), response.text
        return response.json()

    def call(self, method: str, path: str, **body: Any) -> None:
        response = self.api.request(method, path, json=body or None)
        assert response.status_code == 204, response.text

    def events(self) -> list[tuple[str, str]]:
        return [(r.params["EventName"], r.params["SequenceNumber"]) for r in self.receiver.received]


@contextlib.contextmanager
def harness_for(
    receiver: Receiver, scenario_dir: Path | None = None, scenario: str | None = None, **settings: Any
) -> Iterator[Harness]:
    """The emulator in-process on a manual test clock, with optional extra scenario YAML and settings."""
    paths: tuple[Path, ...] = ()
    if scenario is not None and scenario_dir is not None:
        (scenario_dir / "test.yaml").write_text(scenario)
        paths = (scenario_dir,)
    with in_process(clock="manual", scenario_paths=paths, **settings) as api:
        yield Harness(api, receiver)


def live_mpc(server: ThreadedServer, name: str) -> tuple[requests.Session, str]:
    """A session with the main account's credentials, and the Plivo URL of a fresh two-member MPC."""
    session = requests.Session()
    session.auth = (MAIN.auth_id, MAIN.auth_token)
    server.control().create_mpc(MAIN.auth_id, name, members=({}, {}))
    return session, f"{server.url}/v1/Account/{MAIN.auth_id}/MultiPartyCall/name_{name}/"


def assert_signed(received: Received, configured_url: str, token: str = MAIN.auth_token) -> None:
    """The request validates with the official SDK's validator, V3 and Ma-V3."""
    nonce = received.headers["X-Plivo-Signature-V3-Nonce"]
    params = received.form if received.method == "POST" else received.params
    assert validate_v3_signature(
        received.method, configured_url, nonce, token, received.headers["X-Plivo-Signature-V3"], dict(params)
    ), received
    assert validate_v3_signature(
        received.method,
        configured_url,
        nonce,
        token,
        received.headers["X-Plivo-Signature-Ma-V3"],
        dict(params),
    )


def due_seconds(entry: Callback) -> int:
    """Seconds since the test clock's start of a journal entry's due time (when it is sent)."""
    from datetime import datetime

    moment = datetime.fromisoformat(entry["due"]).replace(tzinfo=None)
    return int((moment - datetime(2026, 3, 1, 9, 0, 0)).total_seconds())


def plivo_seconds(timestamp: str) -> int:
    """Seconds since 2026-03-01 09:00:00 (the test clock's start) of a Plivo timestamp."""
    from datetime import datetime

    moment = datetime.strptime(timestamp, "%Y-%m-%d %H:%M:%S+00:00")
    return int((moment - datetime(2026, 3, 1, 9, 0, 0)).total_seconds())
