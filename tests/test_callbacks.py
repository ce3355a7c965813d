"""Recording callbacks end to end: a real receiver, the shipped scenarios, a manual clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.callback_helpers import (
    RECORDING_KEYS,
    Harness,
    assert_signed,
    due_seconds,
    harness_for,
    plivo_seconds,
)
from tests.helpers import MAIN, PlivoHTTP, assert_plivo_error, in_process
from tests.receiver import Receiver


def seed(h: Harness, name: str, members: tuple[str, ...] = ("10", "11")) -> dict:
    return h.api.seed_mpc(name, members, stay_alone=True)


# ------------------------------------------------------------ the default scenario


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("query", ["", "?tenant=acme&x=1"])
def test_default_scenario_full_sequence(harness: Harness, method: str, query: str) -> None:
    h = harness
    mpc = seed(h, "standup")
    url = h.receiver.url("/hooks/recording" + query)
    started = h.start(url=url, method=method, file_format="wav")
    h.advance(5)
    h.call("POST", "MultiPartyCall/name_standup/Record/Pause/")
    h.advance(30)  # 5 s recorded, then 30 s paused
    h.call("POST", "MultiPartyCall/name_standup/Record/Resume/")
    h.advance(20)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    result = h.advance(10)
    assert [c["event"] for c in result["callbacks"]] == ["MPCRecordingCompleted"]

    received = h.receiver.received
    assert h.events() == [
        ("MPCRecordingInitiated", "1"),
        ("MPCRecordingPaused", "2"),
        ("MPCRecordingResumed", "3"),
        ("MPCRecordingCompleted", "4"),
    ]
    for request in received:
        assert request.method == method and request.path == "/hooks/recording"
        params = (
            request.form
            if method == "POST"
            else {k: v for k, v in request.params.items() if k not in ("tenant", "x")}
        )
        assert set(params) == RECORDING_KEYS
        assert all(isinstance(v, str) for v in params.values())
        assert params["RecordingUUID"] == started["recording_id"]
        assert params["RecordingURL"] == started["recording_url"]
        assert params["RecordingResourceURL"] == started["recording_url"].rsplit(".", 1)[0] + "/"
        assert (params["MPCName"], params["MPCUUID"], params["RecordingFormat"]) == (
            "standup",
            mpc["mpc_uuid"],
            "wav",
        )
        assert params["RecordingStartTime"] == "2026-03-01 09:00:00+00:00"
        assert_signed(request, url)
        if method == "POST":
            assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        if query:
            assert "tenant=acme" in request.query, "the callback URL's own query string is kept"
    first, paused, resumed, completed = (r.params for r in received)
    # EventTimestamp: when each event occurred (start, pause, resume, stop).
    occurred = [plivo_seconds(p["EventTimestamp"]) for p in (first, paused, resumed, completed)]
    assert occurred == [0, 5, 35, 55]
    # Sent on the default timeline: Initiated 1-1.5 s after start, Paused/Resumed 0.5-1 s after the
    # call, Completed 3-3.5 s after the stop.
    dues = [due_seconds(e) for e in h.journal()]
    assert dues[:3] == [1, 5, 35] and dues[3] in (58, 59)
    assert first["RecordingDuration"] == paused["RecordingDuration"] == resumed["RecordingDuration"] == "-1"
    assert first["RecordingEndTime"] == "-1"
    assert completed["RecordingDuration"] == "25", "5 s + 20 s recorded; the 30 s pause is excluded"
    assert completed["RecordingEndTime"] == "2026-03-01 09:00:55+00:00"
    entries = h.journal(recording_id=started["recording_id"])
    assert [e["state"] for e in entries] == ["delivered"] * 4
    assert all(e["attempts"][0]["status"] == 200 and e["attempts"][0]["late_ms"] == 0 for e in entries)


def test_participant_recording_callbacks(harness: Harness) -> None:
    h = harness
    seed(h, "standup")
    started = h.start(path="Participant/10/Record/", record_track_type="both")
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_standup/Participant/10/Record/", record_track_type="both")
    h.advance(10)
    received = h.receiver.received
    assert len(received) == 4
    by_recording: dict[str, list[str]] = {}
    for request in received:
        p = request.form
        assert set(p) == RECORDING_KEYS | {"MemberID"} and p["MemberID"] == "10"
        assert p["EventName"].startswith("ParticipantRecording")
        by_recording.setdefault(p["RecordingUUID"], []).append(p["EventName"])
        assert_signed(request, h.receiver.url())
    assert len(by_recording) == 2 and started["recording_id"] in by_recording
    assert all(
        events == ["ParticipantRecordingInitiated", "ParticipantRecordingCompleted"]
        for events in by_recording.values()
    )


def test_leaving_and_ending_complete_recordings(harness: Harness) -> None:
    h = harness
    seed(h, "standup", ("10", "11", "12"))
    h.start(path="Participant/12/Record/")
    h.start()
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_standup/Participant/12/")  # member 12 leaves
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_standup/")  # the MPC ends
    h.advance(10)
    completed = [r.form for r in h.receiver.received if r.form["EventName"].endswith("Completed")]
    assert [(c["EventName"], c["RecordingDuration"]) for c in completed] == [
        ("ParticipantRecordingCompleted", "10"),
        ("MPCRecordingCompleted", "20"),
    ]


def test_no_callback_url_no_callbacks(harness: Harness) -> None:
    h = harness
    seed(h, "standup")
    assert h.api.post("MultiPartyCall/name_standup/Record/").status_code == 202
    h.advance(60)
    assert h.receiver.received == [] and h.journal() == []


# ------------------------------------------------------------ shipped scenarios


def test_pause_resume_scenario(harness: Harness) -> None:
    h = harness
    seed(h, "pause-resume-demo")
    h.start("pause-resume-demo")
    h.advance(60)
    assert [e for e, _ in h.events()] == [
        "MPCRecordingInitiated",
        "MPCRecordingPaused",
        "MPCRecordingResumed",
        "MPCRecordingCompleted",
    ]
    times = [plivo_seconds(r.params["EventTimestamp"]) for r in h.receiver.received]
    assert times == [0, 10, 25, 40], "start, then the scenario's pause, resume and stop"
    assert [due_seconds(e) for e in h.journal()] == [1, 10, 25, 43]
    assert h.receiver.received[-1].params["RecordingDuration"] == "25"
    assert all(e["scenario"] == "pause-resume" for e in h.journal())
    (recording,) = h.api.control.state(MAIN.auth_id)["recordings"]
    assert (recording["state"], recording["failure_reason"]) == ("completed", None), "stopped, not failed"


def test_fails_midway_scenario(harness: Harness) -> None:
    h = harness
    seed(h, "fail-demo")
    h.start("fail-demo", path="Participant/10/Record/")
    h.advance(60)
    assert h.events() == [("ParticipantRecordingInitiated", "1"), ("ParticipantRecordingFailed", "2")]
    failed = h.receiver.received[-1].params
    assert (plivo_seconds(failed["EventTimestamp"]), failed["RecordingDuration"]) == (20, "20")
    assert due_seconds(h.journal(event="ParticipantRecordingFailed")[0]) == 21
    state = h.api.control.state(MAIN.auth_id)
    assert state["recordings"][0]["state"] == "failed"
    assert state["recordings"][0]["failure_reason"] == "media server lost the stream"
    assert_plivo_error(
        h.api.post("MultiPartyCall/name_fail-demo/Participant/10/Record/Pause/"), 400, "no 'all'"
    )


def test_slow_processing_scenario(harness: Harness) -> None:
    h = harness
    seed(h, "slow-demo")
    h.start("slow-demo")
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_slow-demo/Record/")
    h.advance(44)
    assert [e for e, _ in h.events()] == ["MPCRecordingInitiated"], "still processing"
    assert h.journal(event="MPCRecordingCompleted", state="pending")
    h.advance(17)
    completed = h.receiver.received[-1].params
    assert completed["EventName"] == "MPCRecordingCompleted"
    assert plivo_seconds(completed["EventTimestamp"]) == 10, "it occurred at the stop"
    assert 55 <= due_seconds(h.journal(event="MPCRecordingCompleted")[0]) <= 70, "sent once processed"


def test_long_call_scenario_hits_max_duration(harness: Harness) -> None:
    h = harness
    mpc = seed(h, "long-demo")
    h.start("long-demo")
    h.advance(3599)
    assert h.api.get("MultiPartyCall/name_long-demo/").json()["status"] == "Active"
    h.advance(10)
    ended = h.api.get(f"MultiPartyCall/uuid_{mpc['mpc_uuid']}/").json()
    assert (ended["status"], ended["termination_cause_code"], ended["duration"]) == ("Ended", 2000, 3600)
    assert ended["termination_cause"] == "Max Duration Reached"
    completed = h.receiver.received[-1].params
    assert (completed["EventName"], completed["RecordingDuration"]) == ("MPCRecordingCompleted", "3600")
    assert plivo_seconds(completed["EventTimestamp"]) == 3600
    assert due_seconds(h.journal(event="MPCRecordingCompleted")[0]) == 3605


def test_flaky_delivery_scenario(harness: Harness) -> None:
    h = harness
    seed(h, "flaky-demo")
    h.start("flaky-demo")
    h.advance(5)
    assert h.receiver.received == [], "Initiated is held back until the next callback overtakes it"
    h.call("POST", "MultiPartyCall/name_flaky-demo/Record/Pause/")
    h.advance(5)
    h.call("DELETE", "MultiPartyCall/name_flaky-demo/Record/")
    h.advance(10)
    assert h.events() == [
        ("MPCRecordingPaused", "2"),
        ("MPCRecordingInitiated", "1"),
        ("MPCRecordingCompleted", "3"),
        ("MPCRecordingCompleted", "3"),
    ]
    first, second = h.receiver.received[2:]
    assert first.form == second.form, "the duplicate carries the same parameters"
    assert first.headers["X-Plivo-Signature-V3-Nonce"] != second.headers["X-Plivo-Signature-V3-Nonce"]
    for request in h.receiver.received:
        assert_signed(request, h.receiver.url())
    duplicate = h.journal(event="MPCRecordingCompleted")[1]
    assert duplicate["duplicate_of"] == duplicate["id"].removesuffix("-dup")


# ------------------------------------------------------- choosing a scenario


def test_scenario_chosen_by_header(harness: Harness) -> None:
    h = harness
    seed(h, "standup")
    response = h.api.post(
        "MultiPartyCall/name_standup/Record/",
        {"recording_callback_url": h.receiver.url()},
        headers={"X-Emulator-Scenario": "fails-midway"},
    )
    assert response.status_code == 202
    h.advance(30)
    assert [e for e, _ in h.events()] == ["MPCRecordingInitiated", "MPCRecordingFailed"]
    bad = h.api.post("MultiPartyCall/name_standup/Record/", {}, headers={"X-Emulator-Scenario": "nope"})
    assert_plivo_error(bad, 400, "unknown scenario 'nope'", "fails-midway")


def test_record_true_on_add_participant_sends_get_callbacks(harness: Harness) -> None:
    h = harness
    body = {
        "role": "agent",
        "from": "14155550100",
        "to": "14155550101",
        "record": True,
        "recording_callback_url": h.receiver.url(),
    }
    assert h.api.post("MultiPartyCall/name_standup/Participant/", body).status_code == 201
    h.advance(5)
    (request,) = h.receiver.received
    assert request.method == "GET" and request.params["EventName"] == "MPCRecordingInitiated"
    assert_signed(request, h.receiver.url())


def test_scenarios_listing(harness: Harness) -> None:
    body = harness.api.control.scenarios()
    names = [s["name"] for s in body["scenarios"]]
    assert body["default"] == "default"
    assert {
        "default",
        "pause-resume",
        "fails-midway",
        "slow-processing",
        "long-call",
        "flaky-delivery",
        "transcription-fails",
    } <= set(names)
    pause = next(s for s in body["scenarios"] if s["name"] == "pause-resume")
    assert (
        pause["match"] == {"mpc_name": "pause-resume*"} and pause["source"] == "scenarios/pause-resume.yaml"
    )


# --------------------------------------------------------------------- clock API


def test_clock_endpoint(harness: Harness) -> None:
    h = harness
    clock = h.api.control.clock()
    assert clock == {"mode": "manual", "speed": 1.0, "now": "2026-03-01T09:00:00+00:00", "pending": 0}
    seed(h, "standup")
    h.start()
    pending = h.api.control.clock()["pending"]
    assert pending == 2, "the Initiated callback and the MPC's max_duration timer"
    moved = h.advance(1.5)
    assert moved["now"] == "2026-03-01T09:00:01.500000+00:00"
    for bad in ({"seconds": -1}, {"seconds": "ten"}, {"seconds": True}, {}):
        assert_plivo_error(h.api.client.post("/__emulator__/clock/advance", json=bad), 400, "seconds")


def test_advance_needs_a_manual_clock(api: PlivoHTTP) -> None:
    assert api.control.clock()["mode"] == "manual", "the shared fixture is manual"
    with in_process(clock="real") as real:
        response = real.client.post("/__emulator__/clock/advance", json={"seconds": 1})
        assert_plivo_error(response, 409, "--clock manual")


# ------------------------------------------- every shipped scenario, every transport

INIT, PAUSE, RESUME, DONE, FAIL = (
    "MPCRecordingInitiated",
    "MPCRecordingPaused",
    "MPCRecordingResumed",
    "MPCRecordingCompleted",
    "MPCRecordingFailed",
)
SHIPPED_FLOWS = {
    "default": (
        "standup",
        ["advance 5", "pause", "advance 5", "resume", "advance 5", "stop", "advance 10"],
        [INIT, PAUSE, RESUME, DONE],
    ),
    "pause-resume": ("pause-resume-x", ["advance 60"], [INIT, PAUSE, RESUME, DONE]),
    "fails-midway": ("fail-x", ["advance 60"], [INIT, FAIL]),
    "slow-processing": ("slow-x", ["advance 5", "stop", "advance 70"], [INIT, DONE]),
    "long-call": ("long-x", ["advance 3700"], [INIT, DONE]),
    "flaky-delivery": (
        "flaky-x",
        ["advance 5", "pause", "advance 5", "stop", "advance 10"],
        [PAUSE, INIT, DONE, DONE],
    ),
}


@pytest.mark.parametrize("scenario", sorted(SHIPPED_FLOWS))
@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("query", ["", "?source=emulator&note=two+words"])
def test_every_shipped_scenario_delivers_signed_callbacks(
    harness: Harness, scenario: str, method: str, query: str
) -> None:
    h = harness
    name, steps, expected = SHIPPED_FLOWS[scenario]
    seed(h, name)
    url = h.receiver.url("/plivo/recording" + query)
    started = h.start(name, url=url, method=method)
    actions = {
        "pause": ("POST", "Record/Pause/"),
        "resume": ("POST", "Record/Resume/"),
        "stop": ("DELETE", "Record/"),
    }
    for step in steps:
        if step.startswith("advance"):
            h.advance(float(step.split()[1]))
        else:
            verb, path = actions[step]
            h.call(verb, f"MultiPartyCall/name_{name}/{path}")
    assert [e for e, _ in h.events()] == expected
    for request in h.receiver.received:
        assert request.method == method
        assert_signed(request, url)
        assert request.params["RecordingUUID"] == started["recording_id"]
    entries = h.journal()
    assert {e["scenario"] for e in entries} == {scenario}
    assert {e["state"] for e in entries} == {"delivered"}


def test_event_timestamps_never_run_against_sequence_numbers(receiver: Receiver, tmp_path: Path) -> None:
    """EventTimestamp is when the event occurred: a slow Initiated does not date it after a quick Paused."""
    scenario = "name: slow-start\ndefault: true\ntimeline: {initiated: 5, paused: 0.5}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        seed(h, "standup")
        h.start()
        h.advance(2)
        h.call("POST", "MultiPartyCall/name_standup/Record/Pause/")
        h.advance(10)
        journal = h.journal()
        sent = [
            (e["params"]["SequenceNumber"], plivo_seconds(e["params"]["EventTimestamp"])) for e in journal
        ]
        assert sent == [("1", 0), ("2", 2)]
        assert [due_seconds(e) for e in journal] == [5, 2], "Paused was due before Initiated"
