"""A member's call: ringing, answer and hangup (with Plivo's hangup causes) sent to
call_status_callback_url, and on_exit_action_url fetched when it is kicked or the MPC ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plivo
import pytest

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from emulator.testing import EmulatorError
from tests.callback_helpers import Harness, assert_signed
from tests.helpers import MAIN
from tests.receiver import Received, Receiver


def add(h: Harness, name: str = "standup", **body: Any) -> dict[str, Any]:
    payload = {"role": "agent", "from": "14155550100", "to": "14155550101", **body}
    response = h.api.post(f"MultiPartyCall/name_{name}/Participant/", payload)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def at(h: Harness, path: str) -> list[Received]:
    return [r for r in h.receiver.received if r.url_path == path]


def member_of(h: Harness, call_uuid: str) -> str:
    (mpc,) = [m for m in h.control.state(MAIN.auth_id)["mpcs"] if m["status"] != "Ended"] or [None]
    assert mpc is not None
    return next(p["member_id"] for p in mpc["participants"] if p["call_uuid"] == call_uuid)


def test_ringing_answer_and_the_hangup_causes(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/calls")
    first = add(h, call_status_callback_url=url, stay_alone=True)
    second = add(
        h, role="customer", to="14155550102", call_status_callback_url=url, call_status_callback_method="GET"
    )
    third = add(h, role="customer", to="14155550103", call_status_callback_url=url)
    h.advance(61)
    kicked = member_of(h, second["calls"][0]["call_uuid"])
    h.call("DELETE", f"MultiPartyCall/name_standup/Participant/{kicked}/")
    mpc_uuid = h.control.state(MAIN.auth_id)["mpcs"][0]["mpc_uuid"]
    h.control.hang_up(MAIN.auth_id, mpc_uuid, member_of(h, third["calls"][0]["call_uuid"]))
    h.advance(5)
    h.call("DELETE", "MultiPartyCall/name_standup/")
    h.advance(0)
    by_call: dict[str, list[dict[str, str]]] = {}
    for r in at(h, "/calls"):
        assert_signed(r, url)
        by_call.setdefault(r.params["CallUUID"], []).append(r.params)
    # Each call's requests share a lane (in order); different calls' may arrive in any order.
    assert set(by_call) == {c["calls"][0]["call_uuid"] for c in (first, second, third)}
    for call in by_call.values():
        assert [(p["Event"], p["CallStatus"]) for p in call] == [
            ("Ring", "ringing"),
            ("StartApp", "in-progress"),
            ("Hangup", "completed"),
        ]
        assert {p["Direction"] for p in call} == {"outbound"}
    ends = {uuid: call[-1] for uuid, call in by_call.items()}
    kick, dropped, ended = (ends[c["calls"][0]["call_uuid"]] for c in (second, first, third))
    assert (kick["HangupCause"], kick["HangupCauseCode"], kick["HangupSource"]) == (
        "Kicked Out Of Multiparty Call",
        "4030",
        "API Request",
    )
    assert (kick["Duration"], kick["BillDuration"]) == ("61", "120")
    hung = ends[third["calls"][0]["call_uuid"]]
    assert (hung["HangupCause"], hung["HangupCauseCode"], hung["HangupSource"]) == (
        "Normal Hangup",
        "4000",
        "Call recipient",
    )
    assert (dropped["HangupCause"], dropped["HangupCauseCode"], dropped["HangupSource"]) == (
        "Multiparty Call Ended",
        "4020",
        "API Request",
    ), "ended by the API: Plivo's 4020"
    assert dropped["Duration"] == "66" and dropped["RequestUUID"] == first["request_uuid"]
    assert ended is hung
    methods = {r.params["CallUUID"]: r.method for r in at(h, "/calls")}
    assert methods[second["calls"][0]["call_uuid"]] == "GET"
    assert methods[first["calls"][0]["call_uuid"]] == "POST", "POST is the SDKs' default"


def test_an_mpc_that_ends_by_itself_hangs_up_with_plivo_as_source(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/calls")
    add(h, call_status_callback_url=url)
    second = add(h, role="customer", to="14155550102")
    h.call(
        "DELETE", f"MultiPartyCall/name_standup/Participant/{member_of(h, second['calls'][0]['call_uuid'])}/"
    )
    h.advance(0)
    end = at(h, "/calls")[-1].params
    assert (end["HangupCause"], end["HangupCauseCode"], end["HangupSource"]) == (
        "Multiparty Call Ended",
        "4020",
        "Plivo",
    ), "stay_alone false: Plivo ended it"


def test_a_parallel_dials_losing_legs_lose_the_race(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/calls")
    added = add(h, to="14155550101<14155550102<14155550103", call_status_callback_url=url, stay_alone=True)
    h.advance(0)
    winner, *losers = [c["call_uuid"] for c in added["calls"]]
    for loser in losers:
        events = [r.params for r in at(h, "/calls") if r.params["CallUUID"] == loser]
        assert [e["Event"] for e in events] == ["Ring", "Hangup"]
        assert (events[-1]["HangupCause"], events[-1]["Duration"], events[-1]["BillDuration"]) == (
            "Lost Race",
            "0",
            "0",
        )
        assert "HangupCauseCode" not in events[-1], "Plivo's table has no code for it"
    assert [r.params["Event"] for r in at(h, "/calls") if r.params["CallUUID"] == winner] == [
        "Ring",
        "StartApp",
    ]


def test_a_call_moved_in_by_call_uuid_reports_nothing(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/calls")
    response = h.api.post(
        "MultiPartyCall/name_standup/Participant/",
        {
            "role": "agent",
            "call_uuid": "c0ffee00-0000-4000-8000-000000000001",
            "call_status_callback_url": url,
        },
    )
    assert response.status_code == 201, response.text
    h.call("DELETE", "MultiPartyCall/name_standup/")
    h.advance(0)
    assert at(h, "/calls") == [], "Plivo: events only for newly initiated calls"


def test_the_exit_action_is_fetched_when_kicked_or_ended_not_on_hang_up(harness: Harness) -> None:
    h = harness
    h.receiver.bodies["/next"] = b"<Response><Speak>Goodbye now</Speak></Response>"
    exit_url = h.receiver.url("/next")
    calls = h.receiver.url("/calls")
    first = add(h, on_exit_action_url=exit_url, call_status_callback_url=calls, stay_alone=True)
    second = add(
        h, role="customer", to="14155550102", on_exit_action_url=exit_url, on_exit_action_method="GET"
    )
    third = add(h, role="customer", to="14155550103", on_exit_action_url=exit_url)
    h.advance(30)
    mpc_uuid = h.control.state(MAIN.auth_id)["mpcs"][0]["mpc_uuid"]
    h.control.hang_up(MAIN.auth_id, mpc_uuid, member_of(h, third["calls"][0]["call_uuid"]))
    kicked = member_of(h, second["calls"][0]["call_uuid"])
    h.call("DELETE", f"MultiPartyCall/name_standup/Participant/{kicked}/")
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_standup/")
    h.advance(0)
    fetched = at(h, "/next")
    assert [r.params["CallUUID"] for r in fetched] == [
        second["calls"][0]["call_uuid"],
        first["calls"][0]["call_uuid"],
    ], "the kicked member, then the one the MPC's end let go; not the one who hung up"
    kick = fetched[0]
    assert kick.method == "GET" and fetched[1].method == "POST"
    assert_signed(kick, exit_url)
    params = kick.params
    assert params["MPCFriendlyName"] == "standup" and "MPCName" not in params
    assert (params["MemberID"], params["ParticipantRole"], params["CallStatus"]) == (
        kicked,
        "customer",
        "in-progress",
    )
    assert (params["ParticipantJoinTime"], params["ParticipantEndTime"]) == (
        "2026-03-01 09:00:00+00:00",
        "2026-03-01 09:00:30+00:00",
    )
    assert params["ParticipantCallUUID"] == params["CallUUID"] and params["MPCUUID"] == mpc_uuid
    assert [r.params["Event"] for r in at(h, "/calls")][-1] == "StartApp", (
        "its call goes on with that document"
    )
    h.advance(1)  # "Goodbye now": a second, then the document's end
    end = at(h, "/calls")[-1].params
    assert (end["HangupCause"], end["HangupCauseCode"], end["Duration"]) == (
        "End Of XML Instructions",
        "4010",
        "41",
    )
    entries = h.journal(event="CallExitAction")
    assert len(entries) == 2
    assert {e["attempts"][0]["reply_check"] for e in entries} == {"Response: Speak"}


def test_through_the_python_sdk(start_server: Callable[..., ThreadedServer], receiver: Receiver) -> None:
    server = start_server(clock="manual")
    url = receiver.url("/calls")
    with plivo_sdk_pointed_at(server.url):
        calls = plivo.RestClient(MAIN.auth_id, MAIN.auth_token).multi_party_calls
        added = calls.add_participant(
            role="agent",
            friendly_name="standup",
            from_="14155550100",
            to_="14155550101",
            call_status_callback_url=url,
            on_exit_action_url=receiver.url("/next"),
        )
        calls.add_participant(
            role="customer", friendly_name="standup", from_="14155550100", to_="14155550102"
        )
        server.control().advance(20)
        calls.stop(friendly_name="standup")
        server.control().advance(0)
    received = receiver.wait_for(4)
    assert [r.url_path for r in received].count("/next") == 1
    statuses = [r.params["CallStatus"] for r in received if r.url_path == "/calls"]
    assert statuses == ["ringing", "in-progress", "completed"]
    assert {r.params["CallUUID"] for r in received} == {added.calls[0]["call_uuid"]}
    for r in received:
        assert r.method == "POST", "the SDK's default method for both"
        assert_signed(r, url if r.url_path == "/calls" else receiver.url("/next"))


def test_hanging_up_through_the_control_plane_and_its_errors(harness: Harness) -> None:
    h = harness
    mpc = h.api.seed_mpc("standup", ("10", "11", "12"))
    h.control.hang_up(MAIN.auth_id, mpc["mpc_uuid"], "10")
    with pytest.raises(EmulatorError) as again:
        h.control.hang_up(MAIN.auth_id, mpc["mpc_uuid"], "10")
    assert again.value.status == 400 and "already left" in str(again.value)
    with pytest.raises(EmulatorError) as unknown:
        h.control.hang_up(MAIN.auth_id, mpc["mpc_uuid"], "99")
    assert unknown.value.status == 404
    (left,) = [p for p in h.control.state(MAIN.auth_id)["mpcs"][0]["participants"] if p["member_id"] == "10"]
    assert left["exit_cause"] == "Participant Call Hangup"
