"""Delivery under faults, the journal, seeds and repeatability."""

from __future__ import annotations

import socket
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest

from emulator import Settings, create_app
from tests.callback_helpers import Harness, assert_signed, harness_for, live_mpc
from tests.helpers import MAIN, OTHER, StartServer, assert_plivo_error
from tests.receiver import Receiver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -------------------------------------------------------------- receiver faults


def test_receiver_down_is_retried_then_given_up(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    url = f"http://127.0.0.1:{free_port()}/cb"  # nothing listens there
    h.start(url=url)
    h.advance(1.4)
    (entry,) = h.journal()
    assert entry["state"] == "pending" and len(entry["attempts"]) == 1
    assert entry["attempts"][0]["error"].startswith(f"cannot connect to 127.0.0.1:{url.split(':')[2][:-3]}: ")
    h.advance(60)
    (entry,) = h.journal()
    assert entry["state"] == "failed"
    # Default policy: 4 attempts, 1 s, 2 s and 4 s apart (emulated time).
    times = [a["time"] for a in entry["attempts"]]
    assert len(times) == 4
    from datetime import datetime

    gaps = [
        (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() for a, b in pairwise(times)
    ]
    assert gaps == [1.0, 2.0, 4.0]
    assert all(a["status"] is None for a in entry["attempts"])


def test_server_errors_are_retried_until_success(harness: Harness) -> None:
    h = harness
    h.receiver.answer(lambda n, path: (500 if n <= 2 else 200, 0.0))
    h.api.seed_mpc("standup")
    h.start()
    h.advance(30)
    (entry,) = h.journal()
    assert entry["state"] == "delivered"
    assert [a["status"] for a in entry["attempts"]] == [500, 500, 200]
    assert [a["error"] for a in entry["attempts"]] == ["HTTP 500", "HTTP 500", None]
    assert len(h.receiver.received) == 3
    nonces = {r.headers["X-Plivo-Signature-V3-Nonce"] for r in h.receiver.received}
    assert len(nonces) == 3, "each attempt is a new request with a fresh nonce"
    for request in h.receiver.received:
        assert_signed(request, h.receiver.url())


def test_a_retrying_callback_holds_its_recordings_lane(harness: Harness) -> None:
    h = harness
    h.receiver.answer(lambda n, path: (503 if n == 1 else 200, 0.0))
    h.api.seed_mpc("standup", stay_alone=True)
    h.start()
    h.advance(1.2)  # Initiated fails once; its retry is due 1 s later
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.start(path="Participant/10/Record/")  # another recording: its own lane
    h.advance(60)
    events = [r.params["EventName"] for r in h.receiver.received]
    mpc_events = [e for e in events if e.startswith("MPC")]
    assert mpc_events == ["MPCRecordingInitiated", "MPCRecordingInitiated", "MPCRecordingCompleted"], (
        "Completed waited for Initiated's retry"
    )
    assert "ParticipantRecordingInitiated" in events


def test_slow_receiver_times_out_and_the_api_stays_responsive(receiver: Receiver, tmp_path: Path) -> None:
    scenario = "name: fast-timeout\ndefault: true\ndelivery:\n  timeout: 0.3\n  retry_backoff: [1]\n"
    receiver.answer(lambda n, path: (200, 1.0))  # answers after 1 s: too late
    with harness_for(receiver, tmp_path, scenario) as h:
        h.api.seed_mpc("standup")
        h.start()
        done = threading.Event()
        result: dict = {}

        def advance() -> None:
            result.update(h.advance(10))
            done.set()

        thread = threading.Thread(target=advance)
        thread.start()
        # While the deliveries hang on the slow receiver, the API answers.
        for _ in range(5):
            assert h.api.get("MultiPartyCall/name_standup/").status_code == 200
        thread.join(20)
        assert done.is_set()
        (entry,) = h.journal()
        assert entry["state"] == "failed"
        assert [a["error"] for a in entry["attempts"]] == ["timeout after 0.3 s"] * 2
        assert all(a["latency_ms"] >= 250 for a in entry["attempts"])


def test_refused_hosts_are_never_called(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    h.start(url="https://8.8.8.8/plivo")  # a public address: not local
    h.advance(30)
    (entry,) = h.journal()
    assert entry["state"] == "failed" and len(entry["attempts"]) == 1, "a refused host is not retried"
    assert entry["attempts"][0]["error"] == (
        "refused: 8.8.8.8 is a public address (allow it with --callback-host)"
    )


def test_https_receivers_with_a_local_ca(tmp_path: Path) -> None:
    from emulator.tls import prepare_tls

    files = prepare_tls(tmp_path / "receiver", ("127.0.0.1", "localhost"))
    with Receiver(tls=(files.cert, files.key)) as secure:
        with harness_for(secure) as h:
            h.api.seed_mpc("standup")
            h.start()
            h.advance(10)
            (entry,) = h.journal()
            assert entry["state"] == "failed" and "certificate" in entry["attempts"][0]["error"].lower()
            assert secure.received == []
        with harness_for(secure, callback_ca=files.ca_cert) as h:
            h.api.seed_mpc("standup")
            h.start()
            h.advance(10)
            (entry,) = h.journal()
            assert entry["state"] == "delivered" and entry["url"].startswith("https://")
            assert_signed(secure.received[0], entry["url"])


# ---------------------------------------------------------------------- journal


def test_journal_filters(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    first = h.start()
    h.start(path="Participant/10/Record/")
    h.advance(5)
    assert len(h.journal()) == 2
    assert [e["recording_id"] for e in h.journal(recording_id=first["recording_id"])] == [
        first["recording_id"]
    ]
    assert len(h.journal(event="ParticipantRecordingInitiated")) == 1
    assert len(h.journal(state="delivered", auth_id=MAIN.auth_id)) == 2
    assert h.journal(state="failed") == [] and h.journal(auth_id=OTHER.auth_id) == []
    entry = h.journal()[0]
    assert {"url", "method", "params", "headers", "state", "attempts"} <= set(entry)
    assert {"time", "status", "latency_ms", "error"} <= set(entry["attempts"][0])
    assert_plivo_error(h.api.client.get("/__emulator__/callbacks", params={"state": "lost"}), 400, "state")
    assert_plivo_error(h.api.client.get("/__emulator__/callbacks", params={"wait": "-1"}), 400, "wait")


def test_long_poll_waits_for_callbacks(receiver: Receiver, start_server: StartServer) -> None:
    server = start_server(speed=20)
    session, mpc = live_mpc(server, "standup")
    session.post(mpc + "Record/", json={"recording_callback_url": receiver.url()})
    session.delete(mpc + "Record/")
    # Completed is due about 3-4 emulated seconds later (0.2 s of real time at speed 20).
    waited = session.get(
        f"{server.url}/__emulator__/callbacks",
        params={"event": "MPCRecordingCompleted", "state": "delivered", "wait": 10, "min_count": 1},
    ).json()
    assert waited["satisfied"] is True and waited["count"] == 1
    assert receiver.received[-1].params["EventName"] == "MPCRecordingCompleted"
    started = time.monotonic()
    none = session.get(
        f"{server.url}/__emulator__/callbacks", params={"event": "MPCRecordingFailed", "wait": 0.3}
    ).json()
    assert none == {"callbacks": [], "count": 0, "satisfied": False, "truncated": False}
    assert time.monotonic() - started >= 0.25, "it waited for the timeout"


def test_journal_is_capped(receiver: Receiver) -> None:
    with harness_for(receiver, journal_size=3) as h:
        h.api.seed_mpc("standup", ("10", "11", "12"))
        for member in ("10", "11", "12"):
            h.start(path=f"Participant/{member}/Record/")
        h.start()
        h.advance(5)
        entries = h.journal()
        assert len(entries) == 3, "only the newest 3 are kept"
        assert len(receiver.received) == 4, "evicted entries are still delivered"


def test_reset_clears_journal_and_pending_callbacks(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup")
    h.start()
    h.advance(5)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    assert h.journal(state="pending")
    h.api.control.reset(MAIN.auth_id)
    assert h.journal() == []
    h.advance(60)
    assert [r.params["EventName"] for r in h.receiver.received] == ["MPCRecordingInitiated"]
    assert h.api.control.clock()["pending"] == 0


# ------------------------------------------------------------------------ seeds


SEEDED = """\
name: with-seeds
seed:
  - friendly_name: support-line
    stay_alone: true
    participants:
      - {member_id: "10", role: agent}
      - {member_id: "11", role: customer, mute: true}
  - account: MAOTHERACCOUNT000001
    friendly_name: other-only
    participants: [{}]
"""


def test_seeds_at_start_and_after_reset(receiver: Receiver, tmp_path: Path) -> None:
    with harness_for(receiver, tmp_path, SEEDED) as h:
        mine = h.api.get("MultiPartyCall/").json()["objects"]
        assert [m["friendly_name"] for m in mine] == ["support-line"]
        member = h.api.get("MultiPartyCall/name_support-line/Participant/11/").json()
        assert (member["role"], member["mute"]) == ("customer", True)
        theirs = h.api.as_account(OTHER).get("MultiPartyCall/").json()["objects"]
        assert sorted(m["friendly_name"] for m in theirs) == ["other-only", "support-line"]
        h.call("DELETE", "MultiPartyCall/name_support-line/")
        h.api.client.post("/__emulator__/reset")
        again = h.api.get("MultiPartyCall/").json()["objects"]
        assert [(m["friendly_name"], m["status"]) for m in again] == [("support-line", "Active")]
        assert again[0]["mpc_uuid"] == mine[0]["mpc_uuid"], "a reset replays the same ids"
        new = {"auth_id": "MANEWWORKER000000001", "auth_token": "t"}
        assert h.api.client.post("/__emulator__/accounts", json=new).status_code == 201
        assert h.api.client.get("/__emulator__/accounts").json()["accounts"][-1] == {
            "auth_id": "MANEWWORKER000000001",
            "mpcs": 1,
        }


def test_a_seed_for_an_unknown_account_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "name: s\nseed:\n  - account: MANOBODY000000000001\n    friendly_name: x\n"
    )
    from emulator.delivery.scenarios import ScenarioErrors

    with pytest.raises(ScenarioErrors, match=r"s.yaml:3: seed.account: account MANOBODY000000000001 is not"):
        create_app(Settings(scenario_paths=(tmp_path,)))


# ---------------------------------------------------------------- repeatability


def run_golden(receiver: Receiver) -> list[tuple[str, str, dict[str, str]]]:
    receiver.received.clear()
    with harness_for(receiver) as h:
        h.api.seed_mpc("standup")
        h.start(method="GET")
        h.advance(3)
        h.call("POST", "MultiPartyCall/name_standup/Record/Pause/")
        h.advance(3)
        h.call("DELETE", "MultiPartyCall/name_standup/Record/")
        h.advance(10)
    keep = ("X-Plivo-Signature-V3", "X-Plivo-Signature-V3-Nonce", "X-Plivo-Signature-Ma-V3")
    return [(r.method, r.query, {k: r.headers[k] for k in keep}) for r in receiver.received]


def test_same_seed_same_bytes(receiver: Receiver) -> None:
    first = run_golden(receiver)
    second = run_golden(receiver)
    assert len(first) == 3
    assert first == second, "seed + manual clock: byte-identical callbacks, signatures included"
