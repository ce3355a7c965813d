"""Member Play and Speak: started and stopped by member form, shown in the state, ending by themselves."""

from __future__ import annotations

from collections.abc import Iterator

import plivo
import pytest

from emulator import ThreadedServer
from emulator.sdk import plivo_sdk_pointed_at
from tests.callback_helpers import Harness
from tests.helpers import MAIN, PlivoHTTP, assert_plivo_error

SOUND = "http://127.0.0.1:9/this-call-is-recorded.mp3"


@pytest.fixture
def client(server: ThreadedServer) -> Iterator[plivo.RestClient]:
    with plivo_sdk_pointed_at(server.url):
        yield plivo.RestClient(MAIN.auth_id, MAIN.auth_token)


def audio_of(control_state: dict) -> list[tuple[str, str, list[str]]]:  # type: ignore[type-arg]
    (mpc,) = control_state["mpcs"]
    return [(a["kind"], a["members"], a["member_ids"]) for a in mpc["audio"]]


def test_play_through_the_python_sdk(client: plivo.RestClient, server: ThreadedServer) -> None:
    control = server.control()
    control.create_mpc(MAIN.auth_id, "standup", members=("10", "11", "12"), stay_alone=True)
    calls = client.multi_party_calls
    everyone = calls.start_play_audio("all", friendly_name="standup", url=SOUND)
    assert everyone.message == "play queued into MPC" and everyone.mpcName == "standup"
    assert sorted(everyone.mpcMemberId) == ["10", "11", "12"]
    one = calls.start_play_audio("11", friendly_name="standup", url=SOUND)
    assert one.mpcMemberId == ["11"]
    assert audio_of(control.state(MAIN.auth_id)) == [
        ("play", "all", ["10", "11", "12"]),
        ("play", "11", ["11"]),
    ]
    calls.stop_play_audio("all", friendly_name="standup")  # stops what "all" started, not member 11's
    assert audio_of(control.state(MAIN.auth_id)) == [("play", "11", ["11"])]
    calls.stop_play_audio("11", friendly_name="standup")
    assert audio_of(control.state(MAIN.auth_id)) == []
    calls.stop_play_audio("11", friendly_name="standup")  # nothing playing: still fine (it may have ended)
    with pytest.raises(plivo.exceptions.ResourceNotFoundError):
        calls.start_play_audio("99", friendly_name="standup", url=SOUND)


def test_speak_as_plivo_go_sends_it_and_the_errors(api: PlivoHTTP) -> None:
    api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    path = "MultiPartyCall/name_standup/Member/10,11/Speak/"
    # plivo-go sends voice, language and mix always (empty when unset).
    spoken = api.post(path, {"text": "This call is recorded", "voice": "", "language": "", "mix": False})
    assert spoken.status_code == 202, spoken.text
    body = spoken.json()
    assert body["message"] == "speak queued into MPC" and body["mpcMemberId"] == ["10", "11"]
    (mpc,) = api.control.state(MAIN.auth_id)["mpcs"]
    (speech,) = mpc["audio"]
    assert (speech["kind"], speech["members"], speech["text"], speech["seconds"]) == (
        "speak",
        "10,11",
        "This call is recorded",
        2.0,
    )
    assert api.delete(path).status_code == 204
    assert_plivo_error(api.post(path, {}), 400, "text is required")
    assert_plivo_error(api.post(path, {"text": "hi", "voice": "ROBOT"}), 400, "voice")
    play = "MultiPartyCall/name_standup/Member/all/Play/"
    assert_plivo_error(api.post(play, {}), 400, "url is required")
    assert_plivo_error(api.post(play, {"urls": "ftp://x/a.mp3"}), 400, "urls")
    assert api.post(play, {"urls": f"{SOUND},{SOUND}"}).status_code == 202, "the docs' comma-separated urls"
    assert_plivo_error(api.post("MultiPartyCall/name_nobody/Member/all/Play/", {"url": SOUND}), 404)
    assert_plivo_error(api.post("MultiPartyCall/name_standup/Member/77/Play/", {"url": SOUND}), 404, "77")


def test_audio_ends_by_itself_and_with_the_call(harness: Harness) -> None:
    h = harness
    h.api.seed_mpc("standup", ("10", "11"), stay_alone=True)
    assert h.api.post("MultiPartyCall/name_standup/Member/10/Play/", {"url": SOUND}).status_code == 202
    h.advance(9)
    assert audio_of(h.control.state(MAIN.auth_id)) == [("play", "10", ["10"])]
    h.advance(1)
    assert audio_of(h.control.state(MAIN.auth_id)) == [], "a play lasts ten seconds here"
    h.api.post("MultiPartyCall/name_standup/Member/all/Speak/", {"text": "goodbye"})
    h.api.delete("MultiPartyCall/name_standup/")
    mpc_uuid = h.control.state(MAIN.auth_id)["mpcs"][0]["mpc_uuid"]
    kinds = [
        t["kind"]
        for t in h.api.client.get(
            "/__emulator__/timeline", params={"auth_id": MAIN.auth_id, "mpc_uuid": mpc_uuid}
        ).json()["timeline"]
    ]
    assert kinds.count("MemberAudioStart") == 2 and kinds.count("MemberAudioStop") == 2
    assert kinds.index("MemberAudioStop", kinds.index("MemberAudioStart", 2)) < kinds.index("MPCEnd")
