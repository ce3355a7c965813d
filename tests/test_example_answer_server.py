"""The example answer server (examples/answer-server/app.py) driven through the emulator: two
callers dial in, meet in the recorded MPC, and every request it gets is signed as Plivo signs."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx2 as httpx
import pytest
import uvicorn

from tests.callback_helpers import Harness
from tests.helpers import MAIN

APP = Path(__file__).resolve().parent.parent / "examples" / "answer-server" / "app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_answer_server", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ModuleType]]:
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", MAIN.auth_token)
    module = load_example()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(module.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}", module
    server.should_exit = True
    thread.join(5)


def test_two_callers_meet_in_the_recorded_mpc(harness: Harness, example: tuple[str, ModuleType]) -> None:
    h = harness
    base, module = example
    hooks = {"hangup_url": f"{base}/hangup"}
    agent = h.control.dial_in("14155550100", "14155550123", f"{base}/answer", MAIN.auth_id, **hooks)
    h.advance(0)
    assert [e["EventName"] for e in module.EVENTS] == ["MPCInitialized", "MPCStart", "ParticipantJoin"]
    customer = h.control.dial_in("14155550177", "14155550123", f"{base}/answer", MAIN.auth_id, **hooks)
    h.advance(1.6)  # "This call is recorded." (four words: 1.6 s), then the customer joins
    h.advance(1.4)  # the recording began with the second member: Initiated 1-1.5 s later
    names = [e.get("EventName") for e in module.EVENTS]
    assert names[3:] == ["ParticipantJoin", "MPCRecordingInitiated"], names
    h.advance(60)
    h.api.delete(f"Call/{customer['call_uuid']}/")  # the customer hangs up: the agent stays (stayAlone)
    h.api.delete(f"Call/{agent['call_uuid']}/")
    h.advance(5)
    names = [e.get("EventName") or e.get("Event") for e in module.EVENTS]
    assert names.count("Hangup") == 2 and "MPCEnd" in names and names[-1] != "MPCRecordingInitiated"
    completed = next(e for e in module.EVENTS if e.get("EventName") == "MPCRecordingCompleted")
    assert completed["RecordingDuration"] == "61", "from the customer's arrival (1.6 s) to the end (63 s)"
    assert httpx.get(f"{base}/events").json() == module.EVENTS
    assert {e["state"] for e in h.journal()} == {"delivered"}, "the example accepted every signature"
