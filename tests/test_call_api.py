"""The Call API (make, live list and get, records, hang up, cancel) and inbound calls: their ring,
answer and hangup requests, signed and journaled, the answer document fetched and checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import plivo
import pytest
from plivo import plivoxml

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from emulator.testing import EmulatorError
from tests.callback_helpers import Harness, assert_signed, harness_for
from tests.helpers import MAIN, assert_plivo_error
from tests.receiver import Receiver

ANSWER = b'<Response><MultiPartyCall role="agent">support</MultiPartyCall></Response>'


def sdk_answer(receiver: Receiver) -> bytes:
    """The answer document as plivo-python's own builder writes it (every default spelled out)."""
    response = plivoxml.ResponseElement()
    response.add(
        plivoxml.MultiPartyCallElement(
            content="support",
            role="Agent",
            record=True,
            recording_callback_url=receiver.url("/recording"),
            status_callback_url=receiver.url("/status"),
            stay_alone=True,
        )
    )
    return response.to_string(False).encode()


@pytest.fixture
def sdk_server(
    start_server: Callable[..., ThreadedServer],
) -> Iterator[tuple[ThreadedServer, plivo.RestClient]]:
    server = start_server(clock="manual")
    with plivo_sdk_pointed_at(server.url):
        yield server, plivo.RestClient(MAIN.auth_id, MAIN.auth_token)


def received(receiver: Receiver, path: str) -> list[dict[str, str]]:
    return [r.params for r in receiver.received if r.url_path == path]


def test_an_outbound_call_through_the_python_sdk(
    sdk_server: tuple[ThreadedServer, plivo.RestClient], receiver: Receiver
) -> None:
    server, client = sdk_server
    control = server.control()
    receiver.bodies["/answer"] = sdk_answer(receiver)
    url = receiver.url
    made = client.calls.create(
        from_="14155550100",
        to_="14155550101",
        answer_url=url("/answer"),
        ring_url=url("/ring"),
        hangup_url=url("/hangup"),
        caller_name="Support",
    )
    assert made.message == "call fired"
    (call_uuid,) = client.live_calls.list_ids().calls
    live = client.live_calls.get(call_uuid)
    assert (live.call_status, live.direction, live.request_uuid, live.caller_name) == (
        "ringing",
        "outbound",
        made.request_uuid,
        "Support",
    )
    control.advance(0)
    (ring,) = received(receiver, "/ring")
    assert (ring["CallStatus"], ring["Event"], ring["CallerName"]) == ("ringing", "Ring", "Support")
    with pytest.raises(plivo.exceptions.ResourceNotFoundError, match="status=live"):
        client.calls.get(call_uuid)
    control.advance(2)  # the far end answers after two seconds: Plivo asks answer_url
    (answer,) = received(receiver, "/answer")
    assert (answer["CallStatus"], answer["Direction"], answer["ALegRequestUUID"]) == (
        "in-progress",
        "outbound",
        made.request_uuid,
    )
    (fetch,) = control.callbacks(event="CallAnswerURL")
    assert fetch["attempts"][0]["reply_check"] == "Response: MultiPartyCall"
    control.advance(1.5)  # MPCRecordingInitiated comes 1-1.5 s after the recording starts
    mpc = client.multi_party_calls.get(friendly_name="support")
    assert (mpc.status, mpc.recording) == ("Active", "recording"), "record=true in the XML"
    (member,) = client.multi_party_calls.list_participants(friendly_name="support").objects
    assert (member.call_uuid, member.role) == (call_uuid, "agent")
    statuses = [p["EventName"] for p in received(receiver, "/status")]
    assert statuses == ["MPCInitialized", "MPCStart", "ParticipantJoin"], "POST, the XML's default"
    assert [p["EventName"] for p in received(receiver, "/recording")] == ["MPCRecordingInitiated"]
    control.advance(60)
    client.calls.delete(call_uuid)  # the member hangs up: it leaves, the MPC ends, the recording completes
    control.advance(5)
    (hangup,) = received(receiver, "/hangup")
    assert (hangup["HangupCause"], hangup["HangupCauseCode"], hangup["HangupSource"], hangup["Duration"]) == (
        "Normal Hangup",
        "4000",
        "API Request",
        "61",
    )
    assert [p["EventName"] for p in received(receiver, "/recording")][-1] == "MPCRecordingCompleted"
    assert received(receiver, "/status")[-1]["EventName"] == "MPCEnd"
    for r in receiver.received:
        assert r.method == "POST"
        assert_signed(r, url(r.url_path))
    record = client.calls.get(call_uuid)
    assert (record.call_direction, record.hangup_cause_code, record.hangup_source) == (
        "outbound",
        4000,
        "API Request",
    )
    times = [
        datetime.strptime(t, "%Y-%m-%d %H:%M:%S+00:00") for t in (record.initiation_time, record.answer_time)
    ]
    assert (times[1] - times[0]).total_seconds() in (2, 3), "answered two seconds after it was placed"
    assert (record.call_duration, record.billed_duration) == (61, 120)
    assert [c.call_uuid for c in client.calls.list().objects] == [call_uuid]
    assert client.live_calls.list_ids().calls == []


