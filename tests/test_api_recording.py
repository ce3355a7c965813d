"""The recording endpoints over HTTP: paths, bodies, status codes and errors."""

from __future__ import annotations

import re

import pytest

from tests.helpers import MAIN, PlivoHTTP, assert_plivo_error

UUID1 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def mpc(api: PlivoHTTP) -> dict:
    return api.seed_mpc("standup", ("10", "11"))


def ids(mpc: dict) -> dict[str, str]:
    return {"name": "name_standup", "uuid": f"uuid_{mpc['mpc_uuid']}"}


def assert_started(response, status: int, fmt: str = "mp3") -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"api_id", "message", "recording_id", "recording_url"}
    assert body["message"] == "MPC: standup record started"
    assert UUID1.match(body["recording_id"]) and UUID1.match(body["api_id"])
    assert body["recording_url"] == (
        f"http://testserver/v1/Account/{MAIN.auth_id}/Recording/{body['recording_id']}.{fmt}"
    )
    return body


def assert_no_content(response) -> None:
    assert response.status_code == 204, response.text
    assert response.content == b""


def mpc_field(api: PlivoHTTP, ident: str) -> str:
    return api.get(f"MultiPartyCall/{ident}/").json()["recording"]


@pytest.mark.parametrize("form", ["name", "uuid"])
def test_mpc_recording_round_trip(api: PlivoHTTP, mpc: dict, form: str) -> None:
    ident = ids(mpc)[form]
    body = assert_started(api.post(f"MultiPartyCall/{ident}/Record/", {"file_format": "wav"}), 202, "wav")
    assert mpc_field(api, ident) == "recording"
    assert_no_content(api.post(f"MultiPartyCall/{ident}/Record/Pause/"))
    assert mpc_field(api, ident) == "paused"
    assert_no_content(api.post(f"MultiPartyCall/{ident}/Record/Resume/"))
    assert mpc_field(api, ident) == "recording"
    assert_no_content(api.delete(f"MultiPartyCall/{ident}/Record/"))
    assert mpc_field(api, ident) == "not-recording"
    state = api.control.state(MAIN.auth_id)
    (recording,) = state["recordings"]
    assert recording["recording_id"] == body["recording_id"]
    assert (recording["state"], recording["scope"], recording["file_format"]) == ("completed", "mpc", "wav")


@pytest.mark.parametrize("form", ["name", "uuid"])
@pytest.mark.parametrize(
    ("sent", "tracks"),
    [
        (None, ["all"]),
        ("all", ["all"]),
        ("ALL", ["all"]),
        ("", ["all"]),
        ("participant", ["participant"]),
        ("Participant", ["participant"]),
        ("both", ["all", "participant"]),
    ],
)
def test_participant_recording_round_trip(
    api: PlivoHTTP, mpc: dict, form: str, sent: str | None, tracks: list
) -> None:
    base = f"MultiPartyCall/{ids(mpc)[form]}/Participant/10/Record/"
    body = {} if sent is None else {"record_track_type": sent}
    started = assert_started(api.post(base, body), 200)
    state = api.control.state(MAIN.auth_id)
    recordings = {r["record_track_type"]: r for r in state["recordings"]}
    assert sorted(recordings) == sorted(tracks)
    assert all(r["member_id"] == "10" and r["scope"] == "participant" for r in recordings.values())
    assert recordings[tracks[0]]["recording_id"] == started["recording_id"], (
        "the response names the first track"
    )
    for action, expected in (("Pause/", "paused"), ("Resume/", "recording")):
        assert_no_content(api.post(base + action, body))
        state = api.control.state(MAIN.auth_id)
        assert {r["state"] for r in state["recordings"]} == {expected}
    assert_no_content(api.delete(base, body))
    state = api.control.state(MAIN.auth_id)
    assert {r["state"] for r in state["recordings"]} == {"completed"}


def test_paths_without_trailing_slash(api: PlivoHTTP, mpc: dict) -> None:
    assert_started(api.post("MultiPartyCall/name_standup/Record"), 202)
    assert_no_content(api.post("MultiPartyCall/name_standup/Record/Pause"))
    assert_no_content(api.post("MultiPartyCall/name_standup/Record/Resume"))
    assert_no_content(api.delete("MultiPartyCall/name_standup/Record"))
    assert_started(api.post("MultiPartyCall/name_standup/Participant/11/Record"), 200)
    assert_no_content(api.delete("MultiPartyCall/name_standup/Participant/11/Record"))


