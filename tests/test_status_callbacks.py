"""MPC status callbacks: the events of an MPC's life sent to status_callback_url, signed, in order."""

from __future__ import annotations

from collections.abc import Iterator

import plivo
import pytest

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from tests.callback_helpers import Harness, assert_signed
from tests.helpers import MAIN
from tests.receiver import Receiver


@pytest.fixture
def client(server: ThreadedServer) -> Iterator[plivo.RestClient]:
    with plivo_sdk_pointed_at(server.url):
        yield plivo.RestClient(MAIN.auth_id, MAIN.auth_token)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_mpcs_life_through_the_sdk(client: plivo.RestClient, receiver: Receiver, method: str) -> None:
    url = receiver.url("/status")
    calls = client.multi_party_calls
    members = []
    for role, to in (("agent", "14155550101"), ("customer", "14155550102")):
        added = calls.add_participant(
            role=role,
            friendly_name="standup",
            from_="14155550100",
            to_=to,
            status_callback_url=url,
            status_callback_method=method,
        )
        members.append(calls.list_participants(friendly_name="standup").objects[-1].member_id)
        assert added.calls
    calls.update_participant(members[1], friendly_name="standup", mute=True)
    calls.update_participant(members[1], friendly_name="standup", hold=True)
    calls.kick_participant(members[1], friendly_name="standup")  # one left, stay_alone false: the MPC ends
    received = receiver.wait_for(9)
    names = [r.params["EventName"] for r in received]
    assert names == [
        "MPCInitialized",
        "MPCStart",
        "ParticipantJoin",
        "ParticipantJoin",
        "ParticipantMute",
        "ParticipantHold",
        "ParticipantExit",
        "ParticipantExit",
        "MPCEnd",
    ], names
    assert [r.params["SequenceNumber"] for r in received] == [str(n) for n in range(1, 10)]
    assert {r.method for r in received} == {method}
    for r in received:
        assert_signed(r, url)
    joined = [r.params for r in received if r.params["EventName"] == "ParticipantJoin"]
    assert [(p["MemberID"], p["ParticipantRole"]) for p in joined] == [
        (members[0], "agent"),
        (members[1], "customer"),
    ]
    kicked, left = [r.params for r in received if r.params["EventName"] == "ParticipantExit"]
    assert (
        kicked["ParticipantExitCause"] == "Kicked Out of Multiparty Call" and kicked["MemberID"] == members[1]
    )
    assert left["ParticipantExitCause"] == "Multiparty Call Ended"
    end = received[-1].params
    assert (end["MPCTerminationCauseCode"], end["MPCTerminationCause"]) == (
        "1010",
        "Stay Alone Not Permitted",
    )
    ended = calls.get(friendly_name=None, uuid=end["MPCUUID"])
    assert (
        end["MPCBilledDuration"] == str(ended.billed_duration)
        and end["MPCBilledAmount"] == ended.billed_amount
    )
    assert {p["MPCUUID"] for p in (r.params for r in received)} == {end["MPCUUID"]}


