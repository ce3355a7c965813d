"""Time at scale: an hour of 1,000 recordings on the manual clock, and the real clock at speed."""

from __future__ import annotations

import time

from tests.callback_helpers import Harness, live_mpc, plivo_seconds
from tests.helpers import StartServer, in_process
from tests.receiver import Receiver

RECORDINGS = 1000


def test_an_hour_of_a_thousand_recordings_on_the_manual_clock(receiver: Receiver) -> None:
    with in_process(clock="manual") as api:
        h = Harness(api, receiver)
        for i in range(RECORDINGS):
            h.api.seed_mpc(f"long-{i}", ("10", "11"))
            h.start(f"long-{i}")
        wall = time.monotonic()
        result = h.advance(3600 + 10)
        wall = time.monotonic() - wall
        print(f"\n{RECORDINGS} one-hour recordings: advance took {wall:.2f} s of wall time")
        assert len(result["callbacks"]) == 2 * RECORDINGS
        assert {c["state"] for c in result["callbacks"]} == {"delivered"}
        received = receiver.received
        assert len(received) == 2 * RECORDINGS
        completed = [r.form for r in received if r.form["EventName"] == "MPCRecordingCompleted"]
        assert len(completed) == RECORDINGS
        assert {c["RecordingDuration"] for c in completed} == {"3600"}
        assert {c["RecordingEndTime"] for c in completed} == {"2026-03-01 10:00:00+00:00"}
        assert {plivo_seconds(c["EventTimestamp"]) for c in completed} == {3600}
        initiated = [r.form for r in received if r.form["EventName"] == "MPCRecordingInitiated"]
        assert {plivo_seconds(c["EventTimestamp"]) for c in initiated} == {0}
        ended = h.api.get("MultiPartyCall/", params={"status": "ended", "limit": 1}).json()
        assert ended["meta"]["count"] == RECORDINGS
        assert ended["objects"][0]["termination_cause_code"] == 2000


# Documented in docs/scenarios.md: on an idle machine a callback starts within a few milliseconds of its
# due time (bench/ publishes the figures); this bound only catches a scheduler that is grossly wrong.
TOLERANCE_REAL_SECONDS = 0.25


def test_the_real_clock_at_speed_keeps_the_timeline(receiver: Receiver, start_server: StartServer) -> None:
    speed = 20.0
    server = start_server(speed=speed)
    session, mpc = live_mpc(server, "pause-resume-1")
    started = time.monotonic()
    assert session.post(mpc + "Record/", json={"recording_callback_url": receiver.url()}).status_code == 202
    # pause-resume: Initiated at 1 s, Paused at 10.5, Resumed at 25.5, Completed at 43 (emulated).
    received = receiver.wait_for(4, timeout=10)
    expected = [1.0, 10.5, 25.5, 43.0]
    for request, due in zip(received, expected, strict=True):
        real_offset = request.at - started
        assert abs(real_offset - due / speed) < TOLERANCE_REAL_SECONDS, (
            request.params["EventName"],
            real_offset,
        )
    journal = session.get(f"{server.url}/__emulator__/callbacks").json()["callbacks"]
    late = [a["late_ms"] / speed for e in journal for a in e["attempts"]]
    assert max(late) < TOLERANCE_REAL_SECONDS * 1000
    print(f"\nlateness at speed {speed:g}: max {max(late):.1f} ms real time")