# The exact bodies plivo-python 4.63.0 sends (reference, section 3), extra keys included.
PYTHON_SDK_BODIES = [
    (
        "POST",
        "Record/",
        {
            "file_format": "wav",
            "recording_callback_url": "http://127.0.0.1:9/cb",
            "recording_callback_method": "GET",
            "transcript": False,
        },
        202,
    ),
    ("POST", "Record/Pause/", {"friendly_name": "standup"}, 204),
    ("POST", "Record/Resume/", {"friendly_name": "standup"}, 204),
    ("DELETE", "Record/", {"uuid": "u-1"}, 204),
    (
        "POST",
        "Participant/10/Record/",
        {
            "file_format": "mp3",
            "recording_callback_method": "POST",
            "record_track_type": "all",
            "transcript": False,
        },
        200,
    ),
    (
        "POST",
        "Participant/10/Record/Pause/",
        {"participant_id": 10, "uuid": "u-1", "record_track_type": "all"},
        204,
    ),
    (
        "POST",
        "Participant/10/Record/Resume/",
        {"participant_id": 10, "uuid": "u-1", "record_track_type": "all"},
        204,
    ),
    (
        "DELETE",
        "Participant/10/Record/",
        {"participant_id": "10", "friendly_name": "standup", "record_track_type": "all"},
        204,
    ),
]


def test_sdk_bodies_with_leaked_keys_are_accepted(api: PlivoHTTP, mpc: dict) -> None:
    for method, path, body, status in PYTHON_SDK_BODIES:
        response = api.request(method, f"MultiPartyCall/name_standup/{path}", json=body)
        assert response.status_code == status, (method, path, response.text)


def test_go_sdk_bodies(api: PlivoHTTP, mpc: dict) -> None:
    # Go sends record_track_type "" on MPC start (no omitempty) and no body on stop/pause/resume.
    assert_started(api.post("MultiPartyCall/name_standup/Record/", {"record_track_type": ""}), 202)
    for action in ("Pause/", "Resume/"):
        assert_no_content(
            api.request(
                "POST",
                f"MultiPartyCall/name_standup/Record/{action}",
                headers={"Content-Type": "application/json"},
            )
        )
    assert_no_content(api.delete("MultiPartyCall/name_standup/Record/"))
    assert_started(
        api.post("MultiPartyCall/name_standup/Participant/10/Record/", {"record_track_type": ""}), 200
    )
    assert_no_content(
        api.delete("MultiPartyCall/name_standup/Participant/10/Record/", {"record_track_type": ""})
    )


def test_form_encoded_and_empty_object_bodies(api: PlivoHTTP, mpc: dict) -> None:
    response = api.request(
        "POST",
        "MultiPartyCall/name_standup/Record/",
        content=b"file_format=WAV&recording_callback_method=get",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_started(response, 202, "wav")
    assert_no_content(api.post("MultiPartyCall/name_standup/Record/Pause/", {}))


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ({"file_format": "ogg"}, ["file_format", "'ogg'", "mp3, wav"]),
        ({"file_format": ""}, ["file_format", "mp3, wav"]),
        ({"file_format": 3}, ["file_format must be a string"]),
        ({"recording_callback_method": "PUT"}, ["recording_callback_method", "GET, POST"]),
        ({"recording_callback_url": "ftp://x.test/cb"}, ["recording_callback_url", "http://"]),
        ({"recording_callback_url": "not a url"}, ["recording_callback_url"]),
        ({"recording_callback_url": ["http://a.test"]}, ["recording_callback_url must be a string"]),
        ({"transcript": "maybe"}, ["transcript", "true or false"]),
    ],
)
def test_bad_start_values_are_400_and_change_nothing(
    api: PlivoHTTP, mpc: dict, body: dict, fragments: list
) -> None:
    assert_plivo_error(api.post("MultiPartyCall/name_standup/Record/", body), 400, *fragments)
    assert_plivo_error(api.post("MultiPartyCall/name_standup/Participant/10/Record/", body), 400, *fragments)
    assert mpc_field(api, "name_standup") == "not-recording"
    state = api.control.state(MAIN.auth_id)
    assert state["recordings"] == []