def test_only_the_subscribed_groups_are_sent(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/status")
    body = {"role": "agent", "from": "14155550100", "to": "14155550101", "status_callback_url": url}
    assert (
        h.api.post(
            "MultiPartyCall/name_quiet/Participant/", {**body, "status_callback_events": "mpc-state-changes"}
        ).status_code
        == 201
    )
    h.api.post("MultiPartyCall/name_quiet/Participant/", {**body, "to": "14155550102", "role": "customer"})
    h.advance(0)
    events = [(e["event"], e["params"].get("MemberID")) for e in h.journal(event=None)]
    assert [e for e, _ in events] == ["MPCInitialized", "MPCStart", "ParticipantJoin"], (
        "the creator asked for MPC events only; the second member's own URL gets its join"
    )
    assert all(e["method"] == "GET" for e in h.journal()), "the API's default method"


def test_the_scope_policies(receiver: Receiver) -> None:
    from tests.callback_helpers import harness_for

    def run(scope: str) -> list[tuple[str, str]]:
        with harness_for(receiver, status_callback_scope=scope) as h:
            for role, to, path in (
                ("agent", "14155550101", "/first"),
                ("customer", "14155550102", "/second"),
            ):
                body = {
                    "role": role,
                    "from": "14155550100",
                    "to": to,
                    "status_callback_url": receiver.url(path),
                }
                h.api.post("MultiPartyCall/name_scoped/Participant/", body)
            h.advance(0)
            return [(e["url"].rsplit("/", 1)[1], e["event"]) for e in h.journal()]

    creator = run("creator")
    assert creator == [
        ("first", "MPCInitialized"),
        ("first", "MPCStart"),
        ("first", "ParticipantJoin"),
        ("second", "ParticipantJoin"),
    ]
    assert run("creator-only") == [
        ("first", "MPCInitialized"),
        ("first", "MPCStart"),
        ("first", "ParticipantJoin"),
        ("first", "ParticipantJoin"),
    ]
    fanned = run("fan-out")
    assert ("second", "ParticipantJoin") in fanned and ("first", "ParticipantJoin") in fanned
    assert fanned.count(("first", "ParticipantJoin")) == 2, "the creator's URL hears both joins"


def test_bad_status_callback_events_are_refused(harness: Harness) -> None:
    body = {
        "role": "agent",
        "from": "14155550100",
        "to": "14155550101",
        "status_callback_url": harness.receiver.url(),
        "status_callback_events": "mpc-state-changes,explosions",
    }
    response = harness.api.post("MultiPartyCall/name_bad/Participant/", body)
    assert response.status_code == 400 and "explosions" in response.json()["error"]
    ok = {**body, "status_callback_events": "MPC-State-Changes, participant-audio-events"}
    assert harness.api.post("MultiPartyCall/name_bad/Participant/", ok).status_code == 201


def test_speech_and_digits_a_test_injects(harness: Harness) -> None:
    h = harness
    url = h.receiver.url("/status")
    events = "participant-speak-events,participant-digit-input-events"
    for role, to in (("agent", "14155550101"), ("customer", "14155550102")):
        body = {"role": role, "from": "14155550100", "to": to, "status_callback_url": url}
        h.api.post("MultiPartyCall/name_talk/Participant/", {**body, "status_callback_events": events})
    mpc = h.api.get("MultiPartyCall/name_talk/").json()
    member = h.api.get("MultiPartyCall/name_talk/Participant/").json()["objects"][1]["member_id"]
    h.control.speak(MAIN.auth_id, mpc["mpc_uuid"], member, seconds=3)
    h.control.press_digits(MAIN.auth_id, mpc["mpc_uuid"], member, "4#")
    h.advance(3)
    sent = [(e["event"], e["params"].get("DigitInput"), e["due"][11:19]) for e in h.journal()]
    assert sent == [
        ("ParticipantSpeakStart", None, "09:00:00"),
        ("ParticipantDigitInput", "4", "09:00:00"),
        ("ParticipantDigitInput", "#", "09:00:00"),
        ("ParticipantSpeakStop", None, "09:00:03"),
    ]
    assert {e["state"] for e in h.journal()} == {"delivered"}
    for bad, fragment in (({"digits": "12x"}, "invalid digits"), ({}, "digits is required")):
        response = h.api.client.post(
            f"/__emulator__/accounts/{MAIN.auth_id}/mpcs/{mpc['mpc_uuid']}/members/{member}/dtmf", json=bad
        )
        assert response.status_code == 400 and fragment in response.json()["error"]
    missing = h.api.client.post(
        f"/__emulator__/accounts/{MAIN.auth_id}/mpcs/{mpc['mpc_uuid']}/members/999/speak", json={}
    )
    assert missing.status_code == 404


def test_the_documented_example_is_what_is_sent(receiver: Receiver) -> None:
    """docs/status-callbacks.md's ParticipantExit and MPCEnd payloads are generated ones, key for key."""
    import json
    import re
    from pathlib import Path

    from tests.callback_helpers import harness_for

    doc = (Path(__file__).resolve().parent.parent / "docs" / "status-callbacks.md").read_text(
        encoding="utf-8"
    )
    documented = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc, re.S)]
    with harness_for(receiver) as h:
        url = "http://127.0.0.1:5000/status"
        for role, to in (("agent", "14155550101"), ("customer", "14155550102")):
            body = {"role": role, "from": "14155550100", "to": to, "status_callback_url": url}
            h.api.post("MultiPartyCall/name_standup/Participant/", {**body, "status_callback_method": "POST"})
        h.advance(60)
        member = h.api.get("MultiPartyCall/name_standup/Participant/").json()["objects"][1]["member_id"]
        h.api.delete(f"MultiPartyCall/name_standup/Participant/{member}/")
        sent = [e["params"] for e in h.journal()]
    kicked = next(p for p in sent if p["EventName"] == "ParticipantExit" and p["MemberID"] == member)
    assert documented == [kicked, sent[-1]] and sent[-1]["EventName"] == "MPCEnd"