def test_hanging_up_and_cancelling(
    sdk_server: tuple[ThreadedServer, plivo.RestClient], receiver: Receiver
) -> None:
    server, client = sdk_server
    hooks: dict[str, Any] = {"answer_url": receiver.url("/answer"), "hangup_url": receiver.url("/hangup")}
    ringing = client.calls.create(from_="14155550100", to_="14155550101", **hooks)
    (first,) = client.live_calls.list_ids().calls
    client.calls.delete(first)
    cancelled = client.calls.create(from_="14155550100", to_="14155550102<14155550103", **hooks)
    client.calls.cancel(cancelled.request_uuid)
    with pytest.raises(plivo.exceptions.ResourceNotFoundError):
        client.calls.cancel(cancelled.request_uuid)
    server.control().advance(5)
    ends = sorted(  # each call's requests go alone: they may arrive in any order
        (p["To"], p["HangupCause"], p["HangupCauseCode"], p["HangupSource"])
        for p in received(receiver, "/hangup")
    )
    assert ends == [
        ("14155550101", "Canceled", "1000", "API Request"),
        ("14155550102", "Canceled", "1000", "API Request"),
        ("14155550103", "Canceled", "1000", "API Request"),
    ]
    assert received(receiver, "/answer") == [], "nothing was answered"
    assert ringing.request_uuid != cancelled.request_uuid
    with pytest.raises(plivo.exceptions.ResourceNotFoundError):
        client.calls.delete(first)


def test_hanging_up_a_members_call_takes_it_out_of_the_mpc(harness: Harness) -> None:
    h = harness
    mpc = h.api.seed_mpc("standup", ("10", "11", "12"))
    call_uuid = next(p["call_uuid"] for p in mpc["participants"] if p["member_id"] == "11")
    assert h.api.delete(f"Call/{call_uuid}/").status_code == 204
    state = h.control.state(MAIN.auth_id)
    member = next(p for p in state["mpcs"][0]["participants"] if p["member_id"] == "11")
    assert member["exit_cause"] == "Participant Call Hangup"
    call = next(c for c in state["calls"] if c["call_uuid"] == call_uuid)
    assert (call["hangup_cause"], call["hangup_source"]) == ("Normal Hangup", "API Request")