def test_bad_record_track_type(api: PlivoHTTP, mpc: dict) -> None:
    base = "MultiPartyCall/name_standup/Participant/10/Record/"
    assert_plivo_error(
        api.post(base, {"record_track_type": "bogus"}), 400, "record_track_type", "participant, all, both"
    )
    assert_started(api.post(base), 200)
    assert_plivo_error(api.delete(base, {"record_track_type": "mixed"}), 400, "record_track_type")


@pytest.mark.parametrize(
    ("setup", "method", "path", "fragment"),
    [
        ([], "POST", "Record/Pause/", "has no recording in progress"),
        ([], "POST", "Record/Resume/", "has no recording in progress"),
        ([], "DELETE", "Record/", "has no recording in progress"),
        (["POST Record/"], "POST", "Record/", "already being recorded"),
        (["POST Record/"], "POST", "Record/Resume/", "it is recording"),
        (["POST Record/", "POST Record/Pause/"], "POST", "Record/Pause/", "it is paused"),
        ([], "POST", "Participant/10/Record/Pause/", "no 'all' track recording in progress"),
        (["POST Participant/10/Record/"], "POST", "Participant/10/Record/", "already in progress"),
        (["POST Participant/10/Record/"], "POST", "Participant/10/Record/Resume/", "it is recording"),
    ],
)
def test_invalid_transitions_over_http(
    api: PlivoHTTP, mpc: dict, setup: list, method: str, path: str, fragment: str
) -> None:
    for step in setup:
        verb, step_path = step.split(" ")
        assert api.request(verb, f"MultiPartyCall/name_standup/{step_path}").status_code < 300
    before = api.control.state(MAIN.auth_id)
    assert_plivo_error(api.request(method, f"MultiPartyCall/name_standup/{path}"), 400, fragment)
    after = api.control.state(MAIN.auth_id)
    assert after == before, "a refused call must leave the state untouched"


def test_recording_calls_on_an_ended_mpc(api: PlivoHTTP, mpc: dict) -> None:
    assert_started(api.post("MultiPartyCall/name_standup/Record/"), 202)
    assert_no_content(api.delete("MultiPartyCall/name_standup/"))
    uuid = ids(mpc)["uuid"]
    for method, path in (
        ("POST", "Record/"),
        ("POST", "Record/Pause/"),
        ("POST", "Record/Resume/"),
        ("DELETE", "Record/"),
        ("POST", "Participant/10/Record/"),
    ):
        assert_plivo_error(api.request(method, f"MultiPartyCall/{uuid}/{path}"), 400, "has ended")
        assert_plivo_error(api.request(method, f"MultiPartyCall/name_standup/{path}"), 404, "no ongoing MPC")
    state = api.control.state(MAIN.auth_id)
    assert [r["state"] for r in state["recordings"]] == ["completed"], (
        "ending the MPC completed its recording"
    )


def test_recording_a_member_who_left(api: PlivoHTTP) -> None:
    api.seed_mpc("standup", ("10", "11", "12"))
    assert api.delete("MultiPartyCall/name_standup/Participant/12/").status_code == 204
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/12/Record/"), 400, "member 12 has left"
    )
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/99/Record/"), 404, "member 99 not found"
    )
    assert_plivo_error(
        api.post("MultiPartyCall/name_standup/Participant/all/Record/"), 404, "single member id"
    )


def test_unknown_mpc_and_bad_identifier(api: PlivoHTTP) -> None:
    assert_plivo_error(api.post("MultiPartyCall/name_nobody/Record/"), 404, "no ongoing MPC named 'nobody'")
    assert_plivo_error(api.post("MultiPartyCall/uuid_0000/Record/"), 404, "uuid '0000' not found")
    assert_plivo_error(
        api.post("MultiPartyCall/standup/Record/"), 404, "use name_<friendly_name> or uuid_<mpc_uuid>"
    )


@pytest.mark.parametrize(
    ("name", "encoded"),
    [("my mpc", "my%20mpc"), ("café ☕", "caf%C3%A9%20%E2%98%95"), ("a/b", "a%2Fb"), ("50%", "50%25")],
)
def test_percent_encoded_names(api: PlivoHTTP, name: str, encoded: str) -> None:
    created = api.seed_mpc(name, ("10", "11"))
    body = api.post(f"MultiPartyCall/name_{encoded}/Record/").json()
    assert body["message"] == f"MPC: {name} record started"
    got = api.get(f"MultiPartyCall/name_{encoded}/").json()
    assert got["mpc_uuid"] == created["mpc_uuid"] and got["recording"] == "recording"
