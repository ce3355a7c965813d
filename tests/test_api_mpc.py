"""MPC and participant endpoints over HTTP: the state a recording flow is built on."""

from __future__ import annotations

import pytest

from tests.helpers import MAIN, FakeClock, PlivoHTTP, assert_plivo_error

MPC_KEYS = {
    "billed_amount",
    "billed_duration",
    "creation_time",
    "duration",
    "end_time",
    "friendly_name",
    "mpc_uuid",
    "participants",
    "recording",
    "resource_uri",
    "start_time",
    "status",
    "stay_alone",
    "sub_account",
    "termination_cause",
    "termination_cause_code",
}
PARTICIPANT_KEYS = {
    "billed_amount",
    "billed_duration",
    "call_uuid",
    "coach_mode",
    "duration",
    "end_mpc_on_exit",
    "exit_cause",
    "exit_time",
    "hold",
    "join_time",
    "member_address",
    "member_id",
    "mpc_uuid",
    "mute",
    "resource_uri",
    "role",
    "start_mpc_on_enter",
}
AGENT = {"role": "agent", "from": "14155550100", "to": "14155550101"}
CUSTOMER = {"role": "customer", "from": "14155550100", "to": "14155550102"}


def add(api: PlivoHTTP, name: str = "standup", **body: object) -> dict:
    response = api.post(f"MultiPartyCall/name_{name}/Participant/", {**AGENT, **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_add_participant_creates_the_mpc(api: PlivoHTTP, clock: FakeClock) -> None:
    body = add(api)
    assert set(body) == {"api_id", "calls", "message", "request_uuid"}
    assert body["message"] == "add participant action initiated"
    (call,) = body["calls"]
    assert (call["from"], call["to"]) == ("14155550100", "14155550101")
    got = api.get("MultiPartyCall/name_standup/").json()
    assert set(got) == MPC_KEYS | {"api_id"}
    assert got["status"] == "Active" and got["recording"] == "not-recording"
    assert got["creation_time"] == got["start_time"] == "2026-03-01 09:00:00+00:00"
    assert got["resource_uri"] == f"/v1/Account/{MAIN.auth_id}/MultiPartyCall/name_standup/"
    assert got["participants"] == f"/v1/Account/{MAIN.auth_id}/MultiPartyCall/name_standup/Participant/"
    by_uuid = api.get(f"MultiPartyCall/uuid_{got['mpc_uuid']}/").json()
    assert by_uuid["resource_uri"].endswith(f"/MultiPartyCall/uuid_{got['mpc_uuid']}/")
    members = api.get("MultiPartyCall/name_standup/Participant/").json()
    (member,) = members["objects"]
    assert set(member) == PARTICIPANT_KEYS
    assert member["call_uuid"] == call["call_uuid"] and member["role"] == "agent"
    assert member["join_time"] == "2026-03-01 09:00:00+00:00" and member["exit_time"] is None
    one = api.get(f"MultiPartyCall/name_standup/Participant/{member['member_id']}/").json()
    assert one == {**member, "api_id": one["api_id"]}


def test_multiple_destinations_for_an_agent(api: PlivoHTTP) -> None:
    body = add(api, to="14155550101<14155550103<sip:agent@phone.plivo.com")
    assert [c["to"] for c in body["calls"]] == ["14155550101", "14155550103", "sip:agent@phone.plivo.com"]
    members = api.get("MultiPartyCall/name_standup/Participant/").json()["objects"]
    assert len(members) == 1 and members[0]["call_uuid"] == body["calls"][0]["call_uuid"], (
        "the first one answers"
    )


def test_existing_call_uuid_joins(api: PlivoHTTP) -> None:
    response = api.post("MultiPartyCall/name_standup/Participant/", {"role": "customer", "call_uuid": "c-1"})
    assert response.status_code == 201
    listed = api.get("MultiPartyCall/name_standup/Participant/", params={"call_uuid": "c-1"}).json()
    assert [m["call_uuid"] for m in listed["objects"]] == ["c-1"]
    assert (
        api.get("MultiPartyCall/name_standup/Participant/", params={"call_uuid": "c-2"}).json()["objects"]
        == []
    )


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ({"from": "1", "to": "2"}, ["role is required"]),
        ({**AGENT, "role": "host"}, ["invalid role 'host'", "agent, supervisor, customer, ai-agent"]),
        ({"role": "agent", "from": "14155550100"}, ["call_uuid or both from and to"]),
        ({**AGENT, "call_uuid": "c-1"}, ["cannot specify call_uuid"]),
        ({**CUSTOMER, "to": "1<2"}, ["only allowed for role agent"]),
        ({**AGENT, "to": "<".join(["1"] * 21)}, ["at most 20"]),
        ({**AGENT, "max_participants": 11}, ["max_participants", "between 2 and 10"]),
        ({**AGENT, "max_duration": 100}, ["max_duration", "between 300 and 28800"]),
        ({**AGENT, "record_min_member_count": 3}, ["record_min_member_count"]),
        ({**AGENT, "mute": "yes"}, ["invalid mute 'yes'", "true or false"]),
        ({**AGENT, "status_callback_method": "PATCH"}, ["status_callback_method", "GET, POST"]),
        ({**AGENT, "record_file_format": "flac"}, ["record_file_format", "mp3, wav"]),
        ({**AGENT, "status_callback_events": "mpc-state-changes,bogus"}, ["bogus"]),
        ({**AGENT, "confirm_key": "A"}, ["confirm_key"]),
        ({**AGENT, "dial_music": "loud"}, ["dial_music", "real, none or a URL"]),
        ({**AGENT, "ring_timeout": "30<40"}, ["ring_timeout", "number of destinations"]),
        ({**AGENT, "caller_name": "x" * 51}, ["caller_name"]),
        ({**AGENT, "recording_callback_url": "javascript:alert(1)"}, ["recording_callback_url"]),
    ],
)
def test_add_participant_validation(api: PlivoHTTP, body: dict, fragments: list) -> None:
    assert_plivo_error(api.post("MultiPartyCall/name_standup/Participant/", body), 400, *fragments)
    assert api.control.state(MAIN.auth_id)["mpcs"] == []