def test_two_callers_dial_in_and_meet_in_one_mpc(harness: Harness) -> None:
    """recordMinMemberCount="2": the recording starts only when the second caller joins."""
    h = harness
    rx = h.receiver
    rx.bodies["/agent"] = (
        '<Response><MultiPartyCall role="agent" record="true" recordMinMemberCount="2" stayAlone="true" '
        f'recordingCallbackUrl="{rx.url("/recording")}" statusCallbackUrl="{rx.url("/status")}">'
        "support</MultiPartyCall></Response>"
    ).encode()
    rx.bodies["/customer"] = (
        b"<Response>\n  <Speak>Connecting you</Speak>\n"
        b'  <MultiPartyCall role="customer">support</MultiPartyCall>\n</Response>'
    )
    hooks = {"hangup_url": rx.url("/hangup")}
    agent = h.control.dial_in("14155550199", "14155550100", rx.url("/agent"), MAIN.auth_id, **hooks)
    assert agent["status"] == "ringing"
    h.advance(0)
    (answer,) = [r for r in rx.received if r.url_path == "/agent"]
    assert (answer.params["CallStatus"], answer.params["Direction"], answer.params["From"]) == (
        "ringing",
        "inbound",
        "14155550199",
    )
    assert "ALegUUID" not in answer.params, "outbound calls only"
    assert h.api.get("MultiPartyCall/name_support/").json()["recording"] == "not-recording", "one member"
    customer = h.control.dial_in("14155550198", "14155550100", rx.url("/customer"), MAIN.auth_id, **hooks)
    h.advance(0.5)
    assert len(h.api.get("MultiPartyCall/name_support/Participant/").json()["objects"]) == 1, "still speaking"
    h.advance(0.5)
    members = h.api.get("MultiPartyCall/name_support/Participant/").json()["objects"]
    assert sorted((m["role"], m["call_uuid"], m["member_address"]) for m in members) == [
        ("agent", agent["call_uuid"], "14155550199"),
        ("customer", customer["call_uuid"], "14155550198"),
    ], "a caller's member address is the caller's number"
    joins = [
        r.params
        for r in rx.received
        if r.url_path == "/status" and r.params["EventName"] == "ParticipantJoin"
    ]
    assert [(j["ParticipantCallDirection"], j["MemberAddress"]) for j in joins] == [
        ("inbound", "14155550199"),
        ("inbound", "14155550198"),
    ]
    h.advance(1.5)
    assert [r.params["EventName"] for r in rx.received if r.url_path == "/recording"] == [
        "MPCRecordingInitiated"
    ]
    customer_member = next(m["member_id"] for m in members if m["role"] == "customer")
    h.call("DELETE", f"MultiPartyCall/name_support/Participant/{customer_member}/")
    h.advance(0)
    (first_end,) = received(rx, "/hangup")
    assert (first_end["CallUUID"], first_end["HangupCause"]) == (
        customer["call_uuid"],
        "End Of XML Instructions",
    )
    h.call("DELETE", "MultiPartyCall/name_support/")
    h.advance(0)
    ends = received(rx, "/hangup")
    assert [(e["CallUUID"], e["HangupCauseCode"]) for e in ends] == [
        (customer["call_uuid"], "4010"),
        (agent["call_uuid"], "4010"),
    ], "kicked or ended out, each document goes on to its end"
    verbs = [
        (t["detail"]["verb"], t["detail"]["line"])
        for t in h.control.timeline(MAIN.auth_id)
        if t["kind"] == "XmlVerb"
    ]
    assert verbs == [("MultiPartyCall", 1), ("Speak", 2), ("MultiPartyCall", 3)]


