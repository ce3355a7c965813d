"""Scenario-shaped members: a dialled member rings before it joins, a member drops; and the
add-participant-api-events that bracket each dial-out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.delivery.scenarios import ScenarioError, parse_scenario
from tests.callback_helpers import Harness, assert_signed, harness_for
from tests.helpers import MAIN
from tests.receiver import Receiver

SCENARIO = """name: ringing
match:
  mpc_name: "ringing*"
members:
  ring: 5
  drop:
    - after: 30
      role: customer
"""
EVERY_GROUP = "mpc-state-changes,participant-state-changes,add-participant-api-events"


def add(h: Harness, name: str, **body: Any) -> dict[str, Any]:
    payload = {
        "role": "agent",
        "from": "14155550100",
        "to": "14155550101",
        "status_callback_url": h.receiver.url("/status"),
        "status_callback_method": "POST",
        "status_callback_events": EVERY_GROUP,
        "call_status_callback_url": h.receiver.url("/calls"),
        **body,
    }
    response = h.api.post(f"MultiPartyCall/name_{name}/Participant/", payload)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def events(h: Harness, path: str) -> list[str]:
    return [r.params.get("EventName") or r.params["Event"] for r in h.receiver.received if r.url_path == path]


def test_a_member_rings_then_joins_and_a_customer_drops(receiver: Receiver, tmp_path: Path) -> None:
    with harness_for(receiver, tmp_path, SCENARIO) as h:
        agent = add(h, "ringing-1")
        h.advance(0)
        assert h.api.get("MultiPartyCall/name_ringing-1/Participant/").json()["objects"] == []
        assert events(h, "/status") == ["MPCInitialized", "AddParticipantByAPIActionInitiated"]
        assert events(h, "/calls") == ["Ring"]
        h.advance(4.9)
        assert events(h, "/calls") == ["Ring"], "still ringing"
        h.advance(0.1)
        assert events(h, "/status")[2:] == [
            "MPCStart",
            "ParticipantJoin",
            "AddParticipantByAPIActionCompleted",
        ]
        assert events(h, "/calls") == ["Ring", "StartApp"]
        completed = next(
            r.params
            for r in receiver.received
            if r.params.get("EventName") == "AddParticipantByAPIActionCompleted"
        )
        (member,) = h.api.get("MultiPartyCall/name_ringing-1/Participant/").json()["objects"]
        assert completed["AddParticipantAPIRequestOutcome"] == "success"
        assert (completed["MemberID"], completed["ParticipantCallUUID"]) == (
            member["member_id"],
            agent["calls"][0]["call_uuid"],
        )
        assert member["join_time"] == "2026-03-01 09:00:05+00:00"
        add(h, "ringing-1", role="customer", to="14155550102")
        h.advance(5 + 29)
        assert len(h.api.get("MultiPartyCall/name_ringing-1/Participant/").json()["objects"]) == 2
        h.advance(1)  # the customer has been in 30 s: it hangs up; the agent alone ends the MPC
        exits = [r.params for r in receiver.received if r.params.get("EventName") == "ParticipantExit"]
        assert [e["ParticipantExitCause"] for e in exits] == [
            "Participant Call Hangup",
            "Multiparty Call Ended",
        ]
        assert exits[0]["ParticipantRole"] == "customer"
        hangups = {r.params["To"]: r.params for r in receiver.received if r.params.get("Event") == "Hangup"}
        assert {to: (p["HangupCause"], p["HangupSource"]) for to, p in hangups.items()} == {
            "14155550102": ("Normal Hangup", "Call recipient"),  # the customer dropped
            "14155550101": ("Multiparty Call Ended", "Plivo"),  # the agent, left alone
        }, "two calls: their hangups may arrive in either order"
        for r in receiver.received:
            assert_signed(r, h.receiver.url(r.url_path))


def test_a_member_still_ringing_when_the_mpc_ends_is_cancelled(receiver: Receiver, tmp_path: Path) -> None:
    with harness_for(receiver, tmp_path, SCENARIO) as h:
        add(h, "ringing-2", stay_alone=True)
        h.advance(5)
        customer = add(h, "ringing-2", role="customer", to="14155550102")
        h.advance(2)
        h.call("DELETE", "MultiPartyCall/name_ringing-2/")
        h.advance(10)
        failed = [
            r.params
            for r in receiver.received
            if r.params.get("AddParticipantAPIRequestOutcome") == "failure"
        ]
        assert len(failed) == 1 and failed[0]["ParticipantCallUUID"] == customer["calls"][0]["call_uuid"]
        assert "MemberID" not in failed[0], "it never joined"
        end = [
            r.params
            for r in receiver.received
            if r.params.get("CallUUID") == customer["calls"][0]["call_uuid"]
            and r.params.get("Event") == "Hangup"
        ]
        assert [(p["HangupCause"], p["HangupSource"], p["Duration"]) for p in end] == [
            ("Multiparty Call Ended", "API Request", "0")
        ]
        mpc = h.control.state(MAIN.auth_id)["mpcs"][0]
        assert [p["role"] for p in mpc["participants"]] == ["agent"], "the customer never joined"


def test_without_a_scenario_the_dial_out_is_bracketed_at_once(harness: Harness) -> None:
    h = harness
    add(h, "standup", stay_alone=True)
    h.advance(0)
    assert events(h, "/status") == [
        "MPCInitialized",
        "AddParticipantByAPIActionInitiated",
        "MPCStart",
        "ParticipantJoin",
        "AddParticipantByAPIActionCompleted",
    ]
    unsubscribed = h.receiver.url("/quiet")
    h.api.post(
        "MultiPartyCall/name_standup/Participant/",
        {"role": "customer", "from": "1415", "to": "1416", "status_callback_url": unsubscribed},
    )
    h.advance(0)
    assert [r.params["EventName"] for r in h.receiver.received if r.url_path == "/quiet"] == [
        "ParticipantJoin"
    ], "the default groups leave the add-participant events out"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: x\nmembers:\n  drop:\n    - after: 3\n      role: boss\n", "members.drop[0].role"),
        ("name: x\nmembers:\n  ring: -1\n", "members.ring"),
        ("name: x\nmembers:\n  drop:\n    - role: agent\n", "members.drop[0]"),
    ],
)
def test_bad_member_plans_name_the_line(text: str, where: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text, "mine.yaml")
    assert str(raised.value).startswith("mine.yaml:") and where in str(raised.value)