def test_python_sdk_add_participant_defaults_are_valid(api: PlivoHTTP) -> None:
    # What plivo-python 4.63.0 sends for add_participant(role='Agent', from_=..., to_=...).
    body = {
        "role": "agent",
        "from": "14155550100",
        "to": "14155550101",
        "caller_name": "14155550100",
        "call_status_callback_method": "POST",
        "confirm_key_sound_method": "GET",
        "dial_music": "real",
        "ring_timeout": 45,
        "delay_dial": 0,
        "max_duration": 14400,
        "max_participants": 10,
        "record_min_member_count": 1,
        "wait_music_method": "GET",
        "agent_hold_music_method": "GET",
        "customer_hold_music_method": "GET",
        "recording_callback_method": "GET",
        "status_callback_method": "GET",
        "on_exit_action_method": "POST",
        "record": False,
        "record_participant_track": False,
        "record_file_format": "mp3",
        "status_callback_events": "mpc-state-changes,participant-state-changes",
        "stay_alone": False,
        "coach_mode": True,
        "mute": False,
        "hold": False,
        "start_mpc_on_enter": True,
        "end_mpc_on_exit": False,
        "relay_dtmf_inputs": False,
        "enter_sound": "beep:1",
        "enter_sound_method": "GET",
        "exit_sound": "beep:2",
        "exit_sound_method": "GET",
        "start_recording_audio_method": "GET",
        "stop_recording_audio_method": "GET",
        "create_mpc_with_single_participant": True,
        "send_on_preanswer": False,
        "transcript": False,
    }
    assert api.post("MultiPartyCall/name_standup/Participant/", body).status_code == 201


def test_record_true_on_add_participant(api: PlivoHTTP) -> None:
    add(api, record=True, record_file_format="wav", recording_callback_url="http://127.0.0.1:9/cb")
    got = api.get("MultiPartyCall/name_standup/").json()
    assert got["recording"] == "recording"
    (recording,) = api.control.state(MAIN.auth_id)["recordings"]
    assert (recording["file_format"], recording["recording_callback_method"]) == ("wav", "GET")


def test_start_an_initialized_mpc(api: PlivoHTTP) -> None:
    add(api, start_mpc_on_enter=False)
    assert api.get("MultiPartyCall/name_standup/").json()["status"] == "Initialized"
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/", {"status": "paused"}), 400, "must be 'active'"
    )
    assert_plivo_error(api.post("MultiPartyCall/name_standup/"), 400, "status is required")
    # plivo-python sends the status as a one-element list.
    response = api.post("MultiPartyCall/name_standup/", {"status": ["active"]})
    assert response.status_code == 204 and response.content == b""
    assert api.get("MultiPartyCall/name_standup/").json()["status"] == "Active"
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/", {"status": "active"}), 404, "only an Initialized"
    )