def test_the_fallback_url_when_the_answer_url_fails(receiver: Receiver, tmp_path: Any) -> None:
    scenario = "name: quick\ndefault: true\ndelivery: {retry_backoff: []}\ncalls: {ring: 1}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        receiver.bodies["/fallback"] = b"<Response><Speak>Sorry</Speak></Response>"
        receiver.answer(lambda n, path: (500 if path == "/answer" else 200, 0.0))
        body = {
            "from": "14155550100",
            "to": "14155550101",
            "answer_url": receiver.url("/answer"),
            "fallback_url": receiver.url("/fallback"),
            "hangup_url": receiver.url("/hangup"),
        }
        assert h.api.post("Call/", body).status_code == 201
        h.advance(2)  # rings a second, the fallback's Speak lasts one
        assert [r.url_path for r in receiver.received] == ["/answer", "/fallback", "/hangup"]
        (fallback,) = h.journal(event="CallFallbackURL")
        assert fallback["attempts"][0]["reply_check"] == "Response: Speak"
        del body["fallback_url"]
        h.api.post("Call/", body)
        h.advance(1)
        last = received(receiver, "/hangup")[-1]
        assert (last["HangupCause"], last["HangupSource"]) == ("Answer URL Unreachable", "Error")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"from": "1415", "to": "1416"}, "answer_url is required"),
        ({"from": "1415", "to": "1415<1416", "answer_url": "http://127.0.0.1:9/a"}, "cannot overlap"),
        ({"to": "1416", "answer_url": "http://127.0.0.1:9/a"}, "from"),
        ({"from": "1415", "to": "1416<", "answer_url": "http://127.0.0.1:9/a"}, "empty destination"),
        ({"from": "1415", "to": "1416", "answer_url": "ftp://x"}, "answer_url"),
        (
            {"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/a", "machine_detection": "x"},
            "true or hangup",
        ),
        ({"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/a", "caller_name": "x" * 51}, "50"),
        ({"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/a", "time_limit": 0}, "time_limit"),
        (
            {"from": "1415", "to": "1416", "answer_url": "http://127.0.0.1:9/a", "hangup_on_ring": "x"},
            "integer",
        ),
    ],
)
def test_make_call_validation(harness: Harness, body: dict[str, Any], fragment: str) -> None:
    assert_plivo_error(harness.api.post("Call/", body), 400, fragment)
    assert harness.control.state(MAIN.auth_id)["calls"] == [], "a refused call leaves nothing behind"


def test_list_and_get_errors(harness: Harness) -> None:
    h = harness
    assert_plivo_error(h.api.get("Call/", params={"status": "dead"}), 400, "status")
    assert_plivo_error(h.api.get("Call/", params={"call_direction": "sideways"}), 400, "call_direction")
    assert_plivo_error(h.api.get("Call/nope/", params={"status": "live"}), 404, "no live call")
    assert_plivo_error(h.api.delete("Request/nope/"), 404, "nope")
    assert h.api.get("Call/").json()["objects"] == []


@pytest.mark.parametrize(
    ("far_end", "ring_timeout", "after", "expected"),
    [
        ("answer: busy", 120, 2, ("busy", "Busy Line", None, "Call recipient")),
        ("answer: failed", 120, 2, ("failed", "Destination Out Of Service", "2010", "Carrier")),
        ("answer: no-answer", 15, 15, ("no-answer", "No Answer", None, "Plivo")),
        ("ring: 30", 10, 10, ("no-answer", "No Answer", None, "Plivo")),
    ],
    ids=["busy", "unreachable", "never-answers", "ring-timeout-first"],
)
def test_the_far_end_as_a_scenario_makes_it(
    receiver: Receiver, tmp_path: Any, far_end: str, ring_timeout: int, after: float, expected: tuple
) -> None:
    scenario = f"name: far\ndefault: true\ncalls:\n  {far_end}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        body = {
            "from": "14155550100",
            "to": "14155550101",
            "answer_url": receiver.url("/answer"),
            "hangup_url": receiver.url("/hangup"),
            "ring_timeout": ring_timeout,
        }
        assert h.api.post("Call/", body).status_code == 201
        h.advance(after - 0.1)
        assert received(receiver, "/hangup") == []
        h.advance(0.1)
        (end,) = received(receiver, "/hangup")
        assert (
            end["CallStatus"],
            end["HangupCause"],
            end.get("HangupCauseCode"),
            end["HangupSource"],
        ) == expected
        assert (end["Duration"], end["AnswerTime"]) == ("0", "")
        assert received(receiver, "/answer") == [], "never answered, never asked"


