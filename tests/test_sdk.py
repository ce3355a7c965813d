"""The official Python SDK (plivo 4.63.0) against a real emulator server, uvicorn then hypercorn.

Every response the SDK receives is captured, so each test checks both what the
SDK hands the caller and the status code and body on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import plivo
import pytest
import requests
from plivo import exceptions

from emulator import ThreadedServer
from emulator.sdk import BASE_URI_NAMES, plivo_client, plivo_sdk_pointed_at
from tests.helpers import MAIN, OTHER


@dataclass
class SDK:
    client: plivo.RestClient
    server: ThreadedServer
    wire: list[requests.Response] = field(default_factory=list)

    @property
    def last(self) -> requests.Response:
        return self.wire[-1]

    def sent(self) -> dict[str, Any]:
        body = self.last.request.body
        return json.loads(body) if body else {}

    def seed(self, name: str = "standup", members: tuple[str, ...] = ("10", "11")) -> str:
        return str(self.server.control().create_mpc(MAIN.auth_id, name, members=members)["mpc_uuid"])

    def recordings(self) -> list[dict]:
        return list(self.server.control().state(MAIN.auth_id)["recordings"])


@pytest.fixture
def sdk(server: ThreadedServer) -> Iterator[SDK]:
    with plivo_sdk_pointed_at(server.url):
        client = plivo.RestClient(MAIN.auth_id, MAIN.auth_token)
        handle = SDK(client, server)
        client.session.hooks["response"].append(
            lambda response, *args, **kwargs: handle.wire.append(response)
        )
        yield handle


def identifier(form: str, uuid: str) -> dict[str, str]:
    return {"friendly_name": "standup"} if form == "name" else {"uuid": uuid}


@pytest.mark.parametrize("form", ["name", "uuid"])
def test_mpc_recording(sdk: SDK, form: str) -> None:
    uuid = sdk.seed()
    mpcs = sdk.client.multi_party_calls
    who = identifier(form, uuid)
    started = mpcs.start_recording(
        **who,
        file_format="WAV",
        recording_callback_url="http://127.0.0.1:9/cb",
        recording_callback_method="get",
    )
    assert sdk.last.status_code == 202
    assert sdk.last.request.url.endswith(
        f"/MultiPartyCall/{'name_standup' if form == 'name' else 'uuid_' + uuid}/Record/"
    )
    assert sdk.sent() == {
        "file_format": "wav",
        "recording_callback_url": "http://127.0.0.1:9/cb",
        "recording_callback_method": "GET",
        "transcript": False,
    }
    assert started.message == "MPC: standup record started"
    assert (
        started.recording_url
        == f"{sdk.server.url}/v1/Account/{MAIN.auth_id}/Recording/{started.recording_id}.wav"
    )
    assert mpcs.get(**who).recording == "recording"
    for call, expected in (
        (mpcs.pause_recording, "paused"),
        (mpcs.resume_recording, "recording"),
        (mpcs.stop_recording, "not-recording"),
    ):
        assert call(**who) is None
        assert (sdk.last.status_code, sdk.last.content) == (204, b"")
        assert mpcs.get(**who).recording == expected
    (recording,) = sdk.recordings()
    assert (recording["recording_id"], recording["state"]) == (started.recording_id, "completed")


@pytest.mark.parametrize("form", ["name", "uuid"])
@pytest.mark.parametrize("track", ["participant", "all", "both"])
def test_participant_recording(sdk: SDK, form: str, track: str) -> None:
    uuid = sdk.seed()
    mpcs = sdk.client.multi_party_calls
    who = identifier(form, uuid)
    started = mpcs.start_participant_recording(participant_id=10, **who, record_track_type=track)
    assert sdk.last.status_code == 200
    assert sdk.sent()["record_track_type"] == track
    assert started.message == "MPC: standup record started"
    tracks = {r["record_track_type"]: r for r in sdk.recordings()}
    assert sorted(tracks) == (["all", "participant"] if track == "both" else [track])
    mpcs.pause_participant_recording(participant_id=10, **who, record_track_type=track)
    assert sdk.last.status_code == 204
    assert {r["state"] for r in sdk.recordings()} == {"paused"}
    mpcs.resume_participant_recording(participant_id="10", **who, record_track_type=track)
    assert {r["state"] for r in sdk.recordings()} == {"recording"}
    mpcs.stop_participant_recording(participant_id="10", **who, record_track_type=track)
    assert sdk.last.status_code == 204
    assert {r["state"] for r in sdk.recordings()} == {"completed"}


def test_the_sdks_default_track_does_not_stop_a_participant_track(sdk: SDK) -> None:
    """plivo-python sends record_track_type=all unless told otherwise: after a participant-track
    start that names a recording that does not exist (docs/fidelity.md), so it is refused."""
    sdk.seed()
    mpcs = sdk.client.multi_party_calls
    mpcs.start_participant_recording(
        participant_id=10, friendly_name="standup", record_track_type="participant"
    )
    with pytest.raises(exceptions.ValidationError, match=r"no 'all' track recording in progress"):
        mpcs.stop_participant_recording(participant_id="10", friendly_name="standup")
    assert sdk.sent()["record_track_type"] == "all" and sdk.last.status_code == 400
    assert {r["state"] for r in sdk.recordings()} == {"recording"}, "refused: nothing changed"
    mpcs.stop_participant_recording(
        participant_id="10", friendly_name="standup", record_track_type="participant"
    )
    assert {r["state"] for r in sdk.recordings()} == {"completed"}


def test_resource_objects(sdk: SDK) -> None:
    sdk.seed()
    mpc = sdk.client.multi_party_calls.get(friendly_name="standup")
    assert isinstance(mpc, plivo.resources.multipartycall.MultiPartyCall) and mpc.id == mpc.mpc_uuid
    started = mpc.start_recording()
    assert sdk.last.request.url.endswith(f"/uuid_{mpc.mpc_uuid}/Record/")
    mpc.pause_recording()
    mpc.resume_recording()
    mpc.stop_recording()
    member = mpc.get_participant(10)
    assert member.member_id == "10" and member.secondary_id == "10"
    member.start_participant_recording(record_track_type="participant")
    member.stop_participant_recording(record_track_type="participant")
    assert [r["state"] for r in sdk.recordings()] == ["completed", "completed"]
    assert sdk.recordings()[0]["recording_id"] == started.recording_id


def test_mpc_and_participant_management(sdk: SDK) -> None:
    mpcs = sdk.client.multi_party_calls
    added = mpcs.add_participant(
        role="Agent",
        friendly_name="standup",
        from_="14155550100",
        to_="14155550101",
        start_mpc_on_enter=False,
    )
    assert sdk.last.status_code == 201
    assert added.message == "add participant action initiated" and len(added.calls) == 1
    assert mpcs.get(friendly_name="standup").status == "Initialized"
    assert mpcs.start(friendly_name="standup") is None
    assert sdk.last.status_code == 204 and sdk.sent() == {"status": ["active"]}
    mpc = mpcs.get(friendly_name="standup")
    assert mpc.status == "Active"
    mpcs.add_participant(role="customer", uuid=mpc.mpc_uuid, from_="14155550100", to_="14155550102")
    mpcs.add_participant(role="supervisor", uuid=mpc.mpc_uuid, call_uuid="existing-call", coach_mode=False)

    listed = mpcs.list(status="active", limit=5)
    assert [m.mpc_uuid for m in listed.objects] == [mpc.mpc_uuid]
    assert listed.meta.count == 1 and "status=active&limit=5" in sdk.last.request.url
    members = mpcs.list_participants(uuid=mpc.mpc_uuid)
    assert [m.role for m in members.objects] == ["agent", "customer", "supervisor"]
    supervisor = mpcs.list_participants(uuid=mpc.mpc_uuid, call_uuid="existing-call").objects[0]
    assert supervisor.coach_mode is False
    agent_id = members.objects[0].member_id

    updated = mpcs.update_participant(participant_id=agent_id, friendly_name="standup", mute=True, hold=True)
    assert sdk.last.status_code == 202
    assert updated.mute == "MPC: standup mute/unmute member(s) succeeded"
    got = mpcs.get_participant(participant_id=agent_id, friendly_name="standup")
    assert (got.mute, got.hold) == (True, True)
    mpcs.update_participant(participant_id="all", uuid=mpc.mpc_uuid, mute=False)
    assert {m.mute for m in mpcs.list_participants(uuid=mpc.mpc_uuid).objects} == {False}

    assert mpcs.kick_participant(participant_id=supervisor.member_id, uuid=mpc.mpc_uuid) is None
    assert sdk.last.status_code == 204
    kicked = mpcs.get_participant(participant_id=supervisor.member_id, uuid=mpc.mpc_uuid)
    assert kicked.exit_cause == "Kicked Out of Multiparty Call"

    assert mpcs.stop(friendly_name="standup") is None
    assert sdk.last.status_code == 204
    ended = mpcs.get(uuid=mpc.mpc_uuid)
    assert (ended.status, ended.termination_cause_code) == ("Ended", 3000)
    assert mpcs.list(status="ended").objects[0].mpc_uuid == mpc.mpc_uuid


def test_wrong_credentials_raise_authentication_error(sdk: SDK) -> None:
    sdk.seed()
    for auth_id, token in (
        (MAIN.auth_id, "wrong"),
        (OTHER.auth_id, MAIN.auth_token),
        ("MAUNKNOWNACCOUNT0001", "x"),
    ):
        client = plivo.RestClient(auth_id, token)
        with pytest.raises(exceptions.AuthenticationError, match="incorrect auth_id or auth_token"):
            client.multi_party_calls.start_recording(friendly_name="standup")
    assert sdk.recordings() == []


def test_unknown_mpc_raises_resource_not_found(sdk: SDK) -> None:
    mpcs = sdk.client.multi_party_calls
    with pytest.raises(exceptions.ResourceNotFoundError, match="no ongoing MPC named 'ghost'"):
        mpcs.start_recording(friendly_name="ghost")
    with pytest.raises(exceptions.ResourceNotFoundError):
        mpcs.get(uuid="00000000-0000-4000-8000-000000000000")
    sdk.seed()
    with pytest.raises(exceptions.ResourceNotFoundError, match="member 99 not found"):
        mpcs.start_participant_recording(participant_id=99, friendly_name="standup")


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (("Record",), {"file_format": "ogg"}, "invalid file_format 'ogg'"),
        (("Record",), {"recording_callback_method": "PUT"}, "invalid recording_callback_method 'PUT'"),
        (("Record",), {"recording_callback_url": "ftp://x"}, "invalid recording_callback_url"),
        (
            ("Participant", "10", "Record"),
            {"record_track_type": "bogus"},
            "invalid record_track_type 'bogus'",
        ),
        (("Participant", "10", "Record"), {"file_format": 7}, "file_format must be a string"),
    ],
)
def test_bad_values_sent_raw_raise_validation_error(sdk: SDK, path: tuple, body: dict, message: str) -> None:
    sdk.seed()
    with pytest.raises(exceptions.ValidationError, match=message):
        sdk.client.request("POST", ("MultiPartyCall", "name_standup", *path), body, is_voice_request=True)
    assert sdk.last.status_code == 400
    assert sdk.recordings() == []


def test_invalid_transition_raises_validation_error(sdk: SDK) -> None:
    sdk.seed()
    with pytest.raises(exceptions.ValidationError, match="has no recording in progress"):
        sdk.client.multi_party_calls.pause_recording(friendly_name="standup")
    sdk.client.multi_party_calls.start_recording(friendly_name="standup")
    with pytest.raises(exceptions.ValidationError, match="already being recorded"):
        sdk.client.multi_party_calls.start_recording(friendly_name="standup")


def test_plivo_client_points_the_sdk_at_the_emulator_for_its_block_only(server: ThreadedServer) -> None:
    import plivo.rest.client as module

    before = {name: getattr(module, name) for name in BASE_URI_NAMES}
    with plivo_client(server.url, MAIN.auth_id, MAIN.auth_token) as client:
        assert {getattr(module, name) for name in BASE_URI_NAMES} == {f"{server.url}/v1/Account"}
        assert client.multi_party_calls.list().objects == []
    assert {name: getattr(module, name) for name in BASE_URI_NAMES} == before, "restored on the way out"