def test_end_mpc(api: PlivoHTTP, clock: FakeClock) -> None:
    created = api.seed_mpc("standup", ("10", "11"))
    clock.advance(125)
    response = api.delete("MultiPartyCall/name_standup/", {"friendly_name": "standup"})
    assert response.status_code == 204 and response.content == b""
    got = api.get(f"MultiPartyCall/uuid_{created['mpc_uuid']}/").json()
    assert got["status"] == "Ended" and got["end_time"] == "2026-03-01 09:02:05+00:00"
    assert (got["termination_cause"], got["termination_cause_code"]) == ("Hangup API Triggered", 3000)
    assert got["duration"] == 125
    # Two participants, three started minutes each, at the documented illustrative rate.
    assert (got["billed_duration"], got["billed_amount"]) == (360, "0.01800")
    members = api.get(f"MultiPartyCall/uuid_{created['mpc_uuid']}/Participant/").json()["objects"]
    assert {m["exit_cause"] for m in members} == {"Multiparty Call Ended"}
    assert {m["duration"] for m in members} == {125}
    assert_plivo_error(api.get("MultiPartyCall/name_standup/"), 404)
    assert_plivo_error(api.delete(f"MultiPartyCall/uuid_{created['mpc_uuid']}/"), 400, "has ended")


def test_update_participant(api: PlivoHTTP) -> None:
    api.seed_mpc(
        "standup",
        ("10", {"member_id": "11", "role": "supervisor"}, {"member_id": "12", "role": "supervisor"}),
    )
    response = api.post("MultiPartyCall/name_standup/Participant/10/", {"mute": True, "hold": True})
    assert response.status_code == 202
    body = response.json()
    assert body["mute"] == "MPC: standup mute/unmute member(s) succeeded"
    assert body["hold"] == "MPC: standup hold/unhold member(s) succeeded"
    assert set(body) == {"api_id", "mute", "hold"}
    member = api.get("MultiPartyCall/name_standup/Participant/10/").json()
    assert (member["mute"], member["hold"], member["coach_mode"]) == (True, True, False), (
        "coach mode is always false for an agent"
    )
    assert api.get("MultiPartyCall/name_standup/Participant/12/").json()["coach_mode"] is True, (
        "a supervisor is in coach mode by default"
    )
    coached = api.post("MultiPartyCall/name_standup/Participant/11,12/", {"coach_mode": False})
    assert coached.status_code == 202
    assert coached.json()["coach_mode"] == "MPC: standup coach_mode enable/disable succeeded"
    assert api.get("MultiPartyCall/name_standup/Participant/12/").json()["coach_mode"] is False
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/10,11/", {"coach_mode": True}),
        400,
        "coach mode applies only to supervisors",
    )
    assert api.get("MultiPartyCall/name_standup/Participant/11/").json()["coach_mode"] is False, (
        "nothing changed"
    )
    assert api.post("MultiPartyCall/name_standup/Participant/all/", {"mute": False}).status_code == 202
    members = api.get("MultiPartyCall/name_standup/Participant/").json()["objects"]
    assert {m["mute"] for m in members} == {False}
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/all/", {"coach_mode": True}),
        400,
        "cannot specify coach_mode when updating all",
    )
    assert_plivo_error(api.post("MultiPartyCall/name_standup/Participant/10/", {}), 400, "at least one of")
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/77/", {"mute": True}), 404, "member 77"
    )


def test_kick_participant(api: PlivoHTTP) -> None:
    api.seed_mpc("standup", ("10", "11", "12"))
    response = api.delete("MultiPartyCall/name_standup/Participant/12/", {"participant_id": 12})
    assert response.status_code == 204 and response.content == b""
    member = api.get("MultiPartyCall/name_standup/Participant/12/").json()
    assert member["exit_cause"] == "Kicked Out of Multiparty Call" and member["exit_time"] is not None
    assert_plivo_error(api.delete("MultiPartyCall/name_standup/Participant/12/"), 400, "member 12 has left")
    assert api.delete("MultiPartyCall/name_standup/Participant/all/").status_code == 204
    assert_plivo_error(api.get("MultiPartyCall/name_standup/"), 404)


