"""Wait and hold music, enter and exit sounds, and recording prompts: the XML documents Plivo
fetches for them are fetched when it would, signed, journaled with what they hold."""

from __future__ import annotations

from typing import Any

from tests.callback_helpers import Harness, assert_signed
from tests.helpers import MAIN

MUSIC = b"<Response><Play>https://example.com/hold.mp3</Play><Wait length='5'/><Dial>1415</Dial></Response>"


def add(h: Harness, **body: Any) -> str:
    payload = {"role": "agent", "from": "14155550100", "to": "14155550101", **body}
    response = h.api.post("MultiPartyCall/name_standup/Participant/", payload)
    assert response.status_code == 201, response.text
    call_uuid = response.json()["calls"][0]["call_uuid"]
    mpc = h.control.state(MAIN.auth_id)["mpcs"][0]
    return str(next(p["member_id"] for p in mpc["participants"] if p["call_uuid"] == call_uuid))


def fetched(h: Harness) -> list[tuple[str, str, str | None]]:
    """(event, url path, reply_check) of every fetch, in journal order."""
    return [
        (e["event"], e["url"].rsplit("/", 1)[-1], e["attempts"][-1]["reply_check"] if e["attempts"] else None)
        for e in h.journal()
        if e["event"].endswith("Fetch")
    ]


def test_each_document_is_fetched_when_plivo_would(harness: Harness) -> None:
    h = harness
    url = h.receiver.url
    h.receiver.bodies.update({"/wait": MUSIC, "/agent-hold": b"<Response><Speak>hold on</Speak></Response>"})
    h.receiver.bodies["/customer-hold"] = b"<Respons"
    for path in ("/enter", "/exit", "/rec-start", "/rec-stop"):
        h.receiver.bodies[path] = b"<Response/>"
    agent = add(
        h,
        start_mpc_on_enter=False,  # waits for the MPC to start: wait music
        stay_alone=True,
        wait_music_url=url("/wait"),
        agent_hold_music_url=url("/agent-hold"),
        customer_hold_music_url=url("/customer-hold"),
        customer_hold_music_method="POST",
        start_recording_audio=url("/rec-start"),
        stop_recording_audio=url("/rec-stop"),
        enter_sound=url("/enter"),
        exit_sound=url("/exit"),
    )
    customer = add(h, role="customer", to="14155550102", enter_sound="beep:1", exit_sound="none")
    h.advance(0)
    for member in (customer, agent):
        held = h.api.post(f"MultiPartyCall/name_standup/Participant/{member}/", {"hold": True})
        assert held.status_code == 202, held.text
    h.start()
    h.advance(10)
    h.call("DELETE", "MultiPartyCall/name_standup/Record/")
    h.call("DELETE", f"MultiPartyCall/name_standup/Participant/{agent}/")
    h.advance(5)
    assert fetched(h) == [
        ("EnterSoundFetch", "enter", "Response: nothing to play"),
        ("WaitMusicFetch", "wait", "Response: Play, Wait; ignored (not Play, Speak or Wait): Dial"),
        ("HoldMusicFetch", "customer-hold", "not XML: line 1, column 1: unclosed token"),
        ("HoldMusicFetch", "agent-hold", "Response: Speak"),
        ("RecordingStartAudioFetch", "rec-start", "Response: nothing to play"),
        ("RecordingStopAudioFetch", "rec-stop", "Response: nothing to play"),
        ("ExitSoundFetch", "exit", "Response: nothing to play"),
    ]
    methods = {r.url_path: r.method for r in h.receiver.received}
    assert methods["/customer-hold"] == "POST" and methods["/wait"] == "GET", "GET unless told"
    for r in h.receiver.received:
        if r.url_path != "/cb":
            assert_signed(r, url(r.url_path))
    hold = next(r for r in h.receiver.received if r.url_path == "/agent-hold").params
    assert (hold["MemberID"], hold["ParticipantRole"], hold["MPCName"]) == (agent, "agent", "standup")
    assert hold["CallStatus"] == "in-progress" and hold["Direction"] == "outbound"
    start = next(r for r in h.receiver.received if r.url_path == "/rec-start").params
    assert set(start) == {"MPCUUID", "MPCName", "RecordingUUID"}


def test_the_ok_answer_of_a_plain_receiver_is_reported_as_not_xml(harness: Harness) -> None:
    h = harness
    add(h, stay_alone=True, enter_sound=h.receiver.url("/plain"))
    h.advance(0)
    assert fetched(h) == [("EnterSoundFetch", "plain", "not XML: line 1, column 1: syntax error")]


def test_an_exit_actions_document_is_checked_too(harness: Harness) -> None:
    h = harness
    h.receiver.bodies["/next"] = b"<Response><Speak>Thanks</Speak><Hangup/></Response>"
    member = add(h, stay_alone=True, on_exit_action_url=h.receiver.url("/next"))
    h.call("DELETE", f"MultiPartyCall/name_standup/Participant/{member}/")
    h.advance(0)
    (entry,) = h.journal(event="CallExitAction")
    assert entry["attempts"][0]["reply_check"] == "Response: Speak, Hangup"
    assert entry["attempts"][0]["response_body"].startswith("<Response>")