def test_the_far_end_hangs_up_after_a_while(receiver: Receiver, tmp_path: Any) -> None:
    scenario = "name: short\ndefault: true\ncalls: {ring: 1, hangup_after: 30}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        receiver.bodies["/answer"] = b"<Response><Wait length='600'/></Response>"
        body = {
            "from": "1415",
            "to": "1416",
            "answer_url": receiver.url("/answer"),
            "hangup_url": receiver.url("/hangup"),
        }
        h.api.post("Call/", body)
        h.advance(31)
        (end,) = received(receiver, "/hangup")
        assert (end["HangupCause"], end["HangupSource"], end["Duration"], end["CallStatus"]) == (
            "Normal Hangup",
            "Call recipient",
            "30",
            "completed",
        ), "the Wait is cut short"


@pytest.mark.parametrize(
    ("limits", "ring", "after", "expected"),
    [
        ({"time_limit": 45}, 2, 47, ("completed", "Time Limit Reached", "Plivo", "45")),
        ({"time_limit": 200000}, 2, 86402, ("completed", "Time Limit Reached", "Plivo", "86400")),
        ({"hangup_on_ring": 20}, 2, 20, ("completed", "Hangup On Ring", "Plivo", "18")),
        ({"hangup_on_ring": 5}, 30, 5, ("no-answer", "Hangup On Ring", "Plivo", "0")),
        ({"hangup_on_ring": 50, "time_limit": 10}, 2, 12, ("completed", "Time Limit Reached", "Plivo", "10")),
    ],
    ids=["time-limit", "a-day-at-most", "hangup-on-ring-answered", "hangup-on-ring-ringing", "first-wins"],
)
def test_time_limit_and_hangup_on_ring(
    receiver: Receiver, tmp_path: Any, limits: dict[str, int], ring: int, after: int, expected: tuple
) -> None:
    """Plivo hangs up by itself: time_limit counts from the answer, hangup_on_ring from the ringing
    (whether or not the call was answered since)."""
    scenario = f"name: limits\ndefault: true\ncalls: {{ring: {ring}}}\n"
    with harness_for(receiver, tmp_path, scenario) as h:
        receiver.bodies["/answer"] = b"<Response><Wait length='86400'/><Wait length='86400'/></Response>"
        hooks = {"answer_url": receiver.url("/answer"), "hangup_url": receiver.url("/hangup")}
        assert h.api.post("Call/", {"from": "1415", "to": "1416", **hooks, **limits}).status_code == 201
        h.advance(after - 0.5)
        assert received(receiver, "/hangup") == [], "not before its time"
        h.advance(0.5)
        (end,) = received(receiver, "/hangup")
        assert (end["CallStatus"], end["HangupCause"], end["HangupSource"], end["Duration"]) == expected
        assert "HangupCauseCode" not in end, "Plivo's table has no code for it: none is invented"
        (call,) = h.control.state(MAIN.auth_id)["calls"]
        assert call["hangup_cause"] == expected[1]


def test_a_number_with_an_application_attached(harness: Harness) -> None:
    h = harness
    rx = h.receiver
    rx.bodies["/app"] = b"<Response><Wait/></Response>"
    with pytest.raises(EmulatorError) as missing:
        h.control.dial_in("14155550199", "14155550123", auth_id=MAIN.auth_id)
    assert missing.value.status == 400 and "no application is attached to 14155550123" in str(missing.value)
    h.control.attach_application("14155550123", rx.url("/app"), MAIN.auth_id, answer_method="GET")
    listed = h.api.client.get(f"/__emulator__/accounts/{MAIN.auth_id}/numbers").json()["numbers"]
    assert listed == [{"number": "14155550123", "answer_url": rx.url("/app")}]
    h.control.dial_in("14155550199", "14155550123", auth_id=MAIN.auth_id)
    h.advance(1)
    (asked,) = [r for r in rx.received if r.url_path == "/app"]
    assert (asked.method, asked.params["To"]) == ("GET", "14155550123")
    assert (
        h.api.client.delete(f"/__emulator__/accounts/{MAIN.auth_id}/numbers/14155550123").status_code == 204
    )
    gone = h.api.client.delete(f"/__emulator__/accounts/{MAIN.auth_id}/numbers/14155550123")
    assert gone.status_code == 404