def test_list_mpcs_filters_and_pages(api: PlivoHTTP, clock: FakeClock) -> None:
    uuids = []
    for i in range(25):
        uuids.append(api.seed_mpc(f"call{i:02}", ("10", "11"))["mpc_uuid"])
        clock.advance(60)
    assert api.delete("MultiPartyCall/name_call00/").status_code == 204
    first = api.get("MultiPartyCall/").json()
    assert first["meta"] == {
        "count": 25,
        "limit": 20,
        "offset": 0,
        "previous": None,
        "next": f"/v1/Account/{MAIN.auth_id}/MultiPartyCall/?limit=20&offset=20",
    }
    assert [o["mpc_uuid"] for o in first["objects"]] == uuids[::-1][:20], "newest first"
    assert all(o["resource_uri"].endswith(f"uuid_{o['mpc_uuid']}/") for o in first["objects"])
    second = api.get("MultiPartyCall/", params={"limit": 20, "offset": 20}).json()
    assert [o["mpc_uuid"] for o in second["objects"]] == uuids[::-1][20:]
    assert second["meta"]["next"] is None and second["meta"]["previous"].endswith("limit=20&offset=0")
    ended = api.get("MultiPartyCall/", params={"status": "ENDED"}).json()
    assert [o["friendly_name"] for o in ended["objects"]] == ["call00"]
    assert api.get("MultiPartyCall/", params={"termination_cause_code": 3000}).json()["meta"]["count"] == 1
    live = api.get("MultiPartyCall/", params={"termination_cause_code": 0, "status": "active"}).json()
    assert live["meta"]["count"] == len(uuids) - 1, (
        "0 (what a live call carries) selects calls without a cause"
    )
    named = api.get("MultiPartyCall/", params={"friendly_name": "call07"}).json()
    assert [o["mpc_uuid"] for o in named["objects"]] == [uuids[7]]
    window = api.get(
        "MultiPartyCall/",
        params={
            "creation_time__gte": "2026-03-01 09:03",
            "creation_time__lt": "2026-03-01 09:05:00",
            "limit": 5,
        },
    ).json()
    assert [o["friendly_name"] for o in window["objects"]] == ["call04", "call03"]
    page = api.get("MultiPartyCall/", params={"status": "active", "limit": 2}).json()
    assert (
        page["meta"]["next"] == f"/v1/Account/{MAIN.auth_id}/MultiPartyCall/?status=active&limit=2&offset=2"
    )


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"limit": 0}, "between 1 and 20"),
        ({"limit": 21}, "between 1 and 20"),
        ({"limit": "ten"}, "must be an integer"),
        ({"offset": -1}, "at least 0"),
        ({"status": "running"}, "initialized, active, ended"),
        ({"termination_cause_code": 42}, "termination_cause_code"),
        ({"creation_time__gt": "yesterday"}, "YYYY-MM-DD HH:MM"),
        ({"end_time__lte": "2026-02-30 10:00"}, "not a real date"),
    ],
)
def test_list_mpcs_validation(api: PlivoHTTP, query: dict, fragment: str) -> None:
    assert_plivo_error(api.get("MultiPartyCall/", params=query), 400, fragment)


def test_accounts_are_isolated(api: PlivoHTTP) -> None:
    from tests.helpers import OTHER

    created = api.seed_mpc("standup", ("10", "11"))
    other = api.as_account(OTHER)
    assert other.get("MultiPartyCall/").json()["objects"] == []
    assert_plivo_error(other.get("MultiPartyCall/name_standup/"), 404)
    assert_plivo_error(other.get(f"MultiPartyCall/uuid_{created['mpc_uuid']}/"), 404)
    assert_plivo_error(other.post("MultiPartyCall/name_standup/Record/"), 404)
    # The same name in another account is another MPC.
    assert other.post("MultiPartyCall/name_standup/Participant/", AGENT).status_code == 201
    assert other.get("MultiPartyCall/name_standup/").json()["mpc_uuid"] != created["mpc_uuid"]


def test_a_member_who_left_reports_no_flags(api: PlivoHTTP) -> None:
    """As in the fixture of a participant who left: coach_mode, mute and hold are null."""
    api.seed_mpc("standup", ("10", "11", "12"), stay_alone=True)
    api.post("MultiPartyCall/name_standup/Participant/11/", {"mute": True})
    assert api.delete("MultiPartyCall/name_standup/Participant/11/").status_code == 204
    left = api.get("MultiPartyCall/name_standup/Participant/11/").json()
    assert (left["coach_mode"], left["mute"], left["hold"]) == (None, None, None)
    assert left["exit_cause"] == "Kicked Out of Multiparty Call"
    still = api.get("MultiPartyCall/name_standup/Participant/10/").json()
    assert (still["coach_mode"], still["mute"], still["hold"]) == (False, False, False)
